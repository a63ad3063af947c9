//! The scenarios of issue 3, each a subcommand. Every one prints its figures as JSON lines and
//! returns `false` when a correctness check failed (the process then exits non-zero).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use clap::Args;
use futures_util::SinkExt;
use narada_proto::message::SYNC_UPDATE;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::engine::{self, src_ip, Outcome, Plan, Stream};
use crate::procfs;
use crate::report::{new_hist, record, Record};
use crate::target::{next_incoming, Conn, Incoming, Target};
use crate::trace::{self, new_doc, text_of, Trace};
use crate::Common;

fn parse_list(s: &str) -> Result<Vec<u64>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse::<u64>()
                .with_context(|| format!("bad number {p:?}"))
        })
        .collect()
}

/// Writer streams 0..w of the trace, each long enough for `n` updates (client ids 1..=w, roots
/// t0..t{w-1}).
fn load_streams(common: &Common, w: usize, n: usize) -> Result<Arc<Vec<Stream>>> {
    let dir = trace::traces_dir(common.traces.as_deref());
    let t = Trace::load(&dir, &common.trace)?;
    if n > t.edits.len() {
        bail!("{} has {} edits, {n} needed", t.name, t.edits.len());
    }
    let streams = (0..w)
        .map(|j| {
            let root = format!("t{j}");
            let updates = trace::encode_updates_cached(&t, n, j as u64 + 1, &root);
            Stream {
                client_id: j as u64 + 1,
                root,
                updates,
            }
        })
        .collect();
    Ok(Arc::new(streams))
}

/// Adds the fields every engine run reports.
fn outcome_fields(r: Record, o: &Outcome, plan: &Plan) -> Record {
    let secs = plan.duration.as_secs_f64();
    let measured_updates = o.delivery.len();
    let mut r = r
        .latency("delivery", &o.delivery)
        .set("deliveries_per_s", measured_updates as f64 / secs)
        .set(
            "send_lag_p99_ms",
            o.send_lag.value_at_quantile(0.99) as f64 / 1000.0,
        )
        .set("sent", o.sent)
        .set("delivered", o.delivered)
        .set("clients", o.clients)
        .set("connect_s", o.connect_time.as_secs_f64())
        .set("schedule_s", o.schedule.as_secs_f64())
        .set("finished_s", o.finished_after.as_secs_f64())
        .set("ok", o.failures.is_empty());
    if let (Some(a), Some(b)) = (o.rss_before, o.rss_synced) {
        r = r
            .set("rss_before_mib", a as f64 / 1048576.0)
            .set("rss_synced_mib", b as f64 / 1048576.0);
    }
    if let Some(cpu) = o.server_cpu_us {
        r = r
            .set("server_cpu_s", cpu as f64 / 1e6)
            .set(
                "server_cpu_us_per_update",
                cpu as f64 / o.sent.max(1) as f64,
            )
            .set(
                "server_cpu_us_per_delivery",
                cpu as f64 / o.delivered.max(1) as f64,
            );
    }
    r
}

fn report_failures(o: &Outcome) -> bool {
    for f in &o.failures {
        eprintln!("FAILED: {f}");
    }
    o.failures.is_empty()
}

// ---------------------------------------------------------------------------------------------
// (b) fanout

#[derive(Args)]
pub struct FanoutArgs {
    #[command(flatten)]
    pub common: Common,
    /// Reader counts K to run.
    #[arg(long, default_value = "10,100,1000")]
    pub readers: String,
    /// Writer rates R (updates/s) to run.
    #[arg(long, default_value = "20,100,1000")]
    pub rates: String,
    /// Skip combinations with more deliveries/s than this (the generator has one core).
    #[arg(long, default_value_t = 200_000)]
    pub max_deliveries: u64,
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Readers connect here instead of `--url` (another node of a cluster: cross-node fanout).
    #[arg(long)]
    pub reader_url: Option<String>,
}

