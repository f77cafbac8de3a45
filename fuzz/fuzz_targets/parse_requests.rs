//! Fuzz target: the simulator's request parsing, through its real routers. The first
//! byte of the input picks a request that carries a JSON body (a node's or the control
//! API's), the rest is the body. A fresh fleet answers every input, so a finding
//! replays on its own. No answer may be a 5xx or a panic, and a node's 4xx must be in
//! the SPS error shape.

#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower::ServiceExt;

use sps_api::ErrorBody;
use sps_sim::api::node_router;
use sps_sim::control::control_router;
use sps_sim::fleet::Fleet;
use sps_sim::Options;

/// The API a request goes to.
#[derive(Clone, Copy)]
enum Api {
    Node,
    Control,
}

/// Every request whose body the simulator parses.
const REQUESTS: &[(Api, &str, &str)] = &[
    (Api::Node, "POST", "/api/cluster/join_request"),
    (Api::Node, "POST", "/api/cluster/nodes"),
    (
        Api::Node,
        "PUT",
        "/api/cluster/nodes/46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    ),
    (
        Api::Node,
        "PUT",
        "/api/configuration/local_services/cluster",
    ),
    (Api::Node, "PUT", "/api/transaction"),
    (Api::Control, "POST", "/faults"),
    (Api::Control, "POST", "/nodes/node-2/lock"),
    (Api::Control, "PUT", "/nodes/node-2/version"),
    (Api::Control, "PUT", "/nodes/node-2/settings"),
    (Api::Control, "PUT", "/clock"),
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

async fn send(router: Router, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = router
        .oneshot(request)
        .await
        .expect("routers are infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("an answer's body is in memory");
    (status, body.to_vec())
}

/// Signs in to node-1 as admin and returns the session id.
async fn sign_in(fleet: &std::sync::Arc<Fleet>) -> String {
    let request = Request::builder()
        .uri("/api/authentication")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .body(Body::empty())
        .expect("a sign-in request");
    let response = node_router(fleet.clone(), 0)
        .oneshot(request)
        .await
        .expect("routers are infallible");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("an ASCII cookie");
    let pair = cookie.split(';').next().unwrap_or_default();
    pair.trim_start_matches("session_id=").to_owned()
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (api, method, path) = REQUESTS[usize::from(pick) % REQUESTS.len()];
    runtime().block_on(async {
        let fleet = Fleet::new(&Options::default()).expect("the default fleet");
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len());
        let router = match api {
            Api::Node => {
                let session = sign_in(&fleet).await;
                request = request.header(header::COOKIE, format!("session_id={session}"));
                node_router(fleet.clone(), 0)
            }
            Api::Control => control_router(fleet.clone()),
        };
        let request = request.body(Body::from(body.to_vec())).expect("a request");
        let (status, answer) = send(router, request).await;
        assert!(
            !status.is_server_error(),
            "{status} for {method} {path}: {}",
            String::from_utf8_lossy(&answer)
        );
        if let (Api::Node, true) = (api, status.is_client_error()) {
            let raw: Value = serde_json::from_slice(&answer).expect("a node's error is JSON");
            let error: ErrorBody =
                serde_json::from_value(raw).expect("a node's error is an SPS error body");
            assert!(!error.error.code.is_empty() && !error.error.message.is_empty());
            assert_eq!(error.error.details.path.as_deref(), Some(path));
        }
    });
});
