//! The cluster's nodes as the Central Management node lists them, each with an editor
//! for its roles (checked live against the role rules) and a removal behind a
//! confirmation.

use leptos::prelude::*;
use sps_api::cluster::{NodeItem, NodesList};
use sps_api::paths;
use sps_api::roles::Role;

use super::{error_text, Runner};
use crate::context::Panel;
use crate::flows::roles::{check_edit, toggled, violation_message, RoleChange, EDITABLE_ROLES};

/// The node whose roles are being edited, and the roles the form holds now.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    node_id: String,
    address: String,
    roles: Vec<Role>,
}

#[component]
pub(super) fn ClusterNodes(central: String, runner: Runner) -> impl IntoView {
    let panel = Panel::expect();
    let (reload, set_reload) = signal(0u32);
    let draft = RwSignal::new(None::<Draft>);
    let removing = RwSignal::new(None::<NodeItem>);
    let central_name = StoredValue::new(central.clone());

    let listed = LocalResource::new(move || {
        reload.track();
        runner.changed.track();
        let central = central_name.get_value();
        let _generation = panel.generation(&central);
        let client = panel.client(&central);
        async move {
            match client {
                Some(client) => client
                    .get::<NodesList>(paths::CLUSTER_NODES)
                    .await
                    .map(|reply| Some(reply.value.items)),
                None => Ok(None),
            }
        }
    });
    // The list the rule check and the dialogs read; empty until the first answer.
    let items = Memo::new(move |_| {
        listed
            .get()
            .and_then(|outcome| outcome.ok().flatten())
            .unwrap_or_default()
    });
    let name_of = move |address: &str| {
        panel.directory.with(|directory| {
            directory
                .all()
                .find(|node| node.cluster_address == address)
                .map(|node| node.name.clone())
        })
    };

    let table = move |items: Vec<NodeItem>| {
        if items.is_empty() {
            return view! { <p class="empty">"The Central Management node lists no nodes."</p> }
                .into_any();
        }
        let rows = items
            .into_iter()
            .map(|item| {
                let name = name_of(&item.body.address);
                let is_central = item.body.roles.contains(&Role::CentralManagement);
                let roles = match item.body.roles.is_empty() {
                    true => "none yet".to_owned(),
                    false => {
                        let names: Vec<&str> = item.body.roles.iter().map(Role::as_str).collect();
                        names.join(", ")
                    }
                };
                let edit = {
                    let item = item.clone();
                    move |_| {
                        draft.set(Some(Draft {
                            node_id: item.key.clone(),
                            address: item.body.address.clone(),
                            roles: item.body.roles.clone(),
                        }))
                    }
                };
                let remove = {
                    let item = item.clone();
                    move |_| removing.set(Some(item.clone()))
                };
                let label = name.clone().unwrap_or_else(|| "—".to_owned());
                view! {
                    <tr data-address=item.body.address.clone() data-name=name.unwrap_or_default()>
                        <td>{label}</td>
                        <td>{item.body.address.clone()}</td>
                        <td><code>{item.key.clone()}</code></td>
                        <td class="node-roles">{roles}</td>
                        <td class="node-row-actions">
                            <button class="edit-roles" on:click=edit disabled=move || runner.busy()>
                                "Edit roles"
                            </button>
                            {(!is_central)
                                .then(|| {
                                    view! {
                                        <button
                                            class="remove-node danger"
                                            on:click=remove.clone()
                                            disabled=move || runner.busy()
                                        >
                                            "Remove"
                                        </button>
                                    }
                                })}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="cluster-nodes">
                <thead>
                    <tr>
                        <th scope="col">"Node"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Node ID"</th>
                        <th scope="col">"Roles"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <div class="cluster-nodes-head">
            <p class="muted">"Nodes of the cluster, as " {central.clone()} " lists them."</p>
            <button
                class="secondary refresh-nodes"
                on:click=move |_| set_reload.update(|n| *n += 1)
            >
                "Refresh"
            </button>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Reading the cluster's nodes…"</p> }>
            {move || {
                listed
                    .get()
                    .map(|outcome| match outcome {
                        Ok(Some(items)) => table(items),
                        Ok(None) => {
                            view! { <p class="empty">"Unknown node."</p> }.into_any()
                        }
                        Err(error) => {
                            view! { <p class="error" role="alert">{error_text(&error)}</p> }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <RoleEditor central=central.clone() draft items runner />
        <RemoveDialog central removing runner name_of />
    }
}

#[component]
fn RoleEditor(
    central: String,
    draft: RwSignal<Option<Draft>>,
    items: Memo<Vec<NodeItem>>,
    runner: Runner,
) -> impl IntoView {
    let panel = Panel::expect();
    let central = StoredValue::new(central);
    // The rule the draft breaks, if any, against the list as last read.
    let violation = Memo::new(move |_| {
        let draft = draft.get()?;
        items.with(|items| {
            check_edit(items, &draft.node_id, &draft.roles)
                .err()
                .map(|violation| violation_message(&violation, items))
        })
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if violation.get_untracked().is_some() {
            return;
        }
        let Some(edited) = draft.get_untracked() else {
            return;
        };
        let change = RoleChange::Assign {
            node_id: edited.node_id,
            address: edited.address,
            roles: edited.roles,
        };
        if runner.start(panel, &central.get_value(), change) {
            draft.set(None);
        }
    };

    move || {
        let edited = draft.get()?;
        let checkboxes = std::iter::once(Role::CentralManagement)
            .chain(EDITABLE_ROLES)
            .map(|role| {
                let id = format!("role-{}", role.as_str());
                let fixed = role == Role::CentralManagement;
                let checked = {
                    let role = role.clone();
                    move || draft.with(|d| d.as_ref().is_some_and(|d| d.roles.contains(&role)))
                };
                let toggle = {
                    let role = role.clone();
                    move |event| {
                        let on = event_target_checked(&event);
                        draft.update(|d| {
                            if let Some(d) = d {
                                d.roles = toggled(&d.roles, &role, on);
                            }
                        });
                    }
                };
                view! {
                    <label class="checkbox" for=id.clone()>
                        <input
                            type="checkbox"
                            id=id.clone()
                            prop:checked=checked
                            disabled=fixed
                            on:change=toggle
                        />
                        {role.as_str().to_owned()}
                    </label>
                }
            })
            .collect_view();
        Some(view! {
            <form class="roles-form" on:submit=save>
                <fieldset>
                    <legend>"Roles of " {edited.address.clone()}</legend>
                    {checkboxes}
                    <p class="muted">
                        "central-management only comes from promoting a node; it stays as it is."
                    </p>
                </fieldset>
                <p class="role-violation error" role="alert">{move || violation.get()}</p>
                <div class="form-actions">
                    <button
                        type="submit"
                        class="save-roles"
                        disabled=move || violation.get().is_some() || runner.busy()
                    >
                        "Save and commit"
                    </button>
                    <button type="button" class="secondary" on:click=move |_| draft.set(None)>
                        "Cancel"
                    </button>
                </div>
            </form>
        })
    }
}

#[component]
fn RemoveDialog(
    central: String,
    removing: RwSignal<Option<NodeItem>>,
    runner: Runner,
    name_of: impl Fn(&str) -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let panel = Panel::expect();
    let central = StoredValue::new(central);
    let confirm = move |_| {
        let Some(item) = removing.get_untracked() else {
            return;
        };
        let change = RoleChange::Remove {
            node_id: item.key,
            address: item.body.address,
        };
        if runner.start(panel, &central.get_value(), change) {
            removing.set(None);
        }
    };
    move || {
        let item = removing.get()?;
        let named = match name_of(&item.body.address) {
            Some(name) => format!("{name} ({})", item.body.address),
            None => item.body.address.clone(),
        };
        Some(view! {
            <div class="dialog-backdrop">
                <div
                    class="dialog remove-node-dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="remove-node-title"
                >
                    <h2 id="remove-node-title">"Remove " {named.clone()} "?"</h2>
                    <p>
                        {named} " leaves the cluster: " {central.get_value()}
                        " stops managing it, and its join status becomes not configured. "
                        "The change is committed at once."
                    </p>
                    <div class="form-actions">
                        <button class="confirm-remove danger" on:click=confirm>
                            "Remove from the cluster"
                        </button>
                        <button class="secondary" on:click=move |_| removing.set(None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            </div>
        })
    }
}
