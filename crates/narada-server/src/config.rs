//! Server configuration: every knob, its default, and where it comes from.
//!
//! Precedence, highest first: command-line flag, environment variable, the TOML file named by
//! `--config` / `NARADA_CONFIG`, then the defaults below. `narada.example.toml` at the repository
//! root lists every key with a comment. Secrets (the signing key, database passwords inside the
//! URL) are never printed: `Config`'s `Debug` output redacts them.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// Whether `POST /api/dev/token` (editor tokens without sign-in) is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DevTokens {
    /// Not served: everyone signs in (the default).
    #[default]
    Off,
    /// Served, for trying Narada out: anyone who reaches the server gets editor tokens for
    /// documents that belong to no city or network. Warned about at start.
    On,
    /// The old default ("on when listening on loopback"), which handed out tokens to anyone
    /// behind a reverse proxy on the same host. Read as `off`, with a warning at start, so that
    /// existing configurations keep starting and become safe.
    Auto,
}

impl std::str::FromStr for DevTokens {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "off" | "false" | "0" => Ok(DevTokens::Off),
            "on" | "true" | "1" => Ok(DevTokens::On),
            "auto" => Ok(DevTokens::Auto),
            other => Err(format!("dev_tokens must be on or off, not {other:?}")),
        }
    }
}

/// Everything `narada serve` needs. Built by [`crate::cli`].
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen address.
    pub addr: SocketAddr,
    /// `sqlite://path` (embedded default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Token signing key (≥ 32 bytes). Only from the environment (`NARADA_SECRET`) or the file;
    /// when absent a key is generated once and kept in the database.
    pub secret: Option<String>,
    /// `Origin`s allowed to open sync sockets. Empty: the server's own origin and any
    /// localhost / 127.0.0.1 / [::1] origin. `"*"` allows every origin.
    pub allowed_origins: Vec<String>,
    /// `POST /api/dev/token`: off (default) or on.
    pub dev_tokens: DevTokens,
    /// Largest ordinary message (update, awareness) in bytes; larger closes with 1009.
    pub max_message_bytes: usize,
    /// Largest message during the initial sync (a client's step 2 can carry a whole document).
    pub max_sync_bytes: usize,
    /// Largest awareness state (one client's JSON: name, colour, cursor); larger states are
    /// left out of the message, neither kept nor relayed.
    pub max_awareness_bytes: usize,
    /// Sockets one person may hold open on one document (per node); more are refused (429).
    pub max_sockets_per_person: usize,
    /// Frames queued for one client before it counts as too slow and is disconnected.
    pub outbound_queue: usize,
    /// Keepalive ping interval.
    #[serde(with = "humantime_serde_compat")]
    pub ping_interval: Duration,
    /// A client silent for this long is disconnected.
    #[serde(with = "humantime_serde_compat")]
    pub idle_timeout: Duration,
    /// Awareness states not renewed for this long are removed (y-protocols: 30 s).
    #[serde(with = "humantime_serde_compat")]
    pub awareness_timeout: Duration,
    /// Updates per group commit, at most.
    pub persist_max_batch: usize,
    /// Updates waiting for the store writer, at most; beyond it writes are refused (1013).
    pub persist_queue: usize,
    /// How long commits may fail before every writer is disconnected (1013 `storage
    /// unavailable`) and new edits are refused, until a commit succeeds again.
    #[serde(with = "humantime_serde_compat")]
    pub storage_stall_timeout: Duration,
    /// Compact (store a snapshot) once a document's log tail is this long.
    pub compact_after: usize,
    /// WebSocket read buffer per connection, bytes.
    pub ws_read_buffer: usize,
    /// WebSocket write buffer per connection, bytes.
    pub ws_write_buffer: usize,
    /// A connection that has not sent a whole request head this long after connecting (or
    /// after its previous response) is closed.
    #[serde(with = "humantime_serde_compat")]
    pub header_read_timeout: Duration,
    /// How long shutdown waits for clients and the store before giving up.
    #[serde(with = "humantime_serde_compat")]
    pub shutdown_grace: Duration,
    /// `redis://…`: share live updates and awareness with other nodes. Unset: single node.
    pub redis_url: Option<String>,
    /// Log format: `text` or `json`.
    pub log_format: String,
    /// Sign-in, sessions and links: see [`AccountsSettings`].
    pub accounts: AccountsSettings,
}

