//! The node sidebar: every node the panel knows, its session and remaining time, sign-in
//! and sign-out, and the form to add a node in this browser.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sps_api::deployment::{proxy_prefix, NodeLocation};

use crate::components::sign_in::SignInForm;
use crate::context::Panel;
use crate::directory::{save_added_nodes, sidebar_names, SIDEBAR_LIST_LIMIT};
use crate::url_state::keys;

/// `mm:ss` for a countdown.
pub fn format_countdown(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[component]
pub fn NodeSidebar() -> impl IntoView {
    let panel = Panel::expect();
    let (search, set_search) = signal(String::new());
    let total = Memo::new(move |_| panel.directory.with(|d| d.all().count()));
    let listed = Memo::new(move |_| {
        let search = search.get();
        panel.directory.with(|d| sidebar_names(d.all(), &search))
    });
    let names = move || listed.with(|(names, _)| names.clone());
    let more = move || {
        let (shown, matched) = listed.with(|(names, matched)| (names.len(), *matched));
        (matched > shown).then(|| {
            view! {
                <p class="more-nodes">
                    {format!("Showing {shown} of {matched} nodes: search to find the others.")}
                </p>
            }
        })
    };

    view! {
        <aside class="node-nav" aria-label="Nodes">
            <h2>"Nodes"</h2>
            <Show when=move || { total.get() > SIDEBAR_LIST_LIMIT }>
                <label for="node-search" class="visually-hidden">"Find a node"</label>
                <input id="node-search" type="search" placeholder="Find a node: name or address"
                    prop:value=search on:input=move |e| set_search.set(event_target_value(&e)) />
            </Show>
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="empty">"No nodes yet: add one below."</p> }
            >
                <ul class="node-list">
                    <For each=names key=|name| name.clone() let:name>
                        <NodeEntry name />
                    </For>
                </ul>
                {more}
            </Show>
            <AddNodeForm />
        </aside>
    }
}

#[component]
fn NodeEntry(name: String) -> impl IntoView {
    let panel = Panel::expect();
    let (signing_in, set_signing_in) = signal(false);
    let location = panel.directory.with_untracked(|d| d.find(&name).cloned());
    let address = location
        .as_ref()
        .map(|l| l.cluster_address.clone())
        .unwrap_or_default();
    let removable = panel.directory.with_untracked(|d| d.is_added(&name));

    let session_text = {
        let name = name.clone();
        move || {
            let now = panel.now_ms.get();
            panel.sessions.with(|s| match s.get(&name) {
                None => "not signed in".to_owned(),
                Some(session) if session.expired => "session ended".to_owned(),
                Some(session) => {
                    let left = s.remaining_seconds(&name, now).unwrap_or(0);
                    format!("{} · {} left", session.user, format_countdown(left))
                }
            })
        }
    };
    let active = {
        let name = name.clone();
        Memo::new(move |_| panel.is_signed_in(&name))
    };
    let selected = {
        let name = name.clone();
        Memo::new(move |_| panel.selected_node().as_deref() == Some(name.as_str()))
    };
    let select = {
        let name = name.clone();
        move |_| panel.set_query(&[(keys::NODE, Some(name.clone()))])
    };
    let sign_out = {
        let name = name.clone();
        move |_| {
            let Some(client) = panel.client(&name) else {
                return;
            };
            panel.sessions.update(|s| s.signed_out(&client.node));
            spawn_local(async move {
                // The node may refuse (an old firmware): the panel has forgotten the
                // session either way, and the cookie expires on the node's own clock.
                let _ = client.sign_out().await;
            });
        }
    };
    let remove = {
        let name = name.clone();
        move |_| {
            panel.directory.update(|d| d.remove_added(&name));
            panel.sessions.update(|s| s.signed_out(&name));
            panel
                .directory
                .with_untracked(|d| save_added_nodes(&d.added));
        }
    };
    let form_node = name.clone();

    view! {
        <li class="node-entry" data-node=name.clone() class:selected=selected>
            <button
                class="node-select"
                aria-pressed=move || selected.get().to_string()
                on:click=select
            >
                <span class="node-name">{name.clone()}</span>
                <span class="node-address">{address}</span>
            </button>
            <span class="session-state" aria-live="polite">{session_text}</span>
            <div class="node-actions">
                <Show
                    when=move || active.get()
                    fallback=move || {
                        view! {
                            <button
                                class="sign-in-toggle"
                                aria-expanded=move || signing_in.get().to_string()
                                on:click=move |_| set_signing_in.update(|open| *open = !*open)
                            >
                                "Sign in"
                            </button>
                        }
                    }
                >
                    <button class="sign-out" on:click=sign_out.clone()>"Sign out"</button>
                </Show>
                <Show when=move || removable>
                    <button class="remove-node secondary" on:click=remove.clone()>"Remove"</button>
                </Show>
            </div>
            <Show when=move || signing_in.get() && !active.get()>
                <SignInForm
                    node=form_node.clone()
                    offer_all_nodes=true
                    on_done=Callback::new(move |_| set_signing_in.set(false))
                />
            </Show>
        </li>
    }
}

/// Adds a node in this browser only: name, path prefix and cluster address, never
/// credentials. The prefix defaults to the reverse proxy's `/sps/<name>`.
#[component]
fn AddNodeForm() -> impl IntoView {
    let panel = Panel::expect();
    let (open, set_open) = signal(false);
    let (name, set_name) = signal(String::new());
    let (prefix, set_prefix) = signal(String::new());
    let (address, set_address) = signal(String::new());
    let (error, set_error) = signal(None::<String>);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let name_value = name.get_untracked();
        let prefix_value = match prefix.get_untracked() {
            typed if typed.trim().is_empty() => proxy_prefix(name_value.trim()),
            typed => typed,
        };
        let node = NodeLocation {
            name: name_value,
            prefix: prefix_value,
            cluster_address: address.get_untracked(),
        };
        let outcome = panel
            .directory
            .try_update(|d| d.add(node))
            .unwrap_or(Ok(()));
        match outcome {
            Ok(()) => {
                panel
                    .directory
                    .with_untracked(|d| save_added_nodes(&d.added));
                set_name.set(String::new());
                set_prefix.set(String::new());
                set_address.set(String::new());
                set_error.set(None);
                set_open.set(false);
            }
            Err(message) => set_error.set(Some(message)),
        }
    };

    view! {
        <div class="add-node">
            <button
                class="secondary add-node-toggle"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                "Add a node"
            </button>
            <Show when=move || open.get()>
                <form class="add-node-form" on:submit=submit aria-label="Add a node">
                    <label for="add-node-name">"Name"</label>
                    <input
                        id="add-node-name"
                        prop:value=name
                        on:input=move |e| set_name.set(event_target_value(&e))
                    />
                    <label for="add-node-prefix">"Path prefix (default /sps/<name>)"</label>
                    <input
                        id="add-node-prefix"
                        placeholder="/sps/<name>"
                        prop:value=prefix
                        on:input=move |e| set_prefix.set(event_target_value(&e))
                    />
                    <label for="add-node-address">"Cluster address (IP)"</label>
                    <input
                        id="add-node-address"
                        prop:value=address
                        on:input=move |e| set_address.set(event_target_value(&e))
                    />
                    <button type="submit">"Add"</button>
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get()}</p>
                    </Show>
                </form>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_is_minutes_and_padded_seconds() {
        assert_eq!(format_countdown(1200), "20:00");
        assert_eq!(format_countdown(61), "1:01");
        assert_eq!(format_countdown(0), "0:00");
    }
}
