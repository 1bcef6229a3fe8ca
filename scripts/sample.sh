#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and scan the bundled sample with the
# shipped rule pack; the findings (with their evidence) go to examples/out/findings.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tosguard
mkdir -p examples/out
exec build/release/cli/tosguard scan --config examples/tosguard.yaml --rules rules/acme/*.tos \
  --out examples/out/findings.jsonl "$@"
