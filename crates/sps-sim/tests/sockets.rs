//! The simulator over real sockets: faults that need a connection, the control API, the
//! proxy, TLS, a thousand-node fleet and the binary's ready line.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use sps_sim::control::types::{FaultCreated, FleetView, NodeStateView, Ready, RequestLog};
use sps_sim::{Options, Running, READY_PREFIX};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
}

async fn started(options: Options) -> Running {
    let control: SocketAddr = "127.0.0.1:0".parse().unwrap();
    sps_sim::start(Options {
        control: Some(control),
        ..options
    })
    .await
    .unwrap()
}

fn control(running: &Running) -> String {
    running.ready.control.clone().unwrap()
}

fn node_url(running: &Running, index: usize) -> String {
    running.ready.nodes[index].base_url.clone()
}

/// Signs in to `base` as admin and returns the session cookie header value.
async fn login(base: &str) -> String {
    let answer = client()
        .get(format!("{base}/api/authentication"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

async fn add_fault(running: &Running, fault: Value) -> u64 {
    let created: FaultCreated = client()
        .post(format!("{}/faults", control(running)))
        .json(&fault)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created.id
}

/// Sends a raw HTTP/1.1 GET and returns everything read until the server closes.
async fn raw_get(base: &str, path: &str) -> Vec<u8> {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap_or_default();
    received
}

/// Sends raw HTTP/1.1 `request` and returns what the read gave until the server closed:
/// the bytes, or the error (a reset shows as `ConnectionReset`).
async fn raw_exchange(base: &str, request: &str) -> std::io::Result<Vec<u8>> {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    Ok(received)
}

/// A raw `POST /api/transaction` with the session `cookie`.
fn open_transaction_request(base: &str, cookie: &str) -> String {
    let address = base.trim_start_matches("http://");
    format!(
        "POST /api/transaction HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    )
}

async fn node_state(running: &Running, node: &str) -> NodeStateView {
    client()
        .get(format!("{}/nodes/{node}/state", control(running)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn request_log(running: &Running, node: &str) -> RequestLog {
    client()
        .get(format!("{}/nodes/{node}/requests", control(running)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The connection-level faults on a signed-in `POST /api/transaction`: the kind, whether
/// the node must have opened the transaction anyway.
async fn check_connection_fault(kind: &str, carried_out: bool) {
    let running = started(Options::default()).await;
    let base = node_url(&running, 0);
    let cookie = login(&base).await;
    add_fault(
        &running,
        json!({"node": "node-1", "method": "POST", "path": "/api/transaction", "kind": kind}),
    )
    .await;

    let received = raw_exchange(&base, &open_transaction_request(&base, &cookie)).await;
    let state = node_state(&running, "node-1").await;
    let log = request_log(&running, "node-1").await;

    let error = received.expect_err(kind);
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{kind}");
    assert_eq!(
        state.transaction.is_some(),
        carried_out,
        "{kind}: {state:?}"
    );
    let entry = log.requests.last().unwrap();
    assert_eq!(entry.path, "/api/transaction");
    assert_eq!(entry.status, None, "{kind}: no answer was sent");
    assert_eq!(entry.fault.as_deref(), Some(kind));
}

#[tokio::test]
async fn a_refused_fault_resets_the_connection_before_the_node_reads_the_request() {
    check_connection_fault("refused", false).await;
}

#[tokio::test]
async fn a_reset_fault_carries_the_request_out_then_resets_instead_of_answering() {
    check_connection_fault("reset", true).await;
}

#[tokio::test]
async fn a_client_that_gives_up_during_a_latency_fault_takes_its_request_with_it() {
    let running = started(Options::default()).await;
    let base = node_url(&running, 0);
    let cookie = login(&base).await;
    add_fault(
        &running,
        json!({"node": "node-1", "method": "POST", "path": "/api/transaction",
        "kind": {"latency": {"ms": 1500}}}),
    )
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let gave_up = impatient
        .post(format!("{base}/api/transaction"))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await;
    // The node logs the request, unanswered, once it notices the connection is gone.
    let started_at = Instant::now();
    let abandoned = loop {
        let log = request_log(&running, "node-1").await;
        if let Some(entry) = log.requests.into_iter().find(|r| r.method == "POST") {
            break entry;
        }
        assert!(
            started_at.elapsed() < Duration::from_secs(5),
            "never logged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let state = node_state(&running, "node-1").await;

    assert!(gave_up.unwrap_err().is_timeout());
    assert_eq!(abandoned.status, None);
    assert_eq!(abandoned.fault.as_deref(), Some("latency"));
    assert_eq!(state.transaction, None, "the open was never carried out");
}

#[tokio::test]
async fn a_status_fault_can_name_the_holder_of_the_lock() {
    let running = started(Options::default()).await;
    add_fault(
        &running,
        json!({"node": "node-1", "path": "/api/info", "kind": {"status": {
            "status": 409, "code": "ConfigurationLocked", "message": "Locked",
            "locked_by": "webui"}}}),
    )
    .await;

    let answer = client()
        .get(format!("{}/api/info", node_url(&running, 0)))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();

    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "ConfigurationLocked");
    assert_eq!(body["error"]["details"]["locked_by"], "webui");
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_an_answer() {
    let running = started(Options::default()).await;
    add_fault(
        &running,
        json!({"node": "node-1", "path": "/api/info", "kind": "drop"}),
    )
    .await;

    let received = raw_get(&node_url(&running, 0), "/api/info").await;
    let next = client()
        .get(format!("{}/api/info", node_url(&running, 0)))
        .send()
        .await
        .unwrap();

    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(next.status(), 401);
}

#[tokio::test]
async fn a_truncated_fault_announces_more_bytes_than_it_sends() {
    let running = started(Options::default()).await;
    add_fault(
        &running,
        json!({"node": "node-1", "path": "/api/*", "kind": "truncated"}),
    )
    .await;

    let received = String::from_utf8(raw_get(&node_url(&running, 0), "/api/info").await).unwrap();

    let (head, body) = received.split_once("\r\n\r\n").unwrap();
    let announced: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 401"));
    assert!(
        !body.is_empty() && body.len() < announced,
        "{} of {announced}",
        body.len()
    );
}

#[tokio::test]
async fn status_malformed_and_latency_faults_over_a_socket() {
    let running = started(Options::default()).await;
    let base = node_url(&running, 1);
    add_fault(
        &running,
        json!({"node": "node-2", "method": "GET", "path": "/api/info",
        "kind": {"status": {"status": 503, "code": "InternalError", "message": "injected"}}}),
    )
    .await;
    add_fault(
        &running,
        json!({"node": "node-2", "path": "/api/info", "kind": "malformed"}),
    )
    .await;
    add_fault(
        &running,
        json!({"node": "node-2", "path": "/api/info",
        "kind": {"latency": {"ms": 300}}, "times": {"count": 1}}),
    )
    .await;

    let failed = client()
        .get(format!("{base}/api/info"))
        .send()
        .await
        .unwrap();
    let failed_status = failed.status();
    let failed_body: Value = failed.json().await.unwrap();
    let malformed = client()
        .get(format!("{base}/api/info"))
        .send()
        .await
        .unwrap();
    let malformed_status = malformed.status();
    let malformed_body = malformed.text().await.unwrap();
    let started_at = Instant::now();
    let slow = client()
        .get(format!("{base}/api/info"))
        .send()
        .await
        .unwrap();
    let elapsed = started_at.elapsed();

    assert_eq!(failed_status, 503);
    assert_eq!(failed_body["error"]["code"], "InternalError");
    assert_eq!(failed_body["error"]["details"]["path"], "/api/info");
    assert_eq!(malformed_status, 200);
    assert!(serde_json::from_str::<Value>(&malformed_body).is_err());
    assert!(elapsed >= Duration::from_millis(300));
    assert_eq!(slow.status(), 401);
}

#[tokio::test]
async fn the_request_log_records_faults_and_never_a_query() {
    let running = started(Options::default()).await;
    let base = node_url(&running, 0);
    add_fault(
        &running,
        json!({"node": "node-1", "path": "/api/info",
        "kind": {"status": {"status": 500, "code": "InternalError", "message": "x"}}}),
    )
    .await;
    client()
        .get(format!("{base}/api/info?secret=1"))
        .send()
        .await
        .unwrap();
    client()
        .get(format!("{base}/api/cluster"))
        .send()
        .await
        .unwrap();

    let log = request_log(&running, "node-1").await;

    assert_eq!(log.requests.len(), 2);
    assert_eq!(log.requests[0].path, "/api/info");
    assert_eq!(log.requests[0].status, Some(500));
    assert_eq!(log.requests[0].fault.as_deref(), Some("status"));
    assert_eq!(log.requests[1].status, Some(401));
    assert!(log.requests[0].seq < log.requests[1].seq);
}

#[tokio::test]
async fn fault_listing_and_removal() {
    let running = started(Options::default()).await;
    let id = add_fault(
        &running,
        json!({"node": "node-1", "path": "/api/*", "kind": "drop",
        "times": "always"}),
    )
    .await;
    let url = control(&running);

    let listed: Value = client()
        .get(format!("{url}/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let removed = client()
        .delete(format!("{url}/faults/{id}"))
        .send()
        .await
        .unwrap();
    let unknown_node = client()
        .post(format!("{url}/faults"))
        .json(&json!({"node": "node-9", "path": "/api", "kind": "drop"}))
        .send()
        .await
        .unwrap();

    assert_eq!(listed["faults"][0]["id"], id);
    assert_eq!(listed["faults"][0]["remaining"], Value::Null);
    assert_eq!(removed.status(), 204);
    assert_eq!(unknown_node.status(), 404);
}

#[tokio::test]
async fn an_offline_node_refuses_connections_until_it_is_back_on_the_same_port() {
    let running = started(Options::default()).await;
    let base = node_url(&running, 2);
    let url = control(&running);

    client()
        .post(format!("{url}/nodes/node-3/offline"))
        .send()
        .await
        .unwrap();
    let refused = client().get(format!("{base}/api/info")).send().await;
    let fleet: FleetView = client()
        .get(format!("{url}/fleet"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    client()
        .post(format!("{url}/nodes/node-3/online"))
        .send()
        .await
        .unwrap();
    let mut back = None;
    for _ in 0..50 {
        if let Ok(answer) = client().get(format!("{base}/api/info")).send().await {
            back = Some(answer.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert!(refused.is_err());
    assert!(!fleet.nodes[2].online);
    assert_eq!(fleet.users.len(), 2);
    assert_eq!(back, Some(reqwest::StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn control_lock_version_state_clock_and_reset() {
    let running = started(Options::default()).await;
    let url = control(&running);
    let base = node_url(&running, 0);
    let cookie = login(&base).await;
    let http = client();

    http.post(format!("{url}/nodes/node-1/lock"))
        .json(&json!({"user": "webui"}))
        .send()
        .await
        .unwrap();
    let locked: Value = http
        .post(format!("{base}/api/transaction"))
        .header("cookie", &cookie)
        .header("content-length", "0")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let state: NodeStateView = http
        .get(format!("{url}/nodes/node-1/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.delete(format!("{url}/nodes/node-1/lock"))
        .send()
        .await
        .unwrap();
    http.put(format!("{url}/nodes/node-1/version"))
        .json(&json!({"version": "7.3.0"}))
        .send()
        .await
        .unwrap();
    let info: Value = http
        .get(format!("{base}/api/info"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clock: Value = http
        .put(format!("{url}/clock"))
        .json(&json!({"speed": 50.0, "advance_seconds": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(format!("{url}/nodes/node-1/expire_sessions"))
        .send()
        .await
        .unwrap();
    let expired = http
        .get(format!("{base}/api/info"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    http.post(format!("{url}/reset")).send().await.unwrap();
    let after: NodeStateView = http
        .get(format!("{url}/nodes/node-1/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(locked["error"]["code"], "ConfigurationLocked");
    assert_eq!(locked["error"]["details"]["locked_by"], "webui");
    assert_eq!(state.transaction.unwrap().user, "webui");
    assert_eq!(state.cluster_role, "standalone");
    assert_eq!(info["body"]["version"], "7.3.0");
    assert_eq!(clock["speed"], 50.0);
    assert_eq!(expired.status(), 401);
    assert_eq!(after.version, "7.4.0");
    assert!(after.transaction.is_none());
}

#[tokio::test]
async fn the_proxy_serves_files_and_nodes_json_and_rewrites_cookie_paths() {
    let dist = std::env::temp_dir().join(format!("sps-sim-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html>panel</html>").unwrap();
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let running = started(Options {
        listen: Some(listen),
        dist: Some(dist),
        request_time_limit_ms: Some(3_000),
        ..Options::default()
    })
    .await;
    let panel = running.ready.panel.clone().unwrap();
    let http = client();

    let index = http
        .get(format!("{panel}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let route = http
        .get(format!("{panel}/nodes/node-1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let missing = http
        .get(format!("{panel}/pkg/missing.js"))
        .send()
        .await
        .unwrap()
        .status();
    let nodes: sps_api::deployment::NodesFile = http
        .get(format!("{panel}/nodes.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let login = http
        .get(format!("{panel}/sps/node-2/api/authentication"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session = cookie.split(';').next().unwrap().to_owned();
    let through: Value = http
        .get(format!("{panel}/sps/node-2/api/info"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let not_found = http
        .get(format!("{panel}/sps/node-2/api/nowhere"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let posted = http
        .post(format!("{panel}/sps/node-2/api/transaction"))
        .header("cookie", &session)
        .header("content-length", "0")
        .send()
        .await
        .unwrap()
        .status();
    http.post(format!("{}/nodes/node-2/offline", control(&running)))
        .send()
        .await
        .unwrap();
    let gateway = http
        .get(format!("{panel}/sps/node-2/api/info"))
        .send()
        .await
        .unwrap();
    let gateway_status = gateway.status();
    let gateway_body: Value = gateway.json().await.unwrap();

    assert_eq!(index, "<html>panel</html>");
    assert_eq!(route, "<html>panel</html>");
    assert_eq!(missing, 404);
    assert_eq!(nodes.nodes[1].prefix, "/sps/node-2");
    assert_eq!(nodes.nodes[1].cluster_address, "127.0.0.12");
    assert_eq!(nodes.request_time_limit_ms, Some(3_000));
    assert!(cookie.contains("Path=/sps/node-2/;"), "{cookie}");
    assert_eq!(through["body"]["version"], "7.4.0");
    assert_eq!(not_found.headers()["content-language"], "en");
    assert_eq!(posted, 200);
    assert_eq!(gateway_status, 502);
    assert_eq!(gateway_body["error"]["details"]["path"], "/api/info");
}

#[tokio::test]
async fn a_refused_or_reset_node_connection_is_the_proxys_bad_gateway() {
    let dist = std::env::temp_dir().join(format!("sps-sim-dist-502-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    let running = started(Options {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        dist: Some(dist),
        ..Options::default()
    })
    .await;
    let panel = running.ready.panel.clone().unwrap();

    let mut answers = Vec::new();
    for kind in ["refused", "reset"] {
        add_fault(
            &running,
            json!({"node": "node-1", "path": "/api/info", "kind": kind}),
        )
        .await;
        let answer = client()
            .get(format!("{panel}/sps/node-1/api/info"))
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let body: Value = answer.json().await.unwrap();
        answers.push((kind, status, body["error"]["code"].clone()));
    }

    for (kind, status, code) in answers {
        assert_eq!(status, 502, "{kind}");
        assert_eq!(code, "BadGateway", "{kind}");
    }
}

#[tokio::test]
async fn the_admin_password_can_be_set_and_then_only_it_signs_in() {
    let running = started(Options {
        admin_password: "Canary-Pass-7f3a".to_owned(),
        ..Options::default()
    })
    .await;
    let base = node_url(&running, 0);
    let sign_in = |password: &'static str| {
        client()
            .get(format!("{base}/api/authentication"))
            .basic_auth("admin", Some(password))
            .send()
    };

    let default = sign_in("admin").await.unwrap().status();
    let set = sign_in("Canary-Pass-7f3a").await.unwrap().status();
    let fleet: FleetView = client()
        .get(format!("{}/fleet", control(&running)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(default, 401);
    assert_eq!(set, 200);
    assert_eq!(fleet.users[0].password, "Canary-Pass-7f3a");
    assert_eq!(fleet.users[1].password, "auditor");
}

#[tokio::test]
async fn a_time_limit_outside_its_range_or_without_the_proxy_is_refused() {
    let listen = Some("127.0.0.1:0".parse().unwrap());
    let cases = [
        (Some(999), listen, "outside"),
        (Some(600_001), listen, "outside"),
        (Some(3_000), None, "needs --listen"),
    ];

    for (request_time_limit_ms, listen, expected) in cases {
        let options = Options {
            request_time_limit_ms,
            listen,
            ..Options::default()
        };
        let Err(error) = sps_sim::start(options).await else {
            panic!("{request_time_limit_ms:?} was accepted");
        };
        assert!(error.contains(expected), "{error}");
    }
}

#[tokio::test]
async fn tls_nodes_speak_https_and_mark_the_cookie_secure() {
    let running = started(Options {
        tls: true,
        ..Options::default()
    })
    .await;
    let base = node_url(&running, 0);

    let answer = client()
        .get(format!("{base}/api/authentication"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();

    assert!(base.starts_with("https://127.0.0.11:"));
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .ends_with("; Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_nodes_start_within_seconds() {
    let started_at = Instant::now();

    let running = started(Options {
        nodes: 1000,
        base_ip: "127.1.0.11".parse().unwrap(),
        ..Options::default()
    })
    .await;
    let elapsed = started_at.elapsed();
    let last = &running.ready.nodes[999];
    let answer = client()
        .get(format!("{}/api/info", last.base_url))
        .send()
        .await
        .unwrap();

    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(last.name, "node-1000");
    assert_eq!(last.address, "127.1.3.242");
    assert_eq!(answer.status(), 401);
}

#[test]
fn the_binary_prints_exactly_one_ready_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sps-sim"))
        .args([
            "--nodes",
            "2",
            "--base-ip",
            "127.2.0.1",
            "--control",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    let json = line.trim_end().strip_prefix(READY_PREFIX).unwrap();
    let ready: Ready = serde_json::from_str(json).unwrap();
    assert!(ready.control.unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(ready.panel, None);
    assert_eq!(ready.nodes[1].name, "node-2");
    assert_eq!(ready.nodes[1].address, "127.2.0.2");
    assert!(ready.nodes[1].base_url.starts_with("http://127.2.0.2:"));
}
