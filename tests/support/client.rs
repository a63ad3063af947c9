//! A y-websocket client made of `yrs` and `tokio-tungstenite`, as a Yjs editor would behave:
//! it sends its step 1 on connect, answers the server's step 1, applies what arrives, and
//! records awareness, acks, permission denials and the close frame for tests to wait on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use narada_proto::message::{self, decode, decode_ack, Inbound};
use parking_lot::Mutex;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

use crate::DEADLINE;

/// What the client has seen so far.
#[derive(Default, Debug, Clone)]
pub struct Seen {
    pub synced: bool,
    pub acked: u64,
    pub denied: usize,
    pub updates: usize,
    /// Awareness JSON by client id (removed ones are absent).
    pub awareness: HashMap<u64, String>,
    /// Close code and reason; 1006 when the connection dropped without one.
    pub closed: Option<(u16, String)>,
    /// Application events received (`events=1`), as JSON values, in arrival order.
    pub events: Vec<serde_json::Value>,
    /// Reasons of the permission-denied messages received.
    pub denials: Vec<String>,
}

pub struct Client {
    pub doc: Doc,
    out: mpsc::UnboundedSender<Message>,
    seen: Arc<Mutex<Seen>>,
    version: watch::Receiver<u64>,
    /// Update and step-2 messages sent, as the server counts them for acks.
    sent_updates: Arc<std::sync::atomic::AtomicU64>,
    awareness_clock: u32,
}

/// Why a connection was refused before the upgrade.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
}

impl Client {
    /// Connects and returns once the initial sync is complete.
    pub async fn connect(url: &str) -> Client {
        let c = Self::connect_unsynced(url)
            .await
            .expect("connection accepted");
        c.wait(|s| s.synced).await;
        c
    }

    /// Connects without waiting for the sync; `Err` carries the HTTP status of a refusal.
    pub async fn connect_unsynced(url: &str) -> Result<Client, Refused> {
        Self::connect_with(url, &[]).await
    }

    /// Connects with extra request headers (e.g. `Origin`).
    pub async fn connect_with(url: &str, headers: &[(&str, &str)]) -> Result<Client, Refused> {
        Self::connect_doc(url, headers, Doc::new()).await
    }

    /// Connects with a document of its own (a chosen client ID, or state carried over from an
    /// earlier connection, which its sync step 2 then sends) and waits for the initial sync.
    pub async fn connect_with_doc(url: &str, doc: Doc) -> Client {
        let c = Self::connect_doc(url, &[], doc)
            .await
            .expect("connection accepted");
        c.wait(|s| s.synced).await;
        c
    }

