//! Peers that stop cooperating: a client that no longer reads is disconnected once its bounded
//! outbound queue is full (and loses nothing: it re-syncs), a client that goes silent is
//! dropped by the keepalive, its awareness removed for everyone, and a client that trickles its
//! request headers is cut off, and cannot hold the process after SIGTERM. Both backends.

use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use narada_auth::Role;
use narada_proto::message;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, RawClient, TestServer};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::encoder::Encode;
use yrs::ClientID;

both_backends!(
    a_client_that_stops_reading_is_disconnected_and_resyncs,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.outbound_queue = 8;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("slow");
        let editor = |user: &str| token(&doc, user, Role::Editor);

        let mut slow = RawClient::connect(&server.sync_url(&doc, &editor("wolny"), false)).await;
        // The server's step 1 arrives only after the connection has joined the document.
        slow.next_binary().await;

        // Far more than the slow client's queue plus every socket buffer between us can hold.
        const UPDATES: usize = 300;
        let chunk = "x".repeat(32 * 1024);
        let mut writer = Client::connect(&server.sync_url(&doc, &editor("anna"), true)).await;
        let mut sent = 0;
        for _ in 0..UPDATES {
            sent = writer.insert(0, &chunk);
        }
        // Acks come after the commit, and each update was queued to every reader (or found the
        // queue full) before it was committed.
        writer.wait(|s| s.acked == sent).await;
        assert_eq!(
            server.state.metrics.slow_client_disconnects.load(Relaxed),
            1,
            "the reader that stopped reading, and only it, was cut off"
        );
        assert!(writer.seen().closed.is_none(), "the writer is unaffected");

        let drained = slow.drain().await;
        assert!(
            drained.binary_frames < UPDATES,
            "the slow client was disconnected, not fed everything: {drained:?}"
        );
        if let Some(code) = drained.close_code {
            assert_eq!(code, 1013, "too slow: try again later");
        }

        // Nothing was dropped: reconnecting gets the whole document.
        let fresh = Client::connect(&server.sync_url(&doc, &editor("wolny"), false)).await;
        assert_eq!(fresh.text().len(), UPDATES * chunk.len());
        assert_eq!(fresh.text(), writer.text());
        server.stop().await.unwrap();
    }
);

both_backends!(
    a_silent_client_is_dropped_by_the_keepalive,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.ping_interval = Duration::from_millis(50);
        config.idle_timeout = Duration::from_millis(300);
        // Long, so only the keepalive can be what removes the silent client's presence.
        config.awareness_timeout = Duration::from_secs(600);
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("silent");
        let url = |user: &str| server.sync_url(&doc, &token(&doc, user, Role::Editor), false);

        let watcher = Client::connect(&url("anna")).await;
        let mut silent = RawClient::connect(&url("cichy")).await;
        silent.next_binary().await;
        let silent_id = 4242u64;
        let update = AwarenessUpdate {
            clients: HashMap::from([(
                ClientID::new(silent_id),
                AwarenessUpdateEntry {
                    clock: 1,
                    json: r#"{"user":{"name":"Cichy"}}"#.into(),
                },
            )]),
        };
        silent
            .send(message::encode_awareness(&update.encode_v1()))
            .await;
        watcher.wait(|s| s.awareness.contains_key(&silent_id)).await;

        // From here the silent client reads nothing, so it answers no ping.
        watcher
            .wait(|s| !s.awareness.contains_key(&silent_id))
            .await;
        // The server closed the socket (draining returns only when the connection has ended).
        tokio::time::timeout(narada_tests::DEADLINE, silent.drain())
            .await
            .expect("the server dropped the silent connection");
        assert!(watcher.seen().closed.is_none(), "the live client stays");
        server.stop().await.unwrap();
    }
);

/// Connects and sends half a request line, as a slow-loris client does.
async fn half_a_request(port: u16) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tcp.write_all(b"GET /healthz HT").await.expect("write");
    tcp
}

both_backends!(
    a_client_that_trickles_its_headers_is_cut_off,
    |backend: Backend| async move {
        use tokio::io::AsyncReadExt;
        let mut config = backend.config();
        config.header_read_timeout = Duration::from_millis(300);
        let server = TestServer::start_with(config).await;
        let mut tcp = half_a_request(server.addr.port()).await;
        let started = std::time::Instant::now();
        // The server ends the connection: end of stream (or a reset), never more waiting.
        let mut buf = Vec::new();
        let read = tokio::time::timeout(narada_tests::DEADLINE, tcp.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the connection is still open");
        assert!(started.elapsed() >= Duration::from_millis(250));
        // A client that connects and sends nothing is bounded alike.
        let mut idle = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let read = tokio::time::timeout(narada_tests::DEADLINE, idle.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the silent connection is still open");
        // Whole requests are unaffected.
        let health = narada_tests::process::http_status(server.addr.port(), "/healthz").await;
        assert_eq!(health, Some(200));
        server.stop().await.unwrap();
    }
);

both_backends!(
    a_half_sent_request_does_not_hold_the_process_past_the_grace_period,
    |backend: Backend| async move {
        let port = narada_tests::process::free_port();
        // A header timeout far beyond the grace period, so only the shutdown can end it.
        let flags = ["--shutdown-grace", "1s", "--header-read-timeout", "10min"];
        let mut server =
            narada_tests::NaradaProcess::spawn_with(&backend.url, port, None, &flags).await;
        let _loris = half_a_request(port).await;
        // Ensure the server has the connection (a whole request after it is answered).
        assert_eq!(
            narada_tests::process::http_status(port, "/healthz").await,
            Some(200)
        );
        let started = std::time::Instant::now();
        let status = server.terminate(Duration::from_secs(8)).await;
        let status = status.expect("the process did not exit after SIGTERM");
        assert!(status.success(), "{status}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "took {:?}",
            started.elapsed()
        );
    }
);
