//! End-to-end sync tests: a real server, real WebSocket clients built on yrs, and every test run
//! on SQLite and on Postgres.

use narada_auth::Role;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, TestServer};

async fn editor(server: &TestServer, doc: &str, user: &str) -> Client {
    Client::connect(&server.sync_url(doc, &token(doc, user, Role::Editor), false)).await
}

both_backends!(concurrent_editors_converge, |backend: Backend| async move {
    let server = TestServer::start(&backend).await;
    let doc = unique_doc("converge");
    let mut a = editor(&server, &doc, "anna").await;
    let mut b = editor(&server, &doc, "bartek").await;
    let mut c = editor(&server, &doc, "celina").await;
    // Concurrent edits at the same position, interleaved.
    for i in 0..20 {
        a.insert(0, &format!("a{i};"));
        b.insert(0, &format!("b{i};"));
        c.insert(0, &format!("c{i};"));
    }
    let expected_len = 3 * (10 * 3 + 10 * 4);
    for client in [&a, &b, &c] {
        client
            .wait_for(narada_tests::DEADLINE, |_| {
                client.text().len() == expected_len
            })
            .await
            .unwrap_or_else(|_| panic!("text {:?}", client.text()));
    }
    assert_eq!(a.text(), b.text());
    assert_eq!(b.text(), c.text());
    for i in 0..20 {
        for who in ["a", "b", "c"] {
            assert!(a.text().contains(&format!("{who}{i};")));
        }
    }
    server.stop().await.unwrap();
});

both_backends!(late_joiner_gets_full_state, |backend: Backend| async move {
    let server = TestServer::start(&backend).await;
    let doc = unique_doc("late");
    let mut a = editor(&server, &doc, "anna").await;
    for word in ["Plan ", "Ulepszeń ", "— Gdańsk"] {
        a.append(word);
    }
    // The writer's own view is the reference; wait for the server to have it by asking a reader.
    let b = editor(&server, &doc, "bartek").await;
    b.wait_text("Plan Ulepszeń — Gdańsk").await;
    server.stop().await.unwrap();
});

both_backends!(
    awareness_arrives_and_is_removed,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("aware");
        let mut a = editor(&server, &doc, "anna").await;
        let b = editor(&server, &doc, "bartek").await;
        a.set_awareness(r##"{"user":{"name":"Anna","color":"#c00"}}"##);
        let id = a.client_id();
        let seen = b
            .wait(|s| s.awareness.get(&id).is_some_and(|j| j.contains("Anna")))
            .await;
        assert!(seen.awareness[&id].contains("Anna"));
        // A late joiner gets the current awareness with its first frames.
        let c = editor(&server, &doc, "celina").await;
        c.wait(|s| s.awareness.contains_key(&id)).await;
        a.close();
        b.wait(|s| !s.awareness.contains_key(&id)).await;
        c.wait(|s| !s.awareness.contains_key(&id)).await;
        server.stop().await.unwrap();
    }
);

both_backends!(viewer_cannot_write, |backend: Backend| async move {
    let server = TestServer::start(&backend).await;
    let doc = unique_doc("viewer");
    let mut a = editor(&server, &doc, "anna").await;
    a.append("editor text");
    let mut v =
        Client::connect(&server.sync_url(&doc, &token(&doc, "vera", Role::Viewer), false)).await;
    v.wait_text("editor text").await;
    v.append(" viewer text");
    v.wait(|s| s.denied == 1).await;
    // A commenter is a viewer on content.
    let mut c =
        Client::connect(&server.sync_url(&doc, &token(&doc, "ekspert", Role::Commenter), false))
            .await;
    c.append(" commenter text");
    c.wait(|s| s.denied == 1).await;
    // The viewer still receives live edits after being refused. (Its own refused insert stays in
    // its local replica at the same position as the "!", so where the "!" lands in the viewer's
    // copy depends on the random client ids; only its arrival is certain.)
    a.append("!");
    v.wait(|_| v.text().contains('!')).await;
    // Neither refused edit reached the document.
    let fresh = editor(&server, &doc, "fresh").await;
    fresh.wait_text("editor text!").await;
    assert!(
        v.seen().closed.is_none(),
        "a viewer is told, not disconnected"
    );
    server.stop().await.unwrap();
});

