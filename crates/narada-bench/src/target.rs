//! The servers under test and how a client reaches a document on each.
//!
//! All four speak the y-websocket sync protocol, but they differ around it:
//! - **narada**: `ws://HOST/sync/{doc}?token=JWT[&ack=1]`; the bench mints tokens itself with
//!   `NARADA_SECRET`, exactly as `narada token` would.
//! - **yws** (`@y/websocket-server`): `ws://HOST/{doc}`, no auth.
//! - **hocuspocus**: one socket can carry many documents, so every message is prefixed with the
//!   document name (`[varString name][varUint type]…`), the first message must be an auth message
//!   (`[name][2][0][varString token]`), and the server may answer a step 1 with type 4
//!   ("SyncReply", same payload as sync) and send sync-status (8) messages.
//! - **ysweet**: documents are created and connection URLs obtained from its HTTP API
//!   (`POST /doc/new`, `POST /doc/{id}/auth` → `{url, docId, token?}`); the socket is
//!   `{url}/{docId}[?token=…]`.
//!
//! [`Conn`] hides these differences: it connects (optionally from a chosen loopback source
//! address), runs the sync handshake until the server's step 2 is applied, and then splits into a
//! sending half and a receiving half that yield plain y-websocket messages.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use narada_auth::{Role, TokenKey};
use narada_proto::message::{MSG_ACK, MSG_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE};
use narada_proto::varint::{write_buf, write_var_u64, Reader};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

/// Which server implementation is on the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Narada,
    Yws,
    Hocuspocus,
    Ysweet,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Narada => "narada",
            Kind::Yws => "yws",
            Kind::Hocuspocus => "hocuspocus",
            Kind::Ysweet => "ysweet",
        }
    }
}

/// A server under test.
#[derive(Clone)]
pub struct Target {
    pub kind: Kind,
    /// `host:port` of the server.
    pub addr: SocketAddr,
    key: Option<Arc<TokenKey>>,
    http: reqwest::Client,
}

/// Where one client connects for one document.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    /// Hocuspocus's per-message document name prefix (empty for the others).
    prefix: Vec<u8>,
    doc: String,
}

/// Incoming message, after framing differences are removed.
#[derive(Debug)]
pub enum Incoming {
    /// Sync message: `sub` is step1/step2/update, `frame` the whole message and `payload` the
    /// range of its update or state vector in `frame`.
    Sync {
        sub: u64,
        frame: Bytes,
        payload: std::ops::Range<usize>,
    },
    /// Narada durable ack: the first N counted messages are stored.
    Ack(u64),
    /// Anything else (awareness, auth replies, sync status, pings): ignored by the bench.
    Other,
    /// The server closed the socket.
    Closed,
}

impl Target {
    /// `url` is the server's base, e.g. `ws://127.0.0.1:8080` or `http://127.0.0.1:8080`.
    pub fn new(kind: Kind, url: &str) -> Result<Target> {
        let rest = url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(url)
            .trim_end_matches('/');
        let hostport = rest.split('/').next().unwrap_or(rest);
        let addr: SocketAddr = hostport
            .parse()
            .with_context(|| format!("--url must be ws://IP:PORT (got {url})"))?;
        let key = if kind == Kind::Narada {
            let secret = std::env::var("NARADA_SECRET")
                .context("NARADA_SECRET must be set (the same as the server's) to mint tokens")?;
            Some(Arc::new(
                TokenKey::new(secret.as_bytes()).map_err(|e| anyhow!("NARADA_SECRET: {e}"))?,
            ))
        } else {
            None
        };
        Ok(Target {
            kind,
            addr,
            key,
            http: reqwest::Client::new(),
        })
    }

    /// Resolves where a client connects for `doc`; for y-sweet this creates the document
    /// (idempotent) and asks for a client URL, as its SDKs do.
    pub async fn endpoint(&self, doc: &str, user: &str, ack: bool) -> Result<Endpoint> {
        let base = format!("ws://{}", self.addr);
        let (url, prefix) = match self.kind {
            Kind::Narada => {
                let key = self.key.as_ref().ok_or_else(|| anyhow!("no token key"))?;
                let token = key.issue(doc, user, Role::Editor, 3600);
                let ack = if ack { "&ack=1" } else { "" };
                (format!("{base}/sync/{doc}?token={token}{ack}"), Vec::new())
            }
            Kind::Yws => (format!("{base}/{doc}"), Vec::new()),
            Kind::Hocuspocus => {
                let mut prefix = Vec::new();
                write_buf(&mut prefix, doc.as_bytes());
                (format!("{base}/{doc}"), prefix)
            }
            Kind::Ysweet => (self.ysweet_url(doc).await?, Vec::new()),
        };
        Ok(Endpoint {
            url,
            prefix,
            doc: doc.to_owned(),
        })
    }

