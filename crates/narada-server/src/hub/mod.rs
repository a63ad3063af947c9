//! The hub: the registry of open documents and everything that happens to them.
//!
//! - **Load once.** `docs` maps a document to a slot holding a `tokio::sync::OnceCell`; every
//!   client that arrives while the document loads awaits the same load, and nobody is attached
//!   (nor sent a first sync) before the stored state is in memory. The dashmap guard is never
//!   held across an await: the slot `Arc` is cloned out first.
//! - **Unload** happens when the last client has left *and* the store writer has committed
//!   everything of the document; the slot is removed under the map's shard lock only if the
//!   document agrees it is idle (`close_if_idle`), and a joiner that finds a closed document
//!   loads it afresh, so no client ever attaches to a document that is leaving.
//! - **Compaction** rebuilds the snapshot from what is *stored* (snapshot + tail), not from
//!   memory, so a snapshot never claims log entries it does not contain, even with several nodes.

pub mod conn;
pub mod doc;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use dashmap::DashMap;
use narada_proto::{DocState, Skipped};
use narada_store::{DocId, Seq, Store, StoreError, StoredDoc};
use tokio::sync::{mpsc, OnceCell};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::bus::{Bus, BusKind};
use crate::metrics::Metrics;
use crate::persist::{PersistItem, StorageHealth, Writer};
use conn::{close, ConnHandle};
use doc::{LiveDoc, ServerEditError};
use narada_auth::Role;
use narada_proto::authorship::ClientOwners;
use narada_store::Author;

/// Hub settings (a subset of [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct HubConfig {
    pub persist_max_batch: usize,
    pub persist_queue: usize,
    pub compact_after: usize,
    pub awareness_timeout: Duration,
    /// Largest awareness state (one client's JSON) kept and relayed.
    pub max_awareness_bytes: usize,
    /// How long commits may fail before writers are closed and edits refused.
    pub storage_stall_timeout: Duration,
}

/// How long after a load the log is read again (see `schedule_catch_up_after_load`); well above
/// a group commit's latency.
const CATCH_UP_AFTER_LOAD: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Slot {
    doc: OnceCell<Arc<LiveDoc>>,
}

pub struct Hub {
    docs: DashMap<DocId, Arc<Slot>>,
    store: Arc<dyn Store>,
    persist_tx: mpsc::Sender<PersistItem>,
    pub metrics: Arc<Metrics>,
    /// Whether commits succeed (see [`crate::persist`]).
    pub storage: Arc<StorageHealth>,
    cfg: HubConfig,
    next_conn: AtomicU64,
    bus: OnceLock<Arc<dyn Bus>>,
    /// Background work (compactions) that shutdown waits for.
    tasks: TaskTracker,
    writer_stop: CancellationToken,
    /// Announces each document that leaves memory (for operators' tooling and tests).
    unloads: tokio::sync::broadcast::Sender<DocId>,
    writer_done: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// When access was last revoked, per (document or every document, user), Unix seconds.
    /// Tokens issued before that are refused at connect: otherwise a client kicked with 4403
    /// would reconnect at once with its still-unexpired token. Tiny (one entry per revoked
    /// person and document), so never pruned.
    revoked_at: DashMap<(Option<DocId>, String), u64>,
}

