//! Clients that take more than their share: another client's awareness id, oversized awareness
//! states, large messages from read-only clients, many sockets on one person's token. Both
//! backends.

use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;

use narada_auth::Role;
use narada_proto::message;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, RawClient, TestServer};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::encoder::Encode;

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
        // (Every test client announces an empty state on connect, as y-websocket does, so wait
        // for Bartek's named one.)
        let named = |s: &narada_tests::client::Seen| {
            s.awareness.get(&b).is_some_and(|j| j.contains("Bartek"))
        };
        let seen = watcher.wait(named).await;
        assert_eq!(seen.awareness[&a], r#"{"user":{"name":"Anna"}}"#);
        // Nor was it kept: a newcomer gets Anna's own state.
        let late = connect(&server, &doc, "dorota", Role::Viewer).await;
        let seen = late
            .wait(|s| s.awareness.contains_key(&a) && named(s))
            .await;
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

/// A v1 update inserting `len` bytes of text, as a client's offline edits would be.
fn big_update(len: usize) -> Vec<u8> {
    use yrs::{Text, Transact};
    let doc = yrs::Doc::new();
    let text = doc.get_or_insert_text("content");
    let mut txn = doc.transact_mut();
    text.insert(&mut txn, 0, &"d".repeat(len));
    txn.encode_update_v1()
}

/// The close code a raw client gets after sending `frame` as its first message.
async fn close_code_after(
    server: &TestServer,
    doc: &str,
    role: Role,
    frame: Vec<u8>,
) -> Option<u16> {
    let url = server.sync_url(doc, &token(doc, "anna", role), false);
    let mut raw = RawClient::connect(&url).await;
    raw.next_binary().await; // the server's step 1: joined
    raw.send(frame).await;
    raw.drain().await.close_code
}

both_backends!(
    only_a_writers_first_step_2_may_exceed_max_message_bytes,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.max_message_bytes = 4096;
        config.max_sync_bytes = 1 << 20;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("sizes");
        let step2 = message::encode_sync_step2(&big_update(64 * 1024));
        let awareness = {
            let json = format!(r#"{{"user":{{"name":"{}"}}}}"#, "x".repeat(64 * 1024));
            let clients = HashMap::from([(
                yrs::ClientID::new(7),
                AwarenessUpdateEntry {
                    clock: 1,
                    json: json.into(),
                },
            )]);
            message::encode_awareness(&AwarenessUpdate { clients }.encode_v1())
        };
        // Read-only clients: 1009 for anything over max_message_bytes, first message or not.
        for role in [Role::Viewer, Role::Commenter] {
            for frame in [&step2, &awareness] {
                let code = close_code_after(&server, &doc, role, frame.clone()).await;
                assert_eq!(code, Some(1009), "{role:?}, message type {}", frame[0]);
            }
        }
        // A writer: a large awareness message is refused too...
        let code = close_code_after(&server, &doc, Role::Editor, awareness.clone()).await;
        assert_eq!(code, Some(1009));
        // ...and its first step 2 is what the larger allowance is for.
        let watcher = connect(&server, &doc, "bartek", Role::Viewer).await;
        let url = server.sync_url(&doc, &token(&doc, "celina", Role::Editor), false);
        let mut writer = RawClient::connect(&url).await;
        writer.next_binary().await;
        writer.send(step2.clone()).await;
        watcher.wait_text(&"d".repeat(64 * 1024)).await;
        // A second one is an ordinary message again.
        writer.send(step2).await;
        assert_eq!(writer.drain().await.close_code, Some(1009));
        server.stop().await.unwrap();
    }
);

both_backends!(
    sockets_per_person_per_document_are_capped,
    |backend: Backend| async move {
        let mut config = backend.config();
        config.max_sockets_per_person = 3;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("sockets");
        let url =
            |doc: &str, user: &str| server.sync_url(doc, &token(doc, user, Role::Viewer), false);
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut raw = RawClient::connect(&url(&doc, "anna")).await;
            raw.next_binary().await;
            held.push(raw);
        }
        let refused = Client::connect_unsynced(&url(&doc, "anna")).await;
        assert_eq!(refused.err().map(|r| r.status), Some(429));
        // Other people, and the same person on another document, are not affected.
        connect(&server, &doc, "bartek", Role::Viewer).await;
        let other = unique_doc("sockets-other");
        Client::connect(&url(&other, "anna")).await;
        // A closed socket gives its place back (the server has ended the connection by the time
        // the close completes).
        held.pop().unwrap().close().await;
        Client::connect(&url(&doc, "anna")).await;
        server.stop().await.unwrap();
    }
);
