//! The SPS error body: `{"error": {"code", "message", "details": {"path", ...}}, "meta"}`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Meta;

/// An error answer from a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    #[serde(default)]
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub details: ErrorDetails,
}

/// What the error is about. Only `path` is documented by the vendor; `field` and
/// `locked_by` are this project's choices, and anything else is kept for display.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_by: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// The error codes this project knows. A node may send others: the panel keeps the raw
/// code and never assumes this list is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    Unauthorized,
    NotFound,
    InvalidInput,
    CommitMessageRequired,
    RoleRulesViolated,
    MethodNotAllowed,
    ConfigurationLocked,
    NoOpenTransaction,
    ClusterStateConflict,
    LengthRequired,
    InternalError,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::InvalidInput,
        ErrorCode::CommitMessageRequired,
        ErrorCode::RoleRulesViolated,
        ErrorCode::MethodNotAllowed,
        ErrorCode::ConfigurationLocked,
        ErrorCode::NoOpenTransaction,
        ErrorCode::ClusterStateConflict,
        ErrorCode::LengthRequired,
        ErrorCode::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "Unauthenticated",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::InvalidInput => "InvalidInput",
            ErrorCode::CommitMessageRequired => "CommitMessageRequired",
            ErrorCode::RoleRulesViolated => "RoleRulesViolated",
            ErrorCode::MethodNotAllowed => "MethodNotAllowed",
            ErrorCode::ConfigurationLocked => "ConfigurationLocked",
            ErrorCode::NoOpenTransaction => "NoOpenTransaction",
            ErrorCode::ClusterStateConflict => "ClusterStateConflict",
            ErrorCode::LengthRequired => "LengthRequired",
            ErrorCode::InternalError => "InternalError",
        }
    }

    /// The HTTP status the simulator answers this code with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Unauthorized => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::InvalidInput
            | ErrorCode::CommitMessageRequired
            | ErrorCode::RoleRulesViolated => 400,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::ConfigurationLocked
            | ErrorCode::NoOpenTransaction
            | ErrorCode::ClusterStateConflict => 409,
            ErrorCode::LengthRequired => 411,
            ErrorCode::InternalError => 500,
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|known| known.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorBody {
    /// An error about `path`, in the shape the simulator always answers with.
    pub fn new(code: ErrorCode, message: impl Into<String>, path: impl Into<String>) -> Self {
        let path = path.into();
        let parent = parent_of(&path);
        ErrorBody {
            error: ErrorDetail {
                code: code.as_str().to_owned(),
                message: message.into(),
                details: ErrorDetails {
                    path: Some(path.clone()),
                    ..ErrorDetails::default()
                },
            },
            meta: Meta::at(path, parent),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.error.details.field = Some(field.into());
        self
    }

    pub fn with_locked_by(mut self, user: impl Into<String>) -> Self {
        self.error.details.locked_by = Some(user.into());
        self
    }

    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.error.code)
    }
}

/// The parent of an API path: `/api/cluster/nodes` for `/api/cluster/nodes/<id>`.
pub fn parent_of(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_owned(),
        Some((parent, _)) => parent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_carries_code_message_and_path() {
        let body = ErrorBody::new(ErrorCode::NotFound, "No such node", "/api/cluster/nodes/x");

        let json = serde_json::to_value(&body).unwrap();

        assert_eq!(json["error"]["code"], "NotFound");
        assert_eq!(json["error"]["message"], "No such node");
        assert_eq!(json["error"]["details"]["path"], "/api/cluster/nodes/x");
        assert_eq!(json["meta"]["parent"], "/api/cluster/nodes");
    }

    #[test]
    fn unknown_error_codes_and_details_survive_a_round_trip() {
        let raw = r#"{"error":{"code":"Teapot","message":"m","details":{"path":"/api","x":1}}}"#;

        let body: ErrorBody = serde_json::from_str(raw).unwrap();

        assert_eq!(body.code(), None);
        assert_eq!(body.error.code, "Teapot");
        assert_eq!(body.error.details.other["x"], 1);
    }

    #[test]
    fn every_code_parses_back_to_itself() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn parent_of_walks_one_level_up() {
        assert_eq!(parent_of("/api/cluster/nodes/abc"), "/api/cluster/nodes");
        assert_eq!(parent_of("/api/cluster"), "/api");
        assert_eq!(parent_of("/api"), "/");
    }
}
