//! Which nodes the person is signed in to, and for how long: a plain model, updated from
//! the activity log so that every request keeps it true without any component's help.

use std::collections::BTreeMap;

/// One node's session as the panel knows it. The session itself is the node's
/// `session_id` cookie, which the panel never sees.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSession {
    pub user: String,
    /// The node's idle limit, learnt from `meta.remaining_seconds` at sign-in.
    pub idle_seconds: u64,
    /// When the node will drop the session if nothing else is sent (ms since the epoch).
    pub expires_at_ms: f64,
    /// True once the node answered 401: the person must sign in again.
    pub expired: bool,
}

/// Every node's session, plus a per-node generation that grows with each sign-in so that
/// views which failed on an expired session fetch again once the person is back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionBook {
    sessions: BTreeMap<String, NodeSession>,
    generations: BTreeMap<String, u64>,
}

/// SPS's idle limit, used when a node's sign-in answer does not say.
pub const DEFAULT_IDLE_SECONDS: u64 = 1200;

impl SessionBook {
    pub fn signed_in(&mut self, node: &str, user: &str, remaining: Option<u64>, now_ms: f64) {
        let idle_seconds = remaining.unwrap_or(DEFAULT_IDLE_SECONDS);
        self.sessions.insert(
            node.to_owned(),
            NodeSession {
                user: user.to_owned(),
                idle_seconds,
                expires_at_ms: now_ms + idle_seconds as f64 * 1000.0,
                expired: false,
            },
        );
        *self.generations.entry(node.to_owned()).or_default() += 1;
    }

    pub fn signed_out(&mut self, node: &str) {
        self.sessions.remove(node);
    }

    /// A request to `node` succeeded: its sliding expiry starts again.
    pub fn touched(&mut self, node: &str, now_ms: f64) {
        if let Some(session) = self.sessions.get_mut(node).filter(|s| !s.expired) {
            session.expires_at_ms = now_ms + session.idle_seconds as f64 * 1000.0;
        }
    }

    /// The node answered 401: its session is gone. Returns whether this is news.
    pub fn expired(&mut self, node: &str) -> bool {
        match self.sessions.get_mut(node) {
            Some(session) if !session.expired => {
                session.expired = true;
                true
            }
            _ => false,
        }
    }

    pub fn get(&self, node: &str) -> Option<&NodeSession> {
        self.sessions.get(node)
    }

    /// Signed in and not known to have expired.
    pub fn is_active(&self, node: &str) -> bool {
        self.sessions.get(node).is_some_and(|s| !s.expired)
    }

    /// Grows each time the person signs in to `node`.
    pub fn generation(&self, node: &str) -> u64 {
        self.generations.get(node).copied().unwrap_or(0)
    }

    /// Every node's sign-in generation.
    pub fn generations(&self) -> &BTreeMap<String, u64> {
        &self.generations
    }

    /// Seconds left before the node drops an idle session, if signed in.
    pub fn remaining_seconds(&self, node: &str, now_ms: f64) -> Option<u64> {
        let session = self.sessions.get(node).filter(|s| !s.expired)?;
        // `now_ms` comes from a clock that ticks once a second and may lag the request
        // that restarted the countdown: never show more than the idle limit.
        let left = ((session.expires_at_ms - now_ms) / 1000.0).max(0.0).round() as u64;
        Some(left.min(session.idle_seconds))
    }

    /// The nodes whose session expired while the person was working, in name order.
    pub fn expired_nodes(&self) -> Vec<String> {
        self.sessions
            .iter()
            .filter(|(_, session)| session.expired)
            .map(|(node, _)| node.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_restarts_the_sliding_expiry() {
        let mut book = SessionBook::default();
        book.signed_in("node-1", "admin", Some(1200), 0.0);

        book.touched("node-1", 600_000.0);

        assert_eq!(book.remaining_seconds("node-1", 600_000.0), Some(1200));
        assert_eq!(book.remaining_seconds("node-1", 1_500_000.0), Some(300));
        assert_eq!(book.remaining_seconds("node-1", 599_000.0), Some(1200));
    }

    #[test]
    fn a_401_expires_the_session_once_and_sign_in_bumps_the_generation() {
        let mut book = SessionBook::default();
        book.signed_in("node-1", "admin", None, 0.0);

        let first = book.expired("node-1");
        let second = book.expired("node-1");

        assert!(first && !second);
        assert!(!book.is_active("node-1"));
        assert_eq!(book.expired_nodes(), vec!["node-1".to_owned()]);
        assert_eq!(book.remaining_seconds("node-1", 0.0), None);
        book.signed_in("node-1", "admin", None, 10.0);
        assert!(book.is_active("node-1"));
        assert_eq!(book.generation("node-1"), 2);
    }

    #[test]
    fn unknown_nodes_are_neither_touched_nor_expired() {
        let mut book = SessionBook::default();

        book.touched("ghost", 0.0);

        assert!(!book.expired("ghost"));
        assert_eq!(book.get("ghost"), None);
    }
}