    async fn ysweet_url(&self, doc: &str) -> Result<String> {
        let http = format!("http://{}", self.addr);
        // Ask for a client URL first: `/doc/new` on an existing id would start it afresh, which
        // is not what a client of an existing document does.
        let mut reply = self
            .http
            .post(format!("{http}/doc/{doc}/auth"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .context("y-sweet POST /doc/{id}/auth")?;
        if reply.status() == reqwest::StatusCode::NOT_FOUND {
            let created = self
                .http
                .post(format!("{http}/doc/new"))
                .json(&serde_json::json!({ "docId": doc }))
                .send()
                .await
                .context("y-sweet POST /doc/new")?;
            if !created.status().is_success() {
                bail!("y-sweet /doc/new: {}", created.status());
            }
            reply = self
                .http
                .post(format!("{http}/doc/{doc}/auth"))
                .json(&serde_json::json!({}))
                .send()
                .await
                .context("y-sweet POST /doc/{id}/auth")?;
        }
        let auth: serde_json::Value = reply.error_for_status()?.json().await?;
        let url = auth["url"]
            .as_str()
            .ok_or_else(|| anyhow!("y-sweet auth reply has no url: {auth}"))?;
        let doc_id = auth["docId"].as_str().unwrap_or(doc);
        let mut full = format!("{}/{}", url.trim_end_matches('/'), doc_id);
        if let Some(token) = auth["token"].as_str() {
            full.push_str("?token=");
            full.push_str(token);
        }
        Ok(full)
    }
}

/// Buffer sizes for the generator's sockets: small, so 10,000+ idle clients stay cheap on the
/// generator side too (tungstenite reserves 128 KiB per connection by default).
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20))
}

pub type WsSink = SplitSink<WebSocketStream<TcpStream>, Message>;
pub type WsStream = SplitStream<WebSocketStream<TcpStream>>;

/// A synced client connection, before it is split for the run.
pub struct Conn {
    ws: WebSocketStream<TcpStream>,
    pub endpoint: Endpoint,
    /// Messages sent so far that count towards Narada's ack (step 2 and updates).
    pub counted_sent: u64,
}

/// Parses one server message, removing Hocuspocus's document prefix.
pub fn parse_incoming(prefix_len: usize, data: Bytes) -> Incoming {
    let parse = || -> Option<Incoming> {
        let mut r = Reader::new(&data);
        if prefix_len > 0 {
            r.read_buf().ok()?;
        }
        match r.read_var_u64().ok()? {
            // 4 is Hocuspocus's SyncReply: a sync message that must not trigger another step 1.
            t if t == MSG_SYNC || t == 4 => {
                let sub = r.read_var_u64().ok()?;
                let payload = r.read_buf_range().ok()?;
                Some(Incoming::Sync {
                    sub,
                    frame: data.clone(),
                    payload,
                })
            }
            MSG_ACK => Some(Incoming::Ack(r.read_var_u64().ok()?)),
            _ => Some(Incoming::Other),
        }
    };
    parse().unwrap_or(Incoming::Other)
}

impl Endpoint {
    /// Frames a sync message for this endpoint.
    pub fn sync_frame(&self, sub: u64, payload: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(self.prefix.len() + payload.len() + 8);
        out.extend_from_slice(&self.prefix);
        write_var_u64(&mut out, MSG_SYNC);
        write_var_u64(&mut out, sub);
        write_buf(&mut out, payload);
        Bytes::from(out)
    }

    pub fn prefix_len(&self) -> usize {
        self.prefix.len()
    }
}

