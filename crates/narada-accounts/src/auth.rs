//! Signing in: argon2id passwords, sessions, one-time links, lockout and rate limiting.
//!
//! * Passwords are argon2id PHC strings; hashing runs on the blocking pool (it is deliberately
//!   slow) and unknown accounts are answered after an equally slow dummy check, so the response
//!   time does not tell which emails exist. No hash or check ever runs inside a write
//!   transaction: on SQLite that would hold the file's write lock, which the hub's commits of
//!   every document need (tests/signin_lock.rs).
//! * A session id is 32 random bytes, given to the browser once in an HttpOnly cookie; the
//!   database keeps only its SHA-256. Sessions end after `session_idle_ms` unused or
//!   `session_absolute_ms` after sign-in, on logout, on logout-everywhere and when the account is
//!   disabled.
//! * Invitations and password resets are one-time links carrying another 32-byte secret, also
//!   stored only as a hash, usable once before they expire.
//! * Guessing is slowed, never locked out: per address + account and per account delays
//!   ([`crate::throttle`]), and at most `ip_max_failures` failures from one IP within
//!   `ip_window_ms` across all accounts. Unknown and known addresses get the same answers.
//!
//! Nothing here logs a password, a session id or a link token.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit;
use crate::config::AccountsConfig;
use crate::db::Db;
use crate::error::{AccountsError, Result};
use crate::model::{self, Person};
use crate::throttle;

pub const SESSION_COOKIE: &str = "narada_session";
pub const CSRF_COOKIE: &str = "narada_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounds the work a request can make argon2 do.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// 32 random bytes as hex: session ids, CSRF tokens, link tokens.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares two secrets without an early exit on the first difference.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn validate_password(pw: &str) -> Result<()> {
    if pw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountsError::validation(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if pw.len() > MAX_PASSWORD_BYTES {
        return Err(AccountsError::validation("password is too long"));
    }
    Ok(())
}

/// Trims and lower-cases an email and checks its shape (not deliverability).
pub fn normalize_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(AccountsError::validation("email is not valid"))
    }
}

fn hasher(cfg: &AccountsConfig) -> Result<Argon2<'static>> {
    let params = Params::new(cfg.argon2_m_kib, cfg.argon2_t, cfg.argon2_p, None)
        .map_err(|e| AccountsError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password (argon2id, random salt) on the blocking pool.
pub async fn hash_password(cfg: &AccountsConfig, password: &str) -> Result<String> {
    validate_password(password)?;
    let argon = hasher(cfg)?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| AccountsError::Internal(format!("salt: {e}")))?;
        argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AccountsError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AccountsError::Internal(format!("hashing task: {e}")))?
}

static PASSWORD_CHECKS: AtomicU64 = AtomicU64::new(0);

/// How many password checks this process has run (each [`verify_password`] call counts, the
/// dummy ones too): what tells the work for an unknown address and a known one apart, or not.
pub fn password_checks() -> u64 {
    PASSWORD_CHECKS.load(Ordering::Relaxed)
}

/// Checks a password against a stored PHC string (its own parameters), on the blocking pool.
pub async fn verify_password(phc: &str, password: &str) -> bool {
    PASSWORD_CHECKS.fetch_add(1, Ordering::Relaxed);
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let phc = phc.to_owned();
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to check against when the account does not exist (or has no usable password), so
/// that path costs the same. Made once per argon2 cost: it must cost what a real account's
/// check costs with the settings in force (several settings live side by side only in tests).
async fn dummy_hash(cfg: &AccountsConfig) -> String {
    type Cost = (u32, u32, u32);
    static DUMMIES: OnceLock<parking_lot::Mutex<Vec<(Cost, String)>>> = OnceLock::new();
    let cost = (cfg.argon2_m_kib, cfg.argon2_t, cfg.argon2_p);
    let dummies = DUMMIES.get_or_init(Default::default);
    if let Some((_, h)) = dummies.lock().iter().find(|(c, _)| *c == cost) {
        return h.clone();
    }
    // Two first sign-ins may both compute it; either result serves.
    let h = hash_password(cfg, "not-a-real-password-0000")
        .await
        .unwrap_or_default();
    dummies.lock().push((cost, h.clone()));
    h
}

/// A freshly started session: the raw id and CSRF token go to the browser, never to a log.
pub struct NewSession {
    pub id: String,
    pub csrf: String,
    pub person: Person,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("person", &self.person.id)
            .finish_non_exhaustive()
    }
}

