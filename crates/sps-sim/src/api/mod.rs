//! The `/api` routes of one node. [`node_router`] builds the router that a node's
//! listener serves and that tests call directly without a socket.
//!
//! Routing is done here rather than by axum's method router, because SPS answers every
//! miss in its own shape: an unknown path is a JSON 404, a wrong method a JSON 405 with
//! `Allow`, a POST without a body length 411, and every answer carries `Allow`,
//! `Content-Language` and `Content-Type`.

mod authentication;
mod cluster;
mod configuration;
mod index;
mod transaction;

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use sps_api::auth::SESSION_COOKIE;
use sps_api::{ErrorBody, ErrorCode};

use crate::clock::SimTime;
use crate::fleet::{Fleet, World};
use crate::node::{NodeState, User};

/// The largest request body a node reads; SPS bodies are small.
const BODY_LIMIT: usize = 1 << 20;

/// The router of node `index` of `fleet`.
pub fn node_router(fleet: Arc<Fleet>, index: usize) -> Router {
    Router::new()
        .fallback(dispatch)
        .with_state(NodeRef { fleet, index })
}

#[derive(Clone)]
struct NodeRef {
    fleet: Arc<Fleet>,
    index: usize,
}

/// Every resource a node serves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    Root,
    Authentication,
    LoginMethods,
    Info,
    Transaction,
    TransactionChanges,
    Configuration,
    LocalServices,
    ClusterInterface,
    Cluster,
    Promote,
    JoinRequest,
    Nodes,
    Node(String),
    Status,
    StatusEntry(String),
    ConfigurationSync,
}

impl Resource {
    fn resolve(path: &str) -> Option<Resource> {
        let resource = match path {
            "/api" => Resource::Root,
            "/api/authentication" => Resource::Authentication,
            "/api/authentication/login_methods" => Resource::LoginMethods,
            "/api/info" => Resource::Info,
            "/api/transaction" => Resource::Transaction,
            "/api/transaction/changes" => Resource::TransactionChanges,
            "/api/configuration" => Resource::Configuration,
            "/api/configuration/local_services" => Resource::LocalServices,
            "/api/configuration/local_services/cluster" => Resource::ClusterInterface,
            "/api/cluster" => Resource::Cluster,
            "/api/cluster/promote" => Resource::Promote,
            "/api/cluster/join_request" => Resource::JoinRequest,
            "/api/cluster/nodes" => Resource::Nodes,
            "/api/cluster/status" => Resource::Status,
            "/api/cluster/configuration_sync" => Resource::ConfigurationSync,
            _ => {
                let child = |prefix: &str| {
                    path.strip_prefix(prefix)
                        .filter(|id| !id.is_empty() && !id.contains('/'))
                        .map(str::to_owned)
                };
                if let Some(id) = child("/api/cluster/nodes/") {
                    Resource::Node(id)
                } else if let Some(id) = child("/api/cluster/status/") {
                    Resource::StatusEntry(id)
                } else {
                    return None;
                }
            }
        };
        Some(resource)
    }

    fn allow(&self) -> &'static str {
        match self {
            Resource::Authentication => "GET, DELETE",
            Resource::Transaction => "GET, POST, PUT, DELETE",
            Resource::ClusterInterface => "GET, PUT",
            Resource::Promote => "POST",
            Resource::JoinRequest | Resource::Nodes | Resource::ConfigurationSync => "GET, POST",
            Resource::Node(_) => "GET, PUT, DELETE",
            Resource::Root
            | Resource::LoginMethods
            | Resource::Info
            | Resource::TransactionChanges
            | Resource::Configuration
            | Resource::LocalServices
            | Resource::Cluster
            | Resource::Status
            | Resource::StatusEntry(_) => "GET",
        }
    }

    fn allows(&self, method: &Method) -> bool {
        self.allow().split(", ").any(|m| m == method.as_str())
    }
}

/// A successful answer.
pub(crate) struct Reply {
    status: StatusCode,
    body: Option<Value>,
    cookie: Option<String>,
}

