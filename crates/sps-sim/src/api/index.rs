//! The index endpoints: `/api`, `/api/cluster`, `/api/configuration` and
//! `/api/configuration/local_services`, each listing its children.

use serde_json::Value;

use sps_api::{paths, Index, IndexItem, Meta};

use super::{ApiError, Reply};

/// An index of `children` under `href`: one item per child, and one named link per
/// child in `meta`, as the vendor's `/api/cluster` sample shows.
fn index(href: &str, parent: &str, children: &[&str]) -> Result<Reply, ApiError> {
    let mut meta = Meta::at(href, parent);
    let items = children
        .iter()
        .map(|child| {
            let child_href = format!("{href}/{child}");
            meta.links
                .insert((*child).to_owned(), Value::String(child_href.clone()));
            IndexItem {
                key: (*child).to_owned(),
                meta: Meta {
                    href: Some(child_href),
                    ..Meta::default()
                },
            }
        })
        .collect();
    Reply::ok(&Index { items, meta })
}

pub(super) fn root() -> Result<Reply, ApiError> {
    index(
        paths::API,
        "/",
        &[
            "authentication",
            "cluster",
            "configuration",
            "info",
            "transaction",
        ],
    )
}

pub(super) fn cluster() -> Result<Reply, ApiError> {
    index(
        paths::CLUSTER,
        paths::API,
        &[
            "configuration_sync",
            "join_request",
            "nodes",
            "promote",
            "status",
        ],
    )
}

pub(super) fn configuration() -> Result<Reply, ApiError> {
    index(paths::CONFIGURATION, paths::API, &["local_services"])
}

pub(super) fn local_services() -> Result<Reply, ApiError> {
    index(paths::LOCAL_SERVICES, paths::CONFIGURATION, &["cluster"])
}
