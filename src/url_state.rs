//! The view's state kept in the page's query string, so a reload or a shared link shows
//! the same view. Each screen owns its own keys; this module only reads and writes them.

use std::collections::BTreeMap;

/// The query keys the app shell owns. Screens add their own (the cluster view's filters).
pub mod keys {
    /// Which screen is shown: `cluster`, `api`, `transactions`, `activity`.
    pub const TAB: &str = "tab";
    /// The node the screen is about.
    pub const NODE: &str = "node";
    /// The endpoint tree's selected API path.
    pub const PATH: &str = "path";
}

pub type Query = BTreeMap<String, String>;

/// Parses `?a=1&b=x%20y` (with or without the `?`). Later duplicates win; keys without a
/// value read as empty.
pub fn parse_query(search: &str) -> Query {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// Writes the query back, keys in order, empty values left out; `""` when nothing is set.
pub fn format_query(query: &Query) -> String {
    let pairs: Vec<String> = query
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(value) => {
                        out.push(value);
                        index += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_survives_a_round_trip() {
        let mut query = Query::new();
        query.insert("q".into(), "node 1 & co".into());
        query.insert("path".into(), "/api/cluster".into());
        query.insert("empty".into(), String::new());

        let text = format_query(&query);
        let back = parse_query(&text);

        assert_eq!(text, "?path=/api/cluster&q=node%201%20%26%20co");
        assert_eq!(back.get("q").map(String::as_str), Some("node 1 & co"));
        assert_eq!(back.get("empty"), None);
    }

    #[test]
    fn odd_input_parses_without_panicking() {
        let cases = [
            "", "?", "&&", "a", "a=%", "a=%4", "a=%zz", "a=%E2%82", "=x", "a=1&a=2",
        ];
        for case in cases {
            let _ = parse_query(case);
        }

        assert_eq!(parse_query("a=1&a=2")["a"], "2");
        assert_eq!(parse_query("a=%zz")["a"], "%zz");
        assert_eq!(parse_query("a=%4")["a"], "%4");
    }
}
