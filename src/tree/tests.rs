//! Native tests of the endpoint tree model: lazy children, reveal, fetch planning and
//! the keyboard pattern.

use serde_json::{json, Value};

use super::*;

fn index(href: &str, children: &[&str]) -> Value {
    let items: Vec<Value> = children
        .iter()
        .map(|child| json!({"key": child, "meta": {"href": format!("{href}/{child}")}}))
        .collect();
    json!({"items": items, "meta": {"href": href, "parent": "/"}})
}

fn reply(value: Value) -> Result<Reply<Value>, ApiError> {
    Ok(Reply {
        value,
        status: 200,
        allow: vec!["GET".into()],
    })
}

fn leaf(href: &str) -> Value {
    json!({"body": {"version": "7.4"}, "key": "info", "meta": {"href": href}})
}

/// A tree with `/api` and `/api/cluster` read, both open.
fn loaded_tree() -> Tree {
    let mut tree = Tree::new();
    tree.expand(ROOT);
    tree.finish_load(
        ROOT,
        1,
        reply(index("/api", &["cluster", "info", "transaction"])),
    );
    tree.expand("/api/cluster");
    tree.finish_load(
        "/api/cluster",
        1,
        reply(index("/api/cluster", &["nodes", "promote", "status"])),
    );
    tree
}

fn visible(tree: &Tree) -> Vec<String> {
    tree.rows().into_iter().map(|row| row.id).collect()
}

#[test]
fn a_new_tree_shows_only_the_closed_root() {
    let tree = Tree::new();

    let rows = tree.rows();

    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, "/api");
    assert_eq!(rows[0].expanded, Some(false));
    assert_eq!(tree.tab_stop(), "/api");
    assert!(tree.wanted(0).is_empty());
}

#[test]
fn rows_carry_level_set_size_and_position() {
    let tree = loaded_tree();

    let rows = tree.rows();

    let facts: Vec<(&str, usize, usize, usize, Option<bool>)> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.level, r.set_size, r.position, r.expanded))
        .collect();
    assert_eq!(
        facts,
        vec![
            ("/api", 1, 1, 1, Some(true)),
            ("/api/cluster", 2, 3, 1, Some(true)),
            ("/api/cluster/nodes", 3, 3, 1, Some(false)),
            ("/api/cluster/promote", 3, 3, 2, Some(false)),
            ("/api/cluster/status", 3, 3, 3, Some(false)),
            ("/api/info", 2, 3, 2, Some(false)),
            ("/api/transaction", 2, 3, 3, Some(false)),
        ]
    );
    assert_eq!(tree.row("/api/cluster/status"), Some(rows[4].clone()));
}

#[test]
fn an_entry_read_without_children_becomes_a_leaf() {
    let mut tree = loaded_tree();

    tree.finish_load("/api/info", 1, reply(leaf("/api/info")));
    tree.expand("/api/info");

    assert_eq!(tree.row("/api/info").unwrap().expanded, None);
    assert!(!tree.is_expanded("/api/info"));
}

#[test]
fn hrefs_are_checked_and_refused_ones_become_error_entries() {
    let cases: [(&str, Option<&str>); 7] = [
        ("/api/cluster/nodes", Some("/api/cluster/nodes")),
        (
            "/api/cluster/nodes/46f9-a1",
            Some("/api/cluster/nodes/46f9-a1"),
        ),
        ("https://evil.example/api/cluster/x", None),
        ("/api/cluster/../../admin", None),
        ("/api/cluster/x?session_id=1", None),
        ("/api/info", None),
        ("/api", None),
    ];
    for (href, accepted) in cases {
        let body = json!({"items": [{"key": "x", "meta": {"href": href}}]});

        let links = child_links("/api/cluster", &body);

        assert_eq!(links.len(), 1, "{href}");
        match (&links[0].href, accepted) {
            (Ok(path), Some(expected)) => assert_eq!(path, expected),
            (Err((raw, why)), None) => assert!(raw == href && !why.is_empty(), "{href}"),
            (other, _) => panic!("{href}: unexpected {other:?}"),
        }
    }
}

#[test]
fn a_refused_href_is_shown_but_never_wanted() {
    let mut tree = Tree::new();
    tree.expand(ROOT);
    let body = json!({"items": [
        {"key": "evil", "meta": {"href": "https://evil.example/steal"}},
        {"key": "info", "meta": {"href": "/api/info"}}
    ]});

    tree.finish_load(ROOT, 1, reply(body));
    tree.expand("/api#1");
    tree.select("https://evil.example/steal");

    let refused = tree.entry("/api#1").unwrap();
    assert!(matches!(&refused.target, Target::Refused { href, .. } if href.contains("evil")));
    assert_eq!(tree.row("/api#1").unwrap().expanded, None);
    assert!(tree.wanted(1).is_empty());
    assert_eq!(tree.key(Key::Home), KeyOutcome::Moved);
    assert_eq!(tree.key(Key::Down), KeyOutcome::Moved);
    assert_eq!(tree.key(Key::Activate), KeyOutcome::Ignored);
}

