#!/usr/bin/env bash
# Builds the sandbox and the release extension: dist/chrome/ (load it unpacked in Chrome or
# Chromium), dist/firefox/, dist/e2e/ (the end-to-end tests' copy) and the store zips
# (scripts/package.py says what each is).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --quiet -p flare-sandbox
trunk build --release --quiet
python3 scripts/package.py

wasm=dist/build/flare_bg.wasm
printf 'build: %s is %s bytes (%s gzipped); flare.js is %s bytes\n' "$wasm" \
  "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" "$(stat -c %s dist/build/flare.js)"