both_backends!(
    bad_tokens_are_refused_before_upgrade,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("tokens");
        let url = |t: &str| server.sync_url(&doc, t, false);
        let status = |r: Result<Client, narada_tests::client::Refused>| r.err().map(|e| e.status);
        let no_token = format!("ws://{}/sync/{doc}", server.addr);
        assert_eq!(status(Client::connect_unsynced(&no_token).await), Some(401));
        assert_eq!(
            status(Client::connect_unsynced(&url("garbage")).await),
            Some(401)
        );
        let forged =
            narada_auth::TokenKey::new(&[7u8; 32])
                .unwrap()
                .issue(&doc, "eve", Role::Editor, 60);
        assert_eq!(
            status(Client::connect_unsynced(&url(&forged)).await),
            Some(401)
        );
        let other_doc = token("another-doc", "anna", Role::Editor);
        assert_eq!(
            status(Client::connect_unsynced(&url(&other_doc)).await),
            Some(403)
        );
        let expired = narada_auth::TokenKey::new(narada_tests::SECRET.as_bytes())
            .unwrap()
            .issue(&doc, "anna", Role::Editor, 0);
        // Issued with zero lifetime: its expiry is now, and validation has no leeway.
        let expired_status = loop {
            match Client::connect_unsynced(&url(&expired)).await {
                Err(refused) => break refused.status,
                // Still this second: close it, so the attempts do not pile up as sockets.
                Ok(c) => {
                    c.close();
                    c.wait(|s| s.closed.is_some()).await;
                }
            }
        };
        assert_eq!(expired_status, 401);
        let bad_name = format!("ws://{}/sync/a%2Fb?token=x", server.addr);
        assert_eq!(status(Client::connect_unsynced(&bad_name).await), Some(400));
        // A foreign browser origin is refused; the server's own loopback origin is allowed.
        let good = url(&token(&doc, "anna", Role::Editor));
        let evil = Client::connect_with(&good, &[("origin", "https://evil.example")]).await;
        assert_eq!(evil.err().map(|e| e.status), Some(403));
        let own = format!("http://localhost:{}", server.addr.port());
        assert!(Client::connect_with(&good, &[("origin", &own)])
            .await
            .is_ok());
        server.stop().await.unwrap();
    }
);

/// DNS rebinding: the attacker's name resolves to this server, so the browser's `Host` and
/// `Origin` agree with each other (`evil.example`). Only the configured origins count.
#[tokio::test]
async fn a_rebound_host_does_not_make_its_origin_allowed() {
    let backend = Backend::sqlite();
    let mut config = backend.config();
    config.accounts.public_url = "https://narada.example.gov.pl".into();
    let server = TestServer::start_with(config).await;
    let doc = unique_doc("rebind");
    let url = server.sync_url(&doc, &token(&doc, "anna", Role::Editor), false);
    for (host, origin) in [
        ("evil.example", "http://evil.example"),
        ("evil.example:80", "http://evil.example:80"),
        (
            &format!("evil.example:{}", server.addr.port()),
            &format!("http://evil.example:{}", server.addr.port()),
        ),
    ] {
        let refused = Client::connect_with(&url, &[("host", host), ("origin", origin)]).await;
        assert_eq!(refused.err().map(|e| e.status), Some(403), "{origin}");
    }
    // The real origins pass, whatever the Host says.
    let public = Client::connect_with(
        &url,
        &[
            ("host", "evil.example"),
            ("origin", "https://narada.example.gov.pl"),
        ],
    )
    .await;
    assert!(public.is_ok(), "the public origin is allowed");
    let own = format!("http://127.0.0.1:{}", server.addr.port());
    assert!(Client::connect_with(&url, &[("origin", &own)])
        .await
        .is_ok());
    server.stop().await.unwrap();
}

