//! `/api/cluster/...`: promote, join_request, nodes, status and configuration_sync.
//!
//! Every change goes into the session's transaction; the cross-node effects of a join
//! (the joining node moving to `in progress`, then `in cluster`) follow from commits on
//! both nodes, as computed in `fleet.rs`.

use rand::distributions::Alphanumeric;
use rand::Rng;

use sps_api::cluster::{
    ClusterNode, ConfigurationSyncItem, JoinDetails, JoinRequestBody, JoinRequestInput, JoinState,
    JoinStatus, NodeItem, NodeStatus, SyncStatus,
};
use sps_api::roles::{check_role_assignment, Role};
use sps_api::transaction::{Change, ChangeKind};
use sps_api::{paths, Collection, ErrorCode, Meta, Psk, Single};

use super::{parse_address, parse_body, ApiError, Ctx, Kind, Reply};
use crate::fleet::PSK_VALIDITY;
use crate::node::{JoinRequest, Member};

fn new_node_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// 64 ASCII letters and digits, as the vendor documents the pre-shared key.
fn new_psk() -> Psk {
    let key: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    Psk::new(key)
}

fn node_meta(node_id: &str, remaining: Option<u64>) -> Meta {
    let mut meta = Meta::at(paths::cluster_node(node_id), paths::CLUSTER_NODES);
    meta.remaining_seconds = remaining;
    meta
}

fn interface_disabled(name: &str) -> ApiError {
    ApiError::conflict(format!(
        "The cluster interface of {name} is disabled: enable {} first",
        paths::CLUSTER_INTERFACE
    ))
}

/// `POST /api/cluster/promote`: makes this node the Central Management node on commit.
pub(super) fn promote(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let (id, user, index, now) = (
        ctx.session_id().to_owned(),
        ctx.user_name(),
        ctx.index,
        ctx.now,
    );
    let address = ctx.address();
    let remaining = ctx.remaining_seconds();
    let (join_state, _) = ctx.world.join_status(index, now);
    let view = ctx.state().view(&id);
    if view.promoted.is_some() {
        return Err(ApiError::conflict(
            "This node already is the Central Management node of a cluster",
        ));
    }
    if join_state != JoinState::NotConfigured {
        return Err(ApiError::conflict(format!(
            "This node is already in a cluster (join status: {join_state})"
        )));
    }
    if !view.cluster_interface.enabled {
        return Err(interface_disabled("this node"));
    }
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let node_id = new_node_id();
    let body = ClusterNode {
        address: address.to_string(),
        roles: vec![Role::CentralManagement],
    };
    pending.config.promoted = Some(node_id.clone());
    pending.config.join = None;
    pending.config.members = vec![Member {
        node_id: node_id.clone(),
        address,
        roles: vec![Role::CentralManagement],
        committed_at: None,
    }];
    pending.changes.push(Change {
        kind: ChangeKind::Create,
        path: paths::cluster_node(&node_id),
        old_value: None,
        new_value: serde_json::to_value(&body).ok(),
    });
    tracing::info!(node = index + 1, "promote pending");
    Reply::created(&Single {
        body,
        key: None,
        meta: node_meta(&node_id, Some(remaining)),
    })
}

/// `GET /api/cluster/join_request`: where this node stands, from committed state.
pub(super) fn get_join_request(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let (status, address) = ctx.world.join_status(ctx.index, ctx.now);
    Reply::ok(&JoinStatus {
        details: JoinDetails {
            central_management_address: address.map(|a| a.to_string()),
        },
        meta: Meta::at(paths::CLUSTER_JOIN_REQUEST, paths::CLUSTER)
            .with_remaining_seconds(ctx.remaining_seconds()),
        status,
    })
}

