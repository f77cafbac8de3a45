//! Checks on the paths the panel puts into URLs. Paths come from the network (`meta`
//! links) and from people (added nodes), so they are checked before use: the panel only
//! ever requests same-origin API paths.

/// Accepts `/api` and the paths below it made of the characters SPS uses.
pub fn checked_api_path(path: &str) -> Result<&str, String> {
    let below_api = path == "/api" || path.starts_with("/api/");
    if !below_api {
        return Err(format!(
            "{path:?} is not an API path (it must start with /api)"
        ));
    }
    if path.contains("//") || path.split('/').any(|part| part == ".." || part == ".") {
        return Err(format!("{path:?} contains an empty or relative step"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.');
    if let Some(bad) = path.chars().find(|c| !allowed(*c)) {
        return Err(format!("{path:?} contains the character {bad:?}"));
    }
    Ok(path)
}

/// Accepts a same-origin path prefix such as `/sps/node-1`, without a trailing slash.
pub fn checked_prefix(prefix: &str) -> Result<&str, String> {
    if !prefix.starts_with('/') || prefix.starts_with("//") {
        return Err(format!(
            "{prefix:?} must be a path on this site, starting with /"
        ));
    }
    if prefix.ends_with('/') {
        return Err(format!("{prefix:?} must not end with /"));
    }
    if prefix
        .split('/')
        .skip(1)
        .any(|part| part.is_empty() || part == "..")
    {
        return Err(format!("{prefix:?} contains an empty or relative step"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.');
    if let Some(bad) = prefix.chars().find(|c| !allowed(*c)) {
        return Err(format!("{prefix:?} contains the character {bad:?}"));
    }
    Ok(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_table() {
        let cases = [
            ("/api", true),
            ("/api/cluster/nodes/46f97a58-4028", true),
            ("/api/configuration/local_services/cluster", true),
            ("/apix", false),
            ("/other", false),
            ("https://evil.example/api", false),
            ("/api/../admin", false),
            ("/api//x", false),
            ("/api/x?token=1", false),
            ("/api/x y", false),
        ];
        for (path, accepted) in cases {
            assert_eq!(checked_api_path(path).is_ok(), accepted, "{path}");
        }
    }

    #[test]
    fn prefixes_table() {
        let cases = [
            ("/sps/node-1", true),
            ("/panel/sps/a.b_c", true),
            ("sps/node-1", false),
            ("//evil.example", false),
            ("/sps/node-1/", false),
            ("/sps/../x", false),
            ("/sps/n\"ode", false),
        ];
        for (prefix, accepted) in cases {
            assert_eq!(checked_prefix(prefix).is_ok(), accepted, "{prefix}");
        }
    }
}
