//! Role editing and node removal on the Central Management node, as a plain state
//! machine: read the transaction (refusing to mix with changes the person already has
//! pending, and learning whether a commit message is required), open, change, commit.
//! Any failure after the open reverts the transaction, and the report names the step,
//! the node and whether the revert worked. Also the pure choice of the Central
//! Management node among the directory's nodes.

use sps_api::cluster::{ClusterNode, NodeItem};
use sps_api::roles::{check_role_assignment, Role, RoleRuleViolation};

use crate::api::{ApiError, ErrorKind};

/// The change to make to the cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleChange {
    /// `PUT /api/cluster/nodes/<id>` with the node's address and its new roles.
    Assign {
        node_id: String,
        address: String,
        roles: Vec<Role>,
    },
    /// `DELETE /api/cluster/nodes/<id>`.
    Remove { node_id: String, address: String },
}

impl RoleChange {
    /// How the change reads in a sentence ("assigning the roles of 10.0.0.2").
    fn step_label(&self) -> String {
        match self {
            RoleChange::Assign { address, .. } => format!("assigning the roles of {address}"),
            RoleChange::Remove { address, .. } => format!("removing {address}"),
        }
    }

    fn done_label(&self) -> String {
        match self {
            RoleChange::Assign { address, roles, .. } => {
                let roles: Vec<&str> = roles.iter().map(Role::as_str).collect();
                format!("{address} now has the roles {}", roles.join(", "))
            }
            RoleChange::Remove { address, .. } => format!("{address} left the cluster"),
        }
    }
}

/// One request to the Central Management node.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `GET /api/transaction`
    ReadTransaction,
    /// `POST /api/transaction`
    Open,
    /// `PUT /api/cluster/nodes/<id>`
    PutNode { node_id: String, body: ClusterNode },
    /// `DELETE /api/cluster/nodes/<id>`
    DeleteNode { node_id: String },
    /// `PUT /api/transaction` with `{"status": "commit"}`
    Commit { message: Option<String> },
    /// `DELETE /api/transaction`
    Revert,
}

/// The answer to the last call, as the driver read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Done,
    /// The answer to [`Call::ReadTransaction`].
    Transaction {
        open: bool,
        requires_message: bool,
    },
    Failed(ApiError),
}

/// The steps, for progress and for saying which one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    ReadTransaction,
    Open,
    Change,
    Commit,
    Revert,
}

/// Where the flow stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The call of this step is out; feed its answer to [`RoleFlow::answer`].
    Running(Step),
    /// The node requires a commit message and none was given: nothing is open yet.
    AwaitMessage,
    Finished(Box<Outcome>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded,
    /// The person withdrew at the commit message prompt; nothing was opened.
    Cancelled,
    /// The session already had a transaction open: nothing was sent, so the person's
    /// pending changes are not committed along with this one.
    AlreadyOpen,
    /// A step failed before anything was opened.
    NothingOpened {
        step: Step,
        error: ApiError,
    },
    /// A step failed and the transaction was reverted.
    Reverted {
        step: Step,
        error: ApiError,
    },
    /// A step failed and the revert failed too.
    RevertFailed {
        step: Step,
        error: ApiError,
        revert_error: ApiError,
    },
}

/// One change to the cluster, run on the Central Management node `central`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleFlow {
    pub central: String,
    pub change: RoleChange,
    message: Option<String>,
    phase: Phase,
    /// The step that failed and why, while its revert runs.
    failure: Option<(Step, ApiError)>,
}

