//! The transactions screen: open, pending changes, commit with a required message,
//! revert, a lock held by someone else, the read-only user, and a session that ends
//! while the person works.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Browser, Demo};

/// Makes a pending change in the page's own session, as another screen of the panel
/// would: switch the cluster interface off.
const CHANGE_CLUSTER_INTERFACE: &str = r#"
    const done = arguments[arguments.length - 1];
    fetch('/sps/node-1/api/configuration/local_services/cluster', {
        method: 'PUT',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({enabled: false}),
    }).then(r => done(r.status));
"#;

#[tokio::test]
async fn a_pending_change_is_listed_and_commit_asks_for_the_required_message() {
    let demo = Demo::start(1);
    demo.control(
        Method::PUT,
        "/nodes/node-1/settings",
        json!({"require_commit_message": true}),
    )
    .await;
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    browser.click(".open-transaction").await;
    browser.wait_for_text(".transaction-status", "open").await;
    let status = browser
        .client
        .execute_async(CHANGE_CLUSTER_INTERFACE, vec![])
        .await
        .unwrap();
    browser.click(".transactions .screen-head button").await;
    let changes = browser.wait_for_text("table.changes", "replace").await;
    browser.click("button.commit").await;
    let refusal = browser
        .wait_for_text(".notice", "requires a commit message")
        .await;
    let still_open = demo.node_state("node-1").await.transaction.is_some();
    browser
        .type_into("#commit-message", "switch the cluster interface off")
        .await;
    browser.click("button.commit").await;
    browser.wait_for_text(".transaction-status", "closed").await;

    assert_eq!(status, json!(200));
    assert!(changes.contains("cluster"), "{changes}");
    assert!(refusal.contains("commit message"), "{refusal}");
    assert!(still_open, "nothing is sent while the message is missing");
    let state = demo.node_state("node-1").await;
    assert!(state.transaction.is_none());
    assert!(!state.cluster_interface.enabled);
    browser.end().await;
}

#[tokio::test]
async fn revert_drops_the_pending_change() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    browser.click(".open-transaction").await;
    browser.wait_for_text(".transaction-status", "open").await;
    browser
        .client
        .execute_async(CHANGE_CLUSTER_INTERFACE, vec![])
        .await
        .unwrap();
    browser.click("button.revert").await;
    browser.wait_for_text(".transaction-status", "closed").await;

    let state = demo.node_state("node-1").await;
    assert!(state.transaction.is_none());
    assert!(state.cluster_interface.enabled);
    browser.end().await;
}

#[tokio::test]
async fn a_lock_held_by_someone_else_names_its_holder() {
    let demo = Demo::start(1);
    demo.control(Method::POST, "/nodes/node-1/lock", json!({"user": "bob"}))
        .await;
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    browser.click(".open-transaction").await;
    let lock = browser.wait_for_text(".lock-holder", "bob").await;

    assert!(lock.contains("locked by bob"), "{lock}");
    let reads = demo
        .request_log("node-1")
        .await
        .requests
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/transaction")
        .count();
    assert!(
        reads <= 4,
        "the screen re-read the transaction {reads} times"
    );
    let state = demo.node_state("node-1").await;
    assert_eq!(state.transaction.map(|t| t.user).as_deref(), Some("bob"));
    browser.end().await;
}

#[tokio::test]
async fn the_read_only_user_is_told_it_may_not_open_a_transaction() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "auditor", "auditor").await;
    browser.click(".open-transaction").await;
    let error = browser.wait_for_text(".transactions .error", "403").await;

    assert!(
        error.contains("node-1: POST /api/transaction answered 403 Unauthorized"),
        "{error}"
    );
    assert!(demo.node_state("node-1").await.transaction.is_none());
    browser.end().await;
}

#[tokio::test]
async fn a_session_that_ends_in_use_asks_for_credentials_and_keeps_the_screen() {
    let demo = Demo::start(2);
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    browser.wait_for_text(".transaction-status", "closed").await;
    demo.control(Method::POST, "/nodes/node-1/expire_sessions", json!({}))
        .await;
    browser.click(".transactions .screen-head button").await;
    let dialog = browser
        .wait_for_text("[role=dialog]", "Session ended on node-1")
        .await;
    browser
        .type_into("[role=dialog] #sign-in-user-node-1", "admin")
        .await;
    browser
        .type_into("[role=dialog] #sign-in-password-node-1", "admin")
        .await;
    browser.click("[role=dialog] button[type=submit]").await;
    browser.wait_for_text(".transaction-status", "closed").await;
    let dialogs = browser
        .client
        .find_all(fantoccini::Locator::Css("[role=dialog]"))
        .await
        .unwrap();
    let url = browser.client.current_url().await.unwrap();

    assert!(dialog.contains("stays as it was"), "{dialog}");
    assert!(
        dialogs.is_empty(),
        "the dialog closes after signing in again"
    );
    assert_eq!(url.query(), Some("node=node-1&tab=transactions"));
    browser.end().await;
}

#[tokio::test]
async fn the_activity_log_lists_requests_and_exports_them_without_secrets() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser.open_panel(&demo, "?tab=activity").await;
    browser.sign_in("node-1", "admin", "admin").await;
    let table = browser
        .wait_for_text(".activity-table", "/api/authentication")
        .await;
    // Read the export the way the download gets it: the same JSON the button saves.
    browser
        .run_js(
            "window.__exported = null; const original = URL.createObjectURL; \
             URL.createObjectURL = blob => { blob.text().then(t => window.__exported = t); \
             return original(blob); };",
        )
        .await;
    browser.click(".export-activity").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let exported = browser.run_js("return window.__exported").await;
    let exported = exported.as_str().unwrap_or_default();

    assert!(table.contains("node-1") && table.contains("200"), "{table}");
    let entries: serde_json::Value = serde_json::from_str(exported).unwrap();
    assert_eq!(entries[0]["path"], "/api/authentication");
    assert_eq!(entries[0]["status"], 200);
    assert!(!exported.contains("admin"), "{exported}");
    assert!(!exported.contains("YWRtaW46YWRtaW4"), "{exported}");
    browser.end().await;
}