both_backends!(
    oversized_frame_closes_with_1009,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.max_message_bytes = 4096;
        config.max_sync_bytes = 64 * 1024;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("big");
        let mut a = editor(&server, &doc, "anna").await;
        let b = editor(&server, &doc, "bartek").await;
        // Past the initial sync, an 8 KiB update is over the 4 KiB limit.
        a.append(&"x".repeat(8 * 1024));
        let seen = a.wait(|s| s.closed.is_some()).await;
        assert_eq!(seen.closed.unwrap().0, 1009);
        // Beyond even the sync limit, the transport itself refuses the frame.
        let c = editor(&server, &doc, "celina").await;
        c.send_raw(vec![0u8; 128 * 1024]);
        assert_eq!(c.wait(|s| s.closed.is_some()).await.closed.unwrap().0, 1009);
        // The other client and the document are fine.
        let mut b = b;
        b.append("ok");
        let d = editor(&server, &doc, "dorota").await;
        d.wait_text("ok").await;
        server.stop().await.unwrap();
    }
);

both_backends!(
    garbage_and_hostile_updates_close_only_the_sender,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("hostile");
        let mut good = editor(&server, &doc, "anna").await;
        good.append("safe");
        let cases: Vec<(Vec<u8>, u16)> = vec![
            (vec![0xff, 0xff, 0xff], 1002), // truncated message type
            (vec![0, 2, 0x85, 0x80, 0x80, 0x80, 0x10], 1002), // length bomb: claims 4 GiB
            (vec![0, 7, 0], 1002),          // unknown sync type
            (vec![0, 2, 3, 0xff, 0xff, 0xff], 1007), // well framed, update garbage
            (
                narada_proto::message::encode_sync_update(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0]),
                1007,
            ), // struct-count bomb
            (
                narada_proto::message::encode_sync_update(&nested_any(10_000)),
                1007,
            ), // deep nesting
        ];
        for (frame, code) in cases {
            let bad = editor(&server, &doc, "eve").await;
            bad.send_raw(frame.clone());
            let seen = bad.wait(|s| s.closed.is_some()).await;
            assert_eq!(
                seen.closed.unwrap().0,
                code,
                "frame {:?}",
                &frame[..frame.len().min(12)]
            );
        }
        let text_frame = editor(&server, &doc, "eve").await;
        text_frame.send_text_frame("hello");
        assert_eq!(
            text_frame
                .wait(|s| s.closed.is_some())
                .await
                .closed
                .unwrap()
                .0,
            1003
        );
        // The good client was never disturbed and the document is intact.
        good.append("!");
        assert!(good.seen().closed.is_none());
        let check = editor(&server, &doc, "check").await;
        check.wait_text("safe!").await;
        server.stop().await.unwrap();
    }
);

/// A v1 update whose single item is an `Any` array nested `depth` deep: one client, one struct
/// (client 1, clock 0), info 8 = ContentAny with no origins so the parent follows as a root name
/// ("t"), one Any value: `depth` times [array tag 117, length 1], then an empty array; then an
/// empty delete set.
fn nested_any(depth: usize) -> Vec<u8> {
    let mut v = vec![1, 1, 1, 0, 8, 1, 1, b't', 1];
    for _ in 0..depth {
        v.extend_from_slice(&[117, 1]);
    }
    v.extend_from_slice(&[117, 0, 0]);
    v
}

both_backends!(
    restart_reloads_everything_and_acks_are_durable,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("restart");
        let mut a =
            Client::connect(&server.sync_url(&doc, &token(&doc, "anna", Role::Editor), true)).await;
        let mut expected = String::new();
        let mut n = 0;
        for i in 0..50 {
            let chunk = format!("{i},");
            expected.push_str(&chunk);
            n = a.append(&chunk);
        }
        let seen = a.wait(|s| s.acked >= n).await;
        // 50 edits plus the step 2 the client sent in answer to the server's step 1.
        assert_eq!(seen.acked, 51);
        server.stop().await.unwrap();
        let server = TestServer::start(&backend).await;
        let b = editor(&server, &doc, "bartek").await;
        b.wait_text(&expected).await;
        server.stop().await.unwrap();
    }
);

