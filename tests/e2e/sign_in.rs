//! Signing in and out of nodes through the sidebar, and what the nodes saw of it.

use crate::harness::{Browser, Demo};

#[tokio::test]
async fn signing_in_to_a_node_shows_its_session_and_signs_in_once() {
    let demo = Demo::start(3);
    let browser = Browser::start().await;

    browser.open_panel(&demo, "").await;
    browser.sign_in("node-1", "admin", "admin").await;
    let state = browser
        .wait_for_text(".node-entry[data-node=node-1] .session-state", "admin")
        .await;
    let other = browser
        .find(".node-entry[data-node=node-2] .session-state")
        .await
        .text()
        .await
        .unwrap();

    assert!(state.contains("19:") || state.contains("20:00"), "{state}");
    assert_eq!(other, "not signed in");
    let log = demo.request_log("node-1").await;
    let sign_ins: Vec<Option<u16>> = log
        .requests
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/authentication")
        .map(|r| r.status)
        .collect();
    assert_eq!(sign_ins, vec![Some(200)]);
    let state = demo.node_state("node-1").await;
    assert_eq!(state.sessions, 1);
    assert!(state.transaction.is_none());
    browser.end().await;
}

#[tokio::test]
async fn the_same_credentials_sign_in_to_every_node_and_sign_out_ends_one_session() {
    let demo = Demo::start(3);
    let browser = Browser::start().await;

    browser.open_panel(&demo, "").await;
    browser.sign_in_all(&demo, "auditor", "auditor").await;
    browser
        .click(".node-entry[data-node=node-2] .sign-out")
        .await;
    browser
        .wait_for_text(
            ".node-entry[data-node=node-2] .session-state",
            "not signed in",
        )
        .await;

    for node in ["node-1", "node-3"] {
        assert_eq!(demo.node_state(node).await.sessions, 1, "{node}");
    }
    let node_2_requests = demo.request_log("node-2").await.requests;
    let last = node_2_requests.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("DELETE", "/api/authentication")
    );
    browser.end().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message_naming_the_node() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser.open_panel(&demo, "").await;
    browser
        .click(".node-entry[data-node=node-1] .sign-in-toggle")
        .await;
    browser.type_into("#sign-in-user-node-1", "admin").await;
    browser
        .type_into("#sign-in-password-node-1", "not-the-password")
        .await;
    browser.click("form.sign-in button[type=submit]").await;
    let message = browser.wait_for_text("form.sign-in .error", "wrong").await;

    assert!(message.contains("node-1"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");
    browser.end().await;
}

#[tokio::test]
async fn an_added_node_is_kept_across_reloads_without_credentials() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser.open_panel(&demo, "").await;
    browser.click(".add-node-toggle").await;
    browser.type_into("#add-node-name", "spare").await;
    browser.type_into("#add-node-address", "not-an-ip").await;
    browser.click(".add-node-form button[type=submit]").await;
    let refusal = browser
        .wait_for_text(".add-node-form .error", "Cluster address")
        .await;
    browser
        .find("#add-node-address")
        .await
        .clear()
        .await
        .unwrap();
    browser.type_into("#add-node-address", "127.0.0.99").await;
    browser.click(".add-node-form button[type=submit]").await;
    browser.wait_for_text(".node-list", "spare").await;
    browser.client.refresh().await.unwrap();
    let list = browser.wait_for_text(".node-list", "spare").await;
    let stored: String = browser
        .client
        .execute(
            "return localStorage.getItem('sps-panel.added-nodes')",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();

    assert!(refusal.contains("\"not-an-ip\""), "{refusal}");
    assert!(list.contains("127.0.0.99"), "{list}");
    assert_eq!(
        stored,
        r#"[{"name":"spare","prefix":"/sps/spare","cluster_address":"127.0.0.99"}]"#
    );
    browser.end().await;
}
