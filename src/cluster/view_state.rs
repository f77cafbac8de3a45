//! What the person chose to see: sort column and direction, the text, role and status
//! filters, the auto-refresh interval and the Central Management node. All of it lives
//! in the query string, so a reload or a shared link shows the same view.

use std::cmp::Ordering;

use sps_api::roles::Role;

use super::rows::{NodeRow, RowStatus};
use crate::url_state::Query;

/// The query keys this view owns.
pub mod keys {
    pub const CM: &str = "cm";
    pub const SORT: &str = "sort";
    pub const DIR: &str = "dir";
    pub const TEXT: &str = "q";
    pub const ROLE: &str = "role";
    pub const STATUS: &str = "status";
    pub const REFRESH: &str = "refresh";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Node,
    Address,
    Fqdn,
    Roles,
    Status,
    Sync,
    LastSeen,
    Sessions,
    Warnings,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::Node,
        SortKey::Address,
        SortKey::Fqdn,
        SortKey::Roles,
        SortKey::Status,
        SortKey::Sync,
        SortKey::LastSeen,
        SortKey::Sessions,
        SortKey::Warnings,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SortKey::Node => "node",
            SortKey::Address => "address",
            SortKey::Fqdn => "fqdn",
            SortKey::Roles => "roles",
            SortKey::Status => "status",
            SortKey::Sync => "sync",
            SortKey::LastSeen => "seen",
            SortKey::Sessions => "sessions",
            SortKey::Warnings => "warnings",
        }
    }

    pub fn from_key(key: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|each| each.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDir {
    Ascending,
    Descending,
}

impl SortDir {
    pub fn key(self) -> &'static str {
        match self {
            SortDir::Ascending => "asc",
            SortDir::Descending => "desc",
        }
    }

    /// The `aria-sort` value of the sorted column's header.
    pub fn aria(self) -> &'static str {
        match self {
            SortDir::Ascending => "ascending",
            SortDir::Descending => "descending",
        }
    }
}

/// The auto-refresh choices the view offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefreshChoice {
    Off,
    Seconds(u32),
}

impl RefreshChoice {
    pub const ALL: [RefreshChoice; 5] = [
        RefreshChoice::Off,
        RefreshChoice::Seconds(5),
        RefreshChoice::Seconds(10),
        RefreshChoice::Seconds(30),
        RefreshChoice::Seconds(60),
    ];
    pub const DEFAULT: RefreshChoice = RefreshChoice::Seconds(10);

    pub fn key(self) -> String {
        match self {
            RefreshChoice::Off => "off".to_owned(),
            RefreshChoice::Seconds(seconds) => seconds.to_string(),
        }
    }

    pub fn label(self) -> String {
        match self {
            RefreshChoice::Off => "off".to_owned(),
            RefreshChoice::Seconds(seconds) => format!("every {seconds} s"),
        }
    }

    /// Only the offered choices are accepted: a hand-edited `refresh=0` must not turn
    /// into a request loop.
    pub fn from_key(key: &str) -> Option<RefreshChoice> {
        RefreshChoice::ALL
            .into_iter()
            .find(|each| each.key() == key)
    }

    pub fn interval_ms(self) -> Option<f64> {
        match self {
            RefreshChoice::Off => None,
            RefreshChoice::Seconds(seconds) => Some(f64::from(seconds) * 1_000.0),
        }
    }
}

/// The view's whole state. Values in the query string that do not parse fall back to
/// the defaults rather than failing the view.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    pub sort: SortKey,
    pub dir: SortDir,
    pub text: String,
    pub role: Option<Role>,
    pub status: Option<RowStatus>,
    pub refresh: RefreshChoice,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            sort: SortKey::Node,
            dir: SortDir::Ascending,
            text: String::new(),
            role: None,
            status: None,
            refresh: RefreshChoice::DEFAULT,
        }
    }
}

impl ViewState {
    pub fn from_query(query: &Query) -> ViewState {
        let value = |key: &str| query.get(key).map(String::as_str);
        let defaults = ViewState::default();
        ViewState {
            sort: value(keys::SORT)
                .and_then(SortKey::from_key)
                .unwrap_or(defaults.sort),
            dir: match value(keys::DIR) {
                Some("desc") => SortDir::Descending,
                _ => SortDir::Ascending,
            },
            text: value(keys::TEXT).unwrap_or_default().to_owned(),
            role: value(keys::ROLE)
                .filter(|name| !name.is_empty())
                .map(|name| Role::from(name.to_owned())),
            status: value(keys::STATUS).and_then(RowStatus::from_key),
            refresh: value(keys::REFRESH)
                .and_then(RefreshChoice::from_key)
                .unwrap_or(defaults.refresh),
        }
    }

