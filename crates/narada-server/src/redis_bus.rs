//! Scale-out over Redis: nodes that share one Postgres relay live updates and awareness to each
//! other through Redis pub/sub, the Yjs ecosystem's convention (Hocuspocus and y-redis do too).
//!
//! Redis is a bus, not a store. Postgres stays the only durable record: every node appends what
//! its own clients send, and pub/sub only shortens the path to the other nodes' clients. Since
//! pub/sub is at-most-once, a node also *catches up from the log*: shortly after it loads a
//! document (covering edits published before it was listening and committed after it read), and
//! for every loaded document whenever its subscription reconnects. CRDT updates are idempotent
//! and commute, so applying one twice or late is harmless.
//!
//! Wire format: channel `narada:d:{doc}` carries `[16-byte node id][kind][frame]` where kind 0 is
//! a sync update frame, 1 an awareness frame and 2 an application event's JSON (every event
//! type travels as this one kind); channel `narada:revoke` carries
//! `[node id]` + JSON `{"doc": …|null, "user": …}` (access withdrawn: sockets closed) or
//! `{"doc": …, "user": …, "role": …}` (role changed: sockets keep going at that role). A node
//! ignores its own messages.
//! Compaction takes a short Redis lock (`SET narada:compact:{doc} NX PX`) so one node compacts a
//! document at a time.

use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;
use narada_store::DocId;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::bus::{Bus, BusKind};
use crate::hub::Hub;

const KIND_UPDATE: u8 = 0;
const KIND_AWARENESS: u8 = 1;
const KIND_EVENT: u8 = 2;
const DOC_PREFIX: &str = "narada:d:";
const REVOKE_CHANNEL: &str = "narada:revoke";
/// Messages waiting to be published. Beyond it a message is not published (and counted): the
/// other nodes' clients still converge through the log catch-up and on reconnect.
const PUBLISH_QUEUE: usize = 65_536;

enum Outgoing {
    Doc { channel: String, payload: Bytes },
    Revoke(Bytes),
}

pub struct RedisBus {
    node: [u8; 16],
    tx: mpsc::Sender<Outgoing>,
    conn: redis::aio::ConnectionManager,
    dropped: std::sync::atomic::AtomicU64,
}

impl RedisBus {
    /// Connects, starts the publisher and the subscriber, and returns the bus to give the hub.
    pub async fn start(
        url: &str,
        hub: Weak<Hub>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Arc<RedisBus>> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("redis url: {e}"))?;
        let conn = client
            .get_connection_manager()
            .await
            .map_err(|e| anyhow::anyhow!("connecting to redis: {e}"))?;
        let node: [u8; 16] = rand::random();
        let (tx, rx) = mpsc::channel(PUBLISH_QUEUE);
        let bus = Arc::new(RedisBus {
            node,
            tx,
            conn: conn.clone(),
            dropped: std::sync::atomic::AtomicU64::new(0),
        });
        tokio::spawn(publisher(conn, rx));
        // Subscribe before returning so that nothing published after start is missed.
        let pubsub = subscribe(&client).await?;
        tokio::spawn(subscriber(client, pubsub, node, hub, shutdown));
        tracing::info!("scale-out bus connected");
        Ok(bus)
    }

    fn frame(&self, kind: u8, frame: &[u8]) -> Bytes {
        let mut b = BytesMut::with_capacity(17 + frame.len());
        b.put_slice(&self.node);
        b.put_u8(kind);
        b.put_slice(frame);
        b.freeze()
    }

    fn enqueue(&self, msg: Outgoing) {
        if self.tx.try_send(msg).is_err() {
            let n = self
                .dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n.is_multiple_of(1000) {
                tracing::warn!(
                    dropped = n + 1,
                    "scale-out publish queue full; other nodes will catch up from the log"
                );
            }
        }
    }

    /// Takes the compaction lock for `doc` for a minute; false when another node holds it.
    pub async fn lock_compaction(&self, doc: &DocId) -> bool {
        let mut conn = self.conn.clone();
        let key = format!("narada:compact:{doc}");
        let got: Result<Option<String>, _> = redis::cmd("SET")
            .arg(&key)
            .arg(&self.node[..])
            .arg("NX")
            .arg("PX")
            .arg(60_000)
            .query_async(&mut conn)
            .await;
        matches!(got, Ok(Some(_)))
    }
}

impl Bus for RedisBus {
    fn publish_update(&self, doc: &DocId, frame: &Bytes) {
        let payload = self.frame(KIND_UPDATE, frame);
        self.enqueue(Outgoing::Doc {
            channel: format!("{DOC_PREFIX}{doc}"),
            payload,
        });
    }

    fn publish_awareness(&self, doc: &DocId, frame: &Bytes) {
        let payload = self.frame(KIND_AWARENESS, frame);
        self.enqueue(Outgoing::Doc {
            channel: format!("{DOC_PREFIX}{doc}"),
            payload,
        });
    }

