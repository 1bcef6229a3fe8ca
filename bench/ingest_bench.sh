#!/usr/bin/env bash
# The ingest benchmark: `tosguard ingest` against the simdjson parse floor on the same
# generated JSONL file (5 million events by default). Prints hyperfine's tables and
# each command's peak memory. Usage: bench/ingest_bench.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-5000000}
dir=${TOSGUARD_BENCH_DIR:-${TMPDIR:-/tmp}/tosguard-bench-$events}
runs=${RUNS:-5}

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tosguard tosguard-gen tosguard-ingest-floor >/dev/null
bin=build/release

if [ ! -s "$dir/events.jsonl" ]; then
  prompts=()
  [ -d ../shared/data ] && prompts=(--prompts-dir ../shared/data)
  "$bin/bench/gen/tosguard-gen" --out "$dir" --events "$events" --accounts $((events / 50)) \
    --days 60 --quiet "${prompts[@]}"
fi
cat > "$dir/events.yaml" <<YAML
version: 1
sources:
  - {name: events, kind: event, paths: [events.jsonl]}
YAML
ls -l "$dir/events.jsonl"
wc -l < "$dir/events.jsonl"

# Warm the page cache so every command reads from memory alike.
cat "$dir/events.jsonl" > /dev/null

hyperfine --warmup 1 --runs "$runs" --export-markdown "$dir/ingest.md" \
  -n "floor: parse" "$bin/bench/tosguard-ingest-floor parse $dir/events.jsonl" \
  -n "floor: required fields" "$bin/bench/tosguard-ingest-floor fields $dir/events.jsonl" \
  -n "ingest --validate required, 2 threads" "$bin/cli/tosguard ingest -c $dir/events.yaml --validate required --threads 2" \
  -n "ingest --validate all, 2 threads" "$bin/cli/tosguard ingest -c $dir/events.yaml --validate all --threads 2" \
  -n "ingest --validate required, 1 thread" "$bin/cli/tosguard ingest -c $dir/events.yaml --validate required --threads 1"
cat "$dir/ingest.md"

echo
echo "peak memory (maximum resident set size, kB):"
for cmd in "$bin/bench/tosguard-ingest-floor parse $dir/events.jsonl" \
           "$bin/cli/tosguard ingest -c $dir/events.yaml --validate required --threads 2" \
           "$bin/cli/tosguard ingest -c $dir/events.yaml --validate all --threads 2"; do
  /usr/bin/time -v -o "$dir/time.txt" $cmd >/dev/null 2>&1
  rss=$(awk -F: '/Maximum resident/ {print $2}' "$dir/time.txt")
  printf '%10s  %s\n' "$rss" "$cmd"
done

# Ratios to the floor from interleaved pairs (floor, command, floor, command, ...): on a
# machine whose speed drifts, a ratio taken within each pair is steadier than the ratio
# of two means taken minutes apart. Prints the median of RUNS pairs.
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'; }
paired() {
  local name=$1; shift
  local ratios=()
  for _ in $(seq "$runs"); do
    local f c
    f=$(wall "$bin/bench/tosguard-ingest-floor" parse "$dir/events.jsonl")
    c=$(wall "$@")
    ratios+=("$(awk -v c="$c" -v f="$f" 'BEGIN {printf "%.3f", c / f}')")
  done
  printf '%-40s median %s (pairs: %s)\n' "$name" \
    "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "${ratios[*]}"
}
echo
echo "wall time as a multiple of 'floor: parse', interleaved pairs:"
paired "ingest --validate required, 2 threads" "$bin/cli/tosguard" ingest -c "$dir/events.yaml" --validate required --threads 2
paired "ingest --validate all, 2 threads" "$bin/cli/tosguard" ingest -c "$dir/events.yaml" --validate all --threads 2
paired "openssl dgst -sha256 (hashing alone)" openssl dgst -sha256 "$dir/events.jsonl"
