//! The panel's top level: the node list beside the selected node's screen.

use std::collections::BTreeMap;

use leptos::prelude::*;
use sps_api::deployment::NodeLocation;

use crate::api::NodeClient;
use crate::components::endpoint_list::ClusterEndpoints;
use crate::components::sign_in::{SignInForm, SignedIn};
use crate::directory::load_nodes_file;

#[component]
pub fn App() -> impl IntoView {
    let nodes = LocalResource::new(load_nodes_file);
    let (selected, set_selected) = signal(None::<String>);
    let sessions = RwSignal::new(BTreeMap::<String, SignedIn>::new());

    let on_signed_in = Callback::new(move |signed_in: SignedIn| {
        sessions.update(|sessions| {
            sessions.insert(signed_in.node.clone(), signed_in);
        });
    });

    view! {
        <header class="top-bar">
            <h1>"SPS cluster panel"</h1>
        </header>
        <div class="layout">
            <nav class="node-nav" aria-label="Nodes">
                <h2>"Nodes"</h2>
                <Suspense fallback=|| view! { <p class="loading">"Loading nodes…"</p> }>
                    {move || {
                        nodes
                            .get()
                            .map(|outcome| match outcome {
                                Ok(list) => {
                                    view! {
                                        <NodeButtons
                                            nodes=list
                                            selected=selected
                                            on_select=Callback::new(move |name| {
                                                set_selected.set(Some(name))
                                            })
                                            sessions=sessions
                                        />
                                    }
                                        .into_any()
                                }
                                Err(error) => {
                                    view! { <p class="error" role="alert">{error}</p> }.into_any()
                                }
                            })
                    }}
                </Suspense>
            </nav>
            <main class="content">
                {move || {
                    let Some(name) = selected.get() else {
                        return view! { <p class="empty">"Choose a node."</p> }.into_any();
                    };
                    let Some(Ok(list)) = nodes.get() else {
                        return ().into_any();
                    };
                    let Some(location) = list.into_iter().find(|node| node.name == name) else {
                        return ().into_any();
                    };
                    view! { <NodeScreen location sessions on_signed_in /> }.into_any()
                }}
            </main>
        </div>
    }
}

#[component]
fn NodeButtons(
    nodes: Vec<NodeLocation>,
    selected: ReadSignal<Option<String>>,
    on_select: Callback<String>,
    sessions: RwSignal<BTreeMap<String, SignedIn>>,
) -> impl IntoView {
    if nodes.is_empty() {
        return view! { <p class="empty">"nodes.json lists no nodes."</p> }.into_any();
    }
    view! {
        <ul class="node-buttons">
            {nodes
                .into_iter()
                .map(|node| {
                    let name = node.name.clone();
                    let is_selected = {
                        let name = name.clone();
                        move || selected.get().as_deref() == Some(name.as_str())
                    };
                    let session_label = {
                        let name = name.clone();
                        move || {
                            sessions
                                .with(|s| s.get(&name).map(|s| format!("signed in as {}", s.user)))
                        }
                    };
                    view! {
                        <li>
                            <button
                                class="node-button"
                                aria-pressed=move || is_selected().to_string()
                                on:click=move |_| on_select.run(name.clone())
                            >
                                <span class="node-name">{node.name.clone()}</span>
                                <span class="node-address">{node.cluster_address.clone()}</span>
                                <span class="node-session">{session_label}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn NodeScreen(
    location: NodeLocation,
    sessions: RwSignal<BTreeMap<String, SignedIn>>,
    on_signed_in: Callback<SignedIn>,
) -> impl IntoView {
    let client = NodeClient::new(&location);
    let name = location.name.clone();
    let signed_in = move || sessions.with(|s| s.contains_key(&name));
    move || {
        if signed_in() {
            view! { <ClusterEndpoints client=client.clone() /> }.into_any()
        } else {
            view! { <SignInForm client=client.clone() on_signed_in /> }.into_any()
        }
    }
}
