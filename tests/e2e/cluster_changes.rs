//! Promote and join through the panel, and a fault injected at each step of a join:
//! after each, the simulator's state shows no transaction left open and no node
//! half-joined unless the panel reported it and offered the repair.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Browser, Demo};

const SCREENSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");

/// Promotes node-1 through the panel, as a person would.
pub(crate) async fn promote_node_1(browser: &Browser) {
    browser.promote("node-1").await;
}

/// Chooses node-1 as Central Management node and `nodes` to join, and runs the check.
pub(crate) async fn prepare_join(browser: &Browser, nodes: &[&str]) {
    browser.prepare_join("node-1", nodes).await;
}

async fn promoted_demo(nodes: usize) -> (Demo, Browser) {
    let demo = Demo::start(nodes);
    let browser = Browser::start().await;
    browser.open_panel(&demo, "?tab=changes").await;
    browser.sign_in_all(&demo, "admin", "admin").await;
    promote_node_1(&browser).await;
    (demo, browser)
}

async fn assert_no_transaction_open(demo: &Demo, nodes: &[&str]) {
    for node in nodes {
        let state = demo.node_state(node).await;
        assert!(
            state.transaction.is_none(),
            "{node} has a transaction open: {state:?}"
        );
    }
}

async fn member_names(demo: &Demo) -> Vec<String> {
    let state = demo.node_state("node-1").await;
    state.members.iter().map(|m| m.address.clone()).collect()
}

#[tokio::test]
async fn promote_asks_for_the_name_and_makes_the_node_central_management() {
    let (demo, browser) = promoted_demo(2).await;

    let steps = browser
        .wait_for_text(".promote-flow .steps", "commit")
        .await;

    let state = demo.node_state("node-1").await;
    assert_eq!(state.cluster_role, "central-management", "{state:?}");
    assert!(steps.to_lowercase().matches("done").count() >= 3, "{steps}");
    assert_no_transaction_open(&demo, &["node-1"]).await;
    let promotes = demo
        .request_log("node-1")
        .await
        .requests
        .iter()
        .filter(|r| r.path == "/api/cluster/promote")
        .count();
    assert_eq!(promotes, 1);
    browser.end().await;
}

#[tokio::test]
async fn joining_one_node_commits_on_both_and_reaches_in_cluster() {
    let (demo, browser) = promoted_demo(2).await;

    prepare_join(&browser, &["node-2"]).await;
    // A double click: the second click must find the run already started.
    browser
        .run_js("const b = document.querySelector('.join-start'); b.click(); b.click();")
        .await;
    let report = browser
        .wait_for_text(".join-run[data-node=node-2] .outcome", "Done")
        .await;
    let summary = browser.wait_for_text(".join-summary", "Joined: 1").await;

    assert!(report.contains("Committed"), "{report}");
    assert!(summary.contains("Rolled back: 0"), "{summary}");
    let join_requests = demo
        .request_log("node-2")
        .await
        .requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/cluster/join_request")
        .count();
    assert_eq!(join_requests, 1, "a double click sends one join");
    let node_2 = demo.node_state("node-2").await;
    assert_eq!(format!("{:?}", node_2.join_status), "InCluster");
    assert!(member_names(&demo).await.contains(&node_2.address));
    assert_no_transaction_open(&demo, &["node-1", "node-2"]).await;
    browser.end().await;
}

#[tokio::test]
async fn joining_five_nodes_at_once_joins_each_once() {
    let (demo, browser) = promoted_demo(6).await;
    let nodes = ["node-2", "node-3", "node-4", "node-5", "node-6"];

    prepare_join(&browser, &nodes).await;
    browser.click(".join-start").await;
    let summary = browser.wait_for_text(".join-summary", "Joined: 5").await;

    assert!(summary.contains("Needs repair: 0"), "{summary}");
    std::fs::create_dir_all(SCREENSHOTS).unwrap();
    browser
        .screenshot(&format!("{SCREENSHOTS}/join-five.png"))
        .await;
    browser.click("#tab-cluster").await;
    let table = browser.wait_for_text("table", "node-6").await;
    browser
        .screenshot(&format!("{SCREENSHOTS}/cluster.png"))
        .await;
    assert!(!table.contains("OFFLINE"), "{table}");
    assert_eq!(member_names(&demo).await.len(), 6);
    for node in nodes {
        let registrations = demo
            .request_log("node-1")
            .await
            .requests
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/api/cluster/nodes")
            .count();
        assert_eq!(registrations, 5, "{node}");
        let join_requests = demo
            .request_log(node)
            .await
            .requests
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/api/cluster/join_request")
            .count();
        assert_eq!(join_requests, 1, "{node}");
    }
    assert_no_transaction_open(&demo, &["node-1", "node-2", "node-6"]).await;
    browser.end().await;
}

