//! The store writer: one task that turns applied updates into group commits.
//!
//! Every document hands its applied updates to this task through one bounded queue, in apply
//! order (the hand-off happens under the document lock). The task takes whatever has queued up
//! — at least one item, at most `persist_max_batch` — and commits it in ONE transaction across
//! all documents. No timer is involved: while a commit is in flight the next batch forms by
//! itself, so batches are small when the load is light (low latency) and large when it is heavy
//! (high throughput). Only after COMMIT are acks sent and documents told what is stored.
//!
//! A failed commit is retried with backoff, never dropped: an update that was applied and relayed
//! must reach the log. While storage is down the queue fills, and beyond its bound new writes are
//! refused at the door (see `LiveDoc::apply_client_update`), not lost.
//!
//! While commits fail, [`StorageHealth`] says so (`/healthz` answers 503) and acks are held, so
//! writers with `ack=1` see that their edits are not stored. Past `storage_stall_timeout` the
//! hub also closes every writer's socket (1013 `storage unavailable`) and refuses new edits until
//! a commit succeeds again: a client then keeps an edit it could not send and sends it after
//! reconnecting, instead of the server holding ever more edits it cannot store. The first commit
//! that succeeds ends all of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use narada_store::{NewUpdate, Seq, Store};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::hub::conn::ConnHandle;
use crate::hub::doc::LiveDoc;
use crate::hub::Hub;
use crate::metrics::Metrics;

/// One entry of the store writer's queue.
pub struct PersistItem {
    pub doc: Arc<LiveDoc>,
    /// The update to append, with its author and client-ID claims; `None` for an ack marker (an
    /// empty update that must still be acknowledged in order).
    pub update: Option<NewUpdate>,
    /// The connection it came from, for client updates (told once it is stored, see
    /// `ConnHandle::unstored`).
    pub from: Option<ConnHandle>,
    /// The connection's update count including this one, when it asked for acks.
    pub ack: Option<u64>,
    /// Told the update's seq once it is committed (server-originated edits wait on this).
    pub stored: Option<oneshot::Sender<Seq>>,
    /// Client IDs a person claimed through their presence, before any update (stored ahead of
    /// the batch's updates, retried like them).
    pub claims: Option<(Arc<str>, Vec<u64>)>,
}

/// Whether storage takes commits, for `/healthz`, the hub's door and shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The last commit failed; it is being retried.
    Failing,
    /// Failing for longer than `storage_stall_timeout`: writers are closed, new edits refused.
    Stalled,
}

/// Storage health as the store writer sees it, plus a count of commits for those waiting on one.
pub struct StorageHealth {
    state: tokio::sync::watch::Sender<Health>,
    /// `state == Stalled`, readable on every update without a lock.
    refusing: AtomicBool,
    commits: tokio::sync::watch::Sender<u64>,
}

impl Default for StorageHealth {
    fn default() -> Self {
        StorageHealth {
            state: tokio::sync::watch::channel(Health::Ok).0,
            refusing: AtomicBool::new(false),
            commits: tokio::sync::watch::channel(0).0,
        }
    }
}

impl StorageHealth {
    pub fn get(&self) -> Health {
        *self.state.borrow()
    }

    /// Changes of the health (tests, tooling).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Health> {
        self.state.subscribe()
    }

    /// True while new edits are refused (storage stalled).
    pub fn refusing_writes(&self) -> bool {
        self.refusing.load(Ordering::Relaxed)
    }

    /// Bumped after every group commit, once its acks are sent.
    pub fn subscribe_commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    fn set(&self, health: Health) {
        self.refusing
            .store(health == Health::Stalled, Ordering::Relaxed);
        self.state
            .send_if_modified(|h| std::mem::replace(h, health) != health);
    }
}

pub struct Writer {
    pub rx: mpsc::Receiver<PersistItem>,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub hub: Weak<Hub>,
    pub max_batch: usize,
    pub compact_after: usize,
    pub health: Arc<StorageHealth>,
    /// How long commits may fail before writers are closed and new edits refused.
    pub stall_after: Duration,
    /// Cancelled at shutdown, after every connection is closed: drain the queue and stop.
    pub stop: CancellationToken,
}

