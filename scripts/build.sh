#!/usr/bin/env bash
# Builds the sandbox, the relay and the release extension: dist/chrome/ (load it unpacked in Chrome or
# Chromium), dist/firefox/, dist/e2e/ (the end-to-end tests' copy) and the store zips
# (scripts/package.py says what each is).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --quiet -p flare-sandbox -p flare-relay
trunk build --release --quiet
# Trunk builds the popup's wasm; the full pages (options, ticket) and the background worker get their own
# (the popup stays small, the worker has no UI), built the way Trunk would build them.
wasm_bin() {
  local bin=$1 out=$2
  shift 2
  cargo build --release --quiet --target wasm32-unknown-unknown --bin "$bin" "$@"
  wasm-bindgen --target web --no-typescript --out-dir dist/build --out-name "$out" \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/$bin.wasm"
  wasm-opt -Oz "dist/build/${out}_bg.wasm" -o "dist/build/${out}_bg.wasm"
}
wasm_bin flare-pages flare_pages
wasm_bin flare-worker flare_worker --features worker
cp static/background.js dist/build/
python3 scripts/package.py

for wasm in dist/build/flare_bg.wasm dist/build/flare_pages_bg.wasm dist/build/flare_worker_bg.wasm; do
  printf 'build: %s is %s bytes (%s gzipped)\n' "$wasm" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
done
