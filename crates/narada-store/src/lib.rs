//! Narada's storage: what the hub needs from a database, behind one trait.
//!
//! The hub appends every applied update to a per-document log (in group commits that span many
//! documents), loads a document as its latest snapshot plus the log entries after it, and
//! periodically stores a new snapshot. The log is never truncated: version history is built on it.
//!
//! Two backends implement [`Store`]: [`postgres::PgStore`] (production, the single source of truth
//! when several nodes run) and [`sqlite::SqliteStore`] (the embedded default). [`connect`] picks one
//! from the URL scheme and runs the migrations under `migrations/<backend>/`.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

pub mod postgres;
pub mod sqlite;

/// A validated document name: 1 to 128 of `A-Z a-z 0-9 . _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(Arc<str>);

impl DocId {
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(DocId(s.into()))
        } else {
            Err(StoreError::InvalidDocId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Position of an update in its document's log. Per document, gapless, starting at 1, and
/// assigned in commit order (see the backends), so "snapshot up to N + entries after N" never
/// misses an entry committed late.
pub type Seq = i64;

/// What kind of change an update is: a person's edit from a socket, or an edit the server made
/// (on someone's behalf, or on its own). Stored as text (`as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorKind {
    /// Sent by a person on a sync socket.
    Person,
    /// Made by the server on its own (templates, migrations of content).
    System,
    /// A restored version.
    Restore,
    /// An imported file.
    Import,
    /// An accepted suggested wording.
    Suggestion,
    /// A moderator's workshop action.
    Workshop,
    /// Written before authors were recorded.
    Unknown,
}

impl AuthorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorKind::Person => "person",
            AuthorKind::System => "system",
            AuthorKind::Restore => "restore",
            AuthorKind::Import => "import",
            AuthorKind::Suggestion => "suggestion",
            AuthorKind::Workshop => "workshop",
            AuthorKind::Unknown => "unknown",
        }
    }

    /// The stored text back; anything unrecognised reads as `Unknown`.
    pub fn parse(s: &str) -> AuthorKind {
        match s {
            "person" => AuthorKind::Person,
            "system" => AuthorKind::System,
            "restore" => AuthorKind::Restore,
            "import" => AuthorKind::Import,
            "suggestion" => AuthorKind::Suggestion,
            "workshop" => AuthorKind::Workshop,
            _ => AuthorKind::Unknown,
        }
    }
}

/// Who made a change: stamped by the server, never taken from what a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Author {
    pub kind: AuthorKind,
    /// The person who sent it, or on whose behalf the server made it (the sync token's subject).
    pub person: Option<Arc<str>>,
}

impl Author {
    /// A person's own edit.
    pub fn person(person: impl Into<Arc<str>>) -> Author {
        Author {
            kind: AuthorKind::Person,
            person: Some(person.into()),
        }
    }

    /// An author as the backends store it (`author_kind`, `person` columns).
    pub fn from_stored(kind: &str, person: Option<String>) -> Author {
        Author {
            kind: AuthorKind::parse(kind),
            person: person.map(Into::into),
        }
    }

    /// A server-originated edit of `kind`, made on behalf of `person` (if anyone).
    pub fn server(kind: AuthorKind, on_behalf_of: Option<Arc<str>>) -> Author {
        Author {
            kind,
            person: on_behalf_of,
        }
    }
}

/// One update to append.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    pub doc: DocId,
    /// A Yjs v1 update, exactly as it was applied.
    pub data: Bytes,
    pub author: Author,
    /// Yjs client IDs this update claimed, provisionally, for `author.person` (first use on
    /// the document); stored in the same transaction as the update, never replacing an owner.
    pub claims: Vec<u64>,
}

impl NewUpdate {
    /// An update with no new client-ID claims.
    pub fn new(doc: DocId, data: Bytes, author: Author) -> NewUpdate {
        NewUpdate {
            doc,
            data,
            author,
            claims: Vec::new(),
        }
    }
}

/// A stored document: latest snapshot (if any) and the log entries after it, in order.
#[derive(Debug, Clone, Default)]
pub struct StoredDoc {
    /// Full state as one v1 update, and the last log seq it includes.
    pub snapshot: Option<(Bytes, Seq)>,
    /// Entries with seq greater than the snapshot's, ascending.
    pub tail: Vec<(Seq, Bytes)>,
    /// Owners of the document's Yjs client IDs: (client, person, firm) — see
    /// [`NewUpdate::claims`] and [`Store::claim_clients`].
    pub owners: Vec<(u64, Arc<str>, bool)>,
}

impl StoredDoc {
    /// The highest seq this document has (0 when it has none).
    pub fn last_seq(&self) -> Seq {
        self.tail
            .last()
            .map(|(s, _)| *s)
            .or(self.snapshot.as_ref().map(|(_, s)| *s))
            .unwrap_or(0)
    }
}

/// One log entry, for history and tooling.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: Seq,
    pub data: Bytes,
    /// Unix milliseconds at commit.
    pub created_at_ms: i64,
    pub author: Author,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid document id")]
    InvalidDocId,
    #[error("unsupported database URL (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What the hub needs from a database. Implementations must be safe to share between tasks;
/// every method is one short transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Backend name for logs and metrics ("postgres" or "sqlite").
    fn kind(&self) -> &'static str;

    /// Runs the backend's migrations (idempotent).
    async fn migrate(&self) -> Result<()>;

    /// Cheap round trip, for `/healthz`.
    async fn ping(&self) -> Result<()>;

    /// Appends all `updates` in ONE transaction (the group commit) and returns the seq assigned to
    /// each, in the same order. Either all are durable when this returns `Ok`, or none are.
    async fn append(&self, updates: &[NewUpdate]) -> Result<Vec<Seq>>;

    /// Latest snapshot and the log after it. An unknown document is an empty `StoredDoc`.
    async fn load(&self, doc: &DocId) -> Result<StoredDoc>;

    /// Stores a snapshot covering the log up to and including `upto`. A snapshot older than the
    /// one already stored is ignored, so racing compactions cannot move a document backwards.
    async fn put_snapshot(&self, doc: &DocId, upto: Seq, data: Bytes) -> Result<()>;

    /// Log entries with `from <= seq <= to`, ascending, for history.
    async fn log_range(&self, doc: &DocId, from: Seq, to: Seq) -> Result<Vec<LogEntry>>;

    /// Records that `person` firmly owns these client IDs of `doc` (their client announced them
    /// in its presence): free IDs and IDs held only provisionally (by someone who merely wrote
    /// under them) become theirs; firm owners are kept. Claims made by updates travel in
    /// [`NewUpdate`].
    async fn claim_clients(&self, doc: &DocId, person: &str, clients: &[u64]) -> Result<()>;

    /// A server-wide setting (such as the generated signing key), or `None`.
    async fn get_setting(&self, key: &str) -> Result<Option<String>>;

    /// Stores `value` under `key` unless one is there already; returns the value that is kept.
    /// Several nodes starting at once therefore agree on one generated key.
    async fn put_setting_if_absent(&self, key: &str, value: &str) -> Result<String>;
}

/// Opens the store named by `url` (`sqlite://path` or `postgres://…`) and runs its migrations.
/// For SQLite the file and its folder are created when missing.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(sqlite::SqliteStore::open(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Arc::new(postgres::PgStore::open(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl);
    };
    store.migrate().await?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_are_validated() {
        for ok in ["a", "plan-2024_v1.0", &"x".repeat(128)] {
            assert!(DocId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/b", "ą", "a b", &"x".repeat(129), "..%2f"] {
            assert!(DocId::parse(bad).is_err(), "{bad}");
        }
    }
}
