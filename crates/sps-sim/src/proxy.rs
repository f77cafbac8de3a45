//! Reverse-proxy mode (`--listen` with `--dist`): one origin serves the panel's static
//! bundle, `nodes.json` describing the fleet, and forwards `/sps/<node>/...` to that
//! node, rewriting cookie paths the way nginx's `proxy_cookie_path` does, so a browser
//! keeps one session per node.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use sps_api::deployment::{proxy_prefix, NodeLocation, NodesFile};

use crate::api::custom_error;
use crate::fleet::Fleet;

/// The largest request body the proxy forwards.
const BODY_LIMIT: usize = 4 << 20;

#[derive(Clone)]
struct ProxyState {
    fleet: Arc<Fleet>,
    client: reqwest::Client,
    dist: Arc<PathBuf>,
    request_time_limit_ms: Option<u32>,
}

/// The proxy's router: `GET /nodes.json`, `/sps/<node>/...` and static files.
/// `request_time_limit_ms` goes into `nodes.json` for the panel.
pub fn proxy_router(
    fleet: Arc<Fleet>,
    dist: PathBuf,
    request_time_limit_ms: Option<u32>,
) -> Result<Router, String> {
    // The nodes' certificate is self-signed and generated at start, so it cannot be
    // verified; the proxy only ever talks to loopback addresses of this process.
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("could not build the proxy's HTTP client: {e}"))?;
    let state = ProxyState {
        fleet,
        client,
        dist: Arc::new(dist),
        request_time_limit_ms,
    };
    Ok(Router::new()
        .route("/nodes.json", get(nodes_json))
        .fallback(route)
        .with_state(state))
}

async fn nodes_json(State(state): State<ProxyState>) -> Json<NodesFile> {
    let nodes = state
        .fleet
        .handles()
        .iter()
        .map(|h| NodeLocation {
            name: h.name.clone(),
            prefix: proxy_prefix(&h.name),
            cluster_address: h.address.to_string(),
        })
        .collect();
    Json(NodesFile {
        nodes,
        request_time_limit_ms: state.request_time_limit_ms,
    })
}

async fn route(State(state): State<ProxyState>, request: Request) -> Response {
    match request.uri().path().strip_prefix("/sps/") {
        Some(rest) => {
            let rest = rest.to_owned();
            forward(state, rest, request).await
        }
        None => static_file(state, request).await,
    }
}

/// Headers that belong to one connection and are never forwarded.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

fn forwardable(name: &HeaderName) -> bool {
    !HOP_BY_HOP.contains(&name.as_str()) && name != header::CONTENT_LENGTH
}

async fn forward(state: ProxyState, rest: String, request: Request) -> Response {
    let (name, tail) = rest.split_once('/').unwrap_or((rest.as_str(), ""));
    let upstream_path = format!("/{tail}");
    let Some(index) = state.fleet.index_of_name(name) else {
        let message = format!("No node named {name} behind this proxy");
        return custom_error(StatusCode::NOT_FOUND, "NotFound", &message, &upstream_path);
    };
    let (parts, body) = request.into_parts();
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let url = format!("{}{upstream_path}{query}", state.fleet.base_url(index));
    let Ok(method) = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()) else {
        return custom_error(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            "Bad method",
            &upstream_path,
        );
    };
    let has_body = parts.headers.contains_key(header::CONTENT_LENGTH)
        || parts.headers.contains_key(header::TRANSFER_ENCODING);
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let message = "The request body could not be read";
        return custom_error(
            StatusCode::BAD_REQUEST,
            "InvalidInput",
            message,
            &upstream_path,
        );
    };
    let mut upstream = state.client.request(method, url);
    for (header_name, value) in parts.headers.iter().filter(|(n, _)| forwardable(n)) {
        upstream = upstream.header(header_name.as_str(), value.as_bytes());
    }
    // A request that came without a body length goes on without one, so the node can
    // answer 411 as it would to the browser directly.
    // The length is set explicitly because the client leaves it out of an empty body,
    // which the node would answer with 411.
    if has_body {
        upstream = upstream
            .header(header::CONTENT_LENGTH.as_str(), bytes.len())
            .body(bytes);
    }
    let node_name = &state.fleet.handles()[index].name;
    let bad_gateway = |error: reqwest::Error| {
        tracing::info!(node = %node_name, %error, "upstream failed");
        let message = format!("{node_name} could not be reached or broke off its answer");
        custom_error(
            StatusCode::BAD_GATEWAY,
            "BadGateway",
            &message,
            &upstream_path,
        )
    };
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(error) => return bad_gateway(error),
    };
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let body = match answer.bytes().await {
        Ok(body) => body,
        Err(error) => return bad_gateway(error),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    copy_response_headers(&headers, response.headers_mut(), name);
    response
}

