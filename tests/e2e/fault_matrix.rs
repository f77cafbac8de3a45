//! The fault matrix: every fault at every step of a join and of a promote, driven
//! through the panel and the demo proxy. After each scenario the simulator's state must
//! be exactly as before, exactly as intended, or half-joined with the repair offered
//! (which the scenario then runs); no transaction may stay open, and the panel's report
//! must name the node and the step. The matrix is printed as a table and written to
//! `target/fault-matrix.txt`.
//!
//! One simulator and one browser serve every scenario: each starts from the control
//! API's reset, a fresh page and a new sign-in.

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::FutureExt;
use reqwest::Method;
use serde_json::{json, Value};
use sps_api::cluster::JoinState;

use crate::cluster_changes::prepare_join;
use crate::cluster_setup::{build_cluster, JoinedRoles};
use crate::harness::{Browser, Demo, PAGE_WAIT};

/// The panel's time limit per request, served in this fleet's `nodes.json`: longer than
/// the 5 s delay, which must be survived, shorter than the latency that must time out.
const TIME_LIMIT_MS: u32 = 7_000;
const DELAY_MS: u64 = 5_000;
const PAST_THE_LIMIT_MS: u64 = 10_000;
/// How long the step's request waits at the node while the test ends the node's
/// sessions behind it, so the request meets an ended session half-way through the flow.
const SESSION_END_WINDOW_MS: u64 = 1_500;
/// Who holds the lock when a step meets one.
const LOCK_HOLDER: &str = "webui";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Refused,
    Reset,
    Timeout,
    Internal,
    Unavailable,
    SessionEnded,
    Forbidden,
    Locked,
    Malformed,
    Truncated,
    Delay,
}

impl Fault {
    const ALL: [Fault; 11] = [
        Fault::Refused,
        Fault::Reset,
        Fault::Timeout,
        Fault::Internal,
        Fault::Unavailable,
        Fault::SessionEnded,
        Fault::Forbidden,
        Fault::Locked,
        Fault::Malformed,
        Fault::Truncated,
        Fault::Delay,
    ];

