//! The fleet: every node, the shared clock, and what happens between nodes — the Central
//! Management node accepting joined nodes, configuration sync and status reports.
//!
//! All mutable state sits behind one lock. A join touches two nodes at once (the nodes
//! POST on the Central Management node checks the joining node's pending join request),
//! and one lock makes such cross-node steps atomic without any lock-ordering rules. The
//! lock is never held across an await, so even a thousand nodes share it comfortably.
//!
//! Nothing here runs in the background: the join delay, the status report every 10
//! simulated seconds and configuration fetches are computed from timestamps when someone
//! asks, which keeps an idle fleet of a thousand nodes free.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use sps_api::cluster::{
    ConfigurationSync, Gauge, Health, JoinState, NodeStatus, SyncIssue, SyncIssues, SyncStatus,
};
use sps_api::info::ClusterInterface;
use sps_api::roles::Role;
use sps_api::{paths, Meta, Psk};

use crate::clock::{SimClock, SimTime};
use crate::control::types::{MemberView, NodeStateView, TransactionView};
use crate::faults::FaultTable;
use crate::node::{Departed, JoinRequest, LockOwner, Member, NodeState};
use crate::options::Options;

/// How often a node in a cluster reports its status to the Central Management node.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// How long a join request's pre-shared key stays valid.
pub const PSK_VALIDITY: Duration = Duration::from_secs(600);

/// The settings every node shares, fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub base_ip: Ipv4Addr,
    pub port: u16,
    pub tls: bool,
    pub clock_speed: f64,
    pub join_delay: Duration,
    pub session_idle: Duration,
    pub require_commit_message: bool,
    pub version: String,
    /// How many nodes every reset starts with in one cluster (`--cluster`).
    pub formed_cluster: u32,
    pub admin_password: String,
}

/// A node's identity and its listener's switch. Unlike `NodeState`, this survives a reset.
#[derive(Debug)]
pub struct NodeHandle {
    pub name: String,
    pub address: Ipv4Addr,
    port: AtomicU16,
    /// `true` while the node accepts connections; the listener and every open
    /// connection watch it.
    pub online: watch::Sender<bool>,
}

#[derive(Debug)]
pub struct Fleet {
    pub settings: Settings,
    pub clock: SimClock,
    handles: Vec<NodeHandle>,
    world: Mutex<World>,
    faults: Mutex<FaultTable>,
}

/// The state of every node, guarded by the fleet's lock.
#[derive(Debug)]
pub struct World {
    pub states: Vec<NodeState>,
    base: u32,
    join_delay: Duration,
}

