//! `nodes.json`, the file deployed beside the panel's `index.html` that says which nodes
//! exist, under which path prefix the reverse proxy forwards to each, and each node's
//! cluster address (the IP other nodes reach it at).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeLocation {
    /// A short name a person recognises, unique within the file (`node-1`).
    pub name: String,
    /// Same-origin path prefix that reaches the node's `/api`, without a trailing slash
    /// (`/sps/node-1`, so the node's `/api/cluster` is at `/sps/node-1/api/cluster`).
    pub prefix: String,
    /// The address other nodes use for this one, given to join_request.
    pub cluster_address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodesFile {
    pub nodes: Vec<NodeLocation>,
    /// How long the panel waits for any one answer, in milliseconds. Absent: the panel's
    /// default (30 s), which suits an appliance behind a proxy; a deployment whose nodes
    /// answer slowly raises it, a test that times requests out lowers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_time_limit_ms: Option<u32>,
}

/// The range of `request_time_limit_ms` the panel accepts: below a second every answer
/// would risk it, beyond ten minutes a hung request would hold a flow too long.
pub const REQUEST_TIME_LIMIT_RANGE_MS: std::ops::RangeInclusive<u32> = 1_000..=600_000;

/// The prefix the reverse proxy uses for a node name.
pub fn proxy_prefix(node_name: &str) -> String {
    format!("/sps/{node_name}")
}
