#!/usr/bin/env bash
# Builds everything and starts the sandbox instance with demo data; Ctrl-C stops it.
# With a display, it also opens Chromium with Flare loaded, reaching the sandbox as
# https://acme.service-now.com; without one, it says how to load Flare by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

sandbox="${CARGO_TARGET_DIR:-target}/debug/flare-sandbox"
relay="${CARGO_TARGET_DIR:-target}/debug/flare-relay"
# The demo site's secrets; a real relay reads its own from the environment the same way.
export FLARE_DEMO_IDENTITY_SECRET="demo-identity-secret-not-for-production"
export FLARE_DEMO_DESK_PASSWORD="admin"
export FLARE_DEMO_WEBHOOK_SECRET="demo-webhook-secret-not-for-production"

# Points the sandbox's Virtual Agent at the relay's webhook, signed with the demo secret, once the
# sandbox answers; $1 is the sandbox's base URL, $2 a certificate to trust (or empty).
connect_va() {
  python3 - "$1" "$2" <<'PY'
import json, ssl, sys, time, urllib.request
base, pem = sys.argv[1], sys.argv[2]
context = ssl.create_default_context(cafile=pem) if pem else None
body = json.dumps({
    "webhook_url": "http://127.0.0.1:8400/webhooks/va/demo",
    "outbound_auth": {"kind": "hmac", "secret": "demo-webhook-secret-not-for-production"},
}).encode()
for _ in range(100):
    try:
        request = urllib.request.Request(base + "/sandbox/va/config", body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, context=context).read()
        break
    except OSError:
        time.sleep(0.2)
PY
}
servicenow_addr="${FLARE_SERVICENOW_ADDR:-127.0.0.1:8300}"
zendesk_addr="${FLARE_ZENDESK_ADDR:-127.0.0.1:8301}"
chromium=$(command -v "${CHROMIUM:-chromium}" || command -v chromium-browser || true)

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -z "$chromium" ]; then
  cat <<TXT

Flare is built. To try it:
  1. Open chrome://extensions, switch on Developer mode, "Load unpacked" and pick
     $PWD/dist/chrome
  2. Click the Flare icon, enter the instance address printed below, and sign in with
     one of the demo accounts (abel.tuter / abel.tuter is an end user).

TXT
  trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT
  "$sandbox" --servicenow "$servicenow_addr" --zendesk "$zendesk_addr" &
  "$relay" --config crates/relay/relay.example.toml &
  connect_va "http://$servicenow_addr" ""
  wait
fi

# A browser started here can be told to take the sandbox for the real thing: real instance names
# resolve to it and its certificate, made at start, is trusted by its key's hash, in a fresh
# profile that nothing else uses (crates/sandbox/README.md, --tls).
workdir=$(mktemp -d)
# The browser writes its profile until it has stopped, so the folder goes after it.
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$workdir"' EXIT
"$sandbox" --tls --tls-cert-out "$workdir/sandbox.pem" --servicenow "$servicenow_addr" --zendesk "$zendesk_addr" > >(tee "$workdir/banner") &
sandbox_pid=$!
spki=""
until [ -n "$spki" ]; do
  kill -0 "$sandbox_pid" 2>/dev/null || { echo "demo: the sandbox stopped" >&2; exit 1; }
  sleep 0.2
  spki=$(sed -n 's/^TLS certificate SPKI sha256: //p' "$workdir/banner")
done
# The relay reaches the sandbox over https too, trusting the certificate it wrote.
sed -e "s#http://127.0.0.1:8300\"#https://127.0.0.1:8300\"\ntrust = \"$workdir/sandbox.pem\"#" \
  crates/relay/relay.example.toml > "$workdir/relay.toml"
"$relay" --config "$workdir/relay.toml" &
connect_va "https://$servicenow_addr" "$workdir/sandbox.pem"
browser_flags=()
# Chromium refuses to run as root with its own sandbox on.
if [ "$(id -u)" = 0 ]; then browser_flags+=(--no-sandbox); fi
"$chromium" "${browser_flags[@]}" --user-data-dir="$workdir/profile" --no-first-run --no-default-browser-check \
  --disable-extensions-except="$PWD/dist/chrome" --load-extension="$PWD/dist/chrome" \
  --host-resolver-rules="MAP *.service-now.com $servicenow_addr, MAP *.zendesk.com $zendesk_addr" \
  --ignore-certificate-errors-spki-list="$spki" https://acme.service-now.com/ >/dev/null 2>&1 &
cat <<TXT

Chromium is open with Flare loaded, on a page of the demo instance (it warns of the flags that
send *.service-now.com to the sandbox). Click the puzzle icon and pin Flare, click its icon, type
the instance "acme", sign in as abel.tuter / abel.tuter, allow acme.service-now.com when Chromium
asks, and file your first incident. Ctrl-C here stops the sandbox and the browser.
TXT
wait
