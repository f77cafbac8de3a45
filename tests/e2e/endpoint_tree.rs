//! Issue: the endpoint tree. Browse a node's API from `/api` with the keyboard only, see
//! an entry's JSON, allowed methods and a secret-free curl command, and open an entry
//! from a link.

use fantoccini::key::Key;
use fantoccini::Locator;

use crate::harness::{Browser, Demo};

/// The CSS selector of the tree row of `path` (ids hold `/`, which a bare `#id` cannot).
fn row(path: &str) -> String {
    format!("[id=\"tree-item-{path}\"]")
}

/// Sends one key to whatever has the browser's focus, as a person at the keyboard does.
async fn press(browser: &Browser, key: Key) {
    let focused = browser
        .client
        .active_element()
        .await
        .expect("a focused element");
    focused
        .send_keys(&char::from(key).to_string())
        .await
        .expect("pressing a key");
}

async fn attribute(browser: &Browser, css: &str, name: &str) -> Option<String> {
    browser
        .find(css)
        .await
        .attr(name)
        .await
        .expect("reading an attribute")
}

/// Waits until the element of `css` has `name="value"`.
async fn wait_for_attribute(browser: &Browser, css: &str, name: &str, value: &str) {
    let selector = format!("{css}[{name}=\"{value}\"]");
    browser.find(&selector).await;
}

async fn focused_id(browser: &Browser) -> Option<String> {
    let focused = browser
        .client
        .active_element()
        .await
        .expect("a focused element");
    focused.attr("id").await.expect("reading the focused id")
}

#[tokio::test]
async fn the_keyboard_alone_opens_cluster_and_shows_nodes_with_methods_and_curl() {
    let demo = Demo::start(2);
    let browser = Browser::start().await;
    let address = demo.ready.nodes[0].address.clone();
    // Opened on the API tab, so no other screen reads the node meanwhile.
    browser.open_panel(&demo, "?tab=api").await;
    browser.sign_in_all(&demo, "admin", "admin").await;
    browser
        .click(".node-entry[data-node=node-1] .node-select")
        .await;
    let root = browser.find(&row("/api")).await;

    // WebDriver focuses the element it types into: the same as tabbing to the tree's
    // single tab stop. Everything after goes to whatever has the focus.
    root.send_keys(&char::from(Key::Right).to_string())
        .await
        .expect("pressing Right on the root");
    browser.find(&row("/api/cluster")).await;
    for key in [Key::Down, Key::Down] {
        press(&browser, key).await;
    }
    let on_cluster = focused_id(&browser).await;
    press(&browser, Key::Right).await;
    browser.find(&row("/api/cluster/nodes")).await;
    for key in [Key::Right, Key::Down, Key::Down] {
        press(&browser, key).await;
    }
    let on_nodes = focused_id(&browser).await;
    press(&browser, Key::Enter).await;
    let detail = browser
        .wait_for_text(".entry-detail .json-view", "items")
        .await;
    let methods = browser.wait_for_text(".entry-detail .allow", "GET").await;
    let command = browser.find(".curl-command").await.text().await.unwrap();
    let page = browser.find("body").await.text().await.unwrap();
    let url = browser.client.current_url().await.unwrap();

    assert_eq!(on_cluster.as_deref(), Some("tree-item-/api/cluster"));
    assert_eq!(on_nodes.as_deref(), Some("tree-item-/api/cluster/nodes"));
    assert_eq!(
        attribute(&browser, &row("/api"), "aria-expanded")
            .await
            .as_deref(),
        Some("true")
    );
    let nodes = row("/api/cluster/nodes");
    assert_eq!(
        attribute(&browser, &nodes, "aria-selected")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        attribute(&browser, &nodes, "aria-level").await.as_deref(),
        Some("3")
    );
    assert_eq!(
        attribute(&browser, &nodes, "tabindex").await.as_deref(),
        Some("0")
    );
    assert_eq!(
        attribute(&browser, &row("/api"), "tabindex")
            .await
            .as_deref(),
        Some("-1")
    );
    assert!(detail.contains("meta"), "{detail}");
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    assert_eq!(
        command,
        format!("curl --cookie cookies https://{address}/api/cluster/nodes")
    );
    assert!(!page.contains("session_id"), "{page}");
    assert!(
        url.query()
            .unwrap_or_default()
            .contains("path=/api/cluster/nodes"),
        "{url}"
    );
    let log = demo.request_log("node-1").await;
    let reads: Vec<&str> = log
        .requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/cluster"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(reads, ["/api/cluster", "/api/cluster/nodes"]);
    browser.end().await;
}

