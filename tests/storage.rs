//! Storage that misbehaves: a stored entry that no longer applies; a disk that fills up (commits
//! fail, acks are held, `/healthz` says so, writers are closed past a bound, shutdown says what
//! was not stored) and is freed again (everything recovers by itself). Both backends.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use narada_auth::Role;
use narada_server::persist::Health;
use narada_store::{DocId, NewUpdate, Seq};
use narada_tests::process::http_status;
use narada_tests::{both_backends, token, unique_doc, Backend, Client, FullDisk, TestServer};
use yrs::{Text, Transact};

/// `n` one-character inserts by one client, appended to the end of `text`, as log rows.
fn edits(source: &yrs::Doc, id: &DocId, chars: &str) -> Vec<NewUpdate> {
    let text = source.get_or_insert_text("content");
    chars
        .chars()
        .map(|c| {
            let mut txn = source.transact_mut();
            let end = text.len(&txn);
            text.insert(&mut txn, end, &c.to_string());
            NewUpdate::new(
                id.clone(),
                txn.encode_update_v1().into(),
                narada_store::Author::person("anna"),
            )
        })
        .collect()
}

both_backends!(
    a_bad_log_entry_costs_only_itself_and_is_never_compacted,
    |backend: Backend| async move {
        let mut config = backend.config();
        // Low enough that both the load and every later commit would store a snapshot.
        config.compact_after = 4;
        let server = TestServer::start_with(config).await;
        let doc = unique_doc("badentry");
        let id = DocId::parse(&doc).unwrap();
        let store = narada_store::connect(&backend.url).await.unwrap();
        // Before, the bad entry, after: independent edits of two clients, so "after" does not
        // depend on "before" and everything but the bad entry can apply.
        let before = edits(&yrs::Doc::with_client_id(7), &id, "przed-");
        let after = edits(&yrs::Doc::with_client_id(8), &id, "po");
        store.append(&before).await.unwrap();
        let bad = NewUpdate::new(
            id.clone(),
            vec![0xff, 0xff, 0xff, 0x01].into(),
            narada_store::Author::person("anna"),
        );
        let bad_seq = store.append(&[bad]).await.unwrap()[0];
        store.append(&after).await.unwrap();

        let mut a =
            Client::connect(&server.sync_url(&doc, &token(&doc, "anna", Role::Editor), true)).await;
        let text = a.text();
        assert!(
            text.contains("przed-") && text.contains("po"),
            "content before and after the bad entry is there: {text:?}"
        );
        let metrics = &server.state.metrics;
        assert_eq!(metrics.load_skipped_entries.load(Relaxed), 1);
        assert_eq!(metrics.degraded_loads.load(Relaxed), 1);
        // Edits keep working and are stored; commits past compact_after compact nothing.
        let mut n = 0;
        for c in ["!", "?", ".", ",", ";"] {
            n = a.append(c);
        }
        a.wait(|s| s.acked >= n).await;
        a.close();
        // Stopping waits for background work (a snapshot from the load, compactions).
        server.stop().await.unwrap();

        let stored = store.load(&id).await.unwrap();
        assert!(
            stored.snapshot.is_none(),
            "no snapshot was stored from a degraded load"
        );
        assert!(stored.tail.iter().any(|(seq, _)| *seq == bad_seq));
        // Nor does a compaction of what is stored.
        let offline = narada_server::metrics::Metrics::default();
        assert_eq!(
            narada_server::hub::compact_stored(&*store, &offline, &id).await,
            None
        );
        assert!(store.load(&id).await.unwrap().snapshot.is_none());
        assert_eq!(offline.load_skipped_entries.load(Relaxed), 1);
        let log = store.log_range(&id, 1, Seq::MAX).await.unwrap();
        assert_eq!(log.len(), before.len() + 1 + after.len() + 5);
    }
);

/// An edit big enough to need new pages on SQLite, whatever free room the last page had.
fn big_edit() -> String {
    "x".repeat(64 * 1024)
}

/// Waits until the store writer reports `want`.
async fn health_becomes(server: &TestServer, want: Health) {
    let mut health = server.state.hub.storage.subscribe();
    tokio::time::timeout(narada_tests::DEADLINE, health.wait_for(|h| *h == want))
        .await
        .unwrap_or_else(|_| panic!("storage health did not become {want:?}"))
        .expect("health channel");
}

both_backends!(
    a_full_disk_holds_acks_then_recovers_by_itself,
    |backend: Backend| async move {
        let doc = unique_doc("fulldisk");
        let (store, disk) = FullDisk::open(&backend, &doc).await;
        let server = TestServer::start_with_store(backend.config(), store).await;
        let port = server.addr.port();
        let url = server.sync_url(&doc, &token(&doc, "anna", Role::Editor), true);
        let mut writer = Client::connect(&url).await;
        let n = writer.append("przed ");
        writer.wait(|s| s.acked >= n).await;

        disk.fill().await;
        let held = writer.append(&big_edit());
        health_becomes(&server, Health::Failing).await;
        assert_eq!(http_status(port, "/healthz").await, Some(503));
        assert!(
            writer.seen().acked < held,
            "an edit that is not stored was acked"
        );
        // More edits while it fails: applied and queued, acks held.
        let last = writer.append(" po");
        assert!(writer.seen().closed.is_none());

        disk.free().await;
        // The retries get through on their own: every held edit is acked, health is back.
        writer.wait(|s| s.acked >= last).await;
        health_becomes(&server, Health::Ok).await;
        assert_eq!(http_status(port, "/healthz").await, Some(200));
        let expected = writer.text();
        server.stop().await.unwrap();

        let server = TestServer::start(&backend).await;
        let reader =
            Client::connect(&server.sync_url(&doc, &token(&doc, "b", Role::Viewer), false)).await;
        assert_eq!(reader.text(), expected, "everything acked was stored");
        server.stop().await.unwrap();
    }
);

