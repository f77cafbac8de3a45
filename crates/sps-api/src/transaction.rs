//! Transactions: every change lives in one until it is committed or reverted.

use serde::{Deserialize, Serialize};

use crate::Meta;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionStatus {
    Open,
    Closed,
    #[serde(other)]
    Other,
}

/// Whether a commit must carry a message (the node's `require_commitlog` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitMessagePolicy {
    Optional,
    Required,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionBody {
    pub status: TransactionStatus,
    /// Absent on 6.x firmware, which never required a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<CommitMessagePolicy>,
}

impl TransactionBody {
    pub fn requires_commit_message(&self) -> bool {
        self.commit_message == Some(CommitMessagePolicy::Required)
    }
}

/// `GET /api/transaction`. Firmware 7.x answers `{"body": ..., "key", "meta"}`; 6.x
/// answered `{"transaction": ...}`. Both deserialise here; [`Self::state`] picks one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<TransactionBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<TransactionBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub meta: Meta,
}

impl TransactionResponse {
    /// The transaction's state, from whichever shape the node used.
    pub fn state(&self) -> Option<&TransactionBody> {
        self.body.as_ref().or(self.transaction.as_ref())
    }
}

/// The only command `PUT /api/transaction` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionCommand {
    Commit,
}

/// The body of a commit: `{"status": "commit", "commit_message": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitRequest {
    pub status: TransactionCommand,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<String>,
}

impl CommitRequest {
    pub fn new(commit_message: Option<String>) -> Self {
        CommitRequest {
            status: TransactionCommand::Commit,
            commit_message: commit_message.filter(|m| !m.trim().is_empty()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Create,
    Delete,
    Replace,
    Reorder,
    #[serde(other)]
    Other,
}

/// One pending change of an open transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    #[serde(rename = "type")]
    pub kind: ChangeKind,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<serde_json::Value>,
}

/// `GET /api/transaction/changes`. The simulator answers `{"changes": [...], "meta"}`;
/// `items` is accepted too, since the vendor documents the change fields but not the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    #[serde(default, alias = "items")]
    pub changes: Vec<Change>,
    #[serde(default)]
    pub meta: Meta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_7x_shape() {
        let raw = r#"{"body":{"status":"open","commit_message":"required"},"key":"transaction",
            "meta":{"href":"/api/transaction","remaining_seconds":1100}}"#;

        let response: TransactionResponse = serde_json::from_str(raw).unwrap();

        let state = response.state().unwrap();
        assert_eq!(state.status, TransactionStatus::Open);
        assert!(state.requires_commit_message());
        assert_eq!(response.meta.remaining_seconds, Some(1100));
    }

    #[test]
    fn reads_the_6x_shape() {
        let raw = r#"{"transaction":{"status":"closed"},"meta":{"href":"/api/transaction"}}"#;

        let response: TransactionResponse = serde_json::from_str(raw).unwrap();

        let state = response.state().unwrap();
        assert_eq!(state.status, TransactionStatus::Closed);
        assert!(!state.requires_commit_message());
    }

    #[test]
    fn a_blank_commit_message_is_not_sent() {
        let json = serde_json::to_string(&CommitRequest::new(Some("  ".into()))).unwrap();

        assert_eq!(json, r#"{"status":"commit"}"#);
    }
}
