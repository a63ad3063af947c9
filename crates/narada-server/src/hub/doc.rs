//! One open document: the authoritative yrs state, who is connected, and what is not yet stored.
//!
//! All of it sits behind one `parking_lot::Mutex`. Critical sections are short and never await:
//! apply an update (about a microsecond for a keystroke), then `try_send` the frame to each
//! other client's queue. A lock rather than an actor task saves a channel hop and a task wake-up
//! per update; ordering is the same (one writer at a time), and it is what makes "apply, relay
//! and hand to the store writer" one atomic step, so the log order is the apply order.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use narada_auth::Role;
use narada_proto::authorship::ClientOwners;
use narada_proto::message::{
    encode_ack, encode_permission_denied, encode_sync_step1, encode_sync_step2,
};
use narada_proto::presence::REMOTE;
use narada_proto::{ApplyError, DocState, Presence};
use narada_store::{Author, DocId, NewUpdate, Seq};
use parking_lot::Mutex;
use std::sync::atomic::Ordering::Relaxed;
use tokio::sync::oneshot;
use yrs::sync::awareness::AwarenessUpdate;
use yrs::StateVector;

use super::conn::{close, ConnHandle, Queued};
use super::Hub;
use crate::persist::PersistItem;

/// A yrs v1 update that changes nothing: no structs, empty delete set.
pub const EMPTY_UPDATE: &[u8] = &[0, 0];

/// Why a client's message ended its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
}

pub struct LiveDoc {
    pub id: DocId,
    inner: Mutex<Inner>,
}

struct Inner {
    state: DocState,
    /// Which person owns each Yjs client ID (loaded with the document, extended by claims).
    owners: ClientOwners<Arc<str>>,
    presence: Presence,
    /// Connected clients. A Vec: broadcast iterates it on every update, joins and leaves are rare.
    conns: Vec<ConnHandle>,
    /// Set when the document leaves the registry; late joiners retry with a fresh load.
    closed: bool,
    /// Items handed to the store writer and not yet committed (updates and ack markers).
    pending: usize,
    /// Highest log seq known committed.
    committed_seq: Seq,
    /// Log seq the stored snapshot covers.
    snapshot_seq: Seq,
    /// Every log entry up to this seq is in `state` (set at load, advanced by log catch-up).
    applied_through: Seq,
    compacting: bool,
    /// The load left out stored entries that do not apply: the state is not the stored log's,
    /// so it is never compacted (see `narada_proto::DocState::load`).
    degraded: bool,
}

impl LiveDoc {
    pub fn new(
        id: DocId,
        state: DocState,
        owners: ClientOwners<Arc<str>>,
        last_seq: Seq,
        snapshot_seq: Seq,
        degraded: bool,
    ) -> Self {
        LiveDoc {
            id,
            inner: Mutex::new(Inner {
                state,
                owners,
                presence: Presence::default(),
                conns: Vec::new(),
                closed: false,
                pending: 0,
                committed_seq: last_seq,
                snapshot_seq,
                applied_through: last_seq,
                compacting: false,
                degraded,
            }),
        }
    }

    /// Adds a client and queues its first frames (our step 1, everyone's awareness) before any
    /// broadcast can reach it. Returns false when the document is closing: load it again.
    pub fn attach(&self, conn: &ConnHandle) -> bool {
        let mut inner = self.inner.lock();
        if inner.closed {
            return false;
        }
        conn.send(encode_sync_step1(&inner.state.state_vector()).into());
        if let Some(frame) = inner.presence.full_frame() {
            conn.send(frame.into());
        }
        inner.conns.push(conn.clone());
        true
    }

    /// Removes a client and tells the others its awareness is gone. Returns true when the
    /// document is now idle (no clients, nothing pending) and may be unloaded.
    pub fn detach(&self, hub: &Hub, conn: &ConnHandle) -> bool {
        let mut inner = self.inner.lock();
        inner.conns.retain(|c| c.id() != conn.id());
        if let Some(frame) = inner.presence.remove_conn(conn.id(), Instant::now()) {
            let frame = Bytes::from(frame);
            broadcast(hub, &inner.conns, None, &frame);
            hub.publish_awareness(&self.id, &frame);
        }
        inner.conns.is_empty() && inner.pending == 0
    }

    /// Answers a client's step 1 with what it lacks.
    pub fn reply_step2(&self, conn: &ConnHandle, sv: &StateVector) {
        let inner = self.inner.lock();
        let diff = inner.state.diff(sv);
        conn.send(encode_sync_step2(&diff).into());
    }

