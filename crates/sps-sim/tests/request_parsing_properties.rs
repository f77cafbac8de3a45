//! Property tests of the simulator's request parsing, through the routers as a client
//! reaches them: whatever body, path, credentials or cookie a request carries, a node
//! answers with a 2xx or a 4xx in the SPS error shape, never a 5xx or a panic; a body
//! that is not a JSON object, or a field of the wrong JSON type, is a 400 that names what
//! is wrong; the control API answers malformed bodies with a 4xx; and the control API's
//! request types read their own serialised output back as the same value.

mod common;

#[path = "../../sps-api/tests/support/json_damage.rs"]
mod json_damage;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::Router;
use base64::Engine;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use tower::ServiceExt;

use common::Sim;
use json_damage::{damaged, damages, other_json};
use sps_api::cluster::SyncIssue;
use sps_api::ErrorBody;
use sps_sim::api::node_router;
use sps_sim::control::control_router;
use sps_sim::control::types::{
    ClockRequest, ClockView, FaultKind, FaultSpec, FaultTimes, LockRequest, SettingsRequest,
    VersionRequest,
};
use sps_sim::fleet::Fleet;

/// Enough cases to find the shallow bugs in each property while the whole file stays
/// well under twenty seconds in a debug build.
const CASES: u32 = 512;

const NODE_ID: &str = "46f97a58-4028-467d-9a22-9cfe78ae3e1c";
const PSK: &str = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";

// ---------------------------------------------------------------------------------------
// The requests a node parses a body for, with a valid body and its fields' types.
// ---------------------------------------------------------------------------------------

/// The JSON type a request field must have, as the simulator checks it.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Flag,
    TextList,
}

impl Kind {
    fn fits(self, value: &Value) -> bool {
        match (self, value) {
            (Kind::Text, Value::String(_)) | (Kind::Flag, Value::Bool(_)) => true,
            (Kind::TextList, Value::Array(items)) => items.iter().all(Value::is_string),
            _ => false,
        }
    }
}

/// One request with a body: where it goes, a valid body, and each field's type and
/// whether it is required.
struct BodyRequest {
    method: &'static str,
    path: String,
    sample: Value,
    fields: &'static [(&'static str, Kind, bool)],
    /// The field an error about the body as a whole names (`body`, or `status` for a
    /// commit, whose only valid body is `{"status": "commit"}`).
    body_field: &'static str,
}

fn body_requests() -> Vec<BodyRequest> {
    vec![
        BodyRequest {
            method: "POST",
            path: "/api/cluster/join_request".into(),
            sample: json!({"central_management_address": "127.0.0.12"}),
            fields: &[("central_management_address", Kind::Text, true)],
            body_field: "body",
        },
        BodyRequest {
            method: "POST",
            path: "/api/cluster/nodes".into(),
            sample: json!({"address": "127.0.0.12", "node_id": NODE_ID, "psk": PSK, "roles": []}),
            fields: &[
                ("address", Kind::Text, true),
                ("node_id", Kind::Text, true),
                ("psk", Kind::Text, true),
                ("roles", Kind::TextList, false),
            ],
            body_field: "body",
        },
        BodyRequest {
            method: "PUT",
            path: format!("/api/cluster/nodes/{NODE_ID}"),
            sample: json!({"address": "127.0.0.12", "roles": ["managed-host", "search-minion"]}),
            fields: &[
                ("address", Kind::Text, true),
                ("roles", Kind::TextList, true),
            ],
            body_field: "body",
        },
        BodyRequest {
            method: "PUT",
            path: "/api/configuration/local_services/cluster".into(),
            sample: json!({"enabled": true, "listen_address": "127.0.0.11"}),
            fields: &[
                ("enabled", Kind::Flag, true),
                ("listen_address", Kind::Text, false),
            ],
            body_field: "body",
        },
        BodyRequest {
            method: "PUT",
            path: "/api/transaction".into(),
            sample: json!({"status": "commit", "commit_message": "join node-2"}),
            fields: &[
                ("status", Kind::Text, true),
                ("commit_message", Kind::Text, false),
            ],
            body_field: "status",
        },
    ]
}

