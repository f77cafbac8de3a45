//! Mounts the panel.
fn main() {}