#[test]
fn items_without_href_are_data_not_children() {
    let body = json!({"items": [
        {"key": "n1", "fqdn": "a.example", "health_status": null},
        {"fqdn": "no key at all"},
        {"key": "n2", "meta": {"href": "/api/cluster/status/n2"}}
    ], "meta": {"href": "/api/cluster/status"}});

    let links = child_links("/api/cluster/status", &body);

    assert_eq!(links.len(), 1);
    assert_eq!(links[0].label, "n2");
    assert!(child_links("/api", &json!({"items": "not a list"})).is_empty());
    assert!(child_links("/api", &json!([1, 2])).is_empty());
}

#[test]
fn wanted_lists_open_and_selected_paths_not_yet_read_this_generation() {
    type Arrange = fn(&mut Tree);
    let cases: [(&str, Arrange, u64, &[&str]); 6] = [
        ("opening the root", |t| t.expand(ROOT), 1, &["/api"]),
        (
            "selecting an unlisted path",
            |t| t.select("/api/info"),
            1,
            &["/api", "/api/info"],
        ),
        (
            "while loading",
            |t| {
                t.expand(ROOT);
                t.begin_load(ROOT, 1);
            },
            1,
            &[],
        ),
        (
            "read under this generation",
            |t| {
                t.expand(ROOT);
                t.finish_load(ROOT, 1, reply(index("/api", &["info"])));
            },
            1,
            &[],
        ),
        (
            "read under an older generation",
            |t| {
                t.expand(ROOT);
                t.finish_load(ROOT, 1, reply(index("/api", &["info"])));
            },
            2,
            &["/api"],
        ),
        (
            "refreshed",
            |t| {
                t.expand(ROOT);
                t.finish_load(ROOT, 1, reply(index("/api", &["info"])));
                t.refresh(ROOT);
            },
            1,
            &["/api"],
        ),
    ];
    for (name, arrange, generation, expected) in cases {
        let mut tree = Tree::new();
        arrange(&mut tree);

        let wanted = tree.wanted(generation);

        assert_eq!(wanted, expected, "{name}");
    }
}

#[test]
fn a_failed_read_is_not_retried_until_the_generation_grows() {
    let mut tree = Tree::new();
    tree.expand(ROOT);
    let error = ApiError::from_status("node-1", "GET", "/api", 401, "");

    tree.finish_load(ROOT, 1, Err(error));

    assert!(tree.wanted(1).is_empty());
    assert_eq!(tree.wanted(2), vec!["/api"]);
}

#[test]
fn a_deep_link_opens_its_ancestors_as_they_load() {
    let mut tree = Tree::new();

    tree.follow_query(Some("/api/cluster/status"));
    let first = tree.wanted(1);
    tree.finish_load(ROOT, 1, reply(index("/api", &["cluster", "info"])));
    let second = tree.wanted(1);
    tree.finish_load(
        "/api/cluster",
        1,
        reply(index("/api/cluster", &["nodes", "status"])),
    );

    assert_eq!(first, vec!["/api", "/api/cluster/status"]);
    assert_eq!(second, vec!["/api/cluster", "/api/cluster/status"]);
    assert!(tree.is_expanded("/api") && tree.is_expanded("/api/cluster"));
    assert_eq!(tree.tab_stop(), "/api/cluster/status");
    assert_eq!(tree.selected(), Some("/api/cluster/status"));
}

#[test]
fn a_deep_link_behind_a_failed_read_opens_once_the_read_succeeds() {
    let mut tree = Tree::new();
    tree.select("/api/cluster/status");
    let refused = ApiError::from_status("node-1", "GET", "/api", 401, "");

    tree.finish_load(ROOT, 1, Err(refused));
    let after_failure = tree.wanted(1);
    tree.finish_load(ROOT, 2, reply(index("/api", &["cluster"])));
    tree.finish_load("/api/cluster", 2, reply(index("/api/cluster", &["status"])));

    assert_eq!(after_failure, vec!["/api/cluster/status"]);
    assert!(tree.is_expanded("/api/cluster"));
    assert_eq!(tree.tab_stop(), "/api/cluster/status");
}

#[test]
fn a_deep_link_to_an_unlisted_path_stops_revealing_and_stays_selected() {
    let mut tree = Tree::new();

    tree.select("/api/nothing/here");
    tree.finish_load(ROOT, 1, reply(index("/api", &["info"])));
    tree.finish_load("/api/info", 1, reply(leaf("/api/info")));
    tree.focus("/api/info");

    assert_eq!(tree.selected(), Some("/api/nothing/here"));
    assert_eq!(tree.tab_stop(), "/api/info");
}

