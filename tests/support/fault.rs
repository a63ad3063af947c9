//! Storage faults on demand: a disk that fills up and is freed again, on either backend.
//!
//! - SQLite: the database's page limit (`SqliteStore::set_page_limit`), so writes fail with the
//!   real `SQLITE_FULL` ("database or disk is full") that a full disk gives.
//! - Postgres: a trigger that fails inserts of one document's updates with SQLSTATE `53100`
//!   (`disk_full`), as a full tablespace would. Only that document is affected, so tests sharing
//!   the database run undisturbed.

use std::sync::Arc;

use narada_store::Store;

use crate::Backend;

pub struct FullDisk {
    inner: Inner,
}

enum Inner {
    Sqlite(Arc<narada_store::sqlite::SqliteStore>),
    Postgres { pool: sqlx::PgPool, doc: String },
}

/// Installed once per database; idempotent, and serialised between tests by an advisory lock.
const INSTALL: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS narada_test_full_disk (doc_id TEXT PRIMARY KEY)",
    "CREATE OR REPLACE FUNCTION narada_test_full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF EXISTS (SELECT 1 FROM narada_test_full_disk WHERE doc_id = NEW.doc_id) THEN
         RAISE EXCEPTION 'could not extend file: No space left on device (test fault)'
           USING ERRCODE = 'disk_full';
       END IF;
       RETURN NEW;
     END $$",
    "CREATE OR REPLACE TRIGGER narada_test_full_disk BEFORE INSERT ON updates
     FOR EACH ROW EXECUTE FUNCTION narada_test_full_disk()",
];

impl FullDisk {
    /// Opens `backend`'s store (migrated) for a server, with the fault ready for `doc`.
    pub async fn open(backend: &Backend, doc: &str) -> (Arc<dyn Store>, FullDisk) {
        if backend.kind == "sqlite" {
            let store = Arc::new(
                narada_store::sqlite::SqliteStore::open(&backend.url)
                    .await
                    .expect("open sqlite"),
            );
            store.migrate().await.expect("migrate");
            let disk = FullDisk {
                inner: Inner::Sqlite(Arc::clone(&store)),
            };
            return (store, disk);
        }
        let store = narada_store::connect(&backend.url)
            .await
            .expect("open postgres");
        let pool = sqlx::PgPool::connect(&backend.url).await.expect("connect");
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("SELECT pg_advisory_xact_lock(7350011)")
            .execute(&mut *tx)
            .await
            .expect("lock");
        for sql in INSTALL {
            sqlx::query(sql)
                .execute(&mut *tx)
                .await
                .expect("install the fault trigger");
        }
        tx.commit().await.expect("commit");
        let disk = FullDisk {
            inner: Inner::Postgres {
                pool,
                doc: doc.to_owned(),
            },
        };
        (store, disk)
    }

    /// From now on, writes that need more room fail.
    pub async fn fill(&self) {
        match &self.inner {
            Inner::Sqlite(store) => store.set_page_limit(Some(0)).await.expect("page limit"),
            Inner::Postgres { pool, doc } => {
                sqlx::query(
                    "INSERT INTO narada_test_full_disk (doc_id) VALUES ($1) ON CONFLICT DO NOTHING",
                )
                .bind(doc)
                .execute(pool)
                .await
                .expect("fill");
            }
        }
    }

    /// Space is back.
    pub async fn free(&self) {
        match &self.inner {
            Inner::Sqlite(store) => store.set_page_limit(None).await.expect("page limit"),
            Inner::Postgres { pool, doc } => {
                sqlx::query("DELETE FROM narada_test_full_disk WHERE doc_id = $1")
                    .bind(doc)
                    .execute(pool)
                    .await
                    .expect("free");
            }
        }
    }
}
