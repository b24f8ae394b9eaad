#!/usr/bin/env bash
# Builds the sandbox and the release extension: dist/chrome/ (load it unpacked in Chrome or
# Chromium), dist/firefox/, dist/e2e/ (the end-to-end tests' copy) and the store zips
# (scripts/package.py says what each is).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --quiet -p flare-sandbox
trunk build --release --quiet
# The background worker is wasm without the pages' UI: Trunk builds pages, so it is built here.
cargo build --release --quiet --target wasm32-unknown-unknown --bin flare-worker --features worker
wasm-bindgen --target web --no-typescript --out-dir dist/build --out-name flare_worker \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/flare-worker.wasm"
wasm-opt -Oz dist/build/flare_worker_bg.wasm -o dist/build/flare_worker_bg.wasm
cp static/background.js dist/build/
python3 scripts/package.py

for wasm in dist/build/flare_bg.wasm dist/build/flare_worker_bg.wasm; do
  printf 'build: %s is %s bytes (%s gzipped)\n' "$wasm" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
done