/// Injects a 500 on `node`'s `method path` once, after the preflight (which also opens
/// and reverts transactions), then joins node-2.
async fn join_with_fault(node: &str, method: &str, path: &str) -> (Demo, Browser, String) {
    let (demo, browser) = promoted_demo(2).await;
    prepare_join(&browser, &["node-2"]).await;
    let fault = json!({
        "node": node, "method": method, "path": path, "times": "once",
        "kind": {"status": {"status": 500, "code": "InternalError", "message": "injected"}},
    });
    demo.control(Method::POST, "/faults", fault).await;
    browser.click(".join-start").await;
    let report = browser
        .wait_for_text(".join-run[data-node=node-2] .outcome", ".")
        .await;
    (demo, browser, report)
}

#[tokio::test]
async fn a_fault_before_the_central_commit_is_rolled_back_on_both_nodes() {
    let cases = [
        (
            "node-2",
            "POST",
            "/api/transaction",
            "open a transaction on the node failed on node-2",
        ),
        (
            "node-2",
            "POST",
            "/api/cluster/join_request",
            "request the join on the node failed on node-2",
        ),
        (
            "node-1",
            "POST",
            "/api/transaction",
            "open a transaction on the Central Management node failed on node-1",
        ),
        (
            "node-1",
            "POST",
            "/api/cluster/nodes",
            "register the node on the Central Management node failed on node-1",
        ),
        (
            "node-1",
            "PUT",
            "/api/transaction",
            "commit on the Central Management node failed on node-1",
        ),
    ];
    for (node, method, path, expected) in cases {
        let (demo, browser, report) = join_with_fault(node, method, path).await;

        assert!(report.contains("Nothing was changed"), "{path}: {report}");
        assert!(report.contains(expected), "{path}: {report}");
        assert!(report.contains("injected"), "{path}: {report}");
        assert_no_transaction_open(&demo, &["node-1", "node-2"]).await;
        assert_eq!(member_names(&demo).await.len(), 1, "{path}");
        let node_2 = demo.node_state("node-2").await;
        assert_eq!(
            format!("{:?}", node_2.join_status),
            "NotConfigured",
            "{path}"
        );
        browser.end().await;
    }
}

#[tokio::test]
async fn a_node_commit_fault_is_reported_half_joined_and_removal_repairs_it() {
    let (demo, browser, report) = join_with_fault("node-2", "PUT", "/api/transaction").await;

    let before_repair = member_names(&demo).await.len();
    browser
        .click(".join-run[data-node=node-2] .repair-remove")
        .await;
    let after = browser
        .wait_for_text(
            ".join-run[data-node=node-2] .outcome",
            "Nothing was changed",
        )
        .await;

    assert!(report.contains("half-changed"), "{report}");
    assert!(
        report.contains("commit on the node failed on node-2"),
        "{report}"
    );
    assert_eq!(before_repair, 2, "the Central Management node had the node");
    assert!(after.contains("removed node-2 from node-1"), "{after}");
    assert_eq!(member_names(&demo).await.len(), 1);
    assert_no_transaction_open(&demo, &["node-1", "node-2"]).await;
    browser.end().await;
}

#[tokio::test]
async fn a_node_commit_fault_can_be_repaired_by_retrying_the_commit() {
    let (demo, browser, _) = join_with_fault("node-2", "PUT", "/api/transaction").await;

    browser
        .click(".join-run[data-node=node-2] .repair-retry")
        .await;
    browser
        .wait_for_text(".join-run[data-node=node-2] .outcome", "Done")
        .await;

    let node_2 = demo.node_state("node-2").await;
    assert_eq!(format!("{:?}", node_2.join_status), "InCluster");
    assert_no_transaction_open(&demo, &["node-1", "node-2"]).await;
    browser.end().await;
}

