//! Fuzz target: the input as the body of every answer the panel parses (and of
//! `nodes.json`). Each type must return `Ok` or `Err` without panicking, and a body a
//! type accepts must serialise and parse back as that type.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

use sps_api::auth::{Authentication, LoginMethod};
use sps_api::cluster::{
    ConfigurationSyncList, JoinRequestResponse, JoinStatus, NodeResponse, NodeStatus, NodesList,
    PromoteResponse, StatusList,
};
use sps_api::deployment::NodesFile;
use sps_api::info::{ClusterInterface, Info};
use sps_api::transaction::{Changes, TransactionResponse};
use sps_api::{Collection, ErrorBody, Index, Single};

/// Parses `data` as `T`; what parses must survive a round trip.
fn parse<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_vec(&value).expect("a parsed body serialises");
    serde_json::from_slice::<T>(&json).expect("a parsed body's serialisation parses back");
}

/// Every response body type, through the one function above.
const RESPONSES: &[fn(&[u8])] = &[
    parse::<Authentication>,
    parse::<Collection<LoginMethod>>,
    parse::<Index>,
    parse::<Single<Info>>,
    parse::<Single<ClusterInterface>>,
    parse::<TransactionResponse>,
    parse::<Changes>,
    parse::<PromoteResponse>,
    parse::<JoinRequestResponse>,
    parse::<JoinStatus>,
    parse::<NodesList>,
    parse::<NodeResponse>,
    parse::<StatusList>,
    parse::<NodeStatus>,
    parse::<ConfigurationSyncList>,
    parse::<ErrorBody>,
    parse::<NodesFile>,
];

fuzz_target!(|data: &[u8]| {
    for parse in RESPONSES {
        parse(data);
    }
});
