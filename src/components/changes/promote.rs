//! Promote a node to Central Management: preflight, a confirmation that asks for the
//! node's name (promotion cannot be undone), then the flow with its progress.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::progress::{ReportView, StepList};
use crate::context::{in_scope, Panel};
use crate::driver::{drive_promote, gather_facts};
use crate::flows::preflight::{check_promote, Problem};
use crate::flows::promote::PromoteFlow;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Choose,
    Checking,
    Problems(Vec<Problem>),
    Confirm,
    Running,
}

#[component]
pub fn PromotePanel() -> impl IntoView {
    let panel = Panel::expect();
    let (node, set_node) = signal(String::new());
    let (message, set_message) = signal(String::new());
    let (typed, set_typed) = signal(String::new());
    let (stage, set_stage) = signal(Stage::Choose);
    let flow = RwSignal::new(None::<RwSignal<PromoteFlow>>);
    // The confirm button's handler runs in the confirmation's scope, which closes as the
    // promote starts: the flow's signal belongs to the panel instead, so the promote
    // also runs to its end when the person leaves the screen.
    let owner = panel.owner;
    let names = move || {
        panel
            .directory
            .with(|d| d.all().map(|n| n.name.clone()).collect::<Vec<_>>())
    };

    let check = move |_| {
        let Some(client) = panel.client(&node.get_untracked()) else {
            return;
        };
        if stage.get_untracked() == Stage::Checking {
            return;
        }
        set_stage.set(Stage::Checking);
        flow.set(None);
        spawn_local(async move {
            let facts = gather_facts(&client).await;
            let problems = check_promote(&facts, &message.get_untracked());
            set_stage.try_set(if problems.is_empty() {
                Stage::Confirm
            } else {
                Stage::Problems(problems)
            });
        });
    };

    let promote = move |_| {
        // One promote per confirmation: the stage leaves Confirm before anything is sent.
        if stage.get_untracked() != Stage::Confirm || typed.get_untracked() != node.get_untracked()
        {
            return;
        }
        let Some(client) = panel.client(&node.get_untracked()) else {
            return;
        };
        set_stage.set(Stage::Running);
        set_typed.set(String::new());
        let commit_message = Some(message.get_untracked()).filter(|m| !m.trim().is_empty());
        let mut new_flow = PromoteFlow::new(client.node.clone(), commit_message);
        let first = new_flow.start();
        let signal = owner.with_value(|owner| in_scope(owner, || RwSignal::new(new_flow)));
        flow.set(Some(signal));
        spawn_local(async move {
            drive_promote(signal, first, client).await;
            set_stage.try_set(Stage::Choose);
        });
    };

    view! {
        <section class="card promote" aria-labelledby="promote-title">
            <h3 id="promote-title">"Promote a node to Central Management"</h3>
            <div class="form-row">
                <label for="promote-node">"Node"</label>
                <select
                    id="promote-node"
                    prop:value=node
                    on:change=move |e| {
                        set_node.set(event_target_value(&e));
                        set_stage.set(Stage::Choose);
                    }
                >
                    <option value="">"Choose a node"</option>
                    {move || {
                        names()
                            .into_iter()
                            .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
                            .collect_view()
                    }}
                </select>
                <label for="promote-message">"Commit message"</label>
                <input
                    id="promote-message"
                    prop:value=message
                    on:input=move |e| set_message.set(event_target_value(&e))
                />
                <button
                    class="promote-check"
                    on:click=check
                    disabled=move || node.get().is_empty() || stage.get() == Stage::Running
                >
                    "Check"
                </button>
            </div>
            {move || match stage.get() {
                Stage::Checking => view! { <p class="loading">"Checking the node…"</p> }.into_any(),
                Stage::Problems(problems) => {
                    view! {
                        <ul class="problems" role="alert">
                            {problems.into_iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
                Stage::Confirm => {
                    view! {
                        <div class="confirm" role="group" aria-labelledby="promote-confirm-text">
                            <p id="promote-confirm-text">
                                <strong>"Promotion cannot be undone."</strong>
                                " " {node.get()}
                                " becomes the cluster's Central Management node for good. "
                                "Type the node's name to confirm."
                            </p>
                            <label for="promote-confirm">"Node name"</label>
                            <input
                                id="promote-confirm"
                                autocomplete="off"
                                prop:value=typed
                                on:input=move |e| set_typed.set(event_target_value(&e))
                            />
                            <button
                                class="promote-start danger"
                                on:click=promote
                                disabled=move || typed.get() != node.get()
                            >
                                "Promote"
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Stage::Choose | Stage::Running => ().into_any(),
            }}
            {move || {
                flow.get()
                    .map(|flow| {
                        let steps = Signal::derive(move || {
                            flow.with(|f| f.steps().map(|(s, st)| (s.label(), st)).collect())
                        });
                        let label = flow.with_untracked(|f| format!("Promote {}", f.node));
                        view! {
                            <div class="flow promote-flow">
                                <StepList label steps />
                                {move || flow.with(|f| f.report().cloned()).map(|report| view! { <ReportView report /> })}
                            </div>
                        }
                    })
            }}
        </section>
    }
}
