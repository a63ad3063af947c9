//! `GET /sync/{doc}`: admission (origin, token) before the upgrade, then one task per socket.
//!
//! A connection is a single task that `select!`s over: the socket (client messages), its
//! outbound queue (frames the hub queued for it), its kick token (slow client, revoked access,
//! bad input), server shutdown, and a keepalive tick. One task rather than a reader and a writer
//! halves the per-connection footprint; sends are bounded by the kick token so a client that
//! stops reading cannot pin the task.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use narada_accounts::error::ErrorBody;
use narada_auth::{Claims, TokenError};
use narada_proto::message::{decode, Inbound, EMPTY_AWARENESS};
use narada_store::DocId;
use serde::Deserialize;
use tracing::Instrument;
use utoipa::IntoParams;

use crate::app::{json_error, AppState};
use crate::hub::conn::{close, ConnHandle};
use crate::hub::doc::LiveDoc;
use crate::quota::SocketSlot;

/// The socket's query parameters; the OpenAPI description lists them from here.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// Described as the `sync_token` security scheme.
    #[param(ignore)]
    token: Option<String>,
    /// `ack=1` (or `true`): acknowledge each update once it is durably stored (PROTOCOL.md).
    ack: Option<String>,
    /// `events=1`: also send Narada's application events (PROTOCOL.md, "Events").
    events: Option<String>,
}

/// Open a document's sync socket (y-websocket)
///
/// A WebSocket upgrade: the room is the document id, the protocol y-websocket's, with
/// Narada's durable acknowledgements and application events when asked for (PROTOCOL.md).
/// Admission (origin, token) is checked before the upgrade; once open, close codes say why a
/// socket ends (4403: access lost).
#[utoipa::path(
    get,
    path = "/sync/{doc}",
    operation_id = "sync",
    tag = "sync",
    security(("sync_token" = [])),
    params(
        ("doc" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"),
        SyncQuery,
    ),
    responses(
        (status = 101, description = "Switching Protocols: the socket is open"),
        (status = 400, description = "`bad_document`: not a valid document id (and a plain-text \
            400 for a request that is no WebSocket upgrade)", body = ErrorBody),
        (status = 401, description = "`token_missing`, `token_expired` or `token_invalid`", body = ErrorBody),
        (status = 403, description = "`origin_not_allowed`, `token_wrong_document` or \
            `token_revoked` (access was withdrawn after the token was issued: get a new one)", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this person has `max_sockets_per_person` \
            sockets open on this document already", body = ErrorBody),
    )
)]
pub async fn sync_handler(
    State(app): State<AppState>,
    Path(doc): Path<String>,
    Query(q): Query<SyncQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let refuse = |status: StatusCode, code: &str, msg: &str| {
        app.metrics.connections_refused.fetch_add(1, Relaxed);
        json_error(status, code, msg)
    };
    let Ok(doc) = DocId::parse(&doc) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad_document",
            "document names are 1-128 of A-Z a-z 0-9 . _ -",
        );
    };
    if !app.origins.allows(&headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this origin may not open sync sockets",
        );
    }
    let Some(token) = q.token.as_deref().filter(|t| !t.is_empty()) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "token_missing",
            "a token query parameter is required",
        );
    };
    let claims = match app.tokens.verify(token, doc.as_str()) {
        Ok(c) => c,
        Err(TokenError::WrongDocument) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "token_wrong_document",
                "this token is for another document",
            )
        }
        Err(TokenError::Expired) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "the token has expired",
            )
        }
        Err(_) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "token_invalid",
                "the token is invalid",
            )
        }
    };
    if app.hub.token_revoked(&doc, &claims.sub, claims.iat) {
        return refuse(
            StatusCode::FORBIDDEN,
            "token_revoked",
            "access was withdrawn after this token was issued; get a new token",
        );
    }
    let cfg = &app.config;
    let Some(slot) = app
        .sockets
        .try_take(&doc, &claims.sub, cfg.max_sockets_per_person)
    else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sockets",
            "this person has too many sockets open on this document",
        );
    };
    let ack = matches!(q.ack.as_deref(), Some("1") | Some("true"));
    let events = matches!(q.events.as_deref(), Some("1") | Some("true"));
    // Only a writer's first step 2 may be larger than an ordinary message (it carries offline
    // edits); read-only clients send nothing that large, so the transport refuses it early.
    let largest = if claims.role.can_write() {
        cfg.max_sync_bytes.max(cfg.max_message_bytes)
    } else {
        cfg.max_message_bytes
    };
    ws.read_buffer_size(cfg.ws_read_buffer)
        .write_buffer_size(cfg.ws_write_buffer)
        .max_message_size(largest)
        .max_frame_size(largest)
        .on_upgrade(move |socket| {
            let conn_id = app.hub.next_conn_id();
            let span = tracing::info_span!("conn", doc = %doc, conn = conn_id, user = %claims.sub, role = %claims.role);
            let tracker = app.connections.clone();
            tracker.track_future(
                run_socket(app, socket, doc, claims, Flags { ack, events }, conn_id, slot)
                    .instrument(span),
            )
        })
        .into_response()
}