impl RoleFlow {
    /// Starts the flow: returns it with the first call to send.
    pub fn start(central: &str, change: RoleChange, message: Option<String>) -> (RoleFlow, Call) {
        let flow = RoleFlow {
            central: central.to_owned(),
            change,
            message: message.filter(|m| !m.trim().is_empty()),
            phase: Phase::Running(Step::ReadTransaction),
            failure: None,
        };
        (flow, Call::ReadTransaction)
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running(_))
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.phase {
            Phase::Finished(outcome) => Some(outcome.as_ref()),
            _ => None,
        }
    }

    /// Feeds the answer of the last call; returns the next call, if any.
    pub fn answer(&mut self, answer: Answer) -> Option<Call> {
        let Phase::Running(step) = self.phase else {
            return None;
        };
        match (step, answer) {
            (Step::ReadTransaction, Answer::Transaction { open: true, .. }) => {
                self.finish(Outcome::AlreadyOpen)
            }
            (
                Step::ReadTransaction,
                Answer::Transaction {
                    requires_message, ..
                },
            ) => {
                if requires_message && self.message.is_none() {
                    self.phase = Phase::AwaitMessage;
                    return None;
                }
                self.run(Step::Open, Call::Open)
            }
            // A read that answered nothing usable cannot tell the policy: do not guess.
            (Step::ReadTransaction, Answer::Done) => {
                let error = ApiError::malformed(
                    &self.central,
                    "GET",
                    sps_api::paths::TRANSACTION,
                    200,
                    "no transaction state",
                );
                self.finish(Outcome::NothingOpened { step, error })
            }
            (Step::ReadTransaction, Answer::Failed(error)) => {
                self.finish(Outcome::NothingOpened { step, error })
            }
            // An HTTP answer to the open says for sure that nothing was opened (a lock
            // held by someone else must not be "reverted"); without one, the open may
            // have happened, so it is undone.
            (Step::Open, Answer::Failed(error)) if error.kind != ErrorKind::Network => {
                self.finish(Outcome::NothingOpened { step, error })
            }
            (Step::Open, Answer::Failed(error)) => self.revert_after(step, error),
            (Step::Open, _) => {
                let call = self.change_call();
                self.run(Step::Change, call)
            }
            (Step::Change, Answer::Failed(error)) => self.revert_after(step, error),
            (Step::Change, _) => {
                let message = self.message.clone();
                self.run(Step::Commit, Call::Commit { message })
            }
            (Step::Commit, Answer::Failed(error)) => self.revert_after(step, error),
            (Step::Commit, _) => self.finish(Outcome::Succeeded),
            (Step::Revert, answer) => {
                let Some((step, error)) = self.failure.take() else {
                    return self.finish(Outcome::Succeeded);
                };
                match answer {
                    Answer::Failed(revert_error) => self.finish(Outcome::RevertFailed {
                        step,
                        error,
                        revert_error,
                    }),
                    _ => self.finish(Outcome::Reverted { step, error }),
                }
            }
        }
    }

    /// The person typed the commit message the node requires; the flow goes on.
    pub fn provide_message(&mut self, message: &str) -> Option<Call> {
        if self.phase != Phase::AwaitMessage || message.trim().is_empty() {
            return None;
        }
        self.message = Some(message.to_owned());
        self.run(Step::Open, Call::Open)
    }

    /// The person withdrew at the message prompt; nothing is open, nothing to undo.
    pub fn cancel(&mut self) {
        if self.phase == Phase::AwaitMessage {
            self.phase = Phase::Finished(Box::new(Outcome::Cancelled));
        }
    }

    /// What the person reads about the flow now.
    pub fn summary(&self) -> String {
        let central = &self.central;
        let change = self.change.step_label();
        match &self.phase {
            Phase::Running(Step::Revert) => format!("Reverting the transaction on {central}…"),
            Phase::Running(step) => {
                format!("{} on {central}…", capitalised(&step_name(*step, &change)))
            }
            Phase::AwaitMessage => {
                format!("{central} requires a commit message: say what {change} is for.")
            }
            Phase::Finished(outcome) => match outcome.as_ref() {
                Outcome::Succeeded => {
                    format!("Committed on {central}: {}.", self.change.done_label())
                }
                Outcome::Cancelled => "Cancelled; nothing was sent.".to_owned(),
                Outcome::AlreadyOpen => format!(
                    "This session already has a transaction open on {central}. Commit or \
                     revert it on the Transactions tab first, so its changes are not \
                     committed along with this one. Nothing was sent."
                ),
                Outcome::NothingOpened { step, error } => format!(
                    "{} failed on {central}: {error}. Nothing was opened, nothing changed.",
                    capitalised(&step_name(*step, &change))
                ),
                Outcome::Reverted { step, error } => format!(
                    "{} failed on {central}: {error}. The transaction on {central} was \
                     reverted; nothing changed.",
                    capitalised(&step_name(*step, &change))
                ),
                Outcome::RevertFailed {
                    step,
                    error,
                    revert_error,
                } => format!(
                    "{} failed on {central}: {error}. Reverting the transaction failed too: \
                     {revert_error}. Sign in to {central} if asked, then revert it on the \
                     Transactions tab.",
                    capitalised(&step_name(*step, &change))
                ),
            },
        }
    }

    fn change_call(&self) -> Call {
        match &self.change {
            RoleChange::Assign {
                node_id,
                address,
                roles,
            } => Call::PutNode {
                node_id: node_id.clone(),
                body: ClusterNode {
                    address: address.clone(),
                    roles: roles.clone(),
                },
            },
            RoleChange::Remove { node_id, .. } => Call::DeleteNode {
                node_id: node_id.clone(),
            },
        }
    }

    fn run(&mut self, step: Step, call: Call) -> Option<Call> {
        self.phase = Phase::Running(step);
        Some(call)
    }

    fn revert_after(&mut self, step: Step, error: ApiError) -> Option<Call> {
        self.failure = Some((step, error));
        self.run(Step::Revert, Call::Revert)
    }

    fn finish(&mut self, outcome: Outcome) -> Option<Call> {
        self.phase = Phase::Finished(Box::new(outcome));
        None
    }
}

