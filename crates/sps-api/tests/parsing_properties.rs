//! Property tests of every SPS body type: whatever bytes arrive, parsing returns `Ok` or
//! `Err` and never panics; the vendor's samples and real serialised values, cut short,
//! damaged byte by byte or given values of the wrong JSON type, are handled the same way;
//! an unknown field from newer firmware does not break a body; and every type reads its
//! own serialised output back as the same value.

#[path = "support/json_damage.rs"]
mod json_damage;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use json_damage::{damaged, damages, other_json, pointers, replaced};
use sps_api::auth::{Authentication, LoginMethod};
use sps_api::cluster::{
    ClusterNode, ConfigurationSync, ConfigurationSyncItem, ConfigurationSyncList, Gauge, Health,
    JoinDetails, JoinRequestBody, JoinRequestInput, JoinRequestResponse, JoinState, JoinStatus,
    NodeItem, NodeResponse, NodeStatus, NodesList, PromoteResponse, StatusList, SyncIssue,
    SyncIssues, SyncStatus,
};
use sps_api::deployment::{NodeLocation, NodesFile};
use sps_api::info::{ClusterInterface, Info};
use sps_api::roles::Role;
use sps_api::transaction::{
    Change, ChangeKind, Changes, CommitMessagePolicy, CommitRequest, TransactionBody,
    TransactionResponse, TransactionStatus,
};
use sps_api::{
    Collection, ErrorBody, ErrorCode, ErrorDetail, ErrorDetails, Index as ApiIndex, IndexItem,
    Meta, Psk, Single,
};

/// Enough cases to find the shallow bugs in each property while the whole file stays
/// well under twenty seconds in a debug build.
const CASES: u32 = 512;

// ---------------------------------------------------------------------------------------
// The table of body types, and the one check every input goes through.
// ---------------------------------------------------------------------------------------

/// One body type: its name and [`check`] instantiated for it.
#[derive(Clone, Copy)]
struct BodyType {
    name: &'static str,
    check: fn(&[u8]) -> Checked,
}

/// What parsing an input as one type did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Checked {
    /// Parsed, and the value's own serialisation parsed back to the same value.
    Accepted,
    /// Refused with a serde error.
    Refused,
    /// Panicked, or accepted a value that does not read back as itself.
    Broken(String),
}

fn body<T: DeserializeOwned + Serialize>(name: &'static str) -> BodyType {
    BodyType {
        name,
        check: check::<T>,
    }
}

/// Every body the panel reads from a node or from `nodes.json`, and every request body
/// the simulator reads from the panel.
fn body_types() -> Vec<BodyType> {
    vec![
        body::<Authentication>("Authentication"),
        body::<Collection<LoginMethod>>("Collection<LoginMethod>"),
        body::<ApiIndex>("Index"),
        body::<Single<Info>>("Single<Info>"),
        body::<Single<ClusterInterface>>("Single<ClusterInterface>"),
        body::<TransactionResponse>("TransactionResponse"),
        body::<Changes>("Changes"),
        body::<PromoteResponse>("PromoteResponse"),
        body::<JoinRequestResponse>("JoinRequestResponse"),
        body::<JoinStatus>("JoinStatus"),
        body::<NodesList>("NodesList"),
        body::<NodeResponse>("NodeResponse"),
        body::<StatusList>("StatusList"),
        body::<NodeStatus>("NodeStatus"),
        body::<ConfigurationSyncList>("ConfigurationSyncList"),
        body::<ErrorBody>("ErrorBody"),
        body::<NodesFile>("NodesFile"),
        body::<JoinRequestInput>("JoinRequestInput"),
        body::<JoinRequestBody>("JoinRequestBody"),
        body::<ClusterNode>("ClusterNode"),
        body::<CommitRequest>("CommitRequest"),
        body::<ClusterInterface>("ClusterInterface"),
        body::<Meta>("Meta"),
        body::<Health>("Health"),
        body::<Vec<Role>>("Vec<Role>"),
        body::<Psk>("Psk"),
        body::<Value>("serde_json::Value"),
    ]
}

fn find(name: &str) -> BodyType {
    body_types()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no body type named {name}"))
}

