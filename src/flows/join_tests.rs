//! Every branch of the join flow: the happy path, a failure at each step, the repairs,
//! polling, and recovery steps that fail themselves.

use sps_api::cluster::{JoinDetails, JoinStatus};
use sps_api::transaction::TransactionStatus;
use sps_api::{Meta, Psk};

use super::*;
use crate::api::ApiError;
use crate::flows::Request as R;

const PSK: &str = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";

fn flow() -> JoinFlow {
    JoinFlow::new(
        "node-2",
        "node-1",
        "10.0.0.1",
        None,
        Polling {
            interval_ms: 1000,
            time_limit_ms: 10_000.0,
        },
    )
}

fn join_body(psk: &str) -> JoinRequestBody {
    JoinRequestBody {
        address: "10.0.0.2".into(),
        node_id: "id-2".into(),
        psk: Psk::new(psk),
        roles: Vec::new(),
    }
}

fn status(state: JoinState) -> Reply {
    Reply::JoinStatus(JoinStatus {
        details: JoinDetails::default(),
        meta: Meta::default(),
        status: state,
    })
}

fn failed(status: u16, code: &str) -> Reply {
    let body = format!(r#"{{"error":{{"code":"{code}","message":"m","details":{{}}}}}}"#);
    Reply::Failed(ApiError::from_status("x", "POST", "/api/x", status, &body))
}

fn network() -> Reply {
    Reply::Failed(ApiError::network(
        "x",
        "POST",
        "/api/x",
        "connection refused",
    ))
}

fn bad_gateway() -> Reply {
    failed(502, "BadGateway")
}

/// The read-back's answer: this session's transaction is open, or not.
fn transaction(status: TransactionStatus) -> Reply {
    Reply::Transaction(status)
}

fn send(side: Side, request: Request) -> Action {
    Action::Send { side, request }
}

fn commit() -> Request {
    R::Commit { message: None }
}

/// The replies that take a join up to (not including) `step`, all successful.
fn replies_until(step: JoinStep) -> Vec<Reply> {
    let all = [
        Reply::Done,
        Reply::JoinRequested(join_body(PSK)),
        Reply::Done,
        Reply::Done,
        Reply::Done,
        Reply::Done,
    ];
    all.into_iter().take(step.index()).collect()
}

/// Starts the flow and feeds it `replies` at t=0; returns every action it asked for.
fn drive(flow: &mut JoinFlow, replies: Vec<Reply>) -> Vec<Action> {
    let mut actions = vec![flow.start()];
    for reply in replies {
        actions.push(flow.on_reply(reply, 0.0));
    }
    actions
}

fn outcome(flow: &JoinFlow) -> Outcome {
    flow.report().expect("a report").outcome
}

#[test]
fn a_join_sends_the_documented_requests_in_order_and_succeeds() {
    let mut flow = flow();

    let mut actions = drive(&mut flow, replies_until(JoinStep::AwaitCluster));
    actions.push(flow.on_reply(status(JoinState::InProgress), 500.0));
    actions.push(flow.on_reply(status(JoinState::InCluster), 1500.0));

    assert_eq!(
        actions,
        vec![
            send(Side::Node, R::OpenTransaction),
            send(
                Side::Node,
                R::RequestJoin {
                    central_management_address: "10.0.0.1".into()
                }
            ),
            send(Side::Central, R::OpenTransaction),
            send(Side::Central, R::RegisterNode(join_body(PSK))),
            send(Side::Central, commit()),
            send(Side::Node, commit()),
            Action::SendAfter {
                ms: 1000,
                side: Side::Node,
                request: R::ReadJoinStatus
            },
            Action::SendAfter {
                ms: 1000,
                side: Side::Node,
                request: R::ReadJoinStatus
            },
            Action::Finished,
        ]
    );
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.committed.len(), 2);
    assert!(flow.steps().all(|(_, state)| state == StepState::Done));
    assert_eq!(flow.node_id(), Some("id-2"));
}

#[test]
fn the_psk_is_held_only_until_the_central_node_has_it() {
    let mut flow = flow();

    drive(&mut flow, replies_until(JoinStep::Register));
    let held = flow.join_request().is_some();
    flow.on_reply(Reply::Done, 0.0);

    assert!(held);
    assert!(flow.join_request().is_none());
}