impl Reply {
    fn with_status(status: StatusCode, body: &impl Serialize) -> Result<Reply, ApiError> {
        let body = serde_json::to_value(body).map_err(|error| {
            tracing::error!(%error, "could not serialise an answer");
            ApiError::new(ErrorCode::InternalError, "The answer could not be encoded")
        })?;
        Ok(Reply {
            status,
            body: Some(body),
            cookie: None,
        })
    }

    pub(crate) fn ok(body: &impl Serialize) -> Result<Reply, ApiError> {
        Reply::with_status(StatusCode::OK, body)
    }

    pub(crate) fn created(body: &impl Serialize) -> Result<Reply, ApiError> {
        Reply::with_status(StatusCode::CREATED, body)
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            cookie: None,
        }
    }
}

/// An error answer, turned into `sps_api::ErrorBody` with the request's path.
#[derive(Debug)]
pub(crate) struct ApiError {
    code: ErrorCode,
    message: String,
    field: Option<String>,
    locked_by: Option<String>,
}

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            locked_by: None,
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut error = ApiError::new(ErrorCode::InvalidInput, message);
        error.field = Some(field.to_owned());
        error
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::ClusterStateConflict, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, message)
    }

    pub(crate) fn locked(user: impl Into<String>) -> Self {
        let user = user.into();
        let mut error = ApiError::new(
            ErrorCode::ConfigurationLocked,
            format!("The configuration is locked by {user}, who has an open transaction"),
        );
        error.locked_by = Some(user);
        error
    }

    fn body(&self, path: &str) -> ErrorBody {
        let mut body = ErrorBody::new(self.code, self.message.clone(), path);
        body.error.details.field = self.field.clone();
        body.error.details.locked_by = self.locked_by.clone();
        body
    }
}

/// Everything a handler needs, with the fleet's lock held.
pub(crate) struct Ctx<'a> {
    pub fleet: &'a Fleet,
    pub world: &'a mut World,
    pub index: usize,
    pub now: SimTime,
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The authenticated session, once authentication has run.
    pub session: Option<(String, User)>,
}

impl Ctx<'_> {
    pub fn state(&mut self) -> &mut NodeState {
        &mut self.world.states[self.index]
    }

    pub fn address(&self) -> Ipv4Addr {
        self.fleet.handles()[self.index].address
    }

    pub fn session_id(&self) -> &str {
        self.session.as_ref().map_or("", |(id, _)| id.as_str())
    }

    pub fn user_name(&self) -> &'static str {
        self.session.as_ref().map_or("", |(_, user)| user.name)
    }

    /// Seconds until the session expires: the request just renewed it.
    pub fn remaining_seconds(&self) -> u64 {
        self.fleet.settings.session_idle.as_secs()
    }

    pub fn tls(&self) -> bool {
        self.fleet.settings.tls
    }
}

async fn dispatch(State(node): State<NodeRef>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path();
    let path = match raw_path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let Some(resource) = Resource::resolve(path) else {
        let error = ApiError::not_found(format!("The resource {path} does not exist"));
        return error_response(&error, path, "");
    };
    let allow = resource.allow();
    if !resource.allows(&parts.method) {
        let message = format!("Method {} is not allowed on {path}", parts.method);
        return error_response(
            &ApiError::new(ErrorCode::MethodNotAllowed, message),
            path,
            allow,
        );
    }
    if parts.method == Method::POST && !has_body_length(&parts.headers) {
        let error = ApiError::new(
            ErrorCode::LengthRequired,
            "A POST request must carry a body length (Content-Length or chunked encoding)",
        );
        return error_response(&error, path, allow);
    }
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = ApiError::invalid("body", "The request body could not be read");
            return error_response(&error, path, allow);
        }
    };
    let outcome = {
        let fleet = &node.fleet;
        let mut world = fleet.world();
        let mut ctx = Ctx {
            fleet,
            world: &mut world,
            index: node.index,
            now: fleet.clock.now(),
            method: &parts.method,
            headers: &parts.headers,
            body: &bytes,
            session: None,
        };
        handle(&mut ctx, &resource)
    };
    match outcome {
        Ok(reply) => reply_response(reply, allow),
        Err(error) => error_response(&error, path, allow),
    }
}

