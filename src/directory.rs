//! Which nodes the panel knows: `nodes.json`, deployed beside `index.html`.

use gloo_net::http::Request;
use sps_api::deployment::{NodeLocation, NodesFile, REQUEST_TIME_LIMIT_RANGE_MS};

use crate::api::checked_prefix;

/// Where the deployment's node list lives, relative to the page so the panel also works
/// under a sub-path such as `/panel/`.
pub const NODES_FILE: &str = "nodes.json";

/// Loads and checks `nodes.json`. A bad entry fails the whole file with a message naming
/// the entry, rather than silently showing fewer nodes than the operator deployed.
pub async fn load_nodes_file() -> Result<NodesFile, String> {
    let response = Request::get(NODES_FILE)
        .send()
        .await
        .map_err(|_| format!("{NODES_FILE} could not be fetched"))?;
    if !response.ok() {
        return Err(format!("{NODES_FILE} answered HTTP {}", response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|_| format!("{NODES_FILE} was cut off"))?;
    parse_nodes_file(&text)
}

pub fn parse_nodes_file(text: &str) -> Result<NodesFile, String> {
    let file: NodesFile = serde_json::from_str(text).map_err(|error| {
        format!(
            "{NODES_FILE} is not a valid node list: {}",
            crate::api::describe_json_error(&error)
        )
    })?;
    // A set, not a scan of the names before each: a fleet's file lists thousands.
    let mut names = std::collections::HashSet::with_capacity(file.nodes.len());
    for (index, node) in file.nodes.iter().enumerate() {
        let place = || format!("{NODES_FILE}, node {} ({:?})", index + 1, node.name);
        if node.name.trim().is_empty() {
            return Err(format!("{}: the name is empty", place()));
        }
        checked_prefix(&node.prefix).map_err(|why| format!("{}: prefix {why}", place()))?;
        if !names.insert(node.name.as_str()) {
            return Err(format!("{}: the name is used twice", place()));
        }
    }
    if let Some(ms) = file.request_time_limit_ms {
        let range = REQUEST_TIME_LIMIT_RANGE_MS;
        if !range.contains(&ms) {
            return Err(format!(
                "{NODES_FILE}: request_time_limit_ms {ms} is outside {} to {}",
                range.start(),
                range.end()
            ));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_gives_its_nodes_in_order() {
        let text = r#"{"nodes":[
            {"name":"node-1","prefix":"/sps/node-1","cluster_address":"10.0.0.1"},
            {"name":"node-2","prefix":"/sps/node-2","cluster_address":"10.0.0.2"}]}"#;

        let file = parse_nodes_file(text).unwrap();

        assert_eq!(file.nodes.len(), 2);
        assert_eq!(file.nodes[1].prefix, "/sps/node-2");
        assert_eq!(file.request_time_limit_ms, None);
    }

    #[test]
    fn a_time_limit_is_read_within_its_range() {
        let with = |ms: u32| format!(r#"{{"nodes":[],"request_time_limit_ms":{ms}}}"#);

        let short = parse_nodes_file(&with(3_000)).unwrap();
        let zero = parse_nodes_file(&with(0)).unwrap_err();

        assert_eq!(short.request_time_limit_ms, Some(3_000));
        assert!(
            zero.contains("request_time_limit_ms 0 is outside"),
            "{zero}"
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let cases = [
            (
                r#"{"nodes":[{"name":"","prefix":"/a","cluster_address":"x"}]}"#,
                "node 1",
            ),
            (
                r#"{"nodes":[{"name":"a","prefix":"http://x","cluster_address":"x"}]}"#,
                "node 1 (\"a\"): prefix",
            ),
            (
                r#"{"nodes":[{"name":"a","prefix":"/a","cluster_address":"x"},
                   {"name":"a","prefix":"/b","cluster_address":"y"}]}"#,
                "node 2 (\"a\"): the name is used twice",
            ),
            (
                r#"{"nodes":[{"name":"a"}]}"#,
                "not a valid node list: missing field",
            ),
        ];
        for (text, expected) in cases {
            let error = parse_nodes_file(text).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }
}

/// The nodes the panel knows: the deployment's, then those the person added in this
/// browser. Added nodes carry a name, a prefix and a cluster address, never credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub deployed: Vec<NodeLocation>,
    pub added: Vec<NodeLocation>,
}

impl Directory {
    pub fn all(&self) -> impl Iterator<Item = &NodeLocation> {
        self.deployed.iter().chain(self.added.iter())
    }

    pub fn find(&self, name: &str) -> Option<&NodeLocation> {
        self.all().find(|node| node.name == name)
    }

    pub fn is_added(&self, name: &str) -> bool {
        self.added.iter().any(|node| node.name == name)
    }

    /// Adds a node the person typed in, after checking each field; the message names the
    /// field that is wrong.
    pub fn add(&mut self, node: NodeLocation) -> Result<(), String> {
        let name = node.name.trim();
        if name.is_empty() {
            return Err("Name: enter a name for the node.".to_owned());
        }
        let name_ok = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !name_ok {
            return Err(format!(
                "Name: {name:?} may only hold letters, digits, '-', '_' and '.'."
            ));
        }
        if self.find(name).is_some() {
            return Err(format!("Name: a node called {name:?} is already listed."));
        }
        checked_prefix(node.prefix.trim()).map_err(|why| format!("Path prefix: {why}."))?;
        let address = node.cluster_address.trim();
        if address.parse::<std::net::IpAddr>().is_err() {
            return Err(format!(
                "Cluster address: {address:?} is not an IP address."
            ));
        }
        self.added.push(NodeLocation {
            name: name.to_owned(),
            prefix: node.prefix.trim().to_owned(),
            cluster_address: address.to_owned(),
        });
        Ok(())
    }

    /// Removes a node the person added; the deployment's nodes stay.
    pub fn remove_added(&mut self, name: &str) {
        self.added.retain(|node| node.name != name);
    }
}

/// The local-storage key of the nodes a person added.
pub const ADDED_NODES_KEY: &str = "sps-panel.added-nodes";

/// With more nodes than this, the sidebar lists only the nodes matching a search, this
/// many at most: a fleet of a thousand appliances would otherwise fill the page with
/// entries, each with its own countdown to redraw every second.
pub const SIDEBAR_LIST_LIMIT: usize = 30;

/// The nodes the sidebar lists for `search`, in directory order: those whose name or
/// cluster address contains it (ignoring case), at most [`SIDEBAR_LIST_LIMIT`]; and how
/// many matched in all.
pub fn sidebar_names<'a>(
    nodes: impl Iterator<Item = &'a NodeLocation>,
    search: &str,
) -> (Vec<String>, usize) {
    let needle = search.trim().to_lowercase();
    let mut listed = Vec::new();
    let mut matched = 0;
    for node in nodes {
        let hit = needle.is_empty()
            || node.name.to_lowercase().contains(&needle)
            || node.cluster_address.to_lowercase().contains(&needle);
        if hit {
            matched += 1;
            if listed.len() < SIDEBAR_LIST_LIMIT {
                listed.push(node.name.clone());
            }
        }
    }
    (listed, matched)
}

/// Reads the added nodes back from local storage. An entry that no longer passes the
/// checks is dropped rather than trusted: storage is input like any other.
pub fn load_added_nodes(deployed: &[NodeLocation]) -> Vec<NodeLocation> {
    let Some(text) = local_storage().and_then(|s| s.get_item(ADDED_NODES_KEY).ok().flatten())
    else {
        return Vec::new();
    };
    let stored: Vec<NodeLocation> = serde_json::from_str(&text).unwrap_or_default();
    let mut directory = Directory {
        deployed: deployed.to_vec(),
        added: Vec::new(),
    };
    for node in stored {
        let _ = directory.add(node);
    }
    directory.added
}

/// Saves the added nodes. Failure (private mode, full storage) only costs persistence.
pub fn save_added_nodes(added: &[NodeLocation]) {
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(added)) {
        let _ = storage.set_item(ADDED_NODES_KEY, &text);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod directory_tests {
    use super::*;

    fn location(name: &str, prefix: &str, address: &str) -> NodeLocation {
        NodeLocation {
            name: name.into(),
            prefix: prefix.into(),
            cluster_address: address.into(),
        }
    }

    #[test]
    fn adding_checks_each_field_and_names_it() {
        let mut directory = Directory {
            deployed: vec![location("node-1", "/sps/node-1", "10.0.0.1")],
            added: Vec::new(),
        };
        let cases = [
            (location("", "/sps/x", "10.0.0.9"), "Name: enter"),
            (location("a b", "/sps/x", "10.0.0.9"), "Name: \"a b\""),
            (location("node-1", "/sps/x", "10.0.0.9"), "already listed"),
            (location("node-9", "sps/x", "10.0.0.9"), "Path prefix:"),
            (location("node-9", "/sps/node-9", "ten"), "Cluster address:"),
        ];
        for (node, expected) in cases {
            let error = directory.add(node).unwrap_err();
            assert!(
                error.starts_with(expected) || error.contains(expected),
                "{error}"
            );
        }

        directory
            .add(location(" node-9 ", "/sps/node-9", "10.0.0.9"))
            .unwrap();

        assert_eq!(directory.all().count(), 2);
        assert!(directory.is_added("node-9"));
        directory.remove_added("node-9");
        directory.remove_added("node-1");
        assert_eq!(directory.all().count(), 1);
    }

    #[test]
    fn the_sidebar_lists_matching_nodes_up_to_its_limit_and_counts_the_rest() {
        let nodes: Vec<NodeLocation> = (1..=1_000)
            .map(|i| NodeLocation {
                name: format!("node-{i}"),
                prefix: format!("/sps/node-{i}"),
                cluster_address: format!("10.0.{}.{}", i / 256, i % 256),
            })
            .collect();

        let (all, all_matched) = sidebar_names(nodes.iter(), "");
        let (some, some_matched) = sidebar_names(nodes.iter(), " NODE-99");
        let (by_address, _) = sidebar_names(nodes.iter(), "10.0.3.232");
        let (none, none_matched) = sidebar_names(nodes.iter(), "absent");

        assert_eq!(all.len(), SIDEBAR_LIST_LIMIT);
        assert_eq!(all_matched, 1_000);
        assert_eq!(all[0], "node-1");
        assert_eq!(some_matched, 11, "node-99 and node-990 .. node-999");
        assert_eq!(some[..2], ["node-99".to_owned(), "node-990".to_owned()]);
        assert_eq!(by_address, vec!["node-1000".to_owned()]);
        assert!(none.is_empty() && none_matched == 0);
    }
}