#[test]
fn a_failure_before_any_commit_reverts_what_was_opened_last_first() {
    // (failing step, the reverts expected, in order)
    let cases: Vec<(JoinStep, Vec<Side>)> = vec![
        (JoinStep::OpenOnNode, vec![]),
        (JoinStep::RequestJoin, vec![Side::Node]),
        (JoinStep::OpenOnCentral, vec![Side::Node]),
        (JoinStep::Register, vec![Side::Central, Side::Node]),
        (JoinStep::CommitOnCentral, vec![Side::Central, Side::Node]),
    ];
    for error in [
        failed(500, "InternalError"),
        network(),
        failed(409, "ConfigurationLocked"),
    ] {
        for (step, reverts) in &cases {
            let mut flow = flow();
            drive(&mut flow, replies_until(*step));
            let Reply::Failed(api_error) = &error else {
                unreachable!("the cases are failures")
            };
            // A lost answer to an open or a commit is read back first; here the read finds
            // the transaction as it was before the request, so the step did not happen.
            let read_back = step.shows_in_transaction() && api_error.may_have_taken_effect();
            let before = match step {
                JoinStep::CommitOnCentral => TransactionStatus::Open,
                _ => TransactionStatus::Closed,
            };

            let mut actions = vec![flow.on_reply(error.clone(), 0.0)];
            if read_back {
                actions.push(flow.on_reply(transaction(before), 0.0));
            }
            for _ in reverts {
                actions.push(flow.on_reply(Reply::Done, 0.0));
            }

            let mut expected = Vec::new();
            if read_back {
                expected.push(send(step.side(), R::ReadTransaction));
            }
            expected.extend(reverts.iter().map(|side| send(*side, R::Revert)));
            expected.push(Action::Finished);
            assert_eq!(actions, expected, "{step:?}");
            let report = flow.report().unwrap();
            assert_eq!(report.outcome, Outcome::RolledBack, "{step:?}");
            assert_eq!(report.undone.len(), reverts.len(), "{step:?}");
            assert!(report.committed.is_empty(), "{step:?}");
            let failure = report.failure.as_ref().unwrap();
            assert_eq!(failure.step, step.label());
            let expected_node = if step.side() == Side::Central {
                "node-1"
            } else {
                "node-2"
            };
            assert_eq!(failure.node, expected_node, "{step:?}");
            assert!(
                flow.join_request().is_none(),
                "the psk is dropped on failure"
            );
            let states: Vec<StepState> = flow.steps().map(|(_, s)| s).collect();
            assert_eq!(states[step.index()], StepState::Failed);
            assert!(states[step.index() + 1..]
                .iter()
                .all(|s| *s == StepState::Skipped));
        }
    }
}

#[test]
fn a_malformed_join_request_answer_is_refused_and_reverted() {
    let bad_answers = [
        Reply::JoinRequested(join_body("short")),
        Reply::JoinRequested(JoinRequestBody {
            node_id: " ".into(),
            ..join_body(PSK)
        }),
        Reply::Done,
    ];
    for answer in bad_answers {
        let mut flow = flow();
        drive(&mut flow, replies_until(JoinStep::RequestJoin));

        let action = flow.on_reply(answer, 0.0);
        flow.on_reply(Reply::Done, 0.0);

        assert_eq!(action, send(Side::Node, R::Revert));
        assert_eq!(outcome(&flow), Outcome::RolledBack);
    }
}

#[test]
fn a_revert_that_fails_leaves_an_inconsistent_report_naming_it() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::Register));

    flow.on_reply(failed(500, "InternalError"), 0.0);
    flow.on_reply(failed(503, "InternalError"), 0.0);
    flow.on_reply(Reply::Done, 0.0);

    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::Inconsistent);
    assert_eq!(report.undo_failed.len(), 1);
    assert!(
        report.undo_failed[0].contains("node-1"),
        "{:?}",
        report.undo_failed
    );
    assert_eq!(report.undone, vec!["reverted the transaction on node-2"]);
    assert!(report.summary().contains("Could not undo"));
}

#[test]
fn a_revert_refused_for_an_ended_session_counts_as_undone() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::OpenOnCentral));

    flow.on_reply(failed(401, "Unauthenticated"), 0.0);
    flow.on_reply(failed(401, "Unauthenticated"), 0.0);

    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(report.undone[0].contains("session ended"));
}

#[test]
fn a_node_commit_failure_after_the_central_commit_asks_for_a_repair() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));

    let read_back = flow.on_reply(failed(503, "InternalError"), 0.0);
    let action = flow.on_reply(transaction(TransactionStatus::Open), 0.0);

    assert_eq!(read_back, send(Side::Node, R::ReadTransaction));
    assert_eq!(action, Action::AwaitRepair);
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::NeedsRepair);
    assert_eq!(
        report.committed,
        vec!["node-1 lists node-2 as a cluster node"]
    );
    assert!(report.summary().contains("half-changed"));
    assert!(!flow.holds_central());
    assert_eq!(flow.on_reply(Reply::Done, 0.0), Action::AwaitRepair);
}