fn step_name(step: Step, change: &str) -> String {
    match step {
        Step::ReadTransaction => "reading the transaction".to_owned(),
        Step::Open => "opening a transaction".to_owned(),
        Step::Change => change.to_owned(),
        Step::Commit => "committing".to_owned(),
        Step::Revert => "reverting".to_owned(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What one directory node said about the cluster, for [`pick_central`].
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub name: String,
    pub cluster_address: String,
    /// Its `GET /api/cluster/nodes`, or `None` when that failed.
    pub nodes: Option<Vec<NodeItem>>,
}

/// The Central Management node: the first probed node whose node list has a
/// `central-management` node at that node's own cluster address.
pub fn pick_central(probes: &[Probe]) -> Option<&Probe> {
    probes.iter().find(|probe| {
        probe.nodes.as_deref().is_some_and(|items| {
            items.iter().any(|item| {
                item.body.address == probe.cluster_address
                    && item.body.roles.contains(&Role::CentralManagement)
            })
        })
    })
}

/// The roles the editor offers as checkboxes, in order; `central-management` is shown
/// but never toggled.
pub const EDITABLE_ROLES: [Role; 4] = [
    Role::ManagedHost,
    Role::SearchMaster,
    Role::SearchMinion,
    Role::SearchLocal,
];

/// The roles a node gets when the person toggles `role` in the editor: order follows
/// [`Role::KNOWN`], `central-management` and unknown roles stay as they were.
pub fn toggled(roles: &[Role], role: &Role, on: bool) -> Vec<Role> {
    if *role == Role::CentralManagement {
        return roles.to_vec();
    }
    let mut next: Vec<Role> = roles.iter().filter(|r| *r != role).cloned().collect();
    if on {
        next.push(role.clone());
    }
    let rank = |r: &Role| {
        Role::KNOWN
            .iter()
            .position(|k| k == r)
            .unwrap_or(usize::MAX)
    };
    next.sort_by_key(rank);
    next
}

/// Checks the roles the editor would give `node_id`, against the cluster's node list as
/// the Central Management node gave it (the node's current roles and the others').
pub fn check_edit(
    items: &[NodeItem],
    node_id: &str,
    requested: &[Role],
) -> Result<(), RoleRuleViolation> {
    let current = items
        .iter()
        .find(|item| item.key == node_id)
        .map(|item| item.body.roles.as_slice())
        .unwrap_or_default();
    let others = items
        .iter()
        .map(|item| (item.key.as_str(), item.body.roles.as_slice()));
    check_role_assignment(node_id, current, requested, others)
}

/// The violation as the person reads it: the rival search-master named by its address
/// rather than its node id, which means nothing to a person.
pub fn violation_message(violation: &RoleRuleViolation, items: &[NodeItem]) -> String {
    match violation {
        RoleRuleViolation::SecondSearchMaster { holder } => {
            let address = items
                .iter()
                .find(|item| item.key == *holder)
                .map_or(holder.as_str(), |item| item.body.address.as_str());
            format!("{address} is already the cluster's search-master: only one node may be")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign() -> RoleChange {
        RoleChange::Assign {
            node_id: "id-2".into(),
            address: "10.0.0.2".into(),
            roles: vec![Role::ManagedHost, Role::SearchMaster],
        }
    }

    fn remove() -> RoleChange {
        RoleChange::Remove {
            node_id: "id-3".into(),
            address: "10.0.0.3".into(),
        }
    }

    fn http(status: u16) -> ApiError {
        ApiError::from_status("node-1", "PUT", "/api/cluster/nodes/id-2", status, "")
    }

    fn network() -> ApiError {
        ApiError::network("node-1", "POST", "/api/transaction", "connection failed")
    }

    fn closed(requires_message: bool) -> Answer {
        Answer::Transaction {
            open: false,
            requires_message,
        }
    }

    /// Runs a flow, answering each call from `answers` in turn; returns the calls sent.
    fn drive(flow: &mut RoleFlow, first: Call, answers: Vec<Answer>) -> Vec<Call> {
        let mut calls = vec![first];
        for answer in answers {
            match flow.answer(answer) {
                Some(call) => calls.push(call),
                None => break,
            }
        }
        calls
    }

    #[test]
    fn a_role_change_reads_opens_puts_and_commits() {
        let (mut flow, first) = RoleFlow::start("node-1", assign(), None);

        let calls = drive(
            &mut flow,
            first,
            vec![closed(false), Answer::Done, Answer::Done, Answer::Done],
        );

        assert_eq!(
            calls,
            vec![
                Call::ReadTransaction,
                Call::Open,
                Call::PutNode {
                    node_id: "id-2".into(),
                    body: ClusterNode {
                        address: "10.0.0.2".into(),
                        roles: vec![Role::ManagedHost, Role::SearchMaster],
                    },
                },
                Call::Commit { message: None },
            ]
        );
        assert_eq!(flow.outcome(), Some(&Outcome::Succeeded));
        assert!(flow
            .summary()
            .contains("10.0.0.2 now has the roles managed-host, search-master"));
    }

    #[test]
    fn a_removal_deletes_the_node_and_commits() {
        let (mut flow, first) = RoleFlow::start("node-1", remove(), Some("drop node 3".into()));

        let calls = drive(
            &mut flow,
            first,
            vec![closed(true), Answer::Done, Answer::Done, Answer::Done],
        );

        assert_eq!(
            calls[2],
            Call::DeleteNode {
                node_id: "id-3".into()
            }
        );
        assert_eq!(
            calls[3],
            Call::Commit {
                message: Some("drop node 3".into())
            }
        );
        assert_eq!(flow.outcome(), Some(&Outcome::Succeeded));
        assert!(flow.summary().contains("10.0.0.3 left the cluster"));
    }

    #[test]
    fn a_required_message_is_asked_for_before_anything_is_opened() {
        let (mut flow, _) = RoleFlow::start("node-1", assign(), Some("  ".into()));

        let after_read = flow.answer(closed(true));
        let blank = flow.provide_message(" ");
        let typed = flow.provide_message("search moves to node 2");
        let rest = drive(&mut flow, Call::Open, vec![Answer::Done, Answer::Done]);

        assert_eq!(after_read, None);
        assert_eq!(blank, None);
        assert_eq!(typed, Some(Call::Open));
        assert_eq!(
            rest.last(),
            Some(&Call::Commit {
                message: Some("search moves to node 2".into())
            })
        );
    }

    #[test]
    fn cancelling_at_the_message_prompt_sends_nothing_more() {
        let (mut flow, _) = RoleFlow::start("node-1", remove(), None);
        flow.answer(closed(true));

        flow.cancel();

        assert_eq!(flow.outcome(), Some(&Outcome::Cancelled));
        assert_eq!(flow.answer(Answer::Done), None);
    }

    #[test]
    fn a_transaction_already_open_in_the_session_stops_the_flow_untouched() {
        let (mut flow, _) = RoleFlow::start("node-1", assign(), None);

        let next = flow.answer(Answer::Transaction {
            open: true,
            requires_message: false,
        });

        assert_eq!(next, None);
        assert_eq!(flow.outcome(), Some(&Outcome::AlreadyOpen));
        assert!(flow.summary().contains("Transactions tab"));
    }

    /// Each failing step, with the calls that follow it and the outcome's kind.
    #[test]
    fn failures_at_each_step_revert_exactly_when_something_may_be_open() {
        let cases: Vec<(&str, Vec<Answer>, Option<Call>, &str)> = vec![
            (
                "read",
                vec![Answer::Failed(http(500))],
                None,
                "NothingOpened",
            ),
            (
                "read without state",
                vec![Answer::Done],
                None,
                "NothingOpened",
            ),
            (
                "open refused",
                vec![closed(false), Answer::Failed(http(409))],
                None,
                "NothingOpened",
            ),
            (
                "open unanswered",
                vec![closed(false), Answer::Failed(network())],
                Some(Call::Revert),
                "Reverted",
            ),
            (
                "change",
                vec![closed(false), Answer::Done, Answer::Failed(http(500))],
                Some(Call::Revert),
                "Reverted",
            ),
            (
                "commit",
                vec![
                    closed(false),
                    Answer::Done,
                    Answer::Done,
                    Answer::Failed(http(500)),
                ],
                Some(Call::Revert),
                "Reverted",
            ),
        ];
        for (name, answers, expected_last, expected_outcome) in cases {
            let (mut flow, first) = RoleFlow::start("node-1", assign(), None);
            let count = answers.len();
            let calls = drive(&mut flow, first, answers);
            let last = (calls.len() > count).then(|| calls[count].clone());
            if last.is_some() {
                flow.answer(Answer::Done);
            }

            let outcome = format!("{:?}", flow.outcome());

            assert_eq!(last, expected_last, "{name}");
            assert!(outcome.contains(expected_outcome), "{name}: {outcome}");
        }
    }

    #[test]
    fn a_failed_put_reports_the_step_and_node_and_the_revert() {
        let (mut flow, first) = RoleFlow::start("node-1", assign(), None);
        drive(
            &mut flow,
            first,
            vec![closed(false), Answer::Done, Answer::Failed(http(500))],
        );

        flow.answer(Answer::Done);
        let summary = flow.summary();

        assert!(
            summary.starts_with("Assigning the roles of 10.0.0.2 failed on node-1"),
            "{summary}"
        );
        assert!(summary.contains("reverted"), "{summary}");
    }

    #[test]
    fn a_failed_revert_is_reported_with_both_errors() {
        let (mut flow, first) = RoleFlow::start("node-1", remove(), None);
        drive(
            &mut flow,
            first,
            vec![
                closed(false),
                Answer::Done,
                Answer::Done,
                Answer::Failed(http(500)),
            ],
        );

        let after = flow.answer(Answer::Failed(http(401)));
        let summary = flow.summary();

        assert_eq!(after, None);
        assert!(matches!(
            flow.outcome(),
            Some(Outcome::RevertFailed {
                step: Step::Commit,
                ..
            })
        ));
        assert!(
            summary.starts_with("Committing failed on node-1"),
            "{summary}"
        );
        assert!(
            summary.contains("Reverting the transaction failed too"),
            "{summary}"
        );
    }

    #[test]
    fn answers_after_the_end_are_ignored() {
        let (mut flow, first) = RoleFlow::start("node-1", assign(), None);
        drive(
            &mut flow,
            first,
            vec![closed(false), Answer::Done, Answer::Done, Answer::Done],
        );

        assert_eq!(flow.answer(Answer::Done), None);
        assert_eq!(flow.provide_message("late"), None);
        assert_eq!(flow.outcome(), Some(&Outcome::Succeeded));
    }

    fn item(address: &str, roles: Vec<Role>) -> NodeItem {
        NodeItem {
            key: format!("id-{address}"),
            body: ClusterNode {
                address: address.into(),
                roles,
            },
            meta: Default::default(),
        }
    }

    fn probe(name: &str, address: &str, nodes: Option<Vec<NodeItem>>) -> Probe {
        Probe {
            name: name.into(),
            cluster_address: address.into(),
            nodes,
        }
    }

    #[test]
    fn the_central_node_is_the_first_listing_itself_as_central_management() {
        let cm = vec![
            item("10.0.0.1", vec![Role::CentralManagement]),
            item("10.0.0.2", vec![]),
        ];
        let probes = vec![
            probe("node-0", "10.0.0.9", None),
            probe("node-2", "10.0.0.2", Some(vec![item("10.0.0.2", vec![])])),
            // Lists a central-management node, but not at its own address.
            probe("node-3", "10.0.0.3", Some(cm.clone())),
            probe("node-1", "10.0.0.1", Some(cm)),
        ];

        let picked = pick_central(&probes).map(|p| p.name.as_str());

        assert_eq!(picked, Some("node-1"));
        assert_eq!(pick_central(&probes[..3]), None);
    }

    #[test]
    fn toggling_keeps_order_and_central_management() {
        let roles = vec![Role::CentralManagement, Role::SearchLocal];

        let on = toggled(&roles, &Role::ManagedHost, true);
        let off = toggled(&on, &Role::SearchLocal, false);
        let central = toggled(&off, &Role::CentralManagement, false);

        assert_eq!(
            on,
            vec![
                Role::CentralManagement,
                Role::ManagedHost,
                Role::SearchLocal
            ]
        );
        assert_eq!(off, vec![Role::CentralManagement, Role::ManagedHost]);
        assert_eq!(central, off);
    }

    #[test]
    fn the_editor_check_sees_the_current_roles_and_the_other_nodes() {
        let items = vec![
            item("10.0.0.1", vec![Role::CentralManagement]),
            item("10.0.0.2", vec![Role::ManagedHost, Role::SearchMaster]),
            item("10.0.0.3", vec![]),
        ];
        let master = [Role::ManagedHost, Role::SearchMaster];

        let second_master = check_edit(&items, "id-10.0.0.3", &master);
        let same_again = check_edit(&items, "id-10.0.0.2", &master);
        let central_kept = check_edit(
            &items,
            "id-10.0.0.1",
            &[Role::CentralManagement, Role::SearchLocal],
        );

        assert_eq!(
            second_master,
            Err(RoleRuleViolation::SecondSearchMaster {
                holder: "id-10.0.0.2".into()
            })
        );
        assert_eq!(
            violation_message(&second_master.unwrap_err(), &items),
            "10.0.0.2 is already the cluster's search-master: only one node may be"
        );
        assert_eq!(same_again, Ok(()));
        assert_eq!(central_kept, Ok(()));
    }
}
