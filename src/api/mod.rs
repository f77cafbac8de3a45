//! The one module that speaks HTTP to SPS nodes. Every request of the panel goes through
//! [`NodeClient`]: it sends the session cookie, the panel's marker header and a time
//! limit, records the request in the activity log, and turns every answer into a typed
//! value or an [`ApiError`] that names the node, the request and what the node said.
//!
//! Nothing here may panic on what a node sends: `unwrap` and `expect` are refused by
//! clippy in this module (tests may use them, see `clippy.toml`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod activity;
mod client;
mod credentials;
mod error;
pub mod flow_requests;
pub mod in_flight;
mod path;

pub use client::describe as describe_json_error;
pub use client::{set_request_time_limit, NodeClient, Reply};
pub use credentials::Credentials;
pub use error::{ApiError, ErrorKind};
pub use path::{checked_api_path, checked_prefix};

/// Sent on every API request so the reverse proxy can refuse requests that a plain
/// cross-site form or link could forge (a browser cannot add custom headers to those).
pub const PANEL_HEADER: (&str, &str) = ("X-SPS-Panel", "1");
