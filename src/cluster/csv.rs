//! The CSV export of the rows on screen (RFC 4180), safe to open in a spreadsheet.

use super::rows::NodeRow;
use super::time::format_utc;

const HEADER: [&str; 17] = [
    "name",
    "node_id",
    "address",
    "fqdn",
    "roles",
    "status",
    "configuration_sync",
    "sps_version",
    "last_seen",
    "last_seen_age_seconds",
    "memory",
    "disk",
    "swap",
    "load",
    "sessions",
    "sync_warnings",
    "sync_errors",
];

/// One CSV document: a header line, then one line per row, CRLF line ends. `now_ms` is
/// the time the ages are measured against, the same the table uses.
pub fn to_csv<'a>(rows: impl IntoIterator<Item = &'a NodeRow>, now_ms: f64) -> String {
    let mut out = String::new();
    push_line(&mut out, HEADER.iter().map(|cell| (*cell).to_owned()));
    for row in rows {
        push_line(&mut out, cells(row, now_ms));
    }
    out
}

fn cells(row: &NodeRow, now_ms: f64) -> Vec<String> {
    let health = row.health.as_ref();
    let version = row
        .outside
        .as_ref()
        .and_then(|outside| outside.version.clone().ok())
        .unwrap_or_default();
    let issues = |list: &[sps_api::cluster::SyncIssue]| {
        let texts: Vec<String> = list
            .iter()
            .map(|issue| match issue.paths.is_empty() {
                true => issue.message.clone(),
                false => format!("{} ({})", issue.message, issue.paths.join(" ")),
            })
            .collect();
        texts.join("; ")
    };
    vec![
        row.name.clone().unwrap_or_default(),
        row.node_id.clone().unwrap_or_default(),
        row.address.clone(),
        row.fqdn.clone().unwrap_or_default(),
        row.roles_label(),
        row.status(now_ms).label().to_owned(),
        row.sync_label(),
        version,
        row.last_seen_ms
            .map(format_utc)
            .or_else(|| row.last_seen.clone())
            .unwrap_or_default(),
        row.age_ms(now_ms)
            .map(|age| format!("{}", (age / 1_000.0).floor()))
            .unwrap_or_default(),
        health.map(|h| h.memory.to_string()).unwrap_or_default(),
        health.map(|h| h.disk.to_string()).unwrap_or_default(),
        health.map(|h| h.swap.to_string()).unwrap_or_default(),
        health.map(|h| h.load_averages()).unwrap_or_default(),
        health
            .map(|h| h.total_sessions.to_string())
            .unwrap_or_default(),
        issues(&row.warnings),
        issues(&row.errors),
    ]
}

fn push_line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let quoted: Vec<String> = cells.into_iter().map(|cell| quote(&cell)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// One cell. A value a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, since node data such as a sync
/// warning's message comes from the network. Cells with a comma, a quote or a line
/// break are quoted, with quotes doubled.
pub fn quote(cell: &str) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let cell = if formula {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use sps_api::cluster::SyncIssue;
    use sps_api::roles::Role;

    use super::*;
    use crate::cluster::rows::tests::member;

    #[test]
    fn cells_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=1+1", "'=1+1"),
            ("+cmd", "'+cmd"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            (
                "=HYPERLINK(\"x\",\"y\")",
                "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
            ),
            ("\tx", "'\tx"),
            ("a=b", "a=b"),
        ];
        for (cell, expected) in cases {
            assert_eq!(quote(cell), expected, "{cell:?}");
        }
    }

    #[test]
    fn the_export_has_a_header_and_one_line_per_row() {
        let now = 1_714_564_800_000.0 + 42_000.0;
        let row = member("id-1", |r| {
            r.name = Some("node-1".into());
            r.roles = vec![Role::ManagedHost, Role::SearchMinion];
            r.warnings = vec![SyncIssue {
                message: "=evil()".into(),
                paths: vec!["/api/info".into()],
            }];
        });

        let csv = to_csv([&row], now);

        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("name,node_id,address,fqdn,roles,status"));
        assert_eq!(
            lines[1],
            "node-1,id-1,10.0.0.1,id-1.example,\"managed-host, search-minion\",ISSUES,\
             up-to-date,,2024-05-01 12:00:00 UTC,42,21%,5%,0%,0.10 0.20 0.30,2,\
             '=evil() (/api/info),"
        );
        assert_eq!(lines[2], "");
    }
}