/// Opens a TCP connection to `addr` from `src` (any port) so that many clients can spread over
/// loopback source addresses and not run out of ephemeral ports.
async fn tcp_connect(addr: SocketAddr, src: Option<IpAddr>) -> Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = src {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

impl Conn {
    /// Connects and completes the WebSocket upgrade (not yet synced).
    pub async fn open(target: &Target, endpoint: Endpoint, src: Option<IpAddr>) -> Result<Conn> {
        let stream = tcp_connect(target.addr, src).await?;
        let (ws, _resp) = tokio_tungstenite::client_async_with_config(
            endpoint.url.as_str(),
            stream,
            Some(ws_config()),
        )
        .await
        .with_context(|| format!("WebSocket upgrade for {}", endpoint.doc))?;
        Ok(Conn {
            ws,
            endpoint,
            counted_sent: 0,
        })
    }

    /// Runs the handshake: (Hocuspocus auth), our step 1, answer the server's step 1, and wait
    /// until the server's step 2 has been applied to `doc`. Returns the size of that step 2.
    pub async fn sync(&mut self, doc: &Doc, timeout: Duration) -> Result<usize> {
        if !self.endpoint.prefix.is_empty() {
            let mut auth = self.endpoint.prefix.clone();
            write_var_u64(&mut auth, 2); // auth
            write_var_u64(&mut auth, 0); // token
            write_buf(&mut auth, b"bench");
            self.ws.send(Message::Binary(Bytes::from(auth))).await?;
        }
        let sv = doc.transact().state_vector().encode_v1();
        let step1 = self.endpoint.sync_frame(SYNC_STEP1, &sv);
        self.ws.send(Message::Binary(step1)).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| {
                    anyhow!("no sync step 2 within {timeout:?} ({})", self.endpoint.doc)
                })?;
            let data = match msg {
                Some(Ok(Message::Binary(b))) => b,
                Some(Ok(Message::Close(c))) => bail!("closed during sync: {c:?}"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => bail!("connection ended during sync"),
            };
            match parse_incoming(self.endpoint.prefix.len(), data) {
                Incoming::Sync {
                    sub: SYNC_STEP1,
                    frame,
                    payload,
                } => {
                    let sv = StateVector::decode_v1(&frame[payload])?;
                    let diff = doc.transact().encode_state_as_update_v1(&sv);
                    let step2 = self.endpoint.sync_frame(SYNC_STEP2, &diff);
                    self.ws.send(Message::Binary(step2)).await?;
                    self.counted_sent += 1;
                }
                Incoming::Sync {
                    sub,
                    frame,
                    payload,
                } if sub == SYNC_STEP2 || sub == SYNC_UPDATE => {
                    let update = Update::decode_v1(&frame[payload.clone()])?;
                    doc.transact_mut().apply_update(update)?;
                    if sub == SYNC_STEP2 {
                        return Ok(payload.len());
                    }
                }
                _ => {}
            }
        }
    }

    /// Splits into the sending and receiving halves for the run.
    pub fn split(self) -> (WsSink, WsStream, Endpoint, u64) {
        let (sink, stream) = self.ws.split();
        (sink, stream, self.endpoint, self.counted_sent)
    }

    /// Closes politely.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// Reads the next message from a receiving half. Pings are answered by tungstenite itself.
pub async fn next_incoming(stream: &mut WsStream, prefix_len: usize) -> Incoming {
    loop {
        match stream.next().await {
            Some(Ok(Message::Binary(b))) => return parse_incoming(prefix_len, b),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Incoming::Closed,
            Some(Ok(_)) => continue,
        }
    }
}

/// The Yjs client id that authored an update: the first client of its struct section, or of its
/// delete set for a delete-only update. The bench gives every writer its own client id and makes
/// writers delete only their own text, so this identifies the sender without decoding the update.
pub fn update_origin(update: &[u8]) -> Option<u64> {
    let mut r = Reader::new(update);
    let clients = r.read_var_u64().ok()?;
    if clients > 0 {
        let _structs = r.read_var_u64().ok()?;
        return r.read_var_u64().ok();
    }
    let ds_clients = r.read_var_u64().ok()?;
    if ds_clients == 0 {
        return None;
    }
    r.read_var_u64().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{encode_updates, Edit, Trace};

    #[test]
    fn origin_of_inserts_and_deletes() {
        let t = Trace {
            name: "t".into(),
            edits: vec![
                Edit {
                    pos: 0,
                    del: 0,
                    ins: "ab".into(),
                },
                Edit {
                    pos: 1,
                    del: 1,
                    ins: "".into(),
                },
            ],
            end_content: "a".into(),
        };
        let (updates, _) = encode_updates(&t, 2, 4242, "x");
        assert_eq!(update_origin(&updates[0]), Some(4242));
        assert_eq!(update_origin(&updates[1]), Some(4242));
        assert_eq!(update_origin(&[0, 0]), None);
        assert_eq!(update_origin(&[]), None);
    }

    #[test]
    fn hocuspocus_frames_strip_their_prefix() {
        let ep = Endpoint {
            url: String::new(),
            prefix: {
                let mut p = Vec::new();
                write_buf(&mut p, b"doc-1");
                p
            },
            doc: "doc-1".into(),
        };
        let frame = ep.sync_frame(SYNC_UPDATE, &[9, 8, 7]);
        match parse_incoming(ep.prefix_len(), frame) {
            Incoming::Sync {
                sub,
                frame,
                payload,
            } => {
                assert_eq!(sub, SYNC_UPDATE);
                assert_eq!(&frame[payload], &[9, 8, 7]);
            }
            other => panic!("{other:?}"),
        }
        let ack = Bytes::from(narada_proto::message::encode_ack(17));
        assert!(matches!(parse_incoming(0, ack), Incoming::Ack(17)));
    }
}