#[test]
fn an_unchecked_query_path_is_selected_but_never_wanted() {
    let mut tree = Tree::new();

    tree.follow_query(Some("/etc/passwd"));

    assert_eq!(tree.selected(), Some("/etc/passwd"));
    assert!(tree.wanted(1).is_empty());
}

#[test]
fn a_query_without_path_clears_the_selection() {
    let mut tree = loaded_tree();
    tree.select("/api/info");

    tree.follow_query(None);

    assert_eq!(tree.selected(), None);
}

#[test]
fn reloading_a_parent_drops_children_it_no_longer_lists() {
    let mut tree = loaded_tree();
    tree.focus("/api/cluster/promote");

    tree.finish_load(
        "/api/cluster",
        2,
        reply(index("/api/cluster", &["nodes", "status"])),
    );

    assert_eq!(
        tree.children("/api/cluster"),
        ["/api/cluster/nodes", "/api/cluster/status"]
    );
    assert!(tree.entry("/api/cluster/promote").is_none());
    assert_eq!(tree.tab_stop(), "/api");
}

#[test]
fn collapsing_moves_a_hidden_focus_to_the_collapsed_entry() {
    let mut tree = loaded_tree();
    tree.focus("/api/cluster/status");

    tree.collapse("/api");

    assert_eq!(tree.tab_stop(), "/api");
    assert_eq!(visible(&tree), ["/api"]);
}

/// What a key sequence should leave: the tab stop, the open entries, the last outcome.
struct After<'a> {
    focus: &'a str,
    open: &'a [&'a str],
    outcome: KeyOutcome,
}

/// Applies `keys` to `tree` from `start` and compares the result with `expected`.
fn check_keys(name: &str, mut tree: Tree, start: &str, keys: &[Key], expected: After<'_>) {
    tree.focus(start);

    let mut outcome = KeyOutcome::Ignored;
    for key in keys {
        outcome = tree.key(*key);
    }

    let open: Vec<String> = visible(&tree)
        .into_iter()
        .filter(|id| tree.is_expanded(id))
        .collect();
    assert_eq!(tree.tab_stop(), expected.focus, "{name}: focus");
    assert_eq!(open, expected.open, "{name}: open entries");
    assert_eq!(outcome, expected.outcome, "{name}: outcome");
}

#[test]
fn keyboard_pattern_table() {
    use Key::*;
    use KeyOutcome::{Ignored, Moved};
    let both: &[&str] = &["/api", "/api/cluster"];
    let after = |focus, open, outcome| After {
        focus,
        open,
        outcome,
    };

    check_keys(
        "right opens a closed root",
        Tree::new(),
        ROOT,
        &[Right],
        after("/api", &["/api"], Moved),
    );
    check_keys(
        "down at the last row does nothing",
        Tree::new(),
        ROOT,
        &[Down],
        after("/api", &[], Ignored),
    );
    check_keys(
        "left on the closed root does nothing",
        Tree::new(),
        ROOT,
        &[Left],
        after("/api", &[], Ignored),
    );
    check_keys(
        "down walks visible rows",
        loaded_tree(),
        ROOT,
        &[Down, Down],
        after("/api/cluster/nodes", both, Moved),
    );
    check_keys(
        "up at the first row does nothing",
        loaded_tree(),
        ROOT,
        &[Up],
        after("/api", both, Ignored),
    );
    check_keys(
        "up walks back",
        loaded_tree(),
        "/api/info",
        &[Up],
        after("/api/cluster/status", both, Moved),
    );
    check_keys(
        "right on an open entry goes to its first child",
        loaded_tree(),
        ROOT,
        &[Right],
        after("/api/cluster", both, Moved),
    );
    check_keys(
        "right opens an unread entry, then waits for its children",
        loaded_tree(),
        "/api/cluster/nodes",
        &[Right, Right],
        after(
            "/api/cluster/nodes",
            &["/api", "/api/cluster", "/api/cluster/nodes"],
            Ignored,
        ),
    );
    check_keys(
        "left closes an open entry",
        loaded_tree(),
        "/api/cluster",
        &[Left],
        after("/api/cluster", &["/api"], Moved),
    );
    check_keys(
        "left on a closed entry goes to its parent",
        loaded_tree(),
        "/api/cluster/status",
        &[Left],
        after("/api/cluster", both, Moved),
    );
    check_keys(
        "end goes to the last visible row",
        loaded_tree(),
        ROOT,
        &[End],
        after("/api/transaction", both, Moved),
    );
    check_keys(
        "home goes to the root",
        loaded_tree(),
        "/api/info",
        &[Home],
        after("/api", both, Moved),
    );
    check_keys(
        "enter selects",
        loaded_tree(),
        "/api/cluster/nodes",
        &[Activate],
        after(
            "/api/cluster/nodes",
            both,
            KeyOutcome::Selected("/api/cluster/nodes".into()),
        ),
    );
    check_keys(
        "type-ahead finds the next match",
        loaded_tree(),
        ROOT,
        &[Char('s')],
        after("/api/cluster/status", both, Moved),
    );
    check_keys(
        "type-ahead wraps and ignores case",
        loaded_tree(),
        "/api/transaction",
        &[Char('C')],
        after("/api/cluster", both, Moved),
    );
    check_keys(
        "type-ahead without a match does nothing",
        loaded_tree(),
        ROOT,
        &[Char('z')],
        after("/api", both, Ignored),
    );
}

