//! Every `/api` route of one node, driven through the router in process: statuses,
//! headers, error shapes and bodies.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::time::Duration;

use common::Sim;
use sps_api::ErrorBody;
use sps_sim::Options;

#[tokio::test]
async fn basic_sign_in_sets_a_strict_http_only_session_cookie() {
    let sim = Sim::three();
    let request = Request::builder()
        .uri("/api/authentication")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .body(Body::empty())
        .unwrap();

    let answer = sim.send(0, request).await;

    assert_eq!(answer.status, StatusCode::OK);
    let cookie = answer.set_cookie().unwrap();
    let id = cookie
        .strip_prefix("session_id=")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    assert_eq!(id.len(), 40);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(
        answer.json,
        json!({"meta": {"href": "/api/authentication", "parent": "/api", "remaining_seconds": 1200}})
    );
}

#[tokio::test]
async fn wrong_credentials_missing_and_expired_cookies_are_unauthenticated() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;
    let wrong = Request::builder()
        .uri("/api/authentication")
        .header(header::AUTHORIZATION, "Basic YWRtaW46bm9wZQ==")
        .body(Body::empty())
        .unwrap();

    let wrong = sim.send(0, wrong).await;
    let missing = sim.call(0, "GET", "/api/cluster", None, None).await;
    let unknown = sim
        .call(0, "GET", "/api/cluster", Some("deadbeef"), None)
        .await;
    sim.fleet.clock.advance(Duration::from_secs(1200));
    let expired = sim
        .call(0, "GET", "/api/cluster", Some(&cookie), None)
        .await;

    for answer in [wrong, missing, unknown, expired] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.code(), "Unauthenticated");
    }
}

#[tokio::test]
async fn a_request_renews_the_session_so_expiry_slides() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    sim.fleet.clock.advance(Duration::from_secs(1000));
    let renewed = sim.call(0, "GET", "/api/info", Some(&cookie), None).await;
    sim.fleet.clock.advance(Duration::from_secs(1000));
    let still = sim.call(0, "GET", "/api/info", Some(&cookie), None).await;

    assert_eq!(renewed.status, StatusCode::OK);
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let out = sim
        .call(0, "DELETE", "/api/authentication", Some(&cookie), None)
        .await;
    let after = sim.call(0, "GET", "/api/info", Some(&cookie), None).await;

    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_methods_are_listed_without_a_session() {
    let sim = Sim::three();

    let answer = sim
        .call(0, "GET", "/api/authentication/login_methods", None, None)
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["items"][0]["key"], "basic");
}

#[tokio::test]
async fn every_answer_carries_allow_language_and_json_type() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;
    let cases = [
        ("GET", "/api", "GET"),
        ("GET", "/api/transaction", "GET, POST, PUT, DELETE"),
        ("GET", "/api/cluster/nodes", "GET, POST"),
        ("GET", "/api/nowhere", ""),
        ("PATCH", "/api/info", "GET"),
    ];

    for (method, path, allow) in cases {
        let answer = sim.call(0, method, path, Some(&cookie), None).await;

        assert_eq!(answer.headers[header::ALLOW], allow, "{method} {path}");
        assert_eq!(answer.headers[header::CONTENT_LANGUAGE], "en");
        assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    }
}

/// One request and the status and error code it must get.
async fn check(
    sim: &Sim,
    cookie: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    status: u16,
    code: &str,
) {
    let answer = sim.call(0, method, path, Some(cookie), body).await;

    assert_eq!(
        answer.status.as_u16(),
        status,
        "{method} {path}: {}",
        answer.json
    );
    if !code.is_empty() {
        let error: ErrorBody = serde_json::from_value(answer.json.clone()).unwrap();
        assert_eq!(error.error.code, code, "{method} {path}");
        assert_eq!(
            error.error.details.path.as_deref(),
            Some(path.trim_end_matches('/'))
        );
        assert!(!error.error.message.is_empty());
    }
}

#[tokio::test]
async fn error_table() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;
    let cases: [(&str, &str, Option<&str>, u16, &str); 9] = [
        ("GET", "/api/nothing/here", None, 404, "NotFound"),
        ("DELETE", "/api/info", None, 405, "MethodNotAllowed"),
        (
            "POST",
            "/api/cluster/join_request",
            Some("{not json"),
            400,
            "InvalidInput",
        ),
        (
            "POST",
            "/api/cluster/join_request",
            Some("{}"),
            400,
            "InvalidInput",
        ),
        (
            "PUT",
            "/api/transaction",
            Some(r#"{"status":"commit"}"#),
            409,
            "NoOpenTransaction",
        ),
        ("DELETE", "/api/transaction", None, 409, "NoOpenTransaction"),
        ("GET", "/api/cluster/nodes/unknown", None, 404, "NotFound"),
        (
            "DELETE",
            "/api/cluster/nodes/x",
            None,
            409,
            "ClusterStateConflict",
        ),
        ("GET", "/api/cluster/", None, 200, ""),
    ];

    for (method, path, body, status, code) in cases {
        check(&sim, &cookie, method, path, body, status, code).await;
    }
}

