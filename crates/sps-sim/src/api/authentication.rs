//! `/api/authentication`: Basic sign-in that hands out the `session_id` cookie, sign-out,
//! and the list of login methods.

use axum::http::{header, Method};
use base64::Engine;
use rand::Rng;

use sps_api::auth::{Authentication, LoginMethod, SESSION_COOKIE};
use sps_api::{paths, Collection, ErrorCode, Meta};

use super::{ApiError, Ctx, Reply};
use crate::node::{find_user, LockOwner, Session};

pub(super) fn authentication(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    match *ctx.method {
        Method::DELETE => sign_out(ctx),
        _ => sign_in(ctx),
    }
}

/// Basic credentials open a new session; a valid cookie alone just renews its session.
fn sign_in(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let now = ctx.now;
    let body = Authentication {
        meta: Meta::at(paths::AUTHENTICATION, paths::API)
            .with_remaining_seconds(ctx.remaining_seconds()),
    };
    if let Some(credentials) = basic_credentials(ctx) {
        let admin_password = ctx.fleet.settings.admin_password.as_str();
        let Some(user) =
            credentials.and_then(|(name, password)| find_user(&name, &password, admin_password))
        else {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "Invalid username or password",
            ));
        };
        let id = new_session_id();
        ctx.state().sessions.insert(
            id.clone(),
            Session {
                user,
                last_seen: now,
            },
        );
        tracing::info!(node = ctx.index + 1, user = user.name, "signed in");
        let secure = if ctx.tls() { "; Secure" } else { "" };
        let mut reply = Reply::ok(&body)?;
        reply.cookie = Some(format!(
            "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}"
        ));
        return Ok(reply);
    }
    super::authenticate(ctx)?;
    Reply::ok(&body)
}

/// Ends the session and reverts its open transaction, as an expiry would.
fn sign_out(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    super::authenticate(ctx)?;
    let id = ctx.session_id().to_owned();
    let state = ctx.state();
    state.sessions.remove(&id);
    if state.pending.as_ref().map(|p| &p.owner) == Some(&LockOwner::Session(id)) {
        state.pending = None;
    }
    let secure = if ctx.tls() { "; Secure" } else { "" };
    let mut reply = Reply::no_content();
    reply.cookie = Some(format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"
    ));
    Ok(reply)
}

pub(super) fn login_methods() -> Result<Reply, ApiError> {
    let list = Collection {
        items: vec![LoginMethod {
            key: "basic".to_owned(),
            meta: Meta {
                href: Some(format!("{}/basic", paths::LOGIN_METHODS)),
                ..Meta::default()
            },
        }],
        meta: Meta::at(paths::LOGIN_METHODS, paths::AUTHENTICATION),
    };
    Reply::ok(&list)
}

/// `None` without an `Authorization: Basic` header; `Some(None)` when the header is
/// there but unreadable, which counts as wrong credentials.
fn basic_credentials(ctx: &Ctx<'_>) -> Option<Option<(String, String)>> {
    let value = ctx.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(decoded.and_then(|text| {
        let (name, password) = text.split_once(':')?;
        Some((name.to_owned(), password.to_owned()))
    }))
}

/// 40 lowercase hex characters, like a real node's session id.
fn new_session_id() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_40_lowercase_hex_characters() {
        let id = new_session_id();

        assert_eq!(id.len(), 40);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(id, new_session_id());
    }
}
