-- Accounts: people, cities, networks, sign-in sessions, one-time links, document metadata,
-- shares and the audit trail (crate narada-accounts). Times are Unix milliseconds (INTEGER) so
-- the SQLite and Postgres schemas read the same from Rust.
-- The hub's own `documents` table is NOT referenced: a document's log row appears only on its
-- first edit, while its metadata exists from creation.

-- Networks (sieci). The three of the 2nd edition are seeded below; admins add more.
CREATE TABLE IF NOT EXISTS networks (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- Cities (miasta). A city belongs to one or more networks (city_networks).
CREATE TABLE IF NOT EXISTS cities (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS city_networks (
    city_id     INTEGER NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
    network_id  INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    PRIMARY KEY (city_id, network_id)
);

-- People. `email` is stored lower-cased; `password_hash` is an argon2id PHC string, NULL until
-- an invitation is accepted. failed_logins/locked_until implement the per-account lockout.
CREATE TABLE IF NOT EXISTS people (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin','moderator','editor','commenter','viewer')),
    password_hash  TEXT,
    disabled_at    INTEGER,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    created_at     INTEGER NOT NULL
);

-- City team membership.
CREATE TABLE IF NOT EXISTS person_cities (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    city_id     INTEGER NOT NULL REFERENCES cities(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, city_id)
);
CREATE INDEX IF NOT EXISTS person_cities_city ON person_cities(city_id);

-- Experts and moderators assigned to the networks they advise or moderate.
CREATE TABLE IF NOT EXISTS person_networks (
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    network_id  INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, network_id)
);

-- Sign-in sessions. Only the SHA-256 of the session id is stored, so a database leak does not
-- hand out live sessions. The CSRF token is bound to the session (synchronizer token).
CREATE TABLE IF NOT EXISTS sessions (
    id_hash       TEXT    PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    csrf_token    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,   -- absolute expiry; idle expiry is last_seen_at + idle
    ip            TEXT
);
CREATE INDEX IF NOT EXISTS sessions_person ON sessions(person_id);

-- One-time links: invitations and password resets. Only the SHA-256 of the token is stored.
CREATE TABLE IF NOT EXISTS one_time_tokens (
    token_hash  TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('invite','reset')),
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_by  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- Failed sign-ins, for per-IP rate limiting (a sliding window counted at login time).
CREATE TABLE IF NOT EXISTS login_failures (
    id     INTEGER PRIMARY KEY,
    ip     TEXT    NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_ip_at ON login_failures(ip, at);

-- Document metadata: owner (a city or a network), kind, title, state.
CREATE TABLE IF NOT EXISTS doc_meta (
    doc_id      TEXT    PRIMARY KEY,
    owner_kind  TEXT    NOT NULL CHECK (owner_kind IN ('city','network')),
    owner_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('mid','plan_ulepszen','notes','other')),
    title       TEXT    NOT NULL,
    archived_at INTEGER,
    deleted_at  INTEGER,
    deleted_by  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_by  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_meta_owner ON doc_meta(owner_kind, owner_id);

-- Explicit shares of one document to a person or a city, with a socket role.
CREATE TABLE IF NOT EXISTS doc_shares (
    doc_id        TEXT    NOT NULL REFERENCES doc_meta(doc_id) ON DELETE CASCADE,
    grantee_kind  TEXT    NOT NULL CHECK (grantee_kind IN ('person','city')),
    grantee_id    INTEGER NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer','commenter','editor','moderator')),
    created_by    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (doc_id, grantee_kind, grantee_id)
);

-- The audit trail (RODO): who (actor), what (action, target, detail JSON), when, from where.
-- Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE IF NOT EXISTS audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_email  TEXT,
    action       TEXT    NOT NULL,
    target_kind  TEXT,
    target_id    TEXT,
    subject_id   INTEGER,   -- the person the record is about (for RODO export), if any
    detail       TEXT    NOT NULL DEFAULT '{}',
    ip           TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log(actor_id);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log(subject_id);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The networks of the 2nd edition of the City Partnership Initiative.
INSERT OR IGNORE INTO networks (name, created_at) VALUES
    ('Miasto Zielone', 0),
    ('Miasto Cyfrowe', 0),
    ('Miasto Inicjatyw PPP', 0);
