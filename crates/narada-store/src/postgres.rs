//! Postgres backend: production, and the single source of truth when several nodes run.
//!
//! An append is one statement (one round trip, one transaction) whatever the batch size: an
//! `INSERT .. ON CONFLICT DO UPDATE .. RETURNING` over the batch's documents (sorted by id) that
//! reserves a block of seqs per document, feeding an `INSERT .. SELECT FROM UNNEST(..)` of all
//! the rows. The reservation row-locks each document until COMMIT, so two nodes appending to the
//! same document are serialised: seqs are gapless and ordered by commit. Because every batch locks
//! its documents in the same (sorted) order, concurrent batches cannot deadlock.
//!
//! Every connection is opened with `synchronous_commit=on`, whatever the server default, so an
//! acknowledged append is on disk. The URL (which may carry a password) is never logged.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Row;

use super::*;

/// Embedded migrations, `migrations/postgres/*.sql` (hub 0001..0099, accounts 0100+).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Pool size: the hub has one store writer plus loads, snapshots and history reads.
const MAX_CONNECTIONS: u32 = 16;

/// A store in a Postgres database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database named by `url` (`postgres://` or `postgresql://`). Does not run
    /// migrations; call [`Store::migrate`] or use [`crate::connect`].
    pub async fn open(url: &str) -> Result<Self> {
        // The parse error of sqlx does not include the URL, but keep it out of ours regardless.
        let opts = PgConnectOptions::from_str(url)
            .map_err(|_| StoreError::UnsupportedUrl)?
            .application_name("narada")
            .options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for checked-out connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        // sqlx takes an advisory lock, so nodes starting together migrate one at a time.
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn append(&self, updates: &[NewUpdate]) -> Result<Vec<Seq>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        // Updates per document, sorted by id: the lock order shared by all batches.
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for u in updates {
            *counts.entry(u.doc.as_str()).or_default() += 1;
        }
        let ids: Vec<&str> = counts.keys().copied().collect();
        let ns: Vec<i64> = counts.values().copied().collect();
        // Each update's 0-based rank among its document's updates in this batch.
        let mut ranks: BTreeMap<&str, i64> = BTreeMap::new();
        let mut doc_col: Vec<&str> = Vec::with_capacity(updates.len());
        let mut rank_col: Vec<i64> = Vec::with_capacity(updates.len());
        let mut data_col: Vec<&[u8]> = Vec::with_capacity(updates.len());
        let mut kind_col: Vec<&str> = Vec::with_capacity(updates.len());
        let mut person_col: Vec<Option<&str>> = Vec::with_capacity(updates.len());
        // Client-ID claims, stored by the same statement (so with the updates that made them).
        let (mut claim_doc, mut claim_client, mut claim_person) =
            (Vec::new(), Vec::new(), Vec::new());
        for u in updates {
            let r = ranks.entry(u.doc.as_str()).or_default();
            rank_col.push(*r);
            *r += 1;
            doc_col.push(u.doc.as_str());
            data_col.push(u.data.as_ref());
            kind_col.push(u.author.kind.as_str());
            person_col.push(u.author.person.as_deref());
            if let Some(person) = u.author.person.as_deref() {
                for c in &u.claims {
                    claim_doc.push(u.doc.as_str());
                    claim_client.push(*c as i64);
                    claim_person.push(person);
                }
            }
        }

        // One statement, so one round trip and its own (implicit) transaction:
        // - `alloc` reserves a block of seqs per document. New documents start at 1, so they
        //   store next_seq = n + 1; existing ones add n. ORDER BY ord keeps the rows, and so the
        //   row locks, in sorted id order. ON CONFLICT DO UPDATE returns a row for every input.
        // - the main INSERT writes every update at (block start + rank). The foreign key check
        //   runs at the end of the statement and sees the documents `alloc` created.
        let rows = sqlx::query(
            "WITH alloc AS ( \
               INSERT INTO documents AS d (id, next_seq) \
               SELECT id, n + 1 FROM UNNEST($1::text[], $2::bigint[]) \
                 WITH ORDINALITY AS t(id, n, ord) \
               ORDER BY ord \
               ON CONFLICT (id) DO UPDATE \
                 SET next_seq = d.next_seq + (EXCLUDED.next_seq - 1), updated_at = now() \
               RETURNING id, next_seq \
             ), ins AS ( \
               INSERT INTO updates (doc_id, seq, data, created_at_ms, author_kind, person) \
               SELECT u.doc_id, a.next_seq - c.n + u.k, u.data, \
                      (extract(epoch FROM now()) * 1000)::bigint, u.kind, u.person \
               FROM UNNEST($3::text[], $4::bigint[], $5::bytea[], $6::text[], $7::text[]) \
                 AS u(doc_id, k, data, kind, person) \
               JOIN UNNEST($1::text[], $2::bigint[]) AS c(id, n) ON c.id = u.doc_id \
               JOIN alloc a ON a.id = u.doc_id \
             ), claims AS ( \
               INSERT INTO client_owners (doc_id, client_id, person, claimed_at_ms) \
               SELECT doc_id, client_id, person, (extract(epoch FROM now()) * 1000)::bigint \
               FROM UNNEST($8::text[], $9::bigint[], $10::text[]) AS k(doc_id, client_id, person) \
               ON CONFLICT (doc_id, client_id) DO NOTHING \
             ) \
             SELECT id, next_seq FROM alloc",
        )
        .bind(&ids)
        .bind(&ns)
        .bind(&doc_col)
        .bind(&rank_col)
        .bind(&data_col)
        .bind(&kind_col)
        .bind(&person_col)
        .bind(&claim_doc)
        .bind(&claim_client)
        .bind(&claim_person)
        .fetch_all(&self.pool)
        .await?;

        // First seq of each document's block.
        let mut first: BTreeMap<&str, Seq> = BTreeMap::new();
        for row in rows {
            let id: String = row.try_get(0)?;
            let end: i64 = row.try_get(1)?;
            if let Some((k, n)) = counts.get_key_value(id.as_str()) {
                first.insert(*k, end - n);
            }
        }
        doc_col
            .iter()
            .zip(&rank_col)
            .map(|(doc, rank)| {
                first.get(doc).map(|f| f + rank).ok_or_else(|| {
                    // Cannot happen (see above); report it rather than return wrong seqs.
                    StoreError::Database(sqlx::Error::Protocol(
                        "append: no seq block returned for a document".into(),
                    ))
                })
            })
            .collect()
    }

    async fn claim_clients(&self, doc: &DocId, person: &str, clients: &[u64]) -> Result<()> {
        if clients.is_empty() {
            return Ok(());
        }
        let clients: Vec<i64> = clients.iter().map(|c| *c as i64).collect();
        sqlx::query(
            "INSERT INTO client_owners AS o (doc_id, client_id, person, firm, claimed_at_ms) \
             SELECT $1, c, $2, TRUE, (extract(epoch FROM now()) * 1000)::bigint \
             FROM UNNEST($3::bigint[]) AS c \
             ON CONFLICT (doc_id, client_id) DO UPDATE \
             SET person = EXCLUDED.person, firm = TRUE, claimed_at_ms = EXCLUDED.claimed_at_ms \
             WHERE NOT o.firm",
        )
        .bind(doc.as_str())
        .bind(person)
        .bind(&clients)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn load(&self, doc: &DocId) -> Result<StoredDoc> {
        // The log is never deleted and snapshots only move forward, so reading the snapshot and
        // then the entries after it is consistent without a transaction: at worst the tail holds
        // a few entries committed in between, which is still "snapshot + everything after".
        let snapshot = sqlx::query("SELECT data, upto_seq FROM snapshots WHERE doc_id = $1")
            .bind(doc.as_str())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| -> Result<(Bytes, Seq)> {
                let data: Vec<u8> = row.try_get(0)?;
                Ok((Bytes::from(data), row.try_get(1)?))
            })
            .transpose()?;
        let after = snapshot.as_ref().map_or(0, |(_, s)| *s);
        let tail = sqlx::query(
            "SELECT seq, data FROM updates WHERE doc_id = $1 AND seq > $2 ORDER BY seq ASC",
        )
        .bind(doc.as_str())
        .bind(after)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| -> Result<(Seq, Bytes)> {
            let data: Vec<u8> = row.try_get(1)?;
            Ok((row.try_get(0)?, Bytes::from(data)))
        })
        .collect::<Result<Vec<_>>>()?;
        let owners =
            sqlx::query("SELECT client_id, person, firm FROM client_owners WHERE doc_id = $1")
                .bind(doc.as_str())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| -> Result<(u64, Arc<str>, bool)> {
                    let client: i64 = row.try_get(0)?;
                    let person: String = row.try_get(1)?;
                    Ok((client as u64, person.into(), row.try_get(2)?))
                })
                .collect::<Result<Vec<_>>>()?;
        Ok(StoredDoc {
            snapshot,
            tail,
            owners,
        })
    }

    async fn put_snapshot(&self, doc: &DocId, upto: Seq, data: Bytes) -> Result<()> {
        // The WHERE makes a racing older snapshot a no-op instead of a step back.
        sqlx::query(
            "INSERT INTO snapshots AS s (doc_id, upto_seq, data, created_at_ms) \
             VALUES ($1, $2, $3, (extract(epoch FROM now()) * 1000)::bigint) \
             ON CONFLICT (doc_id) DO UPDATE SET upto_seq = EXCLUDED.upto_seq, \
               data = EXCLUDED.data, created_at_ms = EXCLUDED.created_at_ms \
             WHERE EXCLUDED.upto_seq > s.upto_seq",
        )
        .bind(doc.as_str())
        .bind(upto)
        .bind(data.as_ref())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn log_range(&self, doc: &DocId, from: Seq, to: Seq) -> Result<Vec<LogEntry>> {
        sqlx::query(
            "SELECT seq, data, created_at_ms, author_kind, person FROM updates \
             WHERE doc_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq ASC",
        )
        .bind(doc.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| {
            let data: Vec<u8> = row.try_get(1)?;
            let kind: String = row.try_get(3)?;
            let person: Option<String> = row.try_get(4)?;
            Ok(LogEntry {
                seq: row.try_get(0)?,
                data: Bytes::from(data),
                created_at_ms: row.try_get(2)?,
                author: Author::from_stored(&kind, person),
            })
        })
        .collect()
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn put_setting_if_absent(&self, key: &str, value: &str) -> Result<String> {
        // Two statements on purpose: ON CONFLICT DO NOTHING waits for a concurrent inserter of the
        // same key to commit, and the following SELECT (a new snapshot under READ COMMITTED) then
        // sees the winner's value. A single CTE statement would read with the old snapshot.
        let mut conn = self.pool.acquire().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
        let kept: String = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        Ok(kept)
    }
}
