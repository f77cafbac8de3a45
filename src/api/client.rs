//! [`NodeClient`]: typed requests to one node through its same-origin prefix.

use std::cell::Cell;

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sps_api::auth::Authentication;
use sps_api::deployment::NodeLocation;
use sps_api::paths;
use web_sys::RequestCredentials;

use super::activity::{self, ActivityEntry};
use super::in_flight;
use super::path::{checked_api_path, checked_prefix};
use super::{ApiError, Credentials, PANEL_HEADER};

/// How long the panel waits for any one answer before it calls the request failed,
/// unless `nodes.json` says otherwise. An SPS answers in well under a second; half a
/// minute covers a loaded appliance behind a proxy.
pub const REQUEST_TIME_LIMIT_MS: u32 = 30_000;

thread_local! {
    // One deployment-wide setting read by every request; the panel is single-threaded
    // (wasm32), and `nodes.json` sets it once, before any node is known.
    static TIME_LIMIT_MS: Cell<u32> = const { Cell::new(REQUEST_TIME_LIMIT_MS) };
}

/// Sets the time limit of every request from now on (`None`: the default).
pub fn set_request_time_limit(ms: Option<u32>) {
    TIME_LIMIT_MS.with(|limit| limit.set(ms.unwrap_or(REQUEST_TIME_LIMIT_MS)));
}

/// The time limit requests are sent with.
pub fn request_time_limit_ms() -> u32 {
    TIME_LIMIT_MS.with(Cell::get)
}

/// A typed answer, with the parts of the HTTP answer the panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub value: T,
    pub status: u16,
    /// The methods the resource permits (`Allow` header), upper case.
    pub allow: Vec<String>,
}

/// Requests to one node. Cheap to clone; holds no secret (the session is a cookie the
/// browser keeps per node prefix, out of the panel's reach).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeClient {
    pub node: String,
    pub prefix: String,
}

impl NodeClient {
    pub fn new(location: &NodeLocation) -> Self {
        NodeClient {
            node: location.name.clone(),
            prefix: location.prefix.clone(),
        }
    }

    /// Signs in with HTTP Basic credentials; the node answers with the session cookie.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<Authentication, ApiError> {
        let authorization = credentials.basic_authorization();
        let reply = self
            .send(
                Method::GET,
                paths::AUTHENTICATION,
                None,
                Some(&authorization),
            )
            .await?;
        parse(self, "GET", paths::AUTHENTICATION, reply).map(|reply| reply.value)
    }

    /// Ends the session. A node that does not support it (404, 405) is fine: the panel
    /// forgets the session either way.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        match self
            .send(Method::DELETE, paths::AUTHENTICATION, None, None)
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if matches!(error.status, Some(401 | 404 | 405)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Reply<T>, ApiError> {
        let reply = self.send(Method::GET, path, None, None).await?;
        parse(self, "GET", path, reply)
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Reply<T>, ApiError> {
        let json = self.encode("POST", path, body)?;
        let reply = self.send(Method::POST, path, Some(json), None).await?;
        parse(self, "POST", path, reply)
    }

    /// A POST with an empty JSON body: SPS answers 411 to a POST without a body length.
    pub async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> Result<Reply<T>, ApiError> {
        self.post(path, &serde_json::json!({})).await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Reply<T>, ApiError> {
        let json = self.encode("PUT", path, body)?;
        let reply = self.send(Method::PUT, path, Some(json), None).await?;
        parse(self, "PUT", path, reply)
    }

    /// A DELETE; the body of the answer, if any, is not read.
    pub async fn delete(&self, path: &str) -> Result<u16, ApiError> {
        let raw = self.send(Method::DELETE, path, None, None).await?;
        Ok(raw.status)
    }

    fn encode<B: Serialize>(
        &self,
        method: &'static str,
        path: &str,
        body: &B,
    ) -> Result<String, ApiError> {
        serde_json::to_string(body).map_err(|error| {
            ApiError::refused(
                &self.node,
                method,
                path,
                &format!("bad request body: {error}"),
            )
        })
    }

    /// Sends one request and reads the whole answer. Non-2xx answers become errors here;
    /// 2xx answers come back as text for the caller to parse.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        authorization: Option<&str>,
    ) -> Result<RawReply, ApiError> {
        let method_name = method_name(&method);
        let url = self.url(method_name, path)?;
        let _slot = in_flight::acquire().await;
        let started = now_ms();
        let outcome = self
            .exchange(method, &url, method_name, path, body, authorization)
            .await;
        activity::record(ActivityEntry {
            time_ms: started,
            node: self.node.clone(),
            method: method_name,
            path: path.to_owned(),
            status: match &outcome {
                Ok(raw) => Some(raw.status),
                Err(error) => error.status,
            },
            duration_ms: now_ms() - started,
        });
        outcome
    }

    async fn exchange(
        &self,
        method: Method,
        url: &str,
        method_name: &'static str,
        path: &str,
        body: Option<String>,
        authorization: Option<&str>,
    ) -> Result<RawReply, ApiError> {
        let limit_ms = request_time_limit_ms();
        let time_limit = web_sys::AbortSignal::timeout_with_u32(limit_ms);
        let mut builder = RequestBuilder::new(url)
            .method(method)
            .credentials(RequestCredentials::Include)
            .abort_signal(Some(&time_limit))
            .header("Accept", "application/json")
            .header(PANEL_HEADER.0, PANEL_HEADER.1);
        if let Some(authorization) = authorization {
            builder = builder.header("Authorization", authorization);
        }
        let request = match body {
            Some(json) => builder
                .header("Content-Type", "application/json")
                .body(json),
            None => builder.build(),
        };
        let network = |detail: &str| ApiError::network(&self.node, method_name, path, detail);
        let request = request.map_err(|_| network("the browser refused to build the request"))?;
        let response = request.send().await.map_err(|_| {
            if time_limit.aborted() {
                network(&format!(
                    "no answer within the time limit of {}",
                    seconds(limit_ms)
                ))
            } else {
                network("connection failed")
            }
        })?;
        let raw = read(response)
            .await
            .map_err(|_| network("the answer was cut off"))?;
        if (200..300).contains(&raw.status) {
            Ok(raw)
        } else {
            Err(ApiError::from_status(
                &self.node,
                method_name,
                path,
                raw.status,
                &raw.text,
            ))
        }
    }

    fn url(&self, method: &'static str, path: &str) -> Result<String, ApiError> {
        let refuse = |why: String| ApiError::refused(&self.node, method, path, &why);
        let prefix = checked_prefix(&self.prefix).map_err(refuse)?;
        let path = checked_api_path(path).map_err(refuse)?;
        Ok(format!("{prefix}{path}"))
    }
}

struct RawReply {
    status: u16,
    allow: Vec<String>,
    text: String,
}

async fn read(response: Response) -> Result<RawReply, gloo_net::Error> {
    let status = response.status();
    let allow = response
        .headers()
        .get("allow")
        .map(|value| parse_allow(&value))
        .unwrap_or_default();
    let text = response.text().await?;
    Ok(RawReply {
        status,
        allow,
        text,
    })
}

fn parse<T: DeserializeOwned>(
    client: &NodeClient,
    method: &'static str,
    path: &str,
    raw: RawReply,
) -> Result<Reply<T>, ApiError> {
    let value = serde_json::from_str(&raw.text).map_err(|error| {
        ApiError::malformed(&client.node, method, path, raw.status, &describe(&error))
    })?;
    Ok(Reply {
        value,
        status: raw.status,
        allow: raw.allow,
    })
}

/// Where and why a body failed to parse, without quoting the body's values: a value
/// in an answer may be a secret (a psk), and error messages end up on screen.
pub fn describe(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Eof => "the body ends too early".to_owned(),
        serde_json::error::Category::Syntax => "the body is not valid JSON".to_owned(),
        serde_json::error::Category::Io => "the body could not be read".to_owned(),
        serde_json::error::Category::Data => without_quoted_values(&error.to_string()),
    };
    format!("{what} (line {}, column {})", error.line(), error.column())
}