pub(crate) async fn start_session(
    conn: &mut AnyConnection,
    cfg: &AccountsConfig,
    person_id: i64,
    now: i64,
    ip: Option<&str>,
) -> Result<(String, String)> {
    let id = random_secret();
    let csrf = random_secret();
    sqlx::query(
        "INSERT INTO sessions (id_hash, person_id, csrf_token, created_at, last_seen_at, \
         expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(sha256_hex(&id))
    .bind(person_id)
    .bind(csrf.clone())
    .bind(now)
    .bind(now)
    .bind(now + cfg.session_absolute_ms)
    .bind(ip.map(str::to_owned))
    .execute(&mut *conn)
    .await?;
    Ok((id, csrf))
}

async fn record_ip_failure(
    conn: &mut AnyConnection,
    cfg: &AccountsConfig,
    ip: Option<&str>,
    now: i64,
) -> Result<()> {
    let Some(ip) = ip else { return Ok(()) };
    // Rows older than the window no longer count; drop them so the table stays small.
    sqlx::query("DELETE FROM login_failures WHERE ip = $1 AND at <= $2")
        .bind(ip.to_owned())
        .bind(now - cfg.ip_window_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO login_failures (ip, at) VALUES ($1, $2)")
        .bind(ip.to_owned())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What the read phase of a sign-in found about the account.
struct Account {
    id: i64,
    hash: Option<String>,
    disabled: bool,
}

async fn read_account(conn: &mut AnyConnection, email: &str) -> Result<Option<Account>> {
    let row = sqlx::query("SELECT id, password_hash, disabled_at FROM people WHERE email = $1")
        .bind(email.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Account {
            id: row.try_get("id")?,
            hash: row.try_get("password_hash")?,
            disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        })
    })
    .transpose()
}

/// The per-address limit across all accounts: `Some(ms to wait)` once `ip_max_failures` failed
/// in the window.
async fn address_wait(
    conn: &mut AnyConnection,
    cfg: &AccountsConfig,
    ip: Option<&str>,
    now: i64,
) -> Result<Option<i64>> {
    // Without a known client address (the server not passing ConnectInfo) every client would
    // share one bucket, letting anyone shut everyone out.
    let Some(ip) = ip else { return Ok(None) };
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE ip = $1 AND at > $2",
    )
    .bind(ip.to_owned())
    .bind(now - cfg.ip_window_ms)
    .fetch_one(&mut *conn)
    .await?;
    let n: i64 = row.try_get("n")?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    Ok((n >= cfg.ip_max_failures).then(|| oldest.unwrap_or(now) + cfg.ip_window_ms - now))
}

