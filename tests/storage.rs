//! Storage that misbehaves: a stored entry that no longer applies. Both backends.

use std::sync::atomic::Ordering::Relaxed;

use narada_auth::Role;
use narada_store::{DocId, NewUpdate, Seq};
use narada_tests::{both_backends, token, unique_doc, Backend, Client, TestServer};
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
