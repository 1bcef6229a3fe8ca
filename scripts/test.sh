#!/usr/bin/env bash
# Quick start 2: install what is missing, build, and run every test (g++ dev build,
# then the clang address+undefined sanitizer build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
for preset in dev asan; do
  echo "== ${preset}: configure and build" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: test" >&2
  ctest --preset "$preset" -j "$jobs" --output-on-failure
done