/// Parses `bytes` as `T` inside `catch_unwind`; a value that parses must serialise, and
/// its serialisation must parse back to the same value.
fn check<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Checked {
    let parsed = match catch_unwind(AssertUnwindSafe(|| serde_json::from_slice::<T>(bytes))) {
        Err(panic) => return Checked::Broken(format!("parsing panicked: {}", message(&panic))),
        Ok(Err(_)) => return Checked::Refused,
        Ok(Ok(value)) => value,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let first = serde_json::to_vec(&parsed).map_err(|e| format!("serialising failed: {e}"))?;
        let again: T = serde_json::from_slice(&first)
            .map_err(|e| format!("its own serialisation is refused: {e}"))?;
        let second = serde_json::to_vec(&again).map_err(|e| format!("serialising failed: {e}"))?;
        let (first, second): (Value, Value) = (
            serde_json::from_slice(&first).map_err(|e| e.to_string())?,
            serde_json::from_slice(&second).map_err(|e| e.to_string())?,
        );
        match same_json(&first, &second) {
            true => Ok(()),
            false => Err(format!("reads back differently: {first} became {second}")),
        }
    }));
    match outcome {
        Ok(Ok(())) => Checked::Accepted,
        Ok(Err(why)) => Checked::Broken(why),
        Err(panic) => Checked::Broken(format!("round trip panicked: {}", message(&panic))),
    }
}

fn message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// JSON equality, with floats equal within a few units in the last place: serde_json's
/// default float parsing is fast rather than exact, so a 17-digit float may come back one
/// ULP off after a round trip, which no reader of these bodies can tell apart.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| same_json(x, y)))
        }
        _ => a == b,
    }
}

/// Runs every body type over `bytes` and fails the case on the first broken one.
fn every_type_copes_with(bytes: &[u8]) -> Result<(), TestCaseError> {
    for body in body_types() {
        if let Checked::Broken(why) = (body.check)(bytes) {
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
            return Err(TestCaseError::fail(format!(
                "{}: {why}\ninput: {shown}",
                body.name
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Valid bodies: the vendor's samples verbatim, and real values serialised.
// ---------------------------------------------------------------------------------------

/// A valid body and the type it is a sample of.
struct Sample {
    name: &'static str,
    body_type: &'static str,
    json: String,
}

/// `GET /api/cluster` in the vendor's documentation.
const VENDOR_CLUSTER_INDEX: &str = r#"{
    "items": [
        {"key": "configuration_sync", "meta": {"href": "/api/cluster/configuration_sync"}},
        {"key": "join_request", "meta": {"href": "/api/cluster/join_request"}},
        {"key": "nodes", "meta": {"href": "/api/cluster/nodes"}},
        {"key": "promote", "meta": {"href": "/api/cluster/promote"}},
        {"key": "status", "meta": {"href": "/api/cluster/status"}}
    ],
    "meta": {
        "href": "/api/cluster",
        "join_request": "/api/cluster/join_request",
        "nodes": "/api/cluster/nodes",
        "parent": "/api",
        "promote": "/api/cluster/promote",
        "status": "/api/cluster/status",
        "configuration_sync": "/api/cluster/configuration_sync"
    }
}"#;

/// `POST /api/cluster/promote`'s answer in the vendor's documentation.
const VENDOR_PROMOTE: &str = r#"{
    "body": {
        "address": "<IP-address-of-Central-Management-node>",
        "roles": [
            "central-management"
        ]
    },
    "meta": {
        "href": "/api/cluster/nodes/b35c54da-b556-4f91-ade5-d26283d68277",
        "parent": "/api/cluster/nodes",
        "remaining_seconds": 28800
    }
}"#;

/// The body of `POST /api/cluster/join_request` in the vendor's documentation.
const VENDOR_JOIN_REQUEST_INPUT: &str = r#"{
    "central_management_address": "<IP-address-of-Central-Management-node>"
}"#;

/// `POST /api/cluster/join_request`'s answer in the vendor's documentation.
const VENDOR_JOIN_REQUEST: &str = r#"{
    "body": {
        "address": "<IP-address-of-node-joined-to-cluster>",
        "node_id": "46f97a58-4028-467d-9a22-9cfe78ae3e1c",
        "psk": "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn",
        "roles": []
    },
    "meta": {
        "href": "/api/cluster/join_request",
        "parent": "/api/cluster",
        "remaining_seconds": 600
    }
}"#;

/// The body of `POST /api/cluster/nodes` in the vendor's documentation.
const VENDOR_NODES_POST: &str = r#"{
    "address": "<IP-address-of-node-joined-to-cluster>",
    "node_id": "46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    "psk": "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn",
    "roles": []
}"#;

/// `POST /api/cluster/nodes`'s answer in the vendor's documentation.
const VENDOR_NODES_POST_ANSWER: &str = r#"{
    "body": {
        "address": "<IP-address-of-node-joined-to-cluster>",
        "roles": []
    },
    "key": "46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    "meta": {
        "href": "/api/cluster/nodes/46f97a58-4028-467d-9a22-9cfe78ae3e1c",
        "parent": "/api/cluster/nodes",
        "remaining_seconds": 28800
    }
}"#;

