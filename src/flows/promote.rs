//! Promoting a node to Central Management: open a transaction, POST
//! `/api/cluster/promote`, commit. Promotion cannot be undone once committed, so the
//! panel asks for confirmation before it starts; before the commit, a failure reverts.
//! When the answer to the open or the commit is lost, the flow reads the transaction to
//! learn whether it happened, as the join does.

use sps_api::cluster::ClusterNode;
use sps_api::roles::Role;
use sps_api::ErrorCode;

use super::{
    lost_answer, unreadable, Action, Failure, Found, Outcome, Reply, Report, Request, Side,
    StepState,
};
use crate::api::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoteStep {
    Open,
    Promote,
    Commit,
}

impl PromoteStep {
    pub const ALL: [PromoteStep; 3] =
        [PromoteStep::Open, PromoteStep::Promote, PromoteStep::Commit];

    pub fn label(self) -> &'static str {
        match self {
            PromoteStep::Open => "open a transaction",
            PromoteStep::Promote => "promote to Central Management",
            PromoteStep::Commit => "commit",
        }
    }

    fn index(self) -> usize {
        PromoteStep::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Running(PromoteStep),
    /// The step's answer was lost: reading the transaction to learn whether it happened.
    Verifying {
        step: PromoteStep,
        error: ApiError,
    },
    Reverting,
    Over,
}

#[derive(Debug, Clone)]
pub struct PromoteFlow {
    pub node: String,
    commit_message: Option<String>,
    steps: [StepState; 3],
    phase: Phase,
    transaction_open: bool,
    promoted: Option<ClusterNode>,
    failure: Option<Failure>,
    undone: Vec<String>,
    undo_failed: Vec<String>,
    notes: Vec<String>,
    report: Option<Report>,
}

impl PromoteFlow {
    pub fn new(node: impl Into<String>, commit_message: Option<String>) -> Self {
        PromoteFlow {
            node: node.into(),
            commit_message,
            steps: [StepState::Pending; 3],
            phase: Phase::Running(PromoteStep::Open),
            transaction_open: false,
            promoted: None,
            failure: None,
            undone: Vec::new(),
            undo_failed: Vec::new(),
            notes: Vec::new(),
            report: None,
        }
    }

    pub fn start(&mut self) -> Action {
        self.run(PromoteStep::Open)
    }