    /// Applies an update a client sent, relays it, and hands it to the store writer.
    ///
    /// `frame` is the whole message as it arrived and `payload` the update's range in it: an
    /// `Update` frame is relayed as is (shared, not copied); a step 2 is relayed as an update.
    /// `ack` is the connection's count of update messages including this one, when it asked for
    /// acknowledgements.
    pub fn apply_client_update(
        self: &Arc<Self>,
        hub: &Hub,
        conn: &ConnHandle,
        frame: Bytes,
        payload: Range<usize>,
        is_step2: bool,
        ack: Option<u64>,
    ) -> Result<(), Refusal> {
        let update = frame.slice(payload);
        let empty = update.as_ref() == EMPTY_UPDATE;
        if empty && ack.is_none() {
            return Ok(());
        }
        // While storage is stalled, an edit is refused before it touches the document: the
        // client keeps it and sends it again after reconnecting (see `crate::persist`).
        if !empty && hub.storage.refusing_writes() {
            return Err(Refusal {
                code: close::TRY_AGAIN_LATER,
                reason: close::STORAGE_UNAVAILABLE,
            });
        }
        // Reserve room in the store writer's queue first: if storage is backed up the write is
        // refused before it touches the document, so nothing applied is ever left unstored.
        let permit = hub.persist_permit().ok_or(Refusal {
            code: close::TRY_AGAIN_LATER,
            reason: "storage backlog full",
        })?;
        let mut inner = self.inner.lock();
        let mut claims = Vec::new();
        let mut update = update;
        let mut frame = frame;
        if !empty {
            // Authorship: structs under a client ID another person owns are cut out here, so
            // nobody can write under someone else's name (narada_proto::authorship).
            let screened = match inner.owners.screen(&update, conn.person()) {
                Ok(s) => s,
                Err(e) => {
                    hub.metrics.updates_rejected.fetch_add(1, Relaxed);
                    tracing::info!(doc = %self.id, conn = conn.id(), error = %e, "update refused");
                    return Err(Refusal {
                        code: close::INVALID_DATA,
                        reason: "invalid update",
                    });
                }
            };
            claims = screened.claims.clone();
            if screened.cut() {
                hub.metrics
                    .foreign_structs_refused
                    .fetch_add(screened.refused_structs, Relaxed);
                tracing::warn!(
                    doc = %self.id,
                    conn = conn.id(),
                    clients = ?screened.refused,
                    structs = screened.refused_structs,
                    "structs under another person's client ID were cut from an update"
                );
                tell_foreign_cut(conn, &screened.refused, screened.refused_structs);
                let kept = Bytes::from(screened.update.into_owned());
                frame = Bytes::from(narada_proto::message::encode_sync_update(&kept));
                update = kept;
            }
        }
        let empty = update.as_ref() == EMPTY_UPDATE;
        if !empty {
            if let Err(e) = inner.state.apply(&update) {
                hub.metrics.updates_rejected.fetch_add(1, Relaxed);
                tracing::info!(doc = %self.id, conn = conn.id(), error = %e, "update refused");
                if matches!(e, ApplyError::Panicked) {
                    // The state may be half-applied: cut everyone off and reload from storage.
                    drop(inner);
                    hub.evict(self, "document reloaded after an internal error");
                }
                return Err(Refusal {
                    code: close::INVALID_DATA,
                    reason: "invalid update",
                });
            }
            hub.metrics.updates_applied.fetch_add(1, Relaxed);
            let relay = if is_step2 && frame.get(1) == Some(&1) {
                as_update_frame(&frame)
            } else {
                frame
            };
            broadcast(hub, &inner.conns, Some(conn.id()), &relay);
            hub.publish_update(&self.id, &relay);
            inner.owners.claim_all(&claims, conn.person());
        }
        inner.pending += 1;
        conn.handed_to_store();
        permit.send(PersistItem {
            doc: Arc::clone(self),
            update: (!empty).then(|| NewUpdate {
                doc: self.id.clone(),
                data: update,
                author: Author::person(Arc::clone(conn.person())),
                claims,
            }),
            from: Some(conn.clone()),
            ack,
            stored: None,
            claims: None,
        });
        Ok(())
    }

