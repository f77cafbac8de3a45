//! `/api/info` and the cluster interface setting, the two preconditions of a join.

use serde::{Deserialize, Serialize};

/// The body of `GET /api/info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
}

/// `/api/configuration/local_services/cluster`: whether the node's cluster interface is
/// on, which a node needs before it can be promoted or joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterInterface {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_address: Option<String>,
}