    async fn connect_doc(url: &str, headers: &[(&str, &str)], doc: Doc) -> Result<Client, Refused> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request().expect("valid url");
        for (k, v) in headers {
            req.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let (ws, _) = match tokio_tungstenite::connect_async(req).await {
            Ok(ok) => ok,
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                return Err(Refused {
                    status: resp.status().as_u16(),
                })
            }
            Err(e) => panic!("connect failed: {e}"),
        };
        let (mut sink, mut stream) = ws.split();
        let _ = doc.get_or_insert_text("content");
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (bump, version) = watch::channel(0u64);

        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
        });

        // Our step 1 and our presence (an empty state), as y-websocket sends on open.
        let sv = doc.transact().state_vector().encode_v1();
        let _ = out.send(Message::Binary(message::encode_sync_step1(&sv).into()));
        let mut clients = HashMap::new();
        clients.insert(
            doc.client_id(),
            AwarenessUpdateEntry {
                clock: 1,
                json: "{}".into(),
            },
        );
        let presence = AwarenessUpdate { clients }.encode_v1();
        let _ = out.send(Message::Binary(message::encode_awareness(&presence).into()));

        let reader_doc = doc.clone();
        let reader_out = out.clone();
        let reader_seen = Arc::clone(&seen);
        let sent_updates = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let reader_sent = Arc::clone(&sent_updates);
        tokio::spawn(async move {
            while let Some(msg) = stream.next().await {
                let frame = match msg {
                    Ok(Message::Binary(b)) => b,
                    Ok(Message::Close(cf)) => {
                        let c = cf.map(|c| (u16::from(c.code), c.reason.to_string()));
                        reader_seen.lock().closed = Some(c.unwrap_or((1005, String::new())));
                        bump.send_modify(|v| *v += 1);
                        return;
                    }
                    Ok(_) => continue,
                    Err(_) => break,
                };
                {
                    let mut s = reader_seen.lock();
                    if let Some(n) = decode_ack(&frame) {
                        s.acked = s.acked.max(n);
                    } else {
                        match decode(&frame) {
                            Ok(Inbound::SyncStep1(sv)) => {
                                let diff = reader_doc.transact().encode_state_as_update_v1(&sv);
                                reader_sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                let _ = reader_out.send(Message::Binary(
                                    message::encode_sync_step2(&diff).into(),
                                ));
                            }
                            Ok(Inbound::SyncStep2 { payload }) => {
                                apply(&reader_doc, &frame[payload]);
                                s.synced = true;
                            }
                            Ok(Inbound::Update { payload }) => {
                                apply(&reader_doc, &frame[payload]);
                                s.updates += 1;
                            }
                            Ok(Inbound::Awareness(u)) => {
                                for (id, e) in u.clients {
                                    if e.json.as_ref() == "null" {
                                        s.awareness.remove(&id.get());
                                    } else {
                                        s.awareness.insert(id.get(), e.json.to_string());
                                    }
                                }
                            }
                            Ok(Inbound::Auth) => {
                                s.denied += 1;
                                s.denials
                                    .push(String::from_utf8_lossy(&frame[2..]).into_owned());
                            }
                            Ok(Inbound::Event { payload }) => {
                                let v = serde_json::from_slice(&frame[payload])
                                    .expect("events are JSON");
                                s.events.push(v);
                            }
                            Ok(Inbound::Unknown(t)) => panic!("server sent unknown type {t}"),
                            Ok(Inbound::QueryAwareness) => {}
                            Err(e) => panic!("server sent a malformed frame: {e}"),
                        }
                    }
                }
                bump.send_modify(|v| *v += 1);
            }
            let mut s = reader_seen.lock();
            if s.closed.is_none() {
                s.closed = Some((1006, String::new()));
            }
            drop(s);
            bump.send_modify(|v| *v += 1);
        });

        Ok(Client {
            doc,
            out,
            seen,
            version,
            sent_updates,
            awareness_clock: 1,
        })
    }

    /// Waits until `cond` holds for what the client has seen, or panics at the deadline.
    pub async fn wait(&self, cond: impl Fn(&Seen) -> bool) -> Seen {
        self.wait_for(DEADLINE, cond)
            .await
            .unwrap_or_else(|s| panic!("condition not met in time; client saw {s:?}"))
    }

    /// Like `wait`, with an explicit deadline; `Err` carries what was seen.
    pub async fn wait_for(
        &self,
        deadline: Duration,
        cond: impl Fn(&Seen) -> bool,
    ) -> Result<Seen, Seen> {
        let mut version = self.version.clone();
        let until = tokio::time::Instant::now() + deadline;
        loop {
            {
                let s = self.seen.lock();
                if cond(&s) {
                    return Ok(s.clone());
                }
            }
            match tokio::time::timeout_at(until, version.changed()).await {
                Ok(Ok(())) => {}
                // Sender gone or deadline: one last look.
                _ => {
                    let s = self.seen.lock().clone();
                    return if cond(&s) { Ok(s) } else { Err(s) };
                }
            }
        }
    }

    /// Waits until the document's text equals `expected`.
    pub async fn wait_text(&self, expected: &str) {
        let res = self.wait_for(DEADLINE, |_| self.text() == expected).await;
        assert!(
            res.is_ok(),
            "text is {:?}, expected {:?}",
            self.text(),
            expected
        );
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().clone()
    }

    pub fn text(&self) -> String {
        let t = self.doc.get_or_insert_text("content");
        let txn = self.doc.transact();
        t.get_string(&txn)
    }

    /// Inserts text locally and sends the update (one message). Returns the update count.
    pub fn insert(&mut self, index: u32, chunk: &str) -> u64 {
        let t = self.doc.get_or_insert_text("content");
        let update = {
            let mut txn = self.doc.transact_mut();
            let before = txn.state_vector();
            t.insert(&mut txn, index, chunk);
            txn.encode_state_as_update_v1(&before)
        };
        self.send_update(&update)
    }

    /// Appends at the end of the text.
    pub fn append(&mut self, chunk: &str) -> u64 {
        let len = self.text().len() as u32; // yrs offsets are bytes by default
        self.insert(len, chunk)
    }

    /// Sends a raw v1 update as a sync update message.
    pub fn send_update(&mut self, update: &[u8]) -> u64 {
        self.send_raw(message::encode_sync_update(update));
        self.sent_updates
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1
    }

    /// Applies an update to the local document and sends it, as a provider does with the state
    /// it carries over from a previous connection.
    pub fn merge_and_send(&mut self, update: &[u8]) -> u64 {
        apply(&self.doc, update);
        self.send_update(update)
    }

    /// Sends any bytes as one binary frame.
    pub fn send_raw(&self, frame: Vec<u8>) {
        let _ = self.out.send(Message::Binary(frame.into()));
    }

    pub fn send_text_frame(&self, text: &str) {
        let _ = self.out.send(Message::Text(text.into()));
    }

    /// Publishes this client's awareness state (JSON).
    pub fn set_awareness(&mut self, json: &str) {
        self.awareness_clock += 1;
        let mut clients = HashMap::new();
        clients.insert(
            self.doc.client_id(),
            AwarenessUpdateEntry {
                clock: self.awareness_clock,
                json: json.into(),
            },
        );
        let update = AwarenessUpdate { clients }.encode_v1();
        self.send_raw(message::encode_awareness(&update));
    }

    /// Sends one awareness entry for any client id and clock (a well-behaved client sends only
    /// its own id, with its own clock).
    pub fn send_awareness_as(&self, client_id: u64, clock: u32, json: &str) {
        let mut clients = HashMap::new();
        clients.insert(
            yrs::ClientID::new(client_id),
            AwarenessUpdateEntry {
                clock,
                json: json.into(),
            },
        );
        let update = AwarenessUpdate { clients }.encode_v1();
        self.send_raw(message::encode_awareness(&update));
    }

    pub fn client_id(&self) -> u64 {
        self.doc.client_id().get()
    }

    /// Closes the socket politely.
    pub fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}

fn apply(doc: &Doc, update: &[u8]) {
    let update = Update::decode_v1(update).expect("server sent a valid update");
    doc.transact_mut()
        .apply_update(update)
        .expect("update applies");
}

/// The full state of a doc as an update (for comparisons).
pub fn state_of(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}