/// The `[accounts]` table: sign-in, sessions, sign-in throttling and the links handed to admins.
/// Turned into the accounts crate's settings by [`AccountsSettings::to_accounts_config`].
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsSettings {
    /// Address people reach the service at (e.g. `https://narada.example.gov.pl`): prefix of
    /// invitation and reset links. `https://` also makes cookies `Secure`. Empty: relative links.
    pub public_url: String,
    /// Mark cookies `Secure` even without an `https://` public URL (TLS ends at a proxy).
    pub cookie_secure: bool,
    /// Take the client address (rate limits, audit) from `X-Forwarded-For`: only behind a proxy
    /// you control that overwrites the header.
    pub trust_forwarded_for: bool,
    /// Lifetime of the sync token `POST /api/docs/{id}/token` issues (10s to 24h).
    #[serde(with = "humantime_serde_compat")]
    pub sync_token_ttl: Duration,
    /// A session unused this long ends.
    #[serde(with = "humantime_serde_compat")]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    #[serde(with = "humantime_serde_compat")]
    pub session_max: Duration,
    /// Failed sign-ins for one account from one address before each further attempt from it
    /// waits (30 s, doubling with each failure)...
    pub backoff_after: u32,
    /// ...at most this long.
    #[serde(with = "humantime_serde_compat")]
    pub backoff_max: Duration,
    /// Failed sign-ins for one account from addresses it never signed in from, before all those
    /// addresses wait too (the owner's usual addresses never do).
    pub account_backoff_after: u32,
    /// Failed sign-ins from one address, at most, within `ip_window`.
    pub ip_max_failures: u32,
    #[serde(with = "humantime_serde_compat")]
    pub ip_window: Duration,
    /// How long an invitation link stays valid.
    #[serde(with = "humantime_serde_compat")]
    pub invite_ttl: Duration,
    /// How long a password-reset link stays valid.
    #[serde(with = "humantime_serde_compat")]
    pub reset_ttl: Duration,
}

impl Default for AccountsSettings {
    fn default() -> Self {
        let d = narada_accounts::AccountsConfig::default();
        let ms = |v: i64| Duration::from_millis(v as u64);
        AccountsSettings {
            public_url: d.public_base_url,
            cookie_secure: d.cookie_secure,
            trust_forwarded_for: d.trust_forwarded_for,
            sync_token_ttl: Duration::from_secs(d.token_ttl_secs),
            session_idle: ms(d.session_idle_ms),
            session_max: ms(d.session_absolute_ms),
            backoff_after: d.backoff_after as u32,
            backoff_max: ms(d.backoff_max_ms),
            account_backoff_after: d.account_backoff_after as u32,
            ip_max_failures: d.ip_max_failures as u32,
            ip_window: ms(d.ip_window_ms),
            invite_ttl: ms(d.invite_ttl_ms),
            reset_ttl: ms(d.reset_ttl_ms),
        }
    }
}

impl AccountsSettings {
    /// The accounts crate's settings, or why these are unusable.
    pub fn to_accounts_config(&self) -> anyhow::Result<narada_accounts::AccountsConfig> {
        let ttl = self.sync_token_ttl;
        anyhow::ensure!(
            (Duration::from_secs(10)..=Duration::from_secs(86_400)).contains(&ttl),
            "accounts.sync_token_ttl must be between 10s and 24h"
        );
        for (name, d) in [
            ("session_idle", self.session_idle),
            ("session_max", self.session_max),
            ("backoff_max", self.backoff_max),
            ("ip_window", self.ip_window),
            ("invite_ttl", self.invite_ttl),
            ("reset_ttl", self.reset_ttl),
        ] {
            anyhow::ensure!(
                d >= Duration::from_secs(1),
                "accounts.{name} must be at least 1s"
            );
        }
        anyhow::ensure!(
            self.backoff_after >= 1 && self.account_backoff_after >= 1 && self.ip_max_failures >= 1,
            "accounts.backoff_after, accounts.account_backoff_after and accounts.ip_max_failures \
             must be at least 1"
        );
        let public_url = self.public_url.trim().trim_end_matches('/').to_owned();
        anyhow::ensure!(
            public_url.is_empty()
                || public_url.starts_with("https://")
                || public_url.starts_with("http://"),
            "accounts.public_url must start with https:// or http://"
        );
        let ms = |d: Duration| d.as_millis().min(i64::MAX as u128) as i64;
        Ok(narada_accounts::AccountsConfig {
            cookie_secure: self.cookie_secure || public_url.starts_with("https://"),
            token_ttl_secs: ttl.as_secs(),
            session_idle_ms: ms(self.session_idle),
            session_absolute_ms: ms(self.session_max),
            backoff_after: i64::from(self.backoff_after),
            backoff_max_ms: ms(self.backoff_max),
            account_backoff_after: i64::from(self.account_backoff_after),
            ip_max_failures: i64::from(self.ip_max_failures),
            ip_window_ms: ms(self.ip_window),
            invite_ttl_ms: ms(self.invite_ttl),
            reset_ttl_ms: ms(self.reset_ttl),
            public_base_url: public_url,
            trust_forwarded_for: self.trust_forwarded_for,
            ..narada_accounts::AccountsConfig::default()
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".parse().expect("valid literal"),
            database_url: "sqlite://data/narada.db".into(),
            secret: None,
            allowed_origins: Vec::new(),
            dev_tokens: DevTokens::Off,
            max_message_bytes: 1 << 20,
            max_sync_bytes: 64 << 20,
            max_awareness_bytes: 8 << 10,
            max_sockets_per_person: 16,
            outbound_queue: 1024,
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(50),
            awareness_timeout: Duration::from_secs(30),
            persist_max_batch: 1024,
            persist_queue: 65_536,
            storage_stall_timeout: Duration::from_secs(30),
            compact_after: 1000,
            ws_read_buffer: 2 * 1024,
            ws_write_buffer: 8 * 1024,
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            redis_url: None,
            log_format: "text".into(),
            accounts: AccountsSettings::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("database", &redact_url(&self.database_url))
            .field("secret", &self.secret.as_ref().map(|_| "<set>"))
            .field("allowed_origins", &self.allowed_origins)
            .field("dev_tokens", &self.dev_tokens)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_sync_bytes", &self.max_sync_bytes)
            .field("max_awareness_bytes", &self.max_awareness_bytes)
            .field("max_sockets_per_person", &self.max_sockets_per_person)
            .field("outbound_queue", &self.outbound_queue)
            .field("persist_max_batch", &self.persist_max_batch)
            .field("compact_after", &self.compact_after)
            .field("redis", &self.redis_url.as_deref().map(redact_url))
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

/// A URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparsable url>".into(),
    }
}

impl Config {
    /// Reads a TOML config file.
    pub fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("in {}: {e}", path.display()))
    }

