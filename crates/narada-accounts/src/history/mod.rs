//! Version history (issue 10): stored versions, automatic ones, and the authored log read back.
//!
//! A **version** is the whole document at one position of its log (one Yjs v1 update), with a
//! reason, a name, who asked for it and whose edits it holds. The live document keeps garbage
//! collection on, so history is never kept as tombstones: it is these states plus the authored
//! log, which is never truncated (`narada-store`).
//!
//! States are built from what is **stored** (the latest snapshot plus the log after it), never
//! from a hub's memory, so a version's `upto_seq` is exactly what its state contains, on every
//! node.
//!
//! **Automatic versions** are decided by a periodic sweep over the database ([`auto_sweep`]),
//! not by a timer per open document: the log rows carry their commit time, so the sweep needs no
//! state of its own, survives restarts, sees edits made on every node, and covers documents that
//! left memory the moment their last editor closed the tab. Several nodes sweeping at once
//! cannot store the same automatic version twice (a unique index on `(doc_id, upto_seq)` for
//! `auto`). A document gets one when a burst of editing ends ([`AUTO_IDLE_MS`] without an edit)
//! and at least every [`AUTO_MAX_SPAN_MS`] while editing goes on.

pub mod attribution;
pub mod restore;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use narada_proto::DocState;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::error::{AccountsError, Result};

/// A burst of editing has ended when nobody edited for this long.
pub const AUTO_IDLE_MS: i64 = 2 * 60_000;
/// While editing goes on, an automatic version at least this often.
pub const AUTO_MAX_SPAN_MS: i64 = 10 * 60_000;
/// How often the sweep runs (well under [`AUTO_IDLE_MS`], so a version follows a burst soon).
pub const AUTO_SWEEP_EVERY: Duration = Duration::from_secs(30);
/// How far back the sweep looks for edits: covers a node that was down for up to this long.
const AUTO_LOOKBACK_MS: i64 = 60 * 60_000;
/// Longest name of a version.
pub const MAX_NAME_CHARS: usize = 120;

/// Why a version was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reason {
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "named")]
    Named,
    #[serde(rename = "before-restore")]
    BeforeRestore,
    #[serde(rename = "import")]
    Import,
    #[serde(rename = "workshop")]
    Workshop,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Auto => "auto",
            Reason::Named => "named",
            Reason::BeforeRestore => "before-restore",
            Reason::Import => "import",
            Reason::Workshop => "workshop",
        }
    }
}

/// A stored version without its state.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: i64,
    pub doc_id: String,
    pub upto_seq: i64,
    pub name: Option<String>,
    pub reason: String,
    pub created_at: i64,
    pub created_by: Option<i64>,
    /// Token subjects of the people whose edits are in it (since the previous version).
    pub authors: Vec<String>,
    pub bytes: i64,
}

impl Version {
    /// Named versions are for everyone who reads the document; the rest for editors up.
    pub fn is_named(&self) -> bool {
        self.reason == Reason::Named.as_str()
    }
}

const VERSION_COLUMNS: &str =
    "id, doc_id, upto_seq, name, reason, created_at, created_by, authors, bytes";

fn version_from(row: &sqlx::any::AnyRow) -> Result<Version> {
    let authors: String = row.try_get("authors")?;
    Ok(Version {
        id: row.try_get("id")?,
        doc_id: row.try_get("doc_id")?,
        upto_seq: row.try_get("upto_seq")?,
        name: row.try_get("name")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        authors: serde_json::from_str(&authors).unwrap_or_default(),
        bytes: row.try_get("bytes")?,
    })
}

/// The document as stored now: its full state as one v1 update and the last log seq in it.
pub async fn stored_state(db: &Db, doc: &str) -> Result<(Vec<u8>, i64)> {
    let snapshot = sqlx::query("SELECT upto_seq, data FROM snapshots WHERE doc_id = $1")
        .bind(doc)
        .fetch_optional(db.pool())
        .await?;
    let (snapshot, from): (Option<Vec<u8>>, i64) = match snapshot {
        Some(row) => (Some(row.try_get("data")?), row.try_get("upto_seq")?),
        None => (None, 0),
    };
    let tail: Vec<(i64, Vec<u8>)> =
        sqlx::query("SELECT seq, data FROM updates WHERE doc_id = $1 AND seq > $2 ORDER BY seq")
            .bind(doc)
            .bind(from)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("data")?)))
            .collect::<Result<_>>()?;
    let upto = tail.last().map_or(from, |(s, _)| *s);
    // Applying a tail is CPU work; keep it off the async workers.
    let state = tokio::task::spawn_blocking(move || {
        let (state, _skipped) =
            DocState::load(snapshot.as_deref(), tail.iter().map(|(_, b)| b.as_slice()));
        state.snapshot()
    })
    .await
    .map_err(|e| AccountsError::Internal(e.to_string()))?;
    Ok((state, upto))
}