/// serde's data errors read like ``invalid type: string "abc", expected u64 at line 1
/// column 9``: keep the shape, drop the quoted value and serde's own position suffix.
fn without_quoted_values(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match (c, quoted) {
            ('"', false) => {
                quoted = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                quoted = false;
                out.push('"');
            }
            (_, false) => out.push(c),
            (_, true) => {}
        }
    }
    out
}

/// `GET, POST` to `["GET", "POST"]`.
pub fn parse_allow(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(|method| method.trim().to_ascii_uppercase())
        .filter(|method| !method.is_empty())
        .collect()
}

fn method_name(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 4] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("OTHER", |(_, name)| name)
}

/// `7000` as `7 s`, `2500` as `2.5 s`.
fn seconds(ms: u32) -> String {
    match ms % 1000 {
        0 => format!("{} s", ms / 1000),
        _ => format!("{:.1} s", f64::from(ms) / 1000.0),
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_never_quote_body_values() {
        let secret = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";
        let body = format!(r#"{{"status": "{secret}"}}"#);
        let error = serde_json::from_str::<u64>(&body).unwrap_err();
        let typed =
            serde_json::from_str::<std::collections::HashMap<String, u64>>(&body).unwrap_err();

        let untyped_message = describe(&error);
        let typed_message = describe(&typed);

        assert!(!untyped_message.contains(secret));
        assert!(!typed_message.contains(secret), "{typed_message}");
        assert!(
            typed_message.starts_with("invalid type: string \"…\""),
            "{typed_message}"
        );
        assert!(
            typed_message.ends_with("(line 1, column 77)"),
            "{typed_message}"
        );
    }

    #[test]
    fn time_limits_read_in_seconds() {
        assert_eq!(seconds(7_000), "7 s");
        assert_eq!(seconds(2_500), "2.5 s");
    }

    #[test]
    fn the_time_limit_is_the_default_until_a_deployment_sets_one() {
        let before = request_time_limit_ms();

        set_request_time_limit(Some(3_000));
        let set = request_time_limit_ms();
        set_request_time_limit(None);

        assert_eq!(before, REQUEST_TIME_LIMIT_MS);
        assert_eq!(set, 3_000);
        assert_eq!(request_time_limit_ms(), REQUEST_TIME_LIMIT_MS);
    }

    #[test]
    fn allow_header_is_split_and_upper_cased() {
        assert_eq!(parse_allow("GET, post,PUT"), vec!["GET", "POST", "PUT"]);
        assert!(parse_allow("").is_empty());
    }
}
