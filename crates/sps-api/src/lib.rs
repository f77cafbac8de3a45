//! Serde types for the bodies of the SPS REST API, shared by the panel and the simulator
//! so that the two cannot drift apart.
//!
//! Every type follows `shared/sps-api.md`. Deserialisation is lenient where a real
//! appliance may differ (unknown fields are ignored, unknown enum values are kept as
//! `Other`), and serialisation is exact, because the simulator's answers must match the
//! vendor's samples field by field.

pub mod auth;
pub mod cluster;
pub mod deployment;
pub mod envelope;
pub mod error;
pub mod info;
pub mod paths;
pub mod roles;
pub mod secret;
pub mod transaction;

pub use envelope::{Collection, Index, IndexItem, Meta, Single};
pub use error::{ErrorBody, ErrorCode, ErrorDetail, ErrorDetails};
pub use secret::Psk;
