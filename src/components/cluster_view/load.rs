//! One refresh of the cluster view: find the Central Management node, read its nodes
//! and their status, and ask each configured node outside the cluster where it stands.

use sps_api::cluster::{JoinStatus, NodeItem, NodesList, StatusList};
use sps_api::deployment::NodeLocation;
use sps_api::info::Info;
use sps_api::{paths, Single};

use crate::api::{ApiError, NodeClient};
use crate::cluster::rows::{
    clock_offset_ms, configured_outside, detect_central_management, member_rows, outside_row,
};
use crate::cluster::{NodeRow, Outside};

/// What one successful refresh found.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The Central Management node, `None` while there is no cluster.
    pub cm: Option<String>,
    /// Said above the table when the person picked a node that is not the Central
    /// Management node.
    pub notice: Option<String>,
    pub rows: Vec<NodeRow>,
    pub fetched_at_ms: f64,
    pub clock_offset_ms: f64,
}

/// What a person reads for a failed request; a 401 says what to do about it.
pub fn describe(error: &ApiError) -> String {
    if error.needs_sign_in() {
        format!("Sign in to {} to see this. ({error})", error.node)
    } else {
        error.to_string()
    }
}

/// Fetches everything the table shows. `chosen` is the person's pick of Central
/// Management node; `remembered` the one found last time, asked first when detecting.
/// Only a failure on the Central Management node fails the whole refresh: a configured
/// node that cannot be asked shows why in its own row.
pub async fn load(
    directory: Vec<NodeLocation>,
    chosen: Option<String>,
    remembered: Option<String>,
    now_ms: impl Fn() -> f64,
) -> Result<Snapshot, ApiError> {
    let mut notice = None;
    let found = match &chosen {
        Some(name) => {
            let Some(location) = directory.iter().find(|l| &l.name == name) else {
                return Err(ApiError::refused(
                    name,
                    "GET",
                    paths::CLUSTER_NODES,
                    "this node is not in the node list",
                ));
            };
            let items = NodeClient::new(location)
                .get::<NodesList>(paths::CLUSTER_NODES)
                .await?
                .value
                .items;
            match detect_central_management([(location, items.as_slice())]) {
                Some(_) => Some((location.clone(), items)),
                None => {
                    notice = Some(format!(
                        "{name} is not a Central Management node: it does not list itself \
                         with the central-management role."
                    ));
                    None
                }
            }
        }
        None => detect(&directory, remembered.as_deref()).await,
    };

    let mut rows = Vec::new();
    let mut cm = None;
    if let Some((location, items)) = found {
        let client = NodeClient::new(&location);
        let status = client.get::<StatusList>(paths::CLUSTER_STATUS).await?;
        rows = member_rows(&items, &status.value.items, &directory);
        cm = Some(location.name.clone());
    }
    let fetched_at_ms = now_ms();
    let clock_offset_ms = clock_offset_ms(&rows, fetched_at_ms);
    let outside: Vec<NodeLocation> = configured_outside(&rows, &directory)
        .into_iter()
        .cloned()
        .collect();
    for location in outside {
        let state = ask_outside(&location).await;
        rows.push(outside_row(&location, state));
    }
    Ok(Snapshot {
        cm,
        notice,
        rows,
        fetched_at_ms,
        clock_offset_ms,
    })
}

/// Asks the directory's nodes for their node list until one lists itself as the
/// Central Management node; the remembered one first, so a steady cluster costs one
/// request. A node that cannot be asked is skipped here and shows its own error in its
/// row later.
async fn detect(
    directory: &[NodeLocation],
    remembered: Option<&str>,
) -> Option<(NodeLocation, Vec<NodeItem>)> {
    let mut candidates: Vec<&NodeLocation> = directory.iter().collect();
    candidates.sort_by_key(|location| Some(location.name.as_str()) != remembered);
    for location in candidates {
        let Ok(reply) = NodeClient::new(location)
            .get::<NodesList>(paths::CLUSTER_NODES)
            .await
        else {
            continue;
        };
        let items = reply.value.items;
        if detect_central_management([(location, items.as_slice())]).is_some() {
            return Some((location.clone(), items));
        }
    }
    None
}

async fn ask_outside(location: &NodeLocation) -> Outside {
    let client = NodeClient::new(location);
    let join = client
        .get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST)
        .await
        .map(|reply| reply.value);
    let version = client
        .get::<Single<Info>>(paths::INFO)
        .await
        .map(|reply| reply.value.body.version)
        .map_err(|error| describe(&error));
    Outside {
        join_address: join
            .as_ref()
            .ok()
            .and_then(|j| j.details.central_management_address.clone()),
        join: join.map(|j| j.status).map_err(|error| describe(&error)),
        version,
    }
}
