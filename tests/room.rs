//! The document room (issue 17): the authored log, unforgeable attribution by client ID,
//! server-originated edits and the application event channel — on SQLite and Postgres.

use narada_auth::Role;
use narada_store::{AuthorKind, DocId};
use narada_tests::{both_backends, token, unique_doc, Backend, Client, TestServer};
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

fn url(server: &TestServer, doc: &str, user: &str, events: bool) -> String {
    let url = server.sync_url(doc, &token(doc, user, Role::Editor), true);
    if events {
        format!("{url}&events=1")
    } else {
        url
    }
}

/// A Yjs document with a chosen client ID, as a browser tab would have.
fn tab(client: u64) -> Doc {
    Doc::with_client_id(client)
}

/// Text inserted in `doc` locally (not sent); returns the update it made.
fn type_locally(doc: &Doc, at: u32, s: &str) -> Vec<u8> {
    let t = doc.get_or_insert_text("content");
    let mut txn = doc.transact_mut();
    let before = txn.state_vector();
    t.insert(&mut txn, at, s);
    txn.encode_state_as_update_v1(&before)
}

fn apply(doc: &Doc, update: &[u8]) {
    doc.transact_mut()
        .apply_update(Update::decode_v1(update).unwrap())
        .unwrap();
}

fn text_of(doc: &Doc) -> String {
    doc.get_or_insert_text("content")
        .get_string(&doc.transact())
}

async fn stored_authors(server: &TestServer, doc: &str) -> Vec<(AuthorKind, Option<String>)> {
    let id = DocId::parse(doc).unwrap();
    server
        .state
        .hub
        .store()
        .log_range(&id, 1, i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.author.kind, e.author.person.map(|p| p.to_string())))
        .collect()
}

both_backends!(
    every_stored_update_has_its_author,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("authored");
        let mut anna = Client::connect(&url(&server, &doc, "anna", false)).await;
        let mut bartek = Client::connect(&url(&server, &doc, "bartek", false)).await;
        let n = anna.append("Diagnoza. ");
        anna.wait(|s| s.acked >= n).await;
        let n = bartek.append("Cele.");
        bartek.wait(|s| s.acked >= n).await;
        let authors = stored_authors(&server, &doc).await;
        assert!(!authors.is_empty());
        assert!(authors.iter().all(|(k, _)| *k == AuthorKind::Person));
        let people: Vec<&str> = authors.iter().filter_map(|(_, p)| p.as_deref()).collect();
        assert_eq!(people.len(), authors.len(), "every entry names its person");
        assert!(people.contains(&"anna") && people.contains(&"bartek"));
        server.stop().await.unwrap();
    }
);

both_backends!(
    a_client_id_belongs_to_its_first_writer,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("owned");
        // Anna's tab (client 4242) writes first: the ID is hers from now on.
        let mut anna =
            Client::connect_with_doc(&url(&server, &doc, "anna", false), tab(4242)).await;
        let n = anna.append("Diagnoza");
        anna.wait(|s| s.acked >= n).await;

        // Bartek's tab claims the same ID. Nothing he sends under it lands...
        let forged = tab(4242);
        let mut bartek =
            Client::connect_with_doc(&url(&server, &doc, "bartek", true), forged).await;
        let update = type_locally(&bartek.doc, 8, " (sfałszowane)");
        let n = bartek.send_update(&update);
        let seen = bartek.wait(|s| s.acked >= n).await;
        assert!(
            seen.events
                .iter()
                .any(|e| e["type"] == "foreign_structs_refused" && e["clients"][0] == 4242),
            "the sender is told: {:?}",
            seen.events
        );
        // ...while his own edits on the same connection, under his own ID, do.
        let own = tab(77);
        apply(&own, &narada_tests::client::state_of(&anna.doc));
        let update = type_locally(&own, 8, " miasta");
        let n = bartek.send_update(&update);
        bartek.wait(|s| s.acked >= n).await;
        assert!(bartek.seen().closed.is_none(), "the connection stays open");

        let reader = Client::connect(&url(&server, &doc, "celina", false)).await;
        reader.wait_text("Diagnoza miasta").await;
        let live = server
            .state
            .hub
            .loaded(&DocId::parse(&doc).unwrap())
            .unwrap();
        assert_eq!(live.client_owner(4242).as_deref(), Some("anna"));
        assert_eq!(live.client_owner(77).as_deref(), Some("bartek"));
        let refused = server
            .state
            .metrics
            .foreign_structs_refused
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(refused >= 1);
        server.stop().await.unwrap();
    }
);

