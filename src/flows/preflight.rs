//! The checks before a promote or a join, over facts the driver gathered from the nodes.
//! Each problem names the node and says what to do, so the person can fix it first
//! instead of finding out half-way through a change.

use sps_api::cluster::JoinState;

/// Whether someone else holds a node's configuration lock, learnt by opening a
/// transaction and reverting it at once (SPS offers no way to read the lock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockProbe {
    Free,
    /// This session already has a transaction open, with this many pending changes.
    OwnTransaction {
        pending_changes: usize,
    },
    LockedBy(String),
    /// The user may not change this node's configuration.
    Forbidden,
    Failed(String),
}

/// What the driver read from one node. A field the driver could not read holds the
/// error's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFacts {
    pub node: String,
    pub signed_in: bool,
    pub version: Result<String, String>,
    pub cluster_interface_enabled: Result<bool, String>,
    pub join_state: Result<JoinState, String>,
    pub lock: LockProbe,
    /// The node wants a message with every commit.
    pub commit_message_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub node: String,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.node, self.what)
    }
}

/// Problems a node has before it can be promoted with `commit_message`.
pub fn check_promote(node: &NodeFacts, commit_message: &str) -> Vec<Problem> {
    let mut problems = common_problems(node, commit_message);
    if node.signed_in {
        outside_a_cluster(node, &mut problems);
        interface_enabled(node, &mut problems);
    }
    problems
}

/// Problems before `node` can join the cluster whose Central Management node is
/// `central`.
pub fn check_join(central: &NodeFacts, node: &NodeFacts, commit_message: &str) -> Vec<Problem> {
    let mut problems = common_problems(central, commit_message);
    problems.extend(common_problems(node, commit_message));
    if !(central.signed_in && node.signed_in) {
        return problems;
    }
    outside_a_cluster(node, &mut problems);
    interface_enabled(node, &mut problems);
    match (&central.version, &node.version) {
        (Ok(wanted), Ok(found)) if wanted != found => problems.push(Problem {
            node: node.node.clone(),
            what: format!(
                "runs SPS {found}, the Central Management node {wanted}: all nodes of a \
                 cluster must run the same version"
            ),
        }),
        (Err(error), _) => problems.push(Problem {
            node: central.node.clone(),
            what: format!("its SPS version could not be read ({error})"),
        }),
        (_, Err(error)) => problems.push(Problem {
            node: node.node.clone(),
            what: format!("its SPS version could not be read ({error})"),
        }),
        _ => {}
    }
    problems
}

fn common_problems(facts: &NodeFacts, commit_message: &str) -> Vec<Problem> {
    let problem = |what: String| Problem {
        node: facts.node.clone(),
        what,
    };
    if !facts.signed_in {
        return vec![problem(
            "not signed in: sign in to this node first".to_owned(),
        )];
    }
    let mut problems = Vec::new();
    if facts.commit_message_required && commit_message.trim().is_empty() {
        problems.push(problem(
            "requires a commit message: enter one before starting".to_owned(),
        ));
    }
    let lock_problem = match &facts.lock {
        LockProbe::Free | LockProbe::OwnTransaction { pending_changes: 0 } => Vec::new(),
        LockProbe::OwnTransaction { pending_changes } => vec![problem(format!(
            "your session has {pending_changes} uncommitted change(s) here; commit or \
             revert them first, or they would be committed with this change"
        ))],
        LockProbe::LockedBy(user) => vec![problem(format!(
            "the configuration is locked by {user}; wait until they commit or revert"
        ))],
        LockProbe::Forbidden => vec![problem(
            "this user may not change the cluster configuration (it needs read and write \
             rights on Basic Settings > Cluster management)"
                .to_owned(),
        )],
        LockProbe::Failed(error) => vec![problem(format!(
            "the configuration lock could not be checked ({error})"
        ))],
    };
    problems.extend(lock_problem);
    problems
}

