//! One table row per node: the Central Management node's `/api/cluster/nodes` and
//! `/api/cluster/status` merged by node id, named from the directory by cluster address,
//! plus the directory's nodes that are not in the cluster.

use std::collections::{HashMap, HashSet};

use sps_api::cluster::{Health, JoinState, NodeItem, NodeStatus, SyncIssue, SyncStatus};
use sps_api::deployment::NodeLocation;
use sps_api::roles::Role;

use super::time::parse_iso8601_ms;

/// The vendor's web UI calls a node OFFLINE once its last report is older than this.
pub const OFFLINE_AFTER_MS: f64 = 60_000.0;

/// What the status column says. The order is the sort order, most worrying last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowStatus {
    Ok,
    Issues,
    Offline,
    /// A configured node that is not a member of the cluster.
    Outside,
}

impl RowStatus {
    pub const ALL: [RowStatus; 4] = [
        RowStatus::Ok,
        RowStatus::Issues,
        RowStatus::Offline,
        RowStatus::Outside,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RowStatus::Ok => "OK",
            RowStatus::Issues => "ISSUES",
            RowStatus::Offline => "OFFLINE",
            RowStatus::Outside => "NOT IN CLUSTER",
        }
    }

    /// The value in the query string and in CSS class names.
    pub fn key(self) -> &'static str {
        match self {
            RowStatus::Ok => "ok",
            RowStatus::Issues => "issues",
            RowStatus::Offline => "offline",
            RowStatus::Outside => "outside",
        }
    }

    pub fn from_key(key: &str) -> Option<RowStatus> {
        RowStatus::ALL
            .into_iter()
            .find(|status| status.key() == key)
    }
}

/// What is known of a configured node outside the cluster. Each lookup may fail on its
/// own; the row then says why instead of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Outside {
    pub join: Result<JoinState, String>,
    /// The Central Management address the node asked to join, once it did.
    pub join_address: Option<String>,
    pub version: Result<String, String>,
}

/// One row of the node table. Plain data compared as a whole, so a refresh can tell
/// which rows changed and leave the others alone.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    /// Stable identity across refreshes: the node id for members, `@<name>` for
    /// configured nodes outside the cluster.
    pub key: String,
    /// The directory's name for the node, found by its cluster address.
    pub name: Option<String>,
    pub node_id: Option<String>,
    pub address: String,
    pub fqdn: Option<String>,
    pub roles: Vec<Role>,
    /// `last_seen` as the node sent it, and parsed when it could be.
    pub last_seen: Option<String>,
    pub last_seen_ms: Option<f64>,
    pub health: Option<Health>,
    pub sync_status: Option<SyncStatus>,
    pub warnings: Vec<SyncIssue>,
    pub errors: Vec<SyncIssue>,
    /// `Some` for configured nodes outside the cluster.
    pub outside: Option<Outside>,
}

impl NodeRow {
    /// The name a person knows the node by: the directory's, else its fqdn, address.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.fqdn.as_deref())
            .unwrap_or(&self.address)
    }

    /// Milliseconds since the node's last report, measured against `now_ms`.
    pub fn age_ms(&self, now_ms: f64) -> Option<f64> {
        self.last_seen_ms.map(|seen| (now_ms - seen).max(0.0))
    }

    /// OFFLINE when the last report is over [`OFFLINE_AFTER_MS`] old; ISSUES when
    /// anything in [`NodeRow::problems`]; else OK.
    pub fn status(&self, now_ms: f64) -> RowStatus {
        if self.outside.is_some() {
            return RowStatus::Outside;
        }
        if self
            .age_ms(now_ms)
            .is_some_and(|age| age > OFFLINE_AFTER_MS)
        {
            return RowStatus::Offline;
        }
        if self.problems().is_empty() {
            RowStatus::Ok
        } else {
            RowStatus::Issues
        }
    }

    /// Why a member is not OK, as short sentences, for the status cell's description.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.outside.is_some() {
            return problems;
        }
        if self.last_seen_ms.is_none() {
            problems.push("no status report yet".to_owned());
        }
        if self.health.is_none() {
            problems.push("no health figures".to_owned());
        }
        match self.sync_status {
            Some(SyncStatus::Outdated) => problems.push("configuration outdated".to_owned()),
            Some(SyncStatus::NotFetched) => problems.push("configuration not fetched".to_owned()),
            Some(SyncStatus::Other) | None => {
                problems.push("unknown configuration sync state".to_owned())
            }
            Some(_) => {}
        }
        if !self.errors.is_empty() {
            problems.push(plural(self.errors.len(), "sync error"));
        }
        if !self.warnings.is_empty() {
            problems.push(plural(self.warnings.len(), "sync warning"));
        }
        problems
    }

    /// The configuration sync column: the sync state, or the join state outside.
    pub fn sync_label(&self) -> String {
        match (&self.outside, self.sync_status) {
            (Some(outside), _) => match &outside.join {
                Ok(join) => format!("join: {}", join.label()),
                Err(_) => "join: unknown".to_owned(),
            },
            (None, Some(sync)) => sync.label().to_owned(),
            (None, None) => "no status entry".to_owned(),
        }
    }

    pub fn roles_label(&self) -> String {
        let names: Vec<&str> = self.roles.iter().map(Role::as_str).collect();
        names.join(", ")
    }
}

fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}

/// The rows of the cluster's members, in the Central Management node's order. A status
/// entry without a node (a node removed from the cluster keeps one) gets no row: the
/// node is no longer a member, and if it is configured it appears as outside.
pub fn member_rows(
    nodes: &[NodeItem],
    statuses: &[NodeStatus],
    directory: &[NodeLocation],
) -> Vec<NodeRow> {
    // Looked up by key and address rather than searched: a cluster of ten thousand
    // nodes would otherwise cost a hundred million comparisons per refresh.
    // Reversed, so that where a key or an address appears twice the first one wins.
    let status_of: HashMap<&str, &NodeStatus> = statuses
        .iter()
        .rev()
        .map(|status| (status.key.as_str(), status))
        .collect();
    let name_at: HashMap<&str, &str> = directory
        .iter()
        .rev()
        .map(|location| (location.cluster_address.as_str(), location.name.as_str()))
        .collect();
    nodes
        .iter()
        .map(|node| {
            let status = status_of.get(node.key.as_str()).copied();
            let issues = status.map(|s| s.configuration_sync.issues.clone());
            let (warnings, errors) = issues.map_or((Vec::new(), Vec::new()), |issues| {
                (issues.warnings, issues.errors)
            });
            let last_seen = status.and_then(|s| s.last_seen.clone());
            NodeRow {
                key: node.key.clone(),
                name: name_at
                    .get(node.body.address.as_str())
                    .map(|n| (*n).to_owned()),
                node_id: Some(node.key.clone()),
                address: node.body.address.clone(),
                fqdn: status.map(|s| s.fqdn.clone()).filter(|f| !f.is_empty()),
                roles: node.body.roles.clone(),
                last_seen_ms: last_seen.as_deref().and_then(parse_iso8601_ms),
                last_seen,
                health: status.and_then(|s| s.health_status.clone()),
                sync_status: status.map(|s| s.sync_status),
                warnings,
                errors,
                outside: None,
            }
        })
        .collect()
}

/// The directory's nodes whose cluster address no member has.
pub fn configured_outside<'a>(
    members: &[NodeRow],
    directory: &'a [NodeLocation],
) -> Vec<&'a NodeLocation> {
    let member_addresses: HashSet<&str> = members.iter().map(|row| row.address.as_str()).collect();
    directory
        .iter()
        .filter(|location| !member_addresses.contains(location.cluster_address.as_str()))
        .collect()
}

/// The row of a configured node outside the cluster.
pub fn outside_row(location: &NodeLocation, outside: Outside) -> NodeRow {
    NodeRow {
        key: format!("@{}", location.name),
        name: Some(location.name.clone()),
        node_id: None,
        address: location.cluster_address.clone(),
        fqdn: None,
        roles: Vec::new(),
        last_seen: None,
        last_seen_ms: None,
        health: None,
        sync_status: None,
        warnings: Vec::new(),
        errors: Vec::new(),
        outside: Some(outside),
    }
}

/// Which directory node is the Central Management node, from each node's answer to
/// `GET /api/cluster/nodes`: the Central Management node lists itself with the
/// `central-management` role (a managed host lists only itself, without it).
pub fn detect_central_management<'a>(
    answers: impl IntoIterator<Item = (&'a NodeLocation, &'a [NodeItem])>,
) -> Option<String> {
    answers
        .into_iter()
        .find(|(location, items)| {
            items.iter().any(|item| {
                item.body.address == location.cluster_address
                    && item.body.roles.contains(&Role::CentralManagement)
            })
        })
        .map(|(location, _)| location.name.clone())
}

