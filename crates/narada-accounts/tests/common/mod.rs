//! Shared test harness: one definition, run on SQLite always and on Postgres when
//! NARADA_TEST_POSTGRES_URL is set (each run in a fresh schema of the shared database).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use narada_accounts::db::DbOptions;
use narada_accounts::policy::AccountRole;
use narada_accounts::{AccountsConfig, AccountsState, Db, ManualClock, NewUser};
use narada_auth::{AccessRevoker, TokenKey};
use parking_lot::Mutex;
use serde_json::{json, Value};
use sqlx::Row;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";
pub const START_MS: i64 = 1_700_000_000_000;

/// Records every revocation the service asks for.
#[derive(Default)]
pub struct RecordingRevoker {
    pub docs: Mutex<Vec<(String, String)>>,
    pub users: Mutex<Vec<String>>,
}

impl AccessRevoker for RecordingRevoker {
    fn revoke(&self, doc: &str, user: &str) {
        self.docs.lock().push((doc.to_owned(), user.to_owned()));
    }
    fn revoke_user(&self, user: &str) {
        self.users.lock().push(user.to_owned());
    }
}

pub struct Env {
    pub name: &'static str,
    /// The database URL (SQLite: the file; Postgres: the shared database, schema set per pool).
    pub url: String,
    pub db: Db,
    pub state: AccountsState,
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub revoker: Arc<RecordingRevoker>,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema(String, String),
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique() -> String {
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    )
}

fn build_with(
    name: &'static str,
    url: String,
    db: Db,
    cleanup: Cleanup,
    config: AccountsConfig,
) -> Env {
    let clock = Arc::new(ManualClock::new(START_MS));
    let revoker = Arc::new(RecordingRevoker::default());
    let state = AccountsState::new(
        db.clone(),
        TokenKey::new(&[7u8; 32]).expect("key"),
        revoker.clone(),
        config,
    )
    .with_clock(clock.clone());
    let router = Router::new().nest("/api", narada_accounts::router(state.clone()));
    Env {
        name,
        url,
        db,
        state,
        router,
        clock,
        revoker,
        cleanup,
    }
}

/// A fresh SQLite database with the given settings (tests that need SQLite's file lock).
pub async fn sqlite_with(config: AccountsConfig) -> Env {
    let path = std::env::temp_dir().join(format!("narada-accounts-{}.db", unique()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Db::connect(&url).await.expect("sqlite");
    db.migrate().await.expect("sqlite migrations");
    build_with("sqlite", url, db, Cleanup::File(path), config)
}

/// A fresh SQLite database, and a fresh Postgres schema when configured.
pub async fn backends() -> Vec<Env> {
    backends_with(AccountsConfig::for_tests()).await
}

/// [`backends`] with other settings.
pub async fn backends_with(config: AccountsConfig) -> Vec<Env> {
    let mut out = Vec::new();
    out.push(sqlite_with(config.clone()).await);

    match std::env::var("NARADA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("acc_{}", unique());
            let admin = Db::connect(&url).await.expect("postgres");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(admin.pool())
                .await
                .expect("create schema");
            let opts = DbOptions {
                max_connections: 4,
                pg_schema: Some(schema.clone()),
            };
            let db = Db::connect_with(&url, opts).await.expect("postgres pool");
            db.migrate().await.expect("postgres migrations");
            out.push(build_with(
                "postgres",
                url.clone(),
                db,
                Cleanup::Schema(url, schema),
                config,
            ));
        }
        _ => eprintln!("skipping postgres: NARADA_TEST_POSTGRES_URL not set"),
    }
    out
}

/// Runs a check on every backend, cleaning up after each.
#[macro_export]
macro_rules! on_both_backends {
    ($test:ident, $check:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            for env in common::backends().await {
                eprintln!("{}: backend {}", stringify!($test), env.name);
                $check(&env).await;
                env.cleanup().await;
            }
        }
    };
}

/// A signed-in browser: its session cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub person: i64,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub set_cookies: Vec<String>,
    /// `Retry-After`, seconds, when sent.
    pub retry_after: Option<u64>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

/// Live documents for tests without a hub: records every event and live role change; server
/// edits are unavailable.
#[derive(Default)]
pub struct RecordingLive {
    pub events: Mutex<Vec<(String, Value)>>,
    pub roles: Mutex<Vec<(String, String, narada_auth::Role)>>,
}

impl narada_accounts::live::LiveDocs for RecordingLive {
    fn server_edit(
        &self,
        _doc: &str,
        _kind: narada_store::AuthorKind,
        _person: Option<String>,
        _edit: narada_accounts::live::ServerEdit,
    ) -> narada_accounts::live::LiveFuture<'_, Result<Option<i64>, narada_accounts::live::LiveError>>
    {
        Box::pin(async { Err(narada_accounts::live::LiveError::Unavailable) })
    }