impl Writer {
    pub async fn run(mut self) {
        let mut batch: Vec<PersistItem> = Vec::with_capacity(self.max_batch);
        loop {
            let first = tokio::select! {
                item = self.rx.recv() => item,
                _ = self.stop.cancelled() => self.rx.try_recv().ok(),
            };
            let Some(first) = first else { break };
            batch.push(first);
            while batch.len() < self.max_batch {
                match self.rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            self.commit(&mut batch).await;
        }
        tracing::debug!("store writer stopped");
    }

    async fn commit(&self, batch: &mut Vec<PersistItem>) {
        // Cheap clones: ids and payloads are shared, claims are almost always empty.
        let rows: Vec<NewUpdate> = batch.iter().filter_map(|i| i.update.clone()).collect();
        for item in batch.iter() {
            if let Some((person, clients)) = &item.claims {
                self.claim_until_stored(&item.doc, person, clients).await;
            }
        }
        let seqs = if rows.is_empty() {
            Vec::new()
        } else {
            self.append_until_stored(&rows).await
        };

        // Per document: how many items are done and the highest seq now stored.
        let mut docs: HashMap<*const LiveDoc, (Arc<LiveDoc>, usize, Option<Seq>)> = HashMap::new();
        // Per connection: items now stored, and the highest count now durable (acks are
        // cumulative).
        let mut conns: HashMap<u64, (ConnHandle, u64, Option<u64>)> = HashMap::new();
        let mut seq_iter = seqs.into_iter();
        for item in batch.drain(..) {
            let seq = if item.update.is_some() {
                seq_iter.next()
            } else {
                None
            };
            if let (Some(tx), Some(seq)) = (item.stored, seq) {
                let _ = tx.send(seq);
            }
            let entry = docs
                .entry(Arc::as_ptr(&item.doc))
                .or_insert_with(|| (Arc::clone(&item.doc), 0, None));
            entry.1 += 1;
            entry.2 = entry.2.max(seq);
            if let Some(from) = item.from {
                let e = conns.entry(from.id()).or_insert_with(|| (from, 0, None));
                e.1 += 1;
                e.2 = e.2.max(item.ack);
            }
        }
        for (conn, items, ack) in conns.into_values() {
            if let Some(n) = ack {
                LiveDoc::send_ack(&conn, n);
            }
            conn.stored(items);
        }
        self.health.commits.send_modify(|n| *n += 1);
        let hub = self.hub.upgrade();
        for (doc, items, max_seq) in docs.into_values() {
            let (idle, compact) = doc.committed(items, max_seq, self.compact_after);
            if let Some(hub) = &hub {
                if compact {
                    hub.spawn_compaction(Arc::clone(&doc));
                }
                if idle {
                    hub.try_unload(&doc);
                }
            }
        }
    }

    /// Stores presence claims of client IDs, retrying like appends (see `until_stored`).
    async fn claim_until_stored(&self, doc: &LiveDoc, person: &str, clients: &[u64]) {
        let what = "storing client-ID claims";
        self.until_stored(what, || self.store.claim_clients(&doc.id, person, clients))
            .await;
    }

    /// Appends one group, retrying until it is stored (see `until_stored`).
    async fn append_until_stored(&self, rows: &[NewUpdate]) -> Vec<Seq> {
        let (seqs, took) = self
            .until_stored("group commit", || self.store.append(rows))
            .await;
        self.metrics.observe_persist(rows.len(), took);
        seqs
    }

    /// Runs a write until it succeeds, with backoff, keeping [`StorageHealth`] up to date:
    /// `Failing` from the first failure, `Stalled` (writers closed, edits refused) once it has
    /// failed for `stall_after`, `Ok` again at the first success. Gives up only when the
    /// process does (shutdown's grace period over); the log says what was not stored. Returns
    /// the result and how long the successful attempt took.
    async fn until_stored<T, F, Fut>(&self, what: &str, mut write: F) -> (T, Duration)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = narada_store::Result<T>>,
    {
        let mut backoff = Duration::from_millis(10);
        let mut failing_since: Option<Instant> = None;
        loop {
            let started = Instant::now();
            match write().await {
                Ok(value) => {
                    if let Some(since) = failing_since {
                        tracing::warn!(failed_for = ?since.elapsed(), "storage recovered; commits succeed again");
                    }
                    self.health.set(Health::Ok);
                    return (value, started.elapsed());
                }
                Err(e) => {
                    self.metrics.persist_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(error = %e, retry_in = ?backoff, "{what} failed; retrying");
                    let since = *failing_since.get_or_insert(started);
                    if since.elapsed() >= self.stall_after {
                        if self.health.get() != Health::Stalled {
                            tracing::error!(failing_for = ?since.elapsed(), "storage stalled: closing writers and refusing edits until a commit succeeds");
                            self.health.set(Health::Stalled);
                            if let Some(hub) = self.hub.upgrade() {
                                hub.close_writers();
                            }
                        }
                    } else if self.health.get() == Health::Ok {
                        self.health.set(Health::Failing);
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}
