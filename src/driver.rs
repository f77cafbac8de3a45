//! Runs the flows of [`crate::flows`] against the nodes: sends what a flow asks for,
//! feeds the answers back, waits where it polls, and keeps the flow in a signal the
//! components draw. Also gathers the facts the preflight checks need.
//!
//! Several joins may run at once, but only one at a time may hold a transaction on the
//! Central Management node ([`CentralGate`]): each join's registration is then committed
//! or reverted on its own, and one node's failure cannot take another's registration
//! with it.

use std::rc::Rc;

use futures::lock::Mutex;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use sps_api::cluster::{JoinStatus, NodeResponse};
use sps_api::info::{ClusterInterface, Info};
use sps_api::transaction::{Changes, TransactionResponse, TransactionStatus};
use sps_api::{paths, ErrorCode, Single};

use crate::api::{flow_requests, ApiError, NodeClient};
use crate::flows::join::JoinFlow;
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
    }
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

/// Whether `central` lists a node with the central-management role at its own address:
/// then it is the cluster's Central Management node.
pub async fn is_central_management(central: &NodeClient, address: &str) -> bool {
    let Ok(reply) = central
        .get::<sps_api::cluster::NodesList>(paths::CLUSTER_NODES)
        .await
    else {
        return false;
    };
    reply.value.items.iter().any(|item| {
        item.body.address == address
            && item
                .body
                .roles
                .contains(&sps_api::roles::Role::CentralManagement)
    })
}

/// Reads one node of the cluster from the Central Management node.
pub async fn read_cluster_node(
    central: &NodeClient,
    node_id: &str,
) -> Result<NodeResponse, ApiError> {
    Ok(central
        .get::<NodeResponse>(&paths::cluster_node(node_id))
        .await?
        .value)
}