/// Requests whose body a node does not read: any body must still get a proper answer.
const BODYLESS: [(&str, &str); 4] = [
    ("POST", "/api/transaction"),
    ("POST", "/api/cluster/promote"),
    ("POST", "/api/cluster/configuration_sync"),
    ("DELETE", "/api/transaction"),
];

// ---------------------------------------------------------------------------------------
// Sending requests, and what every answer must look like.
// ---------------------------------------------------------------------------------------

/// A signed-in fleet and a runtime to drive its routers from synchronous properties.
struct Harness {
    runtime: tokio::runtime::Runtime,
    fleet: Arc<Fleet>,
    cookie: String,
}

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sim = Sim::three();
        let cookie = runtime.block_on(sim.login(0, "admin"));
        Harness {
            runtime,
            fleet: sim.fleet,
            cookie,
        }
    }

    fn node(&self) -> Router {
        node_router(self.fleet.clone(), 0)
    }

    fn control(&self) -> Router {
        control_router(self.fleet.clone())
    }

    /// Sends `request` through `router`; a panic in the handler is an error here, not a
    /// crashed test, so the property can say which request caused it.
    fn send(&self, router: Router, request: Request<Body>) -> Result<Answer, TestCaseError> {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.runtime.block_on(async {
                let response = router.oneshot(request).await?;
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                Ok::<_, Box<dyn std::error::Error>>(Answer {
                    status,
                    body: bytes.to_vec(),
                })
            })
        }));
        match outcome {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(TestCaseError::fail(format!("no answer: {error}"))),
            Err(_) => Err(TestCaseError::fail("the handler panicked")),
        }
    }

    /// A request to node-1 with this session's cookie and a body length.
    fn to_node(&self, method: &str, path: &str, body: &[u8]) -> Result<Answer, TestCaseError> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, format!("session_id={}", self.cookie))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body.to_vec()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        self.send(self.node(), request)
    }

    fn to_control(&self, method: &str, path: &str, body: &[u8]) -> Result<Answer, TestCaseError> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_vec()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        self.send(self.control(), request)
    }
}

#[derive(Debug)]
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A node's answer is a 2xx, or a 4xx whose body is an SPS error: `error.code` and
/// `error.message` non-empty strings, `details.path` the request's path, and `meta`.
/// Returns the error, if it is one.
fn sps_answer(answer: &Answer, path: &str) -> Result<Option<ErrorBody>, TestCaseError> {
    let status = answer.status.as_u16();
    prop_assert!(
        (200..300).contains(&status) || (400..500).contains(&status),
        "status {status} for {path}: {}",
        answer.text()
    );
    if status < 400 {
        return Ok(None);
    }
    let raw: Value = serde_json::from_slice(&answer.body).map_err(|e| {
        TestCaseError::fail(format!(
            "{status} for {path} is not JSON ({e}): {}",
            answer.text()
        ))
    })?;
    let code = raw["error"]["code"].as_str().unwrap_or_default();
    let message = raw["error"]["message"].as_str().unwrap_or_default();
    prop_assert!(!code.is_empty() && !message.is_empty(), "{raw}");
    prop_assert!(raw["meta"].is_object(), "{raw}");
    let error: ErrorBody = serde_json::from_value(raw.clone())
        .map_err(|e| TestCaseError::fail(format!("{raw} is not an ErrorBody: {e}")))?;
    prop_assert_eq!(error.error.details.path.as_deref(), Some(path));
    Ok(Some(error))
}

/// What the simulator must answer a body it cannot use: 400 `InvalidInput` naming `field`.
fn refused_naming(answer: &Answer, path: &str, field: &str) -> Result<(), TestCaseError> {
    let error = sps_answer(answer, path)?;
    prop_assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    let error = error.ok_or_else(|| TestCaseError::fail("a 400 without an error"))?;
    prop_assert_eq!(error.error.code.as_str(), "InvalidInput");
    prop_assert_eq!(error.error.details.field.as_deref(), Some(field));
    Ok(())
}

