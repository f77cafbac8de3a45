//! The envelopes every SPS body comes in: `meta`, single objects, collections and indexes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `meta` object every SPS body carries.
///
/// The named fields are the ones the API documents; index endpoints add one named link
/// per child (for example `meta.nodes` on `/api/cluster`), which land in `links`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<String>,
    #[serde(default, rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Links to children on index endpoints, and whatever a newer firmware adds. Values
    /// are kept as JSON because a client must tolerate fields it does not know.
    #[serde(flatten)]
    pub links: BTreeMap<String, serde_json::Value>,
}

impl Meta {
    /// A `meta` with only `href` and `parent`, the pair nearly every answer carries.
    pub fn at(href: impl Into<String>, parent: impl Into<String>) -> Self {
        Meta {
            href: Some(href.into()),
            parent: Some(parent.into()),
            ..Meta::default()
        }
    }

    pub fn with_remaining_seconds(mut self, seconds: u64) -> Self {
        self.remaining_seconds = Some(seconds);
        self
    }

    /// Every link in this `meta` that points at an API path, named fields first, in the
    /// order a person reads them. Used by the panel to show links as links.
    pub fn path_links(&self) -> Vec<(String, String)> {
        let named = [
            ("href", &self.href),
            ("parent", &self.parent),
            ("first", &self.first),
            ("last", &self.last),
            ("next", &self.next),
            ("previous", &self.previous),
            ("transaction", &self.transaction),
            ("changes", &self.changes),
            ("self", &self.self_link),
            ("configuration", &self.configuration),
            ("status", &self.status),
        ];
        let mut links: Vec<(String, String)> = named
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| (name.to_owned(), v.clone())))
            .collect();
        for (name, value) in &self.links {
            if let Some(path) = value.as_str().filter(|p| p.starts_with("/api")) {
                links.push((name.clone(), path.to_owned()));
            }
        }
        links
    }
}

/// A single object: `{"body": {...}, "key": "<id>", "meta": {...}}`. Some answers (the
/// promote and join_request samples) carry no `key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Single<T> {
    pub body: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub meta: Meta,
}

/// A collection: `{"items": [...], "meta": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub meta: Meta,
}

/// One entry of an index endpoint such as `/api` or `/api/cluster`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexItem {
    pub key: String,
    #[serde(default)]
    pub meta: Meta,
}

/// An index endpoint: the children of a node in the endpoint tree.
pub type Index = Collection<IndexItem>;
