//! The endpoint tree as plain data: entries keyed by API path, children learnt lazily from
//! an index body's `items[].meta.href`, what is expanded, selected and focused, the rows
//! a person sees, and the WAI-ARIA tree keyboard pattern. No browser types, so all of it
//! is tested natively; the component only draws it and forwards events.

mod detail;
mod keys;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sps_api::{IndexItem, Meta};

use crate::api::{checked_api_path, ApiError, Reply};

pub use detail::{curl_command, guidance, meta_links, sign_in_command, LinkTarget};
pub use keys::{Key, KeyOutcome};

/// Where the tree starts.
pub const ROOT: &str = "/api";

/// One entry of the tree. Its `id` is its API path, or for an entry whose href was
/// refused, `<parent>#<position>`: `#` never passes the path check, so the two kinds of
/// id cannot collide.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub label: String,
    pub parent: Option<String>,
    pub target: Target,
    /// `None` until the entry's body has been read; then the ids of its children.
    pub children: Option<Vec<String>>,
}

/// What selecting an entry would show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A checked API path below the parent's.
    Path(String),
    /// An href that the panel will not request, and why.
    Refused { href: String, why: String },
}

/// The fetch state of one path. The generation is the node's sign-in generation at the
/// time of the request: a body read under an older session is stale.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading {
        generation: u64,
    },
    Loaded {
        generation: u64,
        reply: Reply<Value>,
    },
    Failed {
        generation: u64,
        error: ApiError,
    },
}

impl Load {
    fn generation(&self) -> u64 {
        match self {
            Load::Loading { generation }
            | Load::Loaded { generation, .. }
            | Load::Failed { generation, .. } => *generation,
        }
    }
}

/// One visible row, with what ARIA needs to describe its place in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub label: String,
    /// 1 for the root.
    pub level: usize,
    pub set_size: usize,
    pub position: usize,
    /// `None` for a leaf (known to have no children, or refused).
    pub expanded: Option<bool>,
}

