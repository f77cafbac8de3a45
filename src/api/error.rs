//! The one error type of the panel's API calls. Its `Display` is what a person reads.

use std::fmt;

use sps_api::{ErrorBody, ErrorCode};

/// What went wrong, before any detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request never got an HTTP answer: connection refused or reset, DNS, CORS,
    /// an aborted or timed-out request.
    Network,
    /// The node answered with a status outside 2xx.
    Http,
    /// The node answered 2xx, but the body is not what the API documents.
    Malformed,
    /// The panel refused to send the request (an unsafe path, a bad request body).
    Refused,
}

/// A failed API call, with everything a person or the recovery logic needs: which node,
/// which request, the HTTP status and the SPS error code and message when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub node: String,
    pub method: &'static str,
    pub path: String,
    pub status: Option<u16>,
    /// The SPS error code as the node sent it (`ConfigurationLocked`, or one the panel
    /// does not know).
    pub code: Option<String>,
    pub message: String,
    /// The user holding the configuration lock, on `ConfigurationLocked`.
    pub locked_by: Option<String>,
}

impl ApiError {
    pub fn network(node: &str, method: &'static str, path: &str, detail: &str) -> Self {
        ApiError {
            kind: ErrorKind::Network,
            node: node.to_owned(),
            method,
            path: path.to_owned(),
            status: None,
            code: None,
            message: format!("the node could not be reached ({detail})"),
            locked_by: None,
        }
    }

    pub fn refused(node: &str, method: &'static str, path: &str, why: &str) -> Self {
        ApiError {
            kind: ErrorKind::Refused,
            status: None,
            code: None,
            message: why.to_owned(),
            ..ApiError::network(node, method, path, "")
        }
    }

    pub fn malformed(
        node: &str,
        method: &'static str,
        path: &str,
        status: u16,
        detail: &str,
    ) -> Self {
        ApiError {
            kind: ErrorKind::Malformed,
            status: Some(status),
            message: format!("the answer is not what the SPS API documents: {detail}"),
            ..ApiError::network(node, method, path, "")
        }
    }

    /// An answer outside 2xx. `body` is the raw text; an SPS error body is read from it,
    /// anything else (a proxy's HTML page, nothing at all) is described by its status.
    pub fn from_status(
        node: &str,
        method: &'static str,
        path: &str,
        status: u16,
        body: &str,
    ) -> Self {
        let parsed = serde_json::from_str::<ErrorBody>(body).ok();
        let (code, message, locked_by) = match parsed {
            Some(error) => {
                let message = if error.error.message.is_empty() {
                    default_message(status)
                } else {
                    error.error.message
                };
                (
                    Some(error.error.code),
                    message,
                    error.error.details.locked_by,
                )
            }
            None => (None, default_message(status), None),
        };
        ApiError {
            kind: ErrorKind::Http,
            node: node.to_owned(),
            method,
            path: path.to_owned(),
            status: Some(status),
            code,
            message,
            locked_by,
        }
    }

    pub fn known_code(&self) -> Option<ErrorCode> {
        self.code.as_deref().and_then(ErrorCode::parse)
    }

    /// The session is gone: the person must sign in to this node again.
    pub fn needs_sign_in(&self) -> bool {
        self.status == Some(401)
    }

    /// The signed-in user lacks the right for this request.
    pub fn is_forbidden(&self) -> bool {
        self.status == Some(403)
    }

    pub fn is_locked(&self) -> bool {
        self.known_code() == Some(ErrorCode::ConfigurationLocked)
    }

    /// Whether the node may have carried the request out although the panel got no
    /// usable answer: the answer was lost (a broken connection, the time limit), garbled
    /// (a 2xx the panel cannot read) or a server error (a proxy's 502 when the node broke
    /// off after acting, a 5xx half-way). A 4xx is the node refusing: nothing happened.
    pub fn may_have_taken_effect(&self) -> bool {
        match self.kind {
            ErrorKind::Network | ErrorKind::Malformed => true,
            ErrorKind::Http => self.status.is_some_and(|status| status >= 500),
            ErrorKind::Refused => false,
        }
    }
}

fn default_message(status: u16) -> String {
    let reason = match status {
        400 => "the node rejected the request as invalid",
        401 => "the session has ended; sign in again",
        403 => "this user is not allowed to do that",
        404 => "no such resource on this node",
        405 => "this resource does not allow that method",
        409 => "the node's state does not allow that now",
        411 => "the node wants a request body length",
        500..=599 => "the node or the proxy in front of it failed",
        _ => "unexpected answer",
    };
    reason.to_owned()
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {}", self.node, self.method, self.path)?;
        match (self.status, &self.code) {
            (Some(status), Some(code)) => write!(f, " answered {status} {code}")?,
            (Some(status), None) => write!(f, " answered {status}")?,
            (None, _) => write!(f, " failed")?,
        }
        write!(f, ": {}", self.message)?;
        if let Some(user) = &self.locked_by {
            write!(f, " (locked by {user})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sps_error_body_gives_code_message_and_lock_holder() {
        let body = r#"{"error":{"code":"ConfigurationLocked","message":"Locked",
            "details":{"path":"/api/transaction","locked_by":"bob"}}}"#;

        let error = ApiError::from_status("node-1", "POST", "/api/transaction", 409, body);

        assert!(error.is_locked());
        assert_eq!(error.locked_by.as_deref(), Some("bob"));
        assert_eq!(
            error.to_string(),
            "node-1: POST /api/transaction answered 409 ConfigurationLocked: Locked \
             (locked by bob)"
        );
    }

    #[test]
    fn a_non_sps_body_is_described_by_its_status() {
        let error = ApiError::from_status("node-2", "GET", "/api", 502, "<html>Bad gateway</html>");

        assert_eq!(error.code, None);
        assert_eq!(
            error.to_string(),
            "node-2: GET /api answered 502: the node or the proxy in front of it failed"
        );
    }

    #[test]
    fn a_401_asks_for_sign_in() {
        let error = ApiError::from_status("n", "GET", "/api", 401, "");

        assert!(error.needs_sign_in());
        assert!(!error.is_forbidden());
    }

    #[test]
    fn only_answers_that_may_hide_a_done_request_count_as_possibly_done() {
        let cases = [
            (
                ApiError::network("n", "PUT", "/api/x", "connection failed"),
                true,
            ),
            (
                ApiError::malformed("n", "PUT", "/api/x", 200, "not JSON"),
                true,
            ),
            (ApiError::from_status("n", "PUT", "/api/x", 502, ""), true),
            (ApiError::from_status("n", "PUT", "/api/x", 500, ""), true),
            (ApiError::from_status("n", "PUT", "/api/x", 409, ""), false),
            (ApiError::from_status("n", "PUT", "/api/x", 401, ""), false),
            (
                ApiError::refused("n", "PUT", "/api/x", "unsafe path"),
                false,
            ),
        ];

        for (error, expected) in cases {
            assert_eq!(error.may_have_taken_effect(), expected, "{error}");
        }
    }

    #[test]
    fn network_errors_name_node_and_request() {
        let error = ApiError::network("node-3", "PUT", "/api/transaction", "connection refused");

        assert_eq!(
            error.to_string(),
            "node-3: PUT /api/transaction failed: the node could not be reached \
             (connection refused)"
        );
    }
}
