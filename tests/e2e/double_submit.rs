//! A change starts once however the person presses: ten clicks in a row, ten clicks in
//! one task of the page, or ten Enter presses on the start button of a join or of a
//! promote send each of the flow's POSTs exactly once.

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::key::Key;
use reqwest::Method;
use serde_json::json;

use crate::cluster_changes::prepare_join;
use crate::cluster_setup::{build_cluster, JoinedRoles};
use crate::harness::{Browser, Demo};

const PRESSES: usize = 10;

#[derive(Debug, Clone, Copy)]
enum Press {
    /// Real pointer clicks, one after the other, through WebDriver's input actions.
    Clicks,
    /// `click()` in one script, before the page can redraw in between.
    ClicksInOneTask,
    /// The button focused, then Enter pressed and released again and again.
    EnterKeys,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Join,
    Promote,
}

impl Change {
    fn start_button(self) -> &'static str {
        match self {
            Change::Join => ".join-start",
            Change::Promote => ".promote-start",
        }
    }

    /// The POSTs the change sends, by node, each of which must be sent once.
    fn posts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Change::Join => &[
                ("node-2", "/api/transaction"),
                ("node-2", "/api/cluster/join_request"),
                ("node-1", "/api/transaction"),
                ("node-1", "/api/cluster/nodes"),
            ],
            Change::Promote => &[
                ("node-1", "/api/transaction"),
                ("node-1", "/api/cluster/promote"),
            ],
        }
    }
}

#[tokio::test]
async fn hammering_the_start_buttons_sends_each_post_of_the_change_once() {
    let demo = Demo::start_keeping_log(2, &["--join-delay-ms", "0"], "warn");
    let browser = Browser::start().await;
    let cases = [
        (Change::Join, Press::Clicks),
        (Change::Join, Press::ClicksInOneTask),
        (Change::Join, Press::EnterKeys),
        (Change::Promote, Press::Clicks),
        (Change::Promote, Press::ClicksInOneTask),
        (Change::Promote, Press::EnterKeys),
    ];

    for (change, press) in cases {
        check_presses(&demo, &browser, change, press).await;
    }
    browser.end().await;
}

/// Prepares `change` on a fresh fleet, presses its start button ten times as `press`
/// says, waits for the change to finish and counts the POSTs the nodes received.
async fn check_presses(demo: &Demo, browser: &Browser, change: Change, press: Press) {
    demo.control(Method::POST, "/reset", json!({})).await;
    browser
        .run_js("try { sessionStorage.clear(); } catch (_) {}")
        .await;
    browser.open_panel(demo, "?tab=changes").await;
    browser.sign_in_all(demo, "admin", "admin").await;
    let outcome = match change {
        Change::Join => {
            build_cluster(demo, 0, JoinedRoles::None).await;
            prepare_join(browser, &["node-2"]).await;
            ".join-run[data-node=node-2] .outcome"
        }
        Change::Promote => {
            browser.confirm_promote("node-1").await;
            ".promote-flow .outcome"
        }
    };
    // The preflight opens and reverts transactions of its own: count from here.
    for node in ["node-1", "node-2"] {
        let path = format!("/nodes/{node}/requests");
        demo.control(Method::DELETE, &path, json!({})).await;
    }

    press_ten_times(browser, change.start_button(), press).await;
    browser.wait_for_text(outcome, "Done").await;

    for (node, path) in change.posts() {
        let sent = demo
            .request_log(node)
            .await
            .requests
            .iter()
            .filter(|r| r.method == "POST" && r.path == *path)
            .count();
        assert_eq!(
            sent, 1,
            "{change:?} pressed as {press:?}: POST {path} on {node}"
        );
    }
}

async fn press_ten_times(browser: &Browser, css: &str, press: Press) {
    let button = browser.find(css).await;
    match press {
        Press::Clicks => {
            let mut mouse =
                MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
                    element: button,
                    duration: None,
                    x: 0,
                    y: 0,
                });
            for _ in 0..PRESSES {
                mouse = mouse
                    .then(PointerAction::Down {
                        button: MOUSE_BUTTON_LEFT,
                    })
                    .then(PointerAction::Up {
                        button: MOUSE_BUTTON_LEFT,
                    });
            }
            browser
                .client
                .perform_actions(mouse)
                .await
                .expect("clicking");
        }
        Press::ClicksInOneTask => {
            let script = format!(
                "const button = document.querySelector('{css}'); \
                 for (let i = 0; i < {PRESSES}; i++) button.click();"
            );
            browser.run_js(&script).await;
        }
        Press::EnterKeys => {
            browser
                .run_js(&format!("document.querySelector('{css}').focus()"))
                .await;
            let enter = char::from(Key::Enter);
            let mut keys = KeyActions::new("keyboard".to_owned());
            for _ in 0..PRESSES {
                keys = keys
                    .then(KeyAction::Down { value: enter })
                    .then(KeyAction::Up { value: enter });
            }
            browser
                .client
                .perform_actions(keys)
                .await
                .expect("pressing Enter");
        }
    }
}