fn has_body_length(headers: &HeaderMap) -> bool {
    headers.contains_key(header::CONTENT_LENGTH) || headers.contains_key(header::TRANSFER_ENCODING)
}

fn handle(ctx: &mut Ctx<'_>, resource: &Resource) -> Result<Reply, ApiError> {
    let idle = ctx.fleet.settings.session_idle;
    let now = ctx.now;
    ctx.state().expire_sessions(now, idle);
    match resource {
        Resource::Authentication => return authentication::authentication(ctx),
        Resource::LoginMethods => return authentication::login_methods(),
        _ => {}
    }
    authenticate(ctx)?;
    let read_only = ctx.session.as_ref().is_some_and(|(_, user)| user.read_only);
    if *ctx.method != Method::GET && read_only {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            format!(
                "User {} may not change the configuration or the cluster",
                ctx.user_name()
            ),
        ));
    }
    let method = ctx.method.clone();
    match (resource, method) {
        (Resource::Root, _) => index::root(),
        (Resource::Info, _) => configuration::info(ctx),
        (Resource::Configuration, _) => index::configuration(),
        (Resource::LocalServices, _) => index::local_services(),
        (Resource::ClusterInterface, Method::GET) => configuration::get_cluster_interface(ctx),
        (Resource::ClusterInterface, _) => configuration::put_cluster_interface(ctx),
        (Resource::Transaction, Method::GET) => transaction::get(ctx),
        (Resource::Transaction, Method::POST) => transaction::open(ctx),
        (Resource::Transaction, Method::PUT) => transaction::commit(ctx),
        (Resource::Transaction, _) => transaction::revert(ctx),
        (Resource::TransactionChanges, _) => transaction::changes(ctx),
        (Resource::Cluster, _) => index::cluster(),
        (Resource::Promote, _) => cluster::promote(ctx),
        (Resource::JoinRequest, Method::GET) => cluster::get_join_request(ctx),
        (Resource::JoinRequest, _) => cluster::post_join_request(ctx),
        (Resource::Nodes, Method::GET) => cluster::list_nodes(ctx),
        (Resource::Nodes, _) => cluster::add_node(ctx),
        (Resource::Node(id), Method::GET) => cluster::get_node(ctx, id),
        (Resource::Node(id), Method::PUT) => cluster::put_node(ctx, id),
        (Resource::Node(id), _) => cluster::delete_node(ctx, id),
        (Resource::Status, _) => cluster::status(ctx),
        (Resource::StatusEntry(id), _) => cluster::status_entry(ctx, id),
        (Resource::ConfigurationSync, Method::GET) => cluster::get_configuration_sync(ctx),
        (Resource::ConfigurationSync, _) => cluster::post_configuration_sync(ctx),
        (Resource::Authentication | Resource::LoginMethods, _) => {
            Err(ApiError::not_found("unreachable"))
        }
    }
}

/// Finds the request's session from its cookie and renews it.
fn authenticate(ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
    let now = ctx.now;
    let found = session_cookie(ctx.headers).and_then(|id| {
        let session = ctx.state().sessions.get_mut(&id)?;
        session.last_seen = now;
        Some((id, session.user))
    });
    match found {
        Some(session) => {
            ctx.session = Some(session);
            Ok(())
        }
        None => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "Authentication required: the session is missing or has expired",
        )),
    }
}

/// The `session_id` cookie's value, if the request carries one.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Field types a request body may carry, checked before deserialising so that a bad
/// field is named in `details.field` rather than hidden in a serde message.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Text,
    Flag,
    TextList,
}

