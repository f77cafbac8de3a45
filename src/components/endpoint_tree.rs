//! The API tab: the selected node's endpoint tree, read lazily from `/api` down, beside
//! the selected entry's JSON, `meta` links, allowed methods and a curl command. The
//! tree's state and keyboard logic live in [`crate::tree`]; this file draws them.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;

use crate::api::{checked_api_path, NodeClient};
use crate::context::Panel;
use crate::tree::{
    body_meta, curl_command, guidance, meta_links, sign_in_command, Key, KeyOutcome, LinkTarget,
    Load, Target, Tree, ROOT,
};
use crate::url_state::{format_query, keys, Query};

#[component]
pub fn EndpointTreeScreen() -> impl IntoView {
    let panel = Panel::expect();
    // Memos, so that a change of `path` in the query (or any other key) does not
    // rebuild the tree and throw away what it has read.
    let node = Memo::new(move |_| panel.selected_node());
    let client = Memo::new(move |_| node.get().and_then(|name| panel.client(&name)));
    let directory_empty = Memo::new(move |_| panel.directory.with(|d| d.all().next().is_none()));

    move || match (node.get(), client.get()) {
        (None, _) => view! {
            <p class="empty">"Choose a node in the sidebar to browse its API."</p>
        }
        .into_any(),
        (Some(_), None) if directory_empty.get() => {
            view! { <p class="loading">"Loading the node list…"</p> }.into_any()
        }
        (Some(name), None) => view! {
            <p class="error" role="alert">{format!("No node called {name:?} is known.")}</p>
        }
        .into_any(),
        (Some(_), Some(client)) => view! { <NodeEndpoints client /> }.into_any(),
    }
}

/// The tree and the detail pane of one node. Created anew when the node changes.
#[component]
fn NodeEndpoints(client: NodeClient) -> impl IntoView {
    let panel = Panel::expect();
    let node = client.node.clone();
    let tree = RwSignal::new(Tree::new());
    let generation = {
        let node = node.clone();
        Memo::new(move |_| panel.generation(&node))
    };

    // The query's `path` is the selection: a reload, a shared link or another screen's
    // `open_in_tree` all land here.
    let query_path = Memo::new(move |_| panel.query_value(keys::PATH));
    Effect::new(move |_| {
        let path = query_path.get();
        tree.update(|t| t.follow_query(path.as_deref()));
    });

    // Fetches whatever the tree wants now. Each path is marked loading before its request
    // starts, so this effect, which runs again on that change, never asks twice.
    Effect::new(move |_| {
        let generation = generation.get();
        let wanted = tree.with(|t| t.wanted(generation));
        if wanted.is_empty() {
            return;
        }
        tree.update(|t| {
            for path in &wanted {
                t.begin_load(path, generation);
            }
        });
        for path in wanted {
            let client = client.clone();
            spawn_local(async move {
                let outcome = client.get::<Value>(&path).await;
                // The screen may be gone by now (another node, another tab).
                tree.try_update(|t| t.finish_load(&path, generation, outcome));
            });
        }
    });

    let select = Callback::new(move |path: String| {
        tree.update(|t| t.select(&path));
        panel.set_query(&[(keys::PATH, Some(path))]);
    });

    let on_keydown = move |event: KeyboardEvent| {
        if event.alt_key() || event.ctrl_key() || event.meta_key() {
            return;
        }
        let Some(key) = Key::from_dom(&event.key()) else {
            return;
        };
        let outcome = tree
            .try_update(|t| t.key(key))
            .unwrap_or(KeyOutcome::Ignored);
        match outcome {
            KeyOutcome::Ignored => return,
            KeyOutcome::Moved => {}
            KeyOutcome::Selected(path) => panel.set_query(&[(keys::PATH, Some(path))]),
        }
        event.prevent_default();
        focus_tab_stop(tree);
    };

    view! {
        <div class="endpoint-tree-screen">
            <nav class="tree-pane" aria-label=format!("API of {node}")>
                <ul
                    class="endpoint-tree"
                    role="tree"
                    aria-label=format!("Endpoints of {node}")
                    on:keydown=on_keydown
                >
                    <TreeItem id=ROOT.to_owned() tree select />
                </ul>
            </nav>
            <EntryDetail node=node.clone() tree select />
        </div>
    }
}

