//! The join wizard: choose the Central Management node and the nodes to join, check
//! each pair, then run one join flow per node, a few at once, each shown step by step
//! and announced through a live region; a summary closes the run.

use futures::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sps_api::Psk;

use super::progress::{announcement, ReportView, StepList};
use crate::browser::copy_to_clipboard;
use crate::context::{in_scope, Panel};
use crate::driver::{drive_join, gather_facts, CentralGate};
use crate::flows::join::{JoinFlow, Polling};
use crate::flows::preflight::{check_join, Problem};
use crate::flows::{Outcome, StepState};

/// How many joins run at once. Each holds the Central Management node's transaction
/// only for its three requests there, so a few in parallel keep the node-side steps of
/// the others moving without queueing long behind the gate.
pub const JOINS_AT_ONCE: usize = 4;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Choose,
    Checking,
    Checked {
        ready: Vec<String>,
        problems: Vec<Problem>,
    },
    Running,
    Over,
}

/// The join runs of this page, provided by the app so they outlive the screen.
#[derive(Clone, Copy)]
pub struct JoinRuns {
    runs: RwSignal<Vec<JoinRun>>,
    announce: RwSignal<String>,
}

impl JoinRuns {
    pub fn new() -> Self {
        JoinRuns {
            runs: RwSignal::new(Vec::new()),
            announce: RwSignal::new(String::new()),
        }
    }
}

impl Default for JoinRuns {
    fn default() -> Self {
        JoinRuns::new()
    }
}

/// One node's join as the screen shows it.
#[derive(Clone, Copy)]
struct JoinRun {
    flow: RwSignal<JoinFlow>,
    reveal_psk: RwSignal<bool>,
}

