-- The update log is the hottest table: every group commit inserts hundreds of rows into it, and a
-- foreign key on updates.doc_id costs one referential-integrity trigger call per row (about a
-- third of an append's server time, measured with EXPLAIN ANALYZE on 256-row batches).
-- The key adds no protection in practice: the only writer, PgStore::append, inserts log rows in
-- the same statement that creates/locks the document row, and documents are never deleted.
-- (SQLite keeps the key: there the check is a cheap primary-key lookup, not a trigger.)
ALTER TABLE updates DROP CONSTRAINT IF EXISTS updates_doc_id_fkey;
