#!/usr/bin/env bash
# Quick start 1: install what is missing, build, scan the bundled sample with the shipped
# rule pack into an evidence store, and write the evidence report of one finding.
# Outputs (examples/out/): findings.jsonl, evidence.db, report.html, report.json; the
# sample's keys are made once in examples/out/keys/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tosguard
tosguard=build/release/cli/tosguard
config=examples/tosguard.yaml
mkdir -p examples/out/keys
[ -e examples/out/keys/signing.key ] || "$tosguard" keygen --config "$config"
"$tosguard" scan --config "$config" --rules rules/acme/*.tos --out examples/out/findings.jsonl "$@"
finding=$("$tosguard" findings list --config "$config" --rule distillation_cluster --level violation --format json |
  grep -o '"id":"F-[0-9a-f]*"' | head -n 1 | cut -d '"' -f 4)
"$tosguard" report "$finding" --config "$config" --format json --out examples/out/report.json
"$tosguard" report "$finding" --config "$config" --format html --out examples/out/report.html
"$tosguard" verify --config "$config"
"$tosguard" verify --report examples/out/report.json --logs examples \
  --public-key examples/out/keys/signing.key.pub
echo "evidence report of $finding: examples/out/report.html" >&2