/// `GET /api/cluster/join_request` in the vendor's documentation (whose copy lost the
/// opening brace).
const VENDOR_JOIN_STATUS: &str = r#"{
    "details": {
        "central_management_address": "<IP-address-of-Central-Management-node>"
    },
    "meta": {
        "href": "/api/cluster/join_request",
        "parent": "/api/cluster",
        "remaining_seconds": 600
    },
    "status": "in cluster"
}"#;

const NODE_ID: &str = "46f97a58-4028-467d-9a22-9cfe78ae3e1c";
const PSK: &str = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";

fn health() -> Health {
    Health {
        memory: Gauge::Text("21%".into()),
        disk: Gauge::Number(4.0),
        swap: Gauge::Text("0%".into()),
        load1: 0.3,
        load5: 0.25,
        load15: 0.2,
        sessions: BTreeMap::from([("ssh".to_owned(), 2), ("rdp".to_owned(), 1)]),
        total_sessions: 3,
    }
}

fn configuration_sync() -> ConfigurationSync {
    ConfigurationSync {
        last_updated: Some("2024-05-01T10:00:00Z".into()),
        last_checked: Some("2024-05-01T10:00:10Z".into()),
        downloaded_xml_hash: Some("3f2a9c".into()),
        issues: SyncIssues {
            warnings: vec![SyncIssue {
                message: "Search is not configured".into(),
                paths: vec!["/api/configuration/local_services/cluster".into()],
            }],
            errors: Vec::new(),
        },
    }
}

fn node_status() -> NodeStatus {
    NodeStatus {
        key: NODE_ID.into(),
        fqdn: "node-2.example".into(),
        last_seen: Some("2024-05-01T10:00:10Z".into()),
        health_status: Some(health()),
        sync_status: SyncStatus::UpToDate,
        configuration_sync: configuration_sync(),
        meta: Some(Meta {
            href: Some(format!("/api/cluster/status/{NODE_ID}")),
            ..Meta::default()
        }),
    }
}

fn to(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| panic!("a sample must serialise: {e}"))
}

