#!/usr/bin/env bash
# Paired timing of two whole commands: runs A and B in turn (A B A B ...) under
# /usr/bin/time, so a drift in the machine's speed during the runs hits both alike, and
# prints each command's median wall time, CPU time (user + system) and peak memory, and
# the median of the per-pair ratios A/B. Each command runs through `bash -c`, its output
# thrown away; one warm-up run of each is not counted.
#
# Usage: bench/ab.sh [-n RUNS] 'COMMAND A' 'COMMAND B'     (RUNS pairs, default 5)
set -euo pipefail
runs=5
if [ "${1:-}" = "-n" ]; then
  runs=$2
  shift 2
fi
if [ $# -ne 2 ] || ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [-n RUNS] 'COMMAND A' 'COMMAND B'" >&2
  exit 2
fi
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
a=$1
b=$2
out=$(mktemp)
trap 'rm -f "$out" "$out.t"' EXIT

# One run of `$2`, appended to $out as: LABEL WALL CPU PEAK_KB EXIT.
run() {
  local status=0
  /usr/bin/time -f '%e %U %S %M' -o "$out.t" bash -c "$2" > /dev/null 2>&1 || status=$?
  read -r wall user sys peak < <(tail -n 1 "$out.t")
  echo "$1 $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }') $peak $status" >> "$out"
}

run warmup "$a"
run warmup "$b"
: > "$out"
for ((i = 0; i < runs; i++)); do
  run A "$a"
  run B "$b"
done

failed=0
if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$out"; then
  failed=1
  echo "$0: a run exited with a non-zero status (the figures below include it):" >&2
  awk '$5 != 0 { print "  " $1 " exit " $5 }' "$out" >&2
fi
# Medians of a column of the A or B rows, and of the pairwise ratios.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v who="$1" -v c="$2" '$1 == who { print $c }' "$out" | median; }
ratio() {
  paste <(awk -v c="$1" '$1 == "A" { print $c }' "$out") <(awk -v c="$1" '$1 == "B" { print $c }' "$out") |
    awk '{ print ($2 > 0 ? $1 / $2 : 0) }' | median
}
printf '%-6s %12s %12s %14s\n' "" "wall (s)" "CPU (s)" "peak (MiB)"
for who in A B; do
  printf '%-6s %12s %12s %14.1f\n' "$who" "$(column "$who" 2)" "$(column "$who" 3)" \
    "$(awk -v k="$(column "$who" 4)" 'BEGIN { print k / 1024 }')"
done
printf '%-6s %12.3f %12.3f %14.3f\n' "A/B" "$(ratio 2)" "$(ratio 3)" "$(ratio 4)"
echo "(medians of $runs runs each, in turn; A/B is the median of the per-pair ratios)"
exit $failed
