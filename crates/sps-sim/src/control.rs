//! The control API: a separate listener through which tests and the demo inspect the
//! fleet and change it from outside the SPS API (faults, locks, offline nodes, versions,
//! the clock).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};

use crate::fleet::Fleet;
use crate::node::{LockOwner, Pending, USERS};
use types::*;

/// The control API's request and response bodies, public so tests in other crates can
/// deserialise them.
pub mod types {
    use serde::{Deserialize, Serialize};
    use sps_api::cluster::{JoinState, SyncIssue};
    use sps_api::info::ClusterInterface;
    use sps_api::roles::Role;

    /// The JSON after `SPS-SIM READY ` on the simulator's stdout.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Ready {
        pub control: Option<String>,
        pub panel: Option<String>,
        pub nodes: Vec<ReadyNode>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ReadyNode {
        pub name: String,
        pub address: String,
        pub base_url: String,
    }

    /// `GET /fleet`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FleetView {
        pub nodes: Vec<FleetNode>,
        pub users: Vec<FleetUser>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FleetNode {
        pub name: String,
        pub address: String,
        pub base_url: String,
        pub version: String,
        pub online: bool,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FleetUser {
        pub name: String,
        pub password: String,
        pub read_only: bool,
    }

    /// `POST /faults`: what to break, on which node, for which requests, how often.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaultSpec {
        pub node: String,
        /// Only requests with this method; every method when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub method: Option<String>,
        /// The request path exactly (`/api/cluster/nodes`), or a prefix ending in `*`.
        pub path: String,
        pub kind: FaultKind,
        #[serde(default)]
        pub times: FaultTimes,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum FaultKind {
        /// Delay the answer by `ms` real milliseconds, then answer normally.
        Latency { ms: u64 },
        /// Answer with this status and an SPS error body instead.
        Status {
            status: u16,
            code: String,
            #[serde(default)]
            message: String,
            /// `details.locked_by` of the error body, as a `ConfigurationLocked` has it.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            locked_by: Option<String>,
        },
        /// Close the connection without an answer.
        Drop,
        /// Answer 200 with a body that is not JSON.
        Malformed,
        /// Announce more bytes than are sent, then close the connection.
        Truncated,
        /// Reset the connection (TCP RST) before the node reads the request: it never
        /// reaches the API, as when the node refuses the connection.
        Refused,
        /// Carry the request out, then reset the connection instead of answering: the
        /// change is made and its answer lost.
        Reset,
    }

    impl FaultKind {
        pub fn label(&self) -> &'static str {
            match self {
                FaultKind::Latency { .. } => "latency",
                FaultKind::Status { .. } => "status",
                FaultKind::Drop => "drop",
                FaultKind::Malformed => "malformed",
                FaultKind::Truncated => "truncated",
                FaultKind::Refused => "refused",
                FaultKind::Reset => "reset",
            }
        }
    }

    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum FaultTimes {
        #[default]
        Once,
        Count(u32),
        Always,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct FaultCreated {
        pub id: u64,
    }

    /// One active fault; `remaining` is `null` for faults that never run out.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaultView {
        pub id: u64,
        pub spec: FaultSpec,
        pub remaining: Option<u32>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaultList {
        pub faults: Vec<FaultView>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct LockRequest {
        pub user: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct VersionRequest {
        pub version: String,
        /// Defaults to `version`.
        #[serde(default)]
        pub firmware_version: Option<String>,
    }

    /// `PUT /nodes/{name}/settings`: each field present is applied, the others kept.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    pub struct SettingsRequest {
        #[serde(default)]
        pub require_commit_message: Option<bool>,
        /// Sets the committed cluster interface directly, bypassing transactions.
        #[serde(default)]
        pub cluster_interface_enabled: Option<bool>,
        /// Warnings the node reports in its `configuration_sync.issues`.
        #[serde(default)]
        pub sync_warnings: Option<Vec<SyncIssue>>,
    }

    /// One request a node received. No query string, header or body is kept.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    pub struct RequestLogEntry {
        pub seq: u64,
        pub method: String,
        pub path: String,
        /// `null` when no answer was sent (a dropped connection).
        pub status: Option<u16>,
        /// Simulated UTC time, ISO 8601.
        pub time: String,
        /// The injected fault's kind, if one applied.
        #[serde(default)]
        pub fault: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct RequestLog {
        pub requests: Vec<RequestLogEntry>,
    }

    /// `GET /nodes/{name}/state`: the node's committed state.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct NodeStateView {
        pub name: String,
        pub address: String,
        pub version: String,
        pub firmware_version: String,
        pub online: bool,
        pub require_commit_message: bool,
        pub cluster_interface: ClusterInterface,
        /// `standalone`, `central-management` or `member`.
        pub cluster_role: String,
        /// The node's id in its cluster: from promote, or from its latest join request.
        pub node_id: Option<String>,
        pub roles: Vec<Role>,
        pub central_management_address: Option<String>,
        pub join_status: JoinState,
        /// On the Central Management node, every committed node of the cluster.
        pub members: Vec<MemberView>,
        pub transaction: Option<TransactionView>,
        pub sessions: usize,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct MemberView {
        pub node_id: String,
        pub address: String,
        pub name: Option<String>,
        pub roles: Vec<Role>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct TransactionView {
        pub user: String,
        /// Whether the control API holds it (`POST /nodes/{name}/lock`).
        pub by_control: bool,
        pub changes: usize,
    }

    /// `PUT /clock`: set the speed, jump forward, or both.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    pub struct ClockRequest {
        #[serde(default)]
        pub speed: Option<f64>,
        #[serde(default)]
        pub advance_seconds: Option<f64>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ClockView {
        pub speed: f64,
        pub now: String,
        pub elapsed_seconds: f64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ControlError {
        pub error: String,
    }
}

/// The control API's router.
pub fn control_router(fleet: Arc<Fleet>) -> Router {
    Router::new()
        .route("/fleet", get(fleet_view))
        .route("/reset", post(reset))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .route("/nodes/{name}/expire_sessions", post(expire_sessions))
        .route("/nodes/{name}/lock", post(take_lock).delete(release_lock))
        .route("/nodes/{name}/offline", post(go_offline))
        .route("/nodes/{name}/online", post(go_online))
        .route("/nodes/{name}/version", put(set_version))
        .route("/nodes/{name}/settings", put(set_settings))
        .route(
            "/nodes/{name}/requests",
            get(request_log).delete(clear_request_log),
        )
        .route("/nodes/{name}/state", get(node_state))
        .route("/clock", get(clock_view).put(set_clock))
        .with_state(fleet)
}

type ControlResult<T> = Result<T, ControlFailure>;

/// A control API error: a status and a sentence.
pub struct ControlFailure(StatusCode, String);

impl IntoResponse for ControlFailure {
    fn into_response(self) -> Response {
        (self.0, Json(ControlError { error: self.1 })).into_response()
    }
}

fn node_index(fleet: &Fleet, name: &str) -> ControlResult<usize> {
    fleet
        .index_of_name(name)
        .ok_or_else(|| ControlFailure(StatusCode::NOT_FOUND, format!("no node named {name:?}")))
}

async fn fleet_view(State(fleet): State<Arc<Fleet>>) -> Json<FleetView> {
    let world = fleet.world();
    let nodes = fleet
        .handles()
        .iter()
        .enumerate()
        .map(|(index, handle)| FleetNode {
            name: handle.name.clone(),
            address: handle.address.to_string(),
            base_url: fleet.base_url(index),
            version: world.states[index].version.clone(),
            online: world.states[index].online,
        })
        .collect();
    let users = USERS
        .iter()
        .map(|u| FleetUser {
            name: u.name.to_owned(),
            password: u.password(&fleet.settings.admin_password).to_owned(),
            read_only: u.read_only,
        })
        .collect();
    Json(FleetView { nodes, users })
}

async fn reset(State(fleet): State<Arc<Fleet>>) -> StatusCode {
    fleet.reset();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(fleet): State<Arc<Fleet>>) -> Json<FaultList> {
    Json(FaultList {
        faults: fleet.faults().list(),
    })
}

async fn add_fault(
    State(fleet): State<Arc<Fleet>>,
    Json(spec): Json<FaultSpec>,
) -> ControlResult<(StatusCode, Json<FaultCreated>)> {
    node_index(&fleet, &spec.node)?;
    let id = fleet
        .faults()
        .add(spec)
        .map_err(|reason| ControlFailure(StatusCode::BAD_REQUEST, reason))?;
    Ok((StatusCode::CREATED, Json(FaultCreated { id })))
}

async fn clear_faults(State(fleet): State<Arc<Fleet>>) -> StatusCode {
    fleet.faults().clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(
    State(fleet): State<Arc<Fleet>>,
    Path(id): Path<u64>,
) -> ControlResult<StatusCode> {
    match fleet.faults().remove(id) {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ControlFailure(
            StatusCode::NOT_FOUND,
            format!("no fault {id}"),
        )),
    }
}

async fn expire_sessions(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    fleet.world().states[index].drop_all_sessions();
    Ok(StatusCode::NO_CONTENT)
}

async fn take_lock(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
    Json(request): Json<LockRequest>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    let mut world = fleet.world();
    let state = &mut world.states[index];
    if let Some(pending) = &state.pending {
        let message = format!("the lock is held by {}", pending.owner_name);
        return Err(ControlFailure(StatusCode::CONFLICT, message));
    }
    state.pending = Some(Pending {
        owner: LockOwner::Control(request.user.clone()),
        owner_name: request.user,
        config: state.committed.clone(),
        changes: Vec::new(),
    });
    Ok(StatusCode::NO_CONTENT)
}

async fn release_lock(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    let mut world = fleet.world();
    let state = &mut world.states[index];
    match &state.pending {
        Some(Pending {
            owner: LockOwner::Control(_),
            ..
        }) => {
            state.pending = None;
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ControlFailure(
            StatusCode::CONFLICT,
            "the control API does not hold this node's lock".to_owned(),
        )),
    }
}

async fn go_offline(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    fleet.set_online(index, false);
    Ok(StatusCode::NO_CONTENT)
}

async fn go_online(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    fleet.set_online(index, true);
    Ok(StatusCode::NO_CONTENT)
}

async fn set_version(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
    Json(request): Json<VersionRequest>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    let mut world = fleet.world();
    let state = &mut world.states[index];
    state.firmware_version = request
        .firmware_version
        .unwrap_or_else(|| request.version.clone());
    state.version = request.version;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_settings(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
    Json(request): Json<SettingsRequest>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    let mut world = fleet.world();
    let state = &mut world.states[index];
    if let Some(required) = request.require_commit_message {
        state.require_commit_message = required;
    }
    if let Some(enabled) = request.cluster_interface_enabled {
        state.committed.cluster_interface.enabled = enabled;
    }
    if let Some(warnings) = request.sync_warnings {
        state.sync_warnings = warnings;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn request_log(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<Json<RequestLog>> {
    let index = node_index(&fleet, &name)?;
    let world = fleet.world();
    let requests = world.states[index].requests.iter().cloned().collect();
    Ok(Json(RequestLog { requests }))
}

async fn clear_request_log(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<StatusCode> {
    let index = node_index(&fleet, &name)?;
    fleet.world().states[index].requests.clear();
    Ok(StatusCode::NO_CONTENT)
}

async fn node_state(
    State(fleet): State<Arc<Fleet>>,
    Path(name): Path<String>,
) -> ControlResult<Json<NodeStateView>> {
    let index = node_index(&fleet, &name)?;
    Ok(Json(fleet.state_view(index)))
}

async fn clock_view(State(fleet): State<Arc<Fleet>>) -> Json<ClockView> {
    Json(current_clock(&fleet))
}

async fn set_clock(
    State(fleet): State<Arc<Fleet>>,
    Json(request): Json<ClockRequest>,
) -> ControlResult<Json<ClockView>> {
    if let Some(speed) = request.speed {
        if !(speed.is_finite() && speed > 0.0) {
            let message = "speed must be a positive number".to_owned();
            return Err(ControlFailure(StatusCode::BAD_REQUEST, message));
        }
        fleet.clock.set_speed(speed);
    }
    if let Some(seconds) = request.advance_seconds {
        let Ok(by) = Duration::try_from_secs_f64(seconds) else {
            let message = "advance_seconds must be a non-negative number".to_owned();
            return Err(ControlFailure(StatusCode::BAD_REQUEST, message));
        };
        fleet.clock.advance(by);
    }
    Ok(Json(current_clock(&fleet)))
}

fn current_clock(fleet: &Fleet) -> ClockView {
    let now = fleet.clock.now();
    ClockView {
        speed: fleet.clock.speed(),
        now: fleet.clock.iso(now),
        elapsed_seconds: now.as_secs_f64(),
    }
}