/// The endpoint tree of one node.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    entries: BTreeMap<String, Entry>,
    loads: BTreeMap<String, Load>,
    expanded: BTreeSet<String>,
    /// The selected path as the query gave it; it may name a path outside the tree, or
    /// an unchecked one (the detail pane then says why nothing is fetched).
    selected: Option<String>,
    /// The row that holds the tree's single tab stop.
    focused: Option<String>,
    /// A path to show once the entries leading to it are loaded (a deep link).
    revealing: Option<String>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        let root = Entry {
            id: ROOT.to_owned(),
            label: ROOT.to_owned(),
            parent: None,
            target: Target::Path(ROOT.to_owned()),
            children: None,
        };
        Tree {
            entries: BTreeMap::from([(ROOT.to_owned(), root)]),
            loads: BTreeMap::new(),
            expanded: BTreeSet::new(),
            selected: None,
            focused: None,
            revealing: None,
        }
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    pub fn load(&self, path: &str) -> Option<&Load> {
        self.loads.get(path)
    }

    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    pub fn is_expanded(&self, id: &str) -> bool {
        self.expanded.contains(id)
    }

    /// The row holding the tab stop: the focused one while it is visible, else the
    /// selected one, else the root.
    pub fn tab_stop(&self) -> String {
        let rows = self.rows();
        let visible = |id: &Option<String>| {
            id.as_ref()
                .filter(|id| rows.iter().any(|row| &row.id == *id))
                .cloned()
        };
        visible(&self.focused)
            .or_else(|| visible(&self.selected))
            .unwrap_or_else(|| ROOT.to_owned())
    }

    /// Whether an entry may have children: not refused, and not read as childless.
    pub fn is_expandable(&self, id: &str) -> bool {
        self.entries.get(id).is_some_and(|entry| {
            matches!(entry.target, Target::Path(_))
                && entry.children.as_ref().is_none_or(|c| !c.is_empty())
        })
    }

    /// The ids of an entry's children, in the order the node listed them.
    pub fn children(&self, id: &str) -> Vec<String> {
        self.entries
            .get(id)
            .and_then(|entry| entry.children.clone())
            .unwrap_or_default()
    }

    /// The rows a person sees, top to bottom.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        self.push_rows(ROOT, 1, 1, 1, &mut rows);
        rows
    }

    fn push_rows(
        &self,
        id: &str,
        level: usize,
        set_size: usize,
        position: usize,
        out: &mut Vec<Row>,
    ) {
        let Some(entry) = self.entries.get(id) else {
            return;
        };
        let open = self.expanded.contains(id);
        out.push(Row {
            id: id.to_owned(),
            label: entry.label.clone(),
            level,
            set_size,
            position,
            expanded: self.is_expandable(id).then_some(open),
        });
        if !open {
            return;
        }
        let children = entry.children.as_deref().unwrap_or_default();
        for (index, child) in children.iter().enumerate() {
            self.push_rows(child, level + 1, children.len(), index + 1, out);
        }
    }

    /// ARIA facts of one entry (level, set size, position), visible or not.
    pub fn row(&self, id: &str) -> Option<Row> {
        let entry = self.entries.get(id)?;
        let (level, set_size, position) = match &entry.parent {
            None => (1, 1, 1),
            Some(parent) => {
                let siblings = self.children(parent);
                let position = siblings.iter().position(|s| s == id)? + 1;
                let level = self.row(parent)?.level + 1;
                (level, siblings.len(), position)
            }
        };
        Some(Row {
            id: id.to_owned(),
            label: entry.label.clone(),
            level,
            set_size,
            position,
            expanded: self.is_expandable(id).then(|| self.expanded.contains(id)),
        })
    }

    pub fn expand(&mut self, id: &str) {
        if self.is_expandable(id) {
            self.expanded.insert(id.to_owned());
        }
    }

    /// Collapses `id`; a focus inside it moves to `id`, so the tab stop stays visible.
    pub fn collapse(&mut self, id: &str) {
        self.expanded.remove(id);
        if self
            .focused
            .as_deref()
            .is_some_and(|focused| self.is_descendant(focused, id))
        {
            self.focused = Some(id.to_owned());
        }
    }

    pub fn toggle(&mut self, id: &str) {
        if self.expanded.contains(id) {
            self.collapse(id);
        } else {
            self.expand(id);
        }
    }

    pub fn focus(&mut self, id: &str) {
        if self.entries.contains_key(id) {
            self.focused = Some(id.to_owned());
        }
    }

    fn is_descendant(&self, id: &str, ancestor: &str) -> bool {
        let mut current = self.entries.get(id).and_then(|e| e.parent.clone());
        while let Some(parent) = current {
            if parent == ancestor {
                return true;
            }
            current = self.entries.get(&parent).and_then(|e| e.parent.clone());
        }
        false
    }

    /// Selects `path` (from a click, a key, a `meta` link or the query): the entry's
    /// ancestors open as they load, and the entry takes the tab stop once it exists.
    pub fn select(&mut self, path: &str) {
        self.selected = Some(path.to_owned());
        self.revealing = checked_api_path(path).ok().map(str::to_owned);
        self.reveal();
    }

    /// Follows the query's `path`: selects it when it differs, clears the selection when
    /// the query has none.
    pub fn follow_query(&mut self, path: Option<&str>) {
        match path {
            Some(path) if self.selected.as_deref() != Some(path) => self.select(path),
            Some(_) => {}
            None => {
                self.selected = None;
                self.revealing = None;
            }
        }
    }

    /// One step towards the path being revealed: open every listed ancestor, and stop
    /// once the entry exists or the ancestors, all read, do not list it.
    fn reveal(&mut self) {
        let Some(target) = self.revealing.clone() else {
            return;
        };
        let ancestors = ancestors(&target);
        let mut waiting = false;
        for ancestor in &ancestors {
            if !self.entries.contains_key(ancestor) {
                continue;
            }
            self.expand(ancestor);
            // A failed read keeps the reveal waiting: the read is retried once the
            // person signs in again, and the entry should then still open.
            waiting |= self.entries[ancestor].children.is_none();
        }
        if self.entries.contains_key(&target) {
            self.focused = Some(target);
            self.revealing = None;
        } else if !waiting {
            self.revealing = None;
        }
    }

    /// The paths that must be fetched now: the selected one and every visible open one,
    /// unless already loading, or read (or failed) under the current `generation`.
    pub fn wanted(&self, generation: u64) -> Vec<String> {
        let mut paths: Vec<String> = self
            .rows()
            .into_iter()
            .filter(|row| row.expanded == Some(true))
            .map(|row| row.id)
            .collect();
        if let Some(selected) = self.selected.as_deref() {
            if checked_api_path(selected).is_ok() && !paths.iter().any(|p| p == selected) {
                paths.push(selected.to_owned());
            }
        }
        paths.retain(|path| match self.loads.get(path) {
            None => true,
            Some(Load::Loading { .. }) => false,
            Some(load) => load.generation() < generation,
        });
        paths
    }

    /// Drops what is known of `path`, so it is fetched again.
    pub fn refresh(&mut self, path: &str) {
        self.loads.remove(path);
    }

    pub fn begin_load(&mut self, path: &str, generation: u64) {
        self.loads
            .insert(path.to_owned(), Load::Loading { generation });
    }

    /// Stores an answer, learns the entry's children from it, and moves a pending
    /// reveal on.
    pub fn finish_load(
        &mut self,
        path: &str,
        generation: u64,
        outcome: Result<Reply<Value>, ApiError>,
    ) {
        let load = match outcome {
            Ok(reply) => {
                if self.entries.contains_key(path) {
                    let children = child_links(path, &reply.value);
                    self.set_children(path, children);
                }
                Load::Loaded { generation, reply }
            }
            Err(error) => Load::Failed { generation, error },
        };
        self.loads.insert(path.to_owned(), load);
        self.reveal();
    }

    fn set_children(&mut self, parent: &str, links: Vec<ChildLink>) {
        let mut ids = Vec::new();
        for (position, link) in links.into_iter().enumerate() {
            let (id, target) = match link.href {
                Ok(path) => (path.clone(), Target::Path(path)),
                Err((href, why)) => (
                    format!("{parent}#{}", position + 1),
                    Target::Refused { href, why },
                ),
            };
            let listed_elsewhere = self
                .entries
                .get(&id)
                .is_some_and(|entry| entry.parent.as_deref() != Some(parent));
            if listed_elsewhere || ids.contains(&id) {
                continue;
            }
            let children = self.entries.get(&id).and_then(|e| e.children.clone());
            self.entries.insert(
                id.clone(),
                Entry {
                    id: id.clone(),
                    label: link.label,
                    parent: Some(parent.to_owned()),
                    target,
                    children,
                },
            );
            ids.push(id);
        }
        let previous = self.children(parent);
        for gone in previous.iter().filter(|old| !ids.contains(old)) {
            self.remove_subtree(gone);
        }
        if let Some(entry) = self.entries.get_mut(parent) {
            entry.children = Some(ids);
        }
    }

    fn remove_subtree(&mut self, id: &str) {
        for child in self.children(id) {
            self.remove_subtree(&child);
        }
        self.entries.remove(id);
        self.expanded.remove(id);
        if self.focused.as_deref() == Some(id) {
            self.focused = None;
        }
    }
}

