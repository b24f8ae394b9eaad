#!/usr/bin/env bash
# Runs every check and test Flare has. Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "lints (native and wasm32)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet -p flare --all-targets --target wasm32-unknown-unknown -- -D warnings
# The core ships in the wasm app; its tests use proptest, which is native-only.
cargo clippy --quiet -p flare-core --lib --target wasm32-unknown-unknown -- -D warnings

step "flare-core does no I/O"
# Architecture invariant: the core depends on pure crates only (ARCHITECTURE.md).
forbidden='^(tokio|reqwest|hyper|axum|web-sys|js-sys|wasm-bindgen|gloo-[a-z-]+|rusqlite|mio|socket2) '
if cargo tree -p flare-core -e normal --prefix none | grep -E "$forbidden"; then
  echo "flare-core must not depend on an I/O crate" >&2
  exit 1
fi

step "native tests (core, sandbox)"
cargo test --quiet -p flare-core -p flare-sandbox

step "component tests in headless Chromium (wasm-bindgen-test)"
# No --quiet: cargo hands it to wasm-bindgen-test-runner, which refuses it.
cargo test -p flare --target wasm32-unknown-unknown

step "release build"
scripts/build.sh

step "packages: web-ext lint, reproducible zips"
web-ext lint --source-dir dist/firefox --output text
first=$(sha256sum dist/flare-chrome.zip dist/flare-firefox.zip)
trunk build --release --quiet
python3 scripts/package.py
if [ "$(sha256sum dist/flare-chrome.zip dist/flare-firefox.zip)" != "$first" ]; then
  echo "building the extension twice gave different zips" >&2
  exit 1
fi

step "third-party clients from PyPI against the sandbox (pysnow, zenpy)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
(cd tests/clients && ../../.venv/bin/python -m unittest discover --verbose --pattern 'test_*.py')

step "end-to-end tests (Playwright + Chromium + sandbox)"
node --test --test-concurrency=1 tests/e2e/*.test.mjs
