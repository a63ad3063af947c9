//! Behaviour tests for the `Store` trait, written once and run against both backends.
//!
//! `both_backends!` turns each `cases::*` function into a `#[tokio::test]` on SQLite (a fresh file
//! in a temp folder) and one on Postgres (`NARADA_TEST_POSTGRES_URL`; skipped with a message when
//! unset). Postgres tests share one database and run in parallel, so every test uses random
//! document ids and setting keys.

use std::sync::Arc;

use bytes::Bytes;
use narada_store::{connect, Author, DocId, NewUpdate, Seq, Store};
use tempfile::TempDir;

/// A migrated store plus what is needed to open it again.
struct Harness {
    store: Arc<dyn Store>,
    url: String,
    /// Keeps the SQLite folder alive for the test's duration.
    _dir: Option<TempDir>,
}

impl Harness {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("narada.db").display());
        let store = connect(&url).await.expect("open sqlite");
        Harness {
            store,
            url,
            _dir: Some(dir),
        }
    }

    async fn postgres() -> Option<Self> {
        let Ok(url) = std::env::var("NARADA_TEST_POSTGRES_URL") else {
            // Written to the stderr handle directly (the test harness captures eprintln! of
            // passing tests), once per run, so a skipped backend is visible.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipping on_postgres::* tests: NARADA_TEST_POSTGRES_URL not set"
                );
            });
            return None;
        };
        let store = connect(&url).await.expect("open postgres");
        Some(Harness {
            store,
            url,
            _dir: None,
        })
    }

    /// A second, independent store on the same database (another process, in effect).
    async fn reopen(&self) -> Arc<dyn Store> {
        connect(&self.url).await.expect("reopen")
    }
}

/// A document id no other test (or earlier run against the shared database) uses.
fn fresh_doc(tag: &str) -> DocId {
    DocId::parse(&format!("t-{tag}-{:016x}", rand::random::<u64>())).expect("valid id")
}

fn upd(doc: &DocId, data: &str) -> NewUpdate {
    NewUpdate::new(
        doc.clone(),
        Bytes::copy_from_slice(data.as_bytes()),
        Author::person("tester"),
    )
}

fn tail_of(doc: &narada_store::StoredDoc) -> Vec<(Seq, String)> {
    doc.tail
        .iter()
        .map(|(s, d)| (*s, String::from_utf8_lossy(d).into_owned()))
        .collect()
}

mod cases {
    use super::*;

    pub async fn append_load_round_trip(h: &Harness) {
        let s = &h.store;
        let a = fresh_doc("rt");
        assert_eq!(s.append(&[]).await.unwrap(), Vec::<Seq>::new());
        let seqs = s
            .append(&[upd(&a, "one"), upd(&a, "two"), upd(&a, "three")])
            .await
            .unwrap();
        assert_eq!(seqs, vec![1, 2, 3]);
        let loaded = s.load(&a).await.unwrap();
        assert!(loaded.snapshot.is_none());
        assert_eq!(
            tail_of(&loaded),
            vec![(1, "one".into()), (2, "two".into()), (3, "three".into())]
        );
        assert_eq!(loaded.last_seq(), 3);

        let before_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let log = s.log_range(&a, 2, 3).await.unwrap();
        assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(&log[0].data[..], b"two");
        // Committed a moment ago (allow clock skew between the test and a database server).
        for e in &log {
            assert!((e.created_at_ms - before_ms).abs() < 60_000, "{e:?}");
        }
        assert!(s.log_range(&a, 4, 10).await.unwrap().is_empty());
        s.ping().await.unwrap();
    }