/// Stores a version of `doc` as it is stored now. `None` when an automatic version of that
/// same log position exists already (another node's sweep got there first).
pub async fn create(
    db: &Db,
    doc: &str,
    reason: Reason,
    name: Option<&str>,
    created_by: Option<i64>,
    now_ms: i64,
) -> Result<Option<Version>> {
    let (state, upto) = stored_state(db, doc).await?;
    let prev: Option<i64> =
        sqlx::query("SELECT MAX(upto_seq) AS m FROM versions WHERE doc_id = $1")
            .bind(doc)
            .fetch_one(db.pool())
            .await?
            .try_get("m")?;
    let authors: Vec<String> = sqlx::query(
        "SELECT DISTINCT person FROM updates \
         WHERE doc_id = $1 AND seq > $2 AND seq <= $3 AND person IS NOT NULL ORDER BY person",
    )
    .bind(doc)
    .bind(prev.unwrap_or(0).min(upto))
    .bind(upto)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.try_get("person"))
    .collect::<std::result::Result<_, _>>()?;
    let authors_json = serde_json::to_string(&authors).unwrap_or_else(|_| "[]".into());
    let bytes = state.len() as i64;
    let row = sqlx::query(&format!(
        "INSERT INTO versions (doc_id, upto_seq, name, reason, created_at, created_by, authors, bytes, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING {VERSION_COLUMNS}"
    ))
    .bind(doc)
    .bind(upto)
    .bind(name)
    .bind(reason.as_str())
    .bind(now_ms)
    .bind(created_by)
    .bind(authors_json)
    .bind(bytes)
    .bind(state)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(version_from).transpose()
}

/// Every version of `doc`, newest first.
pub async fn list(conn: &mut AnyConnection, doc: &str) -> Result<Vec<Version>> {
    sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS} FROM versions WHERE doc_id = $1 ORDER BY id DESC"
    ))
    .bind(doc)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(version_from)
    .collect()
}

/// One version of `doc` and its state.
pub async fn get(conn: &mut AnyConnection, doc: &str, id: i64) -> Result<(Version, Vec<u8>)> {
    let row = sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS}, state FROM versions WHERE doc_id = $1 AND id = $2"
    ))
    .bind(doc)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountsError::NotFound("version"))?;
    Ok((version_from(&row)?, row.try_get("state")?))
}

/// One entry of the authored log.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub seq: i64,
    pub data: Vec<u8>,
    pub created_at_ms: i64,
    pub author_kind: String,
    pub person: Option<String>,
}

/// Log entries with `after < seq <= upto`, ascending, at most `limit`.
pub async fn log(db: &Db, doc: &str, after: i64, upto: i64, limit: i64) -> Result<Vec<LogRow>> {
    sqlx::query(
        "SELECT seq, data, created_at_ms, author_kind, person FROM updates \
         WHERE doc_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
    )
    .bind(doc)
    .bind(after)
    .bind(upto)
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(LogRow {
            seq: r.try_get("seq")?,
            data: r.try_get("data")?,
            created_at_ms: r.try_get("created_at_ms")?,
            author_kind: r.try_get("author_kind")?,
            person: r.try_get("person")?,
        })
    })
    .collect()
}