    fn column(self) -> &'static str {
        match self {
            Fault::Refused => "refused",
            Fault::Reset => "reset",
            Fault::Timeout => "timeout",
            Fault::Internal => "500",
            Fault::Unavailable => "503",
            Fault::SessionEnded => "401 mid-flow",
            Fault::Forbidden => "403",
            Fault::Locked => "lock held",
            Fault::Malformed => "malformed",
            Fault::Truncated => "truncated",
            Fault::Delay => "5 s delay",
        }
    }

    /// The simulator's fault kind, or `None` when the scenario needs no injected fault
    /// (a lock taken through the control API).
    fn kind(self, step: &Step) -> Option<Value> {
        let status = |status: u16, code: &str| json!({"status": {"status": status, "code": code, "message": "injected"}});
        let kind = match self {
            Fault::Refused => json!("refused"),
            Fault::Reset => json!("reset"),
            Fault::Timeout => json!({"latency": {"ms": PAST_THE_LIMIT_MS}}),
            Fault::Internal => status(500, "InternalError"),
            Fault::Unavailable => status(503, "ServiceUnavailable"),
            Fault::SessionEnded => json!({"latency": {"ms": SESSION_END_WINDOW_MS}}),
            Fault::Forbidden => status(403, "Unauthorized"),
            // A real lock can only meet a request that opens a transaction.
            Fault::Locked if step.opens => return None,
            Fault::Locked => json!({"status": {
                "status": 409, "code": "ConfigurationLocked", "locked_by": LOCK_HOLDER,
                "message": "The configuration is locked by webui, who has an open transaction",
            }}),
            Fault::Malformed => json!("malformed"),
            Fault::Truncated => json!("truncated"),
            Fault::Delay => json!({"latency": {"ms": DELAY_MS}}),
        };
        Some(kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Join,
    Promote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepId {
    OpenOnNode,
    RequestJoin,
    OpenOnCentral,
    Register,
    CommitOnCentral,
    CommitOnNode,
    AwaitCluster,
    PromoteOpen,
    Promote,
    PromoteCommit,
}

/// One step of a flow: the request it sends, to which node, and how the panel names it.
struct Step {
    id: StepId,
    flow: Flow,
    /// The step's name in the panel's reports.
    label: &'static str,
    node: &'static str,
    method: &'static str,
    path: &'static str,
    /// Whether the step opens a transaction.
    opens: bool,
}

const fn step(
    id: StepId,
    flow: Flow,
    label: &'static str,
    node: &'static str,
    method: &'static str,
    path: &'static str,
) -> Step {
    let opens = matches!(
        id,
        StepId::OpenOnNode | StepId::OpenOnCentral | StepId::PromoteOpen
    );
    Step {
        id,
        flow,
        label,
        node,
        method,
        path,
        opens,
    }
}

const STEPS: [Step; 10] = [
    step(
        StepId::OpenOnNode,
        Flow::Join,
        "open a transaction on the node",
        "node-2",
        "POST",
        "/api/transaction",
    ),
    step(
        StepId::RequestJoin,
        Flow::Join,
        "request the join on the node",
        "node-2",
        "POST",
        "/api/cluster/join_request",
    ),
    step(
        StepId::OpenOnCentral,
        Flow::Join,
        "open a transaction on the Central Management node",
        "node-1",
        "POST",
        "/api/transaction",
    ),
    step(
        StepId::Register,
        Flow::Join,
        "register the node on the Central Management node",
        "node-1",
        "POST",
        "/api/cluster/nodes",
    ),
    step(
        StepId::CommitOnCentral,
        Flow::Join,
        "commit on the Central Management node",
        "node-1",
        "PUT",
        "/api/transaction",
    ),
    step(
        StepId::CommitOnNode,
        Flow::Join,
        "commit on the node",
        "node-2",
        "PUT",
        "/api/transaction",
    ),
    step(
        StepId::AwaitCluster,
        Flow::Join,
        "wait until the node is in the cluster",
        "node-2",
        "GET",
        "/api/cluster/join_request",
    ),
    step(
        StepId::PromoteOpen,
        Flow::Promote,
        "open a transaction",
        "node-1",
        "POST",
        "/api/transaction",
    ),
    step(
        StepId::Promote,
        Flow::Promote,
        "promote to Central Management",
        "node-1",
        "POST",
        "/api/cluster/promote",
    ),
    step(
        StepId::PromoteCommit,
        Flow::Promote,
        "commit",
        "node-1",
        "PUT",
        "/api/transaction",
    ),
];

impl Step {
    fn row(&self) -> String {
        let flow = match self.flow {
            Flow::Join => "join",
            Flow::Promote => "promote",
        };
        format!(
            "{flow}: {} ({} {} {})",
            self.label, self.node, self.method, self.path
        )
    }

    /// Where the panel shows this flow's report.
    fn outcome_css(&self) -> &'static str {
        match self.flow {
            Flow::Join => ".join-run[data-node=node-2] .outcome",
            Flow::Promote => ".promote-flow .outcome",
        }
    }
}

/// How a scenario ended, as the simulator's state shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Exactly as before.
    RolledBack,
    /// Exactly as intended: joined, or promoted.
    Done,
    /// Joined, but the panel could not confirm it (it says so).
    DoneUnconfirmed,
    /// Reported half-joined with the repairs offered; retrying the node's commit joined.
    RetriedToDone,
    /// Reported half-joined with the repairs offered; removing the node undid the join.
    RemovedToRolledBack,
}

impl Outcome {
    fn cell(self, flow: Flow) -> &'static str {
        match (self, flow) {
            (Outcome::RolledBack, _) => "rolled back",
            (Outcome::Done, Flow::Join) => "joined",
            (Outcome::Done, Flow::Promote) => "promoted",
            (Outcome::DoneUnconfirmed, _) => "joined, unconfirmed",
            (Outcome::RetriedToDone, _) => "repair: retried",
            (Outcome::RemovedToRolledBack, _) => "repair: removed",
        }
    }
}

