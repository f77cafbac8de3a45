//! The `/api/cluster` endpoints: promote, join_request, nodes, status, configuration_sync.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::roles::Role;
use crate::{Collection, Meta, Psk, Single};

/// A node as the cluster endpoints describe it: the body of promote's answer, of
/// `/api/cluster/nodes/<id>`, and of a role assignment (`PUT`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNode {
    pub address: String,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// `POST /api/cluster/promote` answers the new Central Management node.
pub type PromoteResponse = Single<ClusterNode>;

/// The body of `POST /api/cluster/join_request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequestInput {
    pub central_management_address: String,
}

/// What a join request answers, and what is posted as it came to the Central
/// Management node's `/api/cluster/nodes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinRequestBody {
    pub address: String,
    pub node_id: String,
    pub psk: Psk,
    #[serde(default)]
    pub roles: Vec<Role>,
}

pub type JoinRequestResponse = Single<JoinRequestBody>;

/// Where a node stands in joining a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinState {
    #[serde(rename = "not configured")]
    NotConfigured,
    #[serde(rename = "in progress")]
    InProgress,
    #[serde(rename = "in cluster")]
    InCluster,
    #[serde(other)]
    Other,
}

impl JoinState {
    pub fn label(self) -> &'static str {
        match self {
            JoinState::NotConfigured => "not configured",
            JoinState::InProgress => "in progress",
            JoinState::InCluster => "in cluster",
            JoinState::Other => "unknown",
        }
    }
}

impl fmt::Display for JoinState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JoinDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central_management_address: Option<String>,
}

/// `GET /api/cluster/join_request`: the node's join status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinStatus {
    #[serde(default)]
    pub details: JoinDetails,
    #[serde(default)]
    pub meta: Meta,
    pub status: JoinState,
}

/// One entry of `GET /api/cluster/nodes`: the node's data sits in `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeItem {
    pub key: String,
    pub body: ClusterNode,
    #[serde(default)]
    pub meta: Meta,
}

pub type NodesList = Collection<NodeItem>;
pub type NodeResponse = Single<ClusterNode>;

/// A health figure. The simulator sends percentages as strings (`"21%"`); a number is
/// accepted as well, because the vendor's samples do not pin the type down.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Gauge {
    Number(f64),
    Text(String),
}

/// Read by looking at the value once. serde's untagged reading would buffer the value,
/// try a number first and build an error message each time a text is sent instead:
/// three times per node in every status answer, a third of the time a 1,000-node
/// status answer took to read in the browser.
impl<'de> Deserialize<'de> for Gauge {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GaugeVisitor;

        impl serde::de::Visitor<'_> for GaugeVisitor {
            type Value = Gauge;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a text such as \"21%\"")
            }

            fn visit_f64<E>(self, value: f64) -> Result<Gauge, E> {
                Ok(Gauge::Number(value))
            }

            fn visit_i64<E>(self, value: i64) -> Result<Gauge, E> {
                Ok(Gauge::Number(value as f64))
            }

            fn visit_u64<E>(self, value: u64) -> Result<Gauge, E> {
                Ok(Gauge::Number(value as f64))
            }

            fn visit_str<E>(self, value: &str) -> Result<Gauge, E> {
                Ok(Gauge::Text(value.to_owned()))
            }

            fn visit_string<E>(self, value: String) -> Result<Gauge, E> {
                Ok(Gauge::Text(value))
            }
        }

        deserializer.deserialize_any(GaugeVisitor)
    }
}

impl fmt::Display for Gauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gauge::Number(value) => write!(f, "{value}"),
            Gauge::Text(text) => f.write_str(text),
        }
    }
}

/// A node's health as the Central Management node last heard it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub memory: Gauge,
    pub disk: Gauge,
    pub swap: Gauge,
    pub load1: f64,
    pub load5: f64,
    pub load15: f64,
    /// Active sessions per protocol (`ssh`, `rdp`, ...).
    #[serde(default)]
    pub sessions: BTreeMap<String, u64>,
    pub total_sessions: u64,
}

impl Health {
    /// The 1, 5 and 15 minute load averages as a person reads them (`0.30 0.25 0.20`):
    /// two decimals, whatever float noise the appliance's figures carry.
    pub fn load_averages(&self) -> String {
        format!("{:.2} {:.2} {:.2}", self.load1, self.load5, self.load15)
    }
}

/// Whether a managed host runs the Central Management node's latest configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncStatus {
    #[serde(rename = "n/a")]
    NotApplicable,
    #[serde(rename = "up-to-date")]
    UpToDate,
    #[serde(rename = "pending")]
    Pending,
    #[serde(rename = "outdated")]
    Outdated,
    #[serde(rename = "not fetched")]
    NotFetched,
    #[serde(other)]
    Other,
}