both_backends!(
    writers_are_closed_and_edits_refused_when_storage_stays_down,
    |backend: Backend| async move {
        let doc = unique_doc("stalled");
        let (store, disk) = FullDisk::open(&backend, &doc).await;
        let mut config = backend.config();
        config.storage_stall_timeout = Duration::from_millis(300);
        let server = TestServer::start_with_store(config, store).await;
        let url = |user: &str, role: Role| server.sync_url(&doc, &token(&doc, user, role), true);
        let mut writer = Client::connect(&url("anna", Role::Editor)).await;
        let viewer = Client::connect(&url("bartek", Role::Viewer)).await;

        disk.fill().await;
        let unstored = writer.append(&big_edit());
        health_becomes(&server, Health::Stalled).await;
        let seen = writer.wait(|s| s.closed.is_some()).await;
        assert_eq!(seen.closed, Some((1013, "storage unavailable".into())));
        assert!(seen.acked < unstored);
        assert!(viewer.seen().closed.is_none(), "readers stay");

        // A writer may connect (and read) but an edit is refused, not applied.
        let mut late = Client::connect(&url("celina", Role::Editor)).await;
        late.append("odrzucona");
        let seen = late.wait(|s| s.closed.is_some()).await;
        assert_eq!(seen.closed, Some((1013, "storage unavailable".into())));
        let live = server
            .state
            .hub
            .loaded(&DocId::parse(&doc).unwrap())
            .unwrap();
        let (state, _) = narada_proto::DocState::load(Some(&live.snapshot()), []);
        assert!(!state.text("content").unwrap().contains("odrzucona"));

        disk.free().await;
        health_becomes(&server, Health::Ok).await;
        // Edits are taken again, and the one applied before the stall was stored meanwhile.
        let mut again = Client::connect(&url("anna", Role::Editor)).await;
        let n = again.append("!");
        again.wait(|s| s.acked >= n).await;
        assert!(again.text().contains(&big_edit()));
        server.stop().await.unwrap();
        let stored = narada_store::connect(&backend.url).await.unwrap();
        let log = stored
            .log_range(&DocId::parse(&doc).unwrap(), 1, Seq::MAX)
            .await
            .unwrap();
        assert!(log.iter().any(|e| e.data.len() > 64 * 1024));
    }
);

both_backends!(
    shutdown_says_whether_a_clients_edits_were_stored,
    |backend: Backend| async move {
        let doc = unique_doc("shutdown-stored");
        let (store, disk) = FullDisk::open(&backend, &doc).await;
        let mut config = backend.config();
        config.shutdown_grace = Duration::from_secs(2);
        let url = |server: &TestServer, user: &str, role: Role| {
            server.sync_url(&doc, &token(&doc, user, role), true)
        };

        // Edits not yet stored when the stop begins, stored during it: acked, then 1001.
        let server = TestServer::start_with_store(config.clone(), store.clone()).await;
        let mut writer = Client::connect(&url(&server, "anna", Role::Editor)).await;
        disk.fill().await;
        let n = writer.append(&big_edit());
        health_becomes(&server, Health::Failing).await;
        let stopping = tokio::spawn(server.stop());
        disk.free().await;
        let seen = writer.wait(|s| s.closed.is_some()).await;
        assert_eq!(seen.closed.map(|c| c.0), Some(1001));
        assert_eq!(seen.acked, n, "1001 came before the edits were stored");
        stopping.await.unwrap().unwrap();

        // Still not stored when the grace period ends: the writer is told so; a reader, who
        // sent nothing, gets 1001.
        let server = TestServer::start_with_store(config, store).await;
        let mut writer = Client::connect(&url(&server, "anna", Role::Editor)).await;
        let reader = Client::connect(&url(&server, "bartek", Role::Viewer)).await;
        disk.fill().await;
        writer.append(&big_edit());
        health_becomes(&server, Health::Failing).await;
        let stopped = server.stop().await;
        assert!(
            stopped.is_err(),
            "the server reports the updates it could not store"
        );
        let seen = writer.wait(|s| s.closed.is_some()).await;
        assert_eq!(
            seen.closed,
            Some((1011, "server shutting down; recent edits not stored".into()))
        );
        let seen = reader.wait(|s| s.closed.is_some()).await;
        assert_eq!(seen.closed.map(|c| c.0), Some(1001));
        disk.free().await;
    }
);
