//! Runs the flows of [`crate::flows`] against the nodes: sends what a flow asks for,
//! feeds the answers back, waits where it polls, and keeps the flow in a signal the
//! components draw. Also gathers the facts the preflight checks need.
//!
//! Several joins may run at once, but only one at a time may hold a transaction on the
//! Central Management node ([`CentralGate`]): each join's registration is then committed
//! or reverted on its own, and one node's failure cannot take another's registration
//! with it.
//!
//! Nothing here may panic on what a node sends: `unwrap` and `expect` are refused by
//! clippy in this module (tests may use them, see `clippy.toml`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::rc::Rc;

use futures::lock::Mutex;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use sps_api::cluster::JoinStatus;
use sps_api::info::{ClusterInterface, Info};
use sps_api::transaction::{Changes, CommitRequest, TransactionResponse, TransactionStatus};
use sps_api::{paths, ErrorCode, Single};

use crate::api::{flow_requests, ApiError, NodeClient};
use crate::flows::join::JoinFlow;
use crate::flows::journal::{self, ReadBack, Unfinished};
use crate::flows::preflight::{LockProbe, NodeFacts};
use crate::flows::promote::PromoteFlow;
use crate::flows::{Action, Side};

/// Lets one join at a time hold a transaction on the Central Management node.
#[derive(Clone, Default)]
pub struct CentralGate(Rc<Mutex<()>>);

/// Runs `flow` until it finishes or waits for a repair. Call it again after the person
/// chose a repair, with the action the repair returned.
pub async fn drive_join(
    flow: RwSignal<JoinFlow>,
    first: Action,
    node: NodeClient,
    central: NodeClient,
    gate: CentralGate,
) {
    let mut action = first;
    let mut held = None;
    // Written before the first request, so a reload at any point finds the flow.
    remember(
        &node.node,
        flow.try_with_untracked(journal::join_entry).flatten(),
    );
    loop {
        let (side, request) = match action {
            Action::Send { side, request } => (side, request),
            Action::SendAfter { ms, side, request } => {
                TimeoutFuture::new(ms).await;
                (side, request)
            }
            Action::Finished | Action::AwaitRepair => break,
        };
        if side == Side::Central && held.is_none() {
            held = Some(gate.0.lock().await);
        }
        let client = match side {
            Side::Node => &node,
            Side::Central => &central,
        };
        let reply = flow_requests::send(client, &request).await;
        action = flow
            .try_update(|flow| flow.on_reply(reply, js_sys::Date::now()))
            .unwrap_or(Action::Finished);
        if !flow
            .try_with_untracked(JoinFlow::holds_central)
            .unwrap_or(false)
        {
            held = None;
        }
        remember(
            &node.node,
            flow.try_with_untracked(journal::join_entry).flatten(),
        );
    }
}

/// The session-storage key of the unfinished flows (see [`crate::flows::journal`]).
const UNFINISHED_KEY: &str = "sps-panel.unfinished";

/// Records, or forgets, the unfinished flow of `node`, so that a reload finds it.
pub fn remember(node: &str, entry: Option<Unfinished>) {
    let mut entries = unfinished();
    entries.retain(|e| e.node != node);
    entries.extend(entry);
    let Some(storage) = session_storage() else {
        return;
    };
    let _ = match serde_json::to_string(&entries) {
        Ok(json) if !entries.is_empty() => storage.set_item(UNFINISHED_KEY, &json),
        _ => storage.remove_item(UNFINISHED_KEY),
    };
}