    /// Applies an edit the server makes (a restore, an import, an accepted suggestion...):
    /// `make` computes the update from the current state, under the document's lock, so it
    /// lands in the document's single order. It is relayed to every client here and on other
    /// nodes, and stored with `author`; the returned receiver yields its seq once committed.
    /// `Ok(None)` when the edit changed nothing.
    pub fn apply_server_edit(
        self: &Arc<Self>,
        hub: &Hub,
        author: Author,
        make: &dyn Fn(&DocState) -> Vec<u8>,
    ) -> Result<Option<oneshot::Receiver<Seq>>, ServerEditError> {
        let permit = hub.persist_permit().ok_or(ServerEditError::Backlog)?;
        let mut inner = self.inner.lock();
        if inner.closed {
            return Err(ServerEditError::Closed);
        }
        let update = make(&inner.state);
        if update.as_slice() == EMPTY_UPDATE {
            return Ok(None);
        }
        if let Err(e) = inner.state.apply(&update) {
            tracing::error!(doc = %self.id, error = %e, "a server-originated edit did not apply");
            if matches!(e, ApplyError::Panicked) {
                drop(inner);
                hub.evict(self, "document reloaded after an internal error");
            }
            return Err(ServerEditError::Rejected);
        }
        hub.metrics.updates_applied.fetch_add(1, Relaxed);
        let frame = Bytes::from(narada_proto::message::encode_sync_update(&update));
        broadcast(hub, &inner.conns, None, &frame);
        hub.publish_update(&self.id, &frame);
        inner.pending += 1;
        let (tx, rx) = oneshot::channel();
        permit.send(PersistItem {
            doc: Arc::clone(self),
            update: Some(NewUpdate::new(self.id.clone(), update.into(), author)),
            from: None,
            ack: None,
            stored: Some(tx),
            claims: None,
        });
        Ok(Some(rx))
    }

    /// Queues an application event (a serialized JSON object) for every connection that asked
    /// for events. Stock y-websocket clients never receive one.
    pub fn send_event(&self, hub: &Hub, json: &[u8]) {
        let frame = Bytes::from(narada_proto::message::encode_event(json));
        let inner = self.inner.lock();
        let targets: Vec<ConnHandle> = inner
            .conns
            .iter()
            .filter(|c| c.wants_events())
            .cloned()
            .collect();
        broadcast(hub, &targets, None, &frame);
    }

    /// Who owns a client ID of this document (tests, history tools).
    pub fn client_owner(&self, client: u64) -> Option<Arc<str>> {
        self.inner
            .lock()
            .owners
            .owner(client)
            .map(|o| Arc::clone(&o.person))
    }

    /// Applies an update that arrived from another node over the bus. It is stored by the node
    /// that received it from its client, so here it is only applied and relayed.
    pub fn apply_remote_update(&self, hub: &Hub, frame: Bytes, payload: Range<usize>) {
        let mut inner = self.inner.lock();
        if inner.state.apply(&frame[payload]).is_ok() {
            broadcast(hub, &inner.conns, None, &frame);
        }
    }

    /// Applies a client's awareness update and relays the frame if it changed anything.
    pub fn apply_awareness(
        self: &Arc<Self>,
        hub: &Hub,
        conn: &ConnHandle,
        update: &AwarenessUpdate,
        frame: Bytes,
    ) {
        let mut inner = self.inner.lock();
        // A client announces its own Yjs client ID in its presence as soon as it connects
        // (y-websocket always does), long before it types: claiming the ID here, and storing the
        // claim at once, keeps it the person's even if their first edits are lost in a crash
        // and come back later through someone else's sync (see narada_proto::authorship).
        let mut claimed = Vec::new();
        for (client, entry) in &update.clients {
            if entry.json.as_ref() != "null"
                && inner.owners.announce(client.get(), conn.person()).changed()
            {
                claimed.push(client.get());
            }
        }
        if !claimed.is_empty() {
            // Without room in the writer's queue the claim stays in memory only; the person's
            // first update then stores nothing new for it, which is the pre-claim behaviour.
            if let Some(permit) = hub.persist_permit() {
                inner.pending += 1;
                permit.send(PersistItem {
                    doc: Arc::clone(self),
                    update: None,
                    from: None,
                    ack: None,
                    stored: None,
                    claims: Some((Arc::clone(conn.person()), claimed)),
                });
            }
        }
        let Inner {
            presence, conns, ..
        } = &mut *inner;
        // Another connection's id may be taken over only by the same person (a reconnect
        // whose old socket has not closed yet); see `narada_proto::presence`.
        let same_person = |owner| {
            conns
                .iter()
                .any(|c| c.id() == owner && c.user() == conn.user())
        };
        let max = hub.cfg.max_awareness_bytes;
        let applied = presence.apply(update, conn.id(), Instant::now(), max, same_person);
        if applied.refused() > 0 {
            hub.metrics
                .awareness_refused
                .fetch_add(applied.refused() as u64, Relaxed);
            tracing::debug!(doc = %self.id, conn = conn.id(), foreign = applied.foreign, oversized = applied.oversized, "awareness entries left out");
        }
        if let Some(frame) = applied.relay(frame) {
            broadcast(hub, conns, Some(conn.id()), &frame);
            hub.publish_awareness(&self.id, &frame);
        }
    }

