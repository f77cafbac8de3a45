//! What every screen shares, provided once by the app as a Leptos context: the node
//! directory, the sessions, the activity log and the clock the countdowns read.

use leptos::prelude::*;

use crate::api::activity::ActivityEntry;
use crate::api::NodeClient;
use crate::directory::Directory;
use crate::session::SessionBook;

#[derive(Clone, Copy)]
pub struct Panel {
    pub directory: RwSignal<Directory>,
    pub sessions: RwSignal<SessionBook>,
    pub activity: RwSignal<Vec<ActivityEntry>>,
    /// Milliseconds since the epoch, ticking once a second, for countdowns and ages.
    pub now_ms: ReadSignal<f64>,
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
    /// resource fetches again when the person signs in anew after an expiry.
    pub fn generation(&self, node: &str) -> u64 {
        self.sessions.with(|s| s.generation(node))
    }

    pub fn is_signed_in(&self, node: &str) -> bool {
        self.sessions.with(|s| s.is_active(node))
    }
}