    pub async fn seqs_are_per_doc_gapless_and_in_input_order(h: &Harness) {
        let s = &h.store;
        let (a, b, c) = (fresh_doc("a"), fresh_doc("b"), fresh_doc("c"));
        let seqs = s
            .append(&[
                upd(&b, "b1"),
                upd(&a, "a1"),
                upd(&b, "b2"),
                upd(&c, "c1"),
                upd(&a, "a2"),
                upd(&b, "b3"),
            ])
            .await
            .unwrap();
        assert_eq!(seqs, vec![1, 1, 2, 1, 2, 3]);
        let seqs = s
            .append(&[upd(&c, "c2"), upd(&b, "b4"), upd(&c, "c3")])
            .await
            .unwrap();
        assert_eq!(seqs, vec![2, 4, 3]);
        assert_eq!(
            tail_of(&s.load(&b).await.unwrap()),
            vec![
                (1, "b1".into()),
                (2, "b2".into()),
                (3, "b3".into()),
                (4, "b4".into())
            ]
        );
        assert_eq!(
            tail_of(&s.load(&c).await.unwrap()),
            vec![(1, "c1".into()), (2, "c2".into()), (3, "c3".into())]
        );
    }

    pub async fn load_is_snapshot_plus_tail(h: &Harness) {
        let s = &h.store;
        let a = fresh_doc("snap");
        let batch: Vec<_> = (1..=5).map(|i| upd(&a, &format!("u{i}"))).collect();
        s.append(&batch).await.unwrap();
        s.put_snapshot(&a, 3, Bytes::from_static(b"state@3"))
            .await
            .unwrap();
        let loaded = s.load(&a).await.unwrap();
        assert_eq!(loaded.snapshot, Some((Bytes::from_static(b"state@3"), 3)));
        assert_eq!(tail_of(&loaded), vec![(4, "u4".into()), (5, "u5".into())]);
        assert_eq!(loaded.last_seq(), 5);
        // The log itself is kept in full under the snapshot.
        assert_eq!(s.log_range(&a, 1, 5).await.unwrap().len(), 5);

        // A snapshot covering everything leaves an empty tail.
        s.put_snapshot(&a, 5, Bytes::from_static(b"state@5"))
            .await
            .unwrap();
        let loaded = s.load(&a).await.unwrap();
        assert_eq!(loaded.snapshot, Some((Bytes::from_static(b"state@5"), 5)));
        assert!(loaded.tail.is_empty());
        assert_eq!(loaded.last_seq(), 5);
    }

    pub async fn snapshot_never_goes_backwards(h: &Harness) {
        let s = &h.store;
        let a = fresh_doc("back");
        let batch: Vec<_> = (1..=6).map(|i| upd(&a, &format!("u{i}"))).collect();
        s.append(&batch).await.unwrap();
        s.put_snapshot(&a, 4, Bytes::from_static(b"s4"))
            .await
            .unwrap();
        s.put_snapshot(&a, 2, Bytes::from_static(b"s2"))
            .await
            .unwrap();
        s.put_snapshot(&a, 4, Bytes::from_static(b"s4-again"))
            .await
            .unwrap();
        let loaded = s.load(&a).await.unwrap();
        assert_eq!(loaded.snapshot, Some((Bytes::from_static(b"s4"), 4)));
        assert_eq!(tail_of(&loaded), vec![(5, "u5".into()), (6, "u6".into())]);
        s.put_snapshot(&a, 6, Bytes::from_static(b"s6"))
            .await
            .unwrap();
        assert_eq!(
            s.load(&a).await.unwrap().snapshot,
            Some((Bytes::from_static(b"s6"), 6))
        );
    }

    pub async fn unknown_doc_loads_empty_and_is_not_created(h: &Harness) {
        let s = &h.store;
        let a = fresh_doc("none");
        let loaded = s.load(&a).await.unwrap();
        assert!(loaded.snapshot.is_none());
        assert!(loaded.tail.is_empty());
        assert_eq!(loaded.last_seq(), 0);
        assert!(s.log_range(&a, 0, i64::MAX).await.unwrap().is_empty());
        // Loading did not reserve anything: the first append still gets seq 1.
        assert_eq!(s.append(&[upd(&a, "x")]).await.unwrap(), vec![1]);
    }

