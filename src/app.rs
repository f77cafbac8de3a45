//! The panel's top level: provides the shared state, keeps the query string in the
//! address bar, and lays out the node sidebar beside the selected screen.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::activity::{self, ActivityEntry};
use crate::api::set_request_time_limit;
use crate::components::activity_log::ActivityScreen;
use crate::components::changes::{ChangesScreen, JoinRuns};
use crate::components::cluster_view::ClusterScreen;
use crate::components::endpoint_tree::EndpointTreeScreen;
use crate::components::node_sidebar::NodeSidebar;
use crate::components::session_dialog::SessionExpiredDialog;
use crate::components::theme::ThemeSwitch;
use crate::components::transactions::TransactionsScreen;
use crate::context::Panel;
use crate::directory::{load_added_nodes, load_nodes_file, Directory};
use crate::session::SessionBook;
use crate::url_state::{format_query, keys, parse_query};
use sps_api::paths;

/// The activity log keeps this many requests; older ones fall off the front.
const ACTIVITY_LIMIT: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Cluster,
    Changes,
    Api,
    Transactions,
    Activity,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Cluster,
        Tab::Changes,
        Tab::Api,
        Tab::Transactions,
        Tab::Activity,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Tab::Cluster => "cluster",
            Tab::Changes => "changes",
            Tab::Api => "api",
            Tab::Transactions => "transactions",
            Tab::Activity => "activity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Cluster => "Cluster",
            Tab::Changes => "Promote & join",
            Tab::Api => "API",
            Tab::Transactions => "Transactions",
            Tab::Activity => "Activity",
        }
    }

    pub fn from_key(key: Option<&str>) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|tab| Some(tab.key()) == key)
            .unwrap_or(Tab::Cluster)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let panel = provide_panel();
    let deployed = LocalResource::new(load_nodes_file);

    Effect::new(move |_| {
        if let Some(Ok(file)) = deployed.get() {
            // Before any node is known, so that every request has the deployment's limit.
            set_request_time_limit(file.request_time_limit_ms);
            let added = load_added_nodes(&file.nodes);
            panel.directory.set(Directory {
                deployed: file.nodes,
                added,
            });
        }
    });

    // A memo: the screen below is rebuilt only when the tab changes, not on every change
    // of the query (a selected path, a filter), which would throw away its state.
    let tab_memo = Memo::new(move |_| Tab::from_key(panel.query_value(keys::TAB).as_deref()));
    let tab = move || tab_memo.get();
    let load_error = move || match deployed.get() {
        Some(Err(error)) => Some(error),
        _ => None,
    };

    view! {
        <header class="top-bar">
            <h1>"SPS cluster panel"</h1>
            <nav class="tabs" role="tablist" aria-label="Screens">
                {Tab::ALL
                    .into_iter()
                    .map(|each| {
                        view! {
                            <button
                                role="tab"
                                id=format!("tab-{}", each.key())
                                aria-selected=move || (tab() == each).to_string()
                                aria-controls="screen"
                                on:click=move |_| {
                                    panel.set_query(&[(keys::TAB, Some(each.key().to_owned()))])
                                }
                            >
                                {each.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
            <ThemeSwitch />
        </header>
        <Show when=move || load_error().is_some()>
            <p class="error banner" role="alert">{load_error}</p>
        </Show>
        <div class="layout">
            <NodeSidebar />
            <main
                class="content"
                id="screen"
                role="tabpanel"
                aria-labelledby=move || format!("tab-{}", tab().key())
            >
                {move || match tab() {
                    Tab::Cluster => view! { <ClusterScreen /> }.into_any(),
                    Tab::Changes => view! { <ChangesScreen /> }.into_any(),
                    Tab::Api => view! { <EndpointTreeScreen /> }.into_any(),
                    Tab::Transactions => view! { <TransactionsScreen /> }.into_any(),
                    Tab::Activity => view! { <ActivityScreen /> }.into_any(),
                }}
            </main>
        </div>
        <SessionExpiredDialog />
    }
}

/// Creates the shared state, provides it as context, and wires the activity log into
/// the sessions: a 2xx answer restarts a node's idle countdown, a 401 ends its session.
pub fn provide_panel() -> Panel {
    let (now_ms, set_now_ms) = signal(js_sys::Date::now());
    set_interval(
        move || set_now_ms.set(js_sys::Date::now()),
        Duration::from_secs(1),
    );
    let query = RwSignal::new(parse_query(&current_search()));
    Effect::new(move |_| {
        let search = query.with(format_query);
        replace_search(&search);
    });
    let sessions = RwSignal::new(SessionBook::default());
    let panel = Panel {
        directory: RwSignal::new(Directory::default()),
        sessions,
        generations: Memo::new(move |_| sessions.with(|s| s.generations().clone())),
        activity: RwSignal::new(Vec::new()),
        now_ms,
        query,
        owner: StoredValue::new(Owner::current()),
    };
    provide_context(panel);
    provide_context(JoinRuns::new());

    activity::subscribe(move |entry: &ActivityEntry| {
        panel.activity.update(|log| {
            if log.len() >= ACTIVITY_LIMIT {
                log.remove(0);
            }
            log.push(entry.clone());
        });
        let finished_at = entry.time_ms + entry.duration_ms;
        match entry.status {
            Some(401) if entry.path != paths::AUTHENTICATION => {
                panel.sessions.update(|s| {
                    s.expired(&entry.node);
                });
            }
            Some(200..=299) => panel
                .sessions
                .update(|s| s.touched(&entry.node, finished_at)),
            _ => {}
        }
    });
    panel
}

fn current_search() -> String {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default()
}

/// Puts the view's state in the address bar without adding a history entry per click.
fn replace_search(search: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = format!("{path}{search}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
