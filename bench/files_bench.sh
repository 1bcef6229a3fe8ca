#!/usr/bin/env bash
# Ingest of many files: the 61 days of bench/batch_bench.sh, one file per day and kind
# (122 files, beside the accounts and acceptances), plain and compressed with gzip -1,
# read by `tosguard ingest --validate required --threads 2`. Prints hyperfine's table;
# with OLD set to another tosguard binary, also pairs each case against it (bench/ab.sh).
# Usage: bench/files_bench.sh [EVENTS]
#
#   EVENTS              events over the 61 generated days (default 2,000,000)
#   TOSGUARD_BENCH_DIR  where the data is (default /tmp/tosguard-batch-bench/EVENTS,
#                       shared with bench/batch_bench.sh)
#   BUILD_DIR           an existing build directory to use instead of the release preset
#   RUNS                hyperfine runs per case (default 5)
#   OLD                 a tosguard binary to pair against; PAIRS pairs (default 11)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-2000000}
dir=${TOSGUARD_BENCH_DIR:-/tmp/tosguard-batch-bench/$events}
runs=${RUNS:-5}
GEN_ONLY=1 TOSGUARD_BENCH_DIR=$dir bench/batch_bench.sh "$events"
tosguard=$(cd "${BUILD_DIR:-build/release}" && pwd)/cli/tosguard

mkdir -p "$dir/gz"
for f in "$dir"/days/*.jsonl; do
  z=$dir/gz/$(basename "$f").gz
  if [ ! -s "$z" ]; then gzip -1 -c "$f" > "$z.part" && mv "$z.part" "$z"; fi
done
for kind in plain gz; do
  ext=.jsonl days=$dir/days
  if [ "$kind" = gz ]; then ext=.jsonl.gz days=$dir/gz; fi
  cat > "$dir/files-$kind.yaml" <<YAML
version: 1
quarantine: files-$kind-quarantine.jsonl
sources:
  - {name: accounts, kind: account, paths: $dir/gen/accounts.jsonl, preset: canonical}
  - {name: acceptances, kind: acceptance, paths: $dir/gen/acceptances.jsonl, preset: canonical}
  - {name: events, kind: event, paths: "$days/events-*$ext", preset: canonical}
  - {name: signals, kind: signal, paths: "$days/signals-*$ext", preset: canonical}
YAML
done
printf '%s: %s event files, %s MB plain, %s MB gzip\n' "$dir" "$(ls "$dir"/days/events-* | wc -l)" \
  "$(du -sm "$dir/days" | cut -f1)" "$(du -sm "$dir/gz" | cut -f1)"

ingest() { echo "$1 ingest -c $dir/files-$2.yaml --validate required --threads 2"; }
hyperfine --runs "$runs" --export-markdown "$dir/files.md" \
  -n "plain files" "$(ingest "$tosguard" plain)" -n "gzip files" "$(ingest "$tosguard" gz)"
cat "$dir/files.md"
if [ -n "${OLD:-}" ]; then
  for kind in plain gz; do
    echo "== $kind files: this build (A) against $OLD (B)"
    bench/ab.sh -n "${PAIRS:-11}" "$(ingest "$tosguard" $kind)" "$(ingest "$OLD" $kind)"
  done
fi