    pub async fn settings_put_if_absent_race(h: &Harness) {
        let key = format!("test.key.{:016x}", rand::random::<u64>());
        assert_eq!(h.store.get_setting(&key).await.unwrap(), None);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = h.store.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .put_setting_if_absent(&key, &format!("value-{i}"))
                    .await
                    .unwrap()
            }));
        }
        let mut kept = Vec::new();
        for t in tasks {
            kept.push(t.await.unwrap());
        }
        assert!(kept[0].starts_with("value-"), "{kept:?}");
        assert!(kept.iter().all(|v| *v == kept[0]), "{kept:?}");
        assert_eq!(
            h.store.get_setting(&key).await.unwrap(),
            Some(kept[0].clone())
        );
        // A later caller gets the kept value too, not its own.
        assert_eq!(
            h.store.put_setting_if_absent(&key, "late").await.unwrap(),
            kept[0]
        );
    }

    pub async fn concurrent_appends_get_gapless_unique_seqs(h: &Harness) {
        const TASKS: usize = 12;
        const APPENDS: usize = 15;
        let shared = fresh_doc("hot");
        // Two stores with their own pools: concurrency across "processes", not just connections.
        let stores = [h.store.clone(), h.reopen().await];
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let store = stores[t % 2].clone();
            let shared = shared.clone();
            let own = fresh_doc("own");
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                for i in 0..APPENDS {
                    // Alternate the input order so batches present their docs both ways round.
                    let hot = upd(&shared, &format!("{t}:{i}"));
                    let other = upd(&own, &format!("{t}:{i}"));
                    let batch = if i % 2 == 0 {
                        vec![hot, other]
                    } else {
                        vec![other, hot]
                    };
                    let seqs = store.append(&batch).await.unwrap();
                    let (hot_seq, own_seq) = if i % 2 == 0 {
                        (seqs[0], seqs[1])
                    } else {
                        (seqs[1], seqs[0])
                    };
                    assert_eq!(own_seq, i as Seq + 1, "own doc seqs are gapless");
                    mine.push((hot_seq, format!("{t}:{i}")));
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            let mine = t.await.unwrap();
            // One task's appends commit one after another, so their seqs increase.
            assert!(mine.windows(2).all(|w| w[0].0 < w[1].0), "{mine:?}");
            all.extend(mine);
        }
        all.sort();
        let total = (TASKS * APPENDS) as Seq;
        assert_eq!(
            all.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            (1..=total).collect::<Vec<_>>()
        );
        // What is stored under each seq is what the append that got the seq wrote.
        assert_eq!(tail_of(&h.store.load(&shared).await.unwrap()), all);
    }

    pub async fn concurrent_overlapping_batches_do_not_deadlock(h: &Harness) {
        // Many batches over the same docs in different orders: sorted locking must keep them
        // from deadlocking (Postgres would abort one with a deadlock error).
        let docs: Vec<DocId> = (0..5).map(|_| fresh_doc("ov")).collect();
        let mut tasks = Vec::new();
        for t in 0..10usize {
            let store = h.store.clone();
            let docs = docs.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10usize {
                    let batch: Vec<_> = (0..docs.len())
                        .map(|k| {
                            let d = if (t + i) % 2 == 0 {
                                k
                            } else {
                                docs.len() - 1 - k
                            };
                            upd(&docs[d], &format!("{t}:{i}"))
                        })
                        .collect();
                    store.append(&batch).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        for d in &docs {
            let seqs: Vec<Seq> = h
                .store
                .load(d)
                .await
                .unwrap()
                .tail
                .iter()
                .map(|x| x.0)
                .collect();
            assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
        }
    }

    pub async fn data_survives_reopening(h: &Harness) {
        let a = fresh_doc("reopen");
        let key = format!("test.reopen.{:016x}", rand::random::<u64>());
        h.store
            .append(&[upd(&a, "x1"), upd(&a, "x2"), upd(&a, "x3")])
            .await
            .unwrap();
        h.store
            .put_snapshot(&a, 2, Bytes::from_static(b"s2"))
            .await
            .unwrap();
        h.store.put_setting_if_absent(&key, "kept").await.unwrap();

        let again = h.reopen().await;
        let loaded = again.load(&a).await.unwrap();
        assert_eq!(loaded.snapshot, Some((Bytes::from_static(b"s2"), 2)));
        assert_eq!(tail_of(&loaded), vec![(3, "x3".into())]);
        assert_eq!(
            again.get_setting(&key).await.unwrap().as_deref(),
            Some("kept")
        );
        // Seq allocation continues where it was.
        assert_eq!(again.append(&[upd(&a, "x4")]).await.unwrap(), vec![4]);
        // Migrations are idempotent.
        again.migrate().await.unwrap();
    }
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let h = crate::Harness::sqlite().await;
                    assert_eq!(h.store.kind(), "sqlite");
                    crate::cases::$name(&h).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(h) = crate::Harness::postgres().await else { return };
                    assert_eq!(h.store.kind(), "postgres");
                    crate::cases::$name(&h).await;
                }
            )*
        }
    };
}