pub async fn fanout(a: FanoutArgs) -> Result<bool> {
    let target = Target::new(a.common.target, &a.common.url)?;
    let reader_target = match &a.reader_url {
        Some(url) => Target::new(a.common.target, url)?,
        None => target.clone(),
    };
    let readers = parse_list(&a.readers)?;
    let rates = parse_list(&a.rates)?;
    let max_rate = rates.iter().copied().max().unwrap_or(0) as f64;
    let n = ((a.duration + a.warmup) * max_rate).ceil() as usize + 1;
    let streams = load_streams(&a.common, 1, n)?;
    let run_id = a.common.run_id();
    let mut ok = true;
    for &k in &readers {
        for &rate in &rates {
            if k * rate > a.max_deliveries {
                eprintln!(
                    "skipping K={k} R={rate}: {} deliveries/s > --max-deliveries",
                    k * rate
                );
                continue;
            }
            let plan = Plan {
                docs: vec![format!("{run_id}-fanout-k{k}-r{rate}")],
                writers_per_doc: 1,
                readers_per_doc: k as usize,
                rate: rate as f64,
                warmup: Duration::from_secs_f64(a.warmup),
                duration: Duration::from_secs_f64(a.duration),
                ack: false,
                seed: a.common.seed,
                src_ips: a.common.src_ips,
                connect_concurrency: 64,
                drain: Duration::from_secs(10),
                server_pid: a.common.server_pid,
            };
            let o = engine::run_split(&target, &reader_target, &plan, streams.clone()).await?;
            let mut r = Record::new("fanout", target.kind.name());
            if a.reader_url.is_some() {
                r = r.param("nodes", 2);
            }
            let r = r
                .param("readers", k)
                .param("rate", rate)
                .set("offered_deliveries_per_s", k * rate)
                .set("label", &a.common.label);
            outcome_fields(r, &o, &plan).emit();
            ok &= report_failures(&o);
        }
    }
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// (c) many documents

#[derive(Args)]
pub struct DocsArgs {
    #[command(flatten)]
    pub common: Common,
    /// Number of documents.
    #[arg(long, default_value_t = 1000)]
    pub docs: usize,
    /// Typing clients per document (each also receives the others' updates).
    #[arg(long, default_value_t = 2)]
    pub writers: usize,
    /// Aggregate update rates (updates/s over all writers) to step through, in order.
    #[arg(long, default_value = "1000,2000,5000,10000,20000,40000")]
    pub rates: String,
    /// p99 delivery latency above which the ramp stops.
    #[arg(long, default_value_t = 50.0)]
    pub p99_limit_ms: f64,
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
}

pub async fn docs(a: DocsArgs) -> Result<bool> {
    let target = Target::new(a.common.target, &a.common.url)?;
    let rates = parse_list(&a.rates)?;
    let writers_total = (a.docs * a.writers) as f64;
    let max_per_writer = rates.iter().copied().max().unwrap_or(0) as f64 / writers_total;
    let n = ((a.duration + a.warmup) * max_per_writer).ceil() as usize + 1;
    let streams = load_streams(&a.common, a.writers, n)?;
    let run_id = a.common.run_id();
    let mut ok = true;
    let mut sustained = 0u64;
    for (step, &agg) in rates.iter().enumerate() {
        let plan = Plan {
            docs: (0..a.docs)
                .map(|d| format!("{run_id}-docs-s{step}-{d}"))
                .collect(),
            writers_per_doc: a.writers,
            readers_per_doc: 0,
            rate: agg as f64 / writers_total,
            warmup: Duration::from_secs_f64(a.warmup),
            duration: Duration::from_secs_f64(a.duration),
            ack: false,
            seed: a.common.seed + step as u64,
            src_ips: a.common.src_ips,
            connect_concurrency: 64,
            drain: Duration::from_secs(10),
            server_pid: a.common.server_pid,
        };
        let o = engine::run(&target, &plan, streams.clone()).await?;
        let mut r = Record::new("docs", target.kind.name())
            .param("docs", a.docs)
            .param("writers", a.writers)
            .param("rate", agg)
            .set("label", &a.common.label);
        if let (Some(b), Some(s)) = (o.rss_before, o.rss_synced) {
            r = r.set(
                "rss_per_doc_kib",
                (s.saturating_sub(b)) as f64 / 1024.0 / a.docs as f64,
            );
        }
        let p99 = o.delivery.value_at_quantile(0.99) as f64 / 1000.0;
        outcome_fields(r, &o, &plan).emit();
        let passed = report_failures(&o);
        ok &= passed;
        if !passed || p99 > a.p99_limit_ms {
            break;
        }
        sustained = agg;
    }
    Record::new("docs_summary", target.kind.name())
        .param("docs", a.docs)
        .param("writers", a.writers)
        .set("sustained_updates_per_s", sustained)
        .set("label", &a.common.label)
        .emit();
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// (e) durability

#[derive(Args)]
pub struct DurabilityArgs {
    #[command(flatten)]
    pub common: Common,
    /// Documents with one ack=1 writer each.
    #[arg(long, default_value_t = 100)]
    pub docs: usize,
    /// Aggregate persisted-update rates to offer, in order.
    #[arg(long, default_value = "5000,20000,50000")]
    pub rates: String,
    /// The fanout measured with and without the persistence load: readers and rate.
    #[arg(long, default_value_t = 100)]
    pub fanout_readers: usize,
    #[arg(long, default_value_t = 100)]
    pub fanout_rate: u64,
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
}

pub async fn durability(a: DurabilityArgs) -> Result<bool> {
    let target = Target::new(a.common.target, &a.common.url)?;
    let rates = parse_list(&a.rates)?;
    let max_per_writer = rates.iter().copied().max().unwrap_or(0) as f64 / a.docs as f64;
    let per_writer_max = max_per_writer.max(a.fanout_rate as f64);
    let n = ((a.duration + a.warmup) * per_writer_max).ceil() as usize + 1;
    let streams = load_streams(&a.common, 1, n)?;
    let run_id = a.common.run_id();
    let mut ok = true;
    let fanout_plan = |tag: &str| Plan {
        docs: vec![format!("{run_id}-dur-fanout-{tag}")],
        writers_per_doc: 1,
        readers_per_doc: a.fanout_readers,
        rate: a.fanout_rate as f64,
        warmup: Duration::from_secs_f64(a.warmup),
        duration: Duration::from_secs_f64(a.duration),
        ack: false,
        seed: a.common.seed,
        src_ips: a.common.src_ips,
        connect_concurrency: 64,
        drain: Duration::from_secs(10),
        server_pid: None,
    };
    // Fanout alone.
    let plan = fanout_plan("alone");
    let alone = engine::run(&target, &plan, streams.clone()).await?;
    ok &= report_failures(&alone);
    let alone_p99 = alone.delivery.value_at_quantile(0.99) as f64 / 1000.0;
    outcome_fields(
        Record::new("durability_fanout", target.kind.name())
            .param("load", 0)
            .param("readers", a.fanout_readers)
            .param("rate", a.fanout_rate)
            .set("label", &a.common.label),
        &alone,
        &plan,
    )
    .emit();
    for (step, &agg) in rates.iter().enumerate() {
        let persist = Plan {
            docs: (0..a.docs)
                .map(|d| format!("{run_id}-dur-s{step}-{d}"))
                .collect(),
            writers_per_doc: 1,
            readers_per_doc: 0,
            rate: agg as f64 / a.docs as f64,
            warmup: Duration::from_secs_f64(a.warmup),
            duration: Duration::from_secs_f64(a.duration),
            ack: true,
            seed: a.common.seed + 100 + step as u64,
            src_ips: a.common.src_ips,
            connect_concurrency: 64,
            drain: Duration::from_secs(10),
            server_pid: a.common.server_pid,
        };
        let fplan = fanout_plan(&format!("s{step}"));
        let (p, f) = tokio::join!(
            engine::run(&target, &persist, streams.clone()),
            engine::run(&target, &fplan, streams.clone())
        );
        let (p, f) = (p?, f?);
        ok &= report_failures(&p) & report_failures(&f);
        let acked_per_s = p.ack.len() as f64 / persist.duration.as_secs_f64();
        let r = Record::new("durability", target.kind.name())
            .param("docs", a.docs)
            .param("rate", agg)
            .latency("ack", &p.ack)
            .set("persisted_per_s", acked_per_s)
            .set("acked", p.acked)
            .set("label", &a.common.label);
        outcome_fields(r, &p, &persist).emit();
        let f_p99 = f.delivery.value_at_quantile(0.99) as f64 / 1000.0;
        outcome_fields(
            Record::new("durability_fanout", target.kind.name())
                .param("load", agg)
                .param("readers", a.fanout_readers)
                .param("rate", a.fanout_rate)
                .set(
                    "p99_worsening_pct",
                    (f_p99 / alone_p99.max(0.001) - 1.0) * 100.0,
                )
                .set("label", &a.common.label),
            &f,
            &fplan,
        )
        .emit();
    }
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// (a) idle clients

#[derive(Args)]
pub struct IdleArgs {
    #[command(flatten)]
    pub common: Common,
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,
    #[arg(long, default_value_t = 100)]
    pub clients_per_doc: usize,
    /// Seconds to hold the clients after all are synced.
    #[arg(long, default_value_t = 10.0)]
    pub hold: f64,
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
}

pub async fn idle(a: IdleArgs) -> Result<bool> {
    let target = Target::new(a.common.target, &a.common.url)?;
    let pid = a.common.server_pid;
    let run_id = a.common.run_id();
    let baseline = pid.map(procfs::rss_bytes).transpose()?;
    let sem = Arc::new(Semaphore::new(a.concurrency.max(1)));
    let closed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut joins = Vec::with_capacity(a.clients);
    for i in 0..a.clients {
        let target = target.clone();
        let sem = sem.clone();
        let doc = format!("{run_id}-idle-{}", i / a.clients_per_doc.max(1));
        let src = src_ip(i, a.common.src_ips);
        let closed = closed.clone();
        joins.push(tokio::spawn(async move {
            let permit = sem.acquire().await;
            let ep = target.endpoint(&doc, &format!("idle-{i}"), false).await?;
            let mut conn = Conn::open(&target, ep, src).await?;
            let ydoc = new_doc(2_000_000 + i as u64);
            conn.sync(&ydoc, Duration::from_secs(60)).await?;
            drop(permit);
            let (sink, mut stream, ep, _) = conn.split();
            // Keep reading (answers pings) until the server closes or the run ends.
            tokio::spawn(async move {
                let _sink = sink;
                while !matches!(
                    next_incoming(&mut stream, ep.prefix_len()).await,
                    Incoming::Closed
                ) {}
                closed.fetch_add(1, Ordering::Relaxed);
            });
            Ok::<(), anyhow::Error>(())
        }));
    }
    let mut failed = 0usize;
    let mut first_err = None;
    for j in joins {
        if let Err(e) = j.await? {
            failed += 1;
            first_err.get_or_insert(e);
        }
    }
    let connect_s = started.elapsed().as_secs_f64();
    if let Some(e) = &first_err {
        eprintln!("FAILED: {failed} clients did not sync; first error: {e:#}");
    }
    let synced = a.clients - failed;
    // What holding idle clients costs the server: keepalives and timers, nothing else.
    let cpu_before = pid.map(procfs::cpu_micros).transpose()?;
    tokio::time::sleep(Duration::from_secs_f64(a.hold)).await;
    let cpu_after = pid.map(procfs::cpu_micros).transpose()?;
    let rss = pid.map(procfs::rss_bytes).transpose()?;
    let still_open = synced - closed.load(Ordering::Relaxed);
    let mut r = Record::new("idle", target.kind.name())
        .param("clients", a.clients)
        .param("clients_per_doc", a.clients_per_doc)
        .set("synced", synced)
        .set("held", still_open)
        .set("connect_s", connect_s)
        .set("label", &a.common.label);
    if let (Some(b), Some(e)) = (cpu_before, cpu_after) {
        let ms = e.saturating_sub(b) as f64 / 1000.0;
        r = r.set("hold_s", a.hold).set("server_cpu_hold_ms", ms).set(
            "server_cpu_per_client_s_us",
            ms * 1000.0 / a.hold / still_open.max(1) as f64,
        );
    }
    if let (Some(b), Some(s)) = (baseline, rss) {
        r = r
            .set("rss_baseline_mib", b as f64 / 1048576.0)
            .set("rss_mib", s as f64 / 1048576.0)
            .set(
                "rss_per_client_kib",
                s.saturating_sub(b) as f64 / 1024.0 / still_open.max(1) as f64,
            );
    }
    let ok = failed == 0 && still_open == a.clients;
    r.set("ok", ok).emit();
    if still_open != synced {
        eprintln!(
            "FAILED: {} clients were disconnected while idle",
            synced - still_open
        );
    }
    Ok(ok)
}

// ---------------------------------------------------------------------------------------------
// (d) cold load

/// The B4 document split as "snapshot of the first edits" + `tail` updates, for every tail.
struct ColdDoc {
    tail: usize,
    snapshot: Vec<u8>,
    tail_updates: Vec<Vec<u8>>,
}

fn cold_docs(
    common: &Common,
    tails: &[u64],
    edits: Option<usize>,
) -> Result<(Vec<ColdDoc>, String)> {
    let dir = trace::traces_dir(common.traces.as_deref());
    let t = Trace::load(&dir, &common.trace)?;
    let total = edits.unwrap_or(t.edits.len()).min(t.edits.len());
    let updates = trace::encode_updates_cached(&t, total, 1, "t0");
    let expected = if total == t.edits.len() {
        t.end_content.clone()
    } else {
        t.replay_plain(total)
    };
    // One replica walks the trace once; the snapshot for each tail is taken on the way.
    let mut cuts: Vec<usize> = tails.iter().map(|&x| x as usize).collect();
    if let Some(&bad) = cuts.iter().find(|&&x| x > total) {
        bail!("tail {bad} longer than the {total} edits replayed");
    }
    cuts.sort_by(|a, b| b.cmp(a));
    let doc = new_doc(1);
    let mut applied = 0;
    let mut out = Vec::new();
    for tail in cuts {
        let upto = total - tail;
        {
            let mut txn = doc.transact_mut();
            for u in &updates[applied..upto] {
                txn.apply_update(Update::decode_v1(u)?)?;
            }
        }
        applied = upto;
        let snapshot = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        out.push(ColdDoc {
            tail,
            snapshot,
            tail_updates: updates[upto..total].to_vec(),
        });
    }
    {
        let mut txn = doc.transact_mut();
        for u in &updates[applied..total] {
            txn.apply_update(Update::decode_v1(u)?)?;
        }
    }
    if text_of(&doc, "t0") != expected {
        bail!("yrs replay of {} does not match the plain replay", t.name);
    }
    Ok((out, expected))
}

#[derive(Args)]
pub struct PrepareColdArgs {
    #[command(flatten)]
    pub common: Common,
    /// Narada's database (`sqlite://…` or `postgres://…`); without it the documents are
    /// uploaded through WebSocket clients (for the peers).
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long, default_value = "0,1000,10000")]
    pub tails: String,
    /// Copies of each document (each copy is loaded cold once).
    #[arg(long, default_value_t = 5)]
    pub copies: usize,
    /// Use only the first N edits of the trace (smoke runs); default: all of it.
    #[arg(long)]
    pub edits: Option<usize>,
}

pub fn cold_name(run_id: &str, tail: usize, copy: usize) -> String {
    format!("{run_id}-b4-t{tail}-c{copy}")
}

pub async fn prepare_cold(a: PrepareColdArgs) -> Result<bool> {
    let tails = parse_list(&a.tails)?;
    let (docs, _) = cold_docs(&a.common, &tails, a.edits)?;
    let run_id = a.common.run_id();
    let started = Instant::now();
    if let Some(url) = &a.database_url {
        let store = narada_store::connect(url)
            .await
            .context("opening the store")?;
        for d in &docs {
            for c in 0..a.copies {
                let id = narada_store::DocId::parse(&cold_name(&run_id, d.tail, c))?;
                // The snapshot goes into the log as one entry (as if a client had uploaded
                // the document in one go), the tail after it, and the stored snapshot covers
                // exactly that first entry: "snapshot + tail" as the hub's compaction leaves it.
                let first = narada_store::NewUpdate::new(
                    id.clone(),
                    Bytes::from(d.snapshot.clone()),
                    narada_store::Author::server(narada_store::AuthorKind::Import, None),
                );
                let seqs = store.append(&[first]).await?;
                let upto = seqs.first().copied().context("append returned no seq")?;
                for chunk in d.tail_updates.chunks(1000) {
                    let batch: Vec<narada_store::NewUpdate> = chunk
                        .iter()
                        .map(|u| {
                            narada_store::NewUpdate::new(
                                id.clone(),
                                Bytes::from(u.clone()),
                                narada_store::Author::server(
                                    narada_store::AuthorKind::Import,
                                    None,
                                ),
                            )
                        })
                        .collect();
                    store.append(&batch).await?;
                }
                store
                    .put_snapshot(&id, upto, Bytes::from(d.snapshot.clone()))
                    .await?;
            }
        }
    } else {
        let target = Target::new(a.common.target, &a.common.url)?;
        for d in &docs {
            for c in 0..a.copies {
                let name = cold_name(&run_id, d.tail, c);
                upload(&target, &name, d).await?;
            }
        }
    }
    eprintln!(
        "prepared cold-load documents in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

/// Writes a document through a client: the snapshot as one update, then the tail one by one.
async fn upload(target: &Target, name: &str, d: &ColdDoc) -> Result<()> {
    let ep = target
        .endpoint(name, "uploader", target.kind == crate::target::Kind::Narada)
        .await?;
    let mut conn = Conn::open(target, ep, None).await?;
    let ydoc = new_doc(3_000_000);
    conn.sync(&ydoc, Duration::from_secs(30)).await?;
    let (mut sink, mut stream, ep, counted) = conn.split();
    sink.send(Message::Binary(ep.sync_frame(SYNC_UPDATE, &d.snapshot)))
        .await?;
    for u in &d.tail_updates {
        sink.feed(Message::Binary(ep.sync_frame(SYNC_UPDATE, u)))
            .await?;
    }
    sink.flush().await?;
    if target.kind == crate::target::Kind::Narada {
        // Wait for the durable ack of everything, so the store holds it all.
        let want = counted + 1 + d.tail_updates.len() as u64;
        loop {
            match tokio::time::timeout(Duration::from_secs(60), next_incoming(&mut stream, 0)).await
            {
                Ok(Incoming::Ack(n)) if n >= want => break,
                Ok(Incoming::Closed) | Err(_) => bail!("no durable ack for the upload of {name}"),
                _ => {}
            }
        }
    } else {
        // The peers have no acknowledgement: read our own document back through a second
        // client to know the server holds all of it.
        let ep2 = target.endpoint(name, "checker", false).await?;
        let mut check = Conn::open(target, ep2, None).await?;
        let cdoc = new_doc(3_000_001);
        check.sync(&cdoc, Duration::from_secs(60)).await?;
        let _ = sink.close().await;
        check.close().await;
    }
    Ok(())
}

#[derive(Args)]
pub struct ColdArgs {
    #[command(flatten)]
    pub common: Common,
    #[arg(long, default_value = "0,1000,10000")]
    pub tails: String,
    /// Copies prepared per tail (see prepare-cold); each is loaded cold once.
    #[arg(long, default_value_t = 5)]
    pub copies: usize,
    /// Warm connections measured per tail (the document held loaded by another client).
    #[arg(long, default_value_t = 20)]
    pub warm: usize,
    /// Skip the cold measurement (a peer without storage).
    #[arg(long)]
    pub warm_only: bool,
    /// As prepare-cold's --edits.
    #[arg(long)]
    pub edits: Option<usize>,
}

/// Connect → step 2 received and applied, for one fresh client. Returns the time and the text.
async fn connect_to_synced(
    target: &Target,
    name: &str,
    id: u64,
) -> Result<(Duration, String, usize)> {
    let t = Instant::now();
    let ep = target.endpoint(name, "reader", false).await?;
    // Token minting and y-sweet's HTTP round trips are part of a real client's connect too, but
    // they are not the server's load path; start the clock at the socket.
    let t_sock = Instant::now();
    let mut conn = Conn::open(target, ep, None).await?;
    let ydoc = new_doc(id);
    let size = conn.sync(&ydoc, Duration::from_secs(30)).await?;
    let elapsed = t_sock.elapsed();
    let _ = t;
    let text = text_of(&ydoc, "t0");
    conn.close().await;
    Ok((elapsed, text, size))
}

pub async fn coldload(a: ColdArgs) -> Result<bool> {
    let target = Target::new(a.common.target, &a.common.url)?;
    let tails = parse_list(&a.tails)?;
    let dir = trace::traces_dir(a.common.traces.as_deref());
    let t = Trace::load(&dir, &a.common.trace)?;
    let expected = match a.edits {
        Some(n) if n < t.edits.len() => t.replay_plain(n),
        _ => t.end_content,
    };
    let run_id = a.common.run_id();
    let mut ok = true;
    let mut next_id = 4_000_000u64;
    for &tail in &tails {
        let tail = tail as usize;
        // Cold: the first connection to each copy since the server started.
        if !a.warm_only {
            let mut h = new_hist();
            for c in 0..a.copies {
                let name = cold_name(&run_id, tail, c);
                next_id += 1;
                let (d, text, size) = connect_to_synced(&target, &name, next_id).await?;
                if text != expected {
                    eprintln!(
                        "FAILED: cold {name}: synced text differs ({} chars)",
                        text.chars().count()
                    );
                    ok = false;
                }
                let _ = size;
                record(&mut h, d);
            }
            Record::new("coldload", target.kind.name())
                .param("tail", tail)
                .param("cache", "cold")
                .latency("synced", &h)
                .set("label", &a.common.label)
                .emit();
        }
        // Warm: copy 0 held loaded by a holder client; fresh clients connect one after another.
        let name = cold_name(&run_id, tail, 0);
        let ep = target.endpoint(&name, "holder", false).await?;
        let mut holder = Conn::open(&target, ep, None).await?;
        let hdoc = new_doc(3_500_000);
        holder.sync(&hdoc, Duration::from_secs(30)).await?;
        if text_of(&hdoc, "t0") != expected {
            eprintln!("FAILED: warm holder of {name}: text differs");
            ok = false;
        }
        let mut h = new_hist();
        let mut size = 0;
        for _ in 0..a.warm {
            next_id += 1;
            let (d, text, s) = connect_to_synced(&target, &name, next_id).await?;
            if text != expected {
                eprintln!("FAILED: warm {name}: synced text differs");
                ok = false;
            }
            size = s;
            record(&mut h, d);
        }
        holder.close().await;
        Record::new("coldload", target.kind.name())
            .param("tail", tail)
            .param("cache", "warm")
            .latency("synced", &h)
            .set("step2_bytes", size)
            .set("label", &a.common.label)
            .emit();
    }
    Ok(ok)
}
