//! The nodes' listeners: one accept loop per node on its own loopback address, serving
//! HTTP/1.1 (or HTTPS) with hyper directly, so that injected faults can drop or reset a
//! connection without answering or cut a body short, and so that an offline node can
//! close its listener and every open connection.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
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
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::api::{add_standard_headers, custom_error_body, error_answer, node_router};
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
                let switch = Arc::new(ConnectionSwitch::default());
                let stream = NodeStream { stream, switch: switch.clone() };
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => match acceptor.accept(stream).await {
                            Ok(stream) => serve(stream, fleet, index, router, switch).await,
                            Err(error) => tracing::debug!(%error, "TLS handshake failed"),
                        },
                        None => serve(stream, fleet, index, router, switch).await,
                    }
                });
            }
            _ = online.wait_for(|up| !*up) => {
                tracing::info!(node = index + 1, "offline: listener closed");
            }
        }
    }
}

/// How a fault ends the connection its request came on.
#[derive(Debug, Default)]
struct ConnectionSwitch {
    end: Notify,
    /// Whether the socket closes with a TCP reset rather than an orderly close.
    reset: AtomicBool,
}

impl ConnectionSwitch {
    /// Closes the connection with no further bytes.
    fn close(&self) {
        self.end.notify_one();
    }

    /// Resets the connection: the peer's next read or write fails with a reset.
    fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.end.notify_one();
    }
}

/// The node's end of a TCP connection. A reset needs the socket itself (zero linger
/// before the close), which hyper and TLS own once they wrap it, so the stream applies
/// its switch as it is dropped.
struct NodeStream {
    stream: TcpStream,
    switch: Arc<ConnectionSwitch>,
}

impl Drop for NodeStream {
    fn drop(&mut self) {
        if self.switch.reset.load(Ordering::SeqCst) {
            // Zero linger makes the close send RST; nothing is waiting to be sent.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for NodeStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for NodeStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves one connection until it ends, a fault ends it, or the node goes offline.
async fn serve<I>(
    io: I,
    fleet: Arc<Fleet>,
    index: usize,
    router: Router,
    switch: Arc<ConnectionSwitch>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut online = fleet.handles()[index].online.subscribe();
    let service = {
        let switch = switch.clone();
        service_fn(move |request| {
            handle(
                fleet.clone(),
                index,
                router.clone(),
                switch.clone(),
                request,
            )
        })
    };
    let connection = http1::Builder::new().serve_connection(TokioIo::new(io), service);
    // Dropping the connection future closes the socket with no further bytes (or resets
    // it, see `NodeStream`), which is exactly what the faults and going offline need.
    tokio::select! {
        _ = connection => {}
        _ = switch.end.notified() => {}
        _ = online.wait_for(|up| !*up) => {}
    }
}

async fn handle(
    fleet: Arc<Fleet>,
    index: usize,
    router: Router,
    switch: Arc<ConnectionSwitch>,
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
    let mut request = request.map(Body::new);
    let log = |status: Option<u16>, fault: Option<&FaultKind>| {
        record(&fleet, index, &method, &path, status, fault);
    };
    match &fault {
        None | Some(FaultKind::Truncated | FaultKind::Reset) => {}
        Some(kind @ FaultKind::Latency { ms }) => {
            // The body is read before the wait: hyper watches a connection for its end
            // only once the request is read, and a client that gives up (closes) during
            // the wait should take its request with it, unanswered and not carried out.
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            request = Request::from_parts(parts, Body::from(bytes));
            let mut waiting = Waiting {
                fleet: fleet.clone(),
                index,
                method: method.clone(),
                path: path.clone(),
                fault: kind.clone(),
                over: false,
            };
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            waiting.over = true;
        }
        Some(FaultKind::Status {
            status,
            code,
            message,
            locked_by,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            log(Some(status.as_u16()), fault.as_ref());
            let mut body = custom_error_body(code, message, &path);
            body.error.details.locked_by = locked_by.clone();
            return Ok(error_answer(status, &body));
        }
        Some(FaultKind::Drop) => {
            log(None, fault.as_ref());
            switch.close();
            return std::future::pending().await;
        }
        Some(FaultKind::Refused) => {
            log(None, fault.as_ref());
            switch.reset();
            return std::future::pending().await;
        }
        Some(FaultKind::Malformed) => {
            log(Some(200), fault.as_ref());
            let mut response = Response::new(Body::from(MALFORMED_BODY));
            add_standard_headers(response.headers_mut(), "");
            return Ok(response);
        }
    }
    let Ok(response) = router.oneshot(request).await;
    match fault {
        Some(FaultKind::Reset) => {
            // The node has done what was asked; only the answer is lost.
            log(None, fault.as_ref());
            switch.reset();
            std::future::pending().await
        }
        Some(FaultKind::Truncated) => {
            log(Some(response.status().as_u16()), fault.as_ref());
            Ok(truncate(response, switch).await)
        }
        _ => {
            log(Some(response.status().as_u16()), fault.as_ref());
            Ok(response)
        }
    }
}

/// A request waiting out a `latency` fault. Dropped before the wait is `over`, the
/// connection ended during the wait: the request log shows the request unanswered.
struct Waiting {
    fleet: Arc<Fleet>,
    index: usize,
    method: String,
    path: String,
    fault: FaultKind,
    over: bool,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if !self.over {
            let (fleet, index) = (&self.fleet, self.index);
            record(
                fleet,
                index,
                &self.method,
                &self.path,
                None,
                Some(&self.fault),
            );
        }
    }
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
async fn truncate(response: Response<Body>, switch: Arc<ConnectionSwitch>) -> Response<Body> {
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
            switch: Some(switch),
        }),
    )
}

/// A body that yields one chunk and then never ends; its connection is closed instead.
struct TruncatedBody {
    chunk: Option<Bytes>,
    switch: Option<Arc<ConnectionSwitch>>,
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
        if let Some(switch) = self.switch.take() {
            tokio::spawn(async move {
                tokio::time::sleep(TRUNCATE_FLUSH).await;
                switch.close();
            });
        }
        Poll::Pending
    }
}