    fn publish_event(&self, doc: &DocId, json: &Bytes) {
        let payload = self.frame(KIND_EVENT, json);
        self.enqueue(Outgoing::Doc {
            channel: format!("{DOC_PREFIX}{doc}"),
            payload,
        });
    }

    fn publish_revocation(&self, doc: Option<&DocId>, user: &str) {
        let json = serde_json::json!({ "doc": doc.map(|d| d.as_str()), "user": user }).to_string();
        let mut b = BytesMut::with_capacity(16 + json.len());
        b.put_slice(&self.node);
        b.put_slice(json.as_bytes());
        self.enqueue(Outgoing::Revoke(b.freeze()));
    }

    fn publish_role(&self, doc: &DocId, user: &str, role: narada_auth::Role) {
        let json =
            serde_json::json!({ "doc": doc.as_str(), "user": user, "role": role }).to_string();
        let mut b = BytesMut::with_capacity(16 + json.len());
        b.put_slice(&self.node);
        b.put_slice(json.as_bytes());
        self.enqueue(Outgoing::Revoke(b.freeze()));
    }

    fn lock_compaction<'a>(&'a self, doc: &'a DocId) -> futures_util::future::BoxFuture<'a, bool> {
        Box::pin(RedisBus::lock_compaction(self, doc))
    }
}

/// Publishes in pipelines: whatever queued up while the previous round trip was in flight.
async fn publisher(mut conn: redis::aio::ConnectionManager, mut rx: mpsc::Receiver<Outgoing>) {
    let mut batch = Vec::with_capacity(256);
    while rx.recv_many(&mut batch, 256).await > 0 {
        let mut pipe = redis::pipe();
        for msg in batch.drain(..) {
            match msg {
                Outgoing::Doc { channel, payload } => {
                    pipe.cmd("PUBLISH").arg(channel).arg(&payload[..]).ignore()
                }
                Outgoing::Revoke(payload) => pipe
                    .cmd("PUBLISH")
                    .arg(REVOKE_CHANNEL)
                    .arg(&payload[..])
                    .ignore(),
            };
        }
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            tracing::warn!(error = %e, "publishing to redis failed; other nodes will catch up from the log");
        }
    }
}

async fn subscribe(client: &redis::Client) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(format!("{DOC_PREFIX}*")).await?;
    pubsub.subscribe(REVOKE_CHANNEL).await?;
    Ok(pubsub)
}

async fn subscriber(
    client: redis::Client,
    mut pubsub: redis::aio::PubSub,
    node: [u8; 16],
    hub: Weak<Hub>,
    shutdown: CancellationToken,
) {
    loop {
        {
            let mut stream = pubsub.on_message();
            loop {
                let msg = tokio::select! {
                    m = stream.next() => m,
                    _ = shutdown.cancelled() => return,
                };
                let Some(msg) = msg else { break };
                let Some(hub) = hub.upgrade() else { return };
                let payload = msg.get_payload_bytes();
                if payload.len() < 16 || payload[..16] == node {
                    continue;
                }
                let channel = msg.get_channel_name();
                if channel == REVOKE_CHANNEL {
                    handle_revocation(&hub, &payload[16..]);
                } else if let Some(doc) = channel.strip_prefix(DOC_PREFIX) {
                    if payload.len() < 17 {
                        continue;
                    }
                    let frame = Bytes::copy_from_slice(&payload[17..]);
                    let kind = match payload[16] {
                        KIND_UPDATE => BusKind::Update,
                        KIND_AWARENESS => BusKind::Awareness,
                        KIND_EVENT => BusKind::Event,
                        _ => continue,
                    };
                    if let Ok(doc) = DocId::parse(doc) {
                        hub.apply_from_bus(&doc, kind, frame);
                    }
                }
            }
        }
        // The subscription dropped: reconnect with backoff, then catch up from the log for
        // every open document, since pub/sub does not replay what was missed.
        tracing::warn!("redis subscription lost; reconnecting");
        let mut backoff = Duration::from_millis(100);
        pubsub = loop {
            if shutdown.is_cancelled() {
                return;
            }
            match subscribe(&client).await {
                Ok(p) => break p,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "redis resubscribe failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        };
        if let Some(hub) = hub.upgrade() {
            hub.catch_up_all();
        }
    }
}

fn handle_revocation(hub: &Hub, json: &[u8]) {
    #[derive(serde::Deserialize)]
    struct Revocation {
        doc: Option<String>,
        user: String,
        /// Present for a role change: the sockets stay, at this role.
        role: Option<narada_auth::Role>,
    }
    if let Ok(r) = serde_json::from_slice::<Revocation>(json) {
        let doc = r.doc.as_deref().and_then(|d| DocId::parse(d).ok());
        match (r.role, doc) {
            (Some(role), Some(doc)) => {
                hub.set_role(&doc, &r.user, role);
            }
            (Some(_), None) => {}
            (None, doc) => {
                hub.kick_user(doc.as_ref(), &r.user);
            }
        }
    }
}
