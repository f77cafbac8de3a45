//! One node's state: its sessions, the configuration lock, committed and pending
//! configuration, version, settings and request log.
//!
//! Every node's state lives inside the fleet's single lock (see `fleet.rs`), so the
//! methods here are plain synchronous code.

pub mod config;

use std::collections::{HashMap, VecDeque};
use std::net::Ipv4Addr;
use std::time::Duration;

use sps_api::cluster::SyncIssue;
use sps_api::transaction::Change;

use crate::clock::SimTime;
use crate::control::types::RequestLogEntry;
pub use config::{Config, JoinRequest, Member};

/// How many requests a node's log keeps; older entries are dropped first.
pub const REQUEST_LOG_LIMIT: usize = 2000;

/// A user every node knows. The simulator has no user management: the two fixed users
/// cover "may change" and "may only read".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    pub name: &'static str,
    /// The password unless the fleet's settings give another (only `admin`'s can be set).
    pub default_password: &'static str,
    pub read_only: bool,
}

pub const USERS: [User; 2] = [
    User {
        name: "admin",
        default_password: "admin",
        read_only: false,
    },
    User {
        name: "auditor",
        default_password: "auditor",
        read_only: true,
    },
];

impl User {
    /// The user's password on a fleet whose `admin` has `admin_password`.
    pub fn password<'a>(&self, admin_password: &'a str) -> &'a str {
        match self.read_only {
            false => admin_password,
            true => self.default_password,
        }
    }
}

pub fn find_user(name: &str, password: &str, admin_password: &str) -> Option<User> {
    USERS
        .into_iter()
        .find(|u| u.name == name && u.password(admin_password) == password)
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub last_seen: SimTime,
}

/// Who holds the configuration lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOwner {
    /// A REST session, by its id.
    Session(String),
    /// The control API, acting as another user (the vendor's web UI, say).
    Control(String),
}

/// An open transaction: the configuration as it will be after commit, and the changes
/// that lead there.
#[derive(Debug, Clone)]
pub struct Pending {
    pub owner: LockOwner,
    pub owner_name: String,
    pub config: Config,
    pub changes: Vec<Change>,
}

/// A node the Central Management node removed from the cluster. Its status entry stays,
/// frozen at its last report, so a person sees where it went.
#[derive(Debug, Clone)]
pub struct Departed {
    pub node_id: String,
    pub address: Ipv4Addr,
    pub removed_at: SimTime,
    /// Its last report before the removal; it never reports again.
    pub last_seen: Option<SimTime>,
}

#[derive(Debug, Clone)]
pub struct NodeState {
    pub version: String,
    pub firmware_version: String,
    pub require_commit_message: bool,
    pub sessions: HashMap<String, Session>,
    pub committed: Config,
    pub pending: Option<Pending>,
    /// Time of the last commit, which managed hosts fetch on their next report.
    pub last_commit_at: Option<SimTime>,
    pub commit_count: u64,
    pub online: bool,
    pub offline_since: Option<SimTime>,
    /// Warnings the control API asks this node to report after synchronising.
    pub sync_warnings: Vec<SyncIssue>,
    /// When the Central Management node last asked this node to fetch its configuration.
    pub forced_fetch_at: Option<SimTime>,
    pub departed: Vec<Departed>,
    pub requests: VecDeque<RequestLogEntry>,
    pub next_request_seq: u64,
}

impl NodeState {
    pub fn new(address: Ipv4Addr, version: &str, require_commit_message: bool) -> Self {
        NodeState {
            version: version.to_owned(),
            firmware_version: version.to_owned(),
            require_commit_message,
            sessions: HashMap::new(),
            committed: Config::factory(address),
            pending: None,
            last_commit_at: None,
            commit_count: 0,
            online: true,
            offline_since: None,
            sync_warnings: Vec::new(),
            forced_fetch_at: None,
            departed: Vec::new(),
            requests: VecDeque::new(),
            next_request_seq: 1,
        }
    }

    /// Drops sessions idle for `idle` or longer; a dropped session's open transaction is
    /// reverted, which frees the lock.
    pub fn expire_sessions(&mut self, now: SimTime, idle: Duration) {
        self.sessions
            .retain(|_, session| now.saturating_sub(session.last_seen) < idle);
        let orphaned = match &self.pending {
            Some(Pending {
                owner: LockOwner::Session(id),
                ..
            }) => !self.sessions.contains_key(id),
            _ => false,
        };
        if orphaned {
            self.pending = None;
        }
    }

    /// Ends every session at once, as if each had gone idle.
    pub fn drop_all_sessions(&mut self) {
        self.sessions.clear();
        if matches!(
            self.pending,
            Some(Pending {
                owner: LockOwner::Session(_),
                ..
            })
        ) {
            self.pending = None;
        }
    }

    pub fn owns_transaction(&self, session_id: &str) -> bool {
        matches!(&self.pending, Some(p) if p.owner == LockOwner::Session(session_id.to_owned()))
    }

    /// The configuration a session sees: its own pending changes, or what is committed.
    pub fn view(&self, session_id: &str) -> &Config {
        match &self.pending {
            Some(p) if p.owner == LockOwner::Session(session_id.to_owned()) => &p.config,
            _ => &self.committed,
        }
    }

    /// Opens a transaction for `session_id` unless one is open already. Fails with the
    /// holder's user name when another session (or the control API) holds the lock.
    pub fn begin(&mut self, session_id: &str, user: &str) -> Result<&mut Pending, String> {
        let owner = LockOwner::Session(session_id.to_owned());
        match &self.pending {
            Some(p) if p.owner != owner => return Err(p.owner_name.clone()),
            Some(_) => {}
            None => {
                self.pending = Some(Pending {
                    owner,
                    owner_name: user.to_owned(),
                    config: self.committed.clone(),
                    changes: Vec::new(),
                });
            }
        }
        self.pending.as_mut().ok_or_else(|| user.to_owned())
    }

    pub fn log_request(&mut self, mut entry: RequestLogEntry) {
        entry.seq = self.next_request_seq;
        self.next_request_seq += 1;
        if self.requests.len() >= REQUEST_LOG_LIMIT {
            self.requests.pop_front();
        }
        self.requests.push_back(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeState {
        NodeState::new(Ipv4Addr::new(127, 0, 0, 11), "7.4.0", false)
    }

    fn session(user: User, at: u64) -> Session {
        Session {
            user,
            last_seen: Duration::from_secs(at),
        }
    }

    #[test]
    fn a_second_session_cannot_open_while_the_first_holds_the_lock() {
        let mut state = node();
        state.begin("a", "admin").unwrap();

        let second = state.begin("b", "auditor");

        assert_eq!(second.err(), Some("admin".to_owned()));
        assert!(state.owns_transaction("a"));
    }

    #[test]
    fn an_expired_session_releases_the_lock_and_reverts_its_changes() {
        let mut state = node();
        state.sessions.insert("a".into(), session(USERS[0], 0));
        state
            .begin("a", "admin")
            .unwrap()
            .config
            .cluster_interface
            .enabled = false;

        state.expire_sessions(Duration::from_secs(1200), Duration::from_secs(1200));

        assert!(state.pending.is_none());
        assert!(state.sessions.is_empty());
        assert!(state.committed.cluster_interface.enabled);
    }

    #[test]
    fn the_request_log_keeps_only_the_newest_entries() {
        let mut state = node();

        for _ in 0..REQUEST_LOG_LIMIT + 5 {
            state.log_request(RequestLogEntry::default());
        }

        assert_eq!(state.requests.len(), REQUEST_LOG_LIMIT);
        assert_eq!(state.requests[0].seq, 6);
    }
}
