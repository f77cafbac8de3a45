#!/usr/bin/env bash
# The benchmark command: builds the release bundle and an optimised simulator, then
# measures the panel in headless Chromium against a hand-written baseline page and
# prints every figure with its budget. Exits non-zero when a figure is over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

echo "bench: building the panel (release) and the simulator (bench profile)"
trunk build --release
cargo build --quiet --profile bench -p sps-sim --bin sps-sim
cargo bench --quiet --bench panel