/// What each scenario must end in. The answer to a commit that broke off after the
/// node acted (`reset`, `truncated`) is lost, but the commit stands: the panel reads the
/// transaction back and carries on. Every other fault before the Central Management
/// node's commit is rolled back; at the node's commit it leaves the cluster half-joined
/// and the repair offered; while polling it changes nothing.
fn expected(step: &Step, fault: Fault) -> Outcome {
    let answer_lost_after_acting = matches!(fault, Fault::Reset | Fault::Truncated);
    match (step.id, fault) {
        (_, Fault::Delay) => Outcome::Done,
        (StepId::AwaitCluster, Fault::SessionEnded) => Outcome::DoneUnconfirmed,
        (StepId::AwaitCluster, _) => Outcome::Done,
        (StepId::CommitOnNode, Fault::SessionEnded) => Outcome::RemovedToRolledBack,
        (StepId::CommitOnNode, _) if answer_lost_after_acting => Outcome::Done,
        (StepId::CommitOnNode, _) => Outcome::RetriedToDone,
        (StepId::CommitOnCentral | StepId::PromoteCommit, _) if answer_lost_after_acting => {
            Outcome::Done
        }
        _ => Outcome::RolledBack,
    }
}

/// What the report said, by its first words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reported {
    Done,
    RolledBack,
    HalfJoined,
    Unconfirmed,
    Other,
}

fn reported(report: &str) -> Reported {
    if report.starts_with("Done.") {
        Reported::Done
    } else if report.starts_with("Nothing was changed") {
        Reported::RolledBack
    } else if report.contains("half-changed") {
        Reported::HalfJoined
    } else if report.contains("could not confirm") {
        Reported::Unconfirmed
    } else {
        Reported::Other
    }
}

/// Words of every report's opening sentence, so that waiting ends on any report.
const REPORT_STARTS: [&str; 5] = [
    "Done.",
    "Nothing was changed",
    "half-changed",
    "could not confirm",
    "recovery did not finish",
];

