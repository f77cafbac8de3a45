//! Joining one node to the cluster, as the vendor documents it: open a transaction on the
//! node, POST its join_request, open a transaction on the Central Management node, POST
//! the join request's body to its `/api/cluster/nodes`, commit there, commit on the node,
//! then poll the node's join status until `in cluster`.
//!
//! The Central Management node commits first. If the node then fails to commit, the
//! cluster is half-joined: the flow keeps the node's transaction open and offers the two
//! repairs (retry the node's commit, or remove the node from the Central Management node).
//!
//! An answer can be lost after the node acted on the request (a connection broken after
//! a commit, a proxy's 502, a time limit): the open or commit may have happened. Before
//! it decides what a failed open or commit means, the flow reads that side's transaction
//! (`GET /api/transaction`): an open transaction that it thought had failed to open is
//! reverted like any other, and a commit found done carries the join on.

use sps_api::cluster::{JoinRequestBody, JoinState};
use sps_api::ErrorCode;

use super::{
    lost_answer, unreadable, Action, Failure, Found, Outcome, Reply, Report, Request, Side,
    StepState,
};
use crate::api::ApiError;

/// The steps of a join, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinStep {
    OpenOnNode,
    RequestJoin,
    OpenOnCentral,
    Register,
    CommitOnCentral,
    CommitOnNode,
    AwaitCluster,
}

impl JoinStep {
    pub const ALL: [JoinStep; 7] = [
        JoinStep::OpenOnNode,
        JoinStep::RequestJoin,
        JoinStep::OpenOnCentral,
        JoinStep::Register,
        JoinStep::CommitOnCentral,
        JoinStep::CommitOnNode,
        JoinStep::AwaitCluster,
    ];

    pub fn label(self) -> &'static str {
        match self {
            JoinStep::OpenOnNode => "open a transaction on the node",
            JoinStep::RequestJoin => "request the join on the node",
            JoinStep::OpenOnCentral => "open a transaction on the Central Management node",
            JoinStep::Register => "register the node on the Central Management node",
            JoinStep::CommitOnCentral => "commit on the Central Management node",
            JoinStep::CommitOnNode => "commit on the node",
            JoinStep::AwaitCluster => "wait until the node is in the cluster",
        }
    }

    fn index(self) -> usize {
        JoinStep::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn side(self) -> Side {
        match self {
            JoinStep::OpenOnCentral | JoinStep::Register | JoinStep::CommitOnCentral => {
                Side::Central
            }
            _ => Side::Node,
        }
    }

    /// Whether the step opens or commits a transaction, so that the transaction's state
    /// afterwards tells whether it happened.
    fn shows_in_transaction(self) -> bool {
        matches!(
            self,
            JoinStep::OpenOnNode
                | JoinStep::OpenOnCentral
                | JoinStep::CommitOnCentral
                | JoinStep::CommitOnNode
        )
    }
}

/// Timing of the status polling after both commits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Polling {
    pub interval_ms: u32,
    pub time_limit_ms: f64,
}

impl Default for Polling {
    /// The simulator moves a node to `in cluster` after 2 s; a real appliance may take
    /// longer while it fetches the configuration, so the panel waits up to two minutes.
    fn default() -> Self {
        Polling {
            interval_ms: 1_000,
            time_limit_ms: 120_000.0,
        }
    }
}

/// What the join flow is doing.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Running(JoinStep),
    /// The step's answer was lost: reading its side's transaction to learn whether the
    /// node carried it out.
    Verifying {
        step: JoinStep,
        error: ApiError,
    },
    /// Reverting the transactions still open, last opened first.
    Undoing(Vec<Side>),
    /// The Central Management node committed, the node did not.
    AwaitingRepair,
    /// Removing the node from the Central Management node, as the person chose.
    Removing(RemovalStep),
    Over,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RemovalStep {
    Open,
    Remove,
    Commit,
    RevertNode,
}

/// One node's join. See the module documentation for the order of steps.
#[derive(Debug, Clone)]
pub struct JoinFlow {
    pub node: String,
    pub central: String,
    central_address: String,
    commit_message: Option<String>,
    polling: Polling,
    steps: [StepState; 7],
    phase: Phase,
    /// The join request's answer, psk included, held only until it is registered.
    join_request: Option<JoinRequestBody>,
    node_id: Option<String>,
    /// Transactions this flow opened and has not committed or reverted, in order.
    open: Vec<Side>,
    poll_deadline_ms: f64,
    failure: Option<Failure>,
    undone: Vec<String>,
    undo_failed: Vec<String>,
    committed: Vec<String>,
    notes: Vec<String>,
    report: Option<Report>,
}

