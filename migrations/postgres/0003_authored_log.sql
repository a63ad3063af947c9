-- The authored log (issue 17): every stored update records who made it, stamped by the server.
--
-- author_kind: 'person' for an edit a signed-in person sent on a sync socket, or the kind of a
--   server-originated edit: 'system', 'restore', 'import', 'suggestion', 'workshop'.
--   Rows written before this migration have no recorded author: 'unknown'.
-- person: the person (the sync token's subject) who sent the edit, or on whose behalf the
--   server made it; NULL only for 'unknown' rows and edits the server makes on its own.
ALTER TABLE updates ADD COLUMN author_kind TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE updates ADD COLUMN person TEXT;

-- Which person owns each Yjs client ID of a document (crates/narada-proto/src/authorship.rs):
-- firmly, the person whose client announced the ID in its presence; provisionally (firm false),
-- the first person who wrote under it, until the ID's own client announces it. Structs under an
-- ID someone else owns are never applied as the sender's. Claims made by an update are written
-- with it, in the same transaction, so a stored update's client always has its owner stored.
CREATE TABLE client_owners (
    doc_id        TEXT    NOT NULL,
    client_id     BIGINT  NOT NULL,
    person        TEXT    NOT NULL,
    firm          BOOLEAN NOT NULL DEFAULT FALSE,
    claimed_at_ms BIGINT  NOT NULL,
    PRIMARY KEY (doc_id, client_id)
);