    /// The query changes that write this state back; defaults are left out of the URL.
    pub fn query_changes(&self) -> Vec<(&'static str, Option<String>)> {
        let defaults = ViewState::default();
        let unless_default = |differs: bool, value: String| differs.then_some(value);
        vec![
            (
                keys::SORT,
                unless_default(self.sort != defaults.sort, self.sort.key().to_owned()),
            ),
            (
                keys::DIR,
                unless_default(self.dir != defaults.dir, self.dir.key().to_owned()),
            ),
            (keys::TEXT, Some(self.text.clone())),
            (
                keys::ROLE,
                self.role.as_ref().map(|r| r.as_str().to_owned()),
            ),
            (keys::STATUS, self.status.map(|s| s.key().to_owned())),
            (
                keys::REFRESH,
                unless_default(self.refresh != defaults.refresh, self.refresh.key()),
            ),
        ]
    }

    /// The state after a click on a column header: a new column sorts ascending, the
    /// sorted column turns around.
    pub fn sorted_by(&self, column: SortKey) -> ViewState {
        let dir = match (self.sort == column, self.dir) {
            (true, SortDir::Ascending) => SortDir::Descending,
            _ => SortDir::Ascending,
        };
        ViewState {
            sort: column,
            dir,
            ..self.clone()
        }
    }

    /// The `aria-sort` value of a sortable column's header.
    pub fn aria_sort(&self, column: SortKey) -> &'static str {
        if self.sort == column {
            self.dir.aria()
        } else {
            "none"
        }
    }

    /// Whether `row` passes the filters. The text matches, without regard to case, any
    /// of the values the row shows.
    pub fn shows(&self, row: &NodeRow, now_ms: f64) -> bool {
        let status = row.status(now_ms);
        if self.status.is_some_and(|wanted| wanted != status) {
            return false;
        }
        if self
            .role
            .as_ref()
            .is_some_and(|role| !row.roles.contains(role))
        {
            return false;
        }
        let needle = self.text.trim().to_lowercase();
        if needle.is_empty() {
            return true;
        }
        searchable_text(row, status).contains(&needle)
    }

    /// The rows that pass the filters, in the chosen order. Equal rows keep a stable
    /// order by name, then key, so a refresh does not shuffle them.
    pub fn apply<'a>(&self, rows: &'a [NodeRow], now_ms: f64) -> Vec<&'a NodeRow> {
        let mut shown: Vec<&NodeRow> = rows.iter().filter(|r| self.shows(r, now_ms)).collect();
        shown.sort_by(|a, b| {
            let primary = compare(self.sort, a, b, now_ms);
            let primary = match self.dir {
                SortDir::Ascending => primary,
                SortDir::Descending => primary.reverse(),
            };
            primary
                .then_with(|| a.display_name().cmp(b.display_name()))
                .then_with(|| a.key.cmp(&b.key))
        });
        shown
    }
}

fn searchable_text(row: &NodeRow, status: RowStatus) -> String {
    let mut parts: Vec<&str> = vec![
        row.display_name(),
        row.node_id.as_deref().unwrap_or_default(),
        &row.address,
        row.fqdn.as_deref().unwrap_or_default(),
        status.label(),
    ];
    let roles = row.roles_label();
    let sync = row.sync_label();
    parts.push(&roles);
    parts.push(&sync);
    for issue in row.warnings.iter().chain(&row.errors) {
        parts.push(&issue.message);
        parts.extend(issue.paths.iter().map(String::as_str));
    }
    parts.join("\n").to_lowercase()
}

fn compare(column: SortKey, a: &NodeRow, b: &NodeRow, now_ms: f64) -> Ordering {
    match column {
        SortKey::Node => a.display_name().cmp(b.display_name()),
        SortKey::Address => compare_addresses(&a.address, &b.address),
        SortKey::Fqdn => a.fqdn.cmp(&b.fqdn),
        SortKey::Roles => a.roles_label().cmp(&b.roles_label()),
        SortKey::Status => a.status(now_ms).cmp(&b.status(now_ms)),
        SortKey::Sync => a.sync_label().cmp(&b.sync_label()),
        // Never seen sorts as oldest.
        SortKey::LastSeen => a
            .last_seen_ms
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.last_seen_ms.unwrap_or(f64::NEG_INFINITY)),
        SortKey::Sessions => sessions(a).cmp(&sessions(b)),
        SortKey::Warnings => issue_count(a).cmp(&issue_count(b)),
    }
}

fn sessions(row: &NodeRow) -> Option<u64> {
    row.health.as_ref().map(|h| h.total_sessions)
}

fn issue_count(row: &NodeRow) -> usize {
    row.warnings.len() + row.errors.len()
}