/// One child an index lists: its label and its checked path, or the raw href and why it
/// is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildLink {
    pub label: String,
    pub href: Result<String, (String, String)>,
}

/// The children an index body lists in `items[].meta.href`. Items without an href are
/// data (the flat entries of `/api/cluster/status`), not children. An href must pass the
/// path check and lie below `parent`, so the tree mirrors the path hierarchy and a deep
/// link can open its ancestors by path.
pub fn child_links(parent: &str, body: &Value) -> Vec<ChildLink> {
    let Some(items) = body.get("items").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| serde_json::from_value::<IndexItem>(item.clone()).ok())
        .filter_map(|item| {
            let href = item.meta.href?;
            let label = if item.key.is_empty() {
                last_step(&href).to_owned()
            } else {
                item.key
            };
            let checked = match checked_api_path(&href) {
                Ok(path) if path.starts_with(&format!("{parent}/")) => Ok(path.to_owned()),
                Ok(_) => Err(format!("{href:?} is not below {parent}")),
                Err(why) => Err(why),
            };
            Some(ChildLink {
                label,
                href: checked.map_err(|why| (href.clone(), why)),
            })
        })
        .collect()
}

/// The `meta` of a body, if it has one the API's type accepts.
pub fn body_meta(body: &Value) -> Option<Meta> {
    body.get("meta")
        .and_then(|meta| serde_json::from_value(meta.clone()).ok())
}

fn last_step(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `/api/cluster/status` to `["/api", "/api/cluster"]`: the paths from the root down to
/// the parent. Empty for the root and for paths outside it.
pub fn ancestors(path: &str) -> Vec<String> {
    let Some(rest) = path.strip_prefix(&format!("{ROOT}/")) else {
        return Vec::new();
    };
    let steps: Vec<&str> = rest.split('/').collect();
    (0..steps.len())
        .map(|count| {
            steps[..count]
                .iter()
                .fold(ROOT.to_owned(), |acc, step| format!("{acc}/{step}"))
        })
        .collect()
}

#[cfg(test)]
mod tests;
