//! Measuring a page from the inside: a script the browser runs in every new document
//! before the page's own (through the Chrome DevTools Protocol, which chromedriver
//! forwards), recording when a condition on the DOM first held, long tasks, and when the
//! tab was hidden and shown. The figures are the page's own clock (`performance.now()`,
//! zero at navigation start), so WebDriver's round trips never enter them.

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

pub async fn cdp(client: &Client, method: &'static str, params: Value) -> Value {
    client
        .issue_cmd(Cdp { method, params })
        .await
        .unwrap_or_else(|error| panic!("CDP {method} failed: {error}"))
}

/// Installed in every new document: `window.__bench` with `marks` (name to time),
/// `longTasks` ([start, duration] pairs), `hidden` and `shown` times, and `watch(name,
/// predicate)`, which records the first moment `predicate()` holds after a DOM change.
const OBSERVERS: &str = r#"
(() => {
  const bench = window.__bench = { marks: {}, longTasks: [], hidden: [], shown: [] };
  performance.setResourceTimingBufferSize(100000);
  try {
    new PerformanceObserver(list => {
      for (const task of list.getEntries()) bench.longTasks.push([task.startTime, task.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {}
  document.addEventListener('visibilitychange', () => {
    (document.hidden ? bench.hidden : bench.shown).push(performance.now());
  });
  bench.watch = (name, predicate) => {
    delete bench.marks[name];
    if (predicate()) { bench.marks[name] = performance.now(); return; }
    const observer = new MutationObserver(() => {
      if (predicate()) { bench.marks[name] = performance.now(); observer.disconnect(); }
    });
    observer.observe(document, { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ['class'] });
  };
  // The cluster table shows `count` nodes: its count line says so and rows are drawn.
  bench.tableShows = count => {
    const line = document.querySelector('.row-count');
    return !!line && line.textContent.startsWith(`${count} of ${count} `)
      && !!document.querySelector('tbody tr.node-row');
  };
  // Every drawn row of a node in `keys` carries `status-<wanted>`, and one is drawn.
  bench.rowsShow = (keys, wanted) => {
    const rows = [...document.querySelectorAll('tbody tr.node-row')]
      .filter(row => keys.has(row.dataset.key));
    return rows.length > 0 && rows.every(row => row.classList.contains(`status-${wanted}`));
  };
  // The most requests to nodes that overlapped in time, from Resource Timing.
  bench.maxInFlight = () => {
    const edges = [];
    for (const entry of performance.getEntriesByType('resource')) {
      if (!new URL(entry.name).pathname.startsWith('/sps/')) continue;
      edges.push([entry.startTime, 1], [entry.responseEnd || performance.now(), -1]);
    }
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0, most = 0;
    for (const [, step] of edges) { now += step; most = Math.max(most, now); }
    return most;
  };
  bench.requestsStartedBetween = (from, to) => performance.getEntriesByType('resource')
    .filter(e => new URL(e.name).pathname.startsWith('/sps/'))
    .filter(e => e.startTime >= from && e.startTime <= to).length;
  // The longest task that started at or after `from`.
  bench.longestTaskSince = from => bench.longTasks
    .filter(([start]) => start >= from).reduce((most, [, d]) => Math.max(most, d), 0);
  bench.markSince = (name, from) => {
    const marks = performance.getEntriesByName(name).filter(m => m.startTime >= from);
    return marks.length ? marks[0].startTime : null;
  };
})();
"#;

/// A browser page under measurement.
pub struct Page<'a> {
    pub client: &'a Client,
}

impl<'a> Page<'a> {
    /// Installs the observers for every later navigation, with the HTTP cache off, so
    /// every load is a cold one.
    pub async fn prepare(client: &'a Client) -> Page<'a> {
        cdp(client, "Network.enable", json!({})).await;
        cdp(
            client,
            "Network.setCacheDisabled",
            json!({ "cacheDisabled": true }),
        )
        .await;
        cdp(
            client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": OBSERVERS }),
        )
        .await;
        Page { client }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
    }

    /// Navigates to `url` and returns when, in ms after navigation start, the cluster
    /// table first showed `count` nodes.
    pub async fn load_table(&self, url: &str, count: usize) -> f64 {
        // Registered before the page's own scripts run, right after the observers, so
        // the first DOM change of the page is already watched. One per load: removed
        // again once the load is measured.
        let watch =
            format!("window.__bench.watch('table', () => window.__bench.tableShows({count}));");
        let added = cdp(
            self.client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": watch }),
        )
        .await;
        self.client.goto(url).await.expect("navigation");
        let at = self.wait_for_mark("table").await;
        if let Some(identifier) = added.get("identifier").cloned() {
            cdp(
                self.client,
                "Page.removeScriptToEvaluateOnNewDocument",
                json!({ "identifier": identifier }),
            )
            .await;
        }
        at
    }

    /// Waits until `window.__bench.marks[name]` is set, and returns it.
    pub async fn wait_for_mark(&self, name: &str) -> f64 {
        let started = Instant::now();
        let script = format!("return (window.__bench && window.__bench.marks['{name}']) ?? null");
        loop {
            // A page busy drawing ten thousand rows may not run the script in time;
            // that only means "not yet".
            let answer = self.client.execute(&script, vec![]).await;
            if let Some(at) = answer.ok().and_then(|value| value.as_f64()) {
                return at;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let text = self
                    .js("return document.body ? document.body.innerText.slice(0, 1500) : ''")
                    .await;
                panic!("the page never reached {name}; it shows: {text}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Clicks the page's "Refresh now" and returns, in ms, (click to every drawn row
    /// of `keys` showing `wanted`, answers parsed to the same moment, longest task).
    pub async fn refresh_until(&self, keys: &[String], wanted: &str) -> (f64, f64, f64) {
        let keys = serde_json::to_string(keys).unwrap_or_default();
        let script = format!(
            r#"const bench = window.__bench;
            const keys = new Set({keys});
            bench.t0 = performance.now();
            bench.watch('update', () => bench.rowsShow(keys, '{wanted}'));
            document.querySelector('.refresh-now').click();
            return bench.t0;"#
        );
        let t0 = self.js(&script).await.as_f64().unwrap_or(f64::NAN);
        let done = self.wait_for_mark("update").await;
        let parsed = self
            .js(&format!(
                "return window.__bench.markSince('sps-panel:cluster-answers', {t0})"
            ))
            .await
            .as_f64()
            .unwrap_or(f64::NAN);
        // Long tasks are reported after they end; let the observer catch up.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let longest = self
            .js(&format!("return window.__bench.longestTaskSince({t0})"))
            .await
            .as_f64()
            .unwrap_or(0.0);
        (done - t0, done - parsed, longest)
    }

    /// How many node rows the cluster table's body holds.
    pub async fn rows_in_dom(&self) -> f64 {
        self.js("return document.querySelectorAll('tbody tr.node-row').length")
            .await
            .as_f64()
            .unwrap_or(f64::NAN)
    }
}
