//! Promoting a node to Central Management: open a transaction, POST
//! `/api/cluster/promote`, commit. Promotion cannot be undone once committed, so the
//! panel asks for confirmation before it starts; before the commit, a failure reverts.

use sps_api::cluster::ClusterNode;
use sps_api::roles::Role;

use super::{Action, Failure, Outcome, Reply, Report, Request, Side, StepState};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running(PromoteStep),
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
        match self.phase {
            Phase::Running(step) => self.on_step_reply(step, reply),
            Phase::Reverting => {
                match reply {
                    Reply::Failed(error) if error.needs_sign_in() => self.undone.push(format!(
                        "the transaction on {} (reverted by the node when the session ended)",
                        self.node
                    )),
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
            (PromoteStep::Commit, Reply::Done) => {
                self.transaction_open = false;
                self.steps[step.index()] = StepState::Done;
                self.finish(Outcome::Succeeded)
            }
            (step, _) => self.fail(step, "the answer is not the one this step expects".into()),
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
        });
        Action::Finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

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
                    failed(503),
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

    #[test]
    fn a_failed_revert_is_reported() {
        let (flow, _) = drive(vec![Reply::Done, failed(500), failed(500)]);

        let report = flow.report().unwrap();
        assert_eq!(report.outcome, Outcome::Inconsistent);
        assert_eq!(report.undo_failed.len(), 1);
    }
}
