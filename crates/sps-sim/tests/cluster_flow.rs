//! The vendor's documented cluster flow, in process, with every answer compared field
//! by field to the seed's samples; and the cluster rules around it.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use common::{assert_matches_seed, Sim};

const SEED_PROMOTE: &str = r#"{"body": {"address": "<IP-address-of-Central-Management-node>",
    "roles": ["central-management"]},
    "meta": {"href": "/api/cluster/nodes/b35c54da-b556-4f91-ade5-d26283d68277",
    "parent": "/api/cluster/nodes", "remaining_seconds": 28800}}"#;

const SEED_JOIN_REQUEST: &str = r#"{"body": {"address": "<IP-address-of-node-joined-to-cluster>",
    "node_id": "46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    "psk": "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn", "roles": []},
    "meta": {"href": "/api/cluster/join_request", "parent": "/api/cluster",
    "remaining_seconds": 600}}"#;

const SEED_NODES_POST: &str = r#"{"body": {"address": "<IP-address-of-node-joined-to-cluster>",
    "roles": []}, "key": "46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    "meta": {"href": "/api/cluster/nodes/46f97a58-4028-467d-9a22-9cfe78ae3e1c",
    "parent": "/api/cluster/nodes", "remaining_seconds": 28800}}"#;

const SEED_JOIN_STATUS: &str = r#"{"details": {"central_management_address":
    "<IP-address-of-Central-Management-node>"},
    "meta": {"href": "/api/cluster/join_request", "parent": "/api/cluster",
    "remaining_seconds": 600}, "status": "in cluster"}"#;

/// Promotes node-1 and commits; returns the admin sessions of node-1 and node-2.
async fn promoted(sim: &Sim) -> (String, String) {
    let cm = sim.login(0, "admin").await;
    let joining = sim.login(1, "admin").await;
    sim.call(0, "POST", "/api/cluster/promote", Some(&cm), None)
        .await;
    sim.commit(0, &cm).await;
    (cm, joining)
}

/// Runs join_request on `node` and the nodes POST on node-1; commits neither.
async fn request_and_add(sim: &Sim, cm: &str, joining: &str, node: usize) -> serde_json::Value {
    let body = json!({"central_management_address": sim.address(0)}).to_string();
    let request = sim
        .call(
            node,
            "POST",
            "/api/cluster/join_request",
            Some(joining),
            Some(&body),
        )
        .await;
    let added = sim
        .call(
            0,
            "POST",
            "/api/cluster/nodes",
            Some(cm),
            Some(&request.json["body"].to_string()),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    request.json
}

#[tokio::test]
async fn the_documented_flow_matches_the_seed_and_reaches_in_cluster() {
    let sim = Sim::three();
    let cm = sim.login(0, "admin").await;
    let joining = sim.login(1, "admin").await;

    sim.call(0, "POST", "/api/transaction", Some(&cm), None)
        .await;
    let promote = sim
        .call(0, "POST", "/api/cluster/promote", Some(&cm), None)
        .await;
    sim.commit(0, &cm).await;
    sim.call(1, "POST", "/api/transaction", Some(&joining), None)
        .await;
    let body = json!({"central_management_address": sim.address(0)}).to_string();
    let request = sim
        .call(
            1,
            "POST",
            "/api/cluster/join_request",
            Some(&joining),
            Some(&body),
        )
        .await;
    let add_body = request.json["body"].to_string();
    sim.call(0, "POST", "/api/transaction", Some(&cm), None)
        .await;
    let added = sim
        .call(0, "POST", "/api/cluster/nodes", Some(&cm), Some(&add_body))
        .await;
    let before = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;
    sim.commit(0, &cm).await;
    sim.commit(1, &joining).await;
    let in_progress = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;
    sim.fleet.clock.advance(Duration::from_millis(2000));
    let in_cluster = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;

    assert_eq!(promote.status, StatusCode::CREATED);
    assert_matches_seed(&promote.json, SEED_PROMOTE);
    assert_eq!(promote.json["body"]["address"], sim.address(0));
    assert_matches_seed(&request.json, SEED_JOIN_REQUEST);
    assert_eq!(request.json["body"]["address"], sim.address(1));
    assert_eq!(request.json["meta"]["remaining_seconds"], 600);
    assert_matches_seed(&added.json, SEED_NODES_POST);
    assert_eq!(added.json["key"], request.json["body"]["node_id"]);
    assert_eq!(before.json["status"], "not configured");
    assert!(before.json["details"]
        .get("central_management_address")
        .is_none());
    assert_eq!(in_progress.json["status"], "in progress");
    assert_matches_seed(&in_cluster.json, SEED_JOIN_STATUS);
    assert_eq!(
        in_cluster.json["details"]["central_management_address"],
        sim.address(0)
    );
}

#[tokio::test]
async fn the_join_counts_from_the_later_commit_in_either_order() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    request_and_add(&sim, &cm, &joining, 1).await;

    sim.commit(1, &joining).await;
    let one_side = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;
    sim.fleet.clock.advance(Duration::from_secs(5));
    sim.commit(0, &cm).await;
    let both = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;

    assert_eq!(one_side.json["status"], "not configured");
    assert_eq!(both.json["status"], "in progress");
}