    /// Where a log catch-up should start.
    pub fn catch_up_from(&self) -> Seq {
        self.inner.lock().applied_through + 1
    }

    /// Applies log entries written by other nodes and relays to local clients whatever was
    /// news to this node.
    pub fn apply_log_entries(&self, hub: &Hub, entries: &[(Seq, Bytes)]) {
        let mut inner = self.inner.lock();
        for (seq, data) in entries {
            if *seq <= inner.applied_through {
                continue;
            }
            inner.applied_through = *seq;
            if let Ok(Some(delta)) = inner.state.apply_effective(data) {
                let frame = Bytes::from(narada_proto::message::encode_sync_update(&delta));
                broadcast(hub, &inner.conns, None, &frame);
            }
        }
    }

    /// Applies awareness from another node (owned by no local connection).
    pub fn apply_remote_awareness(&self, hub: &Hub, update: &AwarenessUpdate, frame: Bytes) {
        let mut inner = self.inner.lock();
        let max = hub.cfg.max_awareness_bytes;
        let applied = inner
            .presence
            .apply(update, REMOTE, Instant::now(), max, |_| false);
        if let Some(frame) = applied.relay(frame) {
            broadcast(hub, &inner.conns, None, &frame);
        }
    }

    /// Sends every awareness state to one client (its "query awareness").
    pub fn send_awareness(&self, conn: &ConnHandle) {
        let inner = self.inner.lock();
        if let Some(frame) = inner.presence.full_frame() {
            conn.send(frame.into());
        }
    }

    /// Tells a read-only client its write was refused.
    pub fn deny_write(conn: &ConnHandle) {
        conn.send(
            encode_permission_denied("read-only: your role cannot edit this document").into(),
        );
    }

    /// Removes awareness states that were not renewed in time.
    pub fn expire_awareness(&self, hub: &Hub, timeout: Duration) {
        let mut inner = self.inner.lock();
        if let Some(frame) = inner.presence.expire(Instant::now(), timeout) {
            broadcast(hub, &inner.conns, None, &Bytes::from(frame));
        }
    }

    /// Called by the store writer after a commit. Returns `(idle, compact)`: whether the
    /// document can be unloaded, and whether a compaction should start.
    pub fn committed(
        &self,
        items: usize,
        max_seq: Option<Seq>,
        compact_after: usize,
    ) -> (bool, bool) {
        let mut inner = self.inner.lock();
        inner.pending -= items;
        if let Some(seq) = max_seq {
            inner.committed_seq = inner.committed_seq.max(seq);
        }
        let compact = !inner.compacting
            && !inner.degraded
            && inner.committed_seq - inner.snapshot_seq >= compact_after as Seq;
        if compact {
            inner.compacting = true;
        }
        (inner.conns.is_empty() && inner.pending == 0, compact)
    }

    /// Marks a compaction as started; false when one is already running.
    pub fn begin_compaction(&self) -> bool {
        let mut inner = self.inner.lock();
        !std::mem::replace(&mut inner.compacting, true)
    }

    /// Records the end of a compaction.
    pub fn compacted(&self, upto: Option<Seq>) {
        let mut inner = self.inner.lock();
        inner.compacting = false;
        if let Some(upto) = upto {
            inner.snapshot_seq = inner.snapshot_seq.max(upto);
        }
    }

    /// Whether the log tail is long enough to be worth a snapshot.
    pub fn wants_compaction(&self) -> bool {
        let inner = self.inner.lock();
        !inner.degraded && inner.committed_seq > inner.snapshot_seq
    }