/// Whether `bytes` is a body the simulator reads as a JSON object (blank counts as `{}`).
fn is_json_object(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<Value>(bytes).is_ok_and(|v| v.is_object())
}

/// Sends `bytes` as the body of `request` and checks the answer: SPS-shaped always, and
/// a 400 naming the body when it is not a JSON object.
fn check_body(harness: &Harness, request: &BodyRequest, bytes: &[u8]) -> Result<(), TestCaseError> {
    let answer = harness.to_node(request.method, &request.path, bytes)?;
    match is_json_object(bytes) {
        true => sps_answer(&answer, &request.path).map(drop),
        false => refused_naming(&answer, &request.path, request.body_field),
    }
}

fn request_index() -> impl Strategy<Value = usize> {
    0..body_requests().len()
}

// ---------------------------------------------------------------------------------------
// Node requests.
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bodies_get_an_sps_answer_and_non_objects_a_400(
        index in request_index(),
        bytes in prop_oneof![
            vec(any::<u8>(), 0..256),
            r#"[\[\]{}":,0-9a-z .eE+\\-]{0,128}"#.prop_map(String::into_bytes),
        ],
    ) {
        on_fleet(|harness| {
            check_body(harness, &body_requests()[index], &bytes)?;
            Ok(())
        })?;
    }

    #[test]
    fn damaged_valid_bodies_get_an_sps_answer_and_non_objects_a_400(
        index in request_index(),
        damages in damages(),
    ) {
        on_fleet(|harness| {
            let request = &body_requests()[index];
            let valid = serde_json::to_vec(&request.sample).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_body(harness, request, &damaged(&valid, &damages))?;
            Ok(())
        })?;
    }

    #[test]
    fn a_field_of_the_wrong_json_type_is_a_400_naming_that_field(
        index in request_index(),
        field in any::<Index>(),
        value in other_json(),
    ) {
        on_fleet(|harness| {
            let request = &body_requests()[index];
            let (name, kind, required) = *field.get(request.fields);
            let mut body = request.sample.clone();
            body[name] = value.clone();
            let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let answer = harness.to_node(request.method, &request.path, &bytes)?;
            let acceptable = kind.fits(&value) || (value.is_null() && !required);
            match acceptable {
                true => sps_answer(&answer, &request.path).map(drop)?,
                false => refused_naming(&answer, &request.path, name)?,
            }
            Ok(())
        })?;
    }

    #[test]
    fn any_body_on_a_request_that_reads_none_gets_an_sps_answer(
        which in select(BODYLESS.to_vec()),
        bytes in vec(any::<u8>(), 0..256),
    ) {
        on_fleet(|harness| {
            let (method, path) = which;
            let answer = harness.to_node(method, path, &bytes)?;
            sps_answer(&answer, path)?;
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_api_paths_get_an_sps_answer(
        path in r"/api(/[a-z_.~%0-9A-F-]{0,12}){0,4}/?",
        method in select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    ) {
        prop_assume!(path.parse::<axum::http::Uri>().is_ok());
        on_fleet(|harness| {
            let answer = harness.to_node(method, &path, b"{}")?;
            let trimmed = match path.trim_end_matches('/') {
                "" => "/",
                trimmed => trimmed,
            };
            sps_answer(&answer, trimmed)?;
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_authorization_headers_are_unauthenticated_not_errors(value in authorization()) {
        on_fleet(|harness| {
            let request = Request::builder()
                .uri("/api/authentication")
                .header(header::AUTHORIZATION, value)
                .body(Body::empty())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let answer = harness.send(harness.node(), request)?;
            sps_answer(&answer, "/api/authentication")?;
            prop_assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
            Ok(())
        })?;
    }

    #[test]
    fn arbitrary_cookies_are_unauthenticated_not_errors(value in cookie()) {
        on_fleet(|harness| {
            let request = Request::builder()
                .uri("/api/info")
                .header(header::COOKIE, value)
                .body(Body::empty())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let answer = harness.send(harness.node(), request)?;
            sps_answer(&answer, "/api/info")?;
            prop_assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
            Ok(())
        })?;
    }
}

/// Bytes a header value may hold: visible ASCII, space, tab and obs-text.
fn header_bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![0x20u8..=0x7e, 0x80u8..=0xff, Just(b'\t')], len)
}

fn header_value(bytes: Vec<u8>) -> Option<HeaderValue> {
    HeaderValue::from_bytes(&bytes).ok()
}

/// `Authorization` values: any header bytes, and `Basic` with base64 of any bytes or of
/// a real user name with any password (never the right one).
fn authorization() -> impl Strategy<Value = HeaderValue> {
    let base64 = |bytes: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(bytes);
    let basic = vec(any::<u8>(), 0..48).prop_map(move |bytes| format!("Basic {}", base64(bytes)));
    let user = (select(vec!["admin:", "auditor:"]), vec(any::<u8>(), 0..24))
        .prop_filter("the right password", |(user, password)| {
            user.as_bytes()[..user.len() - 1] != password[..]
        })
        .prop_map(move |(user, password)| {
            format!("Basic {}", base64([user.as_bytes(), &password].concat()))
        });
    prop_oneof![
        header_bytes(0..96),
        header_bytes(0..64).prop_map(|rest| [b"Basic ".as_slice(), &rest].concat()),
        basic.prop_map(String::into_bytes),
        user.prop_map(String::into_bytes),
    ]
    .prop_filter_map("not a header value", header_value)
}

/// `Cookie` values: any header bytes, and a `session_id` that is not a session.
fn cookie() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        header_bytes(0..96),
        header_bytes(0..48).prop_map(|id| [b"a=1; session_id=".as_slice(), &id].concat()),
    ]
    .prop_filter_map("not a header value", header_value)
}

thread_local! {
    /// A fleet per test: each test runs on its own thread, signs in once and sends one
    /// request per case, and the changes that valid requests make stay within the test.
    static HARNESS: Harness = Harness::new();
}

/// Runs `f` against this test's fleet.
fn on_fleet(f: impl FnOnce(&Harness) -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    HARNESS.with(f)
}

// ---------------------------------------------------------------------------------------
// The control API.
// ---------------------------------------------------------------------------------------

/// A control request that reads a JSON body: where it goes, a valid body, and whether a
/// body parses as its type (axum's `Json` refuses what does not, before the handler).
struct ControlRequest {
    method: &'static str,
    path: &'static str,
    sample: Value,
    parses: fn(&[u8]) -> bool,
}

fn parses_as<T: DeserializeOwned>(bytes: &[u8]) -> bool {
    serde_json::from_slice::<T>(bytes).is_ok()
}

fn control_requests() -> Vec<ControlRequest> {
    let request = |method, path, sample, parses| ControlRequest {
        method,
        path,
        sample,
        parses,
    };
    vec![
        request(
            "POST",
            "/faults",
            json!({"node": "node-2", "method": "GET", "path": "/api/*",
                "kind": {"status": {"status": 503, "code": "Busy", "message": "busy"}},
                "times": {"count": 2}}),
            parses_as::<FaultSpec>,
        ),
        request(
            "POST",
            "/faults",
            json!({"node": "node-2", "path": "/api/info", "kind": {"latency": {"ms": 5}}}),
            parses_as::<FaultSpec>,
        ),
        request(
            "POST",
            "/nodes/node-3/lock",
            json!({"user": "auditor"}),
            parses_as::<LockRequest>,
        ),
        request(
            "PUT",
            "/nodes/node-3/version",
            json!({"version": "7.4.0", "firmware_version": "7.4.0"}),
            parses_as::<VersionRequest>,
        ),
        request(
            "PUT",
            "/nodes/node-3/settings",
            json!({"require_commit_message": true, "cluster_interface_enabled": true,
                "sync_warnings": [{"message": "m", "paths": ["/api/cluster"]}]}),
            parses_as::<SettingsRequest>,
        ),
        request(
            "PUT",
            "/clock",
            json!({"speed": 2.0, "advance_seconds": 60}),
            parses_as::<ClockRequest>,
        ),
    ]
}

/// Sends `bytes` to a control request: a body its type refuses gets a 4xx that says
/// why; any other gets a 2xx or a 4xx; none gets a 5xx or a panic.
fn check_control(
    harness: &Harness,
    request: &ControlRequest,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    let answer = harness.to_control(request.method, request.path, bytes)?;
    let status = answer.status.as_u16();
    let path = request.path;
    match (request.parses)(bytes) {
        true => prop_assert!(
            (200..300).contains(&status) || (400..500).contains(&status),
            "{status} for {path}: {}",
            answer.text()
        ),
        false => prop_assert!(
            (400..500).contains(&status),
            "{status} for {path} with a body its type refuses: {}",
            answer.text()
        ),
    }
    if status >= 400 {
        prop_assert!(!answer.body.is_empty(), "{status} for {path} says nothing");
    }
    Ok(())
}

fn control_index() -> impl Strategy<Value = usize> {
    0..control_requests().len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_control_bodies_get_a_4xx_not_a_5xx_or_a_panic(
        index in control_index(),
        bytes in vec(any::<u8>(), 0..256),
    ) {
        on_fleet(|harness| {
            check_control(harness, &control_requests()[index], &bytes)?;
            Ok(())
        })?;
    }

    #[test]
    fn damaged_control_bodies_get_a_2xx_or_4xx_not_a_5xx_or_a_panic(
        index in control_index(),
        damages in damages(),
    ) {
        on_fleet(|harness| {
            let request = &control_requests()[index];
            let valid = serde_json::to_vec(&request.sample).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_control(harness, request, &damaged(&valid, &damages))?;
            Ok(())
        })?;
    }

    #[test]
    fn control_bodies_with_values_of_another_type_get_a_2xx_or_4xx_not_a_5xx_or_a_panic(
        index in control_index(),
        at in any::<Index>(),
        value in other_json(),
    ) {
        on_fleet(|harness| {
            let request = &control_requests()[index];
            let body = json_damage::replaced(&request.sample, at, value);
            let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_control(harness, request, &bytes)?;
            Ok(())
        })?;
    }

    #[test]
    fn clock_requests_of_any_size_never_break_the_clock(
        speed in option::of(prop_oneof![any::<f64>(), 0.0..1e9f64]),
        advance_seconds in option::of(prop_oneof![any::<f64>(), 0.0..1e12f64]),
    ) {
        on_fleet(|harness| {
            let body = serde_json::to_vec(&ClockRequest { speed, advance_seconds })
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let set_clock = control_requests()
                .into_iter()
                .find(|r| r.path == "/clock")
                .ok_or_else(|| TestCaseError::fail("no /clock request"))?;
            check_control(harness, &set_clock, &body)?;
            let clock = harness.to_control("GET", "/clock", b"")?;
            prop_assert_eq!(clock.status, StatusCode::OK);
            let view: ClockView = serde_json::from_slice(&clock.body)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}", clock.text())))?;
            prop_assert!(view.now.ends_with('Z') && view.elapsed_seconds >= 0.0, "{:?}", view);
            let status = harness.to_node("GET", "/api/cluster/status", b"")?;
            sps_answer(&status, "/api/cluster/status")?;
            Ok(())
        })?;
    }
}