/// IP addresses in numeric order (10.0.0.9 before 10.0.0.10); anything else as text,
/// after them.
fn compare_addresses(a: &str, b: &str) -> Ordering {
    match (a.parse::<std::net::IpAddr>(), b.parse::<std::net::IpAddr>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use sps_api::cluster::SyncIssue;

    use super::*;
    use crate::cluster::rows::tests::member;
    use crate::url_state::{format_query, parse_query};

    const NOW: f64 = 1_714_564_800_000.0;

    fn rows() -> Vec<NodeRow> {
        vec![
            member("id-b", |r| {
                r.name = Some("node-2".into());
                r.address = "10.0.0.10".into();
                r.roles = vec![Role::ManagedHost, Role::SearchMinion];
            }),
            member("id-a", |r| {
                r.name = Some("node-1".into());
                r.address = "10.0.0.9".into();
                r.roles = vec![Role::CentralManagement];
            }),
            member("id-c", |r| {
                r.name = Some("node-3".into());
                r.address = "10.0.0.11".into();
                r.last_seen_ms = Some(NOW - 120_000.0);
                r.warnings = vec![SyncIssue {
                    message: "Version differs".into(),
                    paths: vec!["/api/info".into()],
                }];
            }),
        ]
    }

    fn names(state: &ViewState) -> Vec<String> {
        let rows = rows();
        state
            .apply(&rows, NOW)
            .iter()
            .map(|r| r.display_name().to_owned())
            .collect()
    }

    fn check(query: &str, expected: &[&str]) {
        let state = ViewState::from_query(&parse_query(query));
        assert_eq!(names(&state), expected, "{query}");
    }

    #[test]
    fn filters_and_sorting_from_the_query_pick_and_order_rows() {
        let cases: [(&str, &[&str]); 13] = [
            ("", &["node-1", "node-2", "node-3"]),
            ("dir=desc", &["node-3", "node-2", "node-1"]),
            ("sort=address", &["node-1", "node-2", "node-3"]),
            ("sort=address&dir=desc", &["node-3", "node-2", "node-1"]),
            ("sort=status&dir=desc", &["node-3", "node-1", "node-2"]),
            ("sort=seen", &["node-3", "node-1", "node-2"]),
            ("q=NODE-2", &["node-2"]),
            ("q=api/info", &["node-3"]),
            ("q=offline", &["node-3"]),
            ("role=managed-host", &["node-2", "node-3"]),
            ("role=central-management", &["node-1"]),
            ("status=offline", &["node-3"]),
            ("status=ok&q=node", &["node-1", "node-2"]),
        ];
        for (query, expected) in cases {
            check(query, expected);
        }
    }

    #[test]
    fn unknown_query_values_fall_back_to_defaults() {
        let state = ViewState::from_query(&parse_query(
            "sort=bogus&dir=sideways&status=weird&refresh=0",
        ));

        assert_eq!(state, ViewState::default());
    }

    #[test]
    fn the_state_survives_a_round_trip_through_the_query() {
        let state = ViewState {
            sort: SortKey::LastSeen,
            dir: SortDir::Descending,
            text: "node & co".into(),
            role: Some(Role::SearchMaster),
            status: Some(RowStatus::Issues),
            refresh: RefreshChoice::Off,
        };
        let mut query = Query::new();
        query.insert("tab".into(), "cluster".into());
        for (key, value) in state.query_changes() {
            match value {
                Some(value) => query.insert(key.to_owned(), value),
                None => query.remove(key),
            };
        }

        let text = format_query(&query);
        let back = ViewState::from_query(&parse_query(&text));

        assert_eq!(back, state);
        assert_eq!(
            text,
            "?dir=desc&q=node%20%26%20co&refresh=off&role=search-master&sort=seen\
             &status=issues&tab=cluster"
        );
    }

    #[test]
    fn defaults_leave_the_query_empty() {
        let changes = ViewState::default().query_changes();

        assert!(changes
            .iter()
            .all(|(_, value)| value.as_deref().unwrap_or("").is_empty()));
    }

    #[test]
    fn clicking_a_header_sorts_by_it_then_turns_it_around() {
        let start = ViewState::default();

        let by_address = start.sorted_by(SortKey::Address);
        let reversed = by_address.sorted_by(SortKey::Address);
        let again = reversed.sorted_by(SortKey::Address);

        assert_eq!(
            (by_address.sort, by_address.dir),
            (SortKey::Address, SortDir::Ascending)
        );
        assert_eq!(reversed.dir, SortDir::Descending);
        assert_eq!(again.dir, SortDir::Ascending);
        assert_eq!(reversed.aria_sort(SortKey::Address), "descending");
        assert_eq!(reversed.aria_sort(SortKey::Node), "none");
    }
}
