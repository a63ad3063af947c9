//! Process-wide counters, served as Prometheus text at `GET /metrics`.
//!
//! Plain atomics: every hot-path increment is one relaxed add, and the exposition is a few lines
//! of formatting. A metrics crate would add a registry and locks for the same output.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds (seconds) of the persist latency histogram buckets.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0,
];
/// Upper bounds of the batch size histogram buckets.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 500.0, 1000.0];

struct Histogram<const N: usize> {
    bounds: [f64; N],
    counts: [AtomicU64; N],
    count: AtomicU64,
    /// Sum in micro-units, to stay in integers.
    sum_micros: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    fn new(bounds: [f64; N]) -> Self {
        Histogram {
            bounds,
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    fn observe(&self, v: f64) {
        if let Some(i) = self.bounds.iter().position(|b| v <= *b) {
            self.counts[i].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_micros.fetch_add((v * 1e6) as u64, Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (b, c) in self.bounds.iter().zip(&self.counts) {
            cumulative += c.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// All of Narada's metrics.
pub struct Metrics {
    pub connections: AtomicU64,
    pub connections_total: AtomicU64,
    pub connections_refused: AtomicU64,
    pub docs_loaded: AtomicU64,
    pub doc_loads_total: AtomicU64,
    pub updates_applied: AtomicU64,
    pub updates_rejected: AtomicU64,
    pub messages_in: AtomicU64,
    /// Messages of a type the hub does not act on (newer clients, client events).
    pub messages_ignored: AtomicU64,
    /// Structs cut out of updates because they were written under another person's client ID.
    pub foreign_structs_refused: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub slow_client_disconnects: AtomicU64,
    pub persisted_updates: AtomicU64,
    pub persist_errors: AtomicU64,
    pub snapshots_stored: AtomicU64,
    /// Stored updates (or snapshots) left out of a load because they no longer apply.
    pub load_skipped_entries: AtomicU64,
    /// Loads that left something out; such a document is never compacted.
    pub degraded_loads: AtomicU64,
    /// Awareness entries left out: another connection's client id, or over the size limit.
    pub awareness_refused: AtomicU64,
    pub bus_messages_in: AtomicU64,
    pub bus_messages_out: AtomicU64,
    persist_batch_size: Histogram<9>,
    persist_latency: Histogram<12>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            connections: AtomicU64::new(0),
            connections_total: AtomicU64::new(0),
            connections_refused: AtomicU64::new(0),
            docs_loaded: AtomicU64::new(0),
            doc_loads_total: AtomicU64::new(0),
            updates_applied: AtomicU64::new(0),
            updates_rejected: AtomicU64::new(0),
            messages_in: AtomicU64::new(0),
            messages_ignored: AtomicU64::new(0),
            foreign_structs_refused: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            slow_client_disconnects: AtomicU64::new(0),
            persisted_updates: AtomicU64::new(0),
            persist_errors: AtomicU64::new(0),
            snapshots_stored: AtomicU64::new(0),
            load_skipped_entries: AtomicU64::new(0),
            degraded_loads: AtomicU64::new(0),
            awareness_refused: AtomicU64::new(0),
            bus_messages_in: AtomicU64::new(0),
            bus_messages_out: AtomicU64::new(0),
            persist_batch_size: Histogram::new(BATCH_BUCKETS),
            persist_latency: Histogram::new(LATENCY_BUCKETS),
        }
    }
}

impl Metrics {
    pub fn observe_persist(&self, rows: usize, took: Duration) {
        self.persist_batch_size.observe(rows as f64);
        self.persist_latency.observe(took.as_secs_f64());
        self.persisted_updates.fetch_add(rows as u64, Relaxed);
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let gauges = [
            (
                "narada_connections",
                "Open sync connections.",
                &self.connections,
            ),
            (
                "narada_documents_loaded",
                "Documents held in memory.",
                &self.docs_loaded,
            ),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                v.load(Relaxed)
            );
        }
        let counters = [
            (
                "narada_connections_total",
                "Sync connections accepted.",
                &self.connections_total,
            ),
            (
                "narada_connections_refused_total",
                "Sync connections refused before upgrade.",
                &self.connections_refused,
            ),
            (
                "narada_document_loads_total",
                "Documents loaded from storage.",
                &self.doc_loads_total,
            ),
            (
                "narada_updates_applied_total",
                "Updates applied to documents.",
                &self.updates_applied,
            ),
            (
                "narada_updates_rejected_total",
                "Updates refused (invalid, or sent without write access).",
                &self.updates_rejected,
            ),
            (
                "narada_messages_in_total",
                "Protocol messages received.",
                &self.messages_in,
            ),
            (
                "narada_messages_ignored_total",
                "Messages of a type the hub does not act on (ignored, connection kept).",
                &self.messages_ignored,
            ),
            (
                "narada_foreign_structs_refused_total",
                "Structs cut out of updates: written under a client ID another person owns.",
                &self.foreign_structs_refused,
            ),
            (
                "narada_bytes_in_total",
                "WebSocket payload bytes received.",
                &self.bytes_in,
            ),
            (
                "narada_bytes_out_total",
                "WebSocket payload bytes queued to clients.",
                &self.bytes_out,
            ),
            (
                "narada_slow_client_disconnects_total",
                "Clients disconnected because their queue was full.",
                &self.slow_client_disconnects,
            ),
            (
                "narada_persisted_updates_total",
                "Updates committed to storage.",
                &self.persisted_updates,
            ),
            (
                "narada_persist_errors_total",
                "Failed group commits (retried).",
                &self.persist_errors,
            ),
            (
                "narada_snapshots_stored_total",
                "Snapshots written by compaction.",
                &self.snapshots_stored,
            ),
            (
                "narada_load_skipped_entries_total",
                "Stored updates or snapshots left out of a load because they do not apply.",
                &self.load_skipped_entries,
            ),
            (
                "narada_degraded_loads_total",
                "Document loads that left something out (never compacted).",
                &self.degraded_loads,
            ),
            (
                "narada_awareness_refused_total",
                "Awareness entries left out (another connection's client id, or too large).",
                &self.awareness_refused,
            ),
            (
                "narada_bus_messages_in_total",
                "Messages received from other nodes.",
                &self.bus_messages_in,
            ),
            (
                "narada_bus_messages_out_total",
                "Messages published to other nodes.",
                &self.bus_messages_out,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Relaxed)
            );
        }
        self.persist_batch_size.render(
            &mut out,
            "narada_persist_batch_size",
            "Updates per group commit.",
        );
        self.persist_latency.render(
            &mut out,
            "narada_persist_latency_seconds",
            "Time to commit one group of updates.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.updates_applied.fetch_add(3, Relaxed);
        m.observe_persist(7, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains("narada_updates_applied_total 3"));
        assert!(text.contains("narada_persist_batch_size_bucket{le=\"10\"} 1"));
        assert!(text.contains("narada_persist_latency_seconds_bucket{le=\"0.002\"} 0"));
        assert!(text.contains("narada_persist_latency_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("narada_persisted_updates_total 7"));
    }
}
