//! One node's row. Every cell reads the row's own signal, so a refresh that changes one
//! node's load re-renders that cell alone and leaves the rest of the table untouched.

use leptos::prelude::*;
use sps_api::cluster::{Health, SyncIssue};

use crate::api::checked_api_path;
use crate::cluster::time::{format_age, format_utc};
use crate::cluster::NodeRow;
use crate::context::Panel;

#[component]
pub fn ClusterRow(
    row: RwSignal<NodeRow>,
    now_ms: Signal<f64>,
    cm: Signal<Option<String>>,
    stale_since: Signal<Option<f64>>,
) -> impl IntoView {
    let panel = Panel::expect();
    let read = move |f: fn(&NodeRow) -> String| move || row.with(f);
    let status = Memo::new(move |_| row.with(|r| r.status(now_ms.get())));
    let problems = Memo::new(move |_| row.with(|r| r.problems().join("; ")));
    let age = Memo::new(move |_| {
        row.with(|r| r.age_ms(now_ms.get()))
            .map(format_age)
            .unwrap_or_else(|| "never".to_owned())
    });
    let stale_age = move || {
        stale_since
            .get()
            .map(|at| format!("stale, data {}", format_age(panel.now_ms.get() - at)))
    };

    view! {
        <tr data-key=move || row.with(|r| r.key.clone())
            class=move || format!("node-row status-{}", status.get().key())>
            <th scope="row" class="node">
                <span class="name">{read(|r| r.display_name().to_owned())}</span>
                <small class="node-id">{read(|r| r.node_id.clone().unwrap_or_default())}</small>
            </th>
            <td class="address">{read(|r| r.address.clone())}</td>
            <td class="fqdn">{read(|r| r.fqdn.clone().unwrap_or_default())}</td>
            <td class="roles">{read(|r| r.roles_label())}</td>
            <td class="status">
                <span class="status-label" title=move || problems.get()>
                    {move || status.get().label()}
                </span>
                <small class="problems">{move || problems.get()}</small>
                <small class="stale-age">{stale_age}</small>
            </td>
            <td class="sync">
                <span class="sync-label">{read(|r| r.sync_label())}</span>
                {move || row.with(|r| r.outside.clone()).map(|outside| {
                    let version = match outside.version {
                        Ok(version) => format!("SPS {version}"),
                        Err(why) => format!("version unknown: {why}"),
                    };
                    let join_error = outside.join.err();
                    view! {
                        <small class="version">{version}</small>
                        {join_error.map(|why| view! { <small class="row-error">{why}</small> })}
                    }
                })}
            </td>
            <td class="last-seen">
                <span class="age">{move || age.get()}</span>
                <small class="absolute">
                    {read(|r| {
                        r.last_seen_ms
                            .map(format_utc)
                            .or_else(|| r.last_seen.clone())
                            .unwrap_or_default()
                    })}
                </small>
            </td>
            <td class="health">
                {read(|r| r.health.as_ref().map(health_text).unwrap_or_default())}
            </td>
            <td class="warnings">
                {move || {
                    let issues = row.with(|r| {
                        r.errors.iter().chain(&r.warnings).cloned().collect::<Vec<_>>()
                    });
                    issues
                        .into_iter()
                        .map(|issue| view! { <Issue issue=issue cm=cm /> })
                        .collect_view()
                }}
            </td>
        </tr>
    }
}

/// `mem 21% · disk 5% · swap 0% · load 0.1 0.2 0.3 · 2 sessions (ssh 2)`.
fn health_text(health: &Health) -> String {
    let protocols: Vec<String> = health
        .sessions
        .iter()
        .filter(|(_, count)| **count > 0)
        .map(|(protocol, count)| format!("{protocol} {count}"))
        .collect();
    let sessions = match protocols.is_empty() {
        true => format!("{} sessions", health.total_sessions),
        false => format!(
            "{} sessions ({})",
            health.total_sessions,
            protocols.join(", ")
        ),
    };
    format!(
        "mem {} · disk {} · swap {} · load {} · {sessions}",
        health.memory,
        health.disk,
        health.swap,
        health.load_averages()
    )
}

/// One sync warning or error. Its configuration paths open the endpoint tree of the
/// Central Management node, but only paths that pass the panel's path check: they come
/// from the network.
#[component]
fn Issue(issue: SyncIssue, cm: Signal<Option<String>>) -> impl IntoView {
    let panel = Panel::expect();
    let paths = issue
        .paths
        .into_iter()
        .map(|path| {
            let usable = checked_api_path(&path).is_ok();
            let target = path.clone();
            let open = move |_| {
                if let Some(node) = cm.get_untracked() {
                    panel.open_in_tree(&node, &target);
                }
            };
            match usable {
                true => view! {
                    <button type="button" class="link path-link" on:click=open>
                        {path}
                    </button>
                }
                .into_any(),
                false => view! { <code class="path">{path}</code> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <div class="issue">
            <span class="message">{issue.message}</span>
            " "
            {paths}
        </div>
    }
}