both_backends!(
    append_load_round_trip,
    seqs_are_per_doc_gapless_and_in_input_order,
    load_is_snapshot_plus_tail,
    snapshot_never_goes_backwards,
    unknown_doc_loads_empty_and_is_not_created,
    settings_put_if_absent_race,
    concurrent_appends_get_gapless_unique_seqs,
    concurrent_overlapping_batches_do_not_deadlock,
    data_survives_reopening,
);

// SQLite-only: the file, its folder and the URL forms.

#[tokio::test]
async fn sqlite_creates_file_and_missing_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/narada.db");
    assert!(!path.parent().unwrap().exists());
    // `sqlite://` + an absolute path is the `sqlite:///abs` form.
    let store = connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(path.is_file());
    let a = fresh_doc("file");
    store.append(&[upd(&a, "hello")]).await.unwrap();

    // The file is in WAL mode (a property of the file, so it can be checked from outside).
    use sqlx::Connection;
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM updates")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn sqlite_accepts_the_single_colon_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/n.db");
    let store = connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert!(path.is_file());
    store.ping().await.unwrap();
}

#[tokio::test]
async fn sqlite_in_memory_stores_are_private_and_work() {
    let one = connect("sqlite::memory:").await.unwrap();
    let two = connect("sqlite::memory:").await.unwrap();
    let a = DocId::parse("same-name").unwrap();
    assert_eq!(
        one.append(&[upd(&a, "1"), upd(&a, "2")]).await.unwrap(),
        vec![1, 2]
    );
    assert_eq!(two.append(&[upd(&a, "1")]).await.unwrap(), vec![1]);
    assert_eq!(one.load(&a).await.unwrap().tail.len(), 2);
}

#[tokio::test]
async fn unsupported_urls_are_rejected_without_echoing_them() {
    for url in ["mysql://u:secret@h/db", "sqlite:", "file:x.db"] {
        let err = connect(url).await.err().expect("rejected");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

/// A full disk (SQLite's page limit standing in for it) fails the append; once space returns,
/// the next append succeeds on its own, and nothing of the failed one was stored.
#[tokio::test]
async fn sqlite_writes_recover_after_a_full_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("full.db").display());
    let store = narada_store::sqlite::SqliteStore::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    let doc = DocId::parse("pelny-dysk").unwrap();
    let row = |n: usize| {
        let author = narada_store::Author::person("anna");
        NewUpdate::new(doc.clone(), Bytes::from(vec![7u8; n]), author)
    };
    assert_eq!(store.append(&[row(10)]).await.unwrap(), vec![1]);
    store.set_page_limit(Some(0)).await.unwrap();
    for _ in 0..3 {
        let err = store.append(&[row(64 * 1024)]).await.unwrap_err();
        assert!(err.to_string().contains("full"), "{err}");
    }
    store.set_page_limit(None).await.unwrap();
    assert_eq!(store.append(&[row(64 * 1024)]).await.unwrap(), vec![2]);
    let stored = store.load(&doc).await.unwrap();
    assert_eq!(stored.tail.len(), 2);
    // The settings write (one transaction too) is just as recoverable.
    store.set_page_limit(Some(0)).await.unwrap();
    let big = "k".repeat(64 * 1024);
    assert!(store.put_setting_if_absent("big", &big).await.is_err());
    store.set_page_limit(None).await.unwrap();
    assert_eq!(store.put_setting_if_absent("big", &big).await.unwrap(), big);
    store.close().await;
}
