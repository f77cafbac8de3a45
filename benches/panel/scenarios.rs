//! The scenarios the benchmark runs and the figures each yields.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Browser, Demo};
use crate::page::Page;
use crate::size;
use crate::stats::{self, median, Budget, Figure};

/// Runs per timing; each printed timing is their median. `BENCH_RUNS` may ask for more
/// (or, while working on the benchmark itself, fewer: the report then says so).
const DEFAULT_RUNS: usize = 15;

static RUNS_WANTED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn runs() -> usize {
    *RUNS_WANTED.get_or_init(|| {
        std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_RUNS)
    })
}

/// Whether the scenario `name` runs: all of them, unless `BENCH_ONLY` names some
/// (`size,table,large,polling,join`).
fn selected(name: &str) -> bool {
    match std::env::var("BENCH_ONLY") {
        Ok(only) => only.split(',').any(|wanted| wanted.trim() == name),
        Err(_) => true,
    }
}

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"))
}

/// The bundle with the baseline page beside it under `baseline/`, so both are served
/// by the same proxy from the same origin.
fn site_with_baseline() -> PathBuf {
    let dist = repository_root().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "dist/index.html is missing: build the bundle with `trunk build --release`"
    );
    let site = target_dir().join("bench-site");
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&dist, &site);
    copy_dir(
        &repository_root().join("benches/baseline"),
        &site.join("baseline"),
    );
    site
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating the site directory");
    for entry in std::fs::read_dir(from)
        .expect("reading a directory")
        .flatten()
    {
        let path = entry.path();
        let target = to.join(entry.file_name());
        match path.is_dir() {
            true => copy_dir(&path, &target),
            false => {
                std::fs::copy(&path, &target).expect("copying a file");
            }
        }
    }
}