#[tokio::test]
async fn a_bad_address_names_its_field() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let answer = sim
        .call(
            0,
            "POST",
            "/api/cluster/join_request",
            Some(&cookie),
            Some(r#"{"central_management_address":"300.1.2.3"}"#),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.json["error"]["details"]["field"],
        "central_management_address"
    );
}

#[tokio::test]
async fn a_post_without_a_body_length_gets_411() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;
    let request = Request::builder()
        .method("POST")
        .uri("/api/transaction")
        .header(header::COOKIE, format!("session_id={cookie}"))
        .body(Body::empty())
        .unwrap();

    let answer = sim.send(0, request).await;

    assert_eq!(answer.status, StatusCode::LENGTH_REQUIRED);
    assert_eq!(answer.code(), "LengthRequired");
}

#[tokio::test]
async fn the_auditor_reads_but_every_change_is_unauthorized() {
    let sim = Sim::three();
    let cookie = sim.login(0, "auditor").await;
    let changes = [
        ("POST", "/api/transaction", None),
        ("PUT", "/api/transaction", Some(r#"{"status":"commit"}"#)),
        ("DELETE", "/api/transaction", None),
        ("POST", "/api/cluster/promote", None),
        (
            "POST",
            "/api/cluster/join_request",
            Some(r#"{"central_management_address":"127.0.0.12"}"#),
        ),
        (
            "PUT",
            "/api/configuration/local_services/cluster",
            Some(r#"{"enabled":false}"#),
        ),
        ("DELETE", "/api/cluster/nodes/x", None),
    ];

    let read = sim
        .call(0, "GET", "/api/cluster/nodes", Some(&cookie), None)
        .await;

    assert_eq!(read.status, StatusCode::OK);
    for (method, path, body) in changes {
        check(&sim, &cookie, method, path, body, 403, "Unauthorized").await;
    }
}

#[tokio::test]
async fn root_and_configuration_indexes_list_their_children() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let root = sim.call(0, "GET", "/api", Some(&cookie), None).await;
    let configuration = sim
        .call(0, "GET", "/api/configuration", Some(&cookie), None)
        .await;
    let services = sim
        .call(
            0,
            "GET",
            "/api/configuration/local_services",
            Some(&cookie),
            None,
        )
        .await;

    let keys = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        keys(&root.json),
        [
            "authentication",
            "cluster",
            "configuration",
            "info",
            "transaction"
        ]
    );
    assert_eq!(root.json["meta"]["cluster"], "/api/cluster");
    assert_eq!(keys(&configuration.json), ["local_services"]);
    assert_eq!(keys(&services.json), ["cluster"]);
}

#[tokio::test]
async fn the_cluster_index_matches_the_seed_exactly() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let answer = sim
        .call(0, "GET", "/api/cluster", Some(&cookie), None)
        .await;

    let seed = json!({
        "items": [
            {"key": "configuration_sync", "meta": {"href": "/api/cluster/configuration_sync"}},
            {"key": "join_request", "meta": {"href": "/api/cluster/join_request"}},
            {"key": "nodes", "meta": {"href": "/api/cluster/nodes"}},
            {"key": "promote", "meta": {"href": "/api/cluster/promote"}},
            {"key": "status", "meta": {"href": "/api/cluster/status"}}
        ],
        "meta": {
            "href": "/api/cluster",
            "join_request": "/api/cluster/join_request",
            "nodes": "/api/cluster/nodes",
            "parent": "/api",
            "promote": "/api/cluster/promote",
            "status": "/api/cluster/status",
            "configuration_sync": "/api/cluster/configuration_sync"
        }
    });
    assert_eq!(answer.json, seed);
}

#[tokio::test]
async fn info_reports_version_and_firmware() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let answer = sim.call(0, "GET", "/api/info", Some(&cookie), None).await;

    assert_eq!(answer.json["body"]["version"], "7.4.0");
    assert_eq!(answer.json["body"]["firmware_version"], "7.4.0");
}