/// `POST /api/cluster/join_request`: a new node id and pre-shared key, valid for
/// [`PSK_VALIDITY`], that the Central Management node's nodes POST must present.
pub(super) fn post_join_request(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let input: JoinRequestInput = parse_body(
        ctx.body,
        &[("central_management_address", Kind::Text, true)],
    )?;
    let cm_address = parse_address(
        &input.central_management_address,
        "central_management_address",
    )?;
    let (id, user, index, now) = (
        ctx.session_id().to_owned(),
        ctx.user_name(),
        ctx.index,
        ctx.now,
    );
    let address = ctx.address();
    if cm_address == address {
        return Err(ApiError::conflict(
            "A node cannot join a cluster through itself",
        ));
    }
    let (join_state, _) = ctx.world.join_status(index, now);
    let view = ctx.state().view(&id);
    if view.promoted.is_some() {
        return Err(ApiError::conflict(
            "This node is the Central Management node of a cluster and cannot join another",
        ));
    }
    if join_state != JoinState::NotConfigured {
        return Err(ApiError::conflict(format!(
            "This node is already in a cluster (join status: {join_state})"
        )));
    }
    if !view.cluster_interface.enabled {
        return Err(interface_disabled("this node"));
    }
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let node_id = new_node_id();
    let psk = new_psk();
    pending.config.join = Some(JoinRequest {
        node_id: node_id.clone(),
        psk: psk.clone(),
        central_management_address: cm_address,
        issued_at: now,
        committed_at: None,
    });
    // The change shows what was asked for; the key itself stays out of every listing.
    pending.changes.push(Change {
        kind: ChangeKind::Create,
        path: paths::CLUSTER_JOIN_REQUEST.to_owned(),
        old_value: None,
        new_value: Some(serde_json::json!({
            "central_management_address": cm_address.to_string(),
            "node_id": node_id,
        })),
    });
    tracing::info!(node = index + 1, %cm_address, "join request pending");
    Reply::created(&Single {
        body: JoinRequestBody {
            address: address.to_string(),
            node_id,
            psk,
            roles: Vec::new(),
        },
        key: None,
        meta: Meta::at(paths::CLUSTER_JOIN_REQUEST, paths::CLUSTER)
            .with_remaining_seconds(PSK_VALIDITY.as_secs()),
    })
}

fn node_item(member: &Member) -> NodeItem {
    NodeItem {
        key: member.node_id.clone(),
        body: ClusterNode {
            address: member.address.to_string(),
            roles: member.roles.clone(),
        },
        meta: Meta {
            href: Some(paths::cluster_node(&member.node_id)),
            ..Meta::default()
        },
    }
}

/// The members this node can tell about: every node on the Central Management node,
/// only itself on a node in a cluster, none on a standalone node.
fn visible_members(ctx: &mut Ctx<'_>) -> Vec<Member> {
    let id = ctx.session_id().to_owned();
    let view = ctx.world.states[ctx.index].view(&id);
    if view.promoted.is_some() {
        return view.members.clone();
    }
    ctx.world
        .membership(ctx.index, ctx.now)
        .map(|(_, member)| vec![member])
        .unwrap_or_default()
}

pub(super) fn list_nodes(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let items = visible_members(ctx).iter().map(node_item).collect();
    Reply::ok(&Collection {
        items,
        meta: Meta::at(paths::CLUSTER_NODES, paths::CLUSTER),
    })
}

/// Fails unless the session's view of this node is the Central Management node.
fn require_central_management(ctx: &mut Ctx<'_>) -> Result<String, ApiError> {
    let id = ctx.session_id().to_owned();
    ctx.state().view(&id).promoted.clone().ok_or_else(|| {
        ApiError::conflict("This node is not the Central Management node of a cluster")
    })
}