#[tokio::test]
async fn every_fault_at_every_step_of_join_and_promote_ends_consistent_and_reported() {
    let limit = TIME_LIMIT_MS.to_string();
    let extra = ["--join-delay-ms", "0", "--request-time-limit-ms", &limit];
    let demo = Demo::start_keeping_log(2, &extra, "warn");
    let browser = Browser::start().await;
    let started = Instant::now();

    let mut cells = Vec::new();
    let mut failures = Vec::new();
    for step in &STEPS {
        let mut row = Vec::new();
        for fault in Fault::ALL {
            let scenario = AssertUnwindSafe(run_scenario(&demo, &browser, step, fault));
            let cell = match scenario.catch_unwind().await {
                Ok(outcome) => outcome.cell(step.flow).to_owned(),
                Err(panic) => {
                    let why = panic_text(&*panic);
                    failures.push(format!("{} × {}: {why}", step.row(), fault.column()));
                    "FAILED".to_owned()
                }
            };
            row.push(cell);
        }
        cells.push(row);
    }
    let elapsed = started.elapsed();

    let scenarios = STEPS.len() * Fault::ALL.len();
    let table = render(&cells, scenarios, elapsed);
    eprintln!("{table}");
    let file = target_dir().join("fault-matrix.txt");
    std::fs::write(&file, &table).expect("writing target/fault-matrix.txt");
    // Closed before the verdict: a browser whose WebDriver session is left open
    // outlives its chromedriver.
    browser.end().await;
    assert!(scenarios >= 60);
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs one scenario to its end and checks it; panics with the reason when it is wrong.
async fn run_scenario(demo: &Demo, browser: &Browser, step: &Step, fault: Fault) -> Outcome {
    let want = expected(step, fault);
    fresh_start(demo, browser, step.flow).await;
    let lock_taken = inject(demo, step, fault).await;

    let start = match step.flow {
        Flow::Join => ".join-start",
        Flow::Promote => ".promote-start",
    };
    browser.click(start).await;
    if fault == Fault::SessionEnded {
        end_sessions_while_the_step_waits(demo, step).await;
    }
    let report = browser
        .wait_for_any_text(step.outcome_css(), &REPORT_STARTS)
        .await;
    let first = reported(&report);

    if fault != Fault::Delay {
        assert!(
            report.contains(step.label) && report.contains(step.node),
            "the report names neither the step {:?} nor {}: {report}",
            step.label,
            step.node
        );
    }
    if fault == Fault::Locked {
        assert!(report.contains(LOCK_HOLDER), "no lock holder: {report}");
    }
    let outcome = match first {
        Reported::HalfJoined => repair(demo, browser, step, fault).await,
        Reported::Done => Outcome::Done,
        Reported::RolledBack => Outcome::RolledBack,
        Reported::Unconfirmed => Outcome::DoneUnconfirmed,
        Reported::Other => panic!("an unexpected report: {report}"),
    };
    if lock_taken {
        demo.control(
            Method::DELETE,
            &format!("/nodes/{}/lock", step.node),
            json!({}),
        )
        .await;
    }

    assert_eq!(outcome, want, "the panel reported: {report}");
    assert_state(demo, step.flow, outcome).await;
    assert_fault_used(demo, step, fault).await;
    let errors = browser.run_js("return window.__consoleErrors || []").await;
    assert_eq!(errors, json!([]), "the page logged errors");
    outcome
}

/// A fresh fleet, a fresh page signed in to both nodes, and the flow checked and ready
/// to start (for a join, node-1 promoted first over plain HTTP).
async fn fresh_start(demo: &Demo, browser: &Browser, flow: Flow) {
    demo.control(Method::POST, "/reset", json!({})).await;
    // The journal of a flow left unsettled would offer its recovery on the next page
    // (the first page, `data:`, has no storage at all).
    browser
        .run_js("try { sessionStorage.clear(); } catch (_) {}")
        .await;
    browser.open_panel(demo, "?tab=changes").await;
    browser.sign_in_all(demo, "admin", "admin").await;
    match flow {
        Flow::Join => {
            build_cluster(demo, 0, JoinedRoles::None).await;
            prepare_join(browser, &["node-2"]).await;
        }
        Flow::Promote => {
            browser.confirm_promote("node-1").await;
        }
    }
}

/// Injects `fault` at `step` (after the preflight, which opens and reverts transactions
/// of its own). Returns whether it took the node's lock through the control API.
async fn inject(demo: &Demo, step: &Step, fault: Fault) -> bool {
    let Some(kind) = fault.kind(step) else {
        let path = format!("/nodes/{}/lock", step.node);
        demo.control(Method::POST, &path, json!({"user": LOCK_HOLDER}))
            .await;
        return true;
    };
    let spec = json!({
        "node": step.node, "method": step.method, "path": step.path,
        "kind": kind, "times": "once",
    });
    demo.control(Method::POST, "/faults", spec).await;
    false
}

/// Waits until the step's request is held at the node (its latency fault used up), then
/// ends every session on that node, so that the request meets an ended session.
async fn end_sessions_while_the_step_waits(demo: &Demo, step: &Step) {
    let started = Instant::now();
    while !demo.faults().await.faults.is_empty() {
        assert!(
            started.elapsed() < PAGE_WAIT,
            "the step's request never came"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let path = format!("/nodes/{}/expire_sessions", step.node);
    demo.control(Method::POST, &path, json!({})).await;
}

/// Checks the half-joined state the report describes, then runs the repair a person
/// would choose: retrying the node's commit, unless the node's session (and with it the
/// transaction) is gone, when only removing the node is left.
async fn repair(demo: &Demo, browser: &Browser, step: &Step, fault: Fault) -> Outcome {
    assert_eq!(step.flow, Flow::Join, "only a join can be half-done");
    let central = demo.node_state("node-1").await;
    let node = demo.node_state("node-2").await;
    assert_eq!(central.members.len(), 2, "node-1 lists node-2: {central:?}");
    assert_eq!(node.join_status, JoinState::NotConfigured, "{node:?}");

    let run = ".join-run[data-node=node-2]";
    let (button, outcome, words) = match fault {
        Fault::SessionEnded => (
            "repair-remove",
            Outcome::RemovedToRolledBack,
            "Nothing was changed",
        ),
        _ => ("repair-retry", Outcome::RetriedToDone, "Done."),
    };
    if fault == Fault::SessionEnded {
        // The panel asks node-2's credentials again over the screen; the removal needs
        // only node-1, so the person answers "Not now" first.
        browser.click(".session-expired button.secondary").await;
    }
    browser.click(&format!("{run} .{button}")).await;
    browser
        .wait_for_text(&format!("{run} .outcome"), words)
        .await;
    outcome
}

/// The simulator's state after the scenario: as before, or as intended, and no
/// transaction open on any node.
async fn assert_state(demo: &Demo, flow: Flow, outcome: Outcome) {
    let central = demo.node_state("node-1").await;
    let node = demo.node_state("node-2").await;
    let joined = matches!(
        outcome,
        Outcome::Done | Outcome::DoneUnconfirmed | Outcome::RetriedToDone
    );
    match flow {
        Flow::Join if joined => {
            assert!(
                central.members.iter().any(|m| m.address == node.address),
                "node-1 does not list node-2: {central:?}"
            );
            assert_eq!(node.join_status, JoinState::InCluster, "{node:?}");
        }
        Flow::Join => {
            assert_eq!(central.members.len(), 1, "{central:?}");
            assert_eq!(node.join_status, JoinState::NotConfigured, "{node:?}");
            assert_eq!(node.central_management_address, None, "{node:?}");
        }
        Flow::Promote => {
            let role = match joined {
                true => "central-management",
                false => "standalone",
            };
            assert_eq!(central.cluster_role, role, "{central:?}");
        }
    }
    for state in [&central, &node] {
        assert!(
            state.transaction.is_none(),
            "{} has a transaction open: {state:?}",
            state.name
        );
    }
}

/// The scenario did exercise the step: its fault was used up (or its lock met).
async fn assert_fault_used(demo: &Demo, step: &Step, fault: Fault) {
    let left = demo.faults().await.faults;
    assert!(left.is_empty(), "the fault was never used: {left:?}");
    let log = demo.request_log(step.node).await;
    let hit = log.requests.iter().any(|request| {
        request.method == step.method
            && request.path == step.path
            && match fault {
                Fault::Locked if step.opens => request.status == Some(409),
                // Dropped with the connection the panel closed, never carried out.
                Fault::Timeout => request.fault.is_some() && request.status.is_none(),
                _ => request.fault.is_some(),
            }
    });
    assert!(hit, "no {} {} met the fault", step.method, step.path);
}

fn render(cells: &[Vec<String>], scenarios: usize, elapsed: Duration) -> String {
    let rows: Vec<String> = STEPS.iter().map(Step::row).collect();
    let first = rows.iter().map(String::len).max().unwrap_or(0);
    let widths: Vec<usize> = Fault::ALL
        .iter()
        .enumerate()
        .map(|(column, fault)| {
            cells
                .iter()
                .map(|row| row[column].chars().count())
                .chain([fault.column().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Fault matrix: {scenarios} scenarios in {:.0} s (request time limit {} s)",
        elapsed.as_secs_f64(),
        TIME_LIMIT_MS / 1000
    );
    let _ = write!(out, "{:first$}", "step \\ fault");
    for (fault, width) in Fault::ALL.iter().zip(&widths) {
        let _ = write!(out, " | {:width$}", fault.column());
    }
    out.push('\n');
    for (row, cells) in rows.iter().zip(cells) {
        let _ = write!(out, "{row:first$}");
        for (cell, width) in cells.iter().zip(&widths) {
            let _ = write!(out, " | {cell:width$}");
        }
        out.push('\n');
    }
    out.push_str(LEGEND);
    out
}

const LEGEND: &str = "\
rolled back: as before the flow, nothing left open. joined, promoted: as intended.
joined, unconfirmed: joined, and the panel said it could not confirm it.
repair: retried / removed: reported half-joined with both repairs offered; retrying the
node's commit joined it, removing the node from node-1 undid the join.
401 mid-flow: the node's sessions end while the step's request waits at the node.
lock held: another user's lock (the control API's lock where the step opens a
transaction, a 409 ConfigurationLocked elsewhere).
";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
