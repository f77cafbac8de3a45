//! The endpoints under `/api/cluster` of one node, as its index lists them.

use leptos::prelude::*;
use sps_api::{paths, Index};

use crate::api::NodeClient;

#[component]
pub fn ClusterEndpoints(client: NodeClient) -> impl IntoView {
    let node = client.node.clone();
    let index = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get::<Index>(paths::CLUSTER).await }
    });

    view! {
        <section class="endpoints" aria-label=format!("Cluster endpoints of {node}")>
            <h2>"Endpoints of " <code>{paths::CLUSTER}</code></h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading endpoints…"</p> }>
                {move || {
                    index
                        .get()
                        .map(|outcome| match outcome {
                            Ok(reply) if reply.value.items.is_empty() => {
                                view! { <p class="empty">"This node lists no endpoints."</p> }
                                    .into_any()
                            }
                            Ok(reply) => {
                                view! {
                                    <ul class="endpoint-list">
                                        {reply
                                            .value
                                            .items
                                            .into_iter()
                                            .map(|item| {
                                                let href = item.meta.href.unwrap_or_default();
                                                view! {
                                                    <li>
                                                        <span class="key">{item.key}</span>
                                                        " "
                                                        <code class="href">{href}</code>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
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