/// The flows a reload interrupted. Unreadable storage reads as none.
pub fn unfinished() -> Vec<Unfinished> {
    session_storage()
        .and_then(|storage| storage.get_item(UNFINISHED_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads back, after a reload, the state an unfinished join left on both nodes.
pub async fn read_back(
    entry: &Unfinished,
    node: &NodeClient,
    central: &NodeClient,
) -> Result<ReadBack, ApiError> {
    let open = |reply: crate::api::Reply<TransactionResponse>| {
        reply
            .value
            .state()
            .is_some_and(|state| state.status == TransactionStatus::Open)
    };
    let node_transaction_open = open(node.get(paths::TRANSACTION).await?);
    let central_transaction_open = open(central.get(paths::TRANSACTION).await?);
    let listed = central
        .get::<sps_api::cluster::NodesList>(paths::CLUSTER_NODES)
        .await?
        .value;
    let registered_on_central = entry
        .node_id
        .as_ref()
        .is_some_and(|id| listed.items.iter().any(|item| &item.key == id));
    let join_state = node
        .get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST)
        .await?
        .value
        .status;
    Ok(ReadBack {
        node_transaction_open,
        central_transaction_open,
        registered_on_central,
        join_state,
    })
}

/// Removes `node_id` from the Central Management node in a transaction of its own;
/// reverts that transaction if the removal or its commit fails.
pub async fn remove_from_central(central: &NodeClient, node_id: &str) -> Result<(), ApiError> {
    central
        .post_empty::<TransactionResponse>(paths::TRANSACTION)
        .await?;
    let removed = match central.delete(&paths::cluster_node(node_id)).await {
        Ok(_) => central
            .put::<_, serde_json::Value>(paths::TRANSACTION, &CommitRequest::new(None))
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    if removed.is_err() {
        let _ = central.delete(paths::TRANSACTION).await;
    }
    removed
}

/// Runs a promote to its end.
pub async fn drive_promote(flow: RwSignal<PromoteFlow>, first: Action, node: NodeClient) {
    let mut action = first;
    while let Action::Send { request, .. } | Action::SendAfter { request, .. } = action {
        let reply = flow_requests::send(&node, &request).await;
        action = flow
            .try_update(|flow| flow.on_reply(reply))
            .unwrap_or(Action::Finished);
    }
}

/// Reads what the preflight checks need from one node. The lock is probed by opening a
/// transaction and reverting it at once, unless this session already has one open (its
/// pending changes are then counted, never reverted).
pub async fn gather_facts(client: &NodeClient) -> NodeFacts {
    let text = |error: ApiError| error.to_string();
    let info = client.get::<Single<Info>>(paths::INFO).await;
    let signed_in = !matches!(&info, Err(error) if error.needs_sign_in());
    let version = info.map(|reply| reply.value.body.version).map_err(text);
    let cluster_interface_enabled = client
        .get::<Single<ClusterInterface>>(paths::CLUSTER_INTERFACE)
        .await
        .map(|reply| reply.value.body.enabled)
        .map_err(text);
    let join_state = client
        .get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST)
        .await
        .map(|reply| reply.value.status)
        .map_err(text);
    let transaction = client.get::<TransactionResponse>(paths::TRANSACTION).await;
    let commit_message_required = transaction
        .as_ref()
        .ok()
        .and_then(|reply| reply.value.state())
        .is_some_and(|state| state.requires_commit_message());
    let lock = if signed_in {
        probe_lock(client, transaction).await
    } else {
        LockProbe::Failed("not signed in".to_owned())
    };
    NodeFacts {
        node: client.node.clone(),
        signed_in,
        version,
        cluster_interface_enabled,
        join_state,
        lock,
        commit_message_required,
    }
}

async fn probe_lock(
    client: &NodeClient,
    transaction: Result<crate::api::Reply<TransactionResponse>, ApiError>,
) -> LockProbe {
    let own_open = match &transaction {
        Ok(reply) => reply
            .value
            .state()
            .is_some_and(|state| state.status == TransactionStatus::Open),
        Err(error) => return LockProbe::Failed(error.to_string()),
    };
    if own_open {
        return match client.get::<Changes>(paths::TRANSACTION_CHANGES).await {
            Ok(reply) => LockProbe::OwnTransaction {
                pending_changes: reply.value.changes.len(),
            },
            Err(error) => LockProbe::Failed(error.to_string()),
        };
    }
    match client
        .post_empty::<TransactionResponse>(paths::TRANSACTION)
        .await
    {
        Ok(_) => match client.delete(paths::TRANSACTION).await {
            Ok(_) => LockProbe::Free,
            Err(error) => LockProbe::Failed(format!(
                "the probe's transaction could not be reverted: {error}"
            )),
        },
        Err(error) if error.known_code() == Some(ErrorCode::ConfigurationLocked) => {
            LockProbe::LockedBy(error.locked_by.unwrap_or_else(|| "another user".to_owned()))
        }
        Err(error) if error.is_forbidden() => LockProbe::Forbidden,
        Err(error) => LockProbe::Failed(error.to_string()),
    }
}
