//! One refresh of the cluster view: find the Central Management node, read its nodes
//! and their status, and ask each configured node outside the cluster where it stands.

use futures::future::join_all;
use futures::stream::{FuturesOrdered, StreamExt};
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
            let (items, status) = read_central(location).await;
            let items = items?;
            match detect_central_management([(location, items.as_slice())]) {
                Some(_) => Some((location.clone(), items, Some(status))),
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
    if let Some((location, items, status)) = found {
        let status = match status {
            Some(status) => status?,
            None => {
                NodeClient::new(&location)
                    .get::<StatusList>(paths::CLUSTER_STATUS)
                    .await?
                    .value
            }
        };
        rows = member_rows(&items, &status.items, &directory);
        cm = Some(location.name.clone());
    }
    let fetched_at_ms = now_ms();
    let clock_offset_ms = clock_offset_ms(&rows, fetched_at_ms);
    let outside: Vec<NodeLocation> = configured_outside(&rows, &directory)
        .into_iter()
        .cloned()
        .collect();
    // All at once: the request cap (`api::in_flight`) keeps the burst bounded, and a
    // slow node no longer delays every row after it.
    let states = join_all(outside.iter().map(ask_outside)).await;
    for (location, state) in outside.iter().zip(states) {
        rows.push(outside_row(location, state));
    }
    Ok(Snapshot {
        cm,
        notice,
        rows,
        fetched_at_ms,
        clock_offset_ms,
    })
}

/// What a refresh learnt of the Central Management node: where it is, its node list,
/// and its status list when that was asked for at the same time.
type Central = (
    NodeLocation,
    Vec<NodeItem>,
    Option<Result<StatusList, ApiError>>,
);

/// A node believed to be the Central Management node: its node list and status list,
/// asked together so that a steady cluster's refresh costs one round trip.
async fn read_central(
    location: &NodeLocation,
) -> (
    Result<Vec<NodeItem>, ApiError>,
    Result<StatusList, ApiError>,
) {
    let client = NodeClient::new(location);
    let (nodes, status) = futures::join!(
        client.get::<NodesList>(paths::CLUSTER_NODES),
        client.get::<StatusList>(paths::CLUSTER_STATUS),
    );
    (
        nodes.map(|reply| reply.value.items),
        status.map(|reply| reply.value),
    )
}

/// Asks the directory's nodes for their node list until one lists itself as the
/// Central Management node: the remembered one (or the first one) first, so a steady
/// cluster costs one round trip, then all the others at once. A node that cannot be asked is skipped here
/// and shows its own error in its row later.
async fn detect(directory: &[NodeLocation], remembered: Option<&str>) -> Option<Central> {
    // With nothing remembered (a fresh page), the first node of the list is the best
    // guess: a deployment usually lists its Central Management node first.
    let guess = remembered.or(directory.first().map(|location| location.name.as_str()));
    if let Some(known) = directory
        .iter()
        .find(|location| Some(location.name.as_str()) == guess)
    {
        let (items, status) = read_central(known).await;
        if let Ok(items) = items {
            if detect_central_management([(known, items.as_slice())]).is_some() {
                return Some((known.clone(), items, Some(status)));
            }
        }
    }
    let ask = |location: &NodeLocation| {
        let location = location.clone();
        async move {
            let reply = NodeClient::new(&location)
                .get::<NodesList>(paths::CLUSTER_NODES)
                .await
                .ok()?;
            let items = reply.value.items;
            detect_central_management([(&location, items.as_slice())])?;
            Some((location, items, None))
        }
    };
    // The answers are taken in directory order, so the first Central Management node
    // of the list wins as if the nodes had been asked one by one; once it is found the
    // questions still waiting for a slot are dropped unsent.
    let mut answers: FuturesOrdered<_> = directory
        .iter()
        .filter(|location| Some(location.name.as_str()) != guess)
        .map(ask)
        .collect();
    while let Some(answer) = answers.next().await {
        if answer.is_some() {
            return answer;
        }
    }
    None
}

async fn ask_outside(location: &NodeLocation) -> Outside {
    let client = NodeClient::new(location);
    let (join, version) = futures::join!(
        client.get::<JoinStatus>(paths::CLUSTER_JOIN_REQUEST),
        client.get::<Single<Info>>(paths::INFO),
    );
    let join = join.map(|reply| reply.value);
    let version = version
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
