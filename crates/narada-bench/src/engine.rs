//! The open-loop engine shared by the fanout, many-documents and durability scenarios.
//!
//! A *plan* is a set of documents, each with writers (who replay an editing trace, one edit per
//! update, at a fixed rate) and pure readers. The engine:
//! 1. connects and syncs every client (bounded concurrency, loopback source addresses spread);
//! 2. fixes every send time in advance: writer `j` of document `d` sends its `k`-th update at
//!    `t0 + phase[d][j] + k / rate` (phases from a seeded RNG). One scheduler thread sends them in
//!    time order and never waits for replies, so a slow server cannot slow the schedule down
//!    (no coordinated omission): latency is measured from the *intended* send time;
//! 3. every client stamps each update it receives on arrival, identifies its writer from the
//!    update's Yjs client id, and records `arrival - intended` (after the warm-up);
//! 4. with `ack=1` (Narada only) writers also record send → durable-ack;
//! 5. at the end every client applies what it received (deferred, so applying does not delay
//!    the timestamps) and the engine asserts that each document's text is identical on every
//!    client and equal to the trace replayed by the writers.

use std::collections::{BinaryHeap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use bytes::Bytes;
use futures_util::SinkExt;
use hdrhistogram::Histogram;
use narada_proto::message::{SYNC_STEP2, SYNC_UPDATE};
use rand::{Rng, SeedableRng};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use yrs::updates::decoder::Decode;
use yrs::{Doc, Transact, Update};

use crate::report::{new_hist, record};
use crate::target::{next_incoming, Conn, Endpoint, Incoming, Target, WsSink, WsStream};
use crate::trace::{new_doc, text_of};

/// One writer's update stream: a trace replayed by Yjs client `client_id` into root `root`.
pub struct Stream {
    pub client_id: u64,
    pub root: String,
    pub updates: Vec<Vec<u8>>,
}

/// Parameters of one run.
#[derive(Clone)]
pub struct Plan {
    pub docs: Vec<String>,
    /// Writers per document; writer `j` uses `streams[j]`.
    pub writers_per_doc: usize,
    pub readers_per_doc: usize,
    /// Updates per second of EACH writer.
    pub rate: f64,
    pub warmup: Duration,
    pub duration: Duration,
    pub ack: bool,
    pub seed: u64,
    pub src_ips: u8,
    pub connect_concurrency: usize,
    /// How long after the last intended send receivers may take to get everything.
    pub drain: Duration,
    /// Server process, for RSS and CPU readings.
    pub server_pid: Option<u32>,
}

impl Plan {
    /// Updates each writer sends (warm-up included).
    pub fn updates_per_writer(&self) -> usize {
        ((self.warmup + self.duration).as_secs_f64() * self.rate).floor() as usize
    }
}

/// What a run measured.
pub struct Outcome {
    /// Intended send → arrival at each receiving client, after warm-up.
    pub delivery: Histogram<u64>,
    /// Actual send → durable ack (ack runs only), after warm-up.
    pub ack: Histogram<u64>,
    /// Intended send → actual send: how far the generator itself fell behind.
    pub send_lag: Histogram<u64>,
    pub sent: u64,
    pub delivered: u64,
    pub acked: u64,
    /// Wall time from the first to the last intended send, and until the last client finished.
    pub schedule: Duration,
    pub finished_after: Duration,
    /// Time to connect and sync all clients.
    pub connect_time: Duration,
    pub clients: usize,
    /// Server RSS (bytes) before the clients connected and once all were synced.
    pub rss_before: Option<u64>,
    pub rss_synced: Option<u64>,
    /// Server CPU (µs) from just before the first send until all clients had everything
    /// (plus a short settle for the last group commit).
    pub server_cpu_us: Option<u64>,
    /// Human-readable failures of the correctness checks (empty when all passed).
    pub failures: Vec<String>,
}

/// Source address for client `i`: 127.0.0.2, 127.0.0.3, … (one address has ~28k ports).
pub fn src_ip(i: usize, spread: u8) -> Option<IpAddr> {
    if spread == 0 {
        return None;
    }
    let last = 2 + (i % spread as usize) as u8;
    Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
}

struct WriterSlot {
    j: usize,
    phase: Duration,
}

struct ClientSetup {
    conn: Conn,
    ydoc: Doc,
    doc: usize,
    writer: Option<usize>,
}

/// Connects and syncs one client.
async fn connect_client(
    target: &Target,
    doc_name: &str,
    user: &str,
    ack: bool,
    src: Option<IpAddr>,
    client_id: u64,
) -> Result<(Conn, Doc)> {
    let ep: Endpoint = target.endpoint(doc_name, user, ack).await?;
    let mut conn = Conn::open(target, ep, src).await?;
    let ydoc = new_doc(client_id);
    conn.sync(&ydoc, Duration::from_secs(30)).await?;
    Ok((conn, ydoc))
}

/// Result of one receiving client.
struct Received {
    hist: Histogram<u64>,
    ack_hist: Histogram<u64>,
    frames: Vec<(Bytes, std::ops::Range<usize>)>,
    count: u64,
    acked: u64,
    closed_early: bool,
}

/// For a writer with ack=1: messages counted before its first update, the number of updates it
/// sends, their actual send times and the writer's own phase.
type AckTrack = (u64, u64, Arc<Mutex<Vec<Instant>>>, Duration);

struct RecvCtx {
    own_id: u64,
    /// Client id → (phase, index of writer) for the writers of this client's document.
    writers: HashMap<u64, Duration>,
    expect: u64,
    t0: Instant,
    period: Duration,
    warm_until: Instant,
    deadline: Instant,
    ack: Option<AckTrack>,
}

async fn receive(mut stream: WsStream, prefix_len: usize, cx: RecvCtx) -> (Received, WsStream) {
    let mut out = Received {
        hist: new_hist(),
        ack_hist: new_hist(),
        frames: Vec::new(),
        count: 0,
        acked: 0,
        closed_early: false,
    };
    let mut per_writer: HashMap<u64, u64> = HashMap::new();
    let ack_total = cx.ack.as_ref().map(|a| a.1).unwrap_or(0);
    loop {
        let done_updates = out.count >= cx.expect;
        let done_acks = out.acked >= ack_total;
        if done_updates && done_acks {
            break;
        }
        let next =
            tokio::time::timeout_at(cx.deadline.into(), next_incoming(&mut stream, prefix_len))
                .await;
        let now = Instant::now();
        let msg = match next {
            Ok(m) => m,
            Err(_) => break,
        };
        match msg {
            Incoming::Sync {
                sub,
                frame,
                payload,
            } if sub == SYNC_UPDATE || sub == SYNC_STEP2 => {
                let origin = crate::target::update_origin(&frame[payload.clone()]);
                let Some(origin) = origin else { continue };
                if origin == cx.own_id {
                    continue; // y-websocket-server echoes a client's own updates back to it
                }
                if let Some(phase) = cx.writers.get(&origin) {
                    let k = per_writer.entry(origin).or_insert(0);
                    let intended = cx.t0 + *phase + cx.period.mul_f64(*k as f64);
                    *k += 1;
                    if intended >= cx.warm_until {
                        record(&mut out.hist, now.saturating_duration_since(intended));
                    }
                    out.count += 1;
                }
                out.frames.push((frame, payload));
            }
            Incoming::Ack(n) => {
                if let Some((c0, total, sent, own_phase)) = &cx.ack {
                    let upto = n.saturating_sub(*c0).min(*total);
                    let sent = sent.lock().map(|s| s.clone()).unwrap_or_default();
                    for k in out.acked..upto {
                        let intended = cx.t0 + *own_phase + cx.period.mul_f64(k as f64);
                        if let Some(at) = sent.get(k as usize) {
                            if intended >= cx.warm_until {
                                record(&mut out.ack_hist, now.saturating_duration_since(*at));
                            }
                        }
                    }
                    out.acked = out.acked.max(upto);
                }
            }
            Incoming::Closed => {
                out.closed_early = true;
                break;
            }
            _ => {}
        }
    }
    (out, stream)
}

/// Runs `plan` against `target` with writer streams `streams`.
pub async fn run(target: &Target, plan: &Plan, streams: Arc<Vec<Stream>>) -> Result<Outcome> {
    run_split(target, target, plan, streams).await
}

/// As [`run`], with the writers on one server and the readers on another (two nodes of a
/// cluster serving the same documents: cross-node fanout).
pub async fn run_split(
    writer_target: &Target,
    reader_target: &Target,
    plan: &Plan,
    streams: Arc<Vec<Stream>>,
) -> Result<Outcome> {
    if streams.len() < plan.writers_per_doc {
        bail!("need {} writer streams", plan.writers_per_doc);
    }
    let n_updates = plan.updates_per_writer();
    for s in streams.iter().take(plan.writers_per_doc) {
        if s.updates.len() < n_updates {
            bail!("trace too short: need {n_updates} updates per writer");
        }
    }
    let period = Duration::from_secs_f64(1.0 / plan.rate);
    let mut rng = rand::rngs::StdRng::seed_from_u64(plan.seed);

    // 1. Connect everyone.
    let rss_before = plan
        .server_pid
        .and_then(|p| crate::procfs::rss_bytes(p).ok());
    let started = Instant::now();
    let sem = Arc::new(Semaphore::new(plan.connect_concurrency.max(1)));
    let mut joins = Vec::new();
    let per_doc = plan.writers_per_doc + plan.readers_per_doc;
    for (d, doc_name) in plan.docs.iter().enumerate() {
        for c in 0..per_doc {
            let idx = d * per_doc + c;
            let writer = (c < plan.writers_per_doc).then_some(c);
            let client_id = match writer {
                Some(j) => streams[j].client_id,
                None => 1_000_000 + idx as u64,
            };
            let target = if writer.is_some() {
                writer_target.clone()
            } else {
                reader_target.clone()
            };
            let doc_name = doc_name.clone();
            let sem = sem.clone();
            let ack = plan.ack && writer.is_some();
            let src = src_ip(idx, plan.src_ips);
            joins.push(tokio::spawn(async move {
                let _permit = sem.acquire().await;
                let user = format!("bench-{idx}");
                let (conn, ydoc) =
                    connect_client(&target, &doc_name, &user, ack, src, client_id).await?;
                Ok::<_, anyhow::Error>(ClientSetup {
                    conn,
                    ydoc,
                    doc: d,
                    writer,
                })
            }));
        }
    }
    let mut clients = Vec::with_capacity(joins.len());
    for j in joins {
        clients.push(j.await.map_err(|e| anyhow!("connect task: {e}"))??);
    }
    let connect_time = started.elapsed();
    let rss_synced = plan
        .server_pid
        .and_then(|p| crate::procfs::rss_bytes(p).ok());
    let cpu_start = plan
        .server_pid
        .and_then(|p| crate::procfs::cpu_micros(p).ok());

    // 2. The schedule.
    let slots: Vec<Vec<WriterSlot>> = (0..plan.docs.len())
        .map(|_| {
            (0..plan.writers_per_doc)
                .map(|j| WriterSlot {
                    j,
                    phase: period.mul_f64(rng.gen::<f64>()),
                })
                .collect()
        })
        .collect();
    let lead_in = Duration::from_millis(300);
    let t0 = Instant::now() + lead_in;
    let warm_until = t0 + plan.warmup;
    let schedule_len = period.mul_f64(n_updates as f64) + period;
    let deadline = t0 + schedule_len + plan.drain;

    // 3. Split connections; start receivers; hand sinks to the scheduler thread.
    let mut sink_jobs = Vec::new();
    let mut recv_joins = Vec::new();
    let mut docs_of_clients = Vec::new();
    for c in clients {
        let (sink, stream, ep, counted) = c.conn.split();
        let writers: HashMap<u64, Duration> = slots[c.doc]
            .iter()
            .map(|s| (streams[s.j].client_id, s.phase))
            .collect();
        let own_id = c.ydoc.client_id().get();
        let others = plan.writers_per_doc - usize::from(c.writer.is_some());
        let sent_times = Arc::new(Mutex::new(Vec::with_capacity(n_updates)));
        let phase = c.writer.map(|j| slots[c.doc][j].phase).unwrap_or_default();
        let ack = (plan.ack && c.writer.is_some())
            .then(|| (counted, n_updates as u64, sent_times.clone(), phase));
        let cx = RecvCtx {
            own_id,
            writers,
            expect: (others * n_updates) as u64,
            t0,
            period,
            warm_until,
            deadline,
            ack,
        };
        let prefix_len = ep.prefix_len();
        if let Some(j) = c.writer {
            sink_jobs.push(SinkJob {
                sink,
                endpoint: ep,
                stream_idx: j,
                phase: slots[c.doc][j].phase,
                sent: sent_times,
            });
        } else {
            drop_sink_later(sink);
        }
        recv_joins.push(tokio::spawn(receive(stream, prefix_len, cx)));
        docs_of_clients.push((c.doc, c.writer, c.ydoc));
    }

    let sched_streams = streams.clone();
    let scheduler = std::thread::Builder::new()
        .name("bench-writer".into())
        .spawn(move || -> Result<SchedOut> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(send_schedule(
                sink_jobs,
                sched_streams,
                t0,
                period,
                n_updates,
            ))
        })?;

    // 4. Gather receivers.
    let mut delivery = new_hist();
    let mut ack_hist = new_hist();
    let mut delivered = 0;
    let mut acked = 0;
    let mut failures = Vec::new();
    let mut received = Vec::new();
    let mut streams_back = Vec::new();
    for (i, j) in recv_joins.into_iter().enumerate() {
        let (r, stream) = j.await.map_err(|e| anyhow!("receiver task: {e}"))?;
        streams_back.push(stream);
        delivery.add(&r.hist).ok();
        ack_hist.add(&r.ack_hist).ok();
        delivered += r.count;
        acked += r.acked;
        if r.closed_early {
            failures.push(format!("client {i}: server closed the connection"));
        }
        received.push(r);
    }
    let finished_after = t0.elapsed();
    let server_cpu_us = match (plan.server_pid, cpu_start) {
        (Some(pid), Some(c0)) => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            crate::procfs::cpu_micros(pid)
                .ok()
                .map(|c1| c1.saturating_sub(c0))
        }
        _ => None,
    };
    let (send_lag, sent, sinks, lost) = tokio::task::spawn_blocking(move || scheduler.join())
        .await
        .map_err(|e| anyhow!("join: {e}"))?
        .map_err(|_| anyhow!("scheduler thread panicked"))??;

    failures.extend(lost);

    // 5. Verify content: every client of a document holds the same text, equal to the trace.
    let mut expected: HashMap<usize, String> = HashMap::new();
    for j in 0..plan.writers_per_doc {
        let d = new_doc(999_999_999);
        for u in &streams[j].updates[..n_updates] {
            d.transact_mut().apply_update(Update::decode_v1(u)?)?;
        }
        expected.insert(j, text_of(&d, &streams[j].root));
    }
    let per_writer_expect = n_updates as u64;
    for (i, ((doc, writer, ydoc), r)) in docs_of_clients.iter().zip(&received).enumerate() {
        let others = (plan.writers_per_doc - usize::from(writer.is_some())) as u64;
        if r.count != others * per_writer_expect {
            failures.push(format!(
                "client {i} (doc {doc}): received {} of {} updates",
                r.count,
                others * per_writer_expect
            ));
            continue;
        }
        if plan.ack && writer.is_some() && r.acked != per_writer_expect {
            failures.push(format!(
                "client {i}: {} of {per_writer_expect} updates acked",
                r.acked
            ));
        }
        {
            let mut txn = ydoc.transact_mut();
            for (frame, range) in &r.frames {
                match Update::decode_v1(&frame[range.clone()]) {
                    Ok(u) => {
                        if let Err(e) = txn.apply_update(u) {
                            failures.push(format!("client {i}: apply: {e}"));
                        }
                    }
                    Err(e) => failures.push(format!("client {i}: decode: {e}")),
                }
            }
            if let Some(j) = writer {
                for u in &streams[*j].updates[..n_updates] {
                    if let Ok(u) = Update::decode_v1(u) {
                        let _ = txn.apply_update(u);
                    }
                }
            }
        }
        for j in 0..plan.writers_per_doc {
            let got = text_of(ydoc, &streams[j].root);
            if got != expected[&j] {
                failures.push(format!(
                    "client {i} (doc {doc}): text {} differs ({} vs {} chars)",
                    streams[j].root,
                    got.chars().count(),
                    expected[&j].chars().count()
                ));
            }
        }
    }
    failures.truncate(20);

    // Close sockets politely (in the background: closing 10,000 sockets is not measured).
    drop(sinks);
    drop(streams_back);
    drop(received);

    Ok(Outcome {
        delivery,
        ack: ack_hist,
        send_lag,
        sent,
        delivered,
        acked,
        schedule: schedule_len,
        finished_after,
        connect_time,
        clients: docs_of_clients.len(),
        rss_before,
        rss_synced,
        server_cpu_us,
        failures,
    })
}