/// Real values of every type, serialised, as the simulator or the panel would send them.
fn serialised_samples() -> Vec<(&'static str, &'static str, Value)> {
    let down = NodeStatus {
        key: "n3".into(),
        fqdn: String::new(),
        last_seen: None,
        health_status: None,
        sync_status: SyncStatus::NotFetched,
        configuration_sync: ConfigurationSync::default(),
        meta: None,
    };
    vec![
        (
            "a sign-in answer",
            "Authentication",
            to(Authentication {
                meta: Meta::at("/api/authentication", "/api").with_remaining_seconds(1200),
            }),
        ),
        (
            "the login methods",
            "Collection<LoginMethod>",
            to(Collection {
                items: vec![LoginMethod {
                    key: "basic".into(),
                    meta: Meta {
                        href: Some("/api/authentication/login_methods/basic".into()),
                        ..Meta::default()
                    },
                }],
                meta: Meta::at("/api/authentication/login_methods", "/api/authentication"),
            }),
        ),
        (
            "the API root",
            "Index",
            to(ApiIndex {
                items: vec![IndexItem {
                    key: "cluster".into(),
                    meta: Meta {
                        href: Some("/api/cluster".into()),
                        ..Meta::default()
                    },
                }],
                meta: Meta {
                    links: BTreeMap::from([("cluster".to_owned(), json!("/api/cluster"))]),
                    ..Meta::at("/api", "/")
                },
            }),
        ),
        (
            "an info answer",
            "Single<Info>",
            to(Single {
                body: Info {
                    version: "7.4.0".into(),
                    firmware_version: Some("7.4.0".into()),
                },
                key: Some("info".into()),
                meta: Meta::at("/api/info", "/api"),
            }),
        ),
        (
            "the cluster interface",
            "Single<ClusterInterface>",
            to(Single {
                body: ClusterInterface {
                    enabled: true,
                    listen_address: Some("127.0.0.11".into()),
                },
                key: Some("cluster".into()),
                meta: Meta::at(
                    "/api/configuration/local_services/cluster",
                    "/api/configuration/local_services",
                ),
            }),
        ),
        (
            "a 7.x transaction",
            "TransactionResponse",
            to(TransactionResponse {
                body: Some(TransactionBody {
                    status: TransactionStatus::Open,
                    commit_message: Some(CommitMessagePolicy::Required),
                }),
                transaction: None,
                key: Some("transaction".into()),
                meta: Meta {
                    changes: Some("/api/transaction/changes".into()),
                    ..Meta::at("/api/transaction", "/api").with_remaining_seconds(1100)
                },
            }),
        ),
        (
            "a 6.x transaction",
            "TransactionResponse",
            to(TransactionResponse {
                body: None,
                transaction: Some(TransactionBody {
                    status: TransactionStatus::Closed,
                    commit_message: None,
                }),
                key: None,
                meta: Meta::at("/api/transaction", "/api"),
            }),
        ),
        (
            "pending changes",
            "Changes",
            to(Changes {
                changes: vec![Change {
                    kind: ChangeKind::Replace,
                    path: "/api/configuration/local_services/cluster".into(),
                    old_value: Some(json!({"enabled": true, "listen_address": "127.0.0.11"})),
                    new_value: Some(json!({"enabled": false, "listen_address": "127.0.0.11"})),
                }],
                meta: Meta::at("/api/transaction/changes", "/api/transaction"),
            }),
        ),
        (
            "the cluster's nodes",
            "NodesList",
            to(NodesList {
                items: vec![NodeItem {
                    key: NODE_ID.into(),
                    body: ClusterNode {
                        address: "127.0.0.12".into(),
                        roles: vec![Role::ManagedHost, Role::SearchMinion],
                    },
                    meta: Meta {
                        href: Some(format!("/api/cluster/nodes/{NODE_ID}")),
                        ..Meta::default()
                    },
                }],
                meta: Meta::at("/api/cluster/nodes", "/api/cluster"),
            }),
        ),
        (
            "the cluster's status",
            "StatusList",
            to(StatusList {
                items: vec![node_status(), down],
                meta: Meta::at("/api/cluster/status", "/api/cluster"),
            }),
        ),
        ("one node's status", "NodeStatus", to(node_status())),
        (
            "the configuration sync list",
            "ConfigurationSyncList",
            to(ConfigurationSyncList {
                items: vec![ConfigurationSyncItem {
                    key: NODE_ID.into(),
                    sync_status: SyncStatus::Outdated,
                    sync: configuration_sync(),
                }],
                meta: Meta::at("/api/cluster/configuration_sync", "/api/cluster"),
            }),
        ),
        (
            "an error about a field",
            "ErrorBody",
            to(ErrorBody::new(
                ErrorCode::InvalidInput,
                "central_management_address must be an IPv4 address",
                "/api/cluster/join_request",
            )
            .with_field("central_management_address")),
        ),
        (
            "a lock error",
            "ErrorBody",
            to(ErrorBody::new(
                ErrorCode::ConfigurationLocked,
                "The configuration is locked by auditor",
                "/api/transaction",
            )
            .with_locked_by("auditor")),
        ),
        (
            "nodes.json",
            "NodesFile",
            to(NodesFile {
                nodes: vec![NodeLocation {
                    name: "node-1".into(),
                    prefix: "/sps/node-1".into(),
                    cluster_address: "127.0.0.11".into(),
                }],
                request_time_limit_ms: Some(7_000),
            }),
        ),
        (
            "a commit",
            "CommitRequest",
            to(CommitRequest::new(Some("join node-2".into()))),
        ),
        (
            "a role assignment",
            "ClusterNode",
            to(ClusterNode {
                address: "127.0.0.12".into(),
                roles: vec![Role::ManagedHost, Role::SearchMaster],
            }),
        ),
        (
            "a cluster interface change",
            "ClusterInterface",
            to(ClusterInterface {
                enabled: false,
                listen_address: None,
            }),
        ),
        (
            "a join status",
            "JoinStatus",
            to(JoinStatus {
                details: JoinDetails::default(),
                meta: Meta::at("/api/cluster/join_request", "/api/cluster"),
                status: JoinState::NotConfigured,
            }),
        ),
        (
            "a join request body",
            "JoinRequestBody",
            to(JoinRequestBody {
                address: "127.0.0.12".into(),
                node_id: NODE_ID.into(),
                psk: Psk::new(PSK),
                roles: Vec::new(),
            }),
        ),
    ]
}

