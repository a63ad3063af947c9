-- Narada hub schema, SQLite flavour. Same shape as migrations/postgres/0001_hub.sql.
-- Hub migrations are numbered 0001..0099; account/metadata migrations start at 0100.

-- One row per document that has ever been written. Kept minimal on purpose: metadata (owner,
-- title, kind, ...) lives in its own tables that reference documents(id).
CREATE TABLE documents (
    -- The document name, validated by DocId (1..128 of A-Z a-z 0-9 . _ -).
    id         TEXT    NOT NULL PRIMARY KEY,
    -- The seq the next appended update receives. Appends bump it inside their transaction, which
    -- is what makes seqs gapless and ordered by commit.
    next_seq   INTEGER NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The append-only update log: every applied Yjs v1 update, never deleted (version history is
-- built on it). WITHOUT ROWID clusters rows by (doc_id, seq), so loading a tail is one range scan.
CREATE TABLE updates (
    doc_id        TEXT    NOT NULL REFERENCES documents (id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    data          BLOB    NOT NULL,
    -- Unix milliseconds when the batch was committed.
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;

-- The latest compaction of each document: its full state as one v1 update, covering the log up
-- to and including upto_seq. Only ever replaced by a snapshot with a higher upto_seq.
CREATE TABLE snapshots (
    doc_id        TEXT    NOT NULL PRIMARY KEY REFERENCES documents (id),
    upto_seq      INTEGER NOT NULL CHECK (upto_seq >= 0),
    data          BLOB    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

-- Server-wide settings kept with the data, such as the generated token signing key.
CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