/// Parses a request body as `T`, after checking each listed field `(name, kind,
/// required)`. An empty body counts as `{}`.
pub(crate) fn parse_body<T: DeserializeOwned>(
    body: &[u8],
    fields: &[(&str, Kind, bool)],
) -> Result<T, ApiError> {
    let value: Value = match body.iter().all(u8::is_ascii_whitespace) {
        true => Value::Object(serde_json::Map::new()),
        false => serde_json::from_slice(body)
            .map_err(|_| ApiError::invalid("body", "The request body is not valid JSON"))?,
    };
    let Value::Object(object) = &value else {
        return Err(ApiError::invalid(
            "body",
            "The request body must be a JSON object",
        ));
    };
    for &(name, kind, required) in fields {
        let fits = match (object.get(name), kind) {
            (None | Some(Value::Null), _) => !required,
            (Some(Value::String(_)), Kind::Text) | (Some(Value::Bool(_)), Kind::Flag) => true,
            (Some(Value::Array(items)), Kind::TextList) => items.iter().all(Value::is_string),
            _ => false,
        };
        if !fits {
            let message = match object.get(name) {
                None | Some(Value::Null) => format!("The field {name} is required"),
                Some(_) => format!("The field {name} has the wrong type"),
            };
            return Err(ApiError::invalid(name, message));
        }
    }
    serde_json::from_value(value)
        .map_err(|_| ApiError::invalid("body", "The request body does not have the expected shape"))
}

/// Parses an IPv4 address given in `field`.
pub(crate) fn parse_address(text: &str, field: &str) -> Result<Ipv4Addr, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, format!("{field} must be an IPv4 address")))
}

fn reply_response(reply: Reply, allow: &'static str) -> Response {
    let body = match &reply.body {
        Some(value) => Body::from(serde_json::to_vec(value).unwrap_or_default()),
        None => Body::empty(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    add_standard_headers(response.headers_mut(), allow);
    if let Some(cookie) = reply.cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn error_response(error: &ApiError, path: &str, allow: &'static str) -> Response {
    let status =
        StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&error.body(path)).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    add_standard_headers(response.headers_mut(), allow);
    response
}

/// The headers every SPS answer carries.
pub(crate) fn add_standard_headers(headers: &mut HeaderMap, allow: &'static str) {
    headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("en"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
}

/// An SPS-shaped error answer for a code outside [`ErrorCode`], used by injected
/// faults and the proxy.
pub fn custom_error(status: StatusCode, code: &str, message: &str, path: &str) -> Response {
    error_answer(status, &custom_error_body(code, message, path))
}

/// The body [`custom_error`] sends, for a caller that adds details first.
pub fn custom_error_body(code: &str, message: &str, path: &str) -> ErrorBody {
    let mut body = ErrorBody::new(ErrorCode::InternalError, message, path);
    body.error.code = code.to_owned();
    body
}

/// `body` as an answer with `status` and the standard headers.
pub fn error_answer(status: StatusCode, body: &ErrorBody) -> Response {
    let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    add_standard_headers(response.headers_mut(), "");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_known_paths_and_rejects_nested_ids() {
        assert_eq!(Resource::resolve("/api/cluster"), Some(Resource::Cluster));
        assert_eq!(
            Resource::resolve("/api/cluster/nodes/abc"),
            Some(Resource::Node("abc".into()))
        );
        assert_eq!(Resource::resolve("/api/cluster/nodes/abc/x"), None);
        assert_eq!(Resource::resolve("/api/nothing"), None);
    }

    #[test]
    fn parse_body_names_the_failing_field() {
        let fields = [("central_management_address", Kind::Text, true)];

        let missing = parse_body::<Value>(b"{}", &fields).unwrap_err();
        let wrong = parse_body::<Value>(br#"{"central_management_address":1}"#, &fields);
        let broken = parse_body::<Value>(b"{nope", &fields).unwrap_err();

        assert_eq!(missing.field.as_deref(), Some("central_management_address"));
        assert_eq!(wrong.unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(broken.field.as_deref(), Some("body"));
    }

    #[test]
    fn session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; session_id=abc; b=2"),
        );

        assert_eq!(session_cookie(&headers).as_deref(), Some("abc"));
    }
}
