//! Crash test: writers with `ack=1`, `kill -9` of the server process mid-stream, restart on the
//! same database — every acknowledged update must be there. Runs the real `narada` binary
//! (built by `cargo test --workspace` into the same target folder) on SQLite and on Postgres.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use narada_auth::Role;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, SECRET};

fn narada_bin() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("NARADA_BIN") {
        return p.into();
    }
    // tests/ → workspace root → target/<profile>/narada, next to this test binary's folder.
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let bin = dir.join("narada");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p narada-server` (cargo test --workspace builds it)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn spawn_server(backend: &Backend, port: u16) -> Proc {
    let child = Command::new(narada_bin())
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &backend.url,
        ])
        .env("NARADA_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start narada");
    // Ready when /healthz answers; poll the port (there is no other event to wait on across
    // processes), bounded.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = s
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await;
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf).await;
            if buf.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server did not become healthy"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Proc(child)
}

both_backends!(
    acknowledged_updates_survive_kill_9,
    |backend: Backend| async move {
        let port = free_port();
        let mut server = spawn_server(&backend, port).await;
        let doc = unique_doc("crash");
        let url = format!(
            "ws://127.0.0.1:{port}/sync/{doc}?token={}&ack=1",
            token(&doc, "w", Role::Editor)
        );
        let writers = 4;
        let mut clients = Vec::new();
        for _ in 0..writers {
            clients.push(Client::connect(&url).await);
        }
        // Stream edits from every writer; kill the server while they are in flight.
        let mut sent: Vec<Vec<String>> = vec![Vec::new(); writers];
        for round in 0..400 {
            for (w, c) in clients.iter_mut().enumerate() {
                let chunk = format!("<{w}:{round}>");
                c.insert(0, &chunk);
                sent[w].push(chunk);
            }
            if round == 300 {
                // Make sure some acks are in, then kill without warning.
                clients[0].wait(|s| s.acked > 0).await;
                server.0.kill().expect("kill -9");
                let _ = server.0.wait();
            }
        }
        for c in &clients {
            c.wait(|s| s.closed.is_some()).await;
        }
        let acked: Vec<u64> = clients.iter().map(|c| c.seen().acked).collect();
        assert!(
            acked.iter().sum::<u64>() > 0,
            "nothing was acknowledged before the kill"
        );
        drop(server);

        let _server = spawn_server(&backend, port).await;
        let reader = Client::connect(&format!(
            "ws://127.0.0.1:{port}/sync/{doc}?token={}",
            token(&doc, "r", Role::Viewer)
        ))
        .await;
        let text = reader.text();
        for (w, n) in acked.iter().enumerate() {
            // The first counted message is the client's step 2; the rest are its edits in order.
            let edits = n.saturating_sub(1) as usize;
            for chunk in &sent[w][..edits] {
                assert!(
                    text.contains(chunk.as_str()),
                    "acknowledged {chunk} of writer {w} is missing after kill -9 (acked {n})"
                );
            }
        }
        eprintln!(
            "kill -9: acked per writer {acked:?}; all present after restart ({} chars)",
            text.len()
        );
    }
);