impl JoinFlow {
    pub fn new(
        node: impl Into<String>,
        central: impl Into<String>,
        central_address: impl Into<String>,
        commit_message: Option<String>,
        polling: Polling,
    ) -> Self {
        JoinFlow {
            node: node.into(),
            central: central.into(),
            central_address: central_address.into(),
            commit_message,
            polling,
            steps: [StepState::Pending; 7],
            phase: Phase::Running(JoinStep::OpenOnNode),
            join_request: None,
            node_id: None,
            open: Vec::new(),
            poll_deadline_ms: 0.0,
            failure: None,
            undone: Vec::new(),
            undo_failed: Vec::new(),
            committed: Vec::new(),
            notes: Vec::new(),
            report: None,
        }
    }

    /// The first request.
    pub fn start(&mut self) -> Action {
        self.run(JoinStep::OpenOnNode)
    }

    pub fn steps(&self) -> impl Iterator<Item = (JoinStep, StepState)> + '_ {
        JoinStep::ALL.into_iter().zip(self.steps.iter().copied())
    }

    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// The node id the join request gave, once known.
    pub fn node_id(&self) -> Option<&str> {
        self.node_id.as_deref()
    }

    /// The join request's answer while the flow holds it (to show the masked psk).
    pub fn join_request(&self) -> Option<&JoinRequestBody> {
        self.join_request.as_ref()
    }

    /// Whether the flow has a transaction open on the Central Management node. A driver
    /// running several joins lets one flow at a time hold it, so each flow's
    /// registration is committed or reverted on its own.
    pub fn holds_central(&self) -> bool {
        match &self.phase {
            Phase::Running(JoinStep::OpenOnCentral)
            | Phase::Removing(RemovalStep::Open | RemovalStep::Remove | RemovalStep::Commit) => {
                true
            }
            // An open whose answer was lost may have opened the transaction after all.
            Phase::Verifying { step, .. } if step.side() == Side::Central => true,
            _ => self.open.contains(&Side::Central),
        }
    }

    /// The node's name for a side.
    pub fn node_on(&self, side: Side) -> &str {
        match side {
            Side::Node => &self.node,
            Side::Central => &self.central,
        }
    }

    /// Feeds back the answer to the last request; `now_ms` is the driver's clock.
    pub fn on_reply(&mut self, reply: Reply, now_ms: f64) -> Action {
        match self.phase.clone() {
            Phase::Running(step) => self.on_step_reply(step, reply, now_ms),
            Phase::Verifying { step, error } => self.on_verify_reply(step, &error, &reply, now_ms),
            Phase::Undoing(queue) => self.on_undo_reply(queue, reply),
            Phase::Removing(step) => self.on_removal_reply(step, reply),
            Phase::AwaitingRepair => Action::AwaitRepair,
            Phase::Over => Action::Finished,
        }
    }

    /// Repair: send the node's commit again.
    pub fn retry_node_commit(&mut self) -> Action {
        if self.phase != Phase::AwaitingRepair {
            return self.idle_action();
        }
        self.failure = None;
        self.report = None;
        self.run(JoinStep::CommitOnNode)
    }

    /// Repair: remove the node from the Central Management node and commit there, then
    /// revert the node's transaction if it is still open.
    pub fn remove_from_central(&mut self) -> Action {
        if self.phase != Phase::AwaitingRepair {
            return self.idle_action();
        }
        self.report = None;
        self.phase = Phase::Removing(RemovalStep::Open);
        Action::Send {
            side: Side::Central,
            request: Request::OpenTransaction,
        }
    }

    fn idle_action(&self) -> Action {
        match self.phase {
            Phase::AwaitingRepair => Action::AwaitRepair,
            _ => Action::Finished,
        }
    }

    fn run(&mut self, step: JoinStep) -> Action {
        self.phase = Phase::Running(step);
        self.steps[step.index()] = StepState::Running;
        let request = match step {
            JoinStep::OpenOnNode | JoinStep::OpenOnCentral => Request::OpenTransaction,
            JoinStep::RequestJoin => Request::RequestJoin {
                central_management_address: self.central_address.clone(),
            },
            JoinStep::Register => match &self.join_request {
                Some(body) => Request::RegisterNode(body.clone()),
                None => return self.fail(step, "the join request's answer is gone".to_owned()),
            },
            JoinStep::CommitOnCentral | JoinStep::CommitOnNode => Request::Commit {
                message: self.commit_message.clone(),
            },
            JoinStep::AwaitCluster => Request::ReadJoinStatus,
        };
        match step {
            JoinStep::AwaitCluster => Action::SendAfter {
                ms: self.polling.interval_ms,
                side: Side::Node,
                request,
            },
            _ => Action::Send {
                side: step.side(),
                request,
            },
        }
    }

    fn done(&mut self, step: JoinStep, next: JoinStep) -> Action {
        self.steps[step.index()] = StepState::Done;
        self.run(next)
    }

    fn on_step_reply(&mut self, step: JoinStep, reply: Reply, now_ms: f64) -> Action {
        if let Reply::Failed(error) = &reply {
            return self.on_step_error(step, error, now_ms);
        }
        match (step, reply) {
            (JoinStep::OpenOnNode, Reply::Done) => {
                self.open.push(Side::Node);
                self.done(step, JoinStep::RequestJoin)
            }
            (JoinStep::RequestJoin, Reply::JoinRequested(body)) => {
                if let Some(problem) = join_request_problem(&body) {
                    return self.fail(step, problem);
                }
                self.node_id = Some(body.node_id.clone());
                self.join_request = Some(body);
                self.done(step, JoinStep::OpenOnCentral)
            }
            (JoinStep::OpenOnCentral, Reply::Done) => {
                self.open.push(Side::Central);
                self.done(step, JoinStep::Register)
            }
            (JoinStep::Register, Reply::Done) => {
                // The Central Management node has the psk now; the panel drops its copy.
                self.join_request = None;
                self.done(step, JoinStep::CommitOnCentral)
            }
            (JoinStep::CommitOnCentral, Reply::Done) => self.central_committed(),
            (JoinStep::CommitOnNode, Reply::Done) => self.node_committed(now_ms),
            (JoinStep::AwaitCluster, Reply::JoinStatus(status)) => {
                if status.status == JoinState::InCluster {
                    self.steps[step.index()] = StepState::Done;
                    return self.finish(Outcome::Succeeded);
                }
                self.poll_again(now_ms, None)
            }
            (step, _) => self.fail(step, "the answer is not the one this step expects".into()),
        }
    }

    fn central_committed(&mut self) -> Action {
        self.open.retain(|side| *side != Side::Central);
        self.committed.push(format!(
            "{} lists {} as a cluster node",
            self.central, self.node
        ));
        self.done(JoinStep::CommitOnCentral, JoinStep::CommitOnNode)
    }

    fn node_committed(&mut self, now_ms: f64) -> Action {
        self.open.retain(|side| *side != Side::Node);
        self.committed
            .push(format!("{} committed its join request", self.node));
        self.poll_deadline_ms = now_ms + self.polling.time_limit_ms;
        self.done(JoinStep::CommitOnNode, JoinStep::AwaitCluster)
    }

    fn on_step_error(&mut self, step: JoinStep, error: &ApiError, now_ms: f64) -> Action {
        if step.shows_in_transaction() && error.may_have_taken_effect() {
            self.phase = Phase::Verifying {
                step,
                error: error.clone(),
            };
            return Action::Send {
                side: step.side(),
                request: Request::ReadTransaction,
            };
        }
        match step {
            // Both nodes committed: nothing to undo. A failed status read may be
            // passing (the node restarts services while it joins), so keep polling.
            JoinStep::AwaitCluster if !error.needs_sign_in() => {
                // Said once, so the person knows the error was seen and tolerated.
                let label = step.label();
                if !self.notes.iter().any(|note| note.starts_with(label)) {
                    self.notes.push(format!(
                        "{label} on {}: a status read failed and was tried again ({error}).",
                        self.node
                    ));
                }
                self.poll_again(now_ms, Some(error.to_string()))
            }
            JoinStep::AwaitCluster => {
                self.failure = Some(self.failure_at(step, error.to_string()));
                self.steps[step.index()] = StepState::Failed;
                self.finish(Outcome::JoinPending)
            }
            JoinStep::CommitOnNode => {
                // The session ending, or the node saying there is nothing to commit,
                // means the node's transaction is gone: only removal can repair then.
                let transaction_gone = error.needs_sign_in()
                    || error.known_code() == Some(ErrorCode::NoOpenTransaction);
                self.await_repair(error, transaction_gone)
            }
            _ => self.fail(step, error.to_string()),
        }
    }

    /// The node did not commit after the Central Management node did: half-joined.
    fn await_repair(&mut self, error: &ApiError, transaction_gone: bool) -> Action {
        let step = JoinStep::CommitOnNode;
        if transaction_gone {
            self.open.retain(|side| *side != Side::Node);
        }
        self.steps[step.index()] = StepState::Failed;
        self.failure = Some(self.failure_at(step, error.to_string()));
        self.phase = Phase::AwaitingRepair;
        self.report = Some(self.build_report(Outcome::NeedsRepair));
        Action::AwaitRepair
    }

    /// What the transaction read after a lost answer says about `step`.
    fn on_verify_reply(
        &mut self,
        step: JoinStep,
        error: &ApiError,
        reply: &Reply,
        now_ms: f64,
    ) -> Action {
        let side = step.side();
        let node = self.node_on(side).to_owned();
        let found = Found::from_reply(reply);
        let note = |finding: &str| lost_answer(step.label(), &node, error, finding);
        match (step, found) {
            (JoinStep::OpenOnNode | JoinStep::OpenOnCentral, Found::Open) => {
                self.notes.push(note("the transaction had opened"));
                self.open.push(side);
                self.fail(step, error.to_string())
            }
            (JoinStep::OpenOnNode | JoinStep::OpenOnCentral, Found::Unknown) => {
                // Revert it to be sure: a revert that finds nothing open is fine.
                let why = unreadable(reply);
                self.notes.push(note(&format!(
                    "whether the transaction opened could not be read ({why}), so it is \
                     reverted to be sure"
                )));
                self.open.push(side);
                self.fail(step, error.to_string())
            }
            (JoinStep::CommitOnCentral, Found::Closed) => {
                self.notes
                    .push(note("the node shows the transaction committed"));
                self.central_committed()
            }
            (JoinStep::CommitOnCentral, Found::SessionEnded | Found::Unknown) => {
                self.undo_failed.push(format!(
                    "find out whether {node} committed the registration ({}); check its \
                     cluster nodes",
                    unreadable(reply)
                ));
                self.fail(step, error.to_string())
            }
            (JoinStep::CommitOnNode, Found::Closed) => {
                self.notes
                    .push(note("the node shows the transaction committed"));
                self.node_committed(now_ms)
            }
            (JoinStep::CommitOnNode, Found::Open | Found::Unknown) => {
                self.await_repair(error, false)
            }
            (JoinStep::CommitOnNode, Found::SessionEnded) => self.await_repair(error, true),
            // Still open after a commit, or never opened: the step did not happen.
            _ => self.fail(step, error.to_string()),
        }
    }

    fn poll_again(&mut self, now_ms: f64, last_error: Option<String>) -> Action {
        if now_ms < self.poll_deadline_ms {
            return self.run(JoinStep::AwaitCluster);
        }
        let seconds = self.polling.time_limit_ms / 1000.0;
        let mut why = format!("the node did not report \"in cluster\" within {seconds:.0} s");
        if let Some(error) = last_error {
            why.push_str(&format!(" (last status read: {error})"));
        }
        self.failure = Some(self.failure_at(JoinStep::AwaitCluster, why));
        self.steps[JoinStep::AwaitCluster.index()] = StepState::Failed;
        self.finish(Outcome::JoinPending)
    }

    fn failure_at(&self, step: JoinStep, error: String) -> Failure {
        Failure {
            node: self.node_on(step.side()).to_owned(),
            step: step.label(),
            error,
        }
    }

    /// A step failed before anything was committed: revert what is open.
    fn fail(&mut self, step: JoinStep, error: String) -> Action {
        self.steps[step.index()] = StepState::Failed;
        self.failure = Some(self.failure_at(step, error));
        self.join_request = None;
        for later in &JoinStep::ALL[step.index() + 1..] {
            self.steps[later.index()] = StepState::Skipped;
        }
        let queue: Vec<Side> = self.open.iter().rev().copied().collect();
        self.next_undo(queue)
    }

    fn next_undo(&mut self, queue: Vec<Side>) -> Action {
        let Some(side) = queue.first().copied() else {
            let outcome = if self.undo_failed.is_empty() {
                Outcome::RolledBack
            } else {
                Outcome::Inconsistent
            };
            return self.finish(outcome);
        };
        self.phase = Phase::Undoing(queue);
        Action::Send {
            side,
            request: Request::Revert,
        }
    }

    fn on_undo_reply(&mut self, mut queue: Vec<Side>, reply: Reply) -> Action {
        let side = queue.remove(0);
        let node = self.node_on(side).to_owned();
        match reply {
            Reply::Failed(error) if error.needs_sign_in() => {
                // An ended session takes its open transaction with it (the node reverts
                // it), so the revert happened even though this request could not.
                self.undone.push(format!(
                    "the transaction on {node} (reverted by the node when the session ended)"
                ));
            }
            Reply::Failed(error) if error.known_code() == Some(ErrorCode::NoOpenTransaction) => {
                // Reverted to be sure after a lost answer, and nothing had opened.
                self.undone.push(format!("nothing was left open on {node}"));
            }
            Reply::Failed(error) => {
                self.undo_failed
                    .push(format!("revert the transaction on {node} ({error})"));
            }
            _ => self
                .undone
                .push(format!("reverted the transaction on {node}")),
        }
        self.open.retain(|open| *open != side);
        self.mark_undone(side);
        self.next_undo(queue)
    }

    /// Marks the done steps of a side as undone, for the progress display.
    fn mark_undone(&mut self, side: Side) {
        for step in JoinStep::ALL {
            if step.side() == side && self.steps[step.index()] == StepState::Done {
                self.steps[step.index()] = StepState::Undone;
            }
        }
    }

    fn on_removal_reply(&mut self, step: RemovalStep, reply: Reply) -> Action {
        if let Reply::Failed(error) = reply {
            let what = match step {
                RemovalStep::Open => "open a transaction on the Central Management node",
                RemovalStep::Remove => "remove the node from the Central Management node",
                RemovalStep::Commit => "commit the removal on the Central Management node",
                RemovalStep::RevertNode => "revert the transaction on the node",
            };
            self.undo_failed.push(format!("{what} ({error})"));
            // Leave nothing of the removal pending on the Central Management node, and
            // no transaction of this flow open on the node.
            let mut queue = Vec::new();
            if step == RemovalStep::Remove || step == RemovalStep::Commit {
                self.open.push(Side::Central);
                queue.push(Side::Central);
            }
            if self.open.contains(&Side::Node) {
                queue.push(Side::Node);
            }
            return self.next_undo(queue);
        }
        match step {
            RemovalStep::Open => {
                let Some(node_id) = self.node_id.clone() else {
                    self.undo_failed
                        .push("remove the node: its node id is unknown".to_owned());
                    return self.finish(Outcome::Inconsistent);
                };
                self.phase = Phase::Removing(RemovalStep::Remove);
                Action::Send {
                    side: Side::Central,
                    request: Request::RemoveNode { node_id },
                }
            }
            RemovalStep::Remove => {
                self.phase = Phase::Removing(RemovalStep::Commit);
                Action::Send {
                    side: Side::Central,
                    request: Request::Commit {
                        message: self.commit_message.clone(),
                    },
                }
            }
            RemovalStep::Commit => {
                self.committed.clear();
                self.undone.push(format!(
                    "removed {} from {} and committed",
                    self.node, self.central
                ));
                self.mark_undone(Side::Central);
                if self.open.contains(&Side::Node) {
                    self.phase = Phase::Removing(RemovalStep::RevertNode);
                    return Action::Send {
                        side: Side::Node,
                        request: Request::Revert,
                    };
                }
                self.finish(Outcome::RolledBack)
            }
            RemovalStep::RevertNode => {
                self.open.retain(|side| *side != Side::Node);
                self.undone
                    .push(format!("reverted the transaction on {}", self.node));
                self.mark_undone(Side::Node);
                let outcome = if self.undo_failed.is_empty() {
                    Outcome::RolledBack
                } else {
                    Outcome::Inconsistent
                };
                self.finish(outcome)
            }
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Action {
        self.phase = Phase::Over;
        self.join_request = None;
        self.report = Some(self.build_report(outcome));
        Action::Finished
    }

    fn build_report(&self, outcome: Outcome) -> Report {
        Report {
            outcome,
            failure: self.failure.clone(),
            undone: self.undone.clone(),
            undo_failed: self.undo_failed.clone(),
            committed: self.committed.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Why a join request's answer cannot be registered, or `None` when it can.
fn join_request_problem(body: &JoinRequestBody) -> Option<String> {
    if body.node_id.trim().is_empty() {
        return Some("the join request's answer has an empty node_id".to_owned());
    }
    if body.address.trim().is_empty() {
        return Some("the join request's answer has an empty address".to_owned());
    }
    if !body.psk.is_well_formed() {
        return Some("the join request's psk is not 64 letters and digits".to_owned());
    }
    None
}

#[cfg(test)]
#[path = "join_tests.rs"]
mod tests;
