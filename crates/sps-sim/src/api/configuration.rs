//! `/api/info` and the configuration the simulator models:
//! `/api/configuration/local_services/cluster`, the cluster interface.

use sps_api::info::{ClusterInterface, Info};
use sps_api::transaction::{Change, ChangeKind};
use sps_api::{paths, Meta, Single};

use super::{parse_address, parse_body, ApiError, Ctx, Kind, Reply};

pub(super) fn info(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let state = ctx.state();
    let body = Info {
        version: state.version.clone(),
        firmware_version: Some(state.firmware_version.clone()),
    };
    Reply::ok(&Single {
        body,
        key: Some("info".to_owned()),
        meta: Meta::at(paths::INFO, paths::API),
    })
}

fn interface_answer(interface: ClusterInterface) -> Single<ClusterInterface> {
    let mut meta = Meta::at(paths::CLUSTER_INTERFACE, paths::LOCAL_SERVICES);
    meta.transaction = Some(paths::TRANSACTION.to_owned());
    Single {
        body: interface,
        key: Some("cluster".to_owned()),
        meta,
    }
}

pub(super) fn get_cluster_interface(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.session_id().to_owned();
    let current = &ctx.state().view(&id).cluster_interface;
    Reply::ok(&interface_answer(ClusterInterface {
        enabled: current.enabled,
        listen_address: Some(current.listen_address.clone()),
    }))
}

/// Changes the cluster interface inside the session's transaction, opening one if needed.
pub(super) fn put_cluster_interface(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let input: ClusterInterface = parse_body(
        ctx.body,
        &[
            ("enabled", Kind::Flag, true),
            ("listen_address", Kind::Text, false),
        ],
    )?;
    if let Some(address) = &input.listen_address {
        parse_address(address, "listen_address")?;
    }
    let (id, user) = (ctx.session_id().to_owned(), ctx.user_name());
    let pending = ctx.state().begin(&id, user).map_err(ApiError::locked)?;
    let interface = &mut pending.config.cluster_interface;
    let old = ClusterInterface {
        enabled: interface.enabled,
        listen_address: Some(interface.listen_address.clone()),
    };
    interface.enabled = input.enabled;
    if let Some(address) = input.listen_address {
        interface.listen_address = address.trim().to_owned();
    }
    let new = ClusterInterface {
        enabled: interface.enabled,
        listen_address: Some(interface.listen_address.clone()),
    };
    if old != new {
        pending.changes.push(Change {
            kind: ChangeKind::Replace,
            path: paths::CLUSTER_INTERFACE.to_owned(),
            old_value: serde_json::to_value(&old).ok(),
            new_value: serde_json::to_value(&new).ok(),
        });
    }
    Reply::ok(&interface_answer(new))
}
