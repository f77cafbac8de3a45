//! After a reload in the middle of a join: say which flows did not finish, read the
//! nodes' state back, and offer only what that state calls for. Nothing is sent again
//! on its own.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::context::Panel;
use crate::driver::{read_back, remember, remove_from_central, unfinished};
use crate::flows::journal::{plan, Offer, Unfinished};
use crate::flows::Side;
use sps_api::paths;

#[component]
pub fn Recovery() -> impl IntoView {
    let entries = RwSignal::new(unfinished());
    view! {
        <Show when=move || !entries.with(Vec::is_empty)>
            <section class="card recovery" aria-labelledby="recovery-title">
                <h3 id="recovery-title">"Unfinished changes from before the page was reloaded"</h3>
                <For
                    each=move || entries.get()
                    key=|entry| entry.node.clone()
                    let:entry
                >
                    <RecoveryEntry entry entries />
                </For>
            </section>
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Reading,
    Read(Vec<Offer>),
    Failed(String),
    Working,
}

#[component]
fn RecoveryEntry(entry: Unfinished, entries: RwSignal<Vec<Unfinished>>) -> impl IntoView {
    let panel = Panel::expect();
    let (state, set_state) = signal(State::Reading);
    let entry = StoredValue::new(entry);
    let central = entry.with_value(|e| e.central.clone().unwrap_or_default());
    let node = entry.with_value(|e| e.node.clone());

    let read = move || {
        let entry = entry.get_value();
        let central_name = entry.central.clone().unwrap_or_default();
        let (Some(node), Some(central)) = (panel.client(&entry.node), panel.client(&central_name))
        else {
            set_state.set(State::Failed(
                "a node of this join is no longer listed".to_owned(),
            ));
            return;
        };
        set_state.set(State::Reading);
        spawn_local(async move {
            let outcome = read_back(&entry, &node, &central).await;
            set_state.try_set(match outcome {
                Ok(facts) => State::Read(plan(&entry, &facts)),
                Err(error) => State::Failed(error.to_string()),
            });
        });
    };
    // Read the state as soon as the notice shows: offers come only from fresh facts.
    Effect::new(move |_| {
        if panel.directory.with(|d| d.all().next().is_some()) {
            read();
        }
    });

    let act = move |offer: Offer| {
        let entry = entry.get_value();
        let central_name = entry.central.clone().unwrap_or_default();
        let (Some(node), Some(central)) = (panel.client(&entry.node), panel.client(&central_name))
        else {
            return;
        };
        if matches!(offer, Offer::StartAgain | Offer::AlreadyJoined) {
            remember(&entry.node, None);
            entries.update(|all| all.retain(|e| e.node != entry.node));
            return;
        }
        set_state.set(State::Working);
        spawn_local(async move {
            let outcome = match offer {
                Offer::Revert(Side::Node) => node.delete(paths::TRANSACTION).await.map(|_| ()),
                Offer::Revert(Side::Central) => {
                    central.delete(paths::TRANSACTION).await.map(|_| ())
                }
                Offer::RemoveFromCentral { node_id } => {
                    remove_from_central(&central, &node_id).await
                }
                Offer::StartAgain | Offer::AlreadyJoined => Ok(()),
            };
            match outcome {
                Ok(()) => read(),
                Err(error) => {
                    set_state.try_set(State::Failed(error.to_string()));
                }
            }
        });
    };

    let offer_label = move |offer: &Offer| match offer {
        Offer::Revert(Side::Node) => {
            format!("Revert the open transaction on {}", node_label(entry))
        }
        Offer::Revert(Side::Central) => {
            format!("Revert the open transaction on {}", central_label(entry))
        }
        Offer::RemoveFromCentral { .. } => format!(
            "Remove {} from {} (it was registered there, but never joined)",
            node_label(entry),
            central_label(entry)
        ),
        Offer::StartAgain => {
            "Nothing is left pending: dismiss, and join again if needed".to_owned()
        }
        Offer::AlreadyJoined => "The node did join: dismiss".to_owned(),
    };

    view! {
        <article class="recovery-entry" data-node=node.clone()>
            <p>
                "Joining " <strong>{node.clone()}</strong> " to " <strong>{central}</strong>
                " stopped at: " {entry.with_value(|e| e.step.clone())} "."
            </p>
            {move || match state.get() {
                State::Reading => view! { <p class="loading">"Reading the nodes' state…"</p> }.into_any(),
                State::Working => view! { <p class="loading">"Working…"</p> }.into_any(),
                State::Failed(error) => {
                    view! {
                        <p class="error" role="alert">{error}</p>
                        <button class="secondary" on:click=move |_| read()>"Read again"</button>
                    }
                        .into_any()
                }
                State::Read(offers) => {
                    view! {
                        <div class="offers">
                            {offers
                                .into_iter()
                                .map(|offer| {
                                    let label = offer_label(&offer);
                                    view! {
                                        <button class="recovery-offer" on:click=move |_| act(offer.clone())>
                                            {label}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }
            }}
        </article>
    }
}

fn node_label(entry: StoredValue<Unfinished>) -> String {
    entry.with_value(|e| e.node.clone())
}

fn central_label(entry: StoredValue<Unfinished>) -> String {
    entry.with_value(|e| e.central.clone().unwrap_or_default())
}
