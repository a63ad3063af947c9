//! SQLite backend: the embedded default (`sqlite://data/narada.db`).
//!
//! SQLite allows one writer at a time, so every write goes through a pool of exactly one
//! connection: writes queue in the pool instead of failing with `SQLITE_BUSY`, and each write
//! transaction starts with `BEGIN IMMEDIATE` so that even another process on the same file makes it
//! wait (busy_timeout) at the start rather than fail half way. Reads use a separate small pool;
//! WAL mode lets them run while a write is in progress.
//!
//! An append is one transaction of a few multi-row statements (64 rows each): upserts of the
//! batch's documents that reserve a block of seqs per document (`RETURNING next_seq`), then the
//! log rows. Statement texts come in a handful of fixed sizes, so they stay prepared.
//!
//! Durability: WAL with `synchronous=FULL` fsyncs the log on every commit, so an acknowledged
//! append survives `kill -9` and power loss.
//!
//! Accepted URLs: `sqlite://relative/path.db`, `sqlite:relative/path.db`, `sqlite:///abs/path.db`
//! and `sqlite::memory:` (one private in-memory database per store, for tests). A `?query` part is
//! ignored. The file and its parent folder are created when missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row, Sqlite, SqliteConnection};

use super::*;

/// Embedded migrations, `migrations/sqlite/*.sql` (hub 0001..0099, accounts 0100+).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a statement waits for another process's lock on the file before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Reader connections; the machine class this runs on is small and reads are short.
const READERS: u32 = 4;

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Exactly one connection: all writes are serialised here.
    writer: SqlitePool,
    /// Connections for reads (the same pool as `writer` for in-memory databases, whose contents
    /// exist only inside their connection).
    reader: SqlitePool,
    /// `max_page_count` for writer connections, 0 when not capped (see
    /// [`SqliteStore::set_page_limit`]). Shared with the pool's connect hook.
    page_limit: Arc<AtomicU32>,
    /// Whether a writer connection is closed after a failed write (not for in-memory
    /// databases, which would vanish with their only connection).
    renew_after_failure: bool,
}

/// Where a SQLite URL points.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Memory,
    File(PathBuf),
}

/// Parses the accepted URL forms (see the module doc). Never echoes the URL in errors.
fn parse_url(url: &str) -> Result<Target> {
    let rest = url
        .strip_prefix("sqlite:")
        .ok_or(StoreError::UnsupportedUrl)?;
    // Options in a query string are not supported; the pragmas are fixed by this backend.
    let rest = rest.split('?').next().unwrap_or_default();
    if rest == ":memory:" || rest == "//:memory:" {
        return Ok(Target::Memory);
    }
    // `sqlite://data/x.db` -> `data/x.db`; `sqlite:///abs/x.db` -> `/abs/x.db`.
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(StoreError::UnsupportedUrl);
    }
    Ok(Target::File(PathBuf::from(path)))
}

/// Rows per multi-row INSERT: 64 x 4 parameters stays far below SQLite's variable limit.
const CHUNK: usize = 64;

/// Splits `items` into chunks of `CHUNK` and then power-of-two sizes for the rest, so a batch
/// of any size is a few multi-row statements drawn from at most 7 distinct SQL texts (each
/// prepared once per connection and cached by sqlx).
fn chunks<T>(mut items: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut size = CHUNK;
    while !items.is_empty() {
        while size > items.len() {
            size /= 2;
        }
        let (head, rest) = items.split_at(size);
        out.push(head);
        items = rest;
    }
    out
}

/// `n` copies of `group` joined by commas: the VALUES list of a multi-row INSERT.
fn placeholders(n: usize, group: &str) -> String {
    vec![group; n].join(", ")
}

