//! Clients that take more than their share: another client's awareness id, oversized awareness
//! states. Both backends.

use std::sync::atomic::Ordering::Relaxed;

use narada_auth::Role;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, TestServer};

async fn connect(server: &TestServer, doc: &str, user: &str, role: Role) -> Client {
    Client::connect(&server.sync_url(doc, &token(doc, user, role), false)).await
}

both_backends!(
    a_client_cannot_overwrite_another_clients_presence,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("spoof");
        let mut anna = connect(&server, &doc, "anna", Role::Editor).await;
        let mut bartek = connect(&server, &doc, "bartek", Role::Editor).await;
        let watcher = connect(&server, &doc, "celina", Role::Viewer).await;
        let a = anna.client_id();
        anna.set_awareness(r#"{"user":{"name":"Anna"}}"#);
        watcher.wait(|s| s.awareness.contains_key(&a)).await;

        // Bartek sends Anna's client id with a far higher clock, then his own state: messages
        // are handled in order, so once his own state arrives the forged one would have too.
        bartek.send_awareness_as(a, 1_000, r#"{"user":{"name":"Fałszywa Anna"}}"#);
        bartek.set_awareness(r#"{"user":{"name":"Bartek"}}"#);
        let b = bartek.client_id();
        let seen = watcher.wait(|s| s.awareness.contains_key(&b)).await;
        assert_eq!(seen.awareness[&a], r#"{"user":{"name":"Anna"}}"#);
        // Nor was it kept: a newcomer gets Anna's own state.
        let late = connect(&server, &doc, "dorota", Role::Viewer).await;
        let seen = late.wait(|s| s.awareness.len() == 2).await;
        assert_eq!(seen.awareness[&a], r#"{"user":{"name":"Anna"}}"#);
        assert_eq!(server.state.metrics.awareness_refused.load(Relaxed), 1);

        // Anna's own next update (clock 2, below the forged 1000) still counts.
        anna.set_awareness(r#"{"user":{"name":"Anna N."}}"#);
        watcher
            .wait(|s| s.awareness.get(&a).is_some_and(|j| j.contains("Anna N.")))
            .await;
        // Bartek leaving does not remove Anna.
        bartek.close();
        let seen = watcher.wait(|s| !s.awareness.contains_key(&b)).await;
        assert!(seen.awareness.contains_key(&a));
        server.stop().await.unwrap();
    }
);

both_backends!(
    an_oversized_awareness_state_is_neither_relayed_nor_kept,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.max_awareness_bytes = 1024;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("bigaware");
        let sender = connect(&server, &doc, "anna", Role::Viewer).await;
        let watcher = connect(&server, &doc, "bartek", Role::Viewer).await;
        let big = format!(r#"{{"user":{{"name":"{}"}}}}"#, "x".repeat(2048));
        sender.send_awareness_as(1, 1, &big);
        // Then a small state under another id on the same socket, as the sync point.
        sender.send_awareness_as(2, 1, r#"{"user":{"name":"Anna"}}"#);
        let seen = watcher.wait(|s| s.awareness.contains_key(&2)).await;
        assert!(
            !seen.awareness.contains_key(&1),
            "the big state was relayed"
        );
        let late = connect(&server, &doc, "celina", Role::Viewer).await;
        let seen = late.wait(|s| s.awareness.contains_key(&2)).await;
        assert!(!seen.awareness.contains_key(&1), "the big state was kept");
        assert!(sender.seen().closed.is_none(), "the sender stays connected");
        assert_eq!(server.state.metrics.awareness_refused.load(Relaxed), 1);
        server.stop().await.unwrap();
    }
);
