//! The benchmark command (`make bench`, see the README): the release bundle in headless
//! Chromium against the simulator, every timing the median of [`RUNS`] runs and set
//! beside a baseline measured in the same run, each figure checked against its budget.
//! Exits non-zero when a figure is over budget.
//!
//! The baseline is `benches/baseline/`, the same cluster table written by hand in plain
//! JavaScript, served from the same origin and reading the same simulator.
//!
//! Needs `dist/` (trunk build --release) and the simulator built with the bench profile
//! (`cargo build --profile bench -p sps-sim`); `scripts/bench.sh` prepares both.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;
#[cfg(not(target_arch = "wasm32"))]
mod page;
#[cfg(not(target_arch = "wasm32"))]
mod scenarios;
#[cfg(not(target_arch = "wasm32"))]
mod size;
#[cfg(not(target_arch = "wasm32"))]
mod stats;

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() {
    scenarios::run().await;
}

/// The benchmark drives a native browser; a wasm32 build (the workspace's wasm lints
/// build every target) has nothing to run.
#[cfg(target_arch = "wasm32")]
fn main() {}
