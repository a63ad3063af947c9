//! Micro-benchmark of the store's group commit: appended updates per second.
//!
//! Appends batches of 256 updates of 30 bytes, spread over 32 documents, one batch after another
//! (as the hub's single store writer does), then times loading one document stored as a
//! snapshot plus a 10,000-entry tail.
//!
//! ```text
//! cargo run --release -p narada-store --example append_bench              # SQLite temp file,
//!                                                    # plus Postgres if NARADA_TEST_POSTGRES_URL
//! cargo run --release -p narada-store --example append_bench -- URL...    # the given stores
//! ```
//! `BENCH_BATCHES` (default 400) sets how many batches are timed, `BENCH_BATCH` (default 256)
//! how many updates each has, `BENCH_WRITERS` (default 1) how many tasks append concurrently
//! (each to its own 32 documents, `BENCH_BATCHES` batches each).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use narada_store::{connect, Author, DocId, NewUpdate, Store};

const DOCS: usize = 32;
const UPDATE_BYTES: usize = 30;
const TAIL: usize = 10_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let batches = env_or("BENCH_BATCHES", 400);
    let batch = env_or("BENCH_BATCH", 256);
    let writers = env_or("BENCH_WRITERS", 1).max(1);
    let mut targets: Vec<(String, String)> =
        std::env::args().skip(1).map(|u| (label(&u), u)).collect();
    // Keeps the SQLite temp folder alive until the end.
    let dir = tempfile::tempdir()?;
    if targets.is_empty() {
        let path = dir.path().join("bench.db");
        targets.push((
            "sqlite (temp file)".into(),
            format!("sqlite://{}", path.display()),
        ));
        match std::env::var("NARADA_TEST_POSTGRES_URL") {
            Ok(url) => targets.push(("postgres".into(), url)),
            Err(_) => eprintln!("postgres: skipped (NARADA_TEST_POSTGRES_URL not set)"),
        }
    }
    for (name, url) in targets {
        let store = connect(&url).await?;
        run(&name, store, batches, batch, writers).await?;
    }
    Ok(())
}

/// The backend name only: the URL may hold a password.
fn label(url: &str) -> String {
    url.split(':').next().unwrap_or("?").to_string()
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run(
    name: &str,
    store: Arc<dyn Store>,
    batches: usize,
    size: usize,
    writers: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let run_id = format!("{:08x}", rand::random::<u32>());
    let payload = Bytes::from(vec![0xAB; UPDATE_BYTES]);
    let make_batch = |w: usize| -> Result<Vec<NewUpdate>, narada_store::StoreError> {
        let docs: Vec<DocId> = (0..DOCS)
            .map(|i| DocId::parse(&format!("bench-{run_id}-{w}-{i}")))
            .collect::<Result<_, _>>()?;
        Ok((0..size)
            .map(|i| {
                NewUpdate::new(
                    docs[i % DOCS].clone(),
                    payload.clone(),
                    Author::person("bench"),
                )
            })
            .collect())
    };

    let mut work = Vec::new();
    for w in 0..writers {
        let batch = make_batch(w)?;
        // Warm up: creates the document rows and fills the pool.
        for _ in 0..5 {
            store.append(&batch).await?;
        }
        work.push(batch);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for batch in work {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(batches);
            for _ in 0..batches {
                let t = Instant::now();
                store.append(&batch).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, narada_store::StoreError>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let commits = batches * writers;
    let rate = (commits * size) as f64 / elapsed.as_secs_f64();
    println!(
        "{name}: {writers} writer(s) x {batches} batches x {size} updates x {UPDATE_BYTES} B \
         over {DOCS} docs each: {rate:.0} updates/s, {:.0} commits/s, \
         commit p50 {:?} p99 {:?}",
        commits as f64 / elapsed.as_secs_f64(),
        pct(&latencies, 50),
        pct(&latencies, 99),
    );

    // Cold load: snapshot + TAIL entries.
    let doc = DocId::parse(&format!("bench-{run_id}-load"))?;
    store
        .append(&[NewUpdate::new(
            doc.clone(),
            payload.clone(),
            Author::person("bench"),
        )])
        .await?;
    store
        .put_snapshot(&doc, 1, Bytes::from(vec![0xCD; 64 * 1024]))
        .await?;
    let tail: Vec<NewUpdate> = (0..TAIL)
        .map(|_| NewUpdate::new(doc.clone(), payload.clone(), Author::person("bench")))
        .collect();
    for chunk in tail.chunks(1000) {
        store.append(chunk).await?;
    }
    let mut loads = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let stored = store.load(&doc).await?;
        loads.push(t.elapsed());
        assert_eq!(stored.tail.len(), TAIL);
    }
    loads.sort();
    println!(
        "{name}: load of 64 KiB snapshot + {TAIL} tail entries: p50 {:?}, min {:?}",
        pct(&loads, 50),
        loads[0]
    );
    Ok(())
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}