both_backends!(
    an_edit_the_server_lost_returns_from_its_owner,
    |backend: Backend| async move {
        let doc = unique_doc("lost");
        let anna_tab = tab(1001);
        let bartek_tab = tab(2002);
        {
            let server = TestServer::start(&backend).await;
            let mut anna =
                Client::connect_with_doc(&url(&server, &doc, "anna", false), anna_tab.clone())
                    .await;
            let n = anna.append("Cele: ");
            anna.wait(|s| s.acked >= n).await;
            let bartek =
                Client::connect_with_doc(&url(&server, &doc, "bartek", false), bartek_tab.clone())
                    .await;
            bartek.wait_text("Cele: ").await;
            server.stop().await.unwrap();
        }
        // While the server was away (as when it crashed before storing it), Anna typed more,
        // and Bartek's tab received it from her directly: both tabs now hold her edit.
        let lost = type_locally(&anna_tab, 6, "zieleń");
        apply(&bartek_tab, &lost);
        assert_eq!(text_of(&bartek_tab), "Cele: zieleń");

        // Bartek reconnects first; his sync step 2 carries Anna's edit under her client ID.
        let server = TestServer::start(&backend).await;
        let bartek =
            Client::connect_with_doc(&url(&server, &doc, "bartek", true), bartek_tab).await;
        let seen = bartek
            .wait(|s| {
                s.events
                    .iter()
                    .any(|e| e["type"] == "foreign_structs_refused")
            })
            .await;
        assert!(seen.closed.is_none());
        let probe = Client::connect(&url(&server, &doc, "celina", false)).await;
        assert_eq!(
            probe.text(),
            "Cele: ",
            "nothing of Anna's lands through Bartek"
        );

        // Anna's own tab reconnects: her edit returns, as hers.
        let _anna = Client::connect_with_doc(&url(&server, &doc, "anna", false), anna_tab).await;
        probe.wait_text("Cele: zieleń").await;
        let authors = stored_authors(&server, &doc).await;
        assert!(
            authors.iter().all(|(_, p)| p.as_deref() == Some("anna")),
            "{authors:?}"
        );
        server.stop().await.unwrap();
    }
);

both_backends!(
    a_server_edit_is_relayed_and_stored_before_it_returns,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("serveredit");
        let id = DocId::parse(&doc).unwrap();
        let mut anna = Client::connect(&url(&server, &doc, "anna", true)).await;
        let n = anna.append("Plan");
        anna.wait(|s| s.acked >= n).await;

        let author = narada_store::Author::server(AuthorKind::Restore, Some("moderator-1".into()));
        let seq = server
            .state
            .hub
            .server_edit(&id, author, |state| {
                // Appends to the text as a fresh client of the server's own.
                let scratch = Doc::with_client_id(9_000_001);
                apply(&scratch, &state.diff(&StateVector::default()));
                let t = scratch.get_or_insert_text("content");
                let mut txn = scratch.transact_mut();
                let before = txn.state_vector();
                let len = t.get_string(&txn).len() as u32;
                t.insert(&mut txn, len, " Ulepszeń");
                txn.encode_state_as_update_v1(&before)
            })
            .await
            .expect("server edit")
            .expect("it changed something");
        // Durable when it returned: the entry is in the log, with its author.
        let entries = server
            .state
            .hub
            .store()
            .log_range(&id, seq, seq)
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].author.kind, AuthorKind::Restore);
        assert_eq!(entries[0].author.person.as_deref(), Some("moderator-1"));
        // And the connected client has it, without reconnecting.
        anna.wait_text("Plan Ulepszeń").await;

        // An edit on a document nobody has open loads it, applies, stores, and lets it go.
        let quiet = DocId::parse(&unique_doc("quiet")).unwrap();
        let seq = server
            .state
            .hub
            .server_edit(
                &quiet,
                narada_store::Author::server(AuthorKind::System, None),
                |_| {
                    let scratch = Doc::with_client_id(9_000_002);
                    let t = scratch.get_or_insert_text("content");
                    let mut txn = scratch.transact_mut();
                    t.insert(&mut txn, 0, "Szablon");
                    txn.encode_update_v1()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(seq, 1);
        let reader = Client::connect(&url(&server, quiet.as_str(), "celina", false)).await;
        reader.wait_text("Szablon").await;
        server.stop().await.unwrap();
    }
);