#[test]
fn retrying_the_node_commit_completes_the_join() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));
    flow.on_reply(network(), 0.0);
    flow.on_reply(transaction(TransactionStatus::Open), 0.0);

    let retry = flow.retry_node_commit();
    flow.on_reply(Reply::Done, 0.0);
    flow.on_reply(status(JoinState::InCluster), 10.0);

    assert_eq!(retry, send(Side::Node, commit()));
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.failure, None);
}

#[test]
fn removing_the_node_from_central_undoes_the_half_join() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));
    flow.on_reply(failed(500, "InternalError"), 0.0);
    flow.on_reply(transaction(TransactionStatus::Open), 0.0);

    let actions = vec![
        flow.remove_from_central(),
        flow.on_reply(Reply::Done, 0.0),
        flow.on_reply(Reply::Done, 0.0),
        flow.on_reply(Reply::Done, 0.0),
        flow.on_reply(Reply::Done, 0.0),
    ];

    assert_eq!(
        actions,
        vec![
            send(Side::Central, R::OpenTransaction),
            send(
                Side::Central,
                R::RemoveNode {
                    node_id: "id-2".into()
                }
            ),
            send(Side::Central, commit()),
            send(Side::Node, R::Revert),
            Action::Finished,
        ]
    );
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert!(report.committed.is_empty());
    assert_eq!(report.undone.len(), 2);
}

#[test]
fn when_the_session_took_the_node_transaction_removal_does_not_revert_it() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));
    flow.on_reply(failed(401, "Unauthenticated"), 0.0);

    flow.remove_from_central();
    flow.on_reply(Reply::Done, 0.0);
    flow.on_reply(Reply::Done, 0.0);
    let last = flow.on_reply(Reply::Done, 0.0);

    assert_eq!(last, Action::Finished);
    assert_eq!(outcome(&flow), Outcome::RolledBack);
}

#[test]
fn a_failed_removal_reverts_the_central_and_node_transactions() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));
    flow.on_reply(failed(500, "InternalError"), 0.0);
    flow.on_reply(transaction(TransactionStatus::Open), 0.0);
    flow.remove_from_central();
    flow.on_reply(Reply::Done, 0.0);

    let after_failure = flow.on_reply(failed(404, "NotFound"), 0.0);
    let next = flow.on_reply(Reply::Done, 0.0);
    flow.on_reply(Reply::Done, 0.0);

    assert_eq!(after_failure, send(Side::Central, R::Revert));
    assert_eq!(next, send(Side::Node, R::Revert));
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::Inconsistent);
    assert!(report.undo_failed[0].starts_with("remove the node"));
}

#[test]
fn repairs_are_ignored_unless_a_repair_is_awaited() {
    let mut flow = flow();
    flow.start();

    assert_eq!(flow.retry_node_commit(), Action::Finished);
    assert_eq!(flow.remove_from_central(), Action::Finished);
}

#[test]
fn polling_tolerates_passing_errors_and_gives_up_at_the_time_limit() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::AwaitCluster));

    let after_error = flow.on_reply(network(), 2_000.0);
    let still = flow.on_reply(status(JoinState::InProgress), 9_999.0);
    let last = flow.on_reply(status(JoinState::InProgress), 10_000.0);

    assert!(matches!(after_error, Action::SendAfter { .. }));
    assert!(matches!(still, Action::SendAfter { .. }));
    assert_eq!(last, Action::Finished);
    let report = flow.report().unwrap();
    assert_eq!(report.outcome, Outcome::JoinPending);
    assert!(report
        .failure
        .as_ref()
        .unwrap()
        .error
        .contains("within 10 s"));
    assert_eq!(report.committed.len(), 2);
}

#[test]
fn an_ended_session_stops_polling_without_undoing_the_commits() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::AwaitCluster));

    let action = flow.on_reply(failed(401, "Unauthenticated"), 1.0);

    assert_eq!(action, Action::Finished);
    assert_eq!(outcome(&flow), Outcome::JoinPending);
}

#[test]
fn the_central_transaction_is_held_from_its_opening_to_its_commit() {
    let mut flow = flow();
    let mut held = vec![flow.holds_central()];
    flow.start();
    for reply in replies_until(JoinStep::AwaitCluster) {
        held.push(flow.holds_central());
        flow.on_reply(reply, 0.0);
    }
    held.push(flow.holds_central());

    assert_eq!(
        held,
        vec![false, false, false, true, true, true, false, false]
    );
}

/// One lost answer: the step it belonged to, what reading the transaction back gave,
/// the replies after that, and what the flow must have done.
struct LostAnswer {
    step: JoinStep,
    read_back: Reply,
    then: Vec<Reply>,
    actions: Vec<Action>,
    outcome: Outcome,
    /// Words the report must hold.
    says: &'static str,
}

