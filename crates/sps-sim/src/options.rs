//! Command-line options of `sps-sim`, also the settings an in-process fleet starts from.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;

/// A simulated fleet of One Identity Safeguard for Privileged Sessions appliances.
#[derive(Debug, Clone, Parser)]
#[command(name = "sps-sim", version, about)]
pub struct Options {
    /// How many nodes to run (node-1 .. node-N).
    #[arg(long, default_value_t = 3)]
    pub nodes: u32,

    /// Loopback address of node-1; node-i listens on this address plus i-1.
    #[arg(long, default_value = "127.0.0.11")]
    pub base_ip: Ipv4Addr,

    /// Port every node listens on; 0 picks an ephemeral port per node.
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Serve HTTPS with a self-signed certificate generated at start.
    #[arg(long)]
    pub tls: bool,

    /// Address of the control API (loopback only), for example 127.0.0.1:0.
    #[arg(long)]
    pub control: Option<SocketAddr>,

    /// Address of the reverse proxy that serves --dist and forwards /sps/<node>/...
    #[arg(long)]
    pub listen: Option<SocketAddr>,

    /// Directory of the panel's static bundle, served by --listen.
    #[arg(long)]
    pub dist: Option<PathBuf>,

    /// How many simulated seconds pass per real second.
    #[arg(long, default_value_t = 1.0)]
    pub clock_speed: f64,

    /// Simulated milliseconds a joined node stays `in progress` before `in cluster`.
    #[arg(long, default_value_t = 2000)]
    pub join_delay_ms: u64,

    /// Simulated seconds of idleness after which a session expires.
    #[arg(long, default_value_t = 1200)]
    pub session_idle_secs: u64,

    /// Make every node require a commit message.
    #[arg(long)]
    pub require_commit_message: bool,

    /// The SPS version every node reports at start.
    #[arg(long, default_value = "7.4.0")]
    pub sps_version: String,

    /// Start (and reset to) a formed cluster of the first N nodes: node-1 promoted to
    /// Central Management and node-2 .. node-N joined as managed hosts, as if each join
    /// had been committed on both sides when the fleet started. 0: no cluster.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub cluster: u32,
    /// The password of the `admin` user on every node (tests use a distinctive one to
    /// search for it where it must never appear).
    #[arg(long, default_value = "admin")]
    pub admin_password: String,

    /// Proxy mode: the panel's time limit per request, written into the `nodes.json` it
    /// serves. Absent: the panel's own default.
    #[arg(long, value_name = "MS")]
    pub request_time_limit_ms: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            nodes: 3,
            base_ip: Ipv4Addr::new(127, 0, 0, 11),
            port: 0,
            tls: false,
            control: None,
            listen: None,
            dist: None,
            clock_speed: 1.0,
            join_delay_ms: 2000,
            session_idle_secs: 1200,
            require_commit_message: false,
            sps_version: "7.4.0".to_owned(),
            cluster: 0,
            admin_password: "admin".to_owned(),
            request_time_limit_ms: None,
        }
    }
}
