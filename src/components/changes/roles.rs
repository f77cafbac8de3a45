//! The cluster's nodes and roles on the Central Management node: edit a node's roles,
//! remove a node, and every signed-in node's join status. The requests run as
//! [`crate::flows::roles::RoleFlow`]; this module only sends what it asks for and draws
//! where it stands.

mod join_status;
mod nodes;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;
use sps_api::cluster::{NodeResponse, NodesList};
use sps_api::paths;
use sps_api::transaction::{CommitRequest, TransactionResponse, TransactionStatus};

use crate::api::{ApiError, NodeClient};
use crate::context::Panel;
use crate::flows::roles::{
    pick_central, Answer, Call, Outcome, Phase, Probe, RoleChange, RoleFlow,
};

use join_status::JoinStatusList;
use nodes::ClusterNodes;

/// The query key of the chosen Central Management node, shared with the cluster view.
pub const CENTRAL_KEY: &str = "cm";

/// An error as the person reads it, with what to do about an ended session.
pub(crate) fn error_text(error: &ApiError) -> String {
    match error.needs_sign_in() {
        true => format!("Sign in to {} in the sidebar. ({error})", error.node),
        false => error.to_string(),
    }
}

/// The one role flow of the screen, and a counter bumped whenever one ends, so the
/// lists read the cluster again.
#[derive(Clone, Copy)]
pub(crate) struct Runner {
    pub flow: RwSignal<Option<RoleFlow>>,
    pub changed: RwSignal<u32>,
}

impl Runner {
    /// A flow is sending, or waits for a commit message: no second one may start.
    pub fn busy(&self) -> bool {
        self.flow.with(|flow| flow.as_ref().is_some_and(holds))
    }

    /// Starts `change` on `central` unless a flow already runs; double clicks end here.
    pub fn start(&self, panel: Panel, central: &str, change: RoleChange) -> bool {
        if self
            .flow
            .with_untracked(|flow| flow.as_ref().is_some_and(holds))
        {
            return false;
        }
        let Some(client) = panel.client(central) else {
            return false;
        };
        let (flow, first) = RoleFlow::start(central, change, None);
        self.flow.set(Some(flow));
        spawn_local(drive(client, *self, first));
        true
    }

    fn provide_message(&self, panel: Panel, message: &str) {
        let next = self
            .flow
            .try_update(|flow| flow.as_mut().and_then(|f| f.provide_message(message)))
            .flatten();
        let central = self
            .flow
            .with_untracked(|flow| flow.as_ref().map(|f| f.central.clone()));
        if let (Some(call), Some(client)) = (next, central.and_then(|c| panel.client(&c))) {
            spawn_local(drive(client, *self, call));
        }
    }

    fn cancel(&self) {
        self.flow.update(|flow| {
            if let Some(flow) = flow {
                flow.cancel();
            }
        });
    }
}

fn holds(flow: &RoleFlow) -> bool {
    matches!(flow.phase(), Phase::Running(_) | Phase::AwaitMessage)
}

/// Sends calls until the flow stops asking, then has the lists read again.
async fn drive(client: NodeClient, runner: Runner, mut call: Call) {
    loop {
        let answer = send(&client, call).await;
        let next = runner
            .flow
            .try_update(|flow| flow.as_mut().and_then(|f| f.answer(answer)))
            .flatten();
        match next {
            Some(following) => call = following,
            None => break,
        }
    }
    runner.changed.update(|n| *n += 1);
}

async fn send(client: &NodeClient, call: Call) -> Answer {
    let outcome = match call {
        Call::ReadTransaction => {
            match client.get::<TransactionResponse>(paths::TRANSACTION).await {
                Ok(reply) => match reply.value.state() {
                    Some(state) => {
                        return Answer::Transaction {
                            open: state.status == TransactionStatus::Open,
                            requires_message: state.requires_commit_message(),
                        }
                    }
                    None => Err(ApiError::malformed(
                        &client.node,
                        "GET",
                        paths::TRANSACTION,
                        reply.status,
                        "neither `body` nor `transaction` holds the transaction's state",
                    )),
                },
                Err(error) => Err(error),
            }
        }
        Call::Open => client
            .post_empty::<IgnoredAny>(paths::TRANSACTION)
            .await
            .map(drop),
        Call::PutNode { node_id, body } => client
            .put::<_, NodeResponse>(&paths::cluster_node(&node_id), &body)
            .await
            .map(drop),
        Call::DeleteNode { node_id } => client
            .delete(&paths::cluster_node(&node_id))
            .await
            .map(drop),
        Call::Commit { message } => client
            .put::<_, IgnoredAny>(paths::TRANSACTION, &CommitRequest::new(message))
            .await
            .map(drop),
        Call::Revert => client.delete(paths::TRANSACTION).await.map(drop),
    };
    match outcome {
        Ok(()) => Answer::Done,
        Err(error) => Answer::Failed(error),
    }
}

/// Which node the screen works on, and why there is none.
#[derive(Debug, Clone, PartialEq)]
enum Central {
    /// Picked by the person (query key `cm`).
    Chosen(String),
    Found(String),
    Looking,
    NotSignedIn,
    Missing,
}