// ---------------------------------------------------------------------------------------
// Control request types: parsing that cannot panic, and round trips.
// ---------------------------------------------------------------------------------------

/// One control request type: its name and [`parses_back`] instantiated for it.
struct ControlType {
    name: &'static str,
    check: fn(&[u8]) -> Result<(), String>,
}

fn control_type<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    name: &'static str,
) -> ControlType {
    ControlType {
        name,
        check: parses_back::<T>,
    }
}

fn control_types() -> Vec<ControlType> {
    vec![
        control_type::<FaultSpec>("FaultSpec"),
        control_type::<LockRequest>("LockRequest"),
        control_type::<VersionRequest>("VersionRequest"),
        control_type::<SettingsRequest>("SettingsRequest"),
        control_type::<ClockRequest>("ClockRequest"),
    ]
}

/// Parses `bytes` as `T` without panicking; a value that parses reads back as itself.
fn parses_back<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
) -> Result<(), String> {
    let parsed = catch_unwind(AssertUnwindSafe(|| serde_json::from_slice::<T>(bytes)))
        .map_err(|_| "parsing panicked".to_owned())?;
    let Ok(value) = parsed else {
        return Ok(());
    };
    round_trip(&value)
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), String> {
    let json = serde_json::to_vec(value).map_err(|e| format!("serialising failed: {e}"))?;
    let back: T = serde_json::from_slice(&json)
        .map_err(|e| format!("{} is refused: {e}", String::from_utf8_lossy(&json)))?;
    match &back == value {
        true => Ok(()),
        false => Err(format!("{value:?} came back as {back:?}")),
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9./*-]{0,16}", any::<String>()]
}

/// Floats with two decimals, which read back exactly.
fn hundredths() -> impl Strategy<Value = f64> {
    (0i64..10_000_000).prop_map(|n| n as f64 / 100.0)
}

fn fault_kind() -> impl Strategy<Value = FaultKind> {
    prop_oneof![
        any::<u64>().prop_map(|ms| FaultKind::Latency { ms }),
        (any::<u16>(), text(), text(), proptest::option::of(text())).prop_map(
            |(status, code, message, locked_by)| FaultKind::Status {
                status,
                code,
                message,
                locked_by,
            }
        ),
        Just(FaultKind::Refused),
        Just(FaultKind::Reset),
        Just(FaultKind::Drop),
        Just(FaultKind::Malformed),
        Just(FaultKind::Truncated),
    ]
}

fn fault_spec() -> impl Strategy<Value = FaultSpec> {
    let times = prop_oneof![
        Just(FaultTimes::Once),
        any::<u32>().prop_map(FaultTimes::Count),
        Just(FaultTimes::Always),
    ];
    (text(), option::of(text()), text(), fault_kind(), times).prop_map(
        |(node, method, path, kind, times)| FaultSpec {
            node,
            method,
            path,
            kind,
            times,
        },
    )
}

fn settings_request() -> impl Strategy<Value = SettingsRequest> {
    let issue =
        (text(), vec(text(), 0..3)).prop_map(|(message, paths)| SyncIssue { message, paths });
    (
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of(vec(issue, 0..3)),
    )
        .prop_map(
            |(require_commit_message, cluster_interface_enabled, sync_warnings)| SettingsRequest {
                require_commit_message,
                cluster_interface_enabled,
                sync_warnings,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_make_a_control_type_panic(bytes in vec(any::<u8>(), 0..256)) {
        for control in control_types() {
            (control.check)(&bytes).map_err(|why| TestCaseError::fail(format!("{}: {why}", control.name)))?;
        }
    }

    #[test]
    fn damaged_control_samples_never_make_a_control_type_panic(
        index in control_index(),
        damages in damages(),
    ) {
        let valid = serde_json::to_vec(&control_requests()[index].sample).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let bytes = damaged(&valid, &damages);
        for control in control_types() {
            (control.check)(&bytes).map_err(|why| TestCaseError::fail(format!("{}: {why}", control.name)))?;
        }
    }

    #[test]
    fn control_requests_read_back_as_themselves(
        fault in fault_spec(),
        user in text(),
        version in (text(), option::of(text())),
        settings in settings_request(),
        clock in (option::of(hundredths()), option::of(hundredths())),
    ) {
        let fail = |why: String| TestCaseError::fail(why);
        round_trip(&fault).map_err(fail)?;
        round_trip(&LockRequest { user }).map_err(fail)?;
        let (version, firmware_version) = version;
        round_trip(&VersionRequest { version, firmware_version }).map_err(fail)?;
        round_trip(&settings).map_err(fail)?;
        let (speed, advance_seconds) = clock;
        round_trip(&ClockRequest { speed, advance_seconds }).map_err(fail)?;
    }
}
