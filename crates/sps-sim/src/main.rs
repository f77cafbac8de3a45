//! `sps-sim`: runs a simulated fleet of SPS nodes.
fn main() {}
