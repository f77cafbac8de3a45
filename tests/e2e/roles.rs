//! The roles editor, node removal and join status on the "Promote & join" tab, against a
//! cluster the test builds over HTTP first: node-1 promoted, node-2 and node-3 joined.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use sps_api::roles::Role;

use crate::cluster_setup::{build_cluster, JoinedRoles};
use crate::harness::{Browser, Demo, PAGE_WAIT};

/// The roles node-1 has committed for the node at `address`, `None` if not a member.
async fn committed_roles(demo: &Demo, address: &str) -> Option<Vec<Role>> {
    let state = demo.node_state("node-1").await;
    state
        .members
        .into_iter()
        .find(|member| member.address == address)
        .map(|member| member.roles)
}

/// How many role assignments or removals node-1 has received.
async fn cluster_node_changes(demo: &Demo) -> usize {
    let log = demo.request_log("node-1").await;
    log.requests
        .iter()
        .filter(|entry| entry.method == "PUT" || entry.method == "DELETE")
        .filter(|entry| entry.path.starts_with("/api/cluster/nodes/"))
        .count()
}

/// Clicks the join status's Refresh until `css` shows `text` (the join delay runs in
/// the simulator, so the first reading may still say `in progress`).
async fn wait_for_join_state(browser: &Browser, css: &str, text: &str) -> String {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < PAGE_WAIT {
        browser.click(".refresh-join").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Ok(element) = browser.client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if last.contains(text) {
                return last;
            }
        }
    }
    panic!("{css:?} never showed {text:?}; last: {last:?}");
}

async fn open_signed_in(demo: &Demo) -> Browser {
    let browser = Browser::start().await;
    browser.open_panel(demo, "?tab=changes").await;
    browser.sign_in_all(demo, "admin", "admin").await;
    let node_2 = &demo.ready.nodes[1].address;
    browser.wait_for_text("table.cluster-nodes", node_2).await;
    browser
}

#[tokio::test]
async fn roles_are_edited_checked_and_a_node_is_removed_with_join_status_shown() {
    let demo = Demo::start(4);
    build_cluster(&demo, 2, JoinedRoles::None).await;
    let browser = open_signed_in(&demo).await;
    let node_1 = demo.ready.nodes[0].address.clone();
    let node_2 = demo.ready.nodes[1].address.clone();
    let node_3 = demo.ready.nodes[2].address.clone();

    // node-2 becomes the managed host holding search-master.
    browser.click("tr[data-name=node-2] .edit-roles").await;
    browser.click("#role-managed-host").await;
    let half_done = browser
        .wait_for_text(".role-violation", "exactly one search role")
        .await;
    browser.click("#role-search-master").await;
    // Two clicks in one go must still send one request sequence.
    browser
        .run_js("const b = document.querySelector('.save-roles'); b.click(); b.click();")
        .await;
    let saved = browser
        .wait_for_text(".flow-summary", "Committed on node-1")
        .await;
    let roles_2 = committed_roles(&demo, &node_2).await;
    let open_after_edit = demo.node_state("node-1").await.transaction;
    let puts_after_double_click = cluster_node_changes(&demo).await;
    browser
        .wait_for_text("tr[data-name=node-2] .node-roles", "search-master")
        .await;

    // A second search-master is refused before anything is sent.
    let changes_before = cluster_node_changes(&demo).await;
    browser.click("tr[data-name=node-3] .edit-roles").await;
    browser.click("#role-managed-host").await;
    browser.click("#role-search-master").await;
    let refusal = browser
        .wait_for_text(".role-violation", "already the cluster's search-master")
        .await;
    let save_disabled = browser
        .find(".save-roles")
        .await
        .attr("disabled")
        .await
        .unwrap();
    browser.click(".save-roles").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let changes_after = cluster_node_changes(&demo).await;
    browser.click(".roles-form button.secondary").await;

    // node-3 leaves the cluster after a confirmation.
    browser.click("tr[data-name=node-3] .remove-node").await;
    let dialog = browser
        .wait_for_text("[role=dialog]", "leaves the cluster")
        .await;
    browser.click(".confirm-remove").await;
    let removed = browser
        .wait_for_text(".flow-summary", "left the cluster")
        .await;
    let roles_3 = committed_roles(&demo, &node_3).await;
    let open_after_removal = demo.node_state("node-1").await.transaction;

    // Join status: node-2 is in the cluster through node-1, node-4 never joined.
    let joined = wait_for_join_state(
        &browser,
        "table.join-status tr[data-name=node-2] .join-state",
        "in cluster",
    )
    .await;
    let through = browser
        .wait_for_text(
            "table.join-status tr[data-name=node-2] .join-central",
            &node_1,
        )
        .await;
    let lone = browser
        .wait_for_text(
            "table.join-status tr[data-name=node-4] .join-state",
            "not configured",
        )
        .await;
    browser.screenshot("/tmp/roles-editor.png").await;

    assert!(half_done.contains("0 given"), "{half_done}");
    assert!(saved.contains("managed-host, search-master"), "{saved}");
    assert_eq!(roles_2, Some(vec![Role::ManagedHost, Role::SearchMaster]));
    assert!(
        open_after_edit.is_none(),
        "the edit left a transaction open"
    );
    assert_eq!(
        puts_after_double_click, 1,
        "a double click sent the change twice"
    );
    assert!(refusal.contains(&node_2), "{refusal}");
    assert!(
        save_disabled.is_some(),
        "Save stays disabled while a rule is broken"
    );
    assert_eq!(
        changes_before, changes_after,
        "nothing is sent for a broken rule"
    );
    assert!(dialog.contains("node-3"), "{dialog}");
    assert!(removed.contains(&node_3), "{removed}");
    assert_eq!(roles_3, None, "node-3 is no longer a member");
    assert!(
        open_after_removal.is_none(),
        "the removal left a transaction open"
    );
    assert_eq!(joined, "in cluster");
    assert_eq!(through, node_1);
    assert_eq!(lone, "not configured");
    browser.end().await;
}

#[tokio::test]
async fn a_failed_role_assignment_names_node_and_step_and_is_reverted() {
    let demo = Demo::start(2);
    build_cluster(&demo, 1, JoinedRoles::None).await;
    let browser = open_signed_in(&demo).await;
    let node_2 = demo.ready.nodes[1].address.clone();
    demo.control(
        Method::POST,
        "/faults",
        json!({"node": "node-1", "method": "PUT", "path": "/api/cluster/nodes/*",
               "kind": {"status": {"status": 500, "code": "InternalError",
                                   "message": "injected"}},
               "times": "once"}),
    )
    .await;

    browser.click("tr[data-name=node-2] .edit-roles").await;
    browser.click("#role-managed-host").await;
    browser.click("#role-search-minion").await;
    browser.click(".save-roles").await;
    let report = browser
        .wait_for_text(".flow-summary[role=alert]", "reverted")
        .await;
    let state = demo.node_state("node-1").await;
    let log = demo.request_log("node-1").await;

    assert!(
        report.starts_with(&format!("Assigning the roles of {node_2} failed on node-1")),
        "{report}"
    );
    assert!(report.contains("injected"), "{report}");
    assert!(state.transaction.is_none(), "the transaction was left open");
    assert_eq!(committed_roles(&demo, &node_2).await, Some(vec![]));
    let last = log.requests.last().expect("node-1 saw requests");
    assert!(
        log.requests
            .iter()
            .any(|entry| entry.method == "DELETE" && entry.path == "/api/transaction"),
        "no revert was sent; last request {last:?}"
    );
    browser.end().await;
}
