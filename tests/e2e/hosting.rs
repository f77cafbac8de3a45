//! Issue: hosting. The release bundle behind a real nginx, configured by
//! `deploy/generate.py`, under the sub-path `/panel/`, over HTTPS with a self-signed
//! certificate, in front of the simulator's nodes over TLS. The browser accepts that
//! certificate (`--ignore-certificate-errors`, this browser only) so the page runs on
//! HTTPS as in production and HSTS means something.
//!
//! nginx verifies the nodes' certificates: the simulator's self-signed certificate, read
//! from its TLS handshake, plays the appliances' CA (`--ca`), and `localhost`, which the
//! certificate names, is the name checked (nginx matches host names, not IP addresses).

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sps_api::deployment::NodesFile;

use crate::cluster_changes::{prepare_join, promote_node_1};
use crate::harness::{Browser, Demo};

/// Where the generator puts the panel.
const BASE: &str = "/panel/";

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test's configuration, certificate and nginx state.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "hosting-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tmp")).expect("a scratch directory");
    dir
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn nginx_binary() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

/// Runs the generator on a text nodes list; `extra` adds options such as `--ca`.
fn generate(dir: &Path, nodes_list: &str, base: &str, extra: &[&str]) -> std::process::Output {
    let list = dir.join("nodes.txt");
    std::fs::write(&list, nodes_list).expect("writing the nodes list");
    Command::new("python3")
        .arg(repository_root().join("deploy/generate.py"))
        .arg("--nodes")
        .arg(&list)
        .arg("--dist")
        .arg(repository_root().join("dist"))
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--base", base])
        .args(extra)
        .output()
        .expect("python3 runs the generator")
}

/// A self-signed certificate for 127.0.0.1: `cert.pem` and `key.pem` in `dir`.
fn self_signed_certificate(dir: &Path) {
    run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem")));
}

/// The top-level nginx.conf around the generated includes. `extra_server` adds test-only
/// locations (the CSP report collector).
fn write_main_config(dir: &Path, port: u16, extra_server: &str) -> PathBuf {
    let is_root = run(Command::new("id").arg("-u")).stdout.starts_with(b"0\n");
    let d = dir.display();
    let config = format!(
        "{user}worker_processes 1;
pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {d}/out/sps-panel-http.conf;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        include {d}/out/sps-panel-server.conf;
        {extra_server}
    }}
}}
",
        // Workers as root only because the tests run as root here; nginx as another
        // user keeps its own user and needs no directive.
        user = if is_root { "user root;\n" } else { "" },
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, config).expect("writing nginx.conf");
    path
}

fn nginx_test(dir: &Path, config: &Path) -> std::process::Output {
    run(Command::new(nginx_binary())
        .args(["-e", "stderr", "-t", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(config))
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound address").port()
}

/// Collects the bodies of CSP reports (`report-uri`) that nginx forwards to it.
#[derive(Clone, Default)]
struct ReportCollector {
    reports: Arc<Mutex<Vec<String>>>,
}

impl ReportCollector {
    fn start() -> (ReportCollector, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a report port");
        let port = listener.local_addr().expect("bound address").port();
        let collector = ReportCollector::default();
        let reports = collector.reports.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(body) = read_request_body(stream) {
                    reports.lock().expect("report list").push(body);
                }
            }
        });
        (collector, port)
    }

    fn reports(&self) -> Vec<String> {
        self.reports.lock().expect("report list").clone()
    }
}

/// Reads one HTTP/1.1 request with a Content-Length body, answers 204, returns the body.
fn read_request_body(mut stream: TcpStream) -> Option<String> {
    use std::io::Write;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                return Some(String::from_utf8_lossy(&bytes[end + 4..end + 4 + length]).into());
            }
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&chunk[..read]);
    }
}

/// Which CA nginx trusts for the nodes.
#[derive(Clone, Copy, PartialEq)]
enum Upstream {
    /// The simulator's own certificate: every node verifies.
    SimulatorCertificate,
    /// A certificate that signed nothing the nodes present: no node verifies.
    UnrelatedCa,
}

/// The PEM certificate `address` presents in its TLS handshake.
fn presented_certificate(address: &str) -> String {
    let output = run(Command::new("openssl")
        .args(["s_client", "-showcerts", "-connect", address])
        .stdin(Stdio::null()));
    let text = String::from_utf8_lossy(&output.stdout);
    let begin = text.find("-----BEGIN CERTIFICATE-----");
    let end = text.find("-----END CERTIFICATE-----");
    match (begin, end) {
        (Some(begin), Some(end)) => format!("{}-----END CERTIFICATE-----\n", &text[begin..end]),
        _ => panic!("{address} presented no certificate: {text}"),
    }
}

