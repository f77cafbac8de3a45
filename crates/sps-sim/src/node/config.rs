//! One node's configuration, the part that transactions change: the cluster interface
//! and the node's place in a cluster. A node holds a committed copy and, while a
//! transaction is open, a pending copy that becomes the committed one on commit.

use std::net::Ipv4Addr;

use sps_api::roles::Role;
use sps_api::Psk;

use crate::clock::SimTime;

#[derive(Debug, Clone)]
pub struct Config {
    pub cluster_interface: ClusterInterfaceConfig,
    /// This node's id as the Central Management node, once promoted.
    pub promoted: Option<String>,
    /// On the Central Management node: every node of the cluster, itself first.
    pub members: Vec<Member>,
    /// The latest join request this node made.
    pub join: Option<JoinRequest>,
}

#[derive(Debug, Clone)]
pub struct ClusterInterfaceConfig {
    pub enabled: bool,
    pub listen_address: String,
}

/// A cluster node as the Central Management node records it.
#[derive(Debug, Clone)]
pub struct Member {
    pub node_id: String,
    pub address: Ipv4Addr,
    pub roles: Vec<Role>,
    /// When the addition was committed; `None` while it is only pending.
    pub committed_at: Option<SimTime>,
}

#[derive(Debug, Clone)]
pub struct JoinRequest {
    pub node_id: String,
    pub psk: Psk,
    pub central_management_address: Ipv4Addr,
    pub issued_at: SimTime,
    /// When the request was committed on this node; `None` while pending.
    pub committed_at: Option<SimTime>,
}

impl Config {
    /// A node as it leaves the factory: cluster interface on, in no cluster.
    pub fn factory(address: Ipv4Addr) -> Self {
        Config {
            cluster_interface: ClusterInterfaceConfig {
                enabled: true,
                listen_address: address.to_string(),
            },
            promoted: None,
            members: Vec::new(),
            join: None,
        }
    }

    pub fn member(&self, node_id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.node_id == node_id)
    }

    pub fn member_mut(&mut self, node_id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.node_id == node_id)
    }

    /// Marks everything that this commit makes real with the commit's time, which the
    /// join state machine measures its delay from.
    pub fn stamp_commit(&mut self, now: SimTime) {
        if let Some(join) = self.join.as_mut() {
            join.committed_at.get_or_insert(now);
        }
        for member in &mut self.members {
            member.committed_at.get_or_insert(now);
        }
    }
}