#[tokio::test]
async fn status_nodes_and_roles_after_a_join() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    let request = request_and_add(&sim, &cm, &joining, 1).await;
    let node_id = request["body"]["node_id"].as_str().unwrap().to_owned();
    sim.commit(0, &cm).await;
    sim.commit(1, &joining).await;
    sim.fleet.clock.advance(Duration::from_secs(25));

    let status = sim
        .call(0, "GET", "/api/cluster/status", Some(&cm), None)
        .await;
    let nodes = sim
        .call(0, "GET", "/api/cluster/nodes", Some(&cm), None)
        .await;
    let own_view = sim
        .call(1, "GET", "/api/cluster/nodes", Some(&joining), None)
        .await;
    let one = sim
        .call(
            0,
            "GET",
            &format!("/api/cluster/nodes/{node_id}"),
            Some(&cm),
            None,
        )
        .await;
    let bad_roles = sim
        .call(
            0,
            "PUT",
            &format!("/api/cluster/nodes/{node_id}"),
            Some(&cm),
            Some(&json!({"address": sim.address(1), "roles": ["search-master"]}).to_string()),
        )
        .await;
    let good_roles = sim
        .call(
            0,
            "PUT",
            &format!("/api/cluster/nodes/{node_id}"),
            Some(&cm),
            Some(
                &json!({"address": sim.address(1), "roles": ["managed-host", "search-minion"]})
                    .to_string(),
            ),
        )
        .await;

    let items = status.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["sync_status"], "n/a");
    assert_eq!(items[1]["key"], node_id.as_str());
    assert_eq!(items[1]["sync_status"], "up-to-date");
    assert!(items[1]["last_seen"].as_str().unwrap().ends_with('Z'));
    assert!(items[1]["health_status"]["total_sessions"].is_u64());
    assert_eq!(
        status.json["meta"]["self"],
        format!("/api/cluster/status/{}", items[0]["key"].as_str().unwrap())
    );
    assert_eq!(nodes.json["items"].as_array().unwrap().len(), 2);
    assert_eq!(own_view.json["items"][0]["key"], node_id.as_str());
    assert_eq!(
        one.json["meta"]["status"],
        format!("/api/cluster/status/{node_id}")
    );
    assert_eq!(bad_roles.code(), "RoleRulesViolated");
    assert_eq!(good_roles.status, StatusCode::OK);
    assert_eq!(
        good_roles.json["body"]["roles"],
        json!(["managed-host", "search-minion"])
    );
}

#[tokio::test]
async fn an_offline_node_freezes_last_seen_and_loses_health() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    request_and_add(&sim, &cm, &joining, 1).await;
    sim.commit(0, &cm).await;
    sim.commit(1, &joining).await;
    sim.fleet.clock.advance(Duration::from_secs(15));

    sim.fleet.set_online(1, false);
    let first = sim
        .call(0, "GET", "/api/cluster/status", Some(&cm), None)
        .await;
    sim.fleet.clock.advance(Duration::from_secs(60));
    let later = sim
        .call(0, "GET", "/api/cluster/status", Some(&cm), None)
        .await;

    assert_eq!(
        first.json["items"][1]["last_seen"],
        later.json["items"][1]["last_seen"]
    );
    assert!(later.json["items"][1]["health_status"].is_null());
    assert_ne!(
        first.json["items"][0]["last_seen"],
        later.json["items"][0]["last_seen"]
    );
}

#[tokio::test]
async fn a_commit_on_the_central_management_node_is_pending_until_the_next_report() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    request_and_add(&sim, &cm, &joining, 1).await;
    sim.commit(0, &cm).await;
    sim.commit(1, &joining).await;
    sim.fleet.clock.advance(Duration::from_secs(3));

    sim.call(
        0,
        "PUT",
        "/api/configuration/local_services/cluster",
        Some(&cm),
        Some(r#"{"enabled":true,"listen_address":"127.0.0.11"}"#),
    )
    .await;
    sim.call(0, "POST", "/api/transaction", Some(&cm), None)
        .await;
    sim.commit(0, &cm).await;
    sim.fleet.clock.advance(Duration::from_secs(1));
    let pending = sim
        .call(0, "GET", "/api/cluster/configuration_sync", Some(&cm), None)
        .await;
    sim.call(
        0,
        "POST",
        "/api/cluster/configuration_sync",
        Some(&cm),
        None,
    )
    .await;
    let synced = sim
        .call(0, "GET", "/api/cluster/configuration_sync", Some(&cm), None)
        .await;

    assert_eq!(pending.json["items"][0]["sync_status"], "pending");
    assert_eq!(synced.json["items"][0]["sync_status"], "up-to-date");
}