/// Every sample, built once.
fn samples() -> &'static [Sample] {
    static SAMPLES: std::sync::OnceLock<Vec<Sample>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(build_samples)
}

fn build_samples() -> Vec<Sample> {
    let vendor = [
        ("the vendor's cluster index", "Index", VENDOR_CLUSTER_INDEX),
        (
            "the vendor's promote answer",
            "PromoteResponse",
            VENDOR_PROMOTE,
        ),
        (
            "the vendor's join request",
            "JoinRequestInput",
            VENDOR_JOIN_REQUEST_INPUT,
        ),
        (
            "the vendor's join request answer",
            "JoinRequestResponse",
            VENDOR_JOIN_REQUEST,
        ),
        (
            "the vendor's nodes POST",
            "JoinRequestBody",
            VENDOR_NODES_POST,
        ),
        (
            "the vendor's nodes POST answer",
            "NodeResponse",
            VENDOR_NODES_POST_ANSWER,
        ),
        ("the vendor's join status", "JoinStatus", VENDOR_JOIN_STATUS),
    ];
    let vendor = vendor.into_iter().map(|(name, body_type, json)| Sample {
        name,
        body_type,
        json: json.to_owned(),
    });
    let serialised = serialised_samples()
        .into_iter()
        .map(|(name, body_type, value)| Sample {
            name,
            body_type,
            json: value.to_string(),
        });
    vendor.chain(serialised).collect()
}

// ---------------------------------------------------------------------------------------
// Damage (the ways themselves are in `support/json_damage.rs`).
// ---------------------------------------------------------------------------------------

fn parse_sample(sample: &Sample) -> Value {
    serde_json::from_str(&sample.json)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", sample.name))
}

/// Adds a field no type knows to the chosen object of the sample. Objects under
/// `sessions` are left out: that one is a map of counts, where a new key must be a count.
fn with_unknown_field(sample: &Sample, at: Index, field: Value) -> Value {
    let mut value = parse_sample(sample);
    let all = pointers(&value);
    let objects: Vec<&String> = all
        .iter()
        .filter(|p| value.pointer(p).is_some_and(Value::is_object))
        .filter(|p| !p.ends_with("/sessions"))
        .collect();
    let pointer = at.get(&objects).to_string();
    if let Some(Value::Object(map)) = value.pointer_mut(&pointer) {
        map.insert("x_field_from_newer_firmware".to_owned(), field);
    }
    value
}

fn sample_index() -> impl Strategy<Value = usize> {
    0..samples().len()
}

// ---------------------------------------------------------------------------------------
// Properties over arbitrary and damaged input.
// ---------------------------------------------------------------------------------------

#[test]
fn every_sample_parses_as_its_own_type() {
    for sample in samples() {
        let outcome = (find(sample.body_type).check)(sample.json.as_bytes());
        assert_eq!(
            outcome,
            Checked::Accepted,
            "{} as {}",
            sample.name,
            sample.body_type
        );
    }
}

