//! Building a cluster straight over HTTP against the simulated nodes, for tests whose
//! subject is what the panel shows of a cluster rather than how it builds one.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::Demo;

/// One node's API, signed in as `admin`, with the session cookie sent by hand.
pub struct NodeApi {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl NodeApi {
    pub async fn sign_in(base: &str) -> NodeApi {
        let http = reqwest::Client::new();
        let answer = http
            .get(format!("{base}/api/authentication"))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .expect("the node answers the sign-in");
        assert_eq!(answer.status(), 200, "sign-in to {base}");
        let cookie = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next())
            .find(|pair| pair.starts_with("session_id="))
            .expect("a session cookie")
            .to_owned();
        NodeApi {
            http,
            base: base.to_owned(),
            cookie,
        }
    }

    /// Sends one request and returns the answer's JSON (`Null` when empty). Every
    /// request but a GET carries a JSON body, since SPS wants a length on a POST.
    pub async fn call(&self, method: Method, path: &str, body: Value) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("Cookie", &self.cookie);
        if method != Method::GET {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("the node answers");
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn open(&self) {
        self.call(Method::POST, "/api/transaction", json!({})).await;
    }

    pub async fn commit(&self) {
        self.call(Method::PUT, "/api/transaction", json!({"status": "commit"}))
            .await;
    }
}

/// The roles the joined nodes end up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinedRoles {
    /// As a join leaves them: none.
    None,
    /// `managed-host` and `search-minion`, as an administrator would assign next.
    ManagedSearchMinion,
}

/// Promotes node-1 and joins the next `joined` nodes to it, as the vendor documents it,
/// committing every step. Returns node-1's API.
pub async fn build_cluster(demo: &Demo, joined: usize, roles: JoinedRoles) -> NodeApi {
    let nodes = &demo.ready.nodes;
    let central = NodeApi::sign_in(&nodes[0].base_url).await;
    central.open().await;
    central
        .call(Method::POST, "/api/cluster/promote", json!({}))
        .await;
    central.commit().await;
    for node in &nodes[1..=joined] {
        let joining = NodeApi::sign_in(&node.base_url).await;
        joining.open().await;
        let request = joining
            .call(
                Method::POST,
                "/api/cluster/join_request",
                json!({"central_management_address": nodes[0].address}),
            )
            .await;
        central.open().await;
        let added = central
            .call(Method::POST, "/api/cluster/nodes", request["body"].clone())
            .await;
        central.commit().await;
        joining.commit().await;
        if roles == JoinedRoles::ManagedSearchMinion {
            let id = added["key"].as_str().expect("the new node's id");
            let body = json!({"address": node.address, "roles": ["managed-host", "search-minion"]});
            central.open().await;
            central
                .call(Method::PUT, &format!("/api/cluster/nodes/{id}"), body)
                .await;
            central.commit().await;
        }
    }
    central
}
