//! The `narada` command line: `serve` (the default), `token`, `migrate`, `admin`, `seed`,
//! `openapi`.
//!
//! Each flag also reads an environment variable (shown in `--help`), and unset ones fall back to
//! the TOML file given with `--config`, then to the defaults in [`crate::config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use narada_auth::Role;

use crate::config::{Config, DevTokens};

#[derive(Parser, Debug)]
#[command(
    name = "narada",
    version,
    about = "Real-time collaborative documents: a Yjs sync hub."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, which also runs when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Print a signed access token for one document.
    Token(TokenArgs),
    /// Run database migrations and exit.
    Migrate(CommonArgs),
    /// Administration from the shell (bootstrap the first admin).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill the database with demo data.
    Seed(SeedArgs),
    /// Print the OpenAPI description of the HTTP API (the committed `openapi.json`).
    Openapi,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an active account with a password (e.g. the first admin).
    CreateUser(CreateUserArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CreateUserArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// admin, moderator, editor, commenter or viewer.
    #[arg(long, default_value = "admin")]
    pub role: String,
    /// The password; read from NARADA_ADMIN_PASSWORD or, when neither is given, from the first
    /// line of standard input (so it stays out of the process list and shell history).
    #[arg(long, env = "NARADA_ADMIN_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// City ids the person belongs to (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub cities: Vec<i64>,
    /// Network ids the person is assigned to (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub networks: Vec<i64>,
}

