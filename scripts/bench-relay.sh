#!/usr/bin/env bash
# The relay's benchmark: idle memory for 10,000 open conversations and agent-to-visitor latency
# at 500 messages/s, each beside a bare axum WebSocket server in the same run. Writes
# benchmarks/relay.md; numbers are recorded, never asserted (the machine is shared and noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet --release -p flare-relay --bin flare-relay --example bench
target="${CARGO_TARGET_DIR:-target}/release"
mkdir -p benchmarks
{
  echo "# Relay benchmark"
  echo
  echo "\`scripts/bench-relay.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr)."
  echo "Release builds; loopback; the relay with its SQLite store on disk."
  echo
  "$target/examples/bench" "${1:-10000}" "${2:-500}" "${3:-10}"
} > benchmarks/relay.md
cat benchmarks/relay.md
