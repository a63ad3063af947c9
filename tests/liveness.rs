//! Peers that stop cooperating: a client that no longer reads is disconnected once its bounded
//! outbound queue is full (and loses nothing: it re-syncs), and a client that goes silent is
//! dropped by the keepalive, its awareness removed for everyone. Both backends.

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