#[tokio::test]
async fn removing_a_node_resets_its_join_status_after_commit() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    let request = request_and_add(&sim, &cm, &joining, 1).await;
    let node_id = request["body"]["node_id"].as_str().unwrap().to_owned();
    sim.commit(0, &cm).await;
    sim.commit(1, &joining).await;
    sim.fleet.clock.advance(Duration::from_secs(3));

    let removed = sim
        .call(
            0,
            "DELETE",
            &format!("/api/cluster/nodes/{node_id}"),
            Some(&cm),
            None,
        )
        .await;
    let before_commit = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;
    sim.commit(0, &cm).await;
    let after = sim
        .call(1, "GET", "/api/cluster/join_request", Some(&joining), None)
        .await;

    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(before_commit.json["status"], "in cluster");
    assert_eq!(after.json["status"], "not configured");
}

#[tokio::test]
async fn cluster_conflicts_table() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    let third = sim.login(2, "admin").await;
    let own = json!({"central_management_address": sim.address(1)}).to_string();
    let to_cm = json!({"central_management_address": sim.address(0)}).to_string();

    let again = sim
        .call(0, "POST", "/api/cluster/promote", Some(&cm), None)
        .await;
    let itself = sim
        .call(
            1,
            "POST",
            "/api/cluster/join_request",
            Some(&joining),
            Some(&own),
        )
        .await;
    let cm_joins = sim
        .call(
            0,
            "POST",
            "/api/cluster/join_request",
            Some(&cm),
            Some(&to_cm),
        )
        .await;
    let not_cm = sim
        .call(
            2,
            "POST",
            "/api/cluster/nodes",
            Some(&third),
            Some(r#"{"address":"127.0.0.12","node_id":"x","psk":"y","roles":[]}"#),
        )
        .await;
    let request = request_and_add(&sim, &cm, &joining, 1).await;
    let twice = sim
        .call(
            0,
            "POST",
            "/api/cluster/nodes",
            Some(&cm),
            Some(&request["body"].to_string()),
        )
        .await;
    let wrong_psk = {
        let mut body = sim
            .call(
                2,
                "POST",
                "/api/cluster/join_request",
                Some(&third),
                Some(&to_cm),
            )
            .await
            .json["body"]
            .clone();
        body["psk"] = json!("A".repeat(64));
        sim.call(
            0,
            "POST",
            "/api/cluster/nodes",
            Some(&cm),
            Some(&body.to_string()),
        )
        .await
    };
    let cm_removed = {
        let own_id = sim.fleet.state_view(0).node_id.unwrap();
        sim.call(
            0,
            "DELETE",
            &format!("/api/cluster/nodes/{own_id}"),
            Some(&cm),
            None,
        )
        .await
    };

    for answer in [&again, &itself, &cm_joins, &not_cm, &twice, &cm_removed] {
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.json);
        assert_eq!(answer.code(), "ClusterStateConflict");
    }
    assert_eq!(wrong_psk.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_psk.json["error"]["details"]["field"], "psk");
}

#[tokio::test]
async fn a_version_mismatch_or_disabled_interface_blocks_the_join() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    let third = sim.login(2, "admin").await;
    let to_cm = json!({"central_management_address": sim.address(0)}).to_string();
    sim.fleet.world().states[1].version = "7.3.0".into();
    let request = sim
        .call(
            1,
            "POST",
            "/api/cluster/join_request",
            Some(&joining),
            Some(&to_cm),
        )
        .await;

    let mismatch = sim
        .call(
            0,
            "POST",
            "/api/cluster/nodes",
            Some(&cm),
            Some(&request.json["body"].to_string()),
        )
        .await;
    sim.call(
        2,
        "PUT",
        "/api/configuration/local_services/cluster",
        Some(&third),
        Some(r#"{"enabled":false}"#),
    )
    .await;
    sim.commit(2, &third).await;
    let disabled = sim
        .call(
            2,
            "POST",
            "/api/cluster/join_request",
            Some(&third),
            Some(&to_cm),
        )
        .await;

    assert_eq!(mismatch.code(), "ClusterStateConflict");
    let message = mismatch.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("7.3.0") && message.contains("7.4.0"),
        "{message}"
    );
    assert_eq!(disabled.code(), "ClusterStateConflict");
}

#[tokio::test]
async fn an_expired_psk_is_refused() {
    let sim = Sim::three();
    let (cm, joining) = promoted(&sim).await;
    let to_cm = json!({"central_management_address": sim.address(0)}).to_string();
    let request = sim
        .call(
            1,
            "POST",
            "/api/cluster/join_request",
            Some(&joining),
            Some(&to_cm),
        )
        .await;

    sim.fleet.clock.advance(Duration::from_secs(601));
    let late = sim
        .call(
            0,
            "POST",
            "/api/cluster/nodes",
            Some(&cm),
            Some(&request.json["body"].to_string()),
        )
        .await;

    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert_eq!(late.json["error"]["details"]["field"], "psk");
}
