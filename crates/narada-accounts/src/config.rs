//! Knobs of the accounts service, and the clock it reads (injectable so tests can move time).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Settings; [`AccountsConfig::default`] is what production uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct AccountsConfig {
    /// Add `Secure` to cookies. Turn on whenever the service is reached over https.
    pub cookie_secure: bool,
    /// Lifetime of a sync token from `POST /api/docs/{id}/token`, seconds. Short: the token is
    /// re-requested on reconnect, and revocation also closes live sockets.
    pub token_ttl_secs: u64,
    /// A session unused this long is over (milliseconds).
    pub session_idle_ms: i64,
    /// A session is over this long after sign-in, however active (milliseconds).
    pub session_absolute_ms: i64,
    /// Failed sign-ins for one account from one address before each further attempt from there
    /// must wait (30 s, doubling; see [`crate::throttle`]).
    pub backoff_after: i64,
    /// The longest such wait (milliseconds).
    pub backoff_max_ms: i64,
    /// Failed sign-ins for one account from all the addresses it never signed in from, before
    /// those addresses wait too (the owner's usual addresses never do).
    pub account_backoff_after: i64,
    /// At most this many failed sign-ins from one IP...
    pub ip_max_failures: i64,
    /// ...in this sliding window (milliseconds).
    pub ip_window_ms: i64,
    /// How long an invitation link stays valid (milliseconds).
    pub invite_ttl_ms: i64,
    /// How long a password-reset link stays valid (milliseconds).
    pub reset_ttl_ms: i64,
    /// Prefix of the links handed to admins, e.g. `https://narada.example.gov.pl`. Empty: the
    /// links are relative (`/invite?token=…`).
    pub public_base_url: String,
    /// Argon2id cost: memory (KiB), iterations, parallelism. Lowered only in tests.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    pub argon2_p: u32,
    /// Use the first address of `X-Forwarded-For` as the client IP (only behind a proxy you
    /// control, which must overwrite the header).
    pub trust_forwarded_for: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        const MIN: i64 = 60_000;
        AccountsConfig {
            cookie_secure: false,
            token_ttl_secs: 600,
            session_idle_ms: 8 * 60 * MIN,
            session_absolute_ms: 7 * 24 * 60 * MIN,
            backoff_after: 5,
            backoff_max_ms: 15 * MIN,
            account_backoff_after: 100,
            ip_max_failures: 30,
            ip_window_ms: 15 * MIN,
            invite_ttl_ms: 7 * 24 * 60 * MIN,
            reset_ttl_ms: 24 * 60 * MIN,
            public_base_url: String::new(),
            // OWASP's recommended argon2id minimum (19 MiB, 2 passes, 1 lane).
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            argon2_p: 1,
            trust_forwarded_for: false,
        }
    }
}

impl AccountsConfig {
    /// Cheap password hashing for tests (still argon2id, same code path).
    pub fn for_tests() -> Self {
        AccountsConfig {
            argon2_m_kib: 64,
            argon2_t: 1,
            ..AccountsConfig::default()
        }
    }
}

/// Where "now" comes from, in Unix milliseconds.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock that moves only when told (tests).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        ManualClock(AtomicI64::new(start_ms))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
