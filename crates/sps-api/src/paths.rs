//! The API paths both sides use, so a typo cannot make the panel and the simulator disagree.

pub const API: &str = "/api";
pub const AUTHENTICATION: &str = "/api/authentication";
pub const LOGIN_METHODS: &str = "/api/authentication/login_methods";
pub const INFO: &str = "/api/info";
pub const TRANSACTION: &str = "/api/transaction";
pub const TRANSACTION_CHANGES: &str = "/api/transaction/changes";
pub const CONFIGURATION: &str = "/api/configuration";
pub const LOCAL_SERVICES: &str = "/api/configuration/local_services";
pub const CLUSTER_INTERFACE: &str = "/api/configuration/local_services/cluster";
pub const CLUSTER: &str = "/api/cluster";
pub const CLUSTER_CONFIGURATION_SYNC: &str = "/api/cluster/configuration_sync";
pub const CLUSTER_JOIN_REQUEST: &str = "/api/cluster/join_request";
pub const CLUSTER_NODES: &str = "/api/cluster/nodes";
pub const CLUSTER_PROMOTE: &str = "/api/cluster/promote";
pub const CLUSTER_STATUS: &str = "/api/cluster/status";

/// The path of one node of the cluster on the Central Management node.
pub fn cluster_node(node_id: &str) -> String {
    format!("{CLUSTER_NODES}/{node_id}")
}

/// The path of one node's entry in `/api/cluster/status`.
pub fn cluster_node_status(node_id: &str) -> String {
    format!("{CLUSTER_STATUS}/{node_id}")
}
