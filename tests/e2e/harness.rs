//! Starting the demo setup and a browser for one test, and waiting on the page.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use sps_sim::control::types::{FaultList, NodeStateView, Ready, RequestLog};

/// How long a test waits for the page to show something before it fails.
pub const PAGE_WAIT: Duration = Duration::from_secs(20);

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn simulator_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"));
    target.join("debug").join("sps-sim")
}

/// The simulator in demo mode; killed when dropped.
pub struct Demo {
    process: Child,
    pub ready: Ready,
    /// Its stderr, when kept rather than shown (see [`Demo::start_keeping_log`]).
    log: Arc<Mutex<String>>,
}

impl Demo {
    pub fn start(nodes: usize) -> Demo {
        Demo::start_demo(nodes, &[], None)
    }

    /// The demo setup with `extra` options, its log (`RUST_LOG=log_filter`) kept for
    /// [`Demo::log`] instead of shown: for tests that search the log, or whose own
    /// output would drown in it.
    pub fn start_keeping_log(nodes: usize, extra: &[&str], log_filter: &str) -> Demo {
        Demo::start_demo(nodes, extra, Some(log_filter))
    }

    fn start_demo(nodes: usize, extra: &[&str], log_filter: Option<&str>) -> Demo {
        let dist = repository_root().join("dist");
        assert!(
            dist.join("index.html").exists(),
            "dist/index.html is missing: build the bundle with `trunk build --release`"
        );
        Demo::start_fleet(&simulator_binary(), nodes, &dist, extra, log_filter)
    }

    /// `binary` (the test build of the simulator, or another profile's) running `nodes`
    /// nodes and serving `site` from one origin, with `extra` options.
    pub fn start_fleet(
        binary: &std::path::Path,
        nodes: usize,
        site: &std::path::Path,
        extra: &[&str],
        log_filter: Option<&str>,
    ) -> Demo {
        let nodes = nodes.to_string();
        let site = site.to_string_lossy().into_owned();
        let mut args = vec![
            "--nodes",
            &nodes,
            "--listen",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
            "--dist",
            &site,
        ];
        args.extend_from_slice(extra);
        Demo::spawn(binary, &args, log_filter)
    }

    /// The simulator with exactly `args` (for a fleet behind another proxy).
    pub fn start_with(args: &[&str]) -> Demo {
        Demo::spawn(&simulator_binary(), args, None)
    }

