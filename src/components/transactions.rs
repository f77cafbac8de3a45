//! The selected node's transaction: open or closed, its remaining time, its pending
//! changes, commit (with a message where the node requires one) and revert. A lock held
//! by another user shows who holds it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sps_api::paths;
use sps_api::transaction::{
    Change, ChangeKind, Changes, CommitRequest, TransactionResponse, TransactionStatus,
};

use crate::api::{ApiError, NodeClient};
use crate::components::node_sidebar::format_countdown;
use crate::context::Panel;

/// Why a commit cannot be sent as typed, or `None` when it can.
pub fn commit_problem(requires_message: bool, message: &str) -> Option<&'static str> {
    if requires_message && message.trim().is_empty() {
        return Some("This node requires a commit message: say what the change is for.");
    }
    None
}

/// What the screen knows about the node's transaction.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    open: bool,
    requires_message: bool,
    remaining_seconds: Option<u64>,
    fetched_at_ms: f64,
    changes: Vec<Change>,
}

async fn fetch_snapshot(client: NodeClient) -> Result<Snapshot, ApiError> {
    let reply = client
        .get::<TransactionResponse>(paths::TRANSACTION)
        .await?;
    let fetched_at_ms = js_sys::Date::now();
    let Some(state) = reply.value.state().cloned() else {
        return Err(ApiError::malformed(
            &client.node,
            "GET",
            paths::TRANSACTION,
            reply.status,
            "neither `body` nor `transaction` holds the transaction's state",
        ));
    };
    let open = state.status == TransactionStatus::Open;
    let changes = if open {
        client
            .get::<Changes>(paths::TRANSACTION_CHANGES)
            .await?
            .value
            .changes
    } else {
        Vec::new()
    };
    Ok(Snapshot {
        open,
        requires_message: state.requires_commit_message(),
        remaining_seconds: reply.value.meta.remaining_seconds,
        fetched_at_ms,
        changes,
    })
}

#[component]
pub fn TransactionsScreen() -> impl IntoView {
    let panel = Panel::expect();
    move || match panel.selected_node() {
        None => view! { <p class="empty">"Choose a node in the sidebar."</p> }.into_any(),
        Some(node) => view! { <NodeTransaction node /> }.into_any(),
    }
}

