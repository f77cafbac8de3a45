//! The join status of every node the person is signed in to: not configured, in
//! progress or in cluster, with the Central Management address it joined through.

use leptos::prelude::*;
use sps_api::cluster::JoinStatus;
use sps_api::paths;

use super::error_text;
use crate::api::{ApiError, NodeClient};
use crate::context::Panel;

#[component]
pub(super) fn JoinStatusList(changed: RwSignal<u32>) -> impl IntoView {
    let panel = Panel::expect();
    let (reload, set_reload) = signal(0u32);
    let signed_in = Memo::new(move |_| {
        panel.directory.with(|directory| {
            directory
                .all()
                .filter(|node| panel.is_signed_in(&node.name))
                .map(|node| node.name.clone())
                .collect::<Vec<_>>()
        })
    });
    let statuses = LocalResource::new(move || {
        reload.track();
        changed.track();
        let clients: Vec<(String, Option<NodeClient>)> = signed_in
            .get()
            .into_iter()
            .map(|name| {
                let _generation = panel.generation(&name);
                let client = panel.client(&name);
                (name, client)
            })
            .collect();
        async move {
            let mut rows: Vec<(String, Result<JoinStatus, ApiError>)> = Vec::new();
            for (name, client) in clients {
                let Some(client) = client else {
                    continue;
                };
                let status = client
                    .get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST)
                    .await
                    .map(|reply| reply.value);
                rows.push((name, status));
            }
            rows
        }
    });

    let table = move |rows: Vec<(String, Result<JoinStatus, ApiError>)>| {
        if rows.is_empty() {
            return view! {
                <p class="empty">"Sign in to nodes in the sidebar to see their join status."</p>
            }
            .into_any();
        }
        let rows = rows
            .into_iter()
            .map(|(name, status)| {
                let (label, address, problem) = match status {
                    Ok(status) => {
                        let address = status
                            .details
                            .central_management_address
                            .unwrap_or_else(|| "—".to_owned());
                        (status.status.label().to_owned(), address, None)
                    }
                    Err(error) => (
                        "unknown".to_owned(),
                        "—".to_owned(),
                        Some(error_text(&error)),
                    ),
                };
                view! {
                    <tr data-name=name.clone()>
                        <td>{name.clone()}</td>
                        <td class="join-state">{label}</td>
                        <td class="join-central">{address}</td>
                        <td class="error">{problem}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="join-status">
                <thead>
                    <tr>
                        <th scope="col">"Node"</th>
                        <th scope="col">"Join status"</th>
                        <th scope="col">"Central Management address"</th>
                        <th scope="col">"Problem"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <section class="join-status-panel" aria-labelledby="join-status-title">
            <div class="screen-head">
                <h3 id="join-status-title">"Join status"</h3>
                <button
                    class="secondary refresh-join"
                    on:click=move |_| set_reload.update(|n| *n += 1)
                >
                    "Refresh"
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="loading">"Reading the join status…"</p> }>
                {move || statuses.get().map(table)}
            </Suspense>
        </section>
    }
}
