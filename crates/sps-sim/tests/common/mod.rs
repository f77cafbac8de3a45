//! Helpers shared by the simulator's tests: an in-process fleet driven through the
//! router without sockets, and shape comparison against the vendor's samples.

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use base64::Engine;
use serde_json::Value;
use tower::ServiceExt;

use sps_sim::api::node_router;
use sps_sim::fleet::Fleet;
use sps_sim::Options;

pub struct Sim {
    pub fleet: Arc<Fleet>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

impl Sim {
    pub fn new(options: Options) -> Sim {
        Sim {
            fleet: Fleet::new(&options).unwrap(),
        }
    }

    pub fn three() -> Sim {
        Sim::new(Options::default())
    }

    /// Sends a request to node `node` (0-based) through its router. A POST without a
    /// body still gets `Content-Length: 0`; use [`Sim::send`] to leave it out.
    pub async fn call(
        &self,
        node: usize,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, format!("session_id={cookie}"));
        }
        let body = body.unwrap_or("");
        if method != "GET" {
            builder = builder.header(header::CONTENT_LENGTH, body.len());
        }
        self.send(node, builder.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    pub async fn send(&self, node: usize, request: Request<Body>) -> Answer {
        let response = node_router(self.fleet.clone(), node)
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = match bytes.is_empty() {
            true => Value::Null,
            false => serde_json::from_slice(&bytes).unwrap(),
        };
        Answer {
            status,
            headers,
            json,
        }
    }

    /// Signs in as `user` (password = user name) and returns the session id.
    pub async fn login(&self, node: usize, user: &str) -> String {
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{user}"));
        let request = Request::builder()
            .uri("/api/authentication")
            .header(header::AUTHORIZATION, format!("Basic {credentials}"))
            .body(Body::empty())
            .unwrap();
        let answer = self.send(node, request).await;
        assert_eq!(answer.status, StatusCode::OK);
        let cookie = answer.set_cookie().unwrap();
        cookie
            .strip_prefix("session_id=")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn commit(&self, node: usize, cookie: &str) -> Answer {
        self.call(
            node,
            "PUT",
            "/api/transaction",
            Some(cookie),
            Some(r#"{"status":"commit"}"#),
        )
        .await
    }

    pub fn address(&self, node: usize) -> String {
        self.fleet.handles()[node].address.to_string()
    }
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

fn is_psk(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Replaces what legitimately differs between a sample and a live answer (addresses,
/// uuids, keys, second counts) by placeholders, so the rest compares field by field.
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "remaining_seconds" => Value::String("<seconds>".into()),
                        _ => normalize(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::String(text) => Value::String(normalize_text(text)),
        other => other.clone(),
    }
}

fn normalize_text(text: &str) -> String {
    if text.starts_with("<IP-address") || text.parse::<std::net::Ipv4Addr>().is_ok() {
        return "<ip>".into();
    }
    if is_psk(text) {
        return "<psk>".into();
    }
    text.split('/')
        .map(|segment| match is_uuid(segment) {
            true => "<uuid>",
            false => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Asserts that `actual` has exactly the sample's fields and values, placeholders aside.
pub fn assert_matches_seed(actual: &Value, seed: &str) {
    let seed: Value = serde_json::from_str(seed).unwrap();
    assert_eq!(normalize(actual), normalize(&seed), "\nactual: {actual:#}");
}
