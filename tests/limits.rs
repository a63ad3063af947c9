//! Process limits the server sets for itself: started with the usual low soft limit on open files
//! (1024 on most systems, 256 here), `narada serve` raises it to the hard limit, since every
//! client connection is a file descriptor. Its own test binary, because it lowers the limit of
//! the test process, which the server inherits.

#![cfg(target_os = "linux")]

use narada_tests::process::free_port;
use narada_tests::NaradaProcess;
use rlimit::Resource;

/// The soft and hard "Max open files" of a process, from `/proc/PID/limits`.
fn open_files_limits(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("open files line");
    let fields: Vec<&str> = line.split_whitespace().collect();
    let parse = |s: &str| s.parse().unwrap_or(u64::MAX); // "unlimited"
    (parse(fields[3]), parse(fields[4]))
}

#[tokio::test]
async fn the_server_raises_its_open_files_limit_to_the_hard_limit() {
    let (_, hard) = Resource::NOFILE.get().expect("getrlimit");
    if hard <= 256 {
        eprintln!("SKIP: the hard open-files limit ({hard}) leaves nothing to raise");
        return;
    }
    Resource::NOFILE
        .set(256, hard)
        .expect("lower the soft limit");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("limits.db").display());
    let server = NaradaProcess::spawn(&url, free_port(), None).await;
    let (soft, server_hard) = open_files_limits(server.child.id());
    assert_eq!(server_hard, hard, "the server inherits the hard limit");
    assert_eq!(soft, hard, "the server raised its soft limit from 256");
}
