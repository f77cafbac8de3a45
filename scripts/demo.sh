#!/usr/bin/env bash
# The demo: the release bundle served with a simulated 3-node SPS fleet behind it, all on
# one origin, as a real deployment behind a reverse proxy would be. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

PANEL_ADDR=${PANEL_ADDR:-127.0.0.1:8080}
CONTROL_ADDR=${CONTROL_ADDR:-127.0.0.1:8081}
NODES=${NODES:-3}

echo "demo: building the panel (release) and the simulator"
trunk build --release
cargo build --quiet -p sps-sim

cat <<INFO

  SPS cluster panel:  http://$PANEL_ADDR/
  Simulator control:  http://$CONTROL_ADDR/fleet
  Demo users:         admin / admin   (every right)
                      auditor / auditor   (read-only)

  Ctrl-C stops the demo.

INFO
# exec: Ctrl-C reaches the simulator directly, which stops every listener it started.
exec target/debug/sps-sim --nodes "$NODES" --listen "$PANEL_ADDR" --dist dist \
  --control "$CONTROL_ADDR"
