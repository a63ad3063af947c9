//! Running the real `narada` binary as a separate process, for tests that kill it (`kill -9`)
//! or run several nodes side by side.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::SECRET;

/// Path of the `narada` binary: `NARADA_BIN`, or the one `cargo test --workspace` built next to
/// this test binary.
pub fn narada_bin() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("NARADA_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let bin = dir.join("narada");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p narada-server` first (scripts/test.sh does)",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server process; killed (SIGKILL) when dropped.
pub struct NaradaProcess {
    pub child: Child,
    pub port: u16,
}

impl NaradaProcess {
    /// Starts `narada serve` on `port` and returns once `/healthz` answers 200.
    pub async fn spawn(database_url: &str, port: u16, redis_url: Option<&str>) -> NaradaProcess {
        Self::spawn_with(database_url, port, redis_url, &[]).await
    }

    /// [`NaradaProcess::spawn`] with more `serve` flags.
    pub async fn spawn_with(
        database_url: &str,
        port: u16,
        redis_url: Option<&str>,
        flags: &[&str],
    ) -> NaradaProcess {
        let mut cmd = Command::new(narada_bin());
        cmd.args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database_url,
        ])
        .env("NARADA_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .env_remove("REDIS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        if let Some(url) = redis_url {
            cmd.args(["--redis-url", url]);
        }
        cmd.args(flags);
        let child = cmd.spawn().expect("start narada");
        let proc = NaradaProcess { child, port };
        // Poll the port: across processes there is no event to wait on. Bounded.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if http_status(port, "/healthz").await == Some(200) {
                return proc;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "server did not become healthy"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits up to `within` for the process to exit; `None` if it did not
    /// (it is then killed, when dropped).
    pub async fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        // A child's exit is not an event tokio can await on a std `Child`; poll it, bounded.
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn sync_url(&self, doc: &str, token: &str, ack: bool) -> String {
        let ack = if ack { "&ack=1" } else { "" };
        format!("ws://127.0.0.1:{}/sync/{doc}?token={token}{ack}", self.port)
    }
}

impl Drop for NaradaProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status code of a plain GET, or `None` when nothing answers.
pub async fn http_status(port: u16, path: &str) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.ok()?;
    buf.get(9..12)?.parse().ok()
}
