//! Crash test: writers with `ack=1`, `kill -9` of the server process mid-stream, restart on the
//! same database — every acknowledged update must be there. Runs the real `narada` binary
//! (built by `cargo test --workspace` into the same target folder) on SQLite and on Postgres.

use narada_auth::Role;
use narada_tests::process::free_port;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, NaradaProcess};

both_backends!(
    acknowledged_updates_survive_kill_9,
    |backend: Backend| async move {
        let port = free_port();
        let mut server = NaradaProcess::spawn(&backend.url, port, None).await;
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
                server.kill();
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

        let _server = NaradaProcess::spawn(&backend.url, port, None).await;
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