/// nginx with the generated configuration in front of a TLS fleet; stopped when dropped.
struct Hosting {
    nginx: Child,
    dir: PathBuf,
    origin: String,
    sim: Demo,
    csp_reports: ReportCollector,
}

impl Hosting {
    fn start(nodes: usize, upstream: Upstream) -> Hosting {
        let nodes = nodes.to_string();
        let sim = Demo::start_with(&["--nodes", &nodes, "--tls", "--control", "127.0.0.1:0"]);
        let dir = scratch_dir();
        let list: String = sim
            .ready
            .nodes
            .iter()
            .map(|node| {
                let upstream = node.base_url.trim_start_matches("https://");
                format!("{} {upstream} {} localhost\n", node.name, node.address)
            })
            .collect();
        let port = free_port();
        let (csp_reports, report_port) = ReportCollector::start();
        let origin = format!("https://127.0.0.1:{port}");
        let report_uri = format!("{origin}/csp-report");
        self_signed_certificate(&dir);
        let ca = dir.join("nodes-ca.pem");
        let first = sim.ready.nodes[0].base_url.trim_start_matches("https://");
        let trusted = match upstream {
            Upstream::SimulatorCertificate => presented_certificate(first),
            Upstream::UnrelatedCa => std::fs::read_to_string(dir.join("cert.pem")).unwrap(),
        };
        std::fs::write(&ca, trusted).expect("writing the CA file");
        let ca = ca.to_string_lossy().into_owned();
        let options = ["--csp-report-uri", &report_uri, "--ca", &ca];
        let generated = generate(&dir, &list, BASE, &options);
        assert!(generated.status.success(), "generate.py: {generated:?}");
        let collector =
            format!("location = /csp-report {{ proxy_pass http://127.0.0.1:{report_port}; }}");
        let config = write_main_config(&dir, port, &collector);
        nginx_test(&dir, &config);
        let nginx = Command::new(nginx_binary())
            .args(["-e", "stderr", "-g", "daemon off;", "-p"])
            .arg(&dir)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx never listened on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Hosting {
            nginx,
            dir,
            origin,
            sim,
            csp_reports,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

impl Drop for Hosting {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: a killed master would leave its worker listening.
        let _ = Command::new("kill")
            .args(["-TERM", &self.nginx.id().to_string()])
            .status();
        let _ = self.nginx.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP client that trusts the test's self-signed certificate, follows no redirect
/// and does not decompress (so Content-Encoding is visible).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// The headers every response must carry, whatever its status.
fn assert_security_headers(what: &str, headers: &HeaderMap) {
    let csp = header(headers, "content-security-policy");
    for part in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part:?}");
    }
    for forbidden in ["'unsafe-inline'", "'unsafe-eval'", "*"] {
        assert!(
            !csp.contains(forbidden),
            "{what}: CSP {csp:?} has {forbidden}"
        );
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        ),
    ] {
        assert_eq!(header(headers, name), value, "{what}: {name}");
    }
    assert_eq!(
        header(headers, "server"),
        "nginx",
        "{what}: server_tokens off"
    );
}

fn wasm_file_name() -> String {
    std::fs::read_dir(repository_root().join("dist"))
        .expect("dist/")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_bg.wasm"))
        .expect("a .wasm file in dist/")
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_the_right_cache_policy() {
    let hosting = Hosting::start(1, Upstream::SimulatorCertificate);
    let client = http();
    let wasm = format!("{BASE}{}", wasm_file_name());
    let no_cache = "no-cache";
    let immutable = "public, max-age=31536000, immutable";
    // path, status, Cache-Control, Content-Type (prefix); "" = not checked
    let table = [
        ("/", 302, "", ""),
        ("/panel", 301, "", ""),
        ("/panel/", 200, no_cache, "text/html"),
        (
            "/panel/?tab=cluster&node=node-1",
            200,
            no_cache,
            "text/html",
        ),
        ("/panel/index.html", 200, no_cache, "text/html"),
        ("/panel/nodes.json", 200, no_cache, "application/json"),
        (wasm.as_str(), 200, immutable, "application/wasm"),
        ("/panel/missing.wasm", 404, no_cache, ""),
        // A missing hashed asset is not cached for a year.
        (
            "/panel/sps-panel-0123456789abcdef_bg.wasm",
            404,
            no_cache,
            "",
        ),
        ("/panel/sps/node-1/api/authentication", 401, "no-store", ""),
    ];
    for (path, status, cache, content_type) in table {
        let answer = client
            .get(hosting.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path}: {error}"));
        let headers = answer.headers().clone();
        assert_eq!(answer.status().as_u16(), status, "GET {path}");
        assert_security_headers(path, &headers);
        assert_eq!(header(&headers, "cache-control"), cache, "GET {path}");
        assert!(
            header(&headers, "content-type").starts_with(content_type),
            "GET {path}: {headers:?}"
        );
    }

    let answer = client
        .get(hosting.url(&wasm))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(answer.headers(), "content-encoding"), "gzip");
    let redirect = client.get(hosting.url("/")).send().await.unwrap();
    assert!(header(redirect.headers(), "location").ends_with(BASE));

    let nodes: NodesFile = client
        .get(hosting.url("/panel/nodes.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(nodes.nodes.len(), 1);
    assert_eq!(nodes.nodes[0].prefix, "/panel/sps/node-1");
    assert_eq!(
        nodes.nodes[0].cluster_address,
        hosting.sim.ready.nodes[0].address
    );

    let signed_in = client
        .get(hosting.url("/panel/sps/node-1/api/authentication"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_security_headers("sign-in", signed_in.headers());
    assert_eq!(header(signed_in.headers(), "cache-control"), "no-store");
    let cookie = header(signed_in.headers(), "set-cookie").to_owned();
    for part in [
        "session_id=",
        "Path=/panel/sps/node-1/",
        "Secure",
        "HttpOnly",
    ] {
        assert!(cookie.contains(part), "cookie {cookie:?} lacks {part}");
    }
    assert!(
        cookie.to_lowercase().contains("samesite=strict"),
        "{cookie:?}"
    );
}

#[tokio::test]
async fn a_state_changing_request_from_another_site_never_reaches_the_node() {
    let hosting = Hosting::start(1, Upstream::SimulatorCertificate);
    let client = http();
    let path = "/panel/sps/node-1/api/cluster/promote";
    let own = hosting.origin.as_str();
    let evil = "https://evil.example";
    hosting
        .sim
        .control(Method::DELETE, "/nodes/node-1/requests", json!({}))
        .await;
    // method, Origin, Sec-Fetch-Site, X-SPS-Panel: each refused.
    let refused = [
        ("POST", Some(evil), Some("cross-site"), None),
        ("POST", Some(evil), Some("cross-site"), Some("1")),
        ("POST", Some(evil), None, Some("1")),
        ("POST", Some("null"), None, Some("1")),
        ("POST", None, Some("same-site"), Some("1")),
        ("POST", Some(own), Some("same-origin"), None),
        ("PUT", Some(evil), Some("cross-site"), Some("1")),
        ("DELETE", Some(evil), Some("cross-site"), Some("1")),
    ];
    for (method, origin, fetch_site, marker) in refused {
        let mut request = client
            .request(method.parse().unwrap(), hosting.url(path))
            .header("content-type", "application/json")
            .body("{}");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(marker) = marker {
            request = request.header("x-sps-panel", marker);
        }
        let answer = request.send().await.unwrap();
        let case = format!("{method} origin={origin:?} site={fetch_site:?} marker={marker:?}");
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{case}");
        assert_security_headers(&case, answer.headers());
        let body: sps_api::error::ErrorBody = answer.json().await.expect("an SPS error body");
        assert_eq!(body.error.code, "CrossSiteRequestRefused", "{case}");
    }

    let log = hosting.sim.request_log("node-1").await;
    assert!(log.requests.is_empty(), "the node saw {:?}", log.requests);
    let state = hosting.sim.node_state("node-1").await;
    assert_ne!(state.cluster_role, "central-management");

    // The same request from the panel itself does reach the node (which refuses it
    // for lack of a session): the refusal above is the proxy's, not the node's.
    let answer = client
        .post(hosting.url(path))
        .header("origin", own)
        .header("sec-fetch-site", "same-origin")
        .header("x-sps-panel", "1")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let log = hosting.sim.request_log("node-1").await;
    assert_eq!(log.requests.len(), 1, "{:?}", log.requests);
}

#[tokio::test]
async fn a_node_whose_certificate_the_ca_did_not_sign_is_never_sent_a_request() {
    let hosting = Hosting::start(1, Upstream::UnrelatedCa);
    hosting
        .sim
        .control(Method::DELETE, "/nodes/node-1/requests", json!({}))
        .await;

    let answer = http()
        .get(hosting.url("/panel/sps/node-1/api/authentication"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    assert_security_headers("unverified node", answer.headers());
    assert_eq!(header(answer.headers(), "cache-control"), "no-store");
    assert!(header(answer.headers(), "set-cookie").is_empty());
    let body: sps_api::error::ErrorBody = answer.json().await.expect("an SPS error body");
    assert_eq!(body.error.code, "BadGateway");
    let log = hosting.sim.request_log("node-1").await;
    assert!(log.requests.is_empty(), "the node saw {:?}", log.requests);
}

#[tokio::test]
async fn the_generated_configuration_passes_nginx_t_at_the_root_with_a_ca() {
    let dir = scratch_dir();
    self_signed_certificate(&dir);
    let ca = dir.join("cert.pem").to_string_lossy().into_owned();
    let list = "# name address cluster-address [tls-name]\n\
                sps-a 10.0.0.1 10.0.0.1 sps-a.example\n\
                sps-b 10.0.0.2:8443 10.0.0.2\n";
    let generated = generate(&dir, list, "/", &["--ca", &ca]);
    assert!(generated.status.success(), "{generated:?}");
    let config = write_main_config(&dir, free_port(), "");
    nginx_test(&dir, &config);
    let server = std::fs::read_to_string(dir.join("out/sps-panel-server.conf")).unwrap();
    assert!(server.contains("location ^~ /sps/sps-b/"), "{server}");
    assert!(server.contains("proxy_ssl_verify on;"), "{server}");
    assert!(server.contains("proxy_ssl_name sps-a.example;"), "{server}");
    assert!(!server.contains("proxy_ssl_verify off"), "{server}");

    let duplicate = generate(&dir, "a 10.0.0.1 10.0.0.1\na 10.0.0.2 10.0.0.2\n", "/", &[]);
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("listed twice"));
    let _ = std::fs::remove_dir_all(&dir);
}

const RECORD_CSP_VIOLATIONS: &str = r#"
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation',
        event => window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));
"#;

#[tokio::test]
async fn signing_in_the_cluster_view_and_a_join_work_through_nginx_without_csp_violations() {
    let hosting = Hosting::start(2, Upstream::SimulatorCertificate);
    let browser = Browser::start_with(&["--ignore-certificate-errors"]).await;

    // The node list appearing proves the CSP let the bootstrap script and the wasm run.
    browser
        .open_panel_at(&hosting.url("/panel/?tab=cluster"), &hosting.sim)
        .await;
    browser.run_js(RECORD_CSP_VIOLATIONS).await;
    // index.html preloads the node list beside the wasm; the panel's own fetch must take
    // that answer (same mode and credentials) rather than ask again.
    let node_list_fetches = browser
        .run_js(
            "return performance.getEntriesByType('resource')\
             .filter(entry => new URL(entry.name).pathname.endsWith('/nodes.json')).length",
        )
        .await;
    assert_eq!(
        node_list_fetches,
        json!(1),
        "nodes.json fetched more than once"
    );
    browser.sign_in_all(&hosting.sim, "admin", "admin").await;
    browser
        .wait_for_text(".no-cluster", "does not exist yet")
        .await;
    browser
        .wait_for_text("tr.node-row .version", "SPS 7.4.0")
        .await;

    browser.click("#tab-changes").await;
    promote_node_1(&browser).await;
    prepare_join(&browser, &["node-2"]).await;
    browser.click(".join-start").await;
    browser.wait_for_text(".join-summary", "Joined: 1").await;
    let node_2 = hosting.sim.node_state("node-2").await;
    assert_eq!(format!("{:?}", node_2.join_status), "InCluster");

    let cookies = browser.run_js("return document.cookie").await;
    assert!(
        !cookies.to_string().contains("session_id"),
        "the session cookie is visible to scripts: {cookies}"
    );
    let violations = browser.run_js("return window.__cspViolations").await;
    assert_eq!(violations, json!([]), "CSP violations in the page");
    assert_eq!(
        hosting.csp_reports.reports(),
        Vec::<String>::new(),
        "CSP reports since the page loaded"
    );

    // An inline script the page adds is refused and reported: the policy is live and
    // reports arrive. (WebDriver's own scripts bypass CSP, so they cannot test eval.)
    browser
        .run_js(
            "const s = document.createElement('script'); \
             s.textContent = 'window.__inlineRan = true'; document.head.append(s);",
        )
        .await;
    let ran = browser.run_js("return window.__inlineRan === true").await;
    assert_eq!(ran, json!(false), "an inline script without the hash ran");
    let started = Instant::now();
    while hosting.csp_reports.reports().is_empty() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reports = hosting.csp_reports.reports();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].contains("script-src"), "{reports:?}");
    browser.run_js("window.__cspViolations = []").await;
    browser.end().await;
}