/// How far the appliances' clock runs ahead of the browser's, judged from one answer:
/// no node can have reported later than the Central Management node's "now", so the
/// newest `last_seen` bounds its clock from below. Ages are measured against the
/// browser's clock plus this, so a browser that lags does not make every node look
/// freshly seen, and one that runs ahead still gets caught by real OFFLINE ages.
pub fn clock_offset_ms(rows: &[NodeRow], fetched_at_ms: f64) -> f64 {
    rows.iter()
        .filter_map(|row| row.last_seen_ms)
        .map(|seen| seen - fetched_at_ms)
        .fold(0.0, f64::max)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use sps_api::cluster::{ClusterNode, ConfigurationSync, Gauge, SyncIssues};
    use sps_api::Meta;

    use super::*;

    pub fn location(name: &str, address: &str) -> NodeLocation {
        NodeLocation {
            name: name.into(),
            prefix: format!("/sps/{name}"),
            cluster_address: address.into(),
        }
    }

    pub fn item(key: &str, address: &str, roles: &[Role]) -> NodeItem {
        NodeItem {
            key: key.into(),
            body: ClusterNode {
                address: address.into(),
                roles: roles.to_vec(),
            },
            meta: Meta::default(),
        }
    }

    pub fn health() -> Health {
        Health {
            memory: Gauge::Text("21%".into()),
            disk: Gauge::Text("5%".into()),
            swap: Gauge::Text("0%".into()),
            load1: 0.1,
            load5: 0.2,
            load15: 0.3,
            sessions: BTreeMap::from([("ssh".to_owned(), 2)]),
            total_sessions: 2,
        }
    }

    pub fn status(key: &str, last_seen: &str, sync: SyncStatus) -> NodeStatus {
        NodeStatus {
            key: key.into(),
            fqdn: format!("{key}.example"),
            last_seen: Some(last_seen.into()),
            health_status: Some(health()),
            sync_status: sync,
            configuration_sync: ConfigurationSync::default(),
            meta: None,
        }
    }

    /// A member row seen at `2024-05-01T12:00:00Z` with the given changes.
    pub fn member(key: &str, change: impl FnOnce(&mut NodeRow)) -> NodeRow {
        let mut rows = member_rows(
            &[item(key, "10.0.0.1", &[Role::ManagedHost])],
            &[status(key, "2024-05-01T12:00:00Z", SyncStatus::UpToDate)],
            &[],
        );
        let mut row = rows.remove(0);
        change(&mut row);
        row
    }

    const SEEN_MS: f64 = 1_714_564_800_000.0;

    #[test]
    fn status_follows_age_health_and_sync() {
        let warning = SyncIssue {
            message: "odd".into(),
            paths: vec!["/api/x".into()],
        };
        let cases: Vec<(&str, NodeRow, f64, RowStatus)> = vec![
            (
                "fresh and healthy",
                member("a", |_| {}),
                5_000.0,
                RowStatus::Ok,
            ),
            (
                "exactly 60 s is not yet offline",
                member("a", |_| {}),
                60_000.0,
                RowStatus::Ok,
            ),
            (
                "over 60 s",
                member("a", |_| {}),
                60_001.0,
                RowStatus::Offline,
            ),
            (
                "offline wins over issues",
                member("a", |r| r.health = None),
                90_000.0,
                RowStatus::Offline,
            ),
            (
                "no health",
                member("a", |r| r.health = None),
                0.0,
                RowStatus::Issues,
            ),
            (
                "a warning",
                member("a", |r| r.warnings = vec![warning.clone()]),
                0.0,
                RowStatus::Issues,
            ),
            (
                "an error",
                member("a", |r| r.errors = vec![warning.clone()]),
                0.0,
                RowStatus::Issues,
            ),
            (
                "outdated",
                member("a", |r| r.sync_status = Some(SyncStatus::Outdated)),
                0.0,
                RowStatus::Issues,
            ),
            (
                "not fetched",
                member("a", |r| r.sync_status = Some(SyncStatus::NotFetched)),
                0.0,
                RowStatus::Issues,
            ),
            (
                "pending is normal after a commit",
                member("a", |r| r.sync_status = Some(SyncStatus::Pending)),
                0.0,
                RowStatus::Ok,
            ),
            (
                "n/a on the Central Management node",
                member("a", |r| r.sync_status = Some(SyncStatus::NotApplicable)),
                0.0,
                RowStatus::Ok,
            ),
            (
                "never reported",
                member("a", |r| {
                    r.last_seen = None;
                    r.last_seen_ms = None;
                }),
                0.0,
                RowStatus::Issues,
            ),
            (
                "a clock behind the report is not negative age",
                member("a", |_| {}),
                -30_000.0,
                RowStatus::Ok,
            ),
        ];
        for (what, row, age, expected) in cases {
            assert_eq!(row.status(SEEN_MS + age), expected, "{what}");
        }
    }

    #[test]
    fn members_merge_nodes_status_and_directory_names() {
        let nodes = [
            item("id-1", "10.0.0.1", &[Role::CentralManagement]),
            item("id-2", "10.0.0.2", &[Role::ManagedHost, Role::SearchMinion]),
            item("id-3", "10.0.0.3", &[]),
        ];
        let mut second = status("id-2", "2024-05-01T12:00:00Z", SyncStatus::UpToDate);
        second.configuration_sync.issues = SyncIssues {
            warnings: vec![SyncIssue {
                message: "w".into(),
                paths: vec!["/api/info".into()],
            }],
            errors: Vec::new(),
        };
        let statuses = [
            status("id-1", "2024-05-01T12:00:00Z", SyncStatus::NotApplicable),
            second,
            status("departed", "2024-05-01T11:00:00Z", SyncStatus::Outdated),
        ];
        let directory = [
            location("node-1", "10.0.0.1"),
            location("node-2", "10.0.0.2"),
        ];

        let rows = member_rows(&nodes, &statuses, &directory);

        let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["id-1", "id-2", "id-3"]);
        assert_eq!(rows[0].name.as_deref(), Some("node-1"));
        assert_eq!(rows[0].fqdn.as_deref(), Some("id-1.example"));
        assert_eq!(rows[1].roles_label(), "managed-host, search-minion");
        assert_eq!(rows[1].warnings.len(), 1);
        assert_eq!(rows[1].last_seen_ms, Some(SEEN_MS));
        assert_eq!(rows[2].name, None);
        assert_eq!(rows[2].display_name(), "10.0.0.3");
        assert_eq!(rows[2].sync_label(), "no status entry");
        assert_eq!(rows[2].status(SEEN_MS), RowStatus::Issues);
    }

    #[test]
    fn configured_nodes_outside_the_cluster_get_their_own_rows() {
        let members = member_rows(&[item("id-1", "10.0.0.1", &[])], &[], &[]);
        let directory = [
            location("node-1", "10.0.0.1"),
            location("node-2", "10.0.0.2"),
        ];

        let outside = configured_outside(&members, &directory);
        let row = outside_row(
            outside[0],
            Outside {
                join: Ok(JoinState::NotConfigured),
                join_address: None,
                version: Ok("7.4.0".into()),
            },
        );

        assert_eq!(outside.len(), 1);
        assert_eq!(row.key, "@node-2");
        assert_eq!(row.status(0.0), RowStatus::Outside);
        assert_eq!(row.sync_label(), "join: not configured");
        assert!(row.problems().is_empty());
    }

    #[test]
    fn the_central_management_node_is_the_one_listing_itself_with_that_role() {
        let one = location("node-1", "10.0.0.1");
        let two = location("node-2", "10.0.0.2");
        let three = location("node-3", "10.0.0.3");
        let standalone: Vec<NodeItem> = Vec::new();
        let host = vec![item("id-2", "10.0.0.2", &[Role::ManagedHost])];
        let cm = vec![
            item("id-2", "10.0.0.2", &[Role::ManagedHost]),
            item("id-3", "10.0.0.3", &[Role::CentralManagement]),
        ];
        type Answers<'a> = Vec<(&'a NodeLocation, &'a [NodeItem])>;
        let cases: Vec<(Answers, Option<&str>)> = vec![
            (vec![(&one, &standalone), (&two, &host)], None),
            (
                vec![(&one, &standalone), (&two, &host), (&three, &cm)],
                Some("node-3"),
            ),
            // A list that names another node as Central Management does not make the
            // answering node one.
            (vec![(&one, &cm)], None),
        ];
        for (answers, expected) in cases {
            assert_eq!(detect_central_management(answers).as_deref(), expected);
        }
    }

    #[test]
    fn the_clock_offset_is_how_far_the_newest_report_is_ahead() {
        let fresh = member("a", |_| {});
        let old = member("b", |r| r.last_seen_ms = Some(SEEN_MS - 100_000.0));
        let rows = [fresh, old];

        let behind = clock_offset_ms(&rows, SEEN_MS - 30_000.0);
        let ahead = clock_offset_ms(&rows, SEEN_MS + 30_000.0);

        assert_eq!(behind, 30_000.0);
        assert_eq!(ahead, 0.0);
        assert_eq!(clock_offset_ms(&[], 5.0), 0.0);
    }
}