impl Fleet {
    pub fn new(options: &Options) -> Result<Arc<Fleet>, String> {
        if options.nodes == 0 {
            return Err("--nodes must be at least 1".to_owned());
        }
        let base = u32::from(options.base_ip);
        let last = base
            .checked_add(options.nodes - 1)
            .map(Ipv4Addr::from)
            .ok_or("--base-ip plus --nodes overflows the address space")?;
        if !options.base_ip.is_loopback() || !last.is_loopback() {
            return Err(format!(
                "node addresses {} .. {last} must all be loopback (127.0.0.0/8)",
                options.base_ip
            ));
        }
        if options.admin_password.is_empty() {
            return Err("--admin-password must not be empty".to_owned());
        }
        let settings = Settings {
            base_ip: options.base_ip,
            port: options.port,
            tls: options.tls,
            clock_speed: options.clock_speed,
            join_delay: Duration::from_millis(options.join_delay_ms),
            session_idle: Duration::from_secs(options.session_idle_secs.max(1)),
            require_commit_message: options.require_commit_message,
            version: options.sps_version.clone(),
            formed_cluster: options.cluster,
            admin_password: options.admin_password.clone(),
        };
        let handles = (0..options.nodes)
            .map(|i| NodeHandle {
                name: format!("node-{}", i + 1),
                address: Ipv4Addr::from(base + i),
                port: AtomicU16::new(options.port),
                online: watch::channel(true).0,
            })
            .collect::<Vec<_>>();
        let world = World::fresh(&settings, &handles);
        Ok(Arc::new(Fleet {
            clock: SimClock::new(options.clock_speed),
            settings,
            handles,
            world: Mutex::new(world),
            faults: Mutex::new(FaultTable::default()),
        }))
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        // Handlers keep the state consistent between statements; a panicking handler
        // leaves it as a real node would after a crash mid-request, which is acceptable.
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultTable> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn handles(&self) -> &[NodeHandle] {
        &self.handles
    }

    pub fn len(&self) -> usize {
        self.handles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    pub fn index_of_name(&self, name: &str) -> Option<usize> {
        let number: usize = name.strip_prefix("node-")?.parse().ok()?;
        (1..=self.handles.len())
            .contains(&number)
            .then(|| number - 1)
            .filter(|&i| self.handles[i].name == name)
    }

    pub fn port(&self, index: usize) -> u16 {
        self.handles[index].port.load(Ordering::Relaxed)
    }

    pub fn set_port(&self, index: usize, port: u16) {
        self.handles[index].port.store(port, Ordering::Relaxed);
    }

    pub fn base_url(&self, index: usize) -> String {
        let scheme = if self.settings.tls { "https" } else { "http" };
        let handle = &self.handles[index];
        format!("{scheme}://{}:{}", handle.address, self.port(index))
    }

    /// Takes a node off the network or puts it back. Offline, it stops reporting status
    /// and its listener closes; the time it went down freezes its `last_seen`.
    pub fn set_online(&self, index: usize, online: bool) {
        let now = self.clock.now();
        {
            let mut world = self.world();
            let state = &mut world.states[index];
            if state.online != online {
                state.online = online;
                state.offline_since = (!online).then_some(now);
            }
        }
        self.handles[index].online.send_replace(online);
    }

    /// Fresh state for every node at the same addresses, no faults, every node online and
    /// the clock at its starting speed.
    pub fn reset(&self) {
        *self.world() = World::fresh(&self.settings, &self.handles);
        self.faults().clear();
        self.clock.set_speed(self.settings.clock_speed);
        for handle in &self.handles {
            handle.online.send_replace(true);
        }
    }

    pub fn state_view(&self, index: usize) -> NodeStateView {
        let now = self.clock.now();
        let mut world = self.world();
        world.states[index].expire_sessions(now, self.settings.session_idle);
        let (join_status, cm_address) = world.join_status(index, now);
        let membership = world.membership(index, now);
        let state = &world.states[index];
        let committed = &state.committed;
        let (cluster_role, node_id, roles) = match (&committed.promoted, &membership) {
            (Some(id), _) => {
                let roles = committed.member(id).map(|m| m.roles.clone());
                let roles = roles.unwrap_or_else(|| vec![Role::CentralManagement]);
                ("central-management", Some(id.clone()), roles)
            }
            (None, Some((_, member))) => {
                ("member", Some(member.node_id.clone()), member.roles.clone())
            }
            (None, None) => {
                let id = committed.join.as_ref().map(|j| j.node_id.clone());
                ("standalone", id, Vec::new())
            }
        };
        let members = committed
            .members
            .iter()
            .map(|m| MemberView {
                node_id: m.node_id.clone(),
                address: m.address.to_string(),
                name: world
                    .index_of(m.address)
                    .map(|i| self.handles[i].name.clone()),
                roles: m.roles.clone(),
            })
            .collect();
        let transaction = state.pending.as_ref().map(|p| TransactionView {
            user: p.owner_name.clone(),
            by_control: matches!(p.owner, LockOwner::Control(_)),
            changes: p.changes.len(),
        });
        NodeStateView {
            name: self.handles[index].name.clone(),
            address: self.handles[index].address.to_string(),
            version: state.version.clone(),
            firmware_version: state.firmware_version.clone(),
            online: state.online,
            require_commit_message: state.require_commit_message,
            cluster_interface: ClusterInterface {
                enabled: committed.cluster_interface.enabled,
                listen_address: Some(committed.cluster_interface.listen_address.clone()),
            },
            cluster_role: cluster_role.to_owned(),
            node_id,
            roles,
            central_management_address: cm_address.map(|a| a.to_string()),
            join_status,
            members,
            transaction,
            sessions: state.sessions.len(),
        }
    }

    /// The fully qualified domain name a node reports.
    pub fn fqdn(&self, index: usize) -> String {
        format!("{}.sps-sim.test", self.handles[index].name)
    }
}

impl World {
    fn fresh(settings: &Settings, handles: &[NodeHandle]) -> World {
        let mut world = World {
            states: handles
                .iter()
                .map(|h| {
                    NodeState::new(
                        h.address,
                        &settings.version,
                        settings.require_commit_message,
                    )
                })
                .collect(),
            base: u32::from(settings.base_ip),
            join_delay: settings.join_delay,
        };
        let size = (settings.formed_cluster as usize).min(world.states.len());
        if size > 0 {
            world.form_cluster(size);
        }
        world
    }

    /// node-1 becomes the Central Management node and the next `size - 1` nodes its
    /// managed hosts, committed at simulated time zero on both sides: exactly the state
    /// a promote and one join per node would have left. The join delay still applies, so members turn
    /// `in cluster` (and start reporting) once it has passed.
    fn form_cluster(&mut self, size: usize) {
        let at = SimTime::ZERO;
        let cm_address = self.address_of(0);
        let cm_id = uuid::Uuid::new_v4().to_string();
        let mut members = Vec::with_capacity(size);
        members.push(Member {
            node_id: cm_id.clone(),
            address: cm_address,
            roles: vec![Role::CentralManagement],
            committed_at: Some(at),
        });
        for index in 1..size {
            let node_id = uuid::Uuid::new_v4().to_string();
            self.states[index].committed.join = Some(JoinRequest {
                node_id: node_id.clone(),
                psk: Psk::new(uuid::Uuid::new_v4().simple().to_string()),
                central_management_address: cm_address,
                issued_at: at,
                committed_at: Some(at),
            });
            self.states[index].last_commit_at = Some(at);
            self.states[index].commit_count = 1;
            members.push(Member {
                node_id,
                address: self.address_of(index),
                roles: vec![Role::ManagedHost, Role::SearchLocal],
                committed_at: Some(at),
            });
        }
        let cm = &mut self.states[0];
        cm.committed.promoted = Some(cm_id);
        cm.committed.members = members;
        cm.last_commit_at = Some(at);
        cm.commit_count = 1;
    }

    fn address_of(&self, index: usize) -> Ipv4Addr {
        Ipv4Addr::from(self.base + index as u32)
    }

    /// The fleet index of the node at `address`, if one of ours lives there.
    pub fn index_of(&self, address: Ipv4Addr) -> Option<usize> {
        let offset = u32::from(address).checked_sub(self.base)? as usize;
        (offset < self.states.len()).then_some(offset)
    }

    /// Where `index` stands in joining a cluster, from committed state only, and the
    /// Central Management node's address it joined (or asked to join).
    ///
    /// The joining node is `in progress` once both its join request and the Central
    /// Management node's acceptance are committed, in either order, and `in cluster`
    /// once the join delay has passed since the later of the two commits.
    pub fn join_status(&self, index: usize, now: SimTime) -> (JoinState, Option<Ipv4Addr>) {
        let committed = &self.states[index].committed;
        if committed.promoted.is_some() {
            let own = committed.cluster_interface.listen_address.parse().ok();
            return (JoinState::InCluster, own);
        }
        let Some(join) = committed.join.as_ref().filter(|j| j.committed_at.is_some()) else {
            return (JoinState::NotConfigured, None);
        };
        let cm_address = join.central_management_address;
        match self.in_cluster_at(index) {
            Some(at) if now >= at => (JoinState::InCluster, Some(cm_address)),
            Some(_) => (JoinState::InProgress, Some(cm_address)),
            None => (JoinState::NotConfigured, Some(cm_address)),
        }
    }

    /// When a joining node becomes `in cluster` (possibly in the future), or `None`
    /// while either side of the join is uncommitted.
    fn in_cluster_at(&self, index: usize) -> Option<SimTime> {
        let join = self.states[index].committed.join.as_ref()?;
        let joined_at = join.committed_at?;
        let cm = self.index_of(join.central_management_address)?;
        let cm_config = &self.states[cm].committed;
        cm_config.promoted.as_ref()?;
        let member = cm_config.member(&join.node_id)?;
        let accepted_at = member.committed_at?;
        Some(joined_at.max(accepted_at) + self.join_delay)
    }

    /// The cluster `index` belongs to as a managed node (not as the Central Management
    /// node): that node's index and its record of `index`. Only once `in progress`.
    pub fn membership(&self, index: usize, now: SimTime) -> Option<(usize, Member)> {
        let (status, _) = self.join_status(index, now);
        if status == JoinState::NotConfigured || self.states[index].committed.promoted.is_some() {
            return None;
        }
        let join = self.states[index].committed.join.as_ref()?;
        let cm = self.index_of(join.central_management_address)?;
        let member = self.states[cm].committed.member(&join.node_id)?.clone();
        Some((cm, member))
    }

    /// When a member of `cm`'s cluster started reporting, or `None` if it never will
    /// under the current commits.
    fn reporting_since(&self, cm: usize, member: &Member) -> Option<SimTime> {
        let cm_config = &self.states[cm].committed;
        if cm_config.promoted.as_deref() == Some(member.node_id.as_str()) {
            return member.committed_at;
        }
        let index = self.index_of(member.address)?;
        let join = self.states[index].committed.join.as_ref()?;
        if join.node_id != member.node_id || self.index_of(join.central_management_address)? != cm {
            return None;
        }
        // `in_cluster_at` with the member already in hand: looking it up again by id
        // would make a status answer quadratic in the cluster's size.
        let joined_at = join.committed_at?;
        let accepted_at = member.committed_at?;
        Some(joined_at.max(accepted_at) + self.join_delay)
    }

    /// The time of a node's latest status report: reports happen every
    /// [`REPORT_INTERVAL`] from `since` while the node is online, plus any fetch the
    /// Central Management node forced.
    fn last_report(&self, index: usize, since: SimTime, until: SimTime) -> Option<SimTime> {
        let state = &self.states[index];
        let cutoff = match state.offline_since {
            Some(down) if !state.online => down.min(until),
            _ => until,
        };
        if cutoff < since {
            return None;
        }
        let interval = REPORT_INTERVAL.as_millis();
        let ticks = (cutoff - since).as_millis() / interval;
        let tick = since + Duration::from_millis((ticks * interval) as u64);
        let forced = state
            .forced_fetch_at
            .filter(|&at| at >= since && at <= cutoff);
        Some(forced.map_or(tick, |f| f.max(tick)))
    }

    /// `GET /api/cluster/status` on the Central Management node `cm`.
    pub fn cluster_status(&self, fleet: &Fleet, cm: usize, now: SimTime) -> Vec<NodeStatus> {
        let cm_state = &self.states[cm];
        let mut items = Vec::new();
        for member in &cm_state.committed.members {
            let Some(index) = self.index_of(member.address) else {
                continue;
            };
            let is_cm = index == cm;
            let since = self.reporting_since(cm, member);
            let last = since.and_then(|s| self.last_report(index, s, now));
            let online = self.states[index].online;
            let (sync_status, configuration_sync) = match is_cm {
                true => (SyncStatus::NotApplicable, ConfigurationSync::default()),
                false => self.sync_of(fleet, cm, index, since, last),
            };
            items.push(NodeStatus {
                key: member.node_id.clone(),
                fqdn: fleet.fqdn(index),
                last_seen: last.map(|t| fleet.clock.iso(t)),
                health_status: (online && last.is_some()).then(|| health(index)),
                sync_status,
                configuration_sync,
                meta: Some(status_meta(&member.node_id)),
            });
        }
        for departed in &cm_state.departed {
            let Some(index) = self.index_of(departed.address) else {
                continue;
            };
            items.push(NodeStatus {
                key: departed.node_id.clone(),
                fqdn: fleet.fqdn(index),
                last_seen: departed.last_seen.map(|t| fleet.clock.iso(t)),
                health_status: None,
                sync_status: SyncStatus::Outdated,
                configuration_sync: ConfigurationSync::default(),
                meta: Some(status_meta(&departed.node_id)),
            });
        }
        items
    }

    /// A managed host's synchronisation as the Central Management node sees it: it
    /// fetches the configuration with every report, so a commit newer than its last
    /// report is `pending` (or `outdated` while the host is down).
    fn sync_of(
        &self,
        fleet: &Fleet,
        cm: usize,
        index: usize,
        since: Option<SimTime>,
        last: Option<SimTime>,
    ) -> (SyncStatus, ConfigurationSync) {
        let cm_state = &self.states[cm];
        let state = &self.states[index];
        let mut warnings: Vec<SyncIssue> = state.sync_warnings.clone();
        if state.version != cm_state.version {
            warnings.push(SyncIssue {
                message: format!(
                    "This node runs SPS {}, the Central Management node runs {}",
                    state.version, cm_state.version
                ),
                paths: vec![paths::INFO.to_owned()],
            });
        }
        let issues = SyncIssues {
            warnings,
            errors: Vec::new(),
        };
        let (Some(since), Some(last)) = (since, last) else {
            let sync = ConfigurationSync {
                issues,
                ..ConfigurationSync::default()
            };
            return (SyncStatus::NotFetched, sync);
        };
        let commit = cm_state.last_commit_at.unwrap_or_default();
        let up_to_date = commit <= last;
        let status = match (up_to_date, state.online) {
            (true, _) => SyncStatus::UpToDate,
            (false, true) => SyncStatus::Pending,
            (false, false) => SyncStatus::Outdated,
        };
        let generation = match up_to_date {
            true => cm_state.commit_count,
            false => cm_state.commit_count.saturating_sub(1),
        };
        let updated = match up_to_date {
            true => first_report_after(since, commit).min(last),
            false => since,
        };
        let sync = ConfigurationSync {
            last_updated: Some(fleet.clock.iso(updated)),
            last_checked: Some(fleet.clock.iso(last)),
            downloaded_xml_hash: Some(config_hash(cm, generation)),
            issues,
        };
        (status, sync)
    }

    /// Applies the open transaction of `index`: the pending configuration becomes the
    /// committed one, stamped with the commit time. A node the Central Management node
    /// removes forgets its join, so its status reads `not configured` again.
    pub fn commit(&mut self, index: usize, now: SimTime) {
        let Some(pending) = self.states[index].pending.take() else {
            return;
        };
        let mut config = pending.config;
        config.stamp_commit(now);
        let removed: Vec<Member> = self.states[index]
            .committed
            .members
            .iter()
            .filter(|old| config.member(&old.node_id).is_none())
            .cloned()
            .collect();
        for member in removed {
            let last_seen = self
                .reporting_since(index, &member)
                .and_then(|since| self.last_report_index(&member, since, now));
            if let Some(gone) = self.index_of(member.address) {
                let state = &mut self.states[gone];
                if state.committed.join.as_ref().map(|j| &j.node_id) == Some(&member.node_id) {
                    state.committed.join = None;
                }
            }
            self.states[index].departed.push(Departed {
                node_id: member.node_id,
                address: member.address,
                removed_at: now,
                last_seen,
            });
        }
        let state = &mut self.states[index];
        state.committed = config;
        state.last_commit_at = Some(now);
        state.commit_count += 1;
    }

    fn last_report_index(&self, member: &Member, since: SimTime, now: SimTime) -> Option<SimTime> {
        self.last_report(self.index_of(member.address)?, since, now)
    }
}

/// The first report at or after `at`, on the grid of reports that started at `since`.
fn first_report_after(since: SimTime, at: SimTime) -> SimTime {
    if at <= since {
        return since;
    }
    let interval = REPORT_INTERVAL.as_millis();
    let ticks = (at - since).as_millis().div_ceil(interval);
    since + Duration::from_millis((ticks * interval) as u64)
}

fn status_meta(node_id: &str) -> Meta {
    Meta {
        href: Some(paths::cluster_node_status(node_id)),
        ..Meta::default()
    }
}

/// A stable stand-in for the hash of a configuration generation: the same generation
/// always hashes the same, a new commit changes it.
fn config_hash(cm: usize, generation: u64) -> String {
    let mut value: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in (cm as u64)
        .to_le_bytes()
        .into_iter()
        .chain(generation.to_le_bytes())
    {
        value ^= u64::from(byte);
        value = value.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{value:016x}{:016x}", value.rotate_left(29) ^ generation)
}

/// Plausible health figures, different per node and stable over time so tests and
/// screenshots do not flicker.
fn health(index: usize) -> Health {
    let seed = index as u64;
    let ssh = seed % 4;
    let rdp = (seed / 4) % 3;
    Health {
        memory: Gauge::Text(format!("{}%", 18 + seed % 40)),
        disk: Gauge::Text(format!("{}%", 4 + seed % 60)),
        swap: Gauge::Text("0%".to_owned()),
        load1: 0.1 + (seed % 7) as f64 / 10.0,
        load5: 0.2 + (seed % 5) as f64 / 10.0,
        load15: 0.3 + (seed % 3) as f64 / 10.0,
        sessions: BTreeMap::from([("rdp".to_owned(), rdp), ("ssh".to_owned(), ssh)]),
        total_sessions: ssh + rdp,
    }
}