#[test]
fn dom_key_names_map_to_tree_keys() {
    let cases = [
        ("ArrowUp", Some(Key::Up)),
        ("ArrowDown", Some(Key::Down)),
        ("ArrowLeft", Some(Key::Left)),
        ("ArrowRight", Some(Key::Right)),
        ("Home", Some(Key::Home)),
        ("End", Some(Key::End)),
        ("Enter", Some(Key::Activate)),
        (" ", Some(Key::Activate)),
        ("n", Some(Key::Char('n'))),
        ("Tab", None),
        ("Escape", None),
        ("Shift", None),
    ];
    for (dom, expected) in cases {
        assert_eq!(Key::from_dom(dom), expected, "{dom}");
    }
}

#[test]
fn ancestors_table() {
    let cases: [(&str, &[&str]); 4] = [
        ("/api", &[]),
        ("/api/info", &["/api"]),
        ("/api/cluster/status", &["/api", "/api/cluster"]),
        ("/other/x", &[]),
    ];
    for (path, expected) in cases {
        assert_eq!(ancestors(path), expected, "{path}");
    }
}

#[test]
fn curl_commands_hold_no_secret_and_quote_nothing_unsafe() {
    let cases = [
        (
            Some("10.0.0.1"),
            "/api/cluster/nodes",
            "curl --cookie cookies https://10.0.0.1/api/cluster/nodes",
        ),
        (
            Some("fd00::1"),
            "/api",
            "curl --cookie cookies https://[fd00::1]/api",
        ),
        (
            Some("sps1.example.com"),
            "/api/info",
            "curl --cookie cookies https://sps1.example.com/api/info",
        ),
        (
            Some("10.0.0.1; rm -rf ~"),
            "/api",
            "curl --cookie cookies https://<address-of-node-1>/api",
        ),
        (
            None,
            "/api/info",
            "curl --cookie cookies https://<address-of-node-1>/api/info",
        ),
        (
            Some("10.0.0.1"),
            "/api/x y",
            "curl --cookie cookies https://10.0.0.1/api",
        ),
    ];
    for (address, path, expected) in cases {
        let command = curl_command("node-1", address, path);

        assert_eq!(command, expected);
        assert!(!command.contains("session_id"));
    }
    assert_eq!(
        sign_in_command("node-1", Some("10.0.0.1")),
        "curl --basic --user <user> --cookie-jar cookies https://10.0.0.1/api/authentication"
    );
}

#[test]
fn guidance_names_the_way_out_of_401_and_403() {
    let body = r#"{"error":{"code":"Unauthorized","message":"The user group lacks the right"}}"#;
    let cases = [
        (
            ApiError::from_status("node-1", "GET", "/api/cluster", 401, ""),
            "Sign in to node-1 to read /api/cluster.",
        ),
        (
            ApiError::from_status("node-1", "GET", "/api/cluster", 403, body),
            "Your user on node-1 may not read /api/cluster: The user group lacks the right",
        ),
        (
            ApiError::from_status("node-1", "GET", "/api/x", 404, ""),
            "node-1: GET /api/x answered 404: no such resource on this node",
        ),
    ];
    for (error, expected) in cases {
        assert_eq!(guidance(&error), expected);
    }
}

#[test]
fn meta_links_are_checked_before_they_can_be_followed() {
    let meta: Meta = serde_json::from_value(json!({
        "href": "/api/cluster", "parent": "/api", "nodes": "/api/cluster/nodes",
        "remaining_seconds": 600, "weird": "/api/../x"
    }))
    .unwrap();

    let links = meta_links(&meta);

    assert_eq!(
        links,
        vec![
            ("href".into(), LinkTarget::Path("/api/cluster".into())),
            ("parent".into(), LinkTarget::Path("/api".into())),
            (
                "nodes".into(),
                LinkTarget::Path("/api/cluster/nodes".into())
            ),
            ("weird".into(), LinkTarget::Refused("/api/../x".into())),
        ]
    );
    assert!(body_meta(&json!({"meta": {"href": 5}})).is_none());
}