fn copy_response_headers(from: &reqwest::header::HeaderMap, to: &mut HeaderMap, node: &str) {
    for (name, value) in from {
        let Ok(name) = HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        if !forwardable(&name) {
            continue;
        }
        let value = match name == header::SET_COOKIE {
            true => value
                .to_str()
                .ok()
                .map(|cookie| rewrite_cookie_path(cookie, node))
                .and_then(|cookie| HeaderValue::from_str(&cookie).ok()),
            false => HeaderValue::from_bytes(value.as_bytes()).ok(),
        };
        if let Some(value) = value {
            to.append(name, value);
        }
    }
}

/// `Path=/...` becomes `Path=/sps/<node>/...`, like `proxy_cookie_path / /sps/<node>/;`.
pub fn rewrite_cookie_path(cookie: &str, node: &str) -> String {
    cookie
        .split(';')
        .map(|attribute| {
            let trimmed = attribute.trim();
            let is_path = trimmed
                .get(..5)
                .is_some_and(|start| start.eq_ignore_ascii_case("path="));
            match is_path {
                true => {
                    let path = &trimmed[5..];
                    let rest = path.strip_prefix('/').unwrap_or(path);
                    format!(" Path={}/{rest}", proxy_prefix(node))
                }
                false => attribute.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Serves a file of the bundle. A path without a file extension that names no file
/// gets `index.html`, so the panel's own routes survive a reload; a missing file with
/// an extension is a plain 404.
async fn static_file(state: ProxyState, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path();
    let Some(relative) = safe_relative(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let wanted = match relative.as_os_str().is_empty() || path.ends_with('/') {
        true => state.dist.join(&relative).join("index.html"),
        false => state.dist.join(&relative),
    };
    if let Ok(contents) = tokio::fs::read(&wanted).await {
        return file_response(&wanted, contents);
    }
    if relative.extension().is_some() {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let index = state.dist.join("index.html");
    match tokio::fs::read(&index).await {
        Ok(contents) => file_response(&index, contents),
        Err(_) => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

/// The request path as a path under the bundle, refusing anything that climbs out.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| relative.to_path_buf())
}

fn file_response(path: &Path, contents: Vec<u8>) -> Response {
    let content_type = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    ([(header::CONTENT_TYPE, content_type)], contents).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_paths_are_rewritten_like_proxy_cookie_path() {
        let cases = [
            (
                "session_id=ab; Path=/; HttpOnly; SameSite=Strict",
                "session_id=ab; Path=/sps/node-2/; HttpOnly; SameSite=Strict",
            ),
            ("a=1; path=/api", "a=1; Path=/sps/node-2/api"),
            ("a=1; HttpOnly", "a=1; HttpOnly"),
        ];

        for (cookie, expected) in cases {
            assert_eq!(rewrite_cookie_path(cookie, "node-2"), expected);
        }
    }

    #[test]
    fn paths_that_climb_out_of_the_bundle_are_refused() {
        assert!(safe_relative("/../etc/passwd").is_none());
        assert_eq!(
            safe_relative("/pkg/app.js"),
            Some(PathBuf::from("pkg/app.js"))
        );
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
    }
}