#[component]
fn NodeTransaction(node: String) -> impl IntoView {
    let panel = Panel::expect();
    let (reload, set_reload) = signal(0u32);
    let (busy, set_busy) = signal(false);
    let (action_error, set_action_error) = signal(None::<ApiError>);
    let (message, set_message) = signal(String::new());
    let (notice, set_notice) = signal(None::<String>);
    let node_name = StoredValue::new(node.clone());
    // Looked up when used: the directory may still be loading when the screen appears.
    let client = move || node_name.with_value(|node| panel.client(node));

    let snapshot = LocalResource::new({
        let node = node.clone();
        move || {
            reload.track();
            let _generation = panel.generation(&node);
            let client = client();
            async move {
                match client {
                    Some(client) => fetch_snapshot(client).await.map(Some),
                    None => Ok(None),
                }
            }
        }
    });

    // Runs one change to the transaction, then reads its state again.
    let act = move |label: &'static str, request: Request| {
        if busy.get_untracked() {
            return;
        }
        let Some(client) = client() else {
            return;
        };
        set_busy.set(true);
        set_action_error.set(None);
        set_notice.set(None);
        spawn_local(async move {
            let outcome = match request {
                Request::Open => client
                    .post_empty::<TransactionResponse>(paths::TRANSACTION)
                    .await
                    .map(|_| ()),
                Request::Commit(message) => client
                    .put::<_, serde_json::Value>(paths::TRANSACTION, &CommitRequest::new(message))
                    .await
                    .map(|_| ()),
                Request::Revert => client.delete(paths::TRANSACTION).await.map(|_| ()),
            };
            set_busy.try_set(false);
            match outcome {
                Ok(()) => {
                    set_message.try_set(String::new());
                    set_notice.try_set(Some(label.to_owned()));
                }
                Err(error) => {
                    set_action_error.try_set(Some(error));
                }
            }
            set_reload.try_update(|n| *n += 1);
        });
    };

    let view_snapshot = move |snapshot: Snapshot| {
        let remaining = move || {
            let left = snapshot.remaining_seconds?;
            let elapsed = ((panel.now_ms.get() - snapshot.fetched_at_ms) / 1000.0).max(0.0);
            Some(format_countdown(left.saturating_sub(elapsed as u64)))
        };
        let requires_message = snapshot.requires_message;
        let commit = move |_| {
            let typed = message.get_untracked();
            if let Some(problem) = commit_problem(requires_message, &typed) {
                set_notice.set(Some(problem.to_owned()));
                return;
            }
            act("Committed.", Request::Commit(Some(typed)));
        };
        let status = if snapshot.open { "open" } else { "closed" };
        let changes = snapshot.changes.clone();
        view! {
            <dl class="facts">
                <dt>"Transaction"</dt>
                <dd class="transaction-status">{status}</dd>
                <dt>"Session time left"</dt>
                <dd class="transaction-remaining">{remaining}</dd>
                <dt>"Commit message"</dt>
                <dd>{if requires_message { "required" } else { "optional" }}</dd>
            </dl>
            {if snapshot.open {
                view! {
                    <h3>"Pending changes"</h3>
                    <ChangeList changes />
                    <div class="commit-form">
                        <label for="commit-message">
                            {if requires_message {
                                "Commit message (required)"
                            } else {
                                "Commit message (optional)"
                            }}
                        </label>
                        <input
                            id="commit-message"
                            prop:value=message
                            on:input=move |e| set_message.set(event_target_value(&e))
                        />
                        <button class="commit" on:click=commit disabled=busy>"Commit"</button>
                        <button
                            class="revert danger"
                            on:click=move |_| act("Reverted.", Request::Revert)
                            disabled=busy
                        >
                            "Revert"
                        </button>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <p class="muted">
                        "No transaction is open for this session. Opening one takes the node's "
                        "configuration lock, which also tells whether someone else holds it."
                    </p>
                    <button
                        class="open-transaction"
                        on:click=move |_| act("Transaction opened.", Request::Open)
                        disabled=busy
                    >
                        "Open a transaction"
                    </button>
                }
                    .into_any()
            }}
        }
    };

    view! {
        <section class="transactions" aria-labelledby="transactions-title">
            <div class="screen-head">
                <h2 id="transactions-title">"Transaction on " {node.clone()}</h2>
                <button class="secondary" on:click=move |_| set_reload.update(|n| *n += 1)>
                    "Refresh"
                </button>
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
            {move || {
                action_error
                    .get()
                    .map(|error| {
                        let lock = error.locked_by.clone().filter(|_| error.is_locked());
                        view! {
                            <div class="error" role="alert">
                                {lock
                                    .map(|user| {
                                        view! {
                                            <p class="lock-holder">
                                                "The configuration is locked by " <strong>{user}</strong>
                                                ". Wait until they commit or revert."
                                            </p>
                                        }
                                    })}
                                <p>{error.to_string()}</p>
                            </div>
                        }
                    })
            }}
            <Suspense fallback=|| view! { <p class="loading">"Reading the transaction…"</p> }>
                {move || {
                    snapshot
                        .get()
                        .map(|outcome| match outcome {
                            Ok(Some(snapshot)) => view_snapshot(snapshot).into_any(),
                            Ok(None) => view! { <p class="empty">"Unknown node."</p> }.into_any(),
                            Err(error) => {
                                view! { <p class="error" role="alert">{error.to_string()}</p> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[derive(Debug, Clone)]
enum Request {
    Open,
    Commit(Option<String>),
    Revert,
}

#[component]
fn ChangeList(changes: Vec<Change>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p class="empty">"No changes yet."</p> }.into_any();
    }
    view! {
        <table class="changes">
            <thead>
                <tr>
                    <th scope="col">"Change"</th>
                    <th scope="col">"Path"</th>
                    <th scope="col">"Old value"</th>
                    <th scope="col">"New value"</th>
                </tr>
            </thead>
            <tbody>
                {changes
                    .into_iter()
                    .map(|change| {
                        let kind = match change.kind {
                            ChangeKind::Create => "create",
                            ChangeKind::Delete => "delete",
                            ChangeKind::Replace => "replace",
                            ChangeKind::Reorder => "reorder",
                            ChangeKind::Other => "other",
                        };
                        view! {
                            <tr>
                                <td>{kind}</td>
                                <td><code>{change.path}</code></td>
                                <td><code>{json_cell(change.old_value)}</code></td>
                                <td><code>{json_cell(change.new_value)}</code></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn json_cell(value: Option<serde_json::Value>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_message_must_not_be_blank() {
        assert!(commit_problem(true, "  ").is_some());
        assert_eq!(commit_problem(true, "join node-2"), None);
        assert_eq!(commit_problem(false, ""), None);
    }
}