    fn spawn(binary: &std::path::Path, args: &[&str], log_filter: Option<&str>) -> Demo {
        let mut command = Command::new(binary);
        command.args(args).stdout(Stdio::piped());
        match log_filter {
            Some(filter) => command
                .env("RUST_LOG", filter)
                .env("NO_COLOR", "1")
                .stderr(Stdio::piped()),
            None => command.stderr(Stdio::inherit()),
        };
        let mut process = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(stderr) = process.stderr.take() {
            let log = log.clone();
            // Read to the end on a thread of its own, so the simulator never blocks on a
            // full pipe however much it logs.
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let stdout = process.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the simulator's ready line");
        let json = line
            .strip_prefix("SPS-SIM READY ")
            .unwrap_or_else(|| panic!("unexpected first line from sps-sim: {line:?}"));
        let ready = serde_json::from_str(json.trim()).expect("ready line JSON");
        Demo {
            process,
            ready,
            log,
        }
    }

    /// What the simulator logged so far, when started with [`Demo::start_keeping_log`].
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn panel_url(&self) -> String {
        let panel = self
            .ready
            .panel
            .clone()
            .expect("demo mode serves the panel");
        format!("{panel}/")
    }

    pub fn control_url(&self, path: &str) -> String {
        let control = self.ready.control.clone().expect("the control API is on");
        format!("{control}{path}")
    }

    /// The simulator's ordered log of the requests `node` received.
    pub async fn request_log(&self, node: &str) -> RequestLog {
        let url = self.control_url(&format!("/nodes/{node}/requests"));
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// Sends a control-API request; panics with the simulator's answer if it fails.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: serde_json::Value) {
        let response = reqwest::Client::new()
            .request(method, self.control_url(path))
            .json(&body)
            .send()
            .await
            .expect("the control API answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "control {path} answered {status}: {text}"
        );
    }

    /// What `node` has committed, and whether a transaction is open on it.
    pub async fn node_state(&self, node: &str) -> NodeStateView {
        let url = self.control_url(&format!("/nodes/{node}/state"));
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// The faults not used up yet.
    pub async fn faults(&self) -> FaultList {
        reqwest::get(self.control_url("/faults"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A headless Chromium behind its own chromedriver; both end when dropped.
pub struct Browser {
    driver: Child,
    pub client: Client,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// A browser with extra Chromium switches (the hosting tests accept their own
    /// self-signed certificate with `--ignore-certificate-errors`).
    pub async fn start_with(extra_args: &[&str]) -> Browser {
        // Already installed by an earlier test in this process is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {chromedriver}: {error}"));
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::rustls()
                .expect("rustls WebDriver client")
                .capabilities(chromium_capabilities(extra_args))
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() < Duration::from_secs(15) => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("chromedriver did not accept a session: {error}"),
            }
        };
        client
            .set_window_size(1280, 800)
            .await
            .expect("window size");
        Browser { driver, client }
    }

    /// Waits until an element matching `css` exists, and returns it.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PAGE_WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no element {css:?} appeared: {error}"))
    }

    /// Waits until the element matching `css` contains `text`, and returns its text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < PAGE_WAIT {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if last.contains(text) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css:?} never contained {text:?}; last text: {last:?}");
    }

    /// Waits until the element matching `css` contains one of `texts`, and returns its
    /// text.
    pub async fn wait_for_any_text(&self, css: &str, texts: &[&str]) -> String {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < PAGE_WAIT {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if texts.iter().any(|text| last.contains(text)) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css:?} never contained any of {texts:?}; last text: {last:?}");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("typing");
    }

    /// Opens the panel and waits until the sidebar lists the demo's nodes.
    pub async fn open_panel(&self, demo: &Demo, query: &str) {
        self.open_panel_at(&format!("{}{query}", demo.panel_url()), demo)
            .await;
    }

    /// Opens the panel at `url` and waits until the sidebar lists the demo's nodes.
    pub async fn open_panel_at(&self, url: &str, demo: &Demo) {
        self.client
            .goto(url)
            .await
            .expect("navigating to the panel");
        let last = demo.ready.nodes.last().expect("the demo has nodes");
        self.wait_for_text(".node-list", &last.name).await;
        self.run_js(RECORD_CONSOLE_ERRORS).await;
    }

    /// Signs in to `node` through its sidebar entry.
    pub async fn sign_in(&self, node: &str, user: &str, password: &str) {
        self.sign_in_form(node, user, password, false).await;
        self.wait_for_text(
            &format!(".node-entry[data-node={node}] .session-state"),
            "left",
        )
        .await;
    }

    /// Signs in to every node at once with the same credentials, through the first
    /// node's sidebar entry and its "every node" option.
    pub async fn sign_in_all(&self, demo: &Demo, user: &str, password: &str) {
        let first = &demo.ready.nodes[0].name;
        self.sign_in_form(first, user, password, true).await;
        for node in &demo.ready.nodes {
            let state = format!(".node-entry[data-node={}] .session-state", node.name);
            self.wait_for_text(&state, "left").await;
        }
    }

    async fn sign_in_form(&self, node: &str, user: &str, password: &str, every_node: bool) {
        let entry = format!(".node-entry[data-node={node}]");
        self.click(&format!("{entry} .sign-in-toggle")).await;
        self.type_into(&format!("#sign-in-user-{node}"), user).await;
        self.type_into(&format!("#sign-in-password-{node}"), password)
            .await;
        if every_node {
            self.click(&format!("#sign-in-every-{node}")).await;
        }
        self.click(&format!("{entry} form.sign-in button[type=submit]"))
            .await;
    }

    /// On the Promote & join tab: chooses `node`, runs the preflight and types the
    /// node's name into the confirmation, leaving the start button to the caller.
    pub async fn confirm_promote(&self, node: &str) {
        self.find("#promote-node")
            .await
            .select_by_value(node)
            .await
            .expect("choosing the node to promote");
        self.click(".promote-check").await;
        self.wait_for_text(".promote .confirm", "cannot be undone")
            .await;
        self.type_into("#promote-confirm", node).await;
    }

    /// Promotes `node` through the panel, as a person would.
    pub async fn promote(&self, node: &str) {
        self.confirm_promote(node).await;
        self.click(".promote-start").await;
        self.wait_for_text(".promote .outcome", "Done").await;
    }

    /// Chooses `central` as Central Management node and `nodes` to join, and runs the
    /// preflight until it says the join is ready.
    pub async fn prepare_join(&self, central: &str, nodes: &[&str]) {
        self.find("#join-central")
            .await
            .select_by_value(central)
            .await
            .expect("choosing the Central Management node");
        for node in nodes {
            self.click(&format!("#join-node-{node}")).await;
        }
        self.click(".join-check").await;
        self.wait_for_text(".join .ready", "Ready to join").await;
    }

    /// Runs `script` in the page and returns its result (scripts may `await`).
    pub async fn run_js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
    }

    /// Calls the Chrome DevTools Protocol through chromedriver (`Network.getAllCookies`
    /// sees every cookie, whatever its path, HttpOnly ones too).
    pub async fn dev_tools(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let command = ChromeCommand {
            path: "goog/cdp/execute",
            body: serde_json::json!({"cmd": method, "params": params}),
        };
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|error| panic!("DevTools {method} failed: {error}"))
    }

