//! The accounts database: one sqlx `Any` pool over the same DATABASE_URL the store uses.
//!
//! The queries in this crate are written once, in the SQL both SQLite and Postgres accept
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`, BIGINT/INTEGER times in Unix milliseconds), so
//! the `Any` driver lets one code path serve both backends. The store opens the same SQLite file
//! in WAL mode, so every SQLite connection here waits on a busy database instead of failing.

use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::error::{AccountsError, Result};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle to the accounts tables. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

/// How to open the pool.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// Postgres only: run `SET search_path TO <schema>` on every connection (tests use a fresh
    /// schema each, so they can share one database).
    pub pg_schema: Option<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 8,
            pg_schema: None,
        }
    }
}

fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

impl Db {
    /// Opens a pool for `url` (`sqlite://…` or `postgres://…`). Does not run migrations.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, DbOptions::default()).await
    }

    pub async fn connect_with(url: &str, opts: DbOptions) -> Result<Db> {
        install_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(AccountsError::validation(
                "unsupported database URL (expected sqlite:// or postgres://)",
            ));
        };
        let connect_opts: AnyConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| AccountsError::Internal(format!("bad database URL: {e}")))?;
        if let Some(schema) = &opts.pg_schema {
            let ok = !schema.is_empty()
                && schema
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(AccountsError::validation("schema name must be [a-z0-9_]+"));
            }
        }
        let schema = opts.pg_schema.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // The store writes the same file; wait for its locks rather than fail.
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                        }
                        Backend::Postgres => {
                            if let Some(schema) = schema {
                                // Validated above to [a-z0-9_]+, so this cannot inject SQL.
                                conn.execute(format!("SET search_path TO {schema}").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect_opts)
            .await?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs every migration of this backend's folder: the store's (0001..0099) and ours (0100..).
    /// Idempotent; the server normally runs them through `narada_store::connect` instead.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Starts a transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`):
    /// our transactions read and then write, and a deferred one whose read snapshot is
    /// overtaken by another writer's commit (the hub's group commits, on the same file) fails
    /// with SQLITE_BUSY at its first write instead of waiting. IMMEDIATE waits (busy_timeout).
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