#[tokio::test]
async fn a_deep_link_shows_its_entry_after_a_reload() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;
    browser.open_panel(&demo, "").await;
    browser.sign_in_all(&demo, "admin", "admin").await;

    // The session cookie outlives the page: the reloaded panel reads with it even though
    // it does not know yet that it is signed in.
    browser
        .open_panel(&demo, "?tab=api&node=node-1&path=/api/cluster/status")
        .await;
    let target = row("/api/cluster/status");
    wait_for_attribute(&browser, &target, "aria-selected", "true").await;
    let heading = browser
        .wait_for_text(".entry-detail h2", "/api/cluster/status")
        .await;
    let detail = browser
        .wait_for_text(".entry-detail .json-view", "meta")
        .await;

    assert_eq!(heading, "/api/cluster/status");
    assert!(detail.contains("/api/cluster/status"), "{detail}");
    for ancestor in ["/api", "/api/cluster"] {
        let expanded = attribute(&browser, &row(ancestor), "aria-expanded").await;
        assert_eq!(expanded.as_deref(), Some("true"), "{ancestor}");
    }
    assert_eq!(
        attribute(&browser, &target, "tabindex").await.as_deref(),
        Some("0")
    );
    let trees = browser
        .client
        .find_all(Locator::Css("[role=tree]"))
        .await
        .unwrap();
    assert_eq!(trees.len(), 1);
    browser.end().await;
}

#[tokio::test]
async fn a_meta_link_selects_its_entry_in_the_tree() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;
    browser.open_panel(&demo, "").await;
    browser.sign_in_all(&demo, "admin", "admin").await;
    browser
        .open_panel(&demo, "?tab=api&node=node-1&path=/api/cluster/status")
        .await;
    browser
        .wait_for_text(".entry-detail .meta-links", "parent")
        .await;

    browser
        .click(".entry-detail .meta-links a[href*=\"path=/api/cluster&\"]")
        .await;
    let heading = browser
        .wait_for_text(".entry-detail h2", "/api/cluster")
        .await;
    wait_for_attribute(&browser, &row("/api/cluster"), "aria-selected", "true").await;

    assert_eq!(heading, "/api/cluster");
    let status = row("/api/cluster/status");
    assert_eq!(
        attribute(&browser, &status, "aria-selected")
            .await
            .as_deref(),
        Some("false")
    );
    browser.end().await;
}

#[tokio::test]
async fn without_a_session_the_entry_says_to_sign_in_and_reads_once_signed_in() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;

    browser
        .open_panel(&demo, "?tab=api&node=node-1&path=/api/cluster/status")
        .await;
    let refused = browser
        .wait_for_text(".entry-detail .error", "Sign in to node-1")
        .await;
    let root_status = browser
        .wait_for_text("[id=\"tree-item-/api-status\"]", "Sign in")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    let detail = browser
        .wait_for_text(".entry-detail .json-view", "meta")
        .await;

    assert_eq!(refused, "Sign in to node-1 to read /api/cluster/status.");
    assert_eq!(root_status, "Sign in to node-1 to read /api.");
    assert!(detail.contains("/api/cluster/status"), "{detail}");
    browser.find(&row("/api/cluster/status")).await;
    browser.end().await;
}
