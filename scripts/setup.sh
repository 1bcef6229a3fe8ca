#!/usr/bin/env bash
# Installs what tosguard needs from Debian's packages; does nothing when all is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git pkg-config clang
  libboost-dev libsqlite3-dev sqlite3 libyaml-cpp-dev libspdlog-dev catch2
  libsimdjson-dev libcli11-dev libre2-dev libssl-dev zlib1g-dev libzstd-dev libjemalloc-dev
  zstd gzip hyperfine time bsdutils chromium openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
