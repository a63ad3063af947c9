-- Narada hub schema, Postgres flavour. Same shape as migrations/sqlite/0001_hub.sql.
-- Hub migrations are numbered 0001..0099; account/metadata migrations start at 0100.

-- One row per document that has ever been written. Kept minimal on purpose: metadata (owner,
-- title, kind, ...) lives in its own tables that reference documents(id).
CREATE TABLE documents (
    -- The document name, validated by DocId (1..128 of A-Z a-z 0-9 . _ -).
    id         TEXT        NOT NULL PRIMARY KEY,
    -- The seq the next appended update receives. Appends increment it with
    -- INSERT .. ON CONFLICT DO UPDATE, which row-locks the document until COMMIT: concurrent
    -- writers of one document (even on different nodes) are serialised, so seqs are gapless and
    -- ordered by commit.
    next_seq   BIGINT      NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The append-only update log: every applied Yjs v1 update, never deleted (version history is
-- built on it). The primary key index serves "entries after seq N" range scans.
CREATE TABLE updates (
    doc_id        TEXT   NOT NULL REFERENCES documents (id),
    seq           BIGINT NOT NULL CHECK (seq >= 1),
    data          BYTEA  NOT NULL,
    -- Unix milliseconds when the batch was committed.
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);

-- The latest compaction of each document: its full state as one v1 update, covering the log up
-- to and including upto_seq. Only ever replaced by a snapshot with a higher upto_seq.
CREATE TABLE snapshots (
    doc_id        TEXT   NOT NULL PRIMARY KEY REFERENCES documents (id),
    upto_seq      BIGINT NOT NULL CHECK (upto_seq >= 0),
    data          BYTEA  NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- Server-wide settings kept with the data, such as the generated token signing key.
CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
