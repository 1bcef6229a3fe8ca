#!/usr/bin/env bash
# The nightly batch's cost against its history: one night's `tosguard batch` (the same
# new day of events) after 1 day of history and after 60 days of history. Prints
# hyperfine's table and the ratio. Usage: bench/batch_bench.sh [EVENTS]
#
#   EVENTS              events over the 61 generated days (default 2,000,000)
#   TOSGUARD_BENCH_DIR  where data and results go (default /tmp/tosguard-batch-bench/EVENTS)
#   BUILD_DIR           an existing build directory to use instead of the release preset
#   RUNS                hyperfine runs per case (default 3)
#   GEN_ONLY            set: build and generate the data, then stop
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
events=${1:-2000000}
accounts=$(( events / 100 > 300 ? events / 100 : 300 ))
dir=${TOSGUARD_BENCH_DIR:-/tmp/tosguard-batch-bench/$events}
runs=${RUNS:-3}

targets=(--target tosguard tosguard-gen)
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
tosguard=$bin/cli/tosguard

# 61 days of data, events and signals split into one file per day.
if [ ! -s "$dir/gen/events.jsonl" ]; then
  prompts=()
  [ -d ../shared/data ] && prompts=(--prompts-dir ../shared/data)
  "$bin/bench/gen/tosguard-gen" --out "$dir/gen" --events "$events" --accounts "$accounts" \
    --days 61 --quiet "${prompts[@]}"
  mkdir -p "$dir/days"
  for kind in events signals; do
    awk -v dir="$dir/days" -v kind="$kind" '{
      if (match($0, /"ts":"[0-9-]+/)) { day = substr($0, RSTART + 6, 10) } else { day = "undated" }
      print > (dir "/" kind "-" day ".jsonl")
    }' "$dir/gen/$kind.jsonl"
  done
fi
days=($(ls "$dir/days" | sed -n 's/^events-\([0-9-]*\)\.jsonl$/\1/p' | sort))
[ "${#days[@]}" -ge 61 ] || { echo "expected 61 days of events, found ${#days[@]}" >&2; exit 1; }
new_day=${days[60]}
[ -z "${GEN_ONLY:-}" ] || exit 0  # bench/files_bench.sh only needs the data

# One case: a store that has processed `history` days, and the new day's files added.
make_case() {
  local name=$1 history=$2 case=$dir/$1
  rm -rf "$case" && mkdir -p "$case/data" "$case/keys"
  cp "$dir/gen/accounts.jsonl" "$dir/gen/acceptances.jsonl" "$case/data/"
  for d in "${days[@]:$((60 - history)):$history}"; do
    ln -s "$dir/days/events-$d.jsonl" "$case/data/"
    if [ -e "$dir/days/signals-$d.jsonl" ]; then ln -s "$dir/days/signals-$d.jsonl" "$case/data/"; fi
  done
  cat > "$case/nightly.yaml" <<YAML
version: 1
rules: $repo/rules/acme/*.tos
quarantine: out/quarantine.jsonl
signals:
  detectors:
    - {name: distill, threshold: 0.9, false_positive_rate: 0.002}
    - {name: template_reuse, threshold: 0.8, false_positive_rate: 0.01}
    - {name: account_risk, threshold: 0.7, false_positive_rate: 0.02}
linking:
  identifiers: [account.payment_fingerprint, account.device_id, account.signup_ip, event.device_id]
  max_accounts_per_value: 50
evidence: {store: evidence.db, signing_key: keys/signing.key, pseudonym_key: keys/pseudonym.key}
sources:
  - {name: accounts, kind: account, paths: data/accounts.jsonl, preset: canonical}
  - {name: acceptances, kind: acceptance, paths: data/acceptances.jsonl, preset: canonical}
  - {name: events, kind: event, paths: "data/events-*.jsonl", preset: canonical}
  - {name: signals, kind: signal, paths: "data/signals-*.jsonl", preset: canonical}
YAML
  "$tosguard" keygen --config "$case/nightly.yaml" >/dev/null
  "$tosguard" batch --config "$case/nightly.yaml" >/dev/null  # the history
  ln -s "$dir/days/events-$new_day.jsonl" "$case/data/"
  if [ -e "$dir/days/signals-$new_day.jsonl" ]; then ln -s "$dir/days/signals-$new_day.jsonl" "$case/data/"; fi
  cp "$case/evidence.db" "$case/before.db"
}
make_case history-1 1
make_case history-60 60
printf 'new day %s: %s events\n' "$new_day" "$(wc -l < "$dir/days/events-$new_day.jsonl")"

hyperfine --runs "$runs" --export-markdown "$dir/batch.md" \
  --prepare "cp $dir/history-1/before.db $dir/history-1/evidence.db; rm -f $dir/history-1/evidence.db-wal" \
  -n "night after 1 day" "$tosguard batch --config $dir/history-1/nightly.yaml" \
  --prepare "cp $dir/history-60/before.db $dir/history-60/evidence.db; rm -f $dir/history-60/evidence.db-wal" \
  -n "night after 60 days" "$tosguard batch --config $dir/history-60/nightly.yaml"
cat "$dir/batch.md"