/// Signs in with email and password. Every outcome is audited.
///
/// An unknown address, a disabled account, one without a password and a wrong password get the
/// same answer (401 `invalid_credentials`) after the same work (one argon2 check, against a
/// dummy hash where there is no usable one, and the same writes); too many failures get the same
/// 429 `rate_limited` for every address, counted by typed email ([`crate::throttle`]).
///
/// Three phases, so that the deliberately slow argon2 never runs while the database's write
/// lock is held (on SQLite `BEGIN IMMEDIATE` takes it for the whole file, and the hub's group
/// commits of every document would wait behind each sign-in):
/// 1. read the limits and the account on a pooled connection, no transaction;
/// 2. check the password (or the dummy hash) with no connection held;
/// 3. record the outcome in a short write transaction, which reads the account again and
///    counts a success only if the password hash it checked is still the account's.
pub async fn login(
    db: &Db,
    cfg: &AccountsConfig,
    now: i64,
    email: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<NewSession> {
    let email = normalize_email(email).map_err(|_| AccountsError::InvalidCredentials)?;
    // The dummy hash is computed once per process, here rather than in a transaction.
    let dummy = dummy_hash(cfg).await;

    // 1. Read.
    let mut conn = db.pool.acquire().await?;
    let account = read_account(&mut conn, &email).await?;
    let standing =
        throttle::read(&mut conn, &email, ip, account.as_ref().map(|a| a.id), now).await?;
    let refused = match address_wait(&mut conn, cfg, ip, now).await? {
        Some(ms) => Some((ms, "address")),
        None => standing.wait(cfg, now).map(|(ms, why)| (ms, why.as_str())),
    };
    drop(conn);
    if let Some((wait_ms, reason)) = refused {
        // No password is checked and nothing is counted while an attempt must wait.
        let entry = audit::Entry {
            actor_id: account.as_ref().map(|a| a.id),
            actor_email: Some(&email),
            action: "login.rate_limited",
            detail: serde_json::json!({ "reason": reason }),
            ip,
            ..Default::default()
        };
        let mut tx = db.begin().await?;
        audit::record(&mut tx, now, entry).await?;
        tx.commit().await?;
        return Err(AccountsError::RateLimited {
            retry_after_secs: (wait_ms + 999) / 1000,
        });
    }

    // 2. Check the password, holding nothing.
    let usable = account
        .as_ref()
        .and_then(|a| a.hash.as_deref().filter(|_| !a.disabled));
    let ok = verify_password(usable.unwrap_or(&dummy), password).await && usable.is_some();

    // 3. Record.
    let mut tx = db.begin().await?;
    // The account as it is now, under the write lock: a password changed or an account disabled
    // while argon2 ran turns a success into a failure.
    let current = match &account {
        Some(_) => read_account(&mut tx, &email).await?,
        None => None,
    };
    let still_valid = match (&account, &current) {
        (Some(a), Some(c)) => c.id == a.id && !c.disabled && c.hash.is_some() && c.hash == a.hash,
        _ => false,
    };
    let Some(account) = account.filter(|_| ok && still_valid) else {
        standing.record_failure(&mut tx, now).await?;
        record_ip_failure(&mut tx, cfg, ip, now).await?;
        let person = current.as_ref().map(|c| c.id);
        let reason = match &current {
            None => "unknown_email",
            Some(c) if c.disabled => "disabled",
            Some(c) if c.hash.is_none() => "no_password",
            Some(_) if ok => "changed_during_sign_in",
            Some(_) => "wrong_password",
        };
        let entry = audit::Entry {
            actor_id: person,
            actor_email: Some(&email),
            action: "login.failed",
            target_kind: Some("person"),
            target_id: person.map(|p| p.to_string()),
            subject_id: person,
            detail: serde_json::json!({ "reason": reason }),
            ip,
        };
        audit::record(&mut tx, now, entry).await?;
        tx.commit().await?;
        return Err(AccountsError::InvalidCredentials);
    };
    let id = account.id;
    standing.record_success(&mut tx, id, ip, now).await?;
    // Sessions of this person that have run out are swept at each sign-in.
    sqlx::query(
        "DELETE FROM sessions WHERE person_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - cfg.session_idle_ms)
    .execute(&mut *tx)
    .await?;
    let (sid, csrf) = start_session(&mut tx, cfg, id, now, ip).await?;
    let entry = audit::Entry {
        actor_id: Some(id),
        actor_email: Some(&email),
        action: "login.ok",
        target_kind: Some("person"),
        target_id: Some(id.to_string()),
        subject_id: Some(id),
        ip,
        ..Default::default()
    };
    audit::record(&mut tx, now, entry).await?;
    let person = model::person(&mut tx, id).await?;
    tx.commit().await?;
    Ok(NewSession {
        id: sid,
        csrf,
        person,
    })
}

/// A live session found from its cookie.
#[derive(Clone)]
pub struct SessionInfo {
    pub person_id: i64,
    pub csrf: String,
    pub id_hash: String,
}

/// Finds the session for a raw cookie value; `None` if unknown or expired (expired ones are
/// deleted on the way).
pub async fn lookup_session(
    db: &Db,
    cfg: &AccountsConfig,
    now: i64,
    raw_id: &str,
) -> Result<Option<SessionInfo>> {
    // Anything that is not one of our ids is refused before touching the database.
    if raw_id.len() != 64 || !raw_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id_hash = sha256_hex(raw_id);
    let mut conn = db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT s.person_id, s.csrf_token, s.last_seen_at, s.expires_at, p.disabled_at \
         FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id_hash = $1",
    )
    .bind(id_hash.clone())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let expires: i64 = row.try_get("expires_at")?;
    let disabled: Option<i64> = row.try_get("disabled_at")?;
    if now >= expires || now >= last_seen + cfg.session_idle_ms || disabled.is_some() {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *conn)
            .await?;
        return Ok(None);
    }
    // Refresh the idle clock, but not on every request: once a minute is precise enough.
    if now - last_seen > 60_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(SessionInfo {
        person_id: row.try_get("person_id")?,
        csrf: row.try_get("csrf_token")?,
        id_hash,
    }))
}

