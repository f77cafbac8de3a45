//! What the detail pane says about the selected entry: its `meta` links, the curl command
//! that reads it, and what to do about a failed read.

use sps_api::Meta;

use crate::api::{checked_api_path, ApiError};

/// Where a `meta` link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A checked API path the tree can show.
    Path(String),
    /// A value the panel will not follow (`/` as the root's parent, a foreign URL).
    Refused(String),
}

/// The body's `meta` links in reading order, each checked before it can be followed.
pub fn meta_links(meta: &Meta) -> Vec<(String, LinkTarget)> {
    meta.path_links()
        .into_iter()
        .map(|(name, href)| {
            let target = match checked_api_path(&href) {
                Ok(path) => LinkTarget::Path(path.to_owned()),
                Err(_) => LinkTarget::Refused(href),
            };
            (name, target)
        })
        .collect()
}

/// The command that reads `path` from the node, in the vendor documentation's style: the
/// session cookie comes from a `cookies` file the reader's own sign-in wrote (see
/// [`sign_in_command`]), so the command holds no secret.
pub fn curl_command(node: &str, address: Option<&str>, path: &str) -> String {
    let path = checked_api_path(path).unwrap_or("/api");
    format!(
        "curl --cookie cookies https://{}{path}",
        host(node, address)
    )
}

/// The sign-in that writes the `cookies` file; curl asks for the password itself.
pub fn sign_in_command(node: &str, address: Option<&str>) -> String {
    format!(
        "curl --basic --user <user> --cookie-jar cookies https://{}/api/authentication",
        host(node, address)
    )
}

/// The node's cluster address for a URL. One that is not a plain host name or IP address
/// is replaced by a placeholder rather than pasted into a shell command.
fn host(node: &str, address: Option<&str>) -> String {
    let plain = |a: &&str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    };
    match address.filter(plain) {
        Some(ip) if ip.contains(':') => format!("[{ip}]"),
        Some(host) => host.to_owned(),
        None => format!("<address-of-{node}>"),
    }
}

/// What a person should do about a failed read of an entry.
pub fn guidance(error: &ApiError) -> String {
    if error.needs_sign_in() {
        return format!("Sign in to {} to read {}.", error.node, error.path);
    }
    if error.is_forbidden() {
        return format!(
            "Your user on {} may not read {}: {}",
            error.node, error.path, error.message
        );
    }
    error.to_string()
}