#[derive(Args, Debug, Clone)]
pub struct SeedArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Networks, four cities, one person of every role and documents of every kind.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// TOML config file (see narada.example.toml).
    #[arg(long, env = "NARADA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// sqlite://PATH (default sqlite://data/narada.db) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Listen address (default 127.0.0.1:8080).
    #[arg(long, env = "NARADA_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Comma-separated browser origins allowed to open sync sockets.
    #[arg(long, env = "NARADA_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Option<Vec<String>>,
    /// Serve POST /api/dev/token (editor tokens without sign-in, for trying Narada out): off
    /// (default) or on.
    #[arg(long, env = "NARADA_DEV_TOKENS")]
    pub dev_tokens: Option<DevTokens>,
    /// Largest ordinary message, bytes.
    #[arg(long, env = "NARADA_MAX_MESSAGE_BYTES")]
    pub max_message_bytes: Option<usize>,
    /// Largest message during the initial sync, bytes.
    #[arg(long, env = "NARADA_MAX_SYNC_BYTES")]
    pub max_sync_bytes: Option<usize>,
    /// Largest awareness state kept and relayed, bytes.
    #[arg(long, env = "NARADA_MAX_AWARENESS_BYTES")]
    pub max_awareness_bytes: Option<usize>,
    /// Sockets one person may hold open on one document.
    #[arg(long, env = "NARADA_MAX_SOCKETS_PER_PERSON")]
    pub max_sockets_per_person: Option<usize>,
    /// Frames queued per client before it is disconnected as too slow.
    #[arg(long, env = "NARADA_OUTBOUND_QUEUE")]
    pub outbound_queue: Option<usize>,
    /// Keepalive ping interval (e.g. 20s).
    #[arg(long, env = "NARADA_PING_INTERVAL", value_parser = humantime::parse_duration)]
    pub ping_interval: Option<Duration>,
    /// Disconnect a client silent this long (e.g. 50s).
    #[arg(long, env = "NARADA_IDLE_TIMEOUT", value_parser = humantime::parse_duration)]
    pub idle_timeout: Option<Duration>,
    /// Remove awareness not renewed this long (e.g. 30s).
    #[arg(long, env = "NARADA_AWARENESS_TIMEOUT", value_parser = humantime::parse_duration)]
    pub awareness_timeout: Option<Duration>,
    /// Most updates per group commit.
    #[arg(long, env = "NARADA_PERSIST_MAX_BATCH")]
    pub persist_max_batch: Option<usize>,
    /// Most updates waiting for storage before writes are refused.
    #[arg(long, env = "NARADA_PERSIST_QUEUE")]
    pub persist_queue: Option<usize>,
    /// Commits failing this long close writers and refuse edits until storage recovers (e.g. 30s).
    #[arg(long, env = "NARADA_STORAGE_STALL_TIMEOUT", value_parser = humantime::parse_duration)]
    pub storage_stall_timeout: Option<Duration>,
    /// Store a snapshot once a document's log tail is this long.
    #[arg(long, env = "NARADA_COMPACT_AFTER")]
    pub compact_after: Option<usize>,
    /// WebSocket read buffer per connection, bytes.
    #[arg(long, env = "NARADA_WS_READ_BUFFER")]
    pub ws_read_buffer: Option<usize>,
    /// WebSocket write buffer per connection, bytes.
    #[arg(long, env = "NARADA_WS_WRITE_BUFFER")]
    pub ws_write_buffer: Option<usize>,
    /// Close a connection that has not sent its request head within this (e.g. 10s).
    #[arg(long, env = "NARADA_HEADER_READ_TIMEOUT", value_parser = humantime::parse_duration)]
    pub header_read_timeout: Option<Duration>,
    /// Shutdown grace period (e.g. 10s).
    #[arg(long, env = "NARADA_SHUTDOWN_GRACE", value_parser = humantime::parse_duration)]
    pub shutdown_grace: Option<Duration>,
    /// redis://HOST:PORT to share live updates with other nodes.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, env = "NARADA_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Address people reach the service at (prefix of invitation/reset links; https:// makes
    /// cookies Secure).
    #[arg(long, env = "NARADA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark cookies Secure (TLS ends at a proxy): true or false.
    #[arg(long, env = "NARADA_COOKIE_SECURE", value_parser = BoolishValueParser::new())]
    pub cookie_secure: Option<bool>,
    /// Client address from X-Forwarded-For (only behind your own proxy): true or false.
    #[arg(long, env = "NARADA_TRUST_FORWARDED_FOR", value_parser = BoolishValueParser::new())]
    pub trust_forwarded_for: Option<bool>,
    /// Lifetime of sync tokens from POST /api/docs/{id}/token (e.g. 10m; 10s to 24h).
    #[arg(long, env = "NARADA_SYNC_TOKEN_TTL", value_parser = humantime::parse_duration)]
    pub sync_token_ttl: Option<Duration>,
    /// A session unused this long ends (e.g. 8h).
    #[arg(long, env = "NARADA_SESSION_IDLE", value_parser = humantime::parse_duration)]
    pub session_idle: Option<Duration>,
    /// A session ends this long after sign-in (e.g. 7d).
    #[arg(long, env = "NARADA_SESSION_MAX", value_parser = humantime::parse_duration)]
    pub session_max: Option<Duration>,
    /// Failed sign-ins for one account from one address before further attempts from it wait.
    #[arg(long, env = "NARADA_BACKOFF_AFTER")]
    pub backoff_after: Option<u32>,
    /// Longest wait between sign-in attempts after repeated failures (e.g. 15m).
    #[arg(long, env = "NARADA_BACKOFF_MAX", value_parser = humantime::parse_duration)]
    pub backoff_max: Option<Duration>,
    /// Failed sign-ins for one account from addresses it never signed in from, before those
    /// addresses wait too.
    #[arg(long, env = "NARADA_ACCOUNT_BACKOFF_AFTER")]
    pub account_backoff_after: Option<u32>,
    /// Failed sign-ins from one address, at most, per --ip-window.
    #[arg(long, env = "NARADA_IP_MAX_FAILURES")]
    pub ip_max_failures: Option<u32>,
    /// Sliding window of --ip-max-failures (e.g. 15m).
    #[arg(long, env = "NARADA_IP_WINDOW", value_parser = humantime::parse_duration)]
    pub ip_window: Option<Duration>,
    /// How long an invitation link stays valid (e.g. 7d).
    #[arg(long, env = "NARADA_INVITE_TTL", value_parser = humantime::parse_duration)]
    pub invite_ttl: Option<Duration>,
    /// How long a password-reset link stays valid (e.g. 24h).
    #[arg(long, env = "NARADA_RESET_TTL", value_parser = humantime::parse_duration)]
    pub reset_ttl: Option<Duration>,
}

#[derive(Args, Debug, Clone)]
pub struct TokenArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Document name.
    #[arg(long)]
    pub doc: String,
    /// User id or name the token is for.
    #[arg(long)]
    pub user: String,
    /// viewer, commenter, editor or moderator.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Lifetime (e.g. 1h, 30m, 7d).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    pub ttl: Duration,
}

