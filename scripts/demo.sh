#!/usr/bin/env bash
# Builds everything and starts the sandbox instance with demo data; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

cat <<TXT

Flare is built. To try it:
  1. Open chrome://extensions, switch on Developer mode, "Load unpacked" and pick
     $PWD/dist/chrome
  2. Click the Flare icon, enter the instance address printed below, and sign in with
     one of the demo accounts (abel.tuter / abel.tuter is an end user).

TXT
exec target/debug/flare-sandbox --servicenow "${FLARE_SERVICENOW_ADDR:-127.0.0.1:8300}" \
  --zendesk "${FLARE_ZENDESK_ADDR:-127.0.0.1:8301}"