    pub fn steps(&self) -> impl Iterator<Item = (PromoteStep, StepState)> + '_ {
        PromoteStep::ALL.into_iter().zip(self.steps.iter().copied())
    }

    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// The node as the promote answer described it.
    pub fn promoted(&self) -> Option<&ClusterNode> {
        self.promoted.as_ref()
    }

    fn run(&mut self, step: PromoteStep) -> Action {
        self.phase = Phase::Running(step);
        self.steps[step.index()] = StepState::Running;
        let request = match step {
            PromoteStep::Open => Request::OpenTransaction,
            PromoteStep::Promote => Request::Promote,
            PromoteStep::Commit => Request::Commit {
                message: self.commit_message.clone(),
            },
        };
        Action::Send {
            side: Side::Node,
            request,
        }
    }

    pub fn on_reply(&mut self, reply: Reply) -> Action {
        match self.phase.clone() {
            Phase::Running(step) => self.on_step_reply(step, reply),
            Phase::Verifying { step, error } => self.on_verify_reply(step, &error, &reply),
            Phase::Reverting => {
                match reply {
                    Reply::Failed(error) if error.needs_sign_in() => self.undone.push(format!(
                        "the transaction on {} (reverted by the node when the session ended)",
                        self.node
                    )),
                    Reply::Failed(error)
                        if error.known_code() == Some(ErrorCode::NoOpenTransaction) =>
                    {
                        self.undone
                            .push(format!("nothing was left open on {}", self.node))
                    }
                    Reply::Failed(error) => self
                        .undo_failed
                        .push(format!("revert the transaction on {} ({error})", self.node)),
                    _ => self
                        .undone
                        .push(format!("reverted the transaction on {}", self.node)),
                }
                self.transaction_open = false;
                for state in self.steps.iter_mut().filter(|s| **s == StepState::Done) {
                    *state = StepState::Undone;
                }
                let outcome = if self.undo_failed.is_empty() {
                    Outcome::RolledBack
                } else {
                    Outcome::Inconsistent
                };
                self.finish(outcome)
            }
            Phase::Over => Action::Finished,
        }
    }

    fn on_step_reply(&mut self, step: PromoteStep, reply: Reply) -> Action {
        match (step, reply) {
            (PromoteStep::Open | PromoteStep::Commit, Reply::Failed(error))
                if error.may_have_taken_effect() =>
            {
                self.phase = Phase::Verifying { step, error };
                Action::Send {
                    side: Side::Node,
                    request: Request::ReadTransaction,
                }
            }
            (_, Reply::Failed(error)) => self.fail(step, error.to_string()),
            (PromoteStep::Open, Reply::Done) => {
                self.transaction_open = true;
                self.steps[step.index()] = StepState::Done;
                self.run(PromoteStep::Promote)
            }
            (PromoteStep::Promote, Reply::Promoted(node)) => {
                if !node.roles.contains(&Role::CentralManagement) {
                    return self.fail(
                        step,
                        "the answer does not give the node the central-management role".into(),
                    );
                }
                self.promoted = Some(node);
                self.steps[step.index()] = StepState::Done;
                self.run(PromoteStep::Commit)
            }
            (PromoteStep::Commit, Reply::Done) => self.committed(),
            (step, _) => self.fail(step, "the answer is not the one this step expects".into()),
        }
    }

    fn committed(&mut self) -> Action {
        self.transaction_open = false;
        self.steps[PromoteStep::Commit.index()] = StepState::Done;
        self.finish(Outcome::Succeeded)
    }

    /// What the transaction read after a lost answer says about `step`.
    fn on_verify_reply(&mut self, step: PromoteStep, error: &ApiError, reply: &Reply) -> Action {
        let found = Found::from_reply(reply);
        let node = self.node.clone();
        let note = |finding: &str| lost_answer(step.label(), &node, error, finding);
        match (step, found) {
            (PromoteStep::Open, Found::Open) => {
                self.notes.push(note("the transaction had opened"));
                self.transaction_open = true;
                self.fail(step, error.to_string())
            }
            (PromoteStep::Open, Found::Unknown) => {
                // Revert it to be sure: a revert that finds nothing open is fine.
                let why = unreadable(reply);
                self.notes.push(note(&format!(
                    "whether the transaction opened could not be read ({why}), so it is \
                     reverted to be sure"
                )));
                self.transaction_open = true;
                self.fail(step, error.to_string())
            }
            (PromoteStep::Commit, Found::Closed) => {
                self.notes
                    .push(note("the node shows the transaction committed"));
                self.committed()
            }
            (PromoteStep::Commit, Found::SessionEnded | Found::Unknown) => {
                self.undo_failed.push(format!(
                    "find out whether {} committed the promotion ({}); check its cluster role",
                    self.node,
                    unreadable(reply)
                ));
                self.fail(step, error.to_string())
            }
            // Still open after a commit, or never opened: the step did not happen.
            _ => self.fail(step, error.to_string()),
        }
    }

    fn fail(&mut self, step: PromoteStep, error: String) -> Action {
        self.steps[step.index()] = StepState::Failed;
        for later in &PromoteStep::ALL[step.index() + 1..] {
            self.steps[later.index()] = StepState::Skipped;
        }
        self.failure = Some(Failure {
            node: self.node.clone(),
            step: step.label(),
            error,
        });
        if !self.transaction_open {
            return self.finish(Outcome::RolledBack);
        }
        self.phase = Phase::Reverting;
        Action::Send {
            side: Side::Node,
            request: Request::Revert,
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Action {
        self.phase = Phase::Over;
        let committed = match outcome {
            Outcome::Succeeded => vec![format!("{} is the Central Management node", self.node)],
            _ => Vec::new(),
        };
        self.report = Some(Report {
            outcome,
            failure: self.failure.clone(),
            undone: self.undone.clone(),
            undo_failed: self.undo_failed.clone(),
            committed,
            notes: self.notes.clone(),
        });
        Action::Finished
    }
}

#[cfg(test)]
mod tests {
    use sps_api::transaction::TransactionStatus;

    use super::*;

    fn promoted(roles: Vec<Role>) -> Reply {
        Reply::Promoted(ClusterNode {
            address: "10.0.0.1".into(),
            roles,
        })
    }

    fn failed(status: u16) -> Reply {
        Reply::Failed(ApiError::from_status(
            "node-1", "POST", "/api/x", status, "",
        ))
    }

    fn drive(replies: Vec<Reply>) -> (PromoteFlow, Vec<Action>) {
        let mut flow = PromoteFlow::new("node-1", Some("promote".into()));
        let mut actions = vec![flow.start()];
        for reply in replies {
            actions.push(flow.on_reply(reply));
        }
        (flow, actions)
    }

    fn send(request: Request) -> Action {
        Action::Send {
            side: Side::Node,
            request,
        }
    }

    #[test]
    fn promote_opens_promotes_and_commits_with_the_message() {
        let (flow, actions) = drive(vec![
            Reply::Done,
            promoted(vec![Role::CentralManagement]),
            Reply::Done,
        ]);

        assert_eq!(
            actions,
            vec![
                send(Request::OpenTransaction),
                send(Request::Promote),
                send(Request::Commit {
                    message: Some("promote".into())
                }),
                Action::Finished
            ]
        );
        assert_eq!(flow.report().unwrap().outcome, Outcome::Succeeded);
        assert!(flow.promoted().is_some());
    }

    #[test]
    fn failures_table() {
        // (replies, outcome, the number of reverts sent)
        let cases: Vec<(Vec<Reply>, Outcome, usize)> = vec![
            (vec![failed(409)], Outcome::RolledBack, 0),
            (vec![Reply::Done, failed(500)], Outcome::RolledBack, 1),
            (vec![Reply::Done, promoted(vec![])], Outcome::RolledBack, 1),
            (vec![Reply::Done, Reply::Done], Outcome::RolledBack, 1),
            (
                vec![
                    Reply::Done,
                    promoted(vec![Role::CentralManagement]),
                    failed(409),
                ],
                Outcome::RolledBack,
                1,
            ),
        ];
        for (mut replies, expected, reverts) in cases {
            let count = replies.len();
            if reverts == 1 {
                replies.push(Reply::Done);
            }

            let (flow, actions) = drive(replies);

            let sent = actions
                .iter()
                .filter(|a| **a == send(Request::Revert))
                .count();
            assert_eq!(sent, reverts, "after {count} replies");
            let report = flow.report().unwrap();
            assert_eq!(report.outcome, expected);
            assert!(report.committed.is_empty());
            assert_eq!(report.failure.as_ref().unwrap().node, "node-1");
        }
    }

    fn transaction(status: TransactionStatus) -> Reply {
        Reply::Transaction(status)
    }

    fn lost() -> Reply {
        Reply::Failed(ApiError::network(
            "node-1",
            "PUT",
            "/api/transaction",
            "the answer was cut off",
        ))
    }

    /// A lost answer: the replies before it, the read-back's answer, the replies after
    /// it, and what the flow must have ended in.
    struct LostAnswer {
        before: Vec<Reply>,
        read_back: Reply,
        after: Vec<Reply>,
        outcome: Outcome,
        reverts: usize,
        /// Words the report must hold.
        says: &'static str,
    }

    fn check_lost_answer(case: LostAnswer) {
        let mut replies = case.before;
        replies.push(lost());
        replies.push(case.read_back);
        replies.extend(case.after);

        let (flow, actions) = drive(replies);

        let says = case.says;
        let sent = |request: Request| {
            actions
                .iter()
                .filter(|a| **a == send(request.clone()))
                .count()
        };
        assert_eq!(sent(Request::ReadTransaction), 1, "{says}");
        assert_eq!(sent(Request::Revert), case.reverts, "{says}");
        let report = flow.report().unwrap();
        assert_eq!(report.outcome, case.outcome, "{says}");
        assert!(report.summary().contains(says), "{}", report.summary());
    }

    #[test]
    fn a_lost_answer_to_the_open_or_the_commit_is_read_back_before_deciding() {
        use TransactionStatus::{Closed, Open};
        let before_commit = || vec![Reply::Done, promoted(vec![Role::CentralManagement])];
        let cases = [
            LostAnswer {
                before: vec![],
                read_back: transaction(Open),
                after: vec![Reply::Done],
                outcome: Outcome::RolledBack,
                reverts: 1,
                says: "the transaction had opened",
            },
            LostAnswer {
                before: vec![],
                read_back: transaction(Closed),
                after: vec![],
                outcome: Outcome::RolledBack,
                reverts: 0,
                says: "open a transaction failed on node-1",
            },
            LostAnswer {
                before: before_commit(),
                read_back: transaction(Closed),
                after: vec![],
                outcome: Outcome::Succeeded,
                reverts: 0,
                says: "commit on node-1: the answer was lost",
            },
            LostAnswer {
                before: before_commit(),
                read_back: transaction(Open),
                after: vec![Reply::Done],
                outcome: Outcome::RolledBack,
                reverts: 1,
                says: "reverted the transaction on node-1",
            },
            LostAnswer {
                before: before_commit(),
                read_back: failed(500),
                after: vec![Reply::Done],
                outcome: Outcome::Inconsistent,
                reverts: 1,
                says: "find out whether node-1 committed the promotion",
            },
        ];
        for case in cases {
            check_lost_answer(case);
        }
    }

    #[test]
    fn a_revert_that_finds_nothing_open_counts_as_undone() {
        let nothing = r#"{"error":{"code":"NoOpenTransaction","message":"m"}}"#;
        let none_open = ApiError::from_status("node-1", "DELETE", "/api/x", 409, nothing);

        let (flow, _) = drive(vec![Reply::Done, failed(500), Reply::Failed(none_open)]);

        let report = flow.report().unwrap();
        assert_eq!(report.outcome, Outcome::RolledBack);
        assert_eq!(report.undone, vec!["nothing was left open on node-1"]);
    }

    #[test]
    fn a_failed_revert_is_reported() {
        let (flow, _) = drive(vec![Reply::Done, failed(500), failed(500)]);

        let report = flow.report().unwrap();
        assert_eq!(report.outcome, Outcome::Inconsistent);
        assert_eq!(report.undo_failed.len(), 1);
    }
}