/// The simulator in demo mode, built with the bench profile, with `extra` options.
fn fleet(site: &Path, nodes: usize, extra: &[&str]) -> Demo {
    let binary = target_dir().join("release").join("sps-sim");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build --profile bench -p sps-sim`",
        binary.display()
    );
    Demo::start_fleet(&binary, nodes, site, extra, None)
}

/// Signs the browser in to `nodes` with the demo's admin, from inside the page (the
/// session cookies are what the measured pages then use).
async fn sign_in(page: &Page<'_>, demo: &Demo, nodes: &[String]) {
    page.client
        .goto(&format!("{}baseline/baseline.css", demo.panel_url()))
        .await
        .expect("navigation");
    let names = serde_json::to_string(nodes).unwrap_or_default();
    let script = format!(
        r#"const statuses = await Promise.all({names}.map(name =>
            fetch(`/sps/${{name}}/api/authentication`, {{
                headers: {{ Authorization: 'Basic ' + btoa('admin:admin') }},
                credentials: 'include' }}).then(r => r.status)));
        return statuses.every(s => s === 200);"#
    );
    assert_eq!(page.js(&script).await, json!(true), "signing in");
}

/// Sends `requests` control-API requests, sixteen at a time.
async fn control_all(demo: &Demo, requests: Vec<(Method, String, serde_json::Value)>) {
    stream::iter(requests)
        .for_each_concurrent(16, |(method, path, body)| async move {
            demo.control(method, &path, body).await
        })
        .await;
}

/// Node ids of `names`, from the simulator's state.
async fn node_ids(demo: &Demo, names: &[String]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        let state = demo.node_state(name).await;
        ids.push(
            state
                .node_id
                .unwrap_or_else(|| panic!("{name} has no node id")),
        );
    }
    ids
}

/// Gives `names` a sync warning (status ISSUES) or takes it away (status OK).
async fn set_warnings(demo: &Demo, names: &[String], warn: bool) {
    let warnings = match warn {
        true => json!([{ "message": "benchmark warning", "paths": ["/api/info"] }]),
        false => json!([]),
    };
    let requests = names
        .iter()
        .map(|name| {
            let path = format!("/nodes/{name}/settings");
            (Method::PUT, path, json!({ "sync_warnings": warnings }))
        })
        .collect();
    control_all(demo, requests).await;
}

fn node_names(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("node-{i}")).collect()
}

/// Cold load and a 10 % update of a formed cluster of `nodes`, panel against baseline.
async fn table_figures(site: &Path, nodes: usize) -> Vec<Figure> {
    let demo = fleet(site, nodes, &["--cluster", &nodes.to_string()]);
    let browser = Browser::start().await;
    let page = Page::prepare(&browser.client).await;
    sign_in(&page, &demo, &node_names(1..=1)).await;
    // The simulator's members report from the start; give the first report a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let panel_url = format!("{}?tab=cluster&refresh=off", demo.panel_url());
    let baseline_url = format!("{}baseline/index.html", demo.panel_url());

    let mut panel_loads = Vec::new();
    let mut baseline_loads = Vec::new();
    for _ in 0..runs() {
        panel_loads.push(page.load_table(&panel_url, nodes).await);
        baseline_loads.push(page.load_table(&baseline_url, nodes).await);
    }
    // The last load was the baseline's.
    let baseline_rows = page.rows_in_dom().await;
    page.load_table(&panel_url, nodes).await;
    let panel_rows = page.rows_in_dom().await;

    // Every tenth node changes status, spread over the whole table.
    let changed: Vec<String> = node_names(2..=nodes)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 10 == 4)
        .map(|(_, name)| name)
        .collect();
    let changed_ids = node_ids(&demo, &changed).await;
    let mut updates = [Vec::new(), Vec::new()];
    let mut applies = [Vec::new(), Vec::new()];
    let mut longest = [Vec::new(), Vec::new()];
    for (which, url) in [panel_url.as_str(), baseline_url.as_str()]
        .into_iter()
        .enumerate()
    {
        page.load_table(url, nodes).await;
        for run in 0..runs() {
            let warn = run % 2 == 0;
            set_warnings(&demo, &changed, warn).await;
            let wanted = if warn { "issues" } else { "ok" };
            let (update, apply, task) = page.refresh_until(&changed_ids, wanted).await;
            updates[which].push(update);
            applies[which].push(apply);
            longest[which].push(task);
        }
        set_warnings(&demo, &changed, false).await;
    }
    browser.end().await;

    let scale = if nodes >= 10_000 { "10,000" } else { "1,000" };
    let ms = |name: String, panel: &[f64], baseline: &[f64], budget| Figure {
        name,
        unit: "ms",
        value: median(panel),
        baseline: Some(median(baseline)),
        budget,
        runs: runs(),
    };
    let large = nodes >= 10_000;
    vec![
        ms(
            format!("{scale} nodes: navigation to rendered table"),
            &panel_loads,
            &baseline_loads,
            if large {
                Budget::None
            } else {
                Budget::RatioAtMost(1.3)
            },
        ),
        Figure {
            name: format!("{scale} nodes: table rows in the DOM"),
            unit: "rows",
            value: panel_rows,
            baseline: Some(baseline_rows),
            budget: Budget::AtMost(100.0),
            runs: 1,
        },
        ms(
            format!("{scale} nodes, 10% change: click to DOM updated"),
            &updates[0],
            &updates[1],
            if large {
                Budget::None
            } else {
                Budget::RatioAtMost(1.2)
            },
        ),
        ms(
            format!("{scale} nodes, 10% change: answers parsed to DOM updated"),
            &applies[0],
            &applies[1],
            if large {
                Budget::AtMost(50.0)
            } else {
                Budget::None
            },
        ),
        ms(
            format!("{scale} nodes, 10% change: longest task over 50 ms (0: none)"),
            &longest[0],
            &longest[1],
            if large {
                Budget::None
            } else {
                Budget::AtMost(50.0)
            },
        ),
    ]
}

/// Fifty nodes (46 in the cluster, 4 outside) answering after 2 s: the most requests
/// the panel has in flight through a refresh, and the requests it starts while hidden.
async fn polling_figures(site: &Path) -> Vec<Figure> {
    const NODES: usize = 50;
    const LATENCY_MS: u64 = 2_000;
    const HIDDEN: Duration = Duration::from_secs(6);
    let demo = fleet(site, NODES, &["--cluster", "46"]);
    let browser = Browser::start().await;
    let page = Page::prepare(&browser.client).await;
    let everyone = node_names(1..=NODES);
    sign_in(&page, &demo, &everyone).await;
    let slow = everyone
        .iter()
        .map(|node| {
            let fault = json!({
                "node": node, "path": "/api/*", "times": "always",
                "kind": { "latency": { "ms": LATENCY_MS } },
            });
            (Method::POST, "/faults".to_owned(), fault)
        })
        .collect();
    control_all(&demo, slow).await;
    // Auto-refresh every 5 s: a hidden tab would otherwise refresh at least once.
    let url = format!("{}?tab=cluster&refresh=5", demo.panel_url());

    let mut in_flight = Vec::new();
    let mut while_hidden = Vec::new();
    for _ in 0..runs() {
        page.load_table(&url, NODES).await;
        in_flight.push(
            page.js("return window.__bench.maxInFlight()")
                .await
                .as_f64()
                .unwrap_or(f64::NAN),
        );
        let panel_tab = browser.client.window().await.expect("the panel's tab");
        let other = browser.client.new_window(true).await.expect("a second tab");
        browser
            .client
            .switch_to_window(other.handle.clone())
            .await
            .expect("switching tabs");
        tokio::time::sleep(HIDDEN).await;
        browser
            .client
            .close_window()
            .await
            .expect("closing the second tab");
        browser
            .client
            .switch_to_window(panel_tab)
            .await
            .expect("switching back");
        let counted = page
            .js("const b = window.__bench;
                 if (!b.hidden.length || !b.shown.length) return null;
                 return b.requestsStartedBetween(b.hidden[b.hidden.length - 1],
                                                 b.shown[b.shown.length - 1]);")
            .await;
        let counted = counted
            .as_f64()
            .unwrap_or_else(|| panic!("the panel's tab was never hidden: {counted}"));
        while_hidden.push(counted);
    }
    browser.end().await;

    let most = |samples: &[f64]| samples.iter().copied().fold(0.0, f64::max);
    vec![
        Figure {
            name: "polling 50 nodes at 2 s latency: most requests in flight".to_owned(),
            unit: "req",
            value: most(&in_flight),
            baseline: None,
            budget: Budget::AtMost(6.0),
            runs: runs(),
        },
        Figure {
            name: format!("polling: requests started in {} s hidden", HIDDEN.as_secs()),
            unit: "req",
            value: most(&while_hidden),
            baseline: None,
            budget: Budget::AtMost(0.0),
            runs: runs(),
        },
    ]
}

/// The requests one join sends, as the flow is designed: on the node, open, join
/// request, commit, and one status read (the simulator's join delay is zero here); on
/// the Central Management node, open, register, commit.
const NODE_REQUESTS: usize = 4;
const CENTRAL_REQUESTS: usize = 3;
/// The flow waits this long before each status read.
const POLL_WAIT_MS: f64 = 1_000.0;
/// Joins run at once (the wizard's `JOINS_AT_ONCE`).
const JOINS_AT_ONCE: usize = 4;

/// The shortest wall time the join design allows for `nodes` joins with `latency_ms`
/// per request: `JOINS_AT_ONCE` flows at a time, each sending its two node-side
/// requests, then its three on the Central Management node while holding that node's
/// transaction (one flow at a time), then its commit, the poll wait and the status read.
fn critical_path_ms(nodes: usize, latency_ms: f64) -> f64 {
    let mut workers = [0.0_f64; JOINS_AT_ONCE];
    let mut central_free = 0.0_f64;
    let mut end = 0.0_f64;
    for _ in 0..nodes {
        let (worker, start) = workers
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let at_central = start + 2.0 * latency_ms;
        let central_done = at_central.max(central_free) + CENTRAL_REQUESTS as f64 * latency_ms;
        central_free = central_done;
        let finish = central_done + latency_ms + POLL_WAIT_MS + latency_ms;
        workers[worker] = finish;
        end = end.max(finish);
    }
    end
}

/// Twenty nodes joined in one run of the wizard with 50 ms added to every request: wall
/// time against the design's critical path, and requests per node against its count.
async fn join_figures(site: &Path) -> Vec<Figure> {
    const JOINING: usize = 20;
    const LATENCY_MS: f64 = 50.0;
    let demo = fleet(site, JOINING + 1, &["--join-delay-ms", "0"]);
    let browser = Browser::start().await;
    let page = Page::prepare(&browser.client).await;
    let joining = node_names(2..=JOINING + 1);

    let mut walls = Vec::new();
    let mut per_node = Vec::new();
    let mut repeated = Vec::new();
    for _ in 0..runs() {
        demo.control(Method::POST, "/reset", json!({})).await;
        browser.open_panel(&demo, "?tab=changes").await;
        browser.sign_in_all(&demo, "admin", "admin").await;
        browser.promote("node-1").await;
        let names: Vec<&str> = joining.iter().map(String::as_str).collect();
        browser.prepare_join("node-1", &names).await;
        let mut setup = Vec::new();
        for node in node_names(1..=JOINING + 1) {
            let fault = json!({
                "node": node, "path": "/api/*", "times": "always",
                "kind": { "latency": { "ms": LATENCY_MS as u64 } },
            });
            setup.push((Method::POST, "/faults".to_owned(), fault));
            setup.push((Method::DELETE, format!("/nodes/{node}/requests"), json!({})));
        }
        control_all(&demo, setup).await;

        let started = page
            .js(&format!(
                "const bench = window.__bench;
                 bench.t0 = performance.now();
                 bench.watch('joined', () => (document.querySelector('.join-summary')
                     ?.textContent || '').includes('Joined: {JOINING}'));
                 document.querySelector('.join-start').click();
                 return bench.t0;"
            ))
            .await
            .as_f64()
            .unwrap_or(f64::NAN);
        walls.push(page.wait_for_mark("joined").await - started);

        let mut sent = demo.request_log("node-1").await.requests;
        for node in &joining {
            sent.extend(demo.request_log(node).await.requests);
        }
        per_node.push(sent.len() as f64 / JOINING as f64);
        repeated.push(repeated_changes(&demo, &joining).await as f64);
    }
    browser.end().await;

    let critical = critical_path_ms(JOINING, LATENCY_MS);
    vec![
        Figure {
            name: format!("join {JOINING} nodes at 50 ms latency: wall time vs critical path"),
            unit: "ms",
            value: median(&walls),
            baseline: Some(critical),
            budget: Budget::RatioAtMost(1.3),
            runs: runs(),
        },
        Figure {
            name: "join: requests per node vs designed count".to_owned(),
            unit: "req",
            value: median(&per_node),
            baseline: Some((NODE_REQUESTS + CENTRAL_REQUESTS) as f64),
            budget: Budget::RatioAtMost(1.0),
            runs: runs(),
        },
        Figure {
            name: "join: changing requests sent more than once".to_owned(),
            unit: "req",
            value: repeated.iter().copied().fold(0.0, f64::max),
            baseline: None,
            budget: Budget::AtMost(0.0),
            runs: runs(),
        },
    ]
}

/// Changing requests beyond one per step: each joining node must see one open, one
/// join request and one commit; the Central Management node one open, one registration
/// and one commit per joining node.
async fn repeated_changes(demo: &Demo, joining: &[String]) -> usize {
    let count = |log: &sps_sim::control::types::RequestLog, method: &str, path: &str| {
        log.requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    };
    let changing = [
        ("POST", "/api/transaction"),
        ("POST", "/api/cluster/join_request"),
        ("PUT", "/api/transaction"),
    ];
    let mut extra = 0;
    for node in joining {
        let log = demo.request_log(node).await;
        for (method, path) in changing {
            extra += count(&log, method, path).saturating_sub(1);
        }
    }
    let central = demo.request_log("node-1").await;
    for (method, path) in [
        ("POST", "/api/transaction"),
        ("POST", "/api/cluster/nodes"),
        ("PUT", "/api/transaction"),
    ] {
        extra += count(&central, method, path).saturating_sub(joining.len());
    }
    extra
}

fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let chromium = std::process::Command::new("/usr/bin/chromium")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores; {chromium}")
}

/// Every scenario in turn, then the report; exits with 1 when a figure is over budget.
pub async fn run() {
    let site = site_with_baseline();
    let mut figures: Vec<Figure> = Vec::new();
    // Each scenario's figures are shown as soon as they are measured, so a run cut short
    // keeps what it found; the full report follows at the end.
    let mut add = |name: &str, found: Vec<Figure>| {
        eprint!("bench: {name} done\n{}", stats::report(&found));
        figures.extend(found);
    };
    if selected("size") {
        add(
            "size",
            size::figures(&repository_root().join("dist"), &site.join("baseline")),
        );
    }
    if selected("table") {
        eprintln!("bench: 1,000-node table");
        add("1,000-node table", table_figures(&site, 1_000).await);
    }
    if selected("large") {
        eprintln!("bench: 10,000-node table");
        add("10,000-node table", table_figures(&site, 10_000).await);
    }
    if selected("polling") {
        eprintln!("bench: polling");
        add("polling", polling_figures(&site).await);
    }
    if selected("join") {
        eprintln!("bench: joining 20 nodes");
        add("joining", join_figures(&site).await);
    }

    let date = std::process::Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    println!("\nSPS cluster panel benchmark, {date}; {}", machine());
    println!(
        "Timings are medians of {} runs; ratios are panel / baseline.\n",
        runs()
    );
    print!("{}", stats::report(&figures));
    let over: Vec<&Figure> = figures.iter().filter(|f| !f.passes()).collect();
    match over.len() {
        0 => println!("\nbench: every figure within budget"),
        n => {
            println!("\nbench: {n} figure(s) over budget");
            std::process::exit(1);
        }
    }
}
