#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run the main job on the sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tosguard
exec build/release/cli/tosguard ingest --config examples/tosguard.yaml "$@"
