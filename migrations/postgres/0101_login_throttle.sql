-- Sign-in throttling (crate narada-accounts, src/throttle.rs), replacing the per-account lockout
-- of 0100, whose columns people.failed_logins and people.locked_until go.

-- Failed sign-ins per key. A key is the SHA-256 of the typed email, alone or with the client
-- address — an email, not an account id, so that an address without an account is throttled
-- exactly like one with an account, and no email is stored in the clear.
CREATE TABLE IF NOT EXISTS login_throttle (
    key_hash      TEXT    PRIMARY KEY,
    failures      BIGINT  NOT NULL,
    last_failure  BIGINT  NOT NULL   -- Unix ms; counts are forgotten a day after it
);
CREATE INDEX IF NOT EXISTS login_throttle_last ON login_throttle(last_failure);

-- The addresses each account signed in from (its owner's usual places): the account-wide count
-- never slows these down. Kept 90 days after the last success from them.
CREATE TABLE IF NOT EXISTS login_known_addresses (
    person_id   BIGINT  NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    ip          TEXT    NOT NULL,
    last_ok_at  BIGINT  NOT NULL,
    PRIMARY KEY (person_id, ip)
);

ALTER TABLE people DROP COLUMN IF EXISTS failed_logins;
ALTER TABLE people DROP COLUMN IF EXISTS locked_until;
