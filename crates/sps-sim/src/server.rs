//! The nodes' listeners: one accept loop per node on its own loopback address, serving
//! HTTP/1.1 (or HTTPS) with hyper directly, so that injected faults can drop a
//! connection without answering or cut a body short, and so that an offline node can
//! close its listener and every open connection.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use http_body::Frame;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::api::{add_standard_headers, custom_error, node_router};
use crate::control::types::{FaultKind, RequestLogEntry};
use crate::fleet::Fleet;

/// The body a `malformed` fault answers with: the start of a JSON object, cut off.
const MALFORMED_BODY: &str = "{\"meta\": {\"href\": \"/api";

/// How long a `truncated` answer's partial body has to reach the client before the
/// connection closes.
const TRUNCATE_FLUSH: Duration = Duration::from_millis(50);

/// Binds a node's address, allowing an immediate rebind of the same port when the node
/// comes back online.
pub async fn bind(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = match address.ip() {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(1024)
}

/// Runs node `index`'s accept loop on `listener` until the process ends.
pub fn spawn_node(
    fleet: Arc<Fleet>,
    index: usize,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
) {
    tokio::spawn(node_loop(fleet, index, listener, tls));
}

async fn node_loop(fleet: Arc<Fleet>, index: usize, first: TcpListener, tls: Option<TlsAcceptor>) {
    let router = node_router(fleet.clone(), index);
    let mut online = fleet.handles()[index].online.subscribe();
    let mut listener = Some(first);
    loop {
        let Some(current) = listener.take() else {
            // Offline: nothing listens, so connections are refused until the node is
            // back, on the same port.
            if online.wait_for(|up| *up).await.is_err() {
                return;
            }
            let address = SocketAddr::new(fleet.handles()[index].address.into(), fleet.port(index));
            match bind(address).await {
                Ok(rebound) => listener = Some(rebound),
                Err(error) => {
                    tracing::warn!(%address, %error, "could not rebind a node coming back online");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            continue;
        };
        tokio::select! {
            accepted = current.accept() => {
                listener = Some(current);
                let Ok((stream, _)) = accepted else { continue };
                let (fleet, router, tls) = (fleet.clone(), router.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => serve(stream, fleet, index, router).await,
                            Err(error) => tracing::debug!(%error, "TLS handshake failed"),
                        },
                        None => serve(stream, fleet, index, router).await,
                    }
                });
            }
            _ = online.wait_for(|up| !*up) => {
                tracing::info!(node = index + 1, "offline: listener closed");
            }
        }
    }
}

/// Serves one connection until it ends, a fault kills it, or the node goes offline.
async fn serve<I>(io: I, fleet: Arc<Fleet>, index: usize, router: Router)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let mut online = fleet.handles()[index].online.subscribe();
    let service = {
        let kill = kill.clone();
        service_fn(move |request| {
            handle(fleet.clone(), index, router.clone(), kill.clone(), request)
        })
    };
    let connection = http1::Builder::new().serve_connection(TokioIo::new(io), service);
    // Dropping the connection future closes the socket with no further bytes, which is
    // exactly what `drop`, `truncated` and going offline need.
    tokio::select! {
        _ = connection => {}
        _ = kill.notified() => {}
        _ = online.wait_for(|up| !*up) => {}
    }
}

async fn handle(
    fleet: Arc<Fleet>,
    index: usize,
    router: Router,
    kill: Arc<Notify>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let fault = match path.starts_with("/api") {
        true => fleet
            .faults()
            .take(&fleet.handles()[index].name, &method, &path),
        false => None,
    };
    let request = request.map(Body::new);
    let log = |status: Option<u16>, fault: Option<&FaultKind>| {
        record(&fleet, index, &method, &path, status, fault);
    };
    match &fault {
        None => {}
        Some(FaultKind::Latency { ms }) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        Some(FaultKind::Status {
            status,
            code,
            message,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            log(Some(status.as_u16()), fault.as_ref());
            return Ok(custom_error(status, code, message, &path));
        }
        Some(FaultKind::Drop) => {
            log(None, fault.as_ref());
            kill.notify_one();
            return std::future::pending().await;
        }
        Some(FaultKind::Malformed) => {
            log(Some(200), fault.as_ref());
            let mut response = Response::new(Body::from(MALFORMED_BODY));
            add_standard_headers(response.headers_mut(), "");
            return Ok(response);
        }
        Some(FaultKind::Truncated) => {}
    }
    let Ok(response) = router.oneshot(request).await;
    log(Some(response.status().as_u16()), fault.as_ref());
    if matches!(fault, Some(FaultKind::Truncated)) {
        return Ok(truncate(response, kill).await);
    }
    Ok(response)
}

fn record(
    fleet: &Fleet,
    index: usize,
    method: &str,
    path: &str,
    status: Option<u16>,
    fault: Option<&FaultKind>,
) {
    let time = fleet.clock.iso(fleet.clock.now());
    tracing::debug!(node = index + 1, method, path, ?status, "request");
    fleet.world().states[index].log_request(RequestLogEntry {
        seq: 0,
        method: method.to_owned(),
        path: path.to_owned(),
        status,
        time,
        fault: fault.map(|f| f.label().to_owned()),
    });
}

/// Announces the whole body plus more, sends half of it, then has the connection closed.
async fn truncate(response: Response<Body>, kill: Arc<Notify>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let announced = bytes.len() + 64;
    let sent = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(announced));
    Response::from_parts(
        parts,
        Body::new(TruncatedBody {
            chunk: Some(sent),
            kill: Some(kill),
        }),
    )
}

/// A body that yields one chunk and then never ends; its connection is closed instead.
struct TruncatedBody {
    chunk: Option<Bytes>,
    kill: Option<Arc<Notify>>,
}

impl http_body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(kill) = self.kill.take() {
            tokio::spawn(async move {
                tokio::time::sleep(TRUNCATE_FLUSH).await;
                kill.notify_one();
            });
        }
        Poll::Pending
    }
}
