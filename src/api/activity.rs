//! The activity log: every request the panel made, without anything secret in it (no
//! headers, no bodies, no query strings; paths are API paths only).

use std::cell::RefCell;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityEntry {
    /// Milliseconds since the Unix epoch when the request was sent.
    pub time_ms: f64,
    pub node: String,
    pub method: &'static str,
    pub path: String,
    /// `None` when no HTTP answer came (network error, time limit).
    pub status: Option<u16>,
    pub duration_ms: f64,
}

type Listener = Box<dyn Fn(&ActivityEntry)>;

thread_local! {
    // The panel is single-threaded (wasm32); one listener list per thread keeps the API
    // module free of any UI framework type.
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
}

/// Calls `listener` for every request the panel completes from now on.
pub fn subscribe(listener: impl Fn(&ActivityEntry) + 'static) {
    LISTENERS.with(|listeners| listeners.borrow_mut().push(Box::new(listener)));
}

pub(crate) fn record(entry: ActivityEntry) {
    LISTENERS.with(|listeners| {
        for listener in listeners.borrow().iter() {
            listener(&entry);
        }
    });
}

/// The log as pretty JSON, for the export button.
pub fn to_json(entries: &[ActivityEntry]) -> String {
    serde_json::to_string_pretty(entries).unwrap_or_else(|_| "[]".to_owned())
}