/// The DOM id of an entry's row. Entry ids are API paths or `<parent>#<n>`: neither holds
/// white space, so they are valid in an id and in `aria-labelledby`.
fn item_dom_id(id: &str) -> String {
    format!("tree-item-{id}")
}

/// Moves the browser's focus to the tree's tab stop: at once when its row is drawn, so
/// the next key lands on it, else once the rows have been redrawn.
fn focus_tab_stop(tree: RwSignal<Tree>) {
    if !focus_row(tree) {
        request_animation_frame(move || {
            focus_row(tree);
        });
    }
}

fn focus_row(tree: RwSignal<Tree>) -> bool {
    let Some(id) = tree.try_with_untracked(Tree::tab_stop) else {
        return false;
    };
    let element = document()
        .get_element_by_id(&item_dom_id(&id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match element {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}

/// One `treeitem` and, while open, the `group` of its children.
#[component]
fn TreeItem(id: String, tree: RwSignal<Tree>, select: Callback<String>) -> AnyView {
    let Some(entry) = tree.with_untracked(|t| t.entry(&id).cloned()) else {
        return ().into_any();
    };
    let row = {
        let id = id.clone();
        Memo::new(move |_| tree.with(|t| t.row(&id)))
    };
    let is_tab_stop = {
        let id = id.clone();
        Memo::new(move |_| tree.with(|t| t.tab_stop() == id))
    };
    let is_selected = {
        let id = id.clone();
        Memo::new(move |_| tree.with(|t| t.selected() == Some(id.as_str())))
    };
    let is_open = {
        let id = id.clone();
        Memo::new(move |_| tree.with(|t| t.is_expanded(&id)))
    };
    let children = {
        let id = id.clone();
        Memo::new(move |_| tree.with(|t| t.children(&id)))
    };
    let status = {
        let target = entry.target.clone();
        Memo::new(move |_| row_status(tree, &target))
    };

    let on_click = {
        let id = id.clone();
        let target = entry.target.clone();
        move |event: leptos::ev::MouseEvent| {
            // Rows nest: only the innermost one answers the click.
            event.stop_propagation();
            tree.update(|t| t.focus(&id));
            if let Target::Path(path) = &target {
                select.run(path.clone());
            }
        }
    };
    // Focus can also arrive by a click or an assistive technology: the tab stop follows
    // it, so the next key starts from where the person is.
    let on_focus = {
        let id = id.clone();
        move |_| {
            if tree.with_untracked(|t| t.tab_stop() != id) {
                tree.update(|t| t.focus(&id));
            }
        }
    };
    let on_twisty = {
        let id = id.clone();
        move |event: leptos::ev::MouseEvent| {
            event.stop_propagation();
            tree.update(|t| {
                t.focus(&id);
                t.toggle(&id);
            });
        }
    };
    // tachys has no typed `aria-level` attribute, so it goes in by name.
    let aria_level = custom_attribute("aria-level", move || row.get().map(|r| r.level.to_string()));
    let dom_id = item_dom_id(&id);
    let label_id = format!("{dom_id}-label");
    let status_id = format!("{dom_id}-status");
    let labelled_by = label_id.clone();
    let described_by = status_id.clone();
    let twisty = move || match row.get().and_then(|r| r.expanded) {
        Some(true) => "▾",
        Some(false) => "▸",
        None => "",
    };

    view! {
        <li
            role="treeitem"
            id=dom_id
            class="tree-item"
            aria-labelledby=labelled_by
            aria-describedby=described_by
            aria-setsize=move || row.get().map(|r| r.set_size.to_string())
            aria-posinset=move || row.get().map(|r| r.position.to_string())
            aria-expanded=move || row.get().and_then(|r| r.expanded).map(|o| o.to_string())
            aria-selected=move || is_selected.get().to_string()
            tabindex=move || if is_tab_stop.get() { "0" } else { "-1" }
            on:focus=on_focus
            on:click={on_click}
            {..aria_level}
        >
            <span class="tree-row" class:selected=move || is_selected.get()>
                <span class="twisty" aria-hidden="true" on:click=on_twisty>{twisty}</span>
                <span class="tree-label" id=label_id>{entry.label.clone()}</span>
                <span class=move || status.get().1 id=status_id>{move || status.get().0}</span>
            </span>
            <Show when=move || is_open.get() && !children.get().is_empty()>
                <ul role="group" class="tree-group">
                    <For
                        each=move || children.get()
                        key=|child| child.clone()
                        children=move |child| view! { <TreeItem id=child tree select /> }
                    />
                </ul>
            </Show>
        </li>
    }
    .into_any()
}

/// The short state shown after an entry's label, and its CSS class.
fn row_status(tree: RwSignal<Tree>, target: &Target) -> (String, &'static str) {
    match target {
        Target::Refused { href, why } => {
            (format!("refused link {href}: {why}"), "entry-status error")
        }
        Target::Path(path) => tree.with(|t| match t.load(path) {
            Some(Load::Loading { .. }) => ("Loading…".to_owned(), "entry-status loading"),
            Some(Load::Failed { error, .. }) => (guidance(error), "entry-status error"),
            _ => (String::new(), "entry-status"),
        }),
    }
}

/// The selected entry: its path, a curl command, and once read, its allowed methods,
/// `meta` links and JSON.
#[component]
fn EntryDetail(node: String, tree: RwSignal<Tree>, select: Callback<String>) -> impl IntoView {
    let selected = Memo::new(move |_| tree.with(|t| t.selected().map(str::to_owned)));

    view! {
        <section class="entry-detail" aria-label="Selected entry">
            {move || match selected.get() {
                None => view! {
                    <p class="empty">
                        "Select an entry in the tree to see its JSON, links and methods."
                    </p>
                }
                .into_any(),
                Some(path) => match checked_api_path(&path) {
                    Ok(_) => view! { <EntryView node=node.clone() path tree select /> }
                        .into_any(),
                    Err(why) => view! {
                        <p class="error" role="alert">
                            {format!("The panel does not request this path: {why}")}
                        </p>
                    }
                    .into_any(),
                },
            }}
        </section>
    }
}

#[component]
fn EntryView(
    node: String,
    path: String,
    tree: RwSignal<Tree>,
    select: Callback<String>,
) -> impl IntoView {
    let panel = Panel::expect();
    let address = panel
        .directory
        .with_untracked(|d| d.find(&node).map(|n| n.cluster_address.clone()));
    let command = curl_command(&node, address.as_deref(), &path);
    let sign_in = sign_in_command(&node, address.as_deref());
    let load = {
        let path = path.clone();
        Memo::new(move |_| tree.with(|t| t.load(&path).cloned()))
    };
    let refresh = {
        let path = path.clone();
        move |_| tree.update(|t| t.refresh(&path))
    };
    let busy = move || matches!(load.get(), None | Some(Load::Loading { .. }));

    view! {
        <header class="entry-header">
            <h2><code>{path.clone()}</code></h2>
            <button class="refresh secondary" on:click=refresh disabled=busy>"Refresh"</button>
        </header>
        <CurlCommand command sign_in />
        <div class="entry-body" aria-busy=move || busy().to_string()>
            {move || match load.get() {
                None | Some(Load::Loading { .. }) => {
                    view! { <p class="loading">"Loading…"</p> }.into_any()
                }
                Some(Load::Failed { error, .. }) => {
                    view! { <p class="error" role="alert">{guidance(&error)}</p> }.into_any()
                }
                Some(Load::Loaded { reply, .. }) => {
                    let links = body_meta(&reply.value).map(|m| meta_links(&m)).unwrap_or_default();
                    view! {
                        <AllowedMethods methods=reply.allow />
                        <MetaLinks node=node.clone() links select />
                        <h3>"JSON"</h3>
                        <div class="json-view">{json_view(None, &reply.value, 0)}</div>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn CurlCommand(command: String, sign_in: String) -> impl IntoView {
    let (copied, set_copied) = signal(String::new());
    let copy = {
        let command = command.clone();
        move |_| {
            let command = command.clone();
            spawn_local(async move {
                set_copied.set(copy_text(&command).await.to_owned());
            });
        }
    };

    view! {
        <div class="curl">
            <h3>"Read it with curl"</h3>
            <p class="hint">"After signing in with " <code>{sign_in}</code></p>
            <pre><code class="curl-command">{command}</code></pre>
            <button class="copy secondary" on:click=copy>"Copy"</button>
            <span class="copy-state" role="status">{copied}</span>
        </div>
    }
}

/// Puts `text` on the clipboard; says how that went.
async fn copy_text(text: &str) -> &'static str {
    let Some(window) = web_sys::window() else {
        return "Copying failed; select the command and copy it.";
    };
    let promise = window.navigator().clipboard().write_text(text);
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(_) => "Copied.",
        Err(_) => "Copying failed; select the command and copy it.",
    }
}

#[component]
fn AllowedMethods(methods: Vec<String>) -> impl IntoView {
    let empty = methods.is_empty();
    view! {
        <h3>"Allowed methods"</h3>
        <Show
            when=move || !empty
            fallback=|| view! { <p class="empty">"The node sent no Allow header."</p> }
        >
            <ul class="allow">
                {methods.iter().map(|m| view! { <li><code>{m.clone()}</code></li> }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
fn MetaLinks(
    node: String,
    links: Vec<(String, LinkTarget)>,
    select: Callback<String>,
) -> impl IntoView {
    if links.is_empty() {
        return view! { <p class="empty">"This entry has no meta links."</p> }.into_any();
    }
    let items = links
        .into_iter()
        .map(|(name, target)| {
            let link = match target {
                LinkTarget::Path(path) => {
                    let href = tree_url(&node, &path);
                    let to = path.clone();
                    let follow = move |event: leptos::ev::MouseEvent| {
                        // A plain click stays in the page; a middle or modified click
                        // opens the link's own URL elsewhere.
                        if event.button() == 0 && !event.ctrl_key() && !event.meta_key() {
                            event.prevent_default();
                            select.run(to.clone());
                        }
                    };
                    view! { <a href=href on:click=follow><code>{path}</code></a> }.into_any()
                }
                LinkTarget::Refused(href) => view! {
                    <code>{href}</code>
                    <span class="muted">" (not a path the panel follows)"</span>
                }
                .into_any(),
            };
            view! { <li><span class="link-name">{name}</span> {link}</li> }
        })
        .collect_view();
    view! {
        <h3>"Links"</h3>
        <ul class="meta-links">{items}</ul>
    }
    .into_any()
}

/// The panel's own URL that shows `path` of `node` in the tree.
fn tree_url(node: &str, path: &str) -> String {
    let query: Query = [(keys::TAB, "api"), (keys::NODE, node), (keys::PATH, path)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    format_query(&query)
}

/// The JSON as an indented, foldable outline: objects and arrays are `<details>` that a
/// person opens and closes; the first levels start open.
fn json_view(name: Option<&str>, value: &Value, depth: usize) -> AnyView {
    let key = name.map(|name| view! { <span class="json-key">{format!("{name:?}: ")}</span> });
    let (open, close, children): (&str, &str, Vec<(String, &Value)>) = match value {
        Value::Object(map) if !map.is_empty() => {
            ("{", "}", map.iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) if !items.is_empty() => (
            "[",
            "]",
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
        ),
        scalar => {
            let text = serde_json::to_string(scalar).unwrap_or_default();
            let class = match scalar {
                Value::String(_) => "json-string",
                Value::Number(_) => "json-number",
                Value::Bool(_) => "json-bool",
                Value::Null => "json-null",
                _ => "json-empty",
            };
            return view! { <div class="json-leaf">{key}<span class=class>{text}</span></div> }
                .into_any();
        }
    };
    let is_array = value.is_array();
    let count = children.len();
    let summary = if is_array {
        format!("{count} items")
    } else {
        format!("{count} keys")
    };
    let rows = children
        .into_iter()
        .map(|(child_name, child)| {
            let label = (!is_array).then_some(child_name.as_str());
            view! { <li>{json_view(label, child, depth + 1)}</li> }
        })
        .collect_view();
    view! {
        <details class="json-node" open=depth < 4>
            <summary>{key}{open}<span class="json-count">{summary}</span></summary>
            <ul class="json-children">{rows}</ul>
            <span class="json-close">{close}</span>
        </details>
    }
    .into_any()
}