/// Inserts provisional client-ID claims, keeping any owner an ID already has. Client IDs are at most 53 bits
/// in Yjs (32 in practice), so they fit SQLite's signed 64-bit integers unchanged.
async fn insert_claims(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rows: &[(&str, u64, &str)],
    now: i64,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO client_owners (doc_id, client_id, person, claimed_at_ms) VALUES {} \
         ON CONFLICT (doc_id, client_id) DO NOTHING",
        placeholders(rows.len(), "(?, ?, ?, ?)")
    );
    let mut q = sqlx::query(&sql);
    for (doc, client, person) in rows {
        q = q.bind(*doc).bind(*client as i64).bind(*person).bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl SqliteStore {
    /// Opens (creating when missing) the database named by `url`. Does not run migrations; call
    /// [`Store::migrate`] or use [`crate::connect`].
    pub async fn open(url: &str) -> Result<Self> {
        match parse_url(url)? {
            Target::Memory => Self::open_memory().await,
            Target::File(path) => Self::open_file(&path).await,
        }
    }

    async fn open_memory() -> Result<Self> {
        // sqlx gives each parsed `sqlite::memory:` a unique shared-cache name, so all
        // connections of this pool see the same database and other stores see their own.
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // One connection kept forever: the database vanishes when its last connection closes.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await?;
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
            page_limit: Arc::default(),
            renew_after_failure: false,
        })
    }

    async fn open_file(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let page_limit = Arc::new(AtomicU32::new(0));
        let limit = Arc::clone(&page_limit);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .after_connect(move |conn, _| {
                let pages = limit.load(Ordering::Relaxed);
                Box::pin(async move {
                    if pages > 0 {
                        set_max_page_count(conn, pages).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts.clone())
            .await?;
        // A larger row channel than sqlx's default (50) lets the connection's worker thread
        // stream a long tail without stalling on every few rows: ~2x faster 10k-row loads.
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(opts.row_buffer_size(1024))
            .await?;
        tracing::debug!(path = %path.display(), "opened sqlite store");
        Ok(Self {
            writer,
            reader,
            page_limit,
            renew_after_failure: true,
        })
    }

    /// Caps the database at its current size plus `extra` pages (SQLite's `max_page_count`, on
    /// the writer connection and every one opened after it), or lifts the cap (`None`). Writes
    /// that need more pages then fail with `database or disk is full`, exactly as on a full
    /// disk: tests use this to fill the "disk" and free it again.
    pub async fn set_page_limit(&self, extra: Option<u32>) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let pages = match extra {
            Some(extra) => {
                let count: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(&mut *conn)
                    .await?;
                u32::try_from(count)
                    .unwrap_or(u32::MAX)
                    .saturating_add(extra)
                    .max(1)
            }
            None => 0,
        };
        self.page_limit.store(pages, Ordering::Relaxed);
        set_max_page_count(&mut conn, pages).await?;
        Ok(())
    }

    /// Passes a write's result on, closing the writer connection instead of returning it to
    /// the pool when the write failed. After some failures (`SQLITE_FULL`, I/O errors) SQLite
    /// has already rolled the transaction back by itself, but sqlx still counts it as open: its
    /// ROLLBACK then fails, and every later `BEGIN` on that connection is refused ("attempted to
    /// call begin_with at non-zero transaction depth") for the life of the process. A fresh
    /// connection (the pool opens one on the next acquire) starts clean, so writes recover once
    /// the cause is gone.
    fn renew_on_error<T>(&self, conn: &mut PoolConnection<Sqlite>, result: Result<T>) -> Result<T> {
        if result.is_err() && self.renew_after_failure {
            conn.close_on_drop();
        }
        result
    }

    /// Closes both pools, waiting for checked-out connections (tests use this before reopening).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn append(&self, updates: &[NewUpdate]) -> Result<Vec<Seq>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        // How many updates each document gets; BTreeMap = sorted ids, the same lock order as the
        // Postgres backend (harmless here, where the single writer already serialises).
        let mut counts: BTreeMap<&DocId, i64> = BTreeMap::new();
        for u in updates {
            *counts.entry(&u.doc).or_default() += 1;
        }
        let mut conn = self.writer.acquire().await?;
        let result = append_on(&mut conn, counts, updates).await;
        self.renew_on_error(&mut conn, result)
    }

    async fn claim_clients(&self, doc: &DocId, person: &str, clients: &[u64]) -> Result<()> {
        if clients.is_empty() {
            return Ok(());
        }
        let rows: Vec<(&str, u64, &str)> =
            clients.iter().map(|c| (doc.as_str(), *c, person)).collect();
        let mut conn = self.writer.acquire().await?;
        let result = async {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            for chunk in chunks(&rows) {
                let sql = format!(
                    "INSERT INTO client_owners (doc_id, client_id, person, firm, claimed_at_ms) \
                     VALUES {} ON CONFLICT (doc_id, client_id) DO UPDATE \
                     SET person = excluded.person, firm = 1, claimed_at_ms = excluded.claimed_at_ms \
                     WHERE client_owners.firm = 0",
                    placeholders(chunk.len(), "(?, ?, ?, 1, ?)")
                );
                let mut q = sqlx::query(&sql);
                for (doc, client, person) in chunk {
                    q = q
                        .bind(*doc)
                        .bind(*client as i64)
                        .bind(*person)
                        .bind(now_ms());
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        self.renew_on_error(&mut conn, result)
    }

    async fn load(&self, doc: &DocId) -> Result<StoredDoc> {
        // The log is never deleted and snapshots only move forward, so reading the snapshot and
        // then the entries after it is consistent without a transaction: at worst the tail holds
        // a few entries committed in between, which is still "snapshot + everything after".
        let snapshot = sqlx::query("SELECT data, upto_seq FROM snapshots WHERE doc_id = ?1")
            .bind(doc.as_str())
            .fetch_optional(&self.reader)
            .await?
            .map(|row| -> Result<(Bytes, Seq)> {
                let data: Vec<u8> = row.try_get(0)?;
                Ok((Bytes::from(data), row.try_get(1)?))
            })
            .transpose()?;
        let after = snapshot.as_ref().map_or(0, |(_, s)| *s);
        let tail = sqlx::query(
            "SELECT seq, data FROM updates WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq ASC",
        )
        .bind(doc.as_str())
        .bind(after)
        .fetch_all(&self.reader)
        .await?
        .into_iter()
        .map(|row| -> Result<(Seq, Bytes)> {
            let data: Vec<u8> = row.try_get(1)?;
            Ok((row.try_get(0)?, Bytes::from(data)))
        })
        .collect::<Result<Vec<_>>>()?;
        let owners =
            sqlx::query("SELECT client_id, person, firm FROM client_owners WHERE doc_id = ?1")
                .bind(doc.as_str())
                .fetch_all(&self.reader)
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
        sqlx::query(
            "INSERT INTO snapshots (doc_id, upto_seq, data, created_at_ms) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (doc_id) DO UPDATE SET upto_seq = excluded.upto_seq, \
               data = excluded.data, created_at_ms = excluded.created_at_ms \
             WHERE excluded.upto_seq > snapshots.upto_seq",
        )
        .bind(doc.as_str())
        .bind(upto)
        .bind(data.as_ref())
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn log_range(&self, doc: &DocId, from: Seq, to: Seq) -> Result<Vec<LogEntry>> {
        sqlx::query(
            "SELECT seq, data, created_at_ms, author_kind, person FROM updates \
             WHERE doc_id = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq ASC",
        )
        .bind(doc.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
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
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn put_setting_if_absent(&self, key: &str, value: &str) -> Result<String> {
        // Insert and read back in one write transaction on the single writer, so they cannot
        // interleave with another caller's; BEGIN IMMEDIATE also covers other processes.
        let mut conn = self.writer.acquire().await?;
        let result = async {
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            let kept: String = sqlx::query("SELECT value FROM settings WHERE key = ?1")
                .bind(key)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            tx.commit().await?;
            Ok(kept)
        }
        .await;
        self.renew_on_error(&mut conn, result)
    }
}

/// The body of [`Store::append`] on the writer connection: one `BEGIN IMMEDIATE` transaction.
async fn append_on(
    conn: &mut SqliteConnection,
    counts: BTreeMap<&DocId, i64>,
    updates: &[NewUpdate],
) -> Result<Vec<Seq>> {
    let now = now_ms();
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;

    // Reserve a block of seqs per document. New documents start at 1, so they store
    // next_seq = n + 1; existing ones add n. `first` = first seq of each block.
    let counted: Vec<(&DocId, i64)> = counts.into_iter().collect();
    let mut first: BTreeMap<&str, Seq> = BTreeMap::new();
    for chunk in chunks(&counted) {
        let sql = format!(
            "INSERT INTO documents (id, next_seq) VALUES {} \
             ON CONFLICT (id) DO UPDATE SET next_seq = next_seq + excluded.next_seq - 1, \
               updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             RETURNING id, next_seq",
            placeholders(chunk.len(), "(?, ? + 1)")
        );
        let mut q = sqlx::query(&sql);
        for (doc, n) in chunk {
            q = q.bind(doc.as_str()).bind(*n);
        }
        for row in q.fetch_all(&mut *tx).await? {
            let id: String = row.try_get(0)?;
            let end: i64 = row.try_get(1)?;
            if let Some((doc, n)) = chunk.iter().find(|(d, _)| d.as_str() == id) {
                first.insert(doc.as_str(), end - n);
            }
        }
    }

    let mut seqs = Vec::with_capacity(updates.len());
    for u in updates {
        let slot = first.get_mut(u.doc.as_str()).ok_or_else(|| {
            // Cannot happen (upsert RETURNING yields every row); fail rather than guess.
            sqlx::Error::Protocol("append: no seq block returned for a document".into())
        })?;
        seqs.push(*slot);
        *slot += 1;
    }
    let rows: Vec<(&NewUpdate, Seq)> = updates.iter().zip(seqs.iter().copied()).collect();
    for chunk in chunks(&rows) {
        let sql = format!(
            "INSERT INTO updates (doc_id, seq, data, created_at_ms, author_kind, person) \
             VALUES {}",
            placeholders(chunk.len(), "(?, ?, ?, ?, ?, ?)")
        );
        let mut q = sqlx::query(&sql);
        for (u, seq) in chunk {
            q = q
                .bind(u.doc.as_str())
                .bind(*seq)
                .bind(u.data.as_ref())
                .bind(now)
                .bind(u.author.kind.as_str())
                .bind(u.author.person.as_deref());
        }
        q.execute(&mut *tx).await?;
    }
    // Client-ID claims ride in the same transaction as the updates that made them.
    let claims: Vec<(&str, u64, &str)> = updates
        .iter()
        .filter_map(|u| Some((u, u.author.person.as_deref()?)))
        .flat_map(|(u, p)| u.claims.iter().map(move |c| (u.doc.as_str(), *c, p)))
        .collect();
    for chunk in chunks(&claims) {
        insert_claims(&mut tx, chunk, now).await?;
    }
    tx.commit().await?;
    Ok(seqs)
}

/// `PRAGMA max_page_count` (0: SQLite's largest, i.e. uncapped). SQLite never sets it below the
/// database's current size.
async fn set_max_page_count(conn: &mut SqliteConnection, pages: u32) -> sqlx::Result<()> {
    let pages = if pages == 0 { 0xFFFF_FFFE } else { pages };
    sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_has_the_durability_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&format!("sqlite://{}/p.db", dir.path().display()))
            .await
            .unwrap();
        for pool in [&store.writer, &store.reader] {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            for (pragma, want) in [
                // 2 = FULL: the WAL is fsynced at every commit.
                ("PRAGMA synchronous", 2),
                ("PRAGMA foreign_keys", 1),
                ("PRAGMA busy_timeout", 10_000),
            ] {
                let got: i64 = sqlx::query_scalar(pragma).fetch_one(pool).await.unwrap();
                assert_eq!(got, want, "{pragma}");
            }
        }
        store.close().await;
    }

    #[test]
    fn chunks_cover_everything_in_few_shapes() {
        for n in 0..300 {
            let items: Vec<usize> = (0..n).collect();
            let parts = chunks(&items);
            assert_eq!(parts.concat(), items);
            assert!(parts
                .iter()
                .all(|p| p.len().is_power_of_two() && p.len() <= CHUNK));
        }
        assert_eq!(placeholders(2, "(?)"), "(?), (?)");
    }

    #[test]
    fn url_forms() {
        let file = |p: &str| Ok::<_, ()>(Target::File(PathBuf::from(p)));
        let parse = |u: &str| parse_url(u).map_err(|_| ());
        assert_eq!(parse("sqlite://data/narada.db"), file("data/narada.db"));
        assert_eq!(parse("sqlite:data/narada.db"), file("data/narada.db"));
        assert_eq!(parse("sqlite:///var/lib/n.db"), file("/var/lib/n.db"));
        assert_eq!(parse("sqlite://n.db?mode=rwc"), file("n.db"));
        assert_eq!(parse("sqlite::memory:"), Ok(Target::Memory));
        assert_eq!(parse("sqlite://:memory:"), Ok(Target::Memory));
        assert!(parse("sqlite://").is_err());
        assert!(parse("sqlite:").is_err());
        assert!(parse("postgres://x").is_err());
    }
}
