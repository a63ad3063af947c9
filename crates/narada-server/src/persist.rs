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

use std::collections::HashMap;
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
    /// Connection to acknowledge, and its update count including this one.
    pub ack: Option<(ConnHandle, u64)>,
    /// Told the update's seq once it is committed (server-originated edits wait on this).
    pub stored: Option<oneshot::Sender<Seq>>,
    /// Client IDs a person claimed through their presence, before any update (stored ahead of
    /// the batch's updates, retried like them).
    pub claims: Option<(Arc<str>, Vec<u64>)>,
}

pub struct Writer {
    pub rx: mpsc::Receiver<PersistItem>,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub hub: Weak<Hub>,
    pub max_batch: usize,
    pub compact_after: usize,
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
        // Per connection: the highest count now durable (acks are cumulative).
        let mut acks: HashMap<u64, (ConnHandle, u64)> = HashMap::new();
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
            if let Some((conn, n)) = item.ack {
                let e = acks.entry(conn.id()).or_insert((conn, n));
                e.1 = e.1.max(n);
            }
        }
        for (conn, n) in acks.into_values() {
            LiveDoc::send_ack(&conn, n);
        }
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

    /// Stores presence claims of client IDs, retrying like appends (see `append_until_stored`).
    async fn claim_until_stored(&self, doc: &LiveDoc, person: &str, clients: &[u64]) {
        let mut backoff = Duration::from_millis(10);
        while let Err(e) = self.store.claim_clients(&doc.id, person, clients).await {
            self.metrics
                .persist_errors
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::error!(doc = %doc.id, error = %e, retry_in = ?backoff, "storing client-ID claims failed; retrying");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// Appends one group, retrying until it is stored. Gives up only when shutdown has been
    /// asked for and the grace period is over (the caller then exits; the log says how much
    /// was not stored).
    async fn append_until_stored(&self, rows: &[NewUpdate]) -> Vec<Seq> {
        let mut backoff = Duration::from_millis(10);
        loop {
            let started = Instant::now();
            match self.store.append(rows).await {
                Ok(seqs) => {
                    self.metrics.observe_persist(rows.len(), started.elapsed());
                    return seqs;
                }
                Err(e) => {
                    self.metrics
                        .persist_errors
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::error!(error = %e, rows = rows.len(), retry_in = ?backoff, "group commit failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}