fn drop_sink_later(sink: WsSink) {
    // A reader's sending half must stay alive as long as its receiving half, or tungstenite
    // cannot answer pings; park it on the runtime until the process ends the run.
    tokio::spawn(async move {
        let _keep = sink;
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
}

/// What the scheduler thread hands back: send lag, updates sent, the sinks (closed after the
/// run) and the writers the server dropped.
type SchedOut = (Histogram<u64>, u64, Vec<SinkJob>, Vec<String>);

struct SinkJob {
    sink: WsSink,
    endpoint: Endpoint,
    stream_idx: usize,
    phase: Duration,
    sent: Arc<Mutex<Vec<Instant>>>,
}

/// Sleeps until `t` with sub-millisecond precision: tokio's timer has 1 ms granularity, so the
/// last stretch is a plain thread sleep (this thread does nothing but send).
async fn sleep_precise(t: Instant) {
    let now = Instant::now();
    if t > now + Duration::from_micros(1500) {
        tokio::time::sleep_until((t - Duration::from_millis(1)).into()).await;
    }
    let now = Instant::now();
    if t > now + Duration::from_micros(20) {
        std::thread::sleep(t - now);
    }
}

/// Sends every writer's updates at their intended times, in time order.
async fn send_schedule(
    mut jobs: Vec<SinkJob>,
    streams: Arc<Vec<Stream>>,
    t0: Instant,
    period: Duration,
    n: usize,
) -> Result<SchedOut> {
    // Min-heap of (intended time, job index, k) via Reverse.
    let mut heap = BinaryHeap::new();
    for (i, job) in jobs.iter().enumerate() {
        if n > 0 {
            heap.push(std::cmp::Reverse((t0 + job.phase, i, 0usize)));
        }
    }
    let mut lag = new_hist();
    let mut sent = 0u64;
    let mut lost = Vec::new();
    while let Some(std::cmp::Reverse((at, i, k))) = heap.pop() {
        sleep_precise(at).await;
        let job = &mut jobs[i];
        let update = &streams[job.stream_idx].updates[k];
        let frame = job.endpoint.sync_frame(SYNC_UPDATE, update);
        let now = Instant::now();
        record(&mut lag, now.saturating_duration_since(at));
        if let Ok(mut s) = job.sent.lock() {
            s.push(now);
        }
        if job.sink.send(Message::Binary(frame)).await.is_err() {
            // The server dropped this writer (e.g. its outbound queue to us overflowed): the run
            // goes on for everyone else and the receivers' counts report the loss.
            lost.push(format!("writer {i}: connection lost at update {k}"));
            continue;
        }
        sent += 1;
        if k + 1 < n {
            heap.push(std::cmp::Reverse((
                t0 + job.phase + period.mul_f64((k + 1) as f64),
                i,
                k + 1,
            )));
        }
    }
    Ok((lag, sent, jobs, lost))
}
