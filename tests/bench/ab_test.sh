#!/usr/bin/env bash
# bench/ab.sh: pairs two commands, prints a row for each and their ratio, and fails on a
# usage error (2) or a failing run (1). Checks what it reports, not how fast anything is.
set -uo pipefail
ab=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$ab" -n 2 'true' 'true') || fail "two succeeding commands: exit $?"
for row in '^A ' '^B ' '^A/B '; do
  grep -q "$row" <<< "$out" || fail "no row matching '$row' in: $out"
done
# Both sides ran the same command: every median ratio is a number.
awk '/^A\/B / { for (i = 2; i <= 4; i++) if ($i !~ /^[0-9.]+$/) exit 1 }' <<< "$out" ||
  fail "ratios are not numbers: $out"

"$ab" -n 0 'true' 'true' > /dev/null 2>&1
[ $? -eq 2 ] || fail "-n 0 is a usage error"
"$ab" 'true' > /dev/null 2>&1
[ $? -eq 2 ] || fail "one command is a usage error"

err=$("$ab" -n 1 'exit 3' 'true' 2>&1 > /dev/null)
status=$?
[ $status -eq 1 ] || fail "a failing run gives exit 1, not $status"
grep -q "A exit 3" <<< "$err" || fail "the failing run is not named: $err"
echo "ok"