#[test]
fn nesting_past_the_recursion_limit_is_refused_without_overflowing_the_stack() {
    for opener in [b'[', b'{'] {
        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.push(opener);
            if opener == b'{' {
                deep.extend_from_slice(br#""a":"#);
            }
        }
        for body in body_types() {
            assert_eq!((body.check)(&deep), Checked::Refused, "{}", body.name);
        }
    }
    let meta_deep = format!(r#"{{"meta":{{"x":{}}}}}"#, "[".repeat(100_000));
    for body in body_types() {
        assert_eq!(
            (body.check)(meta_deep.as_bytes()),
            Checked::Refused,
            "{}",
            body.name
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_parse_or_fail_without_panicking(bytes in vec(any::<u8>(), 0..512)) {
        every_type_copes_with(&bytes)?;
    }

    #[test]
    fn arbitrary_text_parses_or_fails_without_panicking(text in any::<String>()) {
        every_type_copes_with(text.as_bytes())?;
    }

    #[test]
    fn text_made_of_json_tokens_parses_or_fails_without_panicking(
        text in r#"[\[\]{}":,0-9a-z .eE+\\-]{0,256}"#
    ) {
        every_type_copes_with(text.as_bytes())?;
    }

    #[test]
    fn damaged_samples_parse_or_fail_without_panicking(
        index in sample_index(),
        damages in damages(),
    ) {
        let bytes = damaged(samples()[index].json.as_bytes(), &damages);
        every_type_copes_with(&bytes)?;
    }

    #[test]
    fn a_sample_cut_short_is_refused_by_every_type(index in sample_index(), at in any::<Index>()) {
        let sample = &samples()[index];
        let end = sample.json.trim_end().len();
        let cut = &sample.json.as_bytes()[..at.index(end)];
        for body in body_types() {
            prop_assert_eq!((body.check)(cut), Checked::Refused, "{} as {}", sample.name, body.name);
        }
    }

    #[test]
    fn samples_with_a_value_of_another_json_type_parse_or_fail_without_panicking(
        index in sample_index(),
        at in any::<Index>(),
        replacement in other_json(),
    ) {
        let sample = &samples()[index];
        let damaged = replaced(&parse_sample(sample), at, replacement);
        let bytes = serde_json::to_vec(&damaged).map_err(|e| TestCaseError::fail(e.to_string()))?;
        every_type_copes_with(&bytes)?;
    }

    #[test]
    fn an_unknown_field_anywhere_in_a_sample_does_not_break_its_type(
        index in sample_index(),
        at in any::<Index>(),
        field in other_json(),
    ) {
        let sample = &samples()[index];
        let extended = with_unknown_field(sample, at, field);
        let bytes = serde_json::to_vec(&extended).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            (find(sample.body_type).check)(&bytes),
            Checked::Accepted,
            "{} with {}", sample.name, extended
        );
    }
}

// ---------------------------------------------------------------------------------------
// Round trips of generated values.
// ---------------------------------------------------------------------------------------

/// Serialises `value`, parses it back and requires the same value.
fn round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let bytes = serde_json::to_vec(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = serde_json::from_slice(&bytes).map_err(|e| {
        TestCaseError::fail(format!("{} refused: {e}", String::from_utf8_lossy(&bytes)))
    })?;
    prop_assert_eq!(&back, value, "through {}", String::from_utf8_lossy(&bytes));
    Ok(())
}

/// Free text, from realistic paths to any Unicode. Built from characters rather than a
/// regex, which proptest would compile again for every value.
fn text() -> BoxedStrategy<String> {
    let path_char = select(
        "abcdefghijklmnopqrstuvwxyz0123456789./<>-"
            .chars()
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        vec(path_char, 0..16).prop_map(String::from_iter),
        vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
    .boxed()
}

/// Floats with two decimals: what gauges and load averages carry, and exactly readable.
fn hundredths() -> impl Strategy<Value = f64> {
    (-100_000i64..100_000).prop_map(|n| n as f64 / 100.0)
}

fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        hundredths().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map(text(), inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A JSON value a change can carry: `null` reads back as no value at all.
fn change_value() -> impl Strategy<Value = Option<Value>> {
    option::of(any_json().prop_filter("null is no value", |v| !v.is_null()))
}

/// Link names that are not one of `Meta`'s named fields.
fn link_name() -> impl Strategy<Value = String> {
    const NAMED: [&str; 12] = [
        "href",
        "parent",
        "first",
        "last",
        "next",
        "previous",
        "remaining_seconds",
        "transaction",
        "changes",
        "self",
        "configuration",
        "status",
    ];
    text().prop_filter("a named field", |name| !NAMED.contains(&name.as_str()))
}

prop_compose! {
    fn meta_figures()(
        href in option::of(text()),
        parent in option::of(text()),
        first in option::of(text()),
        last in option::of(text()),
        next in option::of(text()),
        previous in option::of(text()),
        remaining_seconds in option::of(any::<u64>()),
        transaction in option::of(text()),
        named in (option::of(text()), option::of(text()), option::of(text()), option::of(text())),
        links in btree_map(link_name(), any_json(), 0..3),
    ) -> Meta {
        let (changes, self_link, configuration, status) = named;
        Meta {
            href, parent, first, last, next, previous, remaining_seconds, transaction,
            changes, self_link, configuration, status, links,
        }
    }
}

/// [`meta_figures`] boxed: every body has a `meta`, and unboxed the nested strategy
/// types make debug builds overflow the test thread's stack.
fn meta() -> BoxedStrategy<Meta> {
    meta_figures().boxed()
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        select(Role::KNOWN.to_vec()),
        vec(select(vec!['a', 'e', 'r', 's', 'h', 'o', 't', '-']), 0..20)
            .prop_map(|name| Role::from(String::from_iter(name))),
        text().prop_map(Role::from),
    ]
}

fn roles() -> impl Strategy<Value = Vec<Role>> {
    vec(role(), 0..4)
}

prop_compose! {
    fn cluster_node()(address in text(), roles in roles()) -> ClusterNode {
        ClusterNode { address, roles }
    }
}

fn single<T: std::fmt::Debug>(body: impl Strategy<Value = T>) -> impl Strategy<Value = Single<T>> {
    (body, option::of(text()), meta()).prop_map(|(body, key, meta)| Single { body, key, meta })
}

prop_compose! {
    fn node_item()(key in text(), body in cluster_node(), meta in meta()) -> NodeItem {
        NodeItem { key, body, meta }
    }
}

prop_compose! {
    fn join_request_body()(
        address in text(), node_id in text(), psk in text(), roles in roles()
    ) -> JoinRequestBody {
        JoinRequestBody { address, node_id, psk: Psk::new(psk), roles }
    }
}

prop_compose! {
    fn join_status()(
        address in option::of(text()),
        meta in meta(),
        status in select(vec![
            JoinState::NotConfigured, JoinState::InProgress, JoinState::InCluster, JoinState::Other,
        ]),
    ) -> JoinStatus {
        JoinStatus { details: JoinDetails { central_management_address: address }, meta, status }
    }
}

fn gauge() -> impl Strategy<Value = Gauge> {
    prop_oneof![
        hundredths().prop_map(Gauge::Number),
        text().prop_map(Gauge::Text)
    ]
}

prop_compose! {
    fn health_figures()(
        memory in gauge(), disk in gauge(), swap in gauge(),
        loads in (hundredths(), hundredths(), hundredths()),
        sessions in btree_map(text(), any::<u64>(), 0..4),
        total_sessions in any::<u64>(),
    ) -> Health {
        let (load1, load5, load15) = loads;
        Health { memory, disk, swap, load1, load5, load15, sessions, total_sessions }
    }
}

fn sync_status() -> impl Strategy<Value = SyncStatus> {
    select(vec![
        SyncStatus::NotApplicable,
        SyncStatus::UpToDate,
        SyncStatus::Pending,
        SyncStatus::Outdated,
        SyncStatus::NotFetched,
        SyncStatus::Other,
    ])
}

prop_compose! {
    fn sync_issue()(message in text(), paths in vec(text(), 0..3)) -> SyncIssue {
        SyncIssue { message, paths }
    }
}

prop_compose! {
    fn configuration_sync_figures()(
        last_updated in option::of(text()),
        last_checked in option::of(text()),
        downloaded_xml_hash in option::of(text()),
        warnings in vec(sync_issue(), 0..3),
        errors in vec(sync_issue(), 0..3),
    ) -> ConfigurationSync {
        ConfigurationSync {
            last_updated, last_checked, downloaded_xml_hash,
            issues: SyncIssues { warnings, errors },
        }
    }
}

prop_compose! {
    fn node_status_figures()(
        key in text(),
        fqdn in text(),
        last_seen in option::of(text()),
        health_status in option::of(health_figures()),
        sync_status in sync_status(),
        configuration_sync in configuration_sync_figures(),
        meta in option::of(meta()),
    ) -> NodeStatus {
        NodeStatus { key, fqdn, last_seen, health_status, sync_status, configuration_sync, meta }
    }
}

prop_compose! {
    fn configuration_sync_item()(
        key in text(), sync_status in sync_status(), sync in configuration_sync_figures()
    ) -> ConfigurationSyncItem {
        ConfigurationSyncItem { key, sync_status, sync }
    }
}

fn collection<T: std::fmt::Debug>(
    item: impl Strategy<Value = T>,
) -> impl Strategy<Value = Collection<T>> {
    (vec(item, 0..3), meta()).prop_map(|(items, meta)| Collection { items, meta })
}

prop_compose! {
    fn transaction_body()(
        status in select(vec![TransactionStatus::Open, TransactionStatus::Closed, TransactionStatus::Other]),
        commit_message in option::of(select(vec![
            CommitMessagePolicy::Optional, CommitMessagePolicy::Required, CommitMessagePolicy::Other,
        ])),
    ) -> TransactionBody {
        TransactionBody { status, commit_message }
    }
}

prop_compose! {
    fn transaction_response()(
        body in option::of(transaction_body()),
        transaction in option::of(transaction_body()),
        key in option::of(text()),
        meta in meta(),
    ) -> TransactionResponse {
        TransactionResponse { body, transaction, key, meta }
    }
}

prop_compose! {
    fn change()(
        kind in select(vec![
            ChangeKind::Create, ChangeKind::Delete, ChangeKind::Replace, ChangeKind::Reorder,
            ChangeKind::Other,
        ]),
        path in text(),
        old_value in change_value(),
        new_value in change_value(),
    ) -> Change {
        Change { kind, path, old_value, new_value }
    }
}

prop_compose! {
    fn changes()(changes in vec(change(), 0..3), meta in meta()) -> Changes {
        Changes { changes, meta }
    }
}

/// Keys of `details` that are not one of its named fields.
fn detail_name() -> impl Strategy<Value = String> {
    text().prop_filter("a named field", |name| {
        !["path", "field", "locked_by"].contains(&name.as_str())
    })
}

prop_compose! {
    fn error_body()(
        code in prop_oneof![
            select(ErrorCode::ALL.to_vec()).prop_map(|c| c.as_str().to_owned()),
            text(),
        ],
        message in text(),
        path in option::of(text()),
        field in option::of(text()),
        locked_by in option::of(text()),
        other in btree_map(detail_name(), any_json(), 0..3),
        meta in meta(),
    ) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code,
                message,
                details: ErrorDetails { path, field, locked_by, other },
            },
            meta,
        }
    }
}

