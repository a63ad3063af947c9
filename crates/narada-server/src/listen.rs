//! The accept loop: HTTP/1.1 connections with a bound on reading request headers, WebSocket
//! upgrades, and a shutdown that never outlasts the grace period.
//!
//! `axum::serve` sets no timer on its connections, so a client that sends half a request line
//! holds its connection (a task and a socket) for ever, and its graceful shutdown waits for that
//! request to finish, so one such client keeps the process alive after SIGTERM. Here hyper's
//! HTTP/1 connection gets a timer: a connection that has not sent a whole request head within
//! `header_read_timeout` of connecting (or of its previous response, when kept alive) is closed.
//! At shutdown every connection is asked to finish what it is doing; the caller drops whatever
//! is still open when the grace period ends ([`Draining`]).
//!
//! HTTP/1.1 only: browsers and y-websocket speak it to a server without TLS (they use HTTP/2
//! only over TLS, which a proxy in front terminates), and WebSockets upgrade from it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service;

/// Serves `router` on `listener` until `shutdown` is cancelled; returns then, with the HTTP
/// connections still open asked to finish (see [`Draining`]). Upgraded WebSockets are not HTTP
/// connections any more: their own tasks close them (see `crate::sync`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: CancellationToken,
) -> Draining {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connections = TaskTracker::new();
    let hard_stop = CancellationToken::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        // TCP_NODELAY: the hub writes small frames (a 2-byte ack, a typing-sized update) that
        // Nagle's algorithm would hold back until the peer's delayed ACK — measured as ~18 ms
        // of the durable-ack latency (BENCHMARKS.md (e)).
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(%err, "could not set TCP_NODELAY");
        }
        let conn = builder
            .serve_connection(TokioIo::new(tcp), service(&router, peer))
            .with_upgrades();
        let (shutdown, hard_stop) = (shutdown.clone(), hard_stop.clone());
        connections.spawn(async move {
            tokio::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => Some(r),
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    tokio::select! {
                        r = conn.as_mut() => Some(r),
                        _ = hard_stop.cancelled() => None,
                    }
                }
            };
            if let Some(Err(err)) = result {
                // Header timeouts, resets, malformed requests: the peer's problem.
                tracing::debug!(%err, %peer, "connection ended with an error");
            }
        });
    }
    connections.close();
    Draining {
        connections,
        hard_stop,
    }
}

/// The HTTP connections left when the listener closed, each finishing its request.
pub struct Draining {
    connections: TaskTracker,
    hard_stop: CancellationToken,
}

impl Draining {
    /// Resolves once every connection has finished.
    pub async fn finished(&self) {
        self.connections.wait().await;
    }

    /// Drops the connections that have not finished (their clients had their grace period).
    pub async fn drop_the_rest(self) {
        let open = self.connections.len();
        if open > 0 {
            tracing::warn!(
                open,
                "dropping HTTP connections still open after the grace period"
            );
        }
        self.hard_stop.cancel();
        self.connections.wait().await;
    }
}

/// The router as a hyper service for one connection, with the peer address that the accounts
/// service reads (`ConnectInfo`, as `into_make_service_with_connect_info` would add).
fn service(
    router: &Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    let router = router.clone();
    hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        router.clone().call(req)
    })
}

/// What `axum::serve` does on a failed accept: errors of one connection are skipped; others
/// (out of file descriptors) are logged and waited out, rather than spinning.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed; retrying in 1s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
