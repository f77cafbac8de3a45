//! Authentication: `GET /api/authentication` with Basic credentials.

use serde::{Deserialize, Serialize};

use crate::Meta;

/// The answer to a successful sign-in. The session itself travels in the `session_id`
/// cookie, which the browser keeps and the panel never sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authentication {
    #[serde(default)]
    pub meta: Meta,
}

/// One entry of `/api/authentication/login_methods`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginMethod {
    pub key: String,
    #[serde(default)]
    pub meta: Meta,
}

/// The name of the session cookie every node sets.
pub const SESSION_COOKIE: &str = "session_id";
