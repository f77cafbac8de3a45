//! Secrets stay where they belong: after a promote and a join with a distinctive
//! password, neither that password, nor a session id, nor the join's psk appears in
//! anything the panel or the simulator leaves readable: the page, the inputs, the
//! console (where a panic of the panel would land), the storages, the URL, the activity
//! export, the simulator's log and its request log. A failure names the secret and the
//! place, never the secret's value.

use reqwest::Method;
use serde_json::{json, Value};

use crate::cluster_changes::{prepare_join, promote_node_1};
use crate::harness::{Browser, Demo};

/// The `admin` password of this test's fleet: distinctive, so that any copy is found.
const CANARY_PASSWORD: &str = "Canary-Pass-7f3a";

/// Keeps every file the page hands to `URL.createObjectURL` (the activity export is
/// one), so the test reads exactly what a person would download.
const KEEP_EXPORTS: &str = r#"
    window.__exports = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = blob => {
        window.__exports.push(blob);
        return original.call(URL, blob);
    };
"#;

const READ_EXPORTS: &str = r#"
    return (async () => {
        const texts = await Promise.all(window.__exports.map(blob => blob.text()));
        return texts.join('\n');
    })();
"#;

const READ_STORAGES: &str = r#"
    const dump = storage => Object.fromEntries(
        Object.keys(storage).map(key => [key, storage.getItem(key)]));
    return JSON.stringify({local: dump(localStorage), session: dump(sessionStorage)});
"#;

/// Every IndexedDB database of the origin, with the contents of each of its stores.
const READ_INDEXED_DB: &str = r#"
    return (async () => {
        const asked = request => new Promise((done, failed) => {
            request.onsuccess = () => done(request.result);
            request.onerror = () => failed(request.error);
        });
        const found = [];
        for (const info of await indexedDB.databases()) {
            const db = await asked(indexedDB.open(info.name));
            for (const store of db.objectStoreNames) {
                const values = await asked(db.transaction(store).objectStore(store).getAll());
                found.push({database: info.name, store, values});
            }
            db.close();
        }
        return JSON.stringify(found);
    })();
"#;

/// The current value of every input and text area: what a person typed stays there
/// unless the panel clears it, and `innerHTML` does not show it.
const READ_INPUTS: &str = r#"
    return JSON.stringify([...document.querySelectorAll('input, textarea')]
        .map(field => field.id + '=' + field.value));
"#;

const READ_LOCATION: &str = r#"
    return JSON.stringify({href: location.href, state: history.state,
        length: history.length, referrer: document.referrer});
"#;

#[tokio::test]
async fn the_password_session_ids_and_psk_are_nowhere_after_a_promote_and_a_join() {
    let demo = Demo::start_keeping_log(2, &["--admin-password", CANARY_PASSWORD], "debug");
    let browser = Browser::start().await;
    browser.open_panel(&demo, "?tab=changes").await;
    browser.run_js(KEEP_EXPORTS).await;
    browser.sign_in_all(&demo, "admin", CANARY_PASSWORD).await;
    promote_node_1(&browser).await;
    prepare_join(&browser, &["node-2"]).await;
    // A slow registration leaves time to reveal the psk on its step, the one place it
    // may be shown.
    let slow_registration = json!({
        "node": "node-1", "method": "POST", "path": "/api/cluster/nodes", "times": "once",
        "kind": {"latency": {"ms": 2500}},
    });
    demo.control(Method::POST, "/faults", slow_registration)
        .await;

    browser.click(".join-start").await;
    browser.wait_for_text(".join-run .psk code", "•").await;
    browser.click(".join-run .psk button").await;
    let psk = browser
        .find(".join-run .psk code")
        .await
        .text()
        .await
        .unwrap();
    browser
        .wait_for_text(".join-run[data-node=node-2] .outcome", "Done")
        .await;
    let places = gather_places(&demo, &browser).await;
    let session_ids = session_ids(&browser).await;

    assert_eq!(psk.len(), 64, "the revealed psk is a whole one");
    assert_eq!(session_ids.len(), 2, "one session per node");
    let mut secrets = vec![
        ("the password", CANARY_PASSWORD.to_owned()),
        ("the psk", psk),
    ];
    secrets.extend(session_ids.into_iter().map(|id| ("a session id", id)));
    for (place, text) in &places {
        for (secret, value) in &secrets {
            assert!(
                !text.contains(value.as_str()),
                "{secret} appears in {place}"
            );
        }
    }
    browser.end().await;
}

/// Everything readable the flows left behind, each named for the failure message.
async fn gather_places(demo: &Demo, browser: &Browser) -> Vec<(&'static str, String)> {
    let text = |value: Value| match value {
        Value::String(text) => text,
        other => other.to_string(),
    };
    let mut places = vec![
        (
            "the page (document.documentElement.outerHTML)",
            text(
                browser
                    .run_js("return document.documentElement.outerHTML")
                    .await,
            ),
        ),
        (
            "the inputs' values",
            text(browser.run_js(READ_INPUTS).await),
        ),
        (
            "local or session storage",
            text(browser.run_js(READ_STORAGES).await),
        ),
        ("IndexedDB", text(browser.run_js(READ_INDEXED_DB).await)),
        (
            "the URL and history",
            text(browser.run_js(READ_LOCATION).await),
        ),
        (
            "the WebDriver URL",
            browser.client.current_url().await.unwrap().to_string(),
        ),
    ];

    // The export is a download: the browser is told to refuse it, the hook keeps it.
    browser
        .dev_tools("Browser.setDownloadBehavior", json!({"behavior": "deny"}))
        .await;
    browser.click("#tab-activity").await;
    browser.click(".export-activity").await;
    let export = text(browser.run_js(READ_EXPORTS).await);
    assert!(
        export.contains("/api/cluster/join_request"),
        "the export holds the requests"
    );
    places.push(("the activity export", export));
    let errors = browser.run_js("return window.__consoleErrors || []").await;
    places.push(("the console errors", errors.to_string()));
    // A line of the test's own proves that the browser's log is read at all.
    browser.run_js("console.info('secrets-test-marker')").await;
    let console = browser.console_messages().await.join("\n");
    assert!(
        console.contains("secrets-test-marker"),
        "the console is read"
    );
    places.push(("the browser's console log", console));

    let log = demo.log();
    // Never printed: if it held a secret, the failure message would leak it.
    assert!(log.contains("committed"), "the simulator's log is kept");
    places.push(("the simulator's log", log));
    for node in ["node-1", "node-2"] {
        let requests = serde_json::to_string(&demo.request_log(node).await).unwrap();
        places.push(("the simulator's request log", requests));
    }
    places
}

/// The session ids the browser holds for the nodes: HttpOnly cookies under each node's
/// prefix, out of the page's reach, so read through DevTools.
async fn session_ids(browser: &Browser) -> Vec<String> {
    let all = browser.dev_tools("Network.getAllCookies", json!({})).await;
    all["cookies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|cookie| cookie["name"] == "session_id")
        .filter_map(|cookie| cookie["value"].as_str())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}