#[component]
pub fn RolesPanel() -> impl IntoView {
    let panel = Panel::expect();
    let runner = Runner {
        flow: RwSignal::new(None),
        changed: RwSignal::new(0),
    };

    // Only signed-in nodes are asked (a 401 from a node never signed in to would open
    // the session dialog); a memo, because `sessions` changes with every answer.
    let signed_in = Memo::new(move |_| {
        panel.directory.with(|directory| {
            directory
                .all()
                .filter(|node| panel.is_signed_in(&node.name))
                .map(|node| (node.name.clone(), node.cluster_address.clone()))
                .collect::<Vec<_>>()
        })
    });
    let probes = LocalResource::new(move || {
        let clients: Vec<(Probe, Option<NodeClient>)> = signed_in
            .get()
            .into_iter()
            .map(|(name, cluster_address)| {
                let _generation = panel.generation(&name);
                let client = panel.client(&name);
                let probe = Probe {
                    name,
                    cluster_address,
                    nodes: None,
                };
                (probe, client)
            })
            .collect();
        async move {
            let mut probes = Vec::new();
            for (mut probe, client) in clients {
                if let Some(client) = client {
                    let listed = client.get::<NodesList>(paths::CLUSTER_NODES).await;
                    probe.nodes = listed.ok().map(|reply| reply.value.items);
                }
                probes.push(probe);
            }
            probes
        }
    });

    let chosen = Memo::new(move |_| panel.query_value(CENTRAL_KEY).filter(|c| !c.is_empty()));
    // A memo, so the node list below is drawn anew only when the answer changes.
    let central = Memo::new(move |_| {
        if let Some(name) = chosen.get() {
            return Central::Chosen(name);
        }
        let Some(probed) = probes.get() else {
            return Central::Looking;
        };
        if probed.is_empty() {
            return Central::NotSignedIn;
        }
        match pick_central(&probed) {
            Some(probe) => Central::Found(probe.name.clone()),
            None => Central::Missing,
        }
    });
    let found = move || match central.get() {
        Central::Found(name) => Some(name),
        _ => None,
    };

    let choose = move |event| {
        let value = event_target_value(&event);
        panel.set_query(&[(CENTRAL_KEY, Some(value))]);
    };
    let options = move || {
        panel.directory.with(|directory| {
            directory
                .all()
                .map(|node| {
                    let name = node.name.clone();
                    let selected = chosen.get().as_deref() == Some(name.as_str());
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view()
        })
    };
    let automatic_label = move || match found() {
        Some(name) => format!("Found automatically ({name})"),
        None => "Found automatically".to_owned(),
    };

    let body = move || match central.get() {
        Central::Chosen(central) | Central::Found(central) => {
            view! { <ClusterNodes central runner /> }.into_any()
        }
        Central::Looking => {
            view! { <p class="loading">"Looking for the Central Management node…"</p> }.into_any()
        }
        Central::NotSignedIn => view! {
            <p class="empty">
                "Sign in to the nodes in the sidebar to find the Central Management node."
            </p>
        }
        .into_any(),
        Central::Missing => view! {
            <p class="empty no-central">
                "None of the nodes you are signed in to is a Central Management node: "
                "the cluster does not exist yet. Promote a node first."
            </p>
        }
        .into_any(),
    };

    view! {
        <section class="roles-panel" aria-labelledby="roles-title">
            <div class="screen-head">
                <h3 id="roles-title">"Nodes and roles"</h3>
                <label for="cm-select">"Central Management node"</label>
                <select id="cm-select" on:change=choose>
                    <option value="" selected=move || chosen.get().is_none()>
                        {automatic_label}
                    </option>
                    {options}
                </select>
            </div>
            <FlowReport runner />
            {body}
        </section>
        <JoinStatusList changed=runner.changed />
    }
}

/// Where the running or last flow stands, and the commit message prompt.
#[component]
fn FlowReport(runner: Runner) -> impl IntoView {
    let panel = Panel::expect();
    let (message, set_message) = signal(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        runner.provide_message(panel, &message.get_untracked());
        set_message.set(String::new());
    };
    move || {
        runner.flow.with(|flow| {
            let flow = flow.as_ref()?;
            let summary = flow.summary();
            let view = match flow.phase() {
                Phase::AwaitMessage => view! {
                    <form class="roles-commit-message commit-form" on:submit=submit>
                        <p>{summary}</p>
                        <label for="roles-commit-message">"Commit message (required)"</label>
                        <input
                            id="roles-commit-message"
                            prop:value=message
                            on:input=move |e| set_message.set(event_target_value(&e))
                        />
                        <button type="submit" disabled=move || message.get().trim().is_empty()>
                            "Commit"
                        </button>
                        <button type="button" class="secondary" on:click=move |_| runner.cancel()>
                            "Cancel"
                        </button>
                    </form>
                }
                .into_any(),
                Phase::Running(_) => {
                    view! { <p class="flow-summary loading" role="status">{summary}</p> }.into_any()
                }
                Phase::Finished(outcome)
                    if matches!(outcome.as_ref(), Outcome::Succeeded | Outcome::Cancelled) =>
                {
                    view! { <p class="flow-summary done" role="status">{summary}</p> }.into_any()
                }
                Phase::Finished(_) => {
                    view! { <p class="flow-summary error" role="alert">{summary}</p> }.into_any()
                }
            };
            Some(view)
        })
    }
}
