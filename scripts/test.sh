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
# The background worker's entry point is behind the `worker` feature.
cargo clippy --quiet -p flare --all-targets --features worker --target wasm32-unknown-unknown -- -D warnings
# The core ships in the wasm app; its tests use proptest, which is native-only.
cargo clippy --quiet -p flare-core --lib --target wasm32-unknown-unknown -- -D warnings

step "flare-core does no I/O"
# Architecture invariant: flare-core depends only on serde, serde_json and thiserror (ARCHITECTURE.md).
# An allow-list, so a new dependency is a decision rather than a name nobody thought to forbid.
# The direct dependencies are enough to check: everything below them (proc macros, number
# formatting, memchr) is theirs, the same closure for any crate that uses these three, so checking
# `cargo tree -e normal` against that closure would compare a list with itself, and pinning its
# names would break on every serde release that moves code between its helper crates.
cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
allowed = {"serde", "serde_json", "thiserror"}
core = next(package for package in json.load(sys.stdin)["packages"] if package["name"] == "flare-core")
# Every kind but dev (normal and build): tests may use anything, the library and its build may not.
used = {dependency["name"] for dependency in core["dependencies"] if dependency["kind"] != "dev"}
if used - allowed:
    sys.exit("flare-core may depend only on %s, not on %s"
             % (", ".join(sorted(allowed)), ", ".join(sorted(used - allowed))))
'

step "native tests (core, sandbox, relay)"
# The relay's tests run its binary against an in-process sandbox over real sockets.
cargo test --quiet -p flare-core -p flare-sandbox -p flare-relay
# The app's plain logic, and every message key in every language (tests/locales.rs).
cargo test --quiet -p flare --lib --test locales

step "component tests in headless Chromium (wasm-bindgen-test)"
# No --quiet: cargo hands it to wasm-bindgen-test-runner, which refuses it.
cargo test -p flare --target wasm32-unknown-unknown

step "release build"
scripts/build.sh

step "packages: web-ext lint, reproducible zips"
web-ext lint --source-dir dist/firefox --output text
first=$(sha256sum dist/flare-chrome.zip dist/flare-firefox.zip)
scripts/build.sh >/dev/null
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