impl clap::ValueEnum for DevTokens {
    fn value_variants<'a>() -> &'a [Self] {
        &[DevTokens::Off, DevTokens::On, DevTokens::Auto]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(match self {
            DevTokens::Off => clap::builder::PossibleValue::new("off"),
            DevTokens::On => clap::builder::PossibleValue::new("on"),
            // Accepted (read as off, warned about at start), not offered in --help.
            DevTokens::Auto => clap::builder::PossibleValue::new("auto").hide(true),
        })
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|_| "role must be viewer, commenter, editor or moderator".to_owned())
}

/// File (or defaults) overlaid with the environment's secret.
pub fn base_config(common: &CommonArgs) -> anyhow::Result<Config> {
    let mut c = match &common.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(url) = &common.database_url {
        c.database_url = url.clone();
    }
    if let Ok(secret) = std::env::var("NARADA_SECRET") {
        if !secret.is_empty() {
            c.secret = Some(secret);
        }
    }
    Ok(c)
}

impl ServeArgs {
    /// The effective configuration: flags and env over file over defaults.
    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut c = base_config(&self.common)?;
        macro_rules! overlay {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { c.$field = v; } )* };
        }
        overlay!(
            addr,
            allowed_origins,
            dev_tokens,
            max_message_bytes,
            max_sync_bytes,
            max_awareness_bytes,
            max_sockets_per_person,
            outbound_queue,
            ping_interval,
            idle_timeout,
            awareness_timeout,
            persist_max_batch,
            persist_queue,
            storage_stall_timeout,
            compact_after,
            ws_read_buffer,
            ws_write_buffer,
            header_read_timeout,
            shutdown_grace,
            log_format
        );
        if self.redis_url.is_some() {
            c.redis_url = self.redis_url;
        }
        let a = &mut c.accounts;
        macro_rules! overlay_accounts {
            ($($field:ident),*) => { $( if let Some(v) = self.$field { a.$field = v; } )* };
        }
        overlay_accounts!(
            public_url,
            cookie_secure,
            trust_forwarded_for,
            sync_token_ttl,
            session_idle,
            session_max,
            backoff_after,
            backoff_max,
            account_backoff_after,
            ip_max_failures,
            ip_window,
            invite_ttl,
            reset_ttl
        );
        // Unusable values are refused by `Server::build`, which converts them before serving.
        Ok(c)
    }
}

impl ServeArgs {
    /// Merges options given before the subcommand with those after it (after wins).
    pub fn merged(self, top: ServeArgs) -> ServeArgs {
        macro_rules! pick {
            ($($field:ident),*) => { ServeArgs {
                common: CommonArgs {
                    config: self.common.config.or(top.common.config),
                    database_url: self.common.database_url.or(top.common.database_url),
                },
                $( $field: self.$field.or(top.$field), )*
            } };
        }
        pick!(
            addr,
            allowed_origins,
            dev_tokens,
            max_message_bytes,
            max_sync_bytes,
            max_awareness_bytes,
            max_sockets_per_person,
            outbound_queue,
            ping_interval,
            idle_timeout,
            awareness_timeout,
            persist_max_batch,
            persist_queue,
            storage_stall_timeout,
            compact_after,
            ws_read_buffer,
            ws_write_buffer,
            header_read_timeout,
            shutdown_grace,
            redis_url,
            log_format,
            public_url,
            cookie_secure,
            trust_forwarded_for,
            sync_token_ttl,
            session_idle,
            session_max,
            backoff_after,
            backoff_max,
            account_backoff_after,
            ip_max_failures,
            ip_window,
            invite_ttl,
            reset_ttl
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_means_serve_and_flags_override_defaults() {
        let cli =
            Cli::try_parse_from(["narada", "--addr", "127.0.0.1:9999", "--compact-after", "5"])
                .unwrap();
        assert!(cli.command.is_none());
        let c = cli.serve.into_config().unwrap();
        assert_eq!(c.addr.port(), 9999);
        assert_eq!(c.compact_after, 5);
    }

    #[test]
    fn token_subcommand_parses_roles_and_ttl() {
        let cli = Cli::try_parse_from([
            "narada", "token", "--doc", "plan", "--user", "anna", "--role", "viewer", "--ttl", "2h",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Token(t)) => {
                assert_eq!(t.role, Role::Viewer);
                assert_eq!(t.ttl, Duration::from_secs(7200));
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from([
            "narada", "token", "--doc", "d", "--user", "u", "--role", "root"
        ])
        .is_err());
    }
}