/// What ended a connection, for the log.
enum End {
    ClientClosed,
    Kicked,
}

/// What the client asked for in the query string.
#[derive(Clone, Copy)]
struct Flags {
    /// Durable acknowledgements.
    ack: bool,
    /// Application events.
    events: bool,
}

async fn run_socket(
    app: AppState,
    mut ws: WebSocket,
    doc: DocId,
    claims: Claims,
    flags: Flags,
    conn_id: u64,
    slot: SocketSlot,
) {
    let metrics = Arc::clone(&app.metrics);
    metrics.connections.fetch_add(1, Relaxed);
    metrics.connections_total.fetch_add(1, Relaxed);
    // flume's queue allocates as frames arrive (tokio's mpsc allocates a block of slots up
    // front): most sockets are idle, and this is per socket (BENCHMARKS.md (a)).
    let (tx, rx) = flume::bounded(app.config.outbound_queue.max(1));
    let conn = ConnHandle::with_events(
        conn_id,
        claims.sub.as_str().into(),
        claims.role,
        flags.events,
        tx,
    );
    match app.hub.join(&doc, &conn).await {
        Ok(live) => {
            tracing::debug!("joined");
            let end = session(&app, &mut ws, &live, &conn, rx, flags.ack).await;
            app.hub.leave(&live, &conn);
            if let End::Kicked = end {
                if let Some((code, reason)) = conn.close_reason() {
                    tracing::debug!(code, reason, "closing");
                    send_close(&mut ws, code, reason).await;
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "loading the document failed");
            send_close(&mut ws, close::INTERNAL_ERROR, "document unavailable").await;
        }
    }
    // Before the socket itself is dropped: once the client sees the connection end, its place
    // is free for the next one.
    drop(slot);
    metrics.connections.fetch_sub(1, Relaxed);
}

async fn send_close(ws: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    // A client that does not read may never take the frame; don't wait on it for long.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), ws.send(frame)).await;
}

async fn session(
    app: &AppState,
    ws: &mut WebSocket,
    live: &Arc<LiveDoc>,
    conn: &ConnHandle,
    rx: flume::Receiver<bytes::Bytes>,
    ack: bool,
) -> End {
    let cfg = &app.config;
    let hub = &app.hub;
    let metrics = &app.metrics;
    let mut last_heard = Instant::now();
    let mut ping = tokio::time::interval(cfg.ping_interval);
    ping.tick().await;
    // Until a writer's first step 2 (its offline edits), that message may be larger.
    let mut synced = !conn.role().can_write();
    let mut updates_sent: u64 = 0;
    let kicked = conn.kicked().clone();
    loop {
        tokio::select! {
            biased;
            _ = kicked.cancelled() => return End::Kicked,
            _ = app.shutdown.cancelled() => {
                // 1001 promises that everything this client sent is stored: wait for the store
                // writer (half the grace period, leaving the rest for the close itself), then
                // send the acks that came in and say which it is.
                let stored = all_stored(app, conn, cfg.shutdown_grace / 2).await;
                let queued: Vec<Message> = rx.drain().map(Message::Binary).collect();
                let flush = async {
                    for frame in queued {
                        ws.feed(frame).await?;
                    }
                    ws.flush().await
                };
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), flush).await;
                if stored {
                    conn.kick(close::GOING_AWAY, "server shutting down");
                } else {
                    tracing::warn!(unstored = conn.unstored(), "shutting down with edits of this client not stored");
                    conn.kick(close::INTERNAL_ERROR, close::NOT_STORED);
                }
                return End::Kicked;
            }
            out = rx.recv_async() => {
                let Ok(first) = out else { return End::Kicked };
                // Feed everything already queued, then flush once: one syscall for a burst.
                let feed = async {
                    ws.feed(Message::Binary(first)).await?;
                    let mut n = 1;
                    while n < 256 {
                        match rx.try_recv() {
                            Ok(frame) => ws.feed(Message::Binary(frame)).await?,
                            Err(_) => break,
                        }
                        n += 1;
                    }
                    ws.flush().await
                };
                tokio::select! {
                    r = feed => if r.is_err() { return End::ClientClosed },
                    _ = kicked.cancelled() => return End::Kicked,
                }
            }
            msg = ws.recv() => {
                let msg = match msg {
                    None => return End::ClientClosed,
                    Some(Err(e)) => {
                        if is_capacity_error(&e) {
                            conn.kick(close::TOO_BIG, "message too big");
                            return End::Kicked;
                        }
                        tracing::debug!(error = %e, "socket error");
                        return End::ClientClosed;
                    }
                    Some(Ok(m)) => m,
                };
                last_heard = Instant::now();
                let frame = match msg {
                    Message::Binary(b) => b,
                    Message::Close(_) => return End::ClientClosed,
                    Message::Ping(_) | Message::Pong(_) => continue,
                    Message::Text(_) => {
                        conn.kick(close::UNSUPPORTED_DATA, "binary messages only");
                        return End::Kicked;
                    }
                };
                metrics.messages_in.fetch_add(1, Relaxed);
                metrics.bytes_in.fetch_add(frame.len() as u64, Relaxed);
                let is_step2 = frame.first() == Some(&0) && frame.get(1) == Some(&1);
                let limit = if !synced && is_step2 {
                    cfg.max_sync_bytes.max(cfg.max_message_bytes)
                } else {
                    cfg.max_message_bytes
                };
                if frame.len() > limit {
                    conn.kick(close::TOO_BIG, "message too big");
                    return End::Kicked;
                }
                let inbound = match decode(&frame) {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::info!(error = %e, "malformed message");
                        conn.kick(close::PROTOCOL_ERROR, "malformed message");
                        return End::Kicked;
                    }
                };
                match inbound {
                    Inbound::SyncStep1(sv) => live.reply_step2(conn, &sv),
                    Inbound::SyncStep2 { payload } | Inbound::Update { payload } => {
                        synced = true;
                        if !conn.role().can_write() {
                            if &frame[payload] != crate::hub::doc::EMPTY_UPDATE {
                                metrics.updates_rejected.fetch_add(1, Relaxed);
                                LiveDoc::deny_write(conn);
                            }
                            continue;
                        }
                        updates_sent += 1;
                        let ack_n = ack.then_some(updates_sent);
                        if let Err(refusal) = live.apply_client_update(hub, conn, frame, payload, is_step2, ack_n) {
                            conn.kick(refusal.code, refusal.reason);
                            return End::Kicked;
                        }
                    }
                    Inbound::Awareness(update) => live.apply_awareness(hub, conn, &update, frame),
                    Inbound::QueryAwareness => live.send_awareness(conn),
                    Inbound::Auth => {}
                    // Newer clients' messages and events from clients: nothing here acts on
                    // them yet, and ignoring keeps such clients connected.
                    Inbound::Event { .. } | Inbound::Unknown(_) => {
                        metrics.messages_ignored.fetch_add(1, Relaxed);
                    }
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > cfg.idle_timeout {
                    tracing::debug!("keepalive timeout");
                    return End::ClientClosed;
                }
                // The ping proves the client alive (its pong); the empty awareness message
                // proves the server alive to a stock y-websocket client, which reconnects after
                // 30 s without a *message* and never sees pings. One 3-byte frame per interval,
                // written in the ping's flush (see PROTOCOL.md, "Keepalive").
                let beat = async {
                    ws.feed(Message::Binary(bytes::Bytes::from_static(EMPTY_AWARENESS))).await?;
                    ws.send(Message::Ping(bytes::Bytes::new())).await
                };
                tokio::select! {
                    r = beat => if r.is_err() { return End::ClientClosed },
                    _ = kicked.cancelled() => return End::Kicked,
                }
            }
        }
    }
}

/// Waits up to `within` until everything received from `conn` is stored; false if it is not.
async fn all_stored(app: &AppState, conn: &ConnHandle, within: std::time::Duration) -> bool {
    let mut commits = app.hub.storage.subscribe_commits();
    let deadline = tokio::time::Instant::now() + within;
    while conn.unstored() > 0 {
        match tokio::time::timeout_at(deadline, commits.changed()).await {
            Ok(Ok(())) => {}
            // The writer is gone, or time is up.
            _ => return conn.unstored() == 0,
        }
    }
    true
}

fn is_capacity_error(e: &axum::Error) -> bool {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<tokio_tungstenite::tungstenite::Error>() {
            return matches!(t, tokio_tungstenite::tungstenite::Error::Capacity(_));
        }
        source = s.source();
    }
    // Fall back on the message: axum wraps the tungstenite error opaquely in some versions.
    let text = e.to_string();
    text.contains("Space limit exceeded") || text.contains("too long") || text.contains("Capacity")
}
