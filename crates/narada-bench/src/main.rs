//! `narada-bench`: the load generator for Narada and its peers (issue 3).
//!
//! Runs as its own process against a server started separately (see `bench/run.sh`), so the
//! server's CPU and memory can be read from `/proc/PID` without the generator's own cost mixed in.
//! Each subcommand is one scenario; every figure is printed as a JSON line on stdout (and as a
//! readable line on stderr). `summarize` turns JSON lines of repeated runs into median/min/max
//! tables. A scenario whose correctness check fails exits non-zero.

mod engine;
mod floor;
mod procfs;
mod report;
mod scenarios;
mod summarize;
mod target;
mod trace;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "narada-bench", about = "Open-loop y-websocket load generator")]
struct Cli {
    /// Generator threads (1 = a single-threaded runtime; the generator is pinned to one core).
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    cmd: Cmd,
}

/// Options every scenario shares.
#[derive(Args, Clone)]
pub struct Common {
    /// Server implementation under test.
    #[arg(long, value_enum, default_value = "narada")]
    pub target: target::Kind,
    /// Server base URL, `ws://IP:PORT` (y-sweet: its HTTP address, `http://IP:PORT`).
    #[arg(long, default_value = "ws://127.0.0.1:8080")]
    pub url: String,
    /// PID of the server process, for RSS and CPU readings.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Folder of the editing traces (default: $NARADA_TRACES, else ../shared/data/editing-traces
    /// beside the repo, else /work/shared/data/editing-traces).
    #[arg(long)]
    pub traces: Option<PathBuf>,
    /// Trace replayed by writers.
    #[arg(long, default_value = "automerge-paper")]
    pub trace: String,
    /// Seed of every random choice (phases, document picks).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Prefix of document names; a fresh prefix per run keeps persisted documents apart.
    #[arg(long)]
    pub run_id: Option<String>,
    /// Loopback source addresses to spread clients over (127.0.0.2 …); 0 = kernel's choice.
    #[arg(long, default_value_t = 4)]
    pub src_ips: u8,
    /// Label stored with every result (e.g. "run 2 of 3").
    #[arg(long, default_value = "")]
    pub label: String,
}

impl Common {
    pub fn run_id(&self) -> String {
        self.run_id.clone().unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            format!("r{secs}")
        })
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// (b) One writer, K readers, R updates/s; latency intended-send → arrival at each reader.
    Fanout(scenarios::FanoutArgs),
    /// (a) N synced idle clients held; server RSS per client beyond baseline.
    Idle(scenarios::IdleArgs),
    /// (c) D documents × W typing clients, rate ramped until p99 > 50 ms; CPU µs per update.
    Docs(scenarios::DocsArgs),
    /// (d) Connect-to-synced time of the B4 document stored as snapshot + tail updates.
    Coldload(scenarios::ColdArgs),
    /// Writes the cold-load documents straight into Narada's store (run before `coldload`).
    PrepareCold(scenarios::PrepareColdArgs),
    /// (e) Writers with ack=1: persisted updates/s, send → durable ack, fanout under load.
    Durability(scenarios::DurabilityArgs),
    /// Physical floors: one loopback write() round trip, yrs apply per update, a null relay.
    Floor(floor::FloorArgs),
    /// Median/min/max tables from JSON-lines result files.
    Summarize(summarize::SummarizeArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    raise_nofile();
    let rt = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()?
    };
    let ok = rt.block_on(async move {
        match cli.cmd {
            Cmd::Fanout(a) => scenarios::fanout(a).await,
            Cmd::Idle(a) => scenarios::idle(a).await,
            Cmd::Docs(a) => scenarios::docs(a).await,
            Cmd::Coldload(a) => scenarios::coldload(a).await,
            Cmd::PrepareCold(a) => scenarios::prepare_cold(a).await,
            Cmd::Durability(a) => scenarios::durability(a).await,
            Cmd::Floor(a) => floor::run(a).await,
            Cmd::Summarize(a) => summarize::run(a),
        }
    })?;
    // Sockets are closed by the OS at exit; waiting for 10,000 close handshakes measures nothing.
    rt.shutdown_timeout(Duration::from_millis(100));
    if !ok {
        eprintln!("narada-bench: a correctness check FAILED");
        std::process::exit(1);
    }
    Ok(())
}

/// Raises the open-file limit to the hard limit: 10,000+ clients need as many descriptors.
fn raise_nofile() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) if n < 20_000 => eprintln!("narada-bench: open-file limit is only {n}"),
        Ok(_) => {}
        Err(e) => eprintln!("narada-bench: cannot raise the open-file limit: {e}"),
    }
}
