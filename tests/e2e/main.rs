//! End-to-end tests: the release bundle in headless Chromium, driven over WebDriver,
//! against the simulator in its demo setup (one origin serving the panel, `nodes.json`
//! and every node under `/sps/<node>/`).
//!
//! Needs `dist/` (trunk build --release), the `sps-sim` binary and chromedriver; the
//! README's test command prepares all three.
#![cfg(not(target_arch = "wasm32"))]

mod cluster_changes;
mod cluster_setup;
mod cluster_view;
mod double_submit;
mod endpoint_tree;
mod fault_matrix;
mod harness;
mod hosting;
mod look_and_feel;
mod roles;
mod secrets;
mod sign_in;
mod transactions;
