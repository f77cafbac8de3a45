//! The SPS cluster panel.