pub async fn end_session(conn: &mut AnyConnection, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn end_all_sessions(conn: &mut AnyConnection, person_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Invite,
    Reset,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Invite => "invite",
            LinkKind::Reset => "reset",
        }
    }
}

/// A one-time link to hand to the person (shown to the admin; no mail server is assumed).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Link {
    /// The link's secret, also inside `link`.
    pub token: String,
    /// The whole link to send to the person (prefixed with `public_url`).
    pub link: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// Creates a one-time link, replacing older unused links of the same kind for that person.
pub async fn issue_link(
    conn: &mut AnyConnection,
    cfg: &AccountsConfig,
    kind: LinkKind,
    person_id: i64,
    created_by: Option<i64>,
    now: i64,
) -> Result<Link> {
    sqlx::query(
        "DELETE FROM one_time_tokens WHERE person_id = $1 AND kind = $2 AND used_at IS NULL",
    )
    .bind(person_id)
    .bind(kind.as_str())
    .execute(&mut *conn)
    .await?;
    let token = random_secret();
    let ttl = match kind {
        LinkKind::Invite => cfg.invite_ttl_ms,
        LinkKind::Reset => cfg.reset_ttl_ms,
    };
    sqlx::query(
        "INSERT INTO one_time_tokens (token_hash, kind, person_id, created_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sha256_hex(&token))
    .bind(kind.as_str())
    .bind(person_id)
    .bind(created_by)
    .bind(now)
    .bind(now + ttl)
    .execute(&mut *conn)
    .await?;
    let path = match kind {
        LinkKind::Invite => "invite",
        LinkKind::Reset => "reset-password",
    };
    let link = format!(
        "{}/{path}?token={token}",
        cfg.public_base_url.trim_end_matches('/')
    );
    Ok(Link {
        token,
        link,
        expires_at: now + ttl,
    })
}

/// Uses a one-time link: returns the person it is for and marks it used, or `BadLink`.
pub async fn consume_link(
    conn: &mut AnyConnection,
    kind: LinkKind,
    token: &str,
    now: i64,
) -> Result<i64> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AccountsError::BadLink);
    }
    // The UPDATE both checks and claims the link, so two racing uses cannot both succeed.
    let row = sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = $3 \
         AND used_at IS NULL AND expires_at > $4 RETURNING person_id",
    )
    .bind(now)
    .bind(sha256_hex(token))
    .bind(kind.as_str())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(r.try_get("person_id")?),
        None => Err(AccountsError::BadLink),
    }
}

/// Sets a person's password (after an invite or reset) and starts a session.
pub async fn set_password_and_sign_in(
    db: &Db,
    cfg: &AccountsConfig,
    kind: LinkKind,
    token: &str,
    password: &str,
    now: i64,
    ip: Option<&str>,
) -> Result<NewSession> {
    validate_password(password)?;
    let hash = hash_password(cfg, password).await?;
    let mut tx = db.begin().await?;
    let person_id = consume_link(&mut tx, kind, token, now).await?;
    let person = model::person(&mut tx, person_id).await?;
    if person.disabled {
        return Err(AccountsError::BadLink);
    }
    sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    // A reset ends every other session: whoever knew the old password is out.
    end_all_sessions(&mut tx, person_id).await?;
    let (sid, csrf) = start_session(&mut tx, cfg, person_id, now, ip).await?;
    let action = match kind {
        LinkKind::Invite => "invite.accepted",
        LinkKind::Reset => "password.reset",
    };
    let entry = audit::Entry {
        actor_id: Some(person_id),
        actor_email: Some(&person.email),
        action,
        target_kind: Some("person"),
        target_id: Some(person_id.to_string()),
        subject_id: Some(person_id),
        ip,
        ..Default::default()
    };
    audit::record(&mut tx, now, entry).await?;
    let person = model::person(&mut tx, person_id).await?;
    tx.commit().await?;
    Ok(NewSession {
        id: sid,
        csrf,
        person,
    })
}
