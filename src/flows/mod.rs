//! The multi-step cluster changes (promote, join) as plain state machines: no browser
//! types and no I/O. A flow says which request to send next ([`Action`]); whoever drives
//! it sends that request and feeds the answer back ([`Reply`]). Every step that changes
//! something records how to undo it, so a failure at any step ends with every
//! transaction the flow opened and did not commit reverted, and a report that names the
//! node and step that failed, what was undone, and what stays committed.
//!
//! Nothing here may panic on what a node sends: `unwrap` and `expect` are refused by
//! clippy in this module (tests may use them, see `clippy.toml`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod join;
pub mod journal;
pub mod preflight;
pub mod promote;
pub mod roles;

use std::fmt;

use sps_api::cluster::{ClusterNode, JoinRequestBody, JoinStatus};
use sps_api::transaction::TransactionStatus;

use crate::api::ApiError;

/// Which of the flow's two nodes a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The node being promoted or joined.
    Node,
    /// The Central Management node.
    Central,
}

/// A request a flow wants sent, in the API's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `POST /api/transaction`
    OpenTransaction,
    /// `POST /api/cluster/promote`
    Promote,
    /// `POST /api/cluster/join_request`
    RequestJoin { central_management_address: String },
    /// `POST /api/cluster/nodes` with the join request's body as it came.
    RegisterNode(JoinRequestBody),
    /// `PUT /api/transaction`
    Commit { message: Option<String> },
    /// `DELETE /api/transaction`
    Revert,
    /// `GET /api/cluster/join_request`
    ReadJoinStatus,
    /// `DELETE /api/cluster/nodes/<id>`
    RemoveNode { node_id: String },
    /// `GET /api/transaction`: whether this session's transaction is open, to learn what
    /// became of a step whose answer was lost.
    ReadTransaction,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Send {
        side: Side,
        request: Request,
    },
    /// Wait `ms`, then send `request` (status polling).
    SendAfter {
        ms: u32,
        side: Side,
        request: Request,
    },
    /// The flow is over; its report says how it ended.
    Finished,
    /// The flow stopped half-way and waits for the person to choose a repair.
    AwaitRepair,
}

/// The answer to the last request, as the driver read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Success, with nothing the flow needs from the body.
    Done,
    Promoted(ClusterNode),
    JoinRequested(JoinRequestBody),
    JoinStatus(JoinStatus),
    /// The state of this session's transaction (`open` only while this session holds it).
    Transaction(TransactionStatus),
    Failed(ApiError),
}

/// How one step went, for the step-by-step progress the person watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Done,
    Failed,
    /// Done, then undone by the recovery.
    Undone,
    Skipped,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            StepState::Pending => "waiting",
            StepState::Running => "running",
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::Undone => "undone",
            StepState::Skipped => "skipped",
        }
    }
}

/// A transaction a flow opened, named for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedOn {
    pub side: Side,
    pub node: String,
}

/// The end of a flow, in words a person can act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub outcome: Outcome,
    /// Which node and step failed, and why (`None` on success).
    pub failure: Option<Failure>,
    /// What the recovery undid ("reverted the transaction on node-2").
    pub undone: Vec<String>,
    /// Undo steps that failed too: the person must check these by hand.
    pub undo_failed: Vec<String>,
    /// What stays committed.
    pub committed: Vec<String>,
    /// What the flow found out after a step's answer was lost, as sentences.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Failed, and everything the flow changed was undone.
    RolledBack,
    /// Failed, and the recovery itself failed somewhere: see `undo_failed`.
    Inconsistent,
    /// The Central Management node committed the join and the node did not.
    NeedsRepair,
    /// Both nodes committed, but the node did not report `in cluster` in time.
    JoinPending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub node: String,
    pub step: &'static str,
    pub error: String,
}

/// What became of a step whose answer was lost, by the state of its transaction read
/// afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Open,
    Closed,
    /// The session ended meanwhile, taking an uncommitted transaction with it.
    SessionEnded,
    /// The read failed or said something else: the step may or may not have happened.
    Unknown,
}

impl Found {
    fn from_reply(reply: &Reply) -> Found {
        match reply {
            Reply::Transaction(TransactionStatus::Open) => Found::Open,
            Reply::Transaction(TransactionStatus::Closed) => Found::Closed,
            Reply::Failed(error) if error.needs_sign_in() => Found::SessionEnded,
            _ => Found::Unknown,
        }
    }
}

/// The note for a step whose answer was lost: `step` on `node`, the error, and what
/// reading the transaction afterwards showed.
fn lost_answer(step: &str, node: &str, error: &ApiError, finding: &str) -> String {
    format!("{step} on {node}: the answer was lost ({error}), but {finding}.")
}

/// Why the state after a lost answer could not be read.
fn unreadable(reply: &Reply) -> String {
    match reply {
        Reply::Failed(error) => error.to_string(),
        _ => "the node did not say whether the transaction is open".to_owned(),
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed on {}: {}", self.step, self.node, self.error)
    }
}

impl Report {
    /// One paragraph for the person: what failed, what was undone, what stays.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        match self.outcome {
            Outcome::Succeeded => parts.push("Done.".to_owned()),
            Outcome::RolledBack => parts.push("Nothing was changed in the end.".to_owned()),
            Outcome::Inconsistent => {
                parts.push("The recovery did not finish: check the nodes below.".to_owned())
            }
            Outcome::NeedsRepair => parts.push(
                "The cluster is half-changed: the Central Management node accepted the node, \
                 the node did not commit. Choose a repair."
                    .to_owned(),
            ),
            Outcome::JoinPending => parts.push(
                "Both nodes committed the join, but the panel could not confirm that the \
                 node is \"in cluster\". Check its join status again later."
                    .to_owned(),
            ),
        }
        if let Some(failure) = &self.failure {
            parts.push(format!("{failure}."));
        }
        parts.extend(self.notes.iter().cloned());
        if !self.undone.is_empty() {
            parts.push(format!("Undone: {}.", self.undone.join("; ")));
        }
        if !self.undo_failed.is_empty() {
            parts.push(format!("Could not undo: {}.", self.undo_failed.join("; ")));
        }
        if !self.committed.is_empty() {
            parts.push(format!("Committed: {}.", self.committed.join("; ")));
        }
        parts.join(" ")
    }
}
