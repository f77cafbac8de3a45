//! `sps-sim`: a fleet of simulated One Identity Safeguard for Privileged Sessions
//! appliances, each on its own loopback address, with a control API for fault injection
//! and a reverse-proxy mode that serves the panel.
//!
//! - `fleet`: every node's state behind one lock, and what happens between nodes
//!   (joins, status reports, configuration sync), computed from the simulated clock.
//! - `node`: one node's sessions, lock, committed and pending configuration.
//! - `api`: the `/api` routes; [`api::node_router`] is what tests call without a socket.
//! - `server`: the per-node accept loops, where faults drop or truncate connections.
//! - `control`, `faults`, `proxy`, `clock`, `tls`: as named.

pub mod api;
pub mod clock;
pub mod control;
pub mod faults;
pub mod fleet;
pub mod node;
pub mod options;
pub mod proxy;
pub mod server;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use control::types::{Ready, ReadyNode};
use fleet::Fleet;
pub use options::Options;

/// The prefix of the one line `sps-sim` prints on stdout once every listener is bound.
pub const READY_PREFIX: &str = "SPS-SIM READY ";

/// A started fleet: its state, and what the ready line reports.
pub struct Running {
    pub fleet: Arc<Fleet>,
    pub ready: Ready,
}

impl Running {
    /// The ready line, exactly as printed.
    pub fn ready_line(&self) -> String {
        let json = serde_json::to_string(&self.ready).unwrap_or_default();
        format!("{READY_PREFIX}{json}")
    }
}

fn require_loopback(address: SocketAddr, option: &str) -> Result<(), String> {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Ok(()),
        IpAddr::V6(ip) if ip.is_loopback() => Ok(()),
        _ => Err(format!("{option} {address} is not a loopback address")),
    }
}

/// Binds every listener and starts serving on the current tokio runtime. Returns once
/// all are bound; the servers run until the runtime ends.
pub async fn start(options: Options) -> Result<Running, String> {
    if let Some(ms) = options.request_time_limit_ms {
        let range = sps_api::deployment::REQUEST_TIME_LIMIT_RANGE_MS;
        if !range.contains(&ms) {
            return Err(format!(
                "--request-time-limit-ms {ms} is outside {} ..= {}",
                range.start(),
                range.end()
            ));
        }
        if options.listen.is_none() {
            return Err("--request-time-limit-ms needs --listen".to_owned());
        }
    }
    let fleet = Fleet::new(&options)?;
    let tls = match options.tls {
        true => Some(tls::acceptor(&fleet)?),
        false => None,
    };
    for index in 0..fleet.len() {
        let address = SocketAddr::new(fleet.handles()[index].address.into(), options.port);
        let listener = server::bind(address)
            .await
            .map_err(|e| format!("could not listen on {address}: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("no local address for {address}: {e}"))?
            .port();
        fleet.set_port(index, port);
        server::spawn_node(fleet.clone(), index, listener, tls.clone());
    }

    let control = match options.control {
        Some(address) => {
            require_loopback(address, "--control")?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| format!("could not listen on {address}: {e}"))?;
            let bound = listener.local_addr().map_err(|e| e.to_string())?;
            let router = control::control_router(fleet.clone());
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "control API stopped");
                }
            });
            Some(format!("http://{bound}"))
        }
        None => None,
    };

    let panel = match (options.listen, options.dist) {
        (Some(address), Some(dist)) => {
            require_loopback(address, "--listen")?;
            let router = proxy::proxy_router(fleet.clone(), dist, options.request_time_limit_ms)?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| format!("could not listen on {address}: {e}"))?;
            let bound = listener.local_addr().map_err(|e| e.to_string())?;
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "proxy stopped");
                }
            });
            Some(format!("http://{bound}"))
        }
        (Some(_), None) => return Err("--listen needs --dist".to_owned()),
        (None, Some(_)) => return Err("--dist needs --listen".to_owned()),
        (None, None) => None,
    };

    let nodes = fleet
        .handles()
        .iter()
        .enumerate()
        .map(|(index, handle)| ReadyNode {
            name: handle.name.clone(),
            address: handle.address.to_string(),
            base_url: fleet.base_url(index),
        })
        .collect();
    tracing::info!(nodes = fleet.len(), tls = options.tls, "fleet ready");
    Ok(Running {
        fleet,
        ready: Ready {
            control,
            panel,
            nodes,
        },
    })
}