#[tokio::test]
async fn a_failed_status_read_while_polling_does_not_stop_the_join() {
    let (demo, browser, report) =
        join_with_fault("node-2", "GET", "/api/cluster/join_request").await;

    assert!(report.contains("Done"), "{report}");
    let node_2 = demo.node_state("node-2").await;
    assert_eq!(format!("{:?}", node_2.join_status), "InCluster");
    browser.end().await;
}

#[tokio::test]
async fn a_reload_in_the_middle_of_a_join_reads_the_state_and_offers_the_way_out() {
    let (demo, browser) = promoted_demo(2).await;
    prepare_join(&browser, &["node-2"]).await;
    let slow_registration = json!({
        "node": "node-1", "method": "POST", "path": "/api/cluster/nodes", "times": "once",
        "kind": {"latency": {"ms": 3000}},
    });
    demo.control(Method::POST, "/faults", slow_registration)
        .await;

    browser.click(".join-start").await;
    browser
        .wait_for_text(".join-run[data-node=node-2] .steps", "register")
        .await;
    browser
        .find(".join-run[data-node=node-2] .step.running")
        .await;
    browser.client.refresh().await.unwrap();
    let notice = browser
        .wait_for_text(
            ".recovery-entry[data-node=node-2]",
            "Revert the open transaction on node-1",
        )
        .await;
    browser
        .click(".recovery-entry[data-node=node-2] .recovery-offer")
        .await;
    browser
        .wait_for_text(
            ".recovery-entry[data-node=node-2]",
            "Revert the open transaction on node-2",
        )
        .await;
    browser
        .click(".recovery-entry[data-node=node-2] .recovery-offer")
        .await;
    browser
        .wait_for_text(
            ".recovery-entry[data-node=node-2]",
            "Nothing is left pending",
        )
        .await;
    browser
        .click(".recovery-entry[data-node=node-2] .recovery-offer")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let left = browser
        .client
        .find_all(fantoccini::Locator::Css(".recovery-entry"))
        .await
        .unwrap();

    assert!(notice.contains("stopped at"), "{notice}");
    assert!(left.is_empty(), "dismissed");
    assert_no_transaction_open(&demo, &["node-1", "node-2"]).await;
    assert_eq!(member_names(&demo).await.len(), 1);
    let posts = |log: sps_sim::control::types::RequestLog, path: &str| {
        log.requests
            .iter()
            .filter(|r| r.method == "POST" && r.path == path)
            .count()
    };
    assert_eq!(
        posts(
            demo.request_log("node-2").await,
            "/api/cluster/join_request"
        ),
        1
    );
    assert!(posts(demo.request_log("node-1").await, "/api/cluster/nodes") <= 1);
    let stored = browser
        .run_js("return sessionStorage.getItem('sps-panel.unfinished')")
        .await;
    assert_eq!(stored, serde_json::Value::Null);
    browser.end().await;
}

#[tokio::test]
async fn the_psk_shows_masked_reveals_on_request_and_is_gone_after_registration() {
    let (demo, browser) = promoted_demo(2).await;
    prepare_join(&browser, &["node-2"]).await;
    let slow_registration = json!({
        "node": "node-1", "method": "POST", "path": "/api/cluster/nodes", "times": "once",
        "kind": {"latency": {"ms": 2500}},
    });
    demo.control(Method::POST, "/faults", slow_registration)
        .await;

    browser.click(".join-start").await;
    let masked = browser.wait_for_text(".join-run .psk code", "•").await;
    browser.click(".join-run .psk button").await;
    let revealed = browser
        .find(".join-run .psk code")
        .await
        .text()
        .await
        .unwrap();
    browser
        .wait_for_text(".join-run[data-node=node-2] .outcome", "Done")
        .await;
    let page = browser.run_js("return document.body.innerHTML").await;

    assert_eq!(masked, "••••••••");
    assert_eq!(revealed.len(), 64, "{revealed}");
    assert!(revealed.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(
        !page.as_str().unwrap_or_default().contains(&revealed),
        "the psk stays in the page"
    );
    browser.end().await;
}