    fn emit_event(&self, doc: &str, event: Value) {
        self.events.lock().push((doc.to_owned(), event));
    }

    fn set_role(&self, doc: &str, person: &str, role: narada_auth::Role) {
        self.roles
            .lock()
            .push((doc.to_owned(), person.to_owned(), role));
    }
}

impl Env {
    /// The same environment with its API connected to `live`.
    pub fn with_live(mut self, live: Arc<dyn narada_accounts::live::LiveDocs>) -> Env {
        self.state = self.state.clone().with_live(live);
        self.router = Router::new().nest("/api", narada_accounts::router(self.state.clone()));
        self
    }

    /// The same database and clock, serving first-run setup with `setup`.
    pub fn with_setup(mut self, setup: narada_accounts::setup::Setup) -> Env {
        self.state = self.state.with_setup(setup);
        self.router = Router::new().nest("/api", narada_accounts::router(self.state.clone()));
        self
    }

    pub async fn cleanup(self) {
        self.db.pool().close().await;
        match self.cleanup {
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
                }
            }
            Cleanup::Schema(url, schema) => {
                if let Ok(db) = Db::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                        .execute(db.pool())
                        .await;
                }
            }
        }
    }

    pub async fn network_id(&self, name: &str) -> i64 {
        sqlx::query("SELECT id FROM networks WHERE name = $1")
            .bind(name.to_owned())
            .fetch_one(self.db.pool())
            .await
            .expect("network")
            .try_get("id")
            .expect("id")
    }

    pub async fn city(&self, name: &str, networks: &[i64]) -> i64 {
        let id: i64 =
            sqlx::query("INSERT INTO cities (name, created_at) VALUES ($1, 0) RETURNING id")
                .bind(name.to_owned())
                .fetch_one(self.db.pool())
                .await
                .expect("city")
                .try_get("id")
                .expect("id");
        for n in networks {
            sqlx::query("INSERT INTO city_networks (city_id, network_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*n)
                .execute(self.db.pool())
                .await
                .expect("city network");
        }
        id
    }

    pub async fn person(
        &self,
        email: &str,
        role: AccountRole,
        cities: &[i64],
        networks: &[i64],
    ) -> i64 {
        let user = NewUser {
            email,
            name: email,
            password: PASSWORD,
            role,
            cities,
            networks,
        };
        narada_accounts::create_user(&self.db, &self.state.config, &user)
            .await
            .expect("create user")
            .id
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<Value>,
    ) -> Answer {
        self.request_with(method, path, session, body, true).await
    }

    /// `with_csrf = false` leaves the CSRF header off.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<Value>,
        with_csrf: bool,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(s) = session {
            req = req.header(
                header::COOKIE,
                format!("narada_session={}; narada_csrf={}", s.cookie, s.csrf),
            );
            if with_csrf {
                req = req.header("x-csrf-token", s.csrf.clone());
            }
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5555))));
        self.send(req).await
    }

    /// `POST /api/auth/login` from the client address `ip`.
    pub async fn try_login_from(&self, ip: [u8; 4], email: &str, password: &str) -> Answer {
        let body = json!({ "email": email, "password": password }).to_string();
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 5555))));
        self.send(req).await
    }

    pub async fn send(&self, req: Request<Body>) -> Answer {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let set_cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer {
            status,
            body,
            set_cookies,
            retry_after,
        }
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Answer {
        self.request(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    pub async fn login(&self, email: &str) -> Session {
        self.login_with(email, PASSWORD).await
    }

    pub async fn login_with(&self, email: &str, password: &str) -> Session {
        let a = self.try_login(email, password).await;
        assert_eq!(a.status, StatusCode::OK, "login {email}: {a:?}");
        session_from(&a)
    }
}

/// The four kinds of address an attacker may type, and one way to make each.
pub async fn sign_in_addresses(env: &Env) -> [&'static str; 4] {
    env.person("known@x.pl", AccountRole::Editor, &[], &[])
        .await;
    env.person("disabled@x.pl", AccountRole::Editor, &[], &[])
        .await;
    env.person("invited@x.pl", AccountRole::Editor, &[], &[])
        .await;
    sqlx::query("UPDATE people SET disabled_at = 1 WHERE email = 'disabled@x.pl'")
        .execute(env.db.pool())
        .await
        .expect("disable");
    sqlx::query("UPDATE people SET password_hash = NULL WHERE email = 'invited@x.pl'")
        .execute(env.db.pool())
        .await
        .expect("no password yet");
    [
        "known@x.pl",
        "unknown@x.pl",
        "disabled@x.pl",
        "invited@x.pl",
    ]
}

pub fn session_from(a: &Answer) -> Session {
    let cookie = a
        .set_cookies
        .iter()
        .find_map(|c| c.strip_prefix("narada_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    Session {
        cookie,
        csrf: a.body["csrf_token"].as_str().expect("csrf").to_owned(),
        person: a.body["person"]["id"].as_i64().expect("person id"),
    }
}