both_backends!(
    events_reach_only_clients_that_asked,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("events");
        let id = DocId::parse(&doc).unwrap();
        let modern = Client::connect(&url(&server, &doc, "anna", true)).await;
        let stock = Client::connect(&url(&server, &doc, "bartek", false)).await;
        server.state.hub.emit_event(
            &id,
            &serde_json::json!({"type": "version_created", "id": 7}),
        );
        let seen = modern.wait(|s| !s.events.is_empty()).await;
        assert_eq!(seen.events[0]["type"], "version_created");
        // A stock client gets nothing it does not understand; prove the event had time to
        // reach it by sending it something after and seeing that arrive first.
        let mut anna = modern;
        let n = anna.append("x");
        anna.wait(|s| s.acked >= n).await;
        stock.wait_text("x").await;
        assert!(stock.seen().events.is_empty());
        server.stop().await.unwrap();
    }
);

both_backends!(
    unknown_message_types_are_ignored,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("unknown");
        let mut c = Client::connect(&url(&server, &doc, "anna", false)).await;
        // Type 42 with a body, and a client event (type 101): neither closes the socket.
        c.send_raw(vec![42, 1, 2, 3]);
        c.send_raw(narada_proto::message::encode_event(br#"{"type":"hello"}"#));
        let n = c.append("still here");
        c.wait(|s| s.acked >= n).await;
        assert!(c.seen().closed.is_none());
        server.stop().await.unwrap();
    }
);

both_backends!(
    a_client_announcing_its_id_takes_it_back_from_a_relayer,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let doc = unique_doc("announce");
        // A crash lost Anna's edit *and* her claim: the server has never heard of client 1001.
        // Bartek's tab holds her edit and syncs first, so the ID is provisionally his.
        let anna_tab = tab(1001);
        let lost = type_locally(&anna_tab, 0, "Monitorowanie");
        let bartek_tab = tab(2002);
        apply(&bartek_tab, &lost);
        let _bartek =
            Client::connect_with_doc(&url(&server, &doc, "bartek", false), bartek_tab).await;
        let probe = Client::connect(&url(&server, &doc, "celina", false)).await;
        probe.wait_text("Monitorowanie").await;
        // Anna's own tab connects and announces 1001 in its presence: it is hers again, so
        // what she types next under it lands.
        let mut anna = Client::connect_with_doc(&url(&server, &doc, "anna", false), anna_tab).await;
        let n = anna.append(" i ewaluacja");
        anna.wait(|s| s.acked >= n).await;
        probe.wait_text("Monitorowanie i ewaluacja").await;
        let live = server
            .state
            .hub
            .loaded(&DocId::parse(&doc).unwrap())
            .unwrap();
        assert_eq!(live.client_owner(1001).as_deref(), Some("anna"));
        server.stop().await.unwrap();
        // The transfer is stored: after a restart the ID is still hers.
        let server = TestServer::start(&backend).await;
        let _reader = Client::connect(&url(&server, &doc, "dorota", false)).await;
        let live = server
            .state
            .hub
            .loaded(&DocId::parse(&doc).unwrap())
            .unwrap();
        assert_eq!(live.client_owner(1001).as_deref(), Some("anna"));
        server.stop().await.unwrap();
    }
);