impl Hub {
    /// Creates the hub and starts its store writer and awareness sweeper.
    pub fn start(store: Arc<dyn Store>, metrics: Arc<Metrics>, cfg: HubConfig) -> Arc<Hub> {
        let (tx, rx) = mpsc::channel(cfg.persist_queue.max(1));
        let writer_stop = CancellationToken::new();
        let storage = Arc::new(StorageHealth::default());
        let hub = Arc::new_cyclic(|weak| {
            let writer = Writer {
                rx,
                store: Arc::clone(&store),
                metrics: Arc::clone(&metrics),
                hub: weak.clone(),
                max_batch: cfg.persist_max_batch.max(1),
                compact_after: cfg.compact_after.max(1),
                health: Arc::clone(&storage),
                stall_after: cfg.storage_stall_timeout,
                stop: writer_stop.clone(),
            };
            let handle = tokio::spawn(writer.run());
            Hub {
                docs: DashMap::new(),
                store,
                persist_tx: tx,
                metrics,
                storage,
                cfg,
                next_conn: AtomicU64::new(1),
                bus: OnceLock::new(),
                tasks: TaskTracker::new(),
                writer_stop,
                unloads: tokio::sync::broadcast::channel(64).0,
                writer_done: tokio::sync::Mutex::new(Some(handle)),
                revoked_at: DashMap::new(),
            }
        });
        let weak = Arc::downgrade(&hub);
        let every = hub.cfg.awareness_timeout / 3;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
            loop {
                tick.tick().await;
                let Some(hub) = weak.upgrade() else { break };
                hub.sweep_awareness();
            }
        });
        hub
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Connects the hub to other nodes. Set once, at start.
    pub fn set_bus(&self, bus: Arc<dyn Bus>) {
        let _ = self.bus.set(bus);
    }

    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Relaxed)
    }

    pub(crate) fn persist_permit(&self) -> Option<mpsc::Permit<'_, PersistItem>> {
        self.persist_tx.try_reserve().ok()
    }

    pub(crate) fn publish_update(&self, doc: &DocId, frame: &Bytes) {
        if let Some(bus) = self.bus.get() {
            bus.publish_update(doc, frame);
            self.metrics.bus_messages_out.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn publish_awareness(&self, doc: &DocId, frame: &Bytes) {
        if let Some(bus) = self.bus.get() {
            bus.publish_awareness(doc, frame);
            self.metrics.bus_messages_out.fetch_add(1, Relaxed);
        }
    }

    /// Attaches a client to a document, loading it first if needed.
    pub async fn join(
        self: &Arc<Self>,
        id: &DocId,
        conn: &ConnHandle,
    ) -> Result<Arc<LiveDoc>, StoreError> {
        loop {
            let slot = Arc::clone(self.docs.entry(id.clone()).or_default().value());
            let mut fresh = false;
            let live = slot
                .doc
                .get_or_try_init(|| {
                    fresh = true;
                    self.load(id)
                })
                .await?;
            if fresh {
                self.schedule_catch_up_after_load(live);
            }
            if live.attach(conn) {
                return Ok(Arc::clone(live));
            }
            // The document closed between lookup and attach; make sure its slot is gone and
            // load it again (everything it held is committed by then).
            self.docs.remove_if(id, |_, s| Arc::ptr_eq(s, &slot));
            tokio::task::yield_now().await;
        }
    }

    async fn load(&self, id: &DocId) -> Result<Arc<LiveDoc>, StoreError> {
        let started = std::time::Instant::now();
        let mut stored = self.store.load(id).await?;
        let last_seq = stored.last_seq();
        let snapshot_seq = stored.snapshot.as_ref().map(|s| s.1).unwrap_or(0);
        let tail_len = stored.tail.len();
        let stored_owners = std::mem::take(&mut stored.owners);
        // A tail this long means the document was not compacted before its last close (a crash,
        // or a log written by another tool). Encode the snapshot now, while the state is exactly
        // snapshot + tail, so that the next cold load is short, without replaying it all again.
        let compact_now = tail_len >= self.cfg.compact_after;
        // Applying a long tail is CPU work; keep it off the async workers.
        let (state, skipped, snapshot, stored) = tokio::task::spawn_blocking(move || {
            let (state, skipped) = DocState::load(
                stored.snapshot.as_ref().map(|(b, _)| b.as_ref()),
                stored.tail.iter().map(|(_, b)| b.as_ref()),
            );
            // Only a state that is exactly what is stored may become the snapshot.
            let snapshot = (compact_now && skipped.is_empty()).then(|| state.snapshot());
            (state, skipped, snapshot, stored)
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let degraded = !skipped.is_empty();
        if degraded {
            report_skipped(&self.metrics, id, &stored, &skipped);
        }
        self.metrics.docs_loaded.fetch_add(1, Relaxed);
        self.metrics.doc_loads_total.fetch_add(1, Relaxed);
        tracing::debug!(doc = %id, last_seq, tail_len, took = ?started.elapsed(), "document loaded");
        let owners = ClientOwners::from_rows(stored_owners);
        let live = Arc::new(LiveDoc::new(
            id.clone(),
            state,
            owners,
            last_seq,
            snapshot_seq,
            degraded,
        ));
        if let Some(snapshot) = snapshot {
            self.store_snapshot_from_load(&live, last_seq, snapshot);
        }
        Ok(live)
    }

    /// Stores the snapshot a load encoded, in the background, as a compaction would.
    fn store_snapshot_from_load(&self, live: &Arc<LiveDoc>, upto: Seq, snapshot: Vec<u8>) {
        if !live.begin_compaction() {
            return;
        }
        let (store, metrics, bus) = (
            Arc::clone(&self.store),
            Arc::clone(&self.metrics),
            self.bus.get().cloned(),
        );
        let live = Arc::clone(live);
        self.tasks.spawn(async move {
            // With several nodes, one compacts a document at a time.
            let locked = match &bus {
                Some(bus) => bus.lock_compaction(&live.id).await,
                None => true,
            };
            let stored = if locked {
                put_snapshot(&*store, &metrics, &live.id, upto, snapshot).await
            } else {
                None
            };
            live.compacted(stored);
        });
    }

    /// A message from another node: apply it if the document is open here.
    pub fn apply_from_bus(&self, id: &DocId, kind: BusKind, frame: Bytes) {
        self.metrics.bus_messages_in.fetch_add(1, Relaxed);
        let Some(live) = self.loaded(id) else { return };
        if kind == BusKind::Event {
            live.send_event(self, &frame);
            return;
        }
        match narada_proto::decode(&frame) {
            Ok(narada_proto::Inbound::Update { payload }) if kind == BusKind::Update => {
                live.apply_remote_update(self, frame, payload)
            }
            Ok(narada_proto::Inbound::Awareness(update)) if kind == BusKind::Awareness => {
                live.apply_remote_awareness(self, &update, frame)
            }
            _ => tracing::debug!(doc = %id, "ignoring a malformed bus message"),
        }
    }

    /// Sends an application event to the clients of `doc` that take events, on every node.
    /// `event` must serialize to a JSON object with a `type` (PROTOCOL.md, "Events").
    pub fn emit_event(&self, doc: &DocId, event: &serde_json::Value) {
        let json = Bytes::from(event.to_string());
        if let Some(live) = self.loaded(doc) {
            live.send_event(self, &json);
        }
        if let Some(bus) = self.bus.get() {
            bus.publish_event(doc, &json);
            self.metrics.bus_messages_out.fetch_add(1, Relaxed);
        }
    }

    /// Makes a server-originated edit on `doc` (loading it if needed) and returns once it is
    /// stored: `make` computes the update from the current state under the document's lock
    /// (see [`LiveDoc::apply_server_edit`]). `Ok(None)` when the edit changed nothing.
    pub async fn server_edit(
        self: &Arc<Self>,
        id: &DocId,
        author: Author,
        make: impl Fn(&DocState) -> Vec<u8>,
    ) -> Result<Option<Seq>, ServerEditError> {
        loop {
            let slot = Arc::clone(self.docs.entry(id.clone()).or_default().value());
            let mut fresh = false;
            let live = slot
                .doc
                .get_or_try_init(|| {
                    fresh = true;
                    self.load(id)
                })
                .await
                .map_err(|e| {
                    tracing::error!(doc = %id, error = %e, "loading for a server edit failed");
                    ServerEditError::Storage
                })?;
            if fresh {
                self.schedule_catch_up_after_load(live);
            }
            match live.apply_server_edit(self, author.clone(), &make) {
                Ok(None) => {
                    // Nobody may be connected: let the document go again.
                    self.try_unload(live);
                    return Ok(None);
                }
                Ok(Some(stored)) => {
                    return stored.await.map(Some).map_err(|_| ServerEditError::Storage)
                }
                Err(ServerEditError::Closed) => {
                    self.docs.remove_if(id, |_, s| Arc::ptr_eq(s, &slot));
                    tokio::task::yield_now().await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads log entries this node has not applied (written by other nodes) and applies them.
    pub async fn catch_up(&self, live: &Arc<LiveDoc>) {
        let from = live.catch_up_from();
        match self.store.log_range(&live.id, from, Seq::MAX).await {
            Ok(entries) if !entries.is_empty() => {
                let entries: Vec<(Seq, Bytes)> =
                    entries.into_iter().map(|e| (e.seq, e.data)).collect();
                live.apply_log_entries(self, &entries);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(doc = %live.id, error = %e, "log catch-up failed"),
        }
    }

    /// Catches up every open document (after the bus reconnects).
    pub fn catch_up_all(self: &Arc<Self>) {
        for id in self.loaded_ids() {
            if let Some(live) = self.loaded(&id) {
                let hub = Arc::clone(self);
                self.tasks.spawn(async move { hub.catch_up(&live).await });
            }
        }
    }

    /// With several nodes, a document loaded here may miss an edit another node published just
    /// before this node loaded it and committed just after: read the log again once that
    /// window has passed.
    fn schedule_catch_up_after_load(self: &Arc<Self>, live: &Arc<LiveDoc>) {
        if self.bus.get().is_none() {
            return;
        }
        let hub = Arc::downgrade(self);
        let live = Arc::clone(live);
        self.tasks.spawn(async move {
            tokio::time::sleep(CATCH_UP_AFTER_LOAD).await;
            if let Some(hub) = hub.upgrade() {
                hub.catch_up(&live).await;
            }
        });
    }

    /// Names of documents as they leave memory.
    pub fn subscribe_unloads(&self) -> tokio::sync::broadcast::Receiver<DocId> {
        self.unloads.subscribe()
    }

    /// A client left.
    pub fn leave(&self, live: &Arc<LiveDoc>, conn: &ConnHandle) {
        if live.detach(self, conn) {
            self.try_unload(live);
        }
    }

    /// Removes the document from memory if it is idle. Safe to call at any time.
    pub fn try_unload(&self, live: &Arc<LiveDoc>) {
        let removed = self
            .docs
            .remove_if(&live.id, |_, slot| {
                slot.doc.get().is_some_and(|d| Arc::ptr_eq(d, live)) && live.close_if_idle()
            })
            .is_some();
        if removed {
            self.metrics.docs_loaded.fetch_sub(1, Relaxed);
            tracing::debug!(doc = %live.id, "document unloaded");
            let _ = self.unloads.send(live.id.clone());
            if live.wants_compaction() {
                self.spawn_compaction_detached(live.id.clone());
            }
        }
    }

    /// Drops a document whose in-memory state cannot be trusted; clients reconnect and the
    /// next join reloads it from storage.
    pub fn evict(&self, live: &Arc<LiveDoc>, reason: &'static str) {
        tracing::error!(doc = %live.id, reason, "evicting document");
        live.close_all(close::SERVICE_RESTART, reason);
        if self
            .docs
            .remove_if(&live.id, |_, slot| {
                slot.doc.get().is_some_and(|d| Arc::ptr_eq(d, live))
            })
            .is_some()
        {
            self.metrics.docs_loaded.fetch_sub(1, Relaxed);
        }
    }

    /// The loaded document of that name, if any (no load).
    pub fn loaded(&self, id: &DocId) -> Option<Arc<LiveDoc>> {
        let slot = Arc::clone(self.docs.get(id)?.value());
        slot.doc.get().cloned()
    }

    /// Names of the documents in memory.
    pub fn loaded_ids(&self) -> Vec<DocId> {
        self.docs.iter().map(|e| e.key().clone()).collect()
    }

    pub(crate) fn spawn_compaction(self: &Arc<Self>, live: Arc<LiveDoc>) {
        let hub = Arc::clone(self);
        self.tasks.spawn(async move {
            let upto = hub.compact(&live.id).await;
            live.compacted(upto);
        });
    }

    fn spawn_compaction_detached(&self, id: DocId) {
        let store = Arc::clone(&self.store);
        let metrics = Arc::clone(&self.metrics);
        self.tasks.spawn(async move {
            compact_stored(&*store, &metrics, &id).await;
        });
    }

    async fn compact(&self, id: &DocId) -> Option<Seq> {
        // With several nodes, one compacts a document at a time.
        if let Some(bus) = self.bus.get() {
            if !bus.lock_compaction(id).await {
                return None;
            }
        }
        compact_stored(&*self.store, &self.metrics, id).await
    }

    fn sweep_awareness(&self) {
        let slots: Vec<Arc<Slot>> = self.docs.iter().map(|e| Arc::clone(e.value())).collect();
        for slot in slots {
            if let Some(doc) = slot.doc.get() {
                doc.expire_awareness(self, self.cfg.awareness_timeout);
            }
        }
    }

    /// Closes every writer's socket on every open document (storage stalled): they are told
    /// their edits are not being stored, and reconnect.
    pub fn close_writers(&self) {
        let docs: Vec<Arc<LiveDoc>> = self
            .docs
            .iter()
            .filter_map(|e| e.value().doc.get().cloned())
            .collect();
        let closed: usize = docs
            .iter()
            .map(|d| d.kick_writers(close::TRY_AGAIN_LATER, close::STORAGE_UNAVAILABLE))
            .sum();
        tracing::warn!(closed, "closed writers: storage unavailable");
    }

    /// Closes every socket of `user` on `doc` (or on every document).
    pub fn kick_user(&self, doc: Option<&DocId>, user: &str) -> usize {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.revoked_at.insert((doc.cloned(), user.to_owned()), now);
        let targets: Vec<Arc<LiveDoc>> = match doc {
            Some(id) => self.loaded(id).into_iter().collect(),
            None => self
                .docs
                .iter()
                .filter_map(|e| e.value().doc.get().cloned())
                .collect(),
        };
        targets
            .iter()
            .map(|d| d.kick_user(user, close::ACCESS_REVOKED, "access revoked"))
            .sum()
    }

    /// `user`'s role on `doc` changed: their open sockets here may do exactly `role` from their
    /// next message on (no reconnect), and are told. Tokens issued before the change are refused
    /// from now on (they name the old role); the web editor fetches a fresh one when it
    /// reconnects. Returns how many sockets changed.
    pub fn set_role(&self, doc: &DocId, user: &str, role: Role) -> usize {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.revoked_at
            .insert((Some(doc.clone()), user.to_owned()), now);
        match self.loaded(doc) {
            Some(live) => live.set_role(user, role),
            None => 0,
        }
    }

    /// Was `user`'s access to `doc` (or to everything) revoked after a token issued at `iat`
    /// (Unix seconds)? A token from the same second as the revocation is still accepted, so a
    /// client that fetches a fresh token right after being kicked is not refused.
    pub fn token_revoked(&self, doc: &DocId, user: &str, iat: u64) -> bool {
        [Some(doc.clone()), None].into_iter().any(|d| {
            self.revoked_at
                .get(&(d, user.to_owned()))
                .is_some_and(|at| iat < *at)
        })
    }

    /// Final step of shutdown, after every connection has closed: commit what is queued, wait
    /// for compactions, stop the store writer.
    pub async fn flush_and_stop(&self) {
        self.writer_stop.cancel();
        if let Some(handle) = self.writer_done.lock().await.take() {
            let _ = handle.await;
        }
        self.tasks.close();
        self.tasks.wait().await;
    }
}

impl narada_auth::AccessRevoker for Hub {
    fn revoke(&self, doc: &str, user: &str) {
        if let Ok(id) = DocId::parse(doc) {
            let n = self.kick_user(Some(&id), user);
            tracing::info!(doc, closed = n, "access revoked");
            if let Some(bus) = self.bus.get() {
                bus.publish_revocation(Some(&id), user);
            }
        }
    }

    fn revoke_user(&self, user: &str) {
        let n = self.kick_user(None, user);
        tracing::info!(closed = n, "all access revoked for a user");
        if let Some(bus) = self.bus.get() {
            bus.publish_revocation(None, user);
        }
    }
}

/// Rebuilds a document's snapshot from storage. Returns the seq it covers.
pub async fn compact_stored(store: &dyn Store, metrics: &Metrics, id: &DocId) -> Option<Seq> {
    let stored = match store.load(id).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(doc = %id, error = %e, "compaction: load failed");
            return None;
        }
    };
    if stored.tail.is_empty() {
        return stored.snapshot.map(|s| s.1);
    }
    let upto = stored.last_seq();
    let (snapshot, skipped, stored) = tokio::task::spawn_blocking(move || {
        let (state, skipped) = DocState::load(
            stored.snapshot.as_ref().map(|(b, _)| b.as_ref()),
            stored.tail.iter().map(|(_, b)| b.as_ref()),
        );
        (
            skipped.is_empty().then(|| state.snapshot()),
            skipped,
            stored,
        )
    })
    .await
    .ok()?;
    let Some(snapshot) = snapshot else {
        // A snapshot of a degraded load would cover the bad entries as if they were in it:
        // leave the log as it is, for an operator (or a fixed library) to deal with.
        report_skipped(metrics, id, &stored, &skipped);
        tracing::warn!(doc = %id, "compaction skipped: the stored log does not load cleanly");
        return None;
    };
    put_snapshot(store, metrics, id, upto, snapshot).await
}

/// Counts and logs (document, seq) each stored input a load left out.
fn report_skipped(metrics: &Metrics, id: &DocId, stored: &StoredDoc, skipped: &Skipped) {
    metrics
        .load_skipped_entries
        .fetch_add(skipped.count() as u64, Relaxed);
    metrics.degraded_loads.fetch_add(1, Relaxed);
    if skipped.snapshot {
        let seq = stored.snapshot.as_ref().map_or(0, |s| s.1);
        tracing::error!(doc = %id, snapshot_upto = seq, "the stored snapshot does not apply; loaded the entries after it only");
    }
    for &i in &skipped.entries {
        let seq = stored.tail.get(i).map_or(0, |e| e.0);
        tracing::error!(doc = %id, seq, "a stored update does not apply; skipped it");
    }
}

/// Stores a snapshot covering the log up to `upto`; returns `upto` once it is stored.
async fn put_snapshot(
    store: &dyn Store,
    metrics: &Metrics,
    id: &DocId,
    upto: Seq,
    snapshot: Vec<u8>,
) -> Option<Seq> {
    match store.put_snapshot(id, upto, snapshot.into()).await {
        Ok(()) => {
            metrics.snapshots_stored.fetch_add(1, Relaxed);
            tracing::debug!(doc = %id, upto, "snapshot stored");
            Some(upto)
        }
        Err(e) => {
            tracing::warn!(doc = %id, error = %e, "compaction: storing the snapshot failed");
            None
        }
    }
}

/// The API's way into the live documents (server-originated edits and events).
pub struct LiveHub(pub Arc<Hub>);

impl narada_accounts::live::LiveDocs for LiveHub {
    fn server_edit(
        &self,
        doc: &str,
        kind: narada_store::AuthorKind,
        person: Option<String>,
        edit: narada_accounts::live::ServerEdit,
    ) -> narada_accounts::live::LiveFuture<'_, Result<Option<i64>, narada_accounts::live::LiveError>>
    {
        use narada_accounts::live::LiveError;
        let doc = DocId::parse(doc);
        Box::pin(async move {
            let doc = doc.map_err(|_| LiveError::BadDocument)?;
            let author = Author::server(kind, person.map(Into::into));
            self.0
                .server_edit(&doc, author, |state| edit(state))
                .await
                .map_err(|e| match e {
                    ServerEditError::Backlog | ServerEditError::Closed => LiveError::Busy,
                    ServerEditError::Rejected => LiveError::Rejected,
                    ServerEditError::Storage => LiveError::Storage,
                })
        })
    }

    fn emit_event(&self, doc: &str, event: serde_json::Value) {
        if let Ok(doc) = DocId::parse(doc) {
            self.0.emit_event(&doc, &event);
        }
    }

    fn set_role(&self, doc: &str, person: &str, role: Role) {
        if let Ok(doc) = DocId::parse(doc) {
            let n = self.0.set_role(&doc, person, role);
            tracing::info!(doc = %doc, sockets = n, %role, "role changed live");
            if let Some(bus) = self.0.bus.get() {
                bus.publish_role(&doc, person, role);
            }
        }
    }
}