/// `POST /api/cluster/nodes` on the Central Management node, with a join request's body.
pub(super) fn add_node(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let input: JoinRequestBody = parse_body(
        ctx.body,
        &[
            ("address", Kind::Text, true),
            ("node_id", Kind::Text, true),
            ("psk", Kind::Text, true),
            ("roles", Kind::TextList, false),
        ],
    )?;
    let address = parse_address(&input.address, "address")?;
    require_central_management(ctx)?;
    let (id, user, index, now) = (
        ctx.session_id().to_owned(),
        ctx.user_name(),
        ctx.index,
        ctx.now,
    );
    let own_address = ctx.address();
    let Some(joining) = ctx.world.index_of(address) else {
        return Err(ApiError::invalid(
            "address",
            format!("No SPS node answers at {address}"),
        ));
    };
    if joining == index {
        return Err(ApiError::conflict(
            "The Central Management node cannot add itself",
        ));
    }
    let view = ctx.world.states[index].view(&id);
    if view.member(&input.node_id).is_some() || view.members.iter().any(|m| m.address == address) {
        return Err(ApiError::conflict(format!(
            "The node at {address} is already part of this cluster"
        )));
    }
    let joining_name = ctx.fleet.handles()[joining].name.clone();
    let target = &ctx.world.states[joining];
    if !target.online {
        return Err(ApiError::conflict(format!(
            "{joining_name} at {address} does not answer"
        )));
    }
    let request = target
        .pending
        .as_ref()
        .and_then(|p| p.config.join.as_ref())
        .filter(|j| j.node_id == input.node_id)
        .or_else(|| {
            target
                .committed
                .join
                .as_ref()
                .filter(|j| j.node_id == input.node_id)
        });
    let valid = request.is_some_and(|j| {
        j.psk.expose() == input.psk.expose()
            && j.central_management_address == own_address
            && now.saturating_sub(j.issued_at) <= PSK_VALIDITY
    });
    if !valid {
        return Err(ApiError::invalid(
            "psk",
            format!(
                "The node id and pre-shared key do not match a valid join request of {joining_name} \
                 for this Central Management node (keys are valid for {} s)",
                PSK_VALIDITY.as_secs()
            ),
        ));
    }
    let own_version = ctx.world.states[index].version.clone();
    let target = &ctx.world.states[joining];
    if target.version != own_version {
        return Err(ApiError::conflict(format!(
            "{joining_name} runs SPS {}, this Central Management node runs SPS {own_version}: \
             all nodes of a cluster must run the same version",
            target.version
        )));
    }
    if !target.committed.cluster_interface.enabled {
        return Err(interface_disabled(&joining_name));
    }
    if target.committed.promoted.is_some() {
        return Err(ApiError::conflict(format!(
            "{joining_name} is the Central Management node of another cluster"
        )));
    }
    let remaining = ctx.remaining_seconds();
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let member = Member {
        node_id: input.node_id.clone(),
        address,
        roles: input.roles.clone(),
        committed_at: None,
    };
    let body = ClusterNode {
        address: address.to_string(),
        roles: input.roles,
    };
    pending.config.members.push(member);
    pending.changes.push(Change {
        kind: ChangeKind::Create,
        path: paths::cluster_node(&input.node_id),
        old_value: None,
        new_value: serde_json::to_value(&body).ok(),
    });
    tracing::info!(node = index + 1, joining = %joining_name, "node addition pending");
    Reply::created(&Single {
        body,
        key: Some(input.node_id.clone()),
        meta: node_meta(&input.node_id, Some(remaining)),
    })
}

fn node_answer(member: &Member) -> Single<ClusterNode> {
    let mut meta = node_meta(&member.node_id, None);
    meta.status = Some(paths::cluster_node_status(&member.node_id));
    Single {
        body: ClusterNode {
            address: member.address.to_string(),
            roles: member.roles.clone(),
        },
        key: Some(member.node_id.clone()),
        meta,
    }
}

fn no_such_node(node_id: &str) -> ApiError {
    ApiError::not_found(format!("No node {node_id} in this cluster"))
}

pub(super) fn get_node(ctx: &mut Ctx<'_>, node_id: &str) -> Result<Reply, ApiError> {
    let members = visible_members(ctx);
    let member = members
        .iter()
        .find(|m| m.node_id == node_id)
        .ok_or_else(|| no_such_node(node_id))?;
    Reply::ok(&node_answer(member))
}

/// `PUT /api/cluster/nodes/<id>`: assigns roles, by the rules of `sps_api::roles`.
pub(super) fn put_node(ctx: &mut Ctx<'_>, node_id: &str) -> Result<Reply, ApiError> {
    let input: ClusterNode = parse_body(
        ctx.body,
        &[
            ("address", Kind::Text, true),
            ("roles", Kind::TextList, true),
        ],
    )?;
    let address = parse_address(&input.address, "address")?;
    require_central_management(ctx)?;
    let (id, user) = (ctx.session_id().to_owned(), ctx.user_name());
    let view = ctx.state().view(&id);
    let member = view.member(node_id).ok_or_else(|| no_such_node(node_id))?;
    if member.address != address {
        return Err(ApiError::invalid(
            "address",
            format!("Node {node_id} is at {}, not {address}", member.address),
        ));
    }
    let others = view
        .members
        .iter()
        .map(|m| (m.node_id.as_str(), m.roles.as_slice()));
    if let Err(violation) = check_role_assignment(node_id, &member.roles, &input.roles, others) {
        let mut error = ApiError::new(ErrorCode::RoleRulesViolated, violation.to_string());
        error.field = Some("roles".to_owned());
        return Err(error);
    }
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let Some(member) = pending.config.member_mut(node_id) else {
        return Err(no_such_node(node_id));
    };
    let old = ClusterNode {
        address: member.address.to_string(),
        roles: member.roles.clone(),
    };
    member.roles = input.roles.clone();
    let answer = node_answer(member);
    if old.roles != input.roles {
        pending.changes.push(Change {
            kind: ChangeKind::Replace,
            path: paths::cluster_node(node_id),
            old_value: serde_json::to_value(&old).ok(),
            new_value: serde_json::to_value(&answer.body).ok(),
        });
    }
    Reply::ok(&answer)
}

