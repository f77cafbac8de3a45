//! Issue: sign in to a simulated node and see its `/api/cluster` endpoints.

use crate::harness::{Browser, Demo};

#[tokio::test]
async fn signing_in_to_a_node_lists_its_cluster_endpoints() {
    let demo = Demo::start(3);
    let browser = Browser::start().await;

    browser.client.goto(&demo.panel_url()).await.unwrap();
    let nodes = browser.wait_for_text(".node-buttons", "node-3").await;
    browser.click(".node-buttons li:nth-child(1) button").await;
    browser.type_into("#sign-in-user-node-1", "admin").await;
    browser.type_into("#sign-in-password-node-1", "admin").await;
    browser.click("form.sign-in button[type=submit]").await;
    let endpoints = browser.wait_for_text(".endpoint-list", "status").await;

    assert!(
        nodes.contains("node-1") && nodes.contains("node-2"),
        "{nodes}"
    );
    for key in [
        "configuration_sync",
        "join_request",
        "nodes",
        "promote",
        "status",
    ] {
        assert!(
            endpoints.contains(&format!("/api/cluster/{key}")),
            "{endpoints}"
        );
    }
    let log = demo.request_log("node-1").await;
    let requests: Vec<(&str, &str, Option<u16>)> = log
        .requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        requests,
        vec![
            ("GET", "/api/authentication", Some(200)),
            ("GET", "/api/cluster", Some(200))
        ]
    );
    let state = demo.node_state("node-1").await;
    assert_eq!(state.sessions, 1);
    assert!(state.transaction.is_none());
    browser.end().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message_naming_the_node() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser.client.goto(&demo.panel_url()).await.unwrap();
    browser.click(".node-buttons li:nth-child(1) button").await;
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
