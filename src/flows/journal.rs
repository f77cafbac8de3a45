//! What the panel remembers of an unfinished join or promote across a reload, and what
//! it offers once it has read the nodes' state again.
//!
//! The journal holds node names, the node id and which transactions were open: never a
//! psk, a password or a session id. After a reload the panel does not continue a flow
//! blindly: it reads each node's transaction, the Central Management node's node list
//! and the node's join status, and offers only what those facts call for.

use serde::{Deserialize, Serialize};
use sps_api::cluster::JoinState;

use super::join::JoinFlow;
use super::{Outcome, Side};

/// An unfinished flow, as written to the page's session storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfinished {
    pub node: String,
    /// The Central Management node, for a join.
    pub central: Option<String>,
    /// The joining node's id, once its join request answered.
    pub node_id: Option<String>,
    /// The step running when the journal was last written.
    pub step: String,
}

/// The journal entry for a join in its current state, or `None` when nothing of it
/// would need attention after a reload (not started, or over and settled).
pub fn join_entry(flow: &JoinFlow) -> Option<Unfinished> {
    let settled = flow.report().is_some_and(|report| {
        matches!(
            report.outcome,
            Outcome::Succeeded | Outcome::RolledBack | Outcome::JoinPending
        )
    });
    if settled {
        return None;
    }
    let step = flow
        .steps()
        .find(|(_, state)| !matches!(state, super::StepState::Done))
        .map(|(step, _)| step.label().to_owned())
        .unwrap_or_default();
    Some(Unfinished {
        node: flow.node.clone(),
        central: Some(flow.central.clone()),
        node_id: flow.node_id().map(str::to_owned),
        step,
    })
}

/// What the panel read after the reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    /// This session's transaction is open on the node.
    pub node_transaction_open: bool,
    /// This session's transaction is open on the Central Management node.
    pub central_transaction_open: bool,
    /// The Central Management node lists the node id.
    pub registered_on_central: bool,
    pub join_state: JoinState,
}

/// A way out the panel offers after reading the state back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Revert this session's open transaction on a side (uncommitted parts of the flow).
    Revert(Side),
    /// The Central Management node committed the node; the node never did: remove it.
    RemoveFromCentral { node_id: String },
    /// Nothing of the flow is left pending: start again from the wizard if wanted.
    StartAgain,
    /// The node is in the cluster (or joining): the flow did finish.
    AlreadyJoined,
}

/// The offers for an unfinished join, from what the nodes say now.
pub fn plan(entry: &Unfinished, read: &ReadBack) -> Vec<Offer> {
    if matches!(
        read.join_state,
        JoinState::InCluster | JoinState::InProgress
    ) {
        return vec![Offer::AlreadyJoined];
    }
    let mut offers = Vec::new();
    if read.central_transaction_open {
        offers.push(Offer::Revert(Side::Central));
    }
    if read.node_transaction_open {
        offers.push(Offer::Revert(Side::Node));
    }
    // Registered and committed on the Central Management node (its own transaction is
    // closed), while the node never joined: the half-joined state.
    if read.registered_on_central && !read.central_transaction_open {
        if let Some(node_id) = &entry.node_id {
            offers.push(Offer::RemoveFromCentral {
                node_id: node_id.clone(),
            });
        }
    }
    if offers.is_empty() {
        offers.push(Offer::StartAgain);
    }
    offers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::join::Polling;
    use crate::flows::Reply;

    fn entry() -> Unfinished {
        Unfinished {
            node: "node-2".into(),
            central: Some("node-1".into()),
            node_id: Some("id-2".into()),
            step: "register".into(),
        }
    }

    fn read(node_open: bool, central_open: bool, registered: bool, state: JoinState) -> ReadBack {
        ReadBack {
            node_transaction_open: node_open,
            central_transaction_open: central_open,
            registered_on_central: registered,
            join_state: state,
        }
    }

    #[test]
    fn plans_table() {
        use JoinState::*;
        let remove = Offer::RemoveFromCentral {
            node_id: "id-2".into(),
        };
        let cases = vec![
            (
                read(false, false, false, NotConfigured),
                vec![Offer::StartAgain],
            ),
            (
                read(true, false, false, NotConfigured),
                vec![Offer::Revert(Side::Node)],
            ),
            (
                read(true, true, true, NotConfigured),
                vec![Offer::Revert(Side::Central), Offer::Revert(Side::Node)],
            ),
            (
                read(true, false, true, NotConfigured),
                vec![Offer::Revert(Side::Node), remove.clone()],
            ),
            (read(false, false, true, NotConfigured), vec![remove]),
            (
                read(false, false, true, InCluster),
                vec![Offer::AlreadyJoined],
            ),
            (
                read(true, false, true, InProgress),
                vec![Offer::AlreadyJoined],
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(plan(&entry(), &facts), expected, "{facts:?}");
        }
    }

    #[test]
    fn a_journal_entry_exists_only_while_a_join_is_unsettled_and_holds_no_psk() {
        let mut flow = JoinFlow::new("node-2", "node-1", "10.0.0.1", None, Polling::default());
        let before = join_entry(&flow);
        flow.start();
        flow.on_reply(Reply::Done, 0.0);
        let psk = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";
        flow.on_reply(
            Reply::JoinRequested(sps_api::cluster::JoinRequestBody {
                address: "10.0.0.2".into(),
                node_id: "id-2".into(),
                psk: sps_api::Psk::new(psk),
                roles: Vec::new(),
            }),
            0.0,
        );

        let during = join_entry(&flow).unwrap();
        let json = serde_json::to_string(&during).unwrap();
        let locked = crate::api::ApiError::from_status("n", "POST", "/api", 409, "");
        flow.on_reply(Reply::Failed(locked), 0.0);
        flow.on_reply(Reply::Done, 0.0);

        assert!(
            before.is_some(),
            "a started-but-unanswered flow is unsettled"
        );
        assert_eq!(during.node_id.as_deref(), Some("id-2"));
        assert!(!json.contains(psk));
        assert_eq!(join_entry(&flow), None);
    }
}