prop_compose! {
    fn nodes_file()(
        nodes in vec((text(), text(), text()), 0..4),
        request_time_limit_ms in proptest::option::of(any::<u32>()),
    ) -> NodesFile {
        NodesFile {
            nodes: nodes
                .into_iter()
                .map(|(name, prefix, cluster_address)| NodeLocation { name, prefix, cluster_address })
                .collect(),
            request_time_limit_ms,
        }
    }
}

prop_compose! {
    fn info()(version in text(), firmware_version in option::of(text())) -> Info {
        Info { version, firmware_version }
    }
}

prop_compose! {
    fn cluster_interface()(enabled in any::<bool>(), listen_address in option::of(text())) -> ClusterInterface {
        ClusterInterface { enabled, listen_address }
    }
}

prop_compose! {
    fn index_item()(key in text(), meta in meta()) -> IndexItem {
        IndexItem { key, meta }
    }
}

prop_compose! {
    fn login_method()(key in text(), meta in meta()) -> LoginMethod {
        LoginMethod { key, meta }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn cluster_bodies_read_back_as_themselves(
        nodes in collection(node_item()),
        node in single(cluster_node()),
        join_request in single(join_request_body()),
        join_input in text().prop_map(|a| JoinRequestInput { central_management_address: a }),
        status in join_status(),
        statuses in collection(node_status_figures()),
        syncs in collection(configuration_sync_item()),
    ) {
        round_trip(&nodes)?;
        round_trip(&node)?;
        round_trip(&node.body)?;
        round_trip(&join_request)?;
        round_trip(&join_request.body)?;
        round_trip(&join_input)?;
        round_trip(&status)?;
        round_trip(&statuses)?;
        round_trip(&syncs)?;
    }

    #[test]
    fn transaction_bodies_read_back_as_themselves(
        transaction in transaction_response(),
        changes in changes(),
        commit in option::of(text()).prop_map(CommitRequest::new),
    ) {
        round_trip(&transaction)?;
        round_trip(&changes)?;
        round_trip(&commit)?;
    }

    #[test]
    fn envelope_error_and_deployment_bodies_read_back_as_themselves(
        meta in meta(),
        index in collection(index_item()),
        methods in collection(login_method()),
        authentication in meta().prop_map(|meta| Authentication { meta }),
        info in single(info()),
        interface in single(cluster_interface()),
        error in error_body(),
        nodes_file in nodes_file(),
    ) {
        round_trip(&meta)?;
        round_trip(&index)?;
        round_trip(&methods)?;
        round_trip(&authentication)?;
        round_trip(&info)?;
        round_trip(&interface)?;
        round_trip(&error)?;
        round_trip(&nodes_file)?;
    }
}