/// Names people by their token subjects (a person's id as text). A subject that is no account
/// (a development token's name) is shown as itself, with no id.
pub async fn people(
    conn: &mut AnyConnection,
    subjects: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, Value>> {
    let subjects: BTreeSet<String> = subjects.into_iter().collect();
    let mut out = HashMap::new();
    for s in subjects {
        let name: Option<String> = match s.parse::<i64>() {
            Ok(id) => sqlx::query("SELECT name FROM people WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get("name"))
                .transpose()?,
            Err(_) => None,
        };
        let v = match name {
            Some(name) => json!({ "id": s.parse::<i64>().ok(), "name": name }),
            None => json!({ "id": null, "name": s }),
        };
        out.insert(s, v);
    }
    Ok(out)
}

/// Who changed `doc` last and when, from the last entry of its authored log:
/// `{"at", "by": {"id", "name"} | null, "kind"}`, or null when it was never edited.
pub async fn last_change(conn: &mut AnyConnection, doc: &str) -> Result<Value> {
    let row = sqlx::query(
        "SELECT created_at_ms, author_kind, person FROM updates \
         WHERE doc_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(doc)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Value::Null);
    };
    let at: i64 = row.try_get("created_at_ms")?;
    let kind: String = row.try_get("author_kind")?;
    let person: Option<String> = row.try_get("person")?;
    let names = people(conn, person.clone()).await?;
    let by = person.and_then(|p| names.get(&p).cloned());
    Ok(json!({ "at": at, "by": by, "kind": kind }))
}

/// Versions as the API shows them (the contract of issue 10).
pub async fn views(conn: &mut AnyConnection, versions: &[Version]) -> Result<Vec<Value>> {
    let subjects = versions.iter().flat_map(|v| {
        v.authors
            .iter()
            .cloned()
            .chain(v.created_by.map(|p| p.to_string()))
    });
    let names = people(conn, subjects.collect::<Vec<_>>()).await?;
    Ok(versions
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "name": v.name,
                "reason": v.reason,
                "created_at": v.created_at,
                "created_by": v.created_by.and_then(|p| names.get(&p.to_string()).cloned()),
                "authors": v.authors.iter().filter_map(|a| names.get(a).cloned()).collect::<Vec<_>>(),
                "bytes": v.bytes,
                "seq": v.upto_seq,
            })
        })
        .collect())
}

/// Stores the automatic versions that are due at `now_ms` (see the module doc). Returns them.
pub async fn auto_sweep(db: &Db, now_ms: i64) -> Result<Vec<Version>> {
    let candidates = sqlx::query(
        "SELECT u.doc_id AS doc_id, MAX(u.seq) AS last_seq, MAX(u.created_at_ms) AS last_at \
         FROM updates u WHERE u.created_at_ms > $1 \
         AND EXISTS (SELECT 1 FROM doc_meta m WHERE m.doc_id = u.doc_id AND m.deleted_at IS NULL) \
         GROUP BY u.doc_id",
    )
    .bind(now_ms - AUTO_LOOKBACK_MS)
    .fetch_all(db.pool())
    .await?;
    let mut made = Vec::new();
    for row in candidates {
        let doc: String = row.try_get("doc_id")?;
        let last_seq: i64 = row.try_get("last_seq")?;
        let last_at: i64 = row.try_get("last_at")?;
        let covered: i64 = sqlx::query("SELECT MAX(upto_seq) AS m FROM versions WHERE doc_id = $1")
            .bind(&doc)
            .fetch_one(db.pool())
            .await?
            .try_get::<Option<i64>, _>("m")?
            .unwrap_or(0);
        if last_seq <= covered {
            continue;
        }
        let due = if now_ms - last_at >= AUTO_IDLE_MS {
            true
        } else {
            // Editing goes on: due once its first edit not in a version is old enough.
            let first_at: Option<i64> = sqlx::query(
                "SELECT MIN(created_at_ms) AS m FROM updates WHERE doc_id = $1 AND seq > $2",
            )
            .bind(&doc)
            .bind(covered)
            .fetch_one(db.pool())
            .await?
            .try_get("m")?;
            first_at.is_some_and(|t| now_ms - t >= AUTO_MAX_SPAN_MS)
        };
        if due {
            if let Some(v) = create(db, &doc, Reason::Auto, None, None, now_ms).await? {
                tracing::debug!(doc = %doc, seq = v.upto_seq, "automatic version stored");
                made.push(v);
            }
        }
    }
    Ok(made)
}

/// Runs [`auto_sweep`] every [`AUTO_SWEEP_EVERY`] until `stop` resolves, telling the open
/// editors of each document that got a version (`version_created`).
pub async fn run_auto(state: crate::AccountsState, stop: impl std::future::Future<Output = ()>) {
    let mut tick = tokio::time::interval(AUTO_SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        match auto_sweep(&state.db, state.now_ms()).await {
            Ok(made) => {
                for v in made {
                    announce_created(&state, &v);
                }
            }
            Err(e) => tracing::warn!(error = %e, "automatic versions: sweep failed"),
        }
    }
}

/// Tells the document's open editors that a version was stored (PROTOCOL.md, "Events").
pub fn announce_created(state: &crate::AccountsState, v: &Version) {
    state.live.emit_event(
        &v.doc_id,
        json!({ "type": "version_created", "id": v.id, "reason": v.reason, "name": v.name }),
    );
}
