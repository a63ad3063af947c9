//! Physical floors, so server figures can be read against what the machine itself costs:
//! - one `write()` of a typing-sized frame on a loopback TCP socket, and a ping-pong round trip;
//! - yrs applying one B4 update (the CRDT work any Yjs server must do), and loading the whole B4
//!   document from one snapshot update.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use hdrhistogram::Histogram;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::report::{new_hist, record, Record};
use crate::trace::{self, new_doc, text_of, Trace};

#[derive(Args)]
pub struct FloorArgs {
    #[arg(long)]
    pub traces: Option<std::path::PathBuf>,
    #[arg(long, default_value = "automerge-paper")]
    pub trace: String,
    /// Round trips / writes to time.
    #[arg(long, default_value_t = 100_000)]
    pub iterations: usize,
    /// Use only the first N edits of the trace (smoke runs).
    #[arg(long)]
    pub edits: Option<usize>,
    #[arg(long, default_value = "")]
    pub label: String,
}

pub async fn run(a: FloorArgs) -> Result<bool> {
    let iterations = a.iterations;
    let (write_ns, rtt, paced) =
        tokio::task::spawn_blocking(move || loopback(iterations)).await??;
    Record::new("floor", "loopback")
        .set("write_32b_ns", write_ns)
        .latency("pingpong", &rtt)
        .latency("pingpong_paced", &paced)
        .set("label", &a.label)
        .emit();

    let dir = trace::traces_dir(a.traces.as_deref());
    let t = Trace::load(&dir, &a.trace)?;
    let n = a.edits.unwrap_or(t.edits.len()).min(t.edits.len());
    let updates = trace::encode_updates_cached(&t, n, 1, "t0");
    let decoded: Vec<Update> = updates
        .iter()
        .map(|u| Update::decode_v1(u))
        .collect::<Result<_, _>>()?;
    let doc = new_doc(2);
    let started = Instant::now();
    for u in decoded {
        doc.transact_mut().apply_update(u)?;
    }
    let apply = started.elapsed();
    let ok = text_of(&doc, "t0") == t.replay_plain(n);
    // Decode + apply, as a server does with bytes off the wire.
    let doc2 = new_doc(3);
    let started = Instant::now();
    for u in &updates {
        doc2.transact_mut().apply_update(Update::decode_v1(u)?)?;
    }
    let decode_apply = started.elapsed();
    let snapshot = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let mut load = new_hist();
    for i in 0..10 {
        let d = new_doc(10 + i);
        let started = Instant::now();
        d.transact_mut()
            .apply_update(Update::decode_v1(&snapshot)?)?;
        record(&mut load, started.elapsed());
    }
    // (d)'s floor: B4 as snapshot + 10,000 tail updates, loaded the way a server can do it:
    // one transaction per tail update, or all of the tail in one transaction.
    let tail = 10_000.min(n);
    let cut = n - tail;
    let base = new_doc(20);
    for u in &updates[..cut] {
        base.transact_mut().apply_update(Update::decode_v1(u)?)?;
    }
    let base_snapshot = base
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let started = Instant::now();
    let d = new_doc(21);
    d.transact_mut()
        .apply_update(Update::decode_v1(&base_snapshot)?)?;
    for u in &updates[cut..] {
        d.transact_mut().apply_update(Update::decode_v1(u)?)?;
    }
    let tail_each = started.elapsed();
    let started = Instant::now();
    let d = new_doc(22);
    {
        let mut txn = d.transact_mut();
        txn.apply_update(Update::decode_v1(&base_snapshot)?)?;
        for u in &updates[cut..] {
            txn.apply_update(Update::decode_v1(u)?)?;
        }
    }
    let tail_one = started.elapsed();
    let ok = ok && text_of(&d, "t0") == text_of(&doc, "t0");
    // Or merge the tail into one update first (yrs's `merge_updates_v1`, no document needed) and
    // apply snapshot + merged tail: measured because it looks like a shortcut; it is slower.
    let started = Instant::now();
    let merged = yrs::merge_updates_v1(updates[cut..].iter().map(|u| &u[..]))?;
    let d = new_doc(23);
    d.transact_mut()
        .apply_update(Update::decode_v1(&base_snapshot)?)?;
    d.transact_mut().apply_update(Update::decode_v1(&merged)?)?;
    let tail_merged = started.elapsed();
    let ok = ok && text_of(&d, "t0") == text_of(&doc, "t0");
    Record::new("floor", "yrs")
        .set("load_tail10k_txn_each_ms", tail_each.as_secs_f64() * 1e3)
        .set("load_tail10k_one_txn_ms", tail_one.as_secs_f64() * 1e3)
        .set("load_tail10k_merged_ms", tail_merged.as_secs_f64() * 1e3)
        .set("trace", &a.trace)
        .set("updates", n)
        .set("apply_us_per_update", apply.as_secs_f64() * 1e6 / n as f64)
        .set(
            "decode_apply_us_per_update",
            decode_apply.as_secs_f64() * 1e6 / n as f64,
        )
        .set(
            "update_bytes_avg",
            updates.iter().map(|u| u.len()).sum::<usize>() as f64 / n as f64,
        )
        .set("snapshot_bytes", snapshot.len())
        .latency("snapshot_load", &load)
        .set("ok", ok)
        .set("label", &a.label)
        .emit();
    Ok(ok)
}

/// Times `iterations` 32-byte writes into a socket drained by another thread, then as many
/// 32-byte ping-pongs. Blocking std sockets: the floor should not include a runtime's overhead.
fn loopback(iterations: usize) -> Result<(f64, Histogram<u64>, Histogram<u64>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut s, _) = listener.accept()?;
        s.set_nodelay(true)?;
        let mut buf = [0u8; 32];
        // Phase 1: drain `iterations` frames; phase 2: echo until the peer closes.
        let mut drained = 0usize;
        while drained < iterations * 32 {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            drained += n;
        }
        s.write_all(&[1])?;
        loop {
            if s.read_exact(&mut buf).is_err() {
                return Ok(());
            }
            s.write_all(&buf)?;
        }
    });
    let mut c = TcpStream::connect(addr)?;
    c.set_nodelay(true)?;
    let frame = [7u8; 32];
    let started = Instant::now();
    for _ in 0..iterations {
        c.write_all(&frame)?;
    }
    let write_ns = started.elapsed().as_nanos() as f64 / iterations as f64;
    let mut one = [0u8; 1];
    c.read_exact(&mut one)?;
    let mut rtt = new_hist();
    let mut buf = [0u8; 32];
    for _ in 0..iterations.min(50_000) {
        let t = Instant::now();
        c.write_all(&frame)?;
        c.read_exact(&mut buf)?;
        record(&mut rtt, t.elapsed().max(Duration::from_nanos(1)));
    }
    // The same round trip paced at 100/s, as typing is: between messages both threads sleep, and
    // waking a sleeping thread (on a virtual machine: a halted vCPU) is part of every delivery.
    let mut paced = new_hist();
    let start = Instant::now();
    for i in 0..300u32 {
        let at = start + Duration::from_millis(10) * i;
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let t = Instant::now();
        c.write_all(&frame)?;
        c.read_exact(&mut buf)?;
        record(&mut paced, t.elapsed().max(Duration::from_nanos(1)));
    }
    drop(c);
    let _ = echo.join();
    Ok((write_ns, rtt, paced))
}