both_backends!(compaction_keeps_content, |backend: Backend| async move {
    let mut config = backend.config();
    config.compact_after = 10;
    let server = TestServer::start_with(config.clone()).await;
    let doc = unique_doc("compact");
    let mut a =
        Client::connect(&server.sync_url(&doc, &token(&doc, "anna", Role::Editor), true)).await;
    let mut expected = String::new();
    let mut n = 0;
    for i in 0..45 {
        let chunk = format!("{i} ");
        expected.push_str(&chunk);
        n = a.append(&chunk);
    }
    a.wait(|s| s.acked >= n).await;
    a.close();
    server.stop().await.unwrap();
    // A snapshot was stored and loading snapshot + tail gives the same text.
    let store = narada_store::connect(&backend.url).await.unwrap();
    let id = narada_store::DocId::parse(&doc).unwrap();
    let stored = store.load(&id).await.unwrap();
    let (snap, upto) = stored.snapshot.clone().expect("a snapshot was written");
    assert!(upto >= 10, "snapshot covers {upto}");
    assert!(stored.tail.len() < 45);
    let (state, skipped) =
        narada_proto::DocState::load(Some(&snap), stored.tail.iter().map(|(_, b)| b.as_ref()));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(state.text("content").unwrap(), expected);
    // The log itself is kept in full for history.
    assert_eq!(store.log_range(&id, 1, 1000).await.unwrap().len(), 45);
});

both_backends!(
    a_long_tail_found_at_load_is_compacted,
    |backend: Backend| async move {
        use narada_store::Seq;
        use yrs::{Text, Transact};
        let mut config = backend.config();
        config.compact_after = 10;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("longtail");
        let id = narada_store::DocId::parse(&doc).unwrap();
        // A log of 30 entries and no snapshot, as a crash before any compaction leaves it.
        let store = narada_store::connect(&backend.url).await.unwrap();
        let source = yrs::Doc::with_client_id(7);
        let text = source.get_or_insert_text("content");
        let mut rows = Vec::new();
        for i in 0..30 {
            let mut txn = source.transact_mut();
            text.insert(&mut txn, i, "x");
            rows.push(narada_store::NewUpdate::new(
                id.clone(),
                txn.encode_update_v1().into(),
                narada_store::Author::person("anna"),
            ));
        }
        store.append(&rows).await.unwrap();
        let a = editor(&server, &doc, "anna").await;
        a.wait_text(&"x".repeat(30)).await;
        // Stopping waits for background work, the snapshot written at load included.
        server.stop().await.unwrap();
        let stored = store.load(&id).await.unwrap();
        let (snap, upto) = stored.snapshot.expect("the load stored a snapshot");
        assert!(stored.tail.is_empty(), "{} entries left", stored.tail.len());
        let (state, _) = narada_proto::DocState::load(Some(&snap), []);
        assert_eq!(state.text("content").unwrap(), "x".repeat(30));
        // It covers the whole log, which is kept for history.
        let log = store.log_range(&id, 1, Seq::MAX).await.unwrap();
        assert_eq!(log.len(), 30);
        assert_eq!(upto, log.last().unwrap().seq);
    }
);

both_backends!(
    shutdown_closes_sockets_with_1001,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("shutdown");
        let a = editor(&server, &doc, "anna").await;
        server.stop().await.unwrap();
        assert_eq!(a.wait(|s| s.closed.is_some()).await.closed.unwrap().0, 1001);
    }
);

both_backends!(health_and_metrics, |backend: Backend| async move {
    let server = TestServer::start(&backend).await;
    let doc = unique_doc("metrics");
    let mut a = editor(&server, &doc, "anna").await;
    let n = a.append("x");
    let _ = n;
    let b = editor(&server, &doc, "b").await;
    b.wait_text("x").await;
    let health = http_get(&server, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(backend.kind));
    let metrics = http_get(&server, "/metrics").await;
    assert!(metrics.contains("narada_connections 2"), "{metrics}");
    assert!(metrics.contains("narada_updates_applied_total 1"));
    assert!(metrics.contains("narada_documents_loaded 1"));
    server.stop().await.unwrap();
});

