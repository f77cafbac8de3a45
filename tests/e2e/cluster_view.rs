//! Issue: the cluster view. A cluster is built over HTTP straight against the simulated
//! nodes, then the panel's Cluster tab is checked as a person would use it.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::cluster_setup::{build_cluster, JoinedRoles};
use crate::harness::{Browser, Demo, PAGE_WAIT};

/// The table as text: per row, name, roles, status and sync.
async fn table(browser: &Browser) -> Vec<[String; 4]> {
    let script = r#"return [...document.querySelectorAll('tr.node-row')].map(r => [
        r.querySelector('.name').textContent,
        r.querySelector('.roles').textContent,
        r.querySelector('.status-label').textContent,
        r.querySelector('.sync-label').textContent]);"#;
    let value = browser.client.execute(script, vec![]).await.unwrap();
    serde_json::from_value(value).unwrap_or_default()
}

/// Waits until the table satisfies `wanted`; fails with the last table seen.
async fn wait_for_table(
    browser: &Browser,
    what: &str,
    wanted: impl Fn(&[[String; 4]]) -> bool,
) -> Vec<[String; 4]> {
    let started = Instant::now();
    let mut last = Vec::new();
    // Status reports come every 10 simulated seconds and the page refreshes every 5 s.
    while started.elapsed() < PAGE_WAIT + Duration::from_secs(20) {
        last = table(browser).await;
        if wanted(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the table never showed {what}; last: {last:?}");
}

fn names(rows: &[[String; 4]]) -> Vec<&str> {
    rows.iter().map(|row| row[0].as_str()).collect()
}

async fn attribute(browser: &Browser, css: &str, name: &str) -> Option<String> {
    browser.find(css).await.attr(name).await.unwrap()
}

async fn open_cluster_tab(demo: &Demo, browser: &Browser, query: &str) {
    let url = format!("{}?tab=cluster&refresh=5{query}", demo.panel_url());
    browser.client.goto(&url).await.unwrap();
    browser.sign_in_all(demo, "admin", "admin").await;
}

#[tokio::test]
async fn a_three_node_cluster_shows_one_ok_row_per_node_and_sorts_by_a_header() {
    let demo = Demo::start(3);
    build_cluster(&demo, 2, JoinedRoles::ManagedSearchMinion).await;
    let browser = Browser::start().await;

    open_cluster_tab(&demo, &browser, "").await;
    let rows = wait_for_table(&browser, "three OK rows", |rows| {
        rows.len() == 3 && rows.iter().all(|row| row[2] == "OK")
    })
    .await;
    browser.click("th button[data-sort=node]").await;
    let descending = wait_for_table(&browser, "names in descending order", |rows| {
        names(rows) == ["node-3", "node-2", "node-1"]
    })
    .await;
    let node_sort = attribute(&browser, "th:has(button[data-sort=node])", "aria-sort").await;
    let address_sort = attribute(&browser, "th:has(button[data-sort=address])", "aria-sort").await;
    let heading = browser.wait_for_text("#cluster-heading", "node-1").await;

    assert_eq!(names(&rows), ["node-1", "node-2", "node-3"]);
    assert_eq!(rows[0][1], "central-management");
    assert_eq!(rows[1][1], "managed-host, search-minion");
    assert_eq!(rows[0][3], "n/a");
    assert_eq!(descending.len(), 3);
    assert_eq!(node_sort.as_deref(), Some("descending"));
    assert_eq!(address_sort.as_deref(), Some("none"));
    assert_eq!(heading, "Cluster managed by node-1");
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains("dir=desc"), "{url}");
    browser.end().await;
}

#[tokio::test]
async fn text_and_status_filters_change_rows_and_url_survive_a_reload_and_shape_the_csv() {
    let demo = Demo::start(3);
    build_cluster(&demo, 2, JoinedRoles::ManagedSearchMinion).await;
    let browser = Browser::start().await;
    open_cluster_tab(&demo, &browser, "").await;
    wait_for_table(&browser, "three OK rows", |rows| {
        rows.len() == 3 && rows.iter().all(|row| row[2] == "OK")
    })
    .await;

    browser.type_into("#cluster-filter", "node-2").await;
    let by_text = wait_for_table(&browser, "only node-2", |rows| names(rows) == ["node-2"]).await;
    browser
        .find("#cluster-status-filter option[value=offline]")
        .await
        .click()
        .await
        .unwrap();
    let none = browser
        .wait_for_text("tr.no-match", "No node matches")
        .await;
    browser
        .find("#cluster-status-filter option[value=ok]")
        .await
        .click()
        .await
        .unwrap();
    wait_for_table(&browser, "node-2 again", |rows| names(rows) == ["node-2"]).await;
    let url = browser.client.current_url().await.unwrap().to_string();
    browser.client.goto(&url).await.unwrap();
    let after_reload = wait_for_table(&browser, "node-2 after reload", |rows| {
        names(rows) == ["node-2"]
    })
    .await;
    let filter_value = browser
        .find("#cluster-filter")
        .await
        .prop("value")
        .await
        .unwrap();
    browser.click("button.export-csv").await;
    let href = wait_for_attribute(&browser, "a.csv-download", "href").await;
    let download = attribute(&browser, "a.csv-download", "download").await;
    let csv = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));",
            vec![json!(href)],
        )
        .await
        .unwrap();

    assert_eq!(by_text[0][0], "node-2");
    assert!(none.contains("No node matches the filters"), "{none}");
    assert!(
        url.contains("q=node-2") && url.contains("status=ok"),
        "{url}"
    );
    assert_eq!(after_reload.len(), 1);
    assert_eq!(filter_value.as_deref(), Some("node-2"));
    assert!(
        download
            .as_deref()
            .is_some_and(|name| name.starts_with("cluster-node-1-") && name.ends_with(".csv")),
        "{download:?}"
    );
    let csv = csv.as_str().unwrap_or_default().to_owned();
    let lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("name,node_id,address,fqdn,roles,status"),
        "{csv}"
    );
    assert!(lines[1].starts_with("node-2,"), "{csv}");
    assert!(
        lines[1].contains(",\"managed-host, search-minion\",OK,"),
        "{csv}"
    );
    browser.end().await;
}

