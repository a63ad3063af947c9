-- Expert review (issue 11): comment threads anchored to a passage, their replies, and the
-- notifications that mentions create. Threads live here, not in the document's CRDT: the server
-- stamps every author, so a commenter never writes into the text and cannot forge a comment.
--
-- anchor_start / anchor_end: base64 of `Y.encodeRelativePosition` over XmlFragment('default'),
--   as the client sent them (checked to decode); quote: the passage's text when it was marked.
-- kind: remark (uwaga), question (pytanie), change (wniosek o zmianę), suggestion (propozycja
--   brzmienia, with `replacement`). status: open -> answered -> closed, reopen.
-- resolution: how a suggestion ended ('accepted' = applied into the text as the log entry
--   `applied_seq`, or 'rejected' with `resolution_reason`), by whom and when.
CREATE TABLE IF NOT EXISTS review_threads (
    id                 INTEGER PRIMARY KEY,
    doc_id             TEXT    NOT NULL REFERENCES doc_meta(doc_id) ON DELETE CASCADE,
    kind               TEXT    NOT NULL CHECK (kind IN ('remark','question','change','suggestion')),
    status             TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','closed')),
    body               TEXT    NOT NULL,
    anchor_start       TEXT    NOT NULL,
    anchor_end         TEXT    NOT NULL,
    quote              TEXT    NOT NULL,
    replacement        TEXT,
    author_id          INTEGER NOT NULL REFERENCES people(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    resolution         TEXT    CHECK (resolution IN ('accepted','rejected')),
    resolution_reason  TEXT,
    resolved_by        INTEGER REFERENCES people(id),
    resolved_at        INTEGER,
    applied_seq        INTEGER
);
CREATE INDEX IF NOT EXISTS review_threads_doc ON review_threads(doc_id, id);

-- Replies in a thread; edited and deleted by their author (a moderator may delete any).
CREATE TABLE IF NOT EXISTS review_comments (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES review_threads(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES people(id),
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS review_comments_thread ON review_comments(thread_id, id);

-- A person's notifications: being mentioned (@) in a thread or a reply.
CREATE TABLE IF NOT EXISTS notifications (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('mention')),
    doc_id      TEXT    NOT NULL REFERENCES doc_meta(doc_id) ON DELETE CASCADE,
    thread_id   INTEGER NOT NULL REFERENCES review_threads(id) ON DELETE CASCADE,
    comment_id  INTEGER REFERENCES review_comments(id) ON DELETE CASCADE,
    actor_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX IF NOT EXISTS notifications_person ON notifications(person_id, id);