/// Minimal HTTP/1.1 GET (keeps the test free of an HTTP client dependency).
async fn http_get(server: &TestServer, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

both_backends!(
    revocation_closes_live_sockets,
    |backend: Backend| async move {
        use narada_auth::AccessRevoker;
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("revoke");
        let anna = editor(&server, &doc, "anna").await;
        let mut bartek = editor(&server, &doc, "bartek").await;
        // What the accounts service calls when Anna loses access to this document.
        server.state.hub.revoke(&doc, "anna");
        assert_eq!(
            anna.wait(|s| s.closed.is_some()).await.closed.unwrap().0,
            4403
        );
        bartek.append("still here");
        let check = editor(&server, &doc, "check").await;
        check.wait_text("still here").await;
        assert!(bartek.seen().closed.is_none());
        server.state.hub.revoke_user("bartek");
        assert_eq!(
            bartek.wait(|s| s.closed.is_some()).await.closed.unwrap().0,
            4403
        );
        server.stop().await.unwrap();
    }
);

both_backends!(
    document_leaves_memory_after_last_client,
    |backend: Backend| async move {
        use std::sync::atomic::Ordering::Relaxed;
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("unload");
        let mut unloads = server.state.hub.subscribe_unloads();
        let mut a =
            Client::connect(&server.sync_url(&doc, &token(&doc, "anna", Role::Editor), true)).await;
        let n = a.append("kept");
        a.wait(|s| s.acked >= n).await;
        assert_eq!(server.state.metrics.docs_loaded.load(Relaxed), 1);
        a.close();
        let gone = tokio::time::timeout(narada_tests::DEADLINE, unloads.recv())
            .await
            .expect("unloaded in time")
            .unwrap();
        assert_eq!(gone.as_str(), doc);
        assert_eq!(server.state.metrics.docs_loaded.load(Relaxed), 0);
        // Loading it again gives back everything.
        let b =
            Client::connect(&server.sync_url(&doc, &token(&doc, "b", Role::Editor), false)).await;
        b.wait_text("kept").await;
        server.stop().await.unwrap();
    }
);

both_backends!(
    many_clients_join_one_document_at_once,
    |backend: Backend| async move {
        // Everyone who arrives while the document loads waits for the same load: exactly one load,
        // and every client's first sync already has the stored content.
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("stampede");
        let mut a =
            Client::connect(&server.sync_url(&doc, &token(&doc, "a", Role::Editor), true)).await;
        let n = a.append("stored before the stampede");
        a.wait(|s| s.acked >= n).await;
        let mut unloads = server.state.hub.subscribe_unloads();
        a.close();
        tokio::time::timeout(narada_tests::DEADLINE, unloads.recv())
            .await
            .expect("unloaded")
            .unwrap();
        let loads_before = server
            .state
            .metrics
            .doc_loads_total
            .load(std::sync::atomic::Ordering::Relaxed);
        // Twenty people (one person may hold only max_sockets_per_person sockets).
        let urls: Vec<String> = (0..20)
            .map(|i| {
                server.sync_url(
                    &doc,
                    &token(&doc, &format!("many-{i}"), Role::Viewer),
                    false,
                )
            })
            .collect();
        let joins = urls.iter().map(|url| Client::connect(url));
        let clients = futures_util::future::join_all(joins).await;
        for c in &clients {
            assert_eq!(
                c.text(),
                "stored before the stampede",
                "first sync must carry the stored state"
            );
        }
        let loads = server
            .state
            .metrics
            .doc_loads_total
            .load(std::sync::atomic::Ordering::Relaxed)
            - loads_before;
        assert_eq!(loads, 1);
        server.stop().await.unwrap();
    }
);