fn outside_a_cluster(facts: &NodeFacts, problems: &mut Vec<Problem>) {
    let what = match &facts.join_state {
        Ok(JoinState::NotConfigured) => return,
        Ok(JoinState::InCluster) => "is already in a cluster".to_owned(),
        Ok(JoinState::InProgress) => "is already joining a cluster".to_owned(),
        Ok(JoinState::Other) => "reports a join status the panel does not know".to_owned(),
        Err(error) => format!("its join status could not be read ({error})"),
    };
    problems.push(Problem {
        node: facts.node.clone(),
        what,
    });
}

fn interface_enabled(facts: &NodeFacts, problems: &mut Vec<Problem>) {
    let what = match &facts.cluster_interface_enabled {
        Ok(true) => return,
        Ok(false) => "its cluster interface is off: enable it under Basic Settings > Local \
                      services > Cluster interface"
            .to_owned(),
        Err(error) => format!("its cluster interface setting could not be read ({error})"),
    };
    problems.push(Problem {
        node: facts.node.clone(),
        what,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(node: &str) -> NodeFacts {
        NodeFacts {
            node: node.to_owned(),
            signed_in: true,
            version: Ok("7.4.0".to_owned()),
            cluster_interface_enabled: Ok(true),
            join_state: Ok(JoinState::NotConfigured),
            lock: LockProbe::Free,
            commit_message_required: false,
        }
    }

    #[test]
    fn a_ready_pair_has_no_problem() {
        assert!(check_join(&ready("cm"), &ready("n"), "").is_empty());
        assert!(check_promote(&ready("n"), "").is_empty());
    }

    #[test]
    fn join_problems_table() {
        type Change = fn(&mut NodeFacts, &mut NodeFacts);
        let cases: [(Change, &str); 11] = [
            (
                |c, _| c.commit_message_required = true,
                "cm: requires a commit message",
            ),
            (|_, n| n.signed_in = false, "n: not signed in"),
            (|c, _| c.signed_in = false, "cm: not signed in"),
            (|_, n| n.version = Ok("7.3.0".into()), "n: runs SPS 7.3.0"),
            (
                |c, _| c.version = Err("x".into()),
                "cm: its SPS version could not be read",
            ),
            (
                |_, n| n.cluster_interface_enabled = Ok(false),
                "n: its cluster interface is off",
            ),
            (
                |_, n| n.join_state = Ok(JoinState::InCluster),
                "n: is already in a cluster",
            ),
            (
                |_, n| n.lock = LockProbe::LockedBy("bob".into()),
                "n: the configuration is locked by bob",
            ),
            (
                |c, _| c.lock = LockProbe::Forbidden,
                "cm: this user may not change",
            ),
            (
                |_, n| n.lock = LockProbe::OwnTransaction { pending_changes: 2 },
                "n: your session has 2 uncommitted",
            ),
            (
                |_, n| n.lock = LockProbe::Failed("503".into()),
                "n: the configuration lock could not",
            ),
        ];
        for (change, expected) in cases {
            let (mut central, mut node) = (ready("cm"), ready("n"));
            change(&mut central, &mut node);

            let problems = check_join(&central, &node, " ");

            assert_eq!(problems.len(), 1, "{expected}: {problems:?}");
            assert!(
                problems[0].to_string().starts_with(expected),
                "{}",
                problems[0]
            );
        }
    }

    #[test]
    fn a_given_message_satisfies_a_node_that_requires_one() {
        let mut node = ready("n");
        node.commit_message_required = true;

        assert!(check_promote(&node, "promote node n").is_empty());
    }

    #[test]
    fn promote_refuses_a_node_in_a_cluster_or_with_the_interface_off() {
        let mut node = ready("n");
        node.join_state = Ok(JoinState::InProgress);
        node.cluster_interface_enabled = Err("404".into());

        let problems: Vec<String> = check_promote(&node, "")
            .iter()
            .map(|p| p.to_string())
            .collect();

        assert_eq!(
            problems,
            vec![
                "n: is already joining a cluster".to_owned(),
                "n: its cluster interface setting could not be read (404)".to_owned()
            ]
        );
    }
}