#[tokio::test]
async fn the_cluster_interface_change_stays_pending_until_commit() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;
    let other = sim.login(0, "auditor").await;
    let path = "/api/configuration/local_services/cluster";

    let before = sim.call(0, "GET", path, Some(&cookie), None).await;
    let put = sim
        .call(0, "PUT", path, Some(&cookie), Some(r#"{"enabled":false}"#))
        .await;
    let seen_by_other = sim.call(0, "GET", path, Some(&other), None).await;
    let changes = sim
        .call(0, "GET", "/api/transaction/changes", Some(&cookie), None)
        .await;
    let commit = sim.commit(0, &cookie).await;
    let after = sim.call(0, "GET", path, Some(&other), None).await;

    assert_eq!(
        before.json["body"],
        json!({"enabled": true, "listen_address": "127.0.0.11"})
    );
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(seen_by_other.json["body"]["enabled"], true);
    assert_eq!(
        changes.json["changes"],
        json!([{"type": "replace", "path": path,
            "old_value": {"enabled": true, "listen_address": "127.0.0.11"},
            "new_value": {"enabled": false, "listen_address": "127.0.0.11"}}])
    );
    assert_eq!(commit.json["body"]["status"], "closed");
    assert_eq!(after.json["body"]["enabled"], false);
}

#[tokio::test]
async fn a_transaction_opens_commits_and_reverts_in_the_7x_shape() {
    let sim = Sim::three();
    let cookie = sim.login(0, "admin").await;

    let opened = sim
        .call(0, "POST", "/api/transaction", Some(&cookie), None)
        .await;
    let reverted = sim
        .call(0, "DELETE", "/api/transaction", Some(&cookie), None)
        .await;

    assert_eq!(
        opened.json,
        json!({"body": {"status": "open", "commit_message": "optional"}, "key": "transaction",
            "meta": {"href": "/api/transaction", "parent": "/api",
                "changes": "/api/transaction/changes", "remaining_seconds": 1200}})
    );
    assert_eq!(reverted.json["body"]["status"], "closed");
}

#[tokio::test]
async fn the_lock_is_shared_by_all_sessions_and_names_its_holder() {
    let sim = Sim::three();
    let first = sim.login(0, "admin").await;
    let second = sim.login(0, "admin").await;
    sim.call(0, "POST", "/api/transaction", Some(&first), None)
        .await;

    let open = sim
        .call(0, "POST", "/api/transaction", Some(&second), None)
        .await;
    let write = sim
        .call(
            0,
            "PUT",
            "/api/configuration/local_services/cluster",
            Some(&second),
            Some(r#"{"enabled":false}"#),
        )
        .await;
    let state = sim
        .call(0, "GET", "/api/transaction", Some(&second), None)
        .await;
    sim.commit(0, &first).await;
    let after = sim
        .call(0, "POST", "/api/transaction", Some(&second), None)
        .await;

    for answer in [&open, &write] {
        assert_eq!(answer.status, StatusCode::CONFLICT);
        assert_eq!(answer.code(), "ConfigurationLocked");
        assert_eq!(answer.json["error"]["details"]["locked_by"], "admin");
    }
    assert_eq!(state.json["body"]["status"], "closed");
    assert_eq!(after.json["body"]["status"], "open");
}

#[tokio::test]
async fn an_expired_session_reverts_its_transaction_and_frees_the_lock() {
    let sim = Sim::three();
    let idle = sim.login(0, "admin").await;
    sim.call(
        0,
        "PUT",
        "/api/configuration/local_services/cluster",
        Some(&idle),
        Some(r#"{"enabled":false}"#),
    )
    .await;

    sim.fleet.clock.advance(Duration::from_secs(1201));
    let fresh = sim.login(0, "admin").await;
    let open = sim
        .call(0, "POST", "/api/transaction", Some(&fresh), None)
        .await;
    let interface = sim
        .call(
            0,
            "GET",
            "/api/configuration/local_services/cluster",
            Some(&fresh),
            None,
        )
        .await;

    assert_eq!(open.json["body"]["status"], "open");
    assert_eq!(interface.json["body"]["enabled"], true);
}

#[tokio::test]
async fn a_required_commit_message_is_enforced() {
    let sim = Sim::new(Options {
        require_commit_message: true,
        ..Options::default()
    });
    let cookie = sim.login(0, "admin").await;
    sim.call(0, "POST", "/api/transaction", Some(&cookie), None)
        .await;

    let policy = sim
        .call(0, "GET", "/api/transaction", Some(&cookie), None)
        .await;
    let bare = sim.commit(0, &cookie).await;
    let with_message = sim
        .call(
            0,
            "PUT",
            "/api/transaction",
            Some(&cookie),
            Some(r#"{"status":"commit","commit_message":"why"}"#),
        )
        .await;

    assert_eq!(policy.json["body"]["commit_message"], "required");
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert_eq!(bare.code(), "CommitMessageRequired");
    assert_eq!(with_message.status, StatusCode::OK);
}