    /// Refuses values the server cannot run with (the `[accounts]` table is checked by
    /// [`AccountsSettings::to_accounts_config`]).
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.max_sockets_per_person >= 1,
            "max_sockets_per_person must be at least 1"
        );
        anyhow::ensure!(
            !self.header_read_timeout.is_zero(),
            "header_read_timeout must be more than 0"
        );
        Ok(())
    }

    /// Whether dev tokens are served with this configuration: only when turned on explicitly.
    pub fn dev_tokens_enabled(&self) -> bool {
        self.dev_tokens == DevTokens::On
    }
}

/// Durations in the file are written the human way: "20s", "1m", "500ms".
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_matches_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../narada.example.toml");
        let c = Config::from_file(&path).expect("example config parses");
        let d = Config::default();
        assert_eq!(c.addr, d.addr);
        assert_eq!(c.max_message_bytes, d.max_message_bytes);
        assert_eq!(c.ping_interval, d.ping_interval);
        assert_eq!(c.max_awareness_bytes, d.max_awareness_bytes);
        assert_eq!(c.max_sockets_per_person, d.max_sockets_per_person);
        assert_eq!(c.header_read_timeout, d.header_read_timeout);
        assert_eq!(c.storage_stall_timeout, d.storage_stall_timeout);
    }

    #[test]
    fn passwords_are_redacted() {
        let s = redact_url("postgres://narada:hunter2@db/narada");
        assert!(!s.contains("hunter2"), "{s}");
        let c = Config {
            secret: Some("x".repeat(40)),
            database_url: "postgres://u:hunter2@h/d".into(),
            ..Config::default()
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains("xxxx"), "{dbg}");
    }

    #[test]
    fn example_accounts_table_matches_the_accounts_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../narada.example.toml");
        let c = Config::from_file(&path).expect("example config parses");
        assert_eq!(c.accounts, AccountsSettings::default());
        let a = c.accounts.to_accounts_config().unwrap();
        let d = narada_accounts::AccountsConfig::default();
        assert_eq!(
            (
                a.token_ttl_secs,
                a.session_idle_ms,
                a.backoff_after,
                a.cookie_secure
            ),
            (
                d.token_ttl_secs,
                d.session_idle_ms,
                d.backoff_after,
                d.cookie_secure
            )
        );
        // Production password hashing cost is not a knob.
        assert_eq!(a.argon2_m_kib, d.argon2_m_kib);
    }

    #[test]
    fn https_public_url_makes_cookies_secure_and_bad_values_are_refused() {
        let mut s = AccountsSettings {
            public_url: "https://narada.example.gov.pl/".into(),
            ..AccountsSettings::default()
        };
        let a = s.to_accounts_config().unwrap();
        assert!(a.cookie_secure);
        assert_eq!(a.public_base_url, "https://narada.example.gov.pl");
        s.public_url = "narada.example.gov.pl".into();
        assert!(s.to_accounts_config().is_err());
        s.public_url.clear();
        s.sync_token_ttl = Duration::from_secs(2);
        assert!(s.to_accounts_config().is_err());
        s.sync_token_ttl = Duration::from_secs(60);
        s.backoff_after = 0;
        assert!(s.to_accounts_config().is_err());
    }

    #[test]
    fn dev_tokens_are_off_unless_turned_on() {
        let mut c = Config::default();
        assert_eq!(c.dev_tokens, DevTokens::Off);
        assert!(!c.dev_tokens_enabled(), "off by default, loopback or not");
        // The old `auto` no longer follows the address: it is off everywhere.
        c.dev_tokens = "auto".parse().unwrap();
        assert!(!c.dev_tokens_enabled());
        c.addr = "0.0.0.0:8080".parse().unwrap();
        assert!(!c.dev_tokens_enabled());
        c.dev_tokens = "on".parse().unwrap();
        assert!(c.dev_tokens_enabled());
        assert!("maybe".parse::<DevTokens>().is_err());
        let file: Config = toml::from_str("dev_tokens = \"auto\"").unwrap();
        assert!(!file.dev_tokens_enabled());
    }
}