/// `DELETE /api/cluster/nodes/<id>`: removes a node other than the Central Management
/// node; once committed, the removed node's join status is `not configured`.
pub(super) fn delete_node(ctx: &mut Ctx<'_>, node_id: &str) -> Result<Reply, ApiError> {
    let own_id = require_central_management(ctx)?;
    if own_id == node_id {
        return Err(ApiError::conflict(
            "The Central Management node cannot be removed from its cluster",
        ));
    }
    let (id, user) = (ctx.session_id().to_owned(), ctx.user_name());
    if ctx.state().view(&id).member(node_id).is_none() {
        return Err(no_such_node(node_id));
    }
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let Some(position) = pending
        .config
        .members
        .iter()
        .position(|m| m.node_id == node_id)
    else {
        return Err(no_such_node(node_id));
    };
    let removed = pending.config.members.remove(position);
    pending.changes.push(Change {
        kind: ChangeKind::Delete,
        path: paths::cluster_node(node_id),
        old_value: serde_json::to_value(ClusterNode {
            address: removed.address.to_string(),
            roles: removed.roles,
        })
        .ok(),
        new_value: None,
    });
    Ok(Reply::no_content())
}

/// The committed status list, if this node is a committed Central Management node.
fn status_items(ctx: &mut Ctx<'_>) -> Option<(String, Vec<NodeStatus>)> {
    let own_id = ctx.world.states[ctx.index].committed.promoted.clone()?;
    let items = ctx.world.cluster_status(ctx.fleet, ctx.index, ctx.now);
    Some((own_id, items))
}

/// `GET /api/cluster/status`: meaningful on the Central Management node; elsewhere an
/// empty list.
pub(super) fn status(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let mut meta = Meta::at(paths::CLUSTER_STATUS, paths::CLUSTER);
    let items = match status_items(ctx) {
        Some((own_id, items)) => {
            meta.self_link = Some(paths::cluster_node_status(&own_id));
            items
        }
        None => Vec::new(),
    };
    Reply::ok(&Collection { items, meta })
}

pub(super) fn status_entry(ctx: &mut Ctx<'_>, node_id: &str) -> Result<Reply, ApiError> {
    let entry = status_items(ctx)
        .and_then(|(_, items)| items.into_iter().find(|item| item.key == node_id))
        .ok_or_else(|| no_such_node(node_id))?;
    Reply::ok(&entry)
}

fn sync_list(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let items = status_items(ctx)
        .map(|(_, items)| {
            items
                .into_iter()
                .filter(|item| item.sync_status != SyncStatus::NotApplicable)
                .map(|item| ConfigurationSyncItem {
                    key: item.key,
                    sync_status: item.sync_status,
                    sync: item.configuration_sync,
                })
                .collect()
        })
        .unwrap_or_default();
    Reply::ok(&Collection {
        items,
        meta: Meta::at(paths::CLUSTER_CONFIGURATION_SYNC, paths::CLUSTER),
    })
}

pub(super) fn get_configuration_sync(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    sync_list(ctx)
}

/// `POST /api/cluster/configuration_sync`: every online managed host fetches now.
pub(super) fn post_configuration_sync(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let Some(own_id) = ctx.world.states[ctx.index].committed.promoted.clone() else {
        return Err(ApiError::conflict(
            "This node is not the Central Management node of a cluster",
        ));
    };
    let now = ctx.now;
    let addresses: Vec<_> = ctx.world.states[ctx.index]
        .committed
        .members
        .iter()
        .filter(|m| m.node_id != own_id)
        .map(|m| m.address)
        .collect();
    for address in addresses {
        if let Some(host) = ctx.world.index_of(address) {
            let state = &mut ctx.world.states[host];
            if state.online {
                state.forced_fetch_at = Some(now);
            }
        }
    }
    sync_list(ctx)
}
