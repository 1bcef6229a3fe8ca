#!/usr/bin/env bash
# The scan benchmark: `tosguard scan` with the rule pack rules/acme/ against the
# simdjson parse floor, DuckDB and sqlite3 running the same rules in SQL
# (bench/sql/), on one generated data set (10 million events by default). Prints
# hyperfine's table, each command's peak memory, and whether the SQL versions and
# tosguard flag the same points. Usage: bench/scan_bench.sh [EVENTS]
#
#   TOSGUARD_BENCH_DIR  where data and results go (default /tmp/tosguard-bench/EVENTS)
#   BUILD_DIR           an existing build directory to use instead of the release preset
#   DUCKDB_NODE_API     the @duckdb/node-api package (default /tmp/duckdb-node/node_modules/@duckdb/node-api,
#                       installed with `npm install @duckdb/node-api` there when missing)
#   DUCKDB_MEMORY_LIMIT DuckDB's memory_limit (default: DuckDB's own, 80% of memory)
#   RUNS, SQL_RUNS      hyperfine runs for tosguard and the floor (3), for the SQL engines (2)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
events=${1:-10000000}
accounts=$(( events / 100 > 300 ? events / 100 : 300 ))
dir=${TOSGUARD_BENCH_DIR:-/tmp/tosguard-bench/$events}
runs=${RUNS:-3}
sql_runs=${SQL_RUNS:-2}
duckdb_api=${DUCKDB_NODE_API:-/tmp/duckdb-node/node_modules/@duckdb/node-api}
rules=(distillation_account distillation_cluster automated_extraction rate_limit_circumvention
       api_key_sharing unsupported_regions logprob_probing ban_evasion automated_account_creation)

# Build.
targets=(--target tosguard tosguard-gen tosguard-ingest-floor)
if [ -n "${BUILD_DIR:-}" ]; then
  bin=$BUILD_DIR
  cmake --build "$bin" "${targets[@]}" >/dev/null
else
  scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release "${targets[@]}" >/dev/null
  bin=build/release
fi
bin=$(cd "$bin" && pwd)
if [ ! -f "$duckdb_api/package.json" ]; then
  mkdir -p "$(dirname "$(dirname "$(dirname "$duckdb_api")")")"
  (cd "$(dirname "$(dirname "$(dirname "$duckdb_api")")")" && npm install --no-save @duckdb/node-api >/dev/null)
fi

# Data: accounts, acceptances, events and signals over 60 days, one account per 100 events.
if [ ! -s "$dir/events.jsonl" ]; then
  prompts=()
  [ -d ../shared/data ] && prompts=(--prompts-dir ../shared/data)
  "$bin/bench/gen/tosguard-gen" --out "$dir" --events "$events" --accounts "$accounts" \
    --days 60 --quiet "${prompts[@]}"
fi
cat > "$dir/tosguard.yaml" <<YAML
version: 1
limits:
  max_line_bytes: 1048576
quarantine: out/quarantine.jsonl
signals:
  detectors:
    - {name: distill, threshold: 0.9, false_positive_rate: 0.002}
    - {name: template_reuse, threshold: 0.8, false_positive_rate: 0.01}
    - {name: account_risk, threshold: 0.7, false_positive_rate: 0.02}
linking:
  identifiers: [account.payment_fingerprint, account.device_id, account.signup_ip, event.device_id]
  max_accounts_per_value: 50
sources:
  - {name: accounts, kind: account, paths: accounts.jsonl, preset: canonical}
  - {name: acceptances, kind: acceptance, paths: acceptances.jsonl, preset: canonical}
  - {name: events, kind: event, paths: events.jsonl, preset: canonical}
  - {name: signals, kind: signal, paths: signals.jsonl, preset: canonical}
YAML
ls -l "$dir"/*.jsonl
printf 'events: %s\n' "$(wc -l < "$dir/events.jsonl")"

sql=$repo/bench/sql
duck_files="$sql/duckdb/load.sql $sql/clusters.sql $sql/duckdb/prepare.sql"
lite_files="$sql/sqlite/load.sql $sql/clusters.sql $sql/sqlite/prepare.sql"
for r in "${rules[@]}"; do
  duck_files+=" $sql/duckdb/$r.sql"
  lite_files+=" $sql/sqlite/$r.sql"
done
duck_files+=" $sql/duckdb/output.sql"
lite_files+=" $sql/sqlite/output.sql"

floor="$bin/bench/tosguard-ingest-floor rules $dir/events.jsonl"
scan="$bin/cli/tosguard scan --config $dir/tosguard.yaml --rules $(echo "$repo"/rules/acme/*.tos)"
scan1="$scan --threads 1 --out $dir/findings-1.jsonl"
scan2="$scan --threads 2 --out $dir/findings-2.jsonl"
duckdb="cd $dir && DUCKDB_NODE_API=$duckdb_api node $sql/run_duckdb.mjs --threads 2 ${DUCKDB_MEMORY_LIMIT:+--memory-limit $DUCKDB_MEMORY_LIMIT} $duck_files > $dir/duckdb.tsv"
sqlite="cd $dir && rm -f sqlite.db && cat $lite_files | sqlite3 -bail sqlite.db > $dir/sqlite.tsv"

# Warm the page cache so every command reads from memory alike.
cat "$dir"/*.jsonl > /dev/null

# Each command runs under /usr/bin/time -v, so the peak memory of its last run is kept.
timed() { echo "/usr/bin/time -v -o $dir/time-$1.txt bash -c '$2'"; }
hyperfine --warmup 1 --runs "$runs" --export-markdown "$dir/scan.md" \
  -n "floor: rule fields" "$(timed floor "$floor")" \
  -n "scan, 1 thread" "$(timed scan1 "$scan1")" -n "scan, 2 threads" "$(timed scan2 "$scan2")"
hyperfine --runs "$sql_runs" --export-markdown "$dir/scan-sql.md" \
  -n "DuckDB" "$(timed duckdb "$duckdb")" -n "sqlite3" "$(timed sqlite "$sqlite")"
cat "$dir/scan.md" "$dir/scan-sql.md"

echo
echo "peak memory (maximum resident set size, kB):"
for name in floor scan1 scan2 duckdb sqlite; do
  printf '%10s  %s\n' "$(awk -F': ' '/Maximum resident/ {print $2}' "$dir/time-$name.txt")" "$name"
done

# Agreement: the flagged points (rule, scope value, day, outcome) of each.
node bench/sql/findings_points.mjs < "$dir/findings-1.jsonl" | sort -u > "$dir/tosguard.tsv"
node bench/sql/findings_points.mjs < "$dir/findings-2.jsonl" | sort -u > "$dir/tosguard-2.tsv"
status=0
for other in tosguard-2 duckdb sqlite; do
  sort -o "$dir/$other.tsv" "$dir/$other.tsv"
  if cmp -s "$dir/tosguard.tsv" "$dir/$other.tsv"; then
    echo "$other: the same $(wc -l < "$dir/tosguard.tsv") flagged points as tosguard scan --threads 1"
  else
    echo "$other: DIFFERS from tosguard scan --threads 1 (< only tosguard, > only $other):"
    diff "$dir/tosguard.tsv" "$dir/$other.tsv" | grep '^[<>]' | head -50 || true
    status=1
  fi
done
exit $status