    /// Every console message of the page since the last call, as the browser logged
    /// them (`goog:loggingPrefs`), each `LEVEL message`.
    pub async fn console_messages(&self) -> Vec<String> {
        let command = ChromeCommand {
            path: "se/log",
            body: serde_json::json!({"type": "browser"}),
        };
        let entries = self
            .client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|error| panic!("reading the browser's log failed: {error}"));
        entries
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| format!("{} {}", entry["level"], entry["message"]))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Saves a PNG of the page, for a person to look at when a test fails.
    pub async fn screenshot(&self, path: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path, png).expect("writing the screenshot");
    }

    /// Checks that the page logged no error since [`Browser::open_panel`] (a panic in
    /// the panel logs one and stops it), then ends the WebDriver session cleanly.
    pub async fn end(self) {
        let errors = self.run_js("return window.__consoleErrors || []").await;
        let _ = self.client.clone().close().await;
        assert_eq!(errors, serde_json::json!([]), "the page logged errors");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A chromedriver command outside W3C WebDriver: `POST /session/{id}/{path}`.
#[derive(Debug)]
struct ChromeCommand {
    path: &'static str,
    body: serde_json::Value,
}

impl WebDriverCompatibleCommand for ChromeCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Keeps every `console.error` line and uncaught error of the page in
/// `window.__consoleErrors`, where [`Browser::end`] reads them.
const RECORD_CONSOLE_ERRORS: &str = r#"
    window.__consoleErrors = [];
    const original = console.error;
    console.error = (...parts) => {
        window.__consoleErrors.push(parts.map(String).join(' '));
        original(...parts);
    };
    window.addEventListener('error', event => window.__consoleErrors.push(String(event.message)));
"#;

fn chromium_capabilities(extra_args: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    let mut capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,800"
            ]
        },
        "goog:loggingPrefs": { "browser": "ALL" }
    });
    if let Some(args) = capabilities["goog:chromeOptions"]["args"].as_array_mut() {
        args.extend(extra_args.iter().map(|arg| serde_json::json!(arg)));
    }
    match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound address").port()
}