#[component]
pub fn JoinWizard() -> impl IntoView {
    let panel = Panel::expect();
    let (central, set_central) = signal(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let (message, set_message) = signal(String::new());
    let (stage, set_stage) = signal(Stage::Choose);
    // The runs live as long as the panel, not this screen: a join keeps going, and
    // shows its progress again, when the person visits another tab and comes back.
    let JoinRuns { runs, announce } = expect_context::<JoinRuns>();
    let set_announce = announce.write_only();
    let gate = StoredValue::new_local(CentralGate::default());
    // The start button's handler runs in the check result's scope, which closes as the
    // run starts: the flows' signals and effects belong to the panel instead.
    let owner = panel.owner;
    let names = move || {
        panel
            .directory
            .with(|d| d.all().map(|n| n.name.clone()).collect::<Vec<_>>())
    };

    let check = move |_| {
        if matches!(stage.get_untracked(), Stage::Checking | Stage::Running) {
            return;
        }
        let Some(central_client) = panel.client(&central.get_untracked()) else {
            return;
        };
        let nodes = chosen.get_untracked();
        set_stage.set(Stage::Checking);
        spawn_local(async move {
            let central_facts = gather_facts(&central_client).await;
            let mut ready = Vec::new();
            let mut problems = Vec::new();
            for node in nodes {
                let Some(client) = panel.client(&node) else {
                    continue;
                };
                let facts = gather_facts(&client).await;
                let typed = message.try_get_untracked().unwrap_or_default();
                let found = check_join(&central_facts, &facts, &typed);
                if found.is_empty() {
                    ready.push(node);
                } else {
                    problems.extend(found);
                }
            }
            problems.dedup();
            set_stage.try_set(Stage::Checked { ready, problems });
        });
    };

    let start = move |_| {
        // The stage leaves Checked before anything is sent: a second click finds Running.
        let Stage::Checked { ready, .. } = stage.get_untracked() else {
            return;
        };
        let central_name = central.get_untracked();
        let Some(central_client) = panel.client(&central_name) else {
            return;
        };
        let Some(central_address) = panel
            .directory
            .with_untracked(|d| d.find(&central_name).map(|n| n.cluster_address.clone()))
        else {
            return;
        };
        set_stage.set(Stage::Running);
        let commit_message = Some(message.get_untracked()).filter(|m| !m.trim().is_empty());
        let mut work = Vec::new();
        let mut shown = Vec::new();
        for node in ready {
            let Some(client) = panel.client(&node) else {
                continue;
            };
            let flow = JoinFlow::new(
                node,
                central_name.clone(),
                central_address.clone(),
                commit_message.clone(),
                Polling::default(),
            );
            let run = owner.with_value(|owner| {
                in_scope(owner, || {
                    let run = JoinRun {
                        flow: RwSignal::new(flow),
                        reveal_psk: RwSignal::new(false),
                    };
                    announce_steps(run.flow, set_announce);
                    run
                })
            });
            shown.push(run);
            work.push((run, client));
        }
        runs.set(shown);
        let gate = gate.get_value();
        spawn_local(async move {
            futures::stream::iter(work)
                .for_each_concurrent(JOINS_AT_ONCE, |(run, client)| {
                    let first = run.flow.try_update(JoinFlow::start);
                    let central_client = central_client.clone();
                    let gate = gate.clone();
                    async move {
                        if let Some(first) = first {
                            drive_join(run.flow, first, client, central_client, gate).await;
                        }
                    }
                })
                .await;
            set_stage.try_set(Stage::Over);
        });
    };

    let summary = move || {
        let runs = runs.get();
        if runs.is_empty() || stage.get() == Stage::Running {
            return None;
        }
        let count = |wanted: Outcome| {
            runs.iter()
                .filter(|r| r.flow.with(|f| f.report().map(|r| r.outcome)) == Some(wanted))
                .count()
        };
        Some(format!(
            "Joined: {}. Rolled back: {}. Needs repair: {}. Committed but not yet in the \
             cluster: {}. Recovery incomplete: {}.",
            count(Outcome::Succeeded),
            count(Outcome::RolledBack),
            count(Outcome::NeedsRepair),
            count(Outcome::JoinPending),
            count(Outcome::Inconsistent),
        ))
    };

    view! {
        <section class="card join" aria-labelledby="join-title">
            <h3 id="join-title">"Join nodes to the cluster"</h3>
            <div class="form-row">
                <label for="join-central">"Central Management node"</label>
                <select
                    id="join-central"
                    prop:value=central
                    on:change=move |e| {
                        set_central.set(event_target_value(&e));
                        set_stage.set(Stage::Choose);
                    }
                >
                    <option value="">"Choose the Central Management node"</option>
                    {move || {
                        names()
                            .into_iter()
                            .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
                            .collect_view()
                    }}
                </select>
            </div>
            <fieldset class="join-nodes">
                <legend>"Nodes to join"</legend>
                {move || {
                    let central = central.get();
                    names()
                        .into_iter()
                        .filter(|name| *name != central)
                        .map(|name| {
                            let id = format!("join-node-{name}");
                            let label_for = id.clone();
                            let checked = {
                                let name = name.clone();
                                move || chosen.with(|c| c.contains(&name))
                            };
                            let toggle = {
                                let name = name.clone();
                                move |e| {
                                    let on = event_target_checked(&e);
                                    chosen.update(|c| {
                                        c.retain(|n| *n != name);
                                        if on {
                                            c.push(name.clone());
                                        }
                                    });
                                    set_stage.set(Stage::Choose);
                                }
                            };
                            view! {
                                <label class="checkbox" for=label_for>
                                    <input id=id type="checkbox" prop:checked=checked on:change=toggle />
                                    {name.clone()}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
            <div class="form-row">
                <label for="join-message">"Commit message"</label>
                <input
                    id="join-message"
                    prop:value=message
                    on:input=move |e| set_message.set(event_target_value(&e))
                />
                <button
                    class="join-check"
                    on:click=check
                    disabled=move || {
                        central.get().is_empty() || chosen.with(Vec::is_empty)
                            || matches!(stage.get(), Stage::Checking | Stage::Running)
                    }
                >
                    "Check"
                </button>
            </div>
            {move || match stage.get() {
                Stage::Checking => view! { <p class="loading">"Checking the nodes…"</p> }.into_any(),
                Stage::Checked { ready, problems } => {
                    let count = ready.len();
                    view! {
                        <ul class="problems" role="alert">
                            {problems.into_iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                        </ul>
                        <p class="ready">
                            {if count == 0 {
                                "No node is ready to join.".to_owned()
                            } else {
                                format!("Ready to join: {}.", ready.join(", "))
                            }}
                        </p>
                        <button class="join-start" on:click=start disabled=count == 0>
                            {format!("Join {count} node(s)")}
                        </button>
                    }
                        .into_any()
                }
                Stage::Choose | Stage::Running | Stage::Over => ().into_any(),
            }}
            <p class="sr-only" aria-live="polite" role="status">{move || announce.get()}</p>
            <div class="join-runs">
                <For each=move || runs.get() key=|run| run.flow.with_untracked(|f| f.node.clone()) let:run>
                    <JoinRunView run gate=gate.get_value() />
                </For>
            </div>
            <p class="join-summary" role="status">{summary}</p>
        </section>
    }
}

/// Announces each step change of `flow` through the live region.
fn announce_steps(flow: RwSignal<JoinFlow>, set_announce: WriteSignal<String>) {
    // Runs in the panel's scope; `try_with` keeps it quiet if the flow is gone.
    Effect::new(move |previous: Option<Vec<StepState>>| {
        let (node, steps): (String, Vec<(&'static str, StepState)>) = flow.with(|f| {
            (
                f.node.clone(),
                f.steps().map(|(s, st)| (s.label(), st)).collect(),
            )
        });
        let states: Vec<StepState> = steps.iter().map(|(_, state)| *state).collect();
        if let Some(previous) = previous {
            let changed = steps
                .iter()
                .zip(previous.iter())
                .rfind(|((_, now), before)| now != *before);
            if let Some(((step, state), _)) = changed {
                set_announce.try_set(announcement(&node, step, *state));
            }
        }
        states
    });
}

#[component]
fn JoinRunView(run: JoinRun, gate: CentralGate) -> impl IntoView {
    let panel = Panel::expect();
    let flow = run.flow;
    let node = flow.with_untracked(|f| f.node.clone());
    let repair_label = format!("Repair the join of {node}");
    let steps =
        Signal::derive(move || flow.with(|f| f.steps().map(|(s, st)| (s.label(), st)).collect()));
    let (repairing, set_repairing) = signal(false);
    let gate = StoredValue::new_local(gate);

    let repair = move |retry: bool| {
        if repairing.get_untracked() {
            return;
        }
        let (node, central) = flow.with_untracked(|f| (f.node.clone(), f.central.clone()));
        let (Some(node_client), Some(central_client)) =
            (panel.client(&node), panel.client(&central))
        else {
            return;
        };
        let first = flow.try_update(|f| {
            if retry {
                f.retry_node_commit()
            } else {
                f.remove_from_central()
            }
        });
        let Some(first) = first else {
            return;
        };
        set_repairing.set(true);
        let gate = gate.get_value();
        spawn_local(async move {
            drive_join(flow, first, node_client, central_client, gate).await;
            set_repairing.try_set(false);
        });
    };
    let needs_repair =
        move || flow.with(|f| f.report().map(|r| r.outcome)) == Some(Outcome::NeedsRepair);
    let psk = move || flow.with(|f| f.join_request().map(|body| body.psk.clone()));

    view! {
        <article class="join-run" data-node=node.clone()>
            <h4>{node.clone()}</h4>
            <StepList label=format!("Join {node}") steps />
            {move || {
                psk()
                    .map(|psk: Psk| {
                        let shown = if run.reveal_psk.get() { psk.expose().to_owned() } else { Psk::MASK.to_owned() };
                        view! {
                            <p class="psk">
                                "Pre-shared key: " <code>{shown}</code>
                                <button class="secondary" on:click=move |_| run.reveal_psk.update(|r| *r = !*r)>
                                    {move || if run.reveal_psk.get() { "Hide" } else { "Reveal" }}
                                </button>
                                <button class="secondary" on:click=move |_| copy_to_clipboard(psk.expose())>
                                    "Copy"
                                </button>
                            </p>
                        }
                    })
            }}
            {move || flow.with(|f| f.report().cloned()).map(|report| view! { <ReportView report /> })}
            <Show when=needs_repair>
                <div class="repair" role="group" aria-label=repair_label.clone()>
                    <button class="repair-retry" on:click=move |_| repair(true) disabled=repairing>
                        "Retry the node's commit"
                    </button>
                    <button class="repair-remove danger" on:click=move |_| repair(false) disabled=repairing>
                        "Remove the node from the Central Management node"
                    </button>
                </div>
            </Show>
        </article>
    }
}
