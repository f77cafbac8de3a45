//! What every screen shares, provided once by the app as a Leptos context: the node
//! directory, the sessions, the activity log and the clock the countdowns read.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::activity::ActivityEntry;
use crate::api::NodeClient;
use crate::directory::Directory;
use crate::session::SessionBook;
use crate::url_state::{keys, Query};

#[derive(Clone, Copy)]
pub struct Panel {
    pub directory: RwSignal<Directory>,
    pub sessions: RwSignal<SessionBook>,
    /// Each node's sign-in generation, apart from `sessions` because those change with
    /// every answer (the idle countdown restarts) while this changes only on sign-in.
    pub generations: Memo<BTreeMap<String, u64>>,
    pub activity: RwSignal<Vec<ActivityEntry>>,
    /// Milliseconds since the epoch, ticking once a second, for countdowns and ages.
    pub now_ms: ReadSignal<f64>,
    /// The page's query string; the app mirrors it into the address bar.
    pub query: RwSignal<Query>,
    /// The app's scope: flows create their signals here so they outlive the screen
    /// that started them.
    pub owner: StoredValue<Option<Owner>>,
}

impl Panel {
    pub fn expect() -> Panel {
        expect_context::<Panel>()
    }

    /// A client for a known node.
    pub fn client(&self, node: &str) -> Option<NodeClient> {
        self.directory.with(|d| d.find(node).map(NodeClient::new))
    }

    /// The sign-in generation of `node`: read it inside a resource's fetcher so the
    /// resource fetches again when the person signs in anew after an expiry. (Reading
    /// `sessions` there instead would refetch after every answer, forever.)
    pub fn generation(&self, node: &str) -> u64 {
        self.generations.with(|g| g.get(node).copied().unwrap_or(0))
    }

    pub fn is_signed_in(&self, node: &str) -> bool {
        self.sessions.with(|s| s.is_active(node))
    }

    /// One query value (tracked: a view that reads it follows it).
    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query.with(|q| q.get(key).cloned())
    }

    /// Sets or clears query values in one update, so the address bar changes once.
    pub fn set_query(&self, changes: &[(&str, Option<String>)]) {
        self.query.update(|query| {
            for (key, value) in changes {
                match value {
                    Some(value) if !value.is_empty() => {
                        query.insert((*key).to_owned(), value.clone());
                    }
                    _ => {
                        query.remove(*key);
                    }
                }
            }
        });
    }

    /// Shows `path` of `node` in the endpoint tree.
    pub fn open_in_tree(&self, node: &str, path: &str) {
        self.set_query(&[
            (keys::TAB, Some("api".to_owned())),
            (keys::NODE, Some(node.to_owned())),
            (keys::PATH, Some(path.to_owned())),
        ]);
    }

    /// The node the person selected in the sidebar.
    pub fn selected_node(&self) -> Option<String> {
        self.query_value(keys::NODE)
    }
}

/// Runs `make` in `owner`'s scope, so what it creates lives as long as that scope rather
/// than the (possibly closing) scope of the event handler that calls it.
pub fn in_scope<T>(owner: &Option<Owner>, make: impl FnOnce() -> T) -> T {
    match owner {
        Some(owner) => owner.with(make),
        None => make(),
    }
}
