//! Component tests: panel components mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sps_panel::app::provide_panel;
use sps_panel::components::sign_in::SignInForm;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn scratch() -> HtmlElement {
    let document = document();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

async fn next_tick() {
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn sign_in_form_labels_every_field() {
    let root = scratch();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        provide_panel();
        view! { <SignInForm node="node-1".to_owned() /> }
    });
    next_tick().await;

    let user_label = root
        .query_selector("label[for=sign-in-user-node-1]")
        .unwrap();
    let password = root
        .query_selector("#sign-in-password-node-1")
        .unwrap()
        .unwrap();

    assert!(user_label.is_some());
    assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
}

#[wasm_bindgen_test]
async fn submitting_without_a_user_name_says_so_and_sends_nothing() {
    let root = scratch();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        provide_panel();
        view! { <SignInForm node="node-1".to_owned() /> }
    });
    next_tick().await;

    let button: HtmlElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    next_tick().await;

    let error = root.query_selector("[role=alert]").unwrap().unwrap();
    assert_eq!(error.text_content().as_deref(), Some("Enter a user name."));
    let every_node = root.query_selector("#sign-in-every-node-1").unwrap();
    assert!(
        every_node.is_none(),
        "the every-node option is only offered when asked for"
    );
}

mod cluster_rows {
    //! The cluster table's rows update cell by cell.

    use std::collections::BTreeMap;

    use leptos::prelude::*;
    use sps_api::cluster::{Gauge, Health, SyncIssue, SyncStatus};
    use sps_panel::cluster::NodeRow;
    use sps_panel::components::cluster_view::row::ClusterRow;
    use sps_panel::context::Panel;
    use sps_panel::directory::Directory;
    use sps_panel::session::SessionBook;
    use wasm_bindgen_test::*;

    const SEEN_MS: f64 = 1_714_564_800_000.0;

    fn provide_panel() {
        let (now_ms, _) = signal(SEEN_MS + 5_000.0);
        provide_context(Panel {
            directory: RwSignal::new(Directory::default()),
            sessions: RwSignal::new(SessionBook::default()),
            generations: Memo::new(|_| BTreeMap::new()),
            activity: RwSignal::new(Vec::new()),
            now_ms,
            query: RwSignal::new(Default::default()),
            owner: StoredValue::new(Owner::current()),
        });
    }

    fn row() -> NodeRow {
        NodeRow {
            key: "id-2".into(),
            name: Some("node-2".into()),
            node_id: Some("id-2".into()),
            address: "10.0.0.2".into(),
            fqdn: Some("node-2.example".into()),
            roles: Vec::new(),
            last_seen: Some("2024-05-01T12:00:00Z".into()),
            last_seen_ms: Some(SEEN_MS),
            health: Some(Health {
                memory: Gauge::Text("21%".into()),
                disk: Gauge::Text("5%".into()),
                swap: Gauge::Text("0%".into()),
                load1: 0.1,
                load5: 0.2,
                load15: 0.3,
                sessions: BTreeMap::new(),
                total_sessions: 0,
            }),
            sync_status: Some(SyncStatus::UpToDate),
            warnings: Vec::new(),
            errors: Vec::new(),
            outside: None,
        }
    }

    fn mount(signal: RwSignal<NodeRow>) -> (web_sys::HtmlElement, impl Drop) {
        let root = super::scratch();
        let mounted = leptos::mount::mount_to(root.clone(), move || {
            provide_panel();
            let now_ms = Signal::derive(|| SEEN_MS + 5_000.0);
            view! {
                <table>
                    <tbody>
                        <ClusterRow row=signal now_ms=now_ms cm=Signal::derive(|| None)
                            stale_since=Signal::derive(|| None) />
                    </tbody>
                </table>
            }
        });
        (root, mounted)
    }

    fn cell_text_node(root: &web_sys::HtmlElement, css: &str) -> web_sys::Node {
        root.query_selector(css)
            .unwrap()
            .unwrap()
            .first_child()
            .unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_changed_health_figure_rewrites_only_its_own_cell() {
        let signal = RwSignal::new(row());
        let (root, _mounted) = mount(signal);
        super::next_tick().await;
        let address = cell_text_node(&root, "td.address");
        let health = cell_text_node(&root, "td.health");
        let before = health.text_content().unwrap_or_default();

        signal.update(|row| {
            if let Some(health) = row.health.as_mut() {
                health.load1 = 0.9;
            }
        });
        super::next_tick().await;

        let address_after = cell_text_node(&root, "td.address");
        let health_after = cell_text_node(&root, "td.health");
        assert!(address.is_same_node(Some(&address_after)));
        assert!(health.is_same_node(Some(&health_after)));
        assert!(before.contains("load 0.10 0.20 0.30"), "{before}");
        assert!(health_after
            .text_content()
            .unwrap_or_default()
            .contains("load 0.90 0.20 0.30"));
    }

    #[wasm_bindgen_test]
    async fn a_sync_warning_turns_the_row_to_issues_and_links_only_api_paths() {
        let signal = RwSignal::new(row());
        let (root, _mounted) = mount(signal);
        super::next_tick().await;
        let status_before = root.query_selector(".status-label").unwrap().unwrap();
        let ok = status_before.text_content();

        signal.update(|row| {
            row.warnings = vec![SyncIssue {
                message: "odd".into(),
                paths: vec!["/api/info".into(), "javascript:alert(1)".into()],
            }]
        });
        super::next_tick().await;

        let status = root.query_selector(".status-label").unwrap().unwrap();
        let first_link = root.query_selector(".issue .path-link").unwrap().unwrap();
        let second_link = root.query_selector(".issue button:nth-of-type(2)").unwrap();
        let plain = root.query_selector("code.path").unwrap().unwrap();
        assert_eq!(ok.as_deref(), Some("OK"));
        assert_eq!(status.text_content().as_deref(), Some("ISSUES"));
        assert_eq!(first_link.text_content().as_deref(), Some("/api/info"));
        assert!(second_link.is_none());
        assert_eq!(plain.text_content().as_deref(), Some("javascript:alert(1)"));
    }
}
