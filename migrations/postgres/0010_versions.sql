-- Version history (issue 10): stored full document states, named or automatic.
--
-- state: the whole document at the version, as one Yjs v1 update (the live document keeps
--   garbage collection on: a version is a state, not a set of tombstones).
-- upto_seq: the last log seq the state covers (0 for an empty document).
-- reason: 'auto' (a burst of editing ended, or 10 minutes of it went by), 'named' (someone named
--   it), 'before-restore' (stored just before a restore, so the restore can be undone),
--   'import', 'workshop'.
-- created_by: the person who asked for it (people.id); NULL for automatic versions. Not a
--   foreign key: this migration runs before the accounts tables exist.
-- authors: the distinct persons (token subjects) in the log since the previous version, as a
--   JSON array of strings, taken from the authored log, never from client-written data.
-- bytes: the size of state.
CREATE TABLE versions (
    id          BIGSERIAL PRIMARY KEY,
    doc_id      TEXT    NOT NULL,
    upto_seq    BIGINT  NOT NULL CHECK (upto_seq >= 0),
    name        TEXT,
    reason      TEXT    NOT NULL CHECK (reason IN ('auto','named','before-restore','import','workshop')),
    created_at  BIGINT  NOT NULL,
    created_by  BIGINT,
    authors     TEXT    NOT NULL DEFAULT '[]',
    bytes       BIGINT  NOT NULL,
    state       BYTEA   NOT NULL
);
CREATE INDEX versions_by_doc ON versions (doc_id, id);
-- One automatic version per log position, even when several nodes sweep at once.
CREATE UNIQUE INDEX versions_auto_once ON versions (doc_id, upto_seq) WHERE reason = 'auto';
-- The automatic-version sweep finds recently edited documents by commit time.
CREATE INDEX updates_by_time ON updates (created_at_ms);