async fn wait_for_attribute(browser: &Browser, css: &str, name: &str) -> String {
    let started = Instant::now();
    while started.elapsed() < PAGE_WAIT {
        if let Some(value) = attribute(browser, css, name)
            .await
            .filter(|v| !v.is_empty())
        {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never got a {name} attribute");
}

#[tokio::test]
async fn a_node_taken_offline_reads_offline_once_the_clock_runs() {
    let demo = Demo::start(3);
    build_cluster(&demo, 2, JoinedRoles::ManagedSearchMinion).await;
    let browser = Browser::start().await;
    open_cluster_tab(&demo, &browser, "").await;
    wait_for_table(&browser, "three OK rows", |rows| {
        rows.len() == 3 && rows.iter().all(|row| row[2] == "OK")
    })
    .await;

    demo.control(reqwest::Method::POST, "/nodes/node-3/offline", json!({}))
        .await;
    demo.control(reqwest::Method::PUT, "/clock", json!({"speed": 20.0}))
        .await;
    let rows = wait_for_table(&browser, "node-3 OFFLINE", |rows| {
        rows.iter()
            .any(|row| row[0] == "node-3" && row[2] == "OFFLINE")
    })
    .await;

    let others: Vec<&str> = rows
        .iter()
        .filter(|row| row[0] != "node-3")
        .map(|row| row[2].as_str())
        .collect();
    assert_eq!(others, ["OK", "OK"], "{rows:?}");
    browser.end().await;
}

#[tokio::test]
async fn a_sync_warning_path_opens_the_api_tab_at_that_path() {
    let demo = Demo::start(2);
    build_cluster(&demo, 1, JoinedRoles::ManagedSearchMinion).await;
    let path = "/api/configuration/local_services/cluster";
    let warning = json!({"sync_warnings": [{"message": "Check the cluster interface",
        "paths": [path]}]});
    demo.control(reqwest::Method::PUT, "/nodes/node-2/settings", warning)
        .await;
    let browser = Browser::start().await;
    open_cluster_tab(&demo, &browser, "").await;

    let rows = wait_for_table(&browser, "node-2 with ISSUES", |rows| {
        rows.iter()
            .any(|row| row[0] == "node-2" && row[2] == "ISSUES")
    })
    .await;
    let message = browser
        .wait_for_text("tr.node-row .issue", "Check the cluster interface")
        .await;
    browser.click("tr.node-row .issue .path-link").await;
    let selected = attribute(&browser, "#tab-api", "aria-selected").await;
    let url = browser.client.current_url().await.unwrap();

    assert_eq!(rows.len(), 2);
    assert!(message.contains(path), "{message}");
    assert_eq!(selected.as_deref(), Some("true"));
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(query.contains(&("tab".into(), "api".into())), "{url}");
    assert!(query.contains(&("node".into(), "node-1".into())), "{url}");
    assert!(query.contains(&("path".into(), path.into())), "{url}");
    browser.end().await;
}

#[tokio::test]
async fn without_a_cluster_the_configured_nodes_show_their_join_status_and_version() {
    let demo = Demo::start(2);
    let browser = Browser::start().await;

    open_cluster_tab(&demo, &browser, "").await;
    let rows = wait_for_table(&browser, "two nodes outside a cluster", |rows| {
        rows.len() == 2 && rows.iter().all(|row| row[3] == "join: not configured")
    })
    .await;
    let notice = browser
        .wait_for_text(".no-cluster", "does not exist yet")
        .await;
    let version = browser
        .wait_for_text("tr.node-row .version", "SPS 7.4.0")
        .await;

    assert_eq!(names(&rows), ["node-1", "node-2"]);
    assert!(rows.iter().all(|row| row[2] == "NOT IN CLUSTER"));
    assert!(notice.contains("Central Management"));
    assert_eq!(version, "SPS 7.4.0");
    browser.end().await;
}

/// The select's options (value, text) and its current value.
async fn central_choices(browser: &Browser) -> (Vec<(String, String)>, String) {
    let script = r#"const select = document.querySelector('#cluster-cm');
        return [[...select.options].map(o => [o.value, o.textContent]), select.value];"#;
    let value = browser.run_js(script).await;
    serde_json::from_value(value).unwrap_or_default()
}

#[tokio::test]
async fn the_central_management_choice_lists_every_node_and_survives_a_reload() {
    let demo = Demo::start(3);
    build_cluster(&demo, 2, JoinedRoles::ManagedSearchMinion).await;
    let browser = Browser::start().await;
    open_cluster_tab(&demo, &browser, "").await;
    wait_for_table(&browser, "three rows", |rows| rows.len() == 3).await;

    let (options, detected) = central_choices(&browser).await;
    let expected: Vec<(String, String)> = [("", "detect"), ("node-1", "node-1")]
        .into_iter()
        .chain([("node-2", "node-2"), ("node-3", "node-3")])
        .map(|(value, text)| (value.to_owned(), text.to_owned()))
        .collect();
    assert_eq!(options, expected);
    assert_eq!(detected, "");

    // A managed host is no Central Management node: the panel says so and shows no rows.
    browser
        .find("#cluster-cm")
        .await
        .select_by_value("node-2")
        .await
        .expect("choosing node-2");
    browser
        .wait_for_text(
            ".cluster-status .notice",
            "node-2 is not a Central Management node",
        )
        .await;
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains("cm=node-2"), "{url}");

    // After a reload the options are drawn again and the choice from the address kept.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text(
            ".cluster-status .notice",
            "node-2 is not a Central Management node",
        )
        .await;
    let started = Instant::now();
    let (options, chosen) = loop {
        let (options, chosen) = central_choices(&browser).await;
        if options.len() == 4 || started.elapsed() > PAGE_WAIT {
            break (options, chosen);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(options.len(), 4, "{options:?}");
    assert_eq!(chosen, "node-2");

    browser
        .find("#cluster-cm")
        .await
        .select_by_value("node-1")
        .await
        .expect("choosing node-1");
    wait_for_table(&browser, "node-1's three rows", |rows| rows.len() == 3).await;
    browser
        .wait_for_text("#cluster-heading", "Cluster managed by node-1")
        .await;
    browser.end().await;
}

/// A formed cluster of `nodes` (node-1 its Central Management node), the Cluster tab
/// open with auto-refresh off and node-1 signed in: the sign-in itself starts the
/// refresh that finds the cluster.
async fn formed_cluster_signed_in_to_node_1(nodes: usize) -> (Demo, Browser) {
    let count = nodes.to_string();
    let demo = Demo::start_keeping_log(nodes, &["--cluster", &count], "warn");
    let browser = Browser::start().await;
    let url = format!("{}?tab=cluster&refresh=off", demo.panel_url());
    browser.client.goto(&url).await.unwrap();
    browser.sign_in("node-1", "admin", "admin").await;
    browser
        .wait_for_text("#cluster-heading", "Cluster managed by node-1")
        .await;
    (demo, browser)
}

/// Scrolls the table's box to `top` px (`null`: the bottom) and lets it redraw.
async fn scroll_table(browser: &Browser, top: Option<u32>) {
    let top = top.map_or("box.scrollHeight".to_owned(), |px| px.to_string());
    browser
        .run_js(&format!(
            "const box = document.querySelector('.table-scroll'); box.scrollTop = {top};"
        ))
        .await;
}

#[tokio::test]
async fn a_long_table_draws_the_rows_in_view_and_a_row_changed_out_of_view_is_current() {
    // From 200 rows on the table draws only what its box shows (`cluster::window`).
    let (demo, browser) = formed_cluster_signed_in_to_node_1(250).await;
    browser
        .wait_for_text(".row-count", "250 of 250 nodes shown")
        .await;

    // Names sort as text: node-1, node-10, node-100, ... and node-99 last.
    let top = wait_for_table(&browser, "node-1 first", |rows| {
        rows.first().is_some_and(|row| row[0] == "node-1")
    })
    .await;
    assert!((5..=60).contains(&top.len()), "{} rows drawn", top.len());
    assert!(names(&top).contains(&"node-10"), "{:?}", names(&top));
    let rowcount = attribute(&browser, "table.cluster-table", "aria-rowcount").await;
    assert_eq!(rowcount.as_deref(), Some("251"));

    scroll_table(&browser, None).await;
    let bottom = wait_for_table(&browser, "node-99 last", |rows| {
        rows.last().is_some_and(|row| row[0] == "node-99")
    })
    .await;
    assert!(!names(&bottom).contains(&"node-10"), "{:?}", names(&bottom));

    // node-10 was drawn, scrolled away, and changes while out of view.
    let warning = json!([{ "message": "disk almost full", "paths": ["/api/info"] }]);
    demo.control(
        reqwest::Method::PUT,
        "/nodes/node-10/settings",
        json!({ "sync_warnings": warning }),
    )
    .await;
    browser.click(".refresh-now").await;
    let started = Instant::now();
    while browser
        .run_js("return document.querySelector('.refresh-now').disabled")
        .await
        == json!(true)
        && started.elapsed() < PAGE_WAIT
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    scroll_table(&browser, Some(0)).await;
    wait_for_table(&browser, "node-10 with ISSUES", |rows| {
        rows.iter()
            .any(|row| row[0] == "node-10" && row[2] == "ISSUES")
    })
    .await;
    let problems = browser
        .run_js(
            "return [...document.querySelectorAll('tr.node-row')]\
             .find(row => row.querySelector('.name').textContent === 'node-10')\
             .querySelector('.problems').textContent",
        )
        .await;
    assert!(
        problems.to_string().contains("1 sync warning"),
        "node-10's problems: {problems}"
    );
    browser.end().await;
}

#[tokio::test]
async fn a_reload_with_the_session_cookie_still_set_finds_the_cluster_with_auto_refresh_off() {
    // The cookie outlives a reload, the panel's memory of sessions does not: the first
    // refresh after the node list arrives must still find the cluster, with no timer
    // and no sign-in to start another one.
    let (_demo, browser) = formed_cluster_signed_in_to_node_1(20).await;

    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("#cluster-heading", "Cluster managed by node-1")
        .await;
    browser
        .wait_for_text(".row-count", "20 of 20 nodes shown")
        .await;
    let signed_in = browser
        .run_js("return document.querySelector('.node-entry[data-node=node-1] .session-state').textContent")
        .await;
    assert_eq!(
        signed_in,
        json!("not signed in"),
        "the panel forgot the session on reload"
    );
    browser.end().await;
}