    /// Marks the document closed if it is idle; the registry removes it only then.
    pub fn close_if_idle(&self) -> bool {
        let mut inner = self.inner.lock();
        if inner.conns.is_empty() && inner.pending == 0 {
            inner.closed = true;
        }
        inner.closed
    }

    /// Closes the document and kicks every client (used when its state cannot be trusted).
    pub fn close_all(&self, code: u16, reason: &'static str) {
        let mut inner = self.inner.lock();
        inner.closed = true;
        for c in &inner.conns {
            c.kick(code, reason);
        }
    }

    /// Kicks every connection that may write (storage stalled).
    pub fn kick_writers(&self, code: u16, reason: &'static str) -> usize {
        let inner = self.inner.lock();
        let mut n = 0;
        for c in inner.conns.iter().filter(|c| c.role().can_write()) {
            c.kick(code, reason);
            n += 1;
        }
        n
    }

    /// Gives every connection of `user` the role `role` and tells them: an `access` event for
    /// clients that take events, y-protocols' permission-denied for the others when they can no
    /// longer write. Returns how many connections changed.
    pub fn set_role(&self, user: &str, role: Role) -> usize {
        let inner = self.inner.lock();
        let mut changed = 0;
        for c in inner.conns.iter().filter(|c| c.user() == user) {
            let old = c.set_role(role);
            if old == role {
                continue;
            }
            changed += 1;
            let frame = if c.wants_events() {
                let event = serde_json::json!({
                    "type": "access",
                    "role": role,
                    "can_write": role.can_write(),
                });
                narada_proto::message::encode_event(event.to_string().as_bytes())
            } else if old.can_write() && !role.can_write() {
                encode_permission_denied("read-only: your role on this document changed")
            } else {
                continue;
            };
            c.send(frame.into());
        }
        changed
    }

    /// Kicks the connections of `user` (access revoked).
    pub fn kick_user(&self, user: &str, code: u16, reason: &'static str) -> usize {
        let inner = self.inner.lock();
        let mut n = 0;
        for c in inner.conns.iter().filter(|c| c.user() == user) {
            c.kick(code, reason);
            n += 1;
        }
        n
    }

    pub fn connections(&self) -> usize {
        self.inner.lock().conns.len()
    }

    /// The full state as one update (tests, history tools).
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.lock().state.snapshot()
    }

    /// Sends an ack frame to a connection (from the store writer).
    pub fn send_ack(conn: &ConnHandle, n: u64) {
        conn.send(encode_ack(n).into());
    }
}

/// Tells a client that part of its update was not applied: as an event when it takes events,
/// else as y-protocols' "permission denied" (y-websocket reports it and stays connected).
fn tell_foreign_cut(conn: &ConnHandle, clients: &[u64], structs: u64) {
    let frame = if conn.wants_events() {
        let event = serde_json::json!({
            "type": "foreign_structs_refused",
            "clients": clients,
            "structs": structs,
        });
        narada_proto::message::encode_event(event.to_string().as_bytes())
    } else {
        encode_permission_denied(
            "changes written under another person's client ID were not applied",
        )
    };
    conn.send(frame.into());
}

/// Why a server-originated edit was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ServerEditError {
    #[error("storage backlog full")]
    Backlog,
    #[error("the document is closing; try again")]
    Closed,
    #[error("the edit did not apply")]
    Rejected,
    #[error("storage failed")]
    Storage,
}

/// The same message re-tagged as a sync update: step 2 (`[0][1]…`) and update (`[0][2]…`)
/// differ only in the second byte, so the payload is copied once and shared by every receiver.
fn as_update_frame(step2: &Bytes) -> Bytes {
    let mut v = step2.to_vec();
    v[1] = narada_proto::message::SYNC_UPDATE as u8;
    v.into()
}

/// Queues `frame` for every connection but `except`.
fn broadcast(hub: &Hub, conns: &[ConnHandle], except: Option<u64>, frame: &Bytes) {
    let mut sent = 0u64;
    for c in conns {
        if Some(c.id()) == except {
            continue;
        }
        match c.send(frame.clone()) {
            Queued::Yes => sent += 1,
            Queued::TooSlow => {
                if c.first_slow_kick() {
                    hub.metrics.slow_client_disconnects.fetch_add(1, Relaxed);
                    tracing::info!(conn = c.id(), "disconnecting a client that cannot keep up");
                }
            }
            Queued::Gone => {}
        }
    }
    hub.metrics
        .bytes_out
        .fetch_add(sent * frame.len() as u64, Relaxed);
}