fn check_lost_answer(case: LostAnswer) {
    let mut flow = flow();
    drive(&mut flow, replies_until(case.step));

    let first = flow.on_reply(bad_gateway(), 0.0);
    let mut actions = vec![flow.on_reply(case.read_back, 0.0)];
    for reply in case.then {
        actions.push(flow.on_reply(reply, 10.0));
    }

    let step = case.step;
    assert_eq!(first, send(step.side(), R::ReadTransaction), "{step:?}");
    assert_eq!(actions, case.actions, "{step:?}");
    let report = flow.report().expect("a report");
    assert_eq!(report.outcome, case.outcome, "{step:?}");
    let summary = report.summary();
    assert!(summary.contains(case.says), "{step:?}: {summary}");
    assert!(summary.contains(step.label()), "{step:?}: {summary}");
}

#[test]
fn a_lost_answer_to_an_open_or_commit_is_read_back_before_the_flow_decides() {
    use TransactionStatus::{Closed, Open};
    let poll = Action::SendAfter {
        ms: 1000,
        side: Side::Node,
        request: R::ReadJoinStatus,
    };
    let cases = vec![
        // The open happened although its answer was lost: it is reverted like the rest.
        LostAnswer {
            step: JoinStep::OpenOnNode,
            read_back: transaction(Open),
            then: vec![Reply::Done],
            actions: vec![send(Side::Node, R::Revert), Action::Finished],
            outcome: Outcome::RolledBack,
            says: "the transaction had opened",
        },
        LostAnswer {
            step: JoinStep::OpenOnCentral,
            read_back: transaction(Open),
            then: vec![Reply::Done, Reply::Done],
            actions: vec![
                send(Side::Central, R::Revert),
                send(Side::Node, R::Revert),
                Action::Finished,
            ],
            outcome: Outcome::RolledBack,
            says: "reverted the transaction on node-1",
        },
        // Unreadable: reverted to be sure, and a revert finding nothing is fine.
        LostAnswer {
            step: JoinStep::OpenOnNode,
            read_back: failed(500, "InternalError"),
            then: vec![failed(409, "NoOpenTransaction")],
            actions: vec![send(Side::Node, R::Revert), Action::Finished],
            outcome: Outcome::RolledBack,
            says: "nothing was left open on node-2",
        },
        // The commit happened: the join goes on to the node's commit.
        LostAnswer {
            step: JoinStep::CommitOnCentral,
            read_back: transaction(Closed),
            then: vec![Reply::Done, status(JoinState::InCluster)],
            actions: vec![send(Side::Node, commit()), poll.clone(), Action::Finished],
            outcome: Outcome::Succeeded,
            says: "the node shows the transaction committed",
        },
        // Whether the Central Management node committed is unknown: say so.
        LostAnswer {
            step: JoinStep::CommitOnCentral,
            read_back: failed(503, "InternalError"),
            then: vec![Reply::Done, Reply::Done],
            actions: vec![
                send(Side::Central, R::Revert),
                send(Side::Node, R::Revert),
                Action::Finished,
            ],
            outcome: Outcome::Inconsistent,
            says: "find out whether node-1 committed the registration",
        },
        LostAnswer {
            step: JoinStep::CommitOnNode,
            read_back: transaction(Closed),
            then: vec![status(JoinState::InCluster)],
            actions: vec![poll, Action::Finished],
            outcome: Outcome::Succeeded,
            says: "Committed: node-1 lists node-2 as a cluster node; node-2 committed",
        },
        // Still open: half-joined, and the repairs are offered.
        LostAnswer {
            step: JoinStep::CommitOnNode,
            read_back: transaction(Open),
            then: vec![],
            actions: vec![Action::AwaitRepair],
            outcome: Outcome::NeedsRepair,
            says: "Choose a repair",
        },
    ];
    for case in cases {
        check_lost_answer(case);
    }
}

#[test]
fn a_session_ended_after_a_lost_node_commit_leaves_only_the_removal_to_do() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::CommitOnNode));
    flow.on_reply(bad_gateway(), 0.0);
    flow.on_reply(failed(401, "Unauthenticated"), 0.0);

    let actions = [
        flow.remove_from_central(),
        flow.on_reply(Reply::Done, 0.0),
        flow.on_reply(Reply::Done, 0.0),
        flow.on_reply(Reply::Done, 0.0),
    ];

    assert_eq!(actions.last(), Some(&Action::Finished));
    assert!(!actions.contains(&send(Side::Node, R::Revert)));
    assert_eq!(outcome(&flow), Outcome::RolledBack);
}

#[test]
fn the_central_gate_is_held_while_a_lost_central_open_is_read_back() {
    let mut flow = flow();
    drive(&mut flow, replies_until(JoinStep::OpenOnCentral));

    flow.on_reply(network(), 0.0);
    let while_reading = flow.holds_central();
    flow.on_reply(transaction(TransactionStatus::Closed), 0.0);

    assert!(while_reading);
    assert!(!flow.holds_central());
}
