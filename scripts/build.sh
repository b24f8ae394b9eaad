#!/usr/bin/env bash
# Builds the sandbox and the release extension into dist/extension/ (load it unpacked in Chrome).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --quiet -p flare-sandbox
trunk build --release --quiet

wasm=dist/extension/flare_bg.wasm
printf 'build: %s is %s bytes (%s gzipped); flare.js is %s bytes\n' "$wasm" \
  "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" "$(stat -c %s dist/extension/flare.js)"
