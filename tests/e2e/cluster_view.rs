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