impl SyncStatus {
    pub fn label(self) -> &'static str {
        match self {
            SyncStatus::NotApplicable => "n/a",
            SyncStatus::UpToDate => "up-to-date",
            SyncStatus::Pending => "pending",
            SyncStatus::Outdated => "outdated",
            SyncStatus::NotFetched => "not fetched",
            SyncStatus::Other => "unknown",
        }
    }
}

/// A warning or error of the last configuration synchronisation, with the configuration
/// paths it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncIssue {
    pub message: String,
    #[serde(default)]
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncIssues {
    #[serde(default)]
    pub warnings: Vec<SyncIssue>,
    #[serde(default)]
    pub errors: Vec<SyncIssue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationSync {
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub last_checked: Option<String>,
    #[serde(default)]
    pub downloaded_xml_hash: Option<String>,
    #[serde(default)]
    pub issues: SyncIssues,
}

/// One entry of `GET /api/cluster/status`; its fields sit flat in the item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeStatus {
    pub key: String,
    #[serde(default)]
    pub fqdn: String,
    /// ISO 8601 UTC time of the node's last report.
    #[serde(default)]
    pub last_seen: Option<String>,
    /// `null` while the node is down.
    #[serde(default)]
    pub health_status: Option<Health>,
    pub sync_status: SyncStatus,
    #[serde(default)]
    pub configuration_sync: ConfigurationSync,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

pub type StatusList = Collection<NodeStatus>;

/// One entry of `GET /api/cluster/configuration_sync`: the Central Management node's
/// view of one managed host's last synchronisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationSyncItem {
    pub key: String,
    pub sync_status: SyncStatus,
    #[serde(flatten)]
    pub sync: ConfigurationSync,
}

pub type ConfigurationSyncList = Collection<ConfigurationSyncItem>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The join_request answer of the vendor's documentation, verbatim.
    const SEED_JOIN_REQUEST: &str = r#"{
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

    #[test]
    fn the_seed_join_request_answer_round_trips_exactly() {
        let parsed: JoinRequestResponse = serde_json::from_str(SEED_JOIN_REQUEST).unwrap();

        let again = serde_json::to_value(&parsed).unwrap();

        let original: serde_json::Value = serde_json::from_str(SEED_JOIN_REQUEST).unwrap();
        assert_eq!(again, original);
        assert!(parsed.body.psk.is_well_formed());
    }

    #[test]
    fn join_status_without_an_address_reads_as_not_configured() {
        let raw = r#"{"details":{},"meta":{"href":"/api/cluster/join_request"},
            "status":"not configured"}"#;

        let status: JoinStatus = serde_json::from_str(raw).unwrap();

        assert_eq!(status.status, JoinState::NotConfigured);
        assert_eq!(status.details.central_management_address, None);
    }

    #[test]
    fn a_down_node_has_null_health_and_unknown_sync_values_are_tolerated() {
        let raw = r#"{"items":[{"key":"n1","fqdn":"a.example","last_seen":null,
            "health_status":null,"sync_status":"weird","configuration_sync":{}}],"meta":{}}"#;

        let status: StatusList = serde_json::from_str(raw).unwrap();

        assert_eq!(status.items[0].health_status, None);
        assert_eq!(status.items[0].sync_status, SyncStatus::Other);
    }

    #[test]
    fn load_averages_read_with_two_decimals() {
        let raw = r#"{"memory":"1%","disk":"1%","swap":"0%","load1":0.30000000000000004,
            "load5":1,"load15":0.125,"total_sessions":0}"#;

        let health: Health = serde_json::from_str(raw).unwrap();

        assert_eq!(health.load_averages(), "0.30 1.00 0.12");
    }

    #[test]
    fn health_figures_accept_strings_and_numbers() {
        let raw = r#"{"memory":"21%","disk":4,"swap":"0%","load1":0.1,"load5":0.2,
            "load15":0.3,"sessions":{"ssh":2},"total_sessions":2}"#;

        let health: Health = serde_json::from_str(raw).unwrap();

        assert_eq!(health.memory.to_string(), "21%");
        assert_eq!(health.disk.to_string(), "4");
        assert_eq!(health.sessions["ssh"], 2);
    }

    #[test]
    fn a_gauge_is_a_number_or_a_text_and_nothing_else() {
        let read = |raw: &str| serde_json::from_str::<Gauge>(raw);

        assert_eq!(read("4").unwrap(), Gauge::Number(4.0));
        assert_eq!(read("-2").unwrap(), Gauge::Number(-2.0));
        assert_eq!(read("12.5").unwrap(), Gauge::Number(12.5));
        assert_eq!(read(r#""21%""#).unwrap(), Gauge::Text("21%".into()));
        let wrong = read("true").unwrap_err().to_string();
        assert!(wrong.contains("a number or a text"), "{wrong}");
        assert!(read("[1]").is_err());
        assert!(read("null").is_err());
    }
}
