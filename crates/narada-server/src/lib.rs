//! The Narada sync hub as a library: the `narada` binary is a thin shell around [`run`], and the
//! integration tests call [`run`] on `127.0.0.1:0` with their own shutdown token.
//!
//! - [`config`]: every knob. [`cli`]: the command line.
//! - [`listen`]: the accept loop (HTTP/1.1, header-read timeout, bounded shutdown).
//! - [`app`]: routes and shared state. [`sync`]: the sync socket. [`web`]: the embedded editor.
//! - [`openapi`]: the API's OpenAPI description, generated from the handlers.
//! - [`hub`]: open documents, connections, load/unload/compaction.
//! - [`persist`]: group commits and durable acks. [`bus`] / [`redis_bus`]: other nodes.
//! - [`metrics`]: Prometheus counters. [`secret`]: the token signing key.
//! - [`origin`]: which browser origins may open sync sockets. [`quota`]: sockets per person.

pub mod app;
pub mod bus;
pub mod cli;
pub mod config;
pub mod hub;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod origin;
pub mod persist;
pub mod quota;
pub mod redis_bus;
pub mod secret;
pub mod sync;
pub mod web;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::AppState;
use crate::config::{redact_url, Config, DevTokens};
use crate::hub::{Hub, HubConfig};
use crate::metrics::Metrics;

/// A built server: storage open, hub started, routes ready, not yet serving.
pub struct Server {
    state: AppState,
    listener: TcpListener,
    router: axum::Router,
}

impl Server {
    /// Opens storage (running migrations), resolves the signing key, starts the hub.
    pub async fn build(
        config: Config,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Server> {
        config.check()?;
        let store = narada_store::connect(&config.database_url)
            .await
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", redact_url(&config.database_url)))?;
        Self::build_with_store(config, listener, shutdown, store).await
    }

    /// [`Server::build`] on a store opened (and migrated) by the caller, at
    /// `config.database_url`: tests keep a handle on it to inject faults.
    pub async fn build_with_store(
        config: Config,
        listener: TcpListener,
        shutdown: CancellationToken,
        store: Arc<dyn narada_store::Store>,
    ) -> anyhow::Result<Server> {
        config.check()?;
        let tokens = secret::resolve(config.secret.as_deref(), &*store).await?;
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::start(
            store,
            Arc::clone(&metrics),
            HubConfig {
                persist_max_batch: config.persist_max_batch,
                persist_queue: config.persist_queue,
                compact_after: config.compact_after,
                awareness_timeout: config.awareness_timeout,
                max_awareness_bytes: config.max_awareness_bytes,
                storage_stall_timeout: config.storage_stall_timeout,
            },
        );
        if let Some(url) = &config.redis_url {
            let bus = redis_bus::RedisBus::start(url, Arc::downgrade(&hub), shutdown.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e} ({})", redact_url(url)))?;
            hub.set_bus(bus);
        }
        // People, documents and permissions (`/api/auth`, `/api/docs`, `/api/admin`): its own
        // pool on the same database (the store's migrator created its tables), signing sync
        // tokens with the same key, and closing sockets through the hub on revocation.
        let accounts_db = narada_accounts::Db::connect(&config.database_url)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "opening accounts on {}: {e}",
                    redact_url(&config.database_url)
                )
            })?;
        match config.dev_tokens {
            DevTokens::On => tracing::warn!(
                "dev_tokens = on: anyone who can reach this server gets editor tokens without \
                 signing in (POST /api/dev/token), for every document that belongs to no city \
                 or network; turn it off outside a developer's machine"
            ),
            DevTokens::Auto => tracing::warn!(
                "dev_tokens = \"auto\" is no longer supported and is read as off: set \
                 dev_tokens = \"on\" to hand out developer tokens, or remove the setting"
            ),
            DevTokens::Off => {}
        }
        let accounts_config = config.accounts.to_accounts_config()?;
        let setup = narada_accounts::setup::Setup::for_database(&accounts_db).await?;
        if let Some(code) = setup.code() {
            // The one secret the log carries, on purpose (as Jupyter and Grafana do): whoever
            // runs the server reads it to create the first administrator. It works once, in
            // this process only, and is void after 10 wrong tries.
            tracing::warn!(
                "first-run setup: open {}/setup and enter code {code}",
                setup_base_url(&accounts_config.public_base_url, listener.local_addr()?)
            );
        }
        // The dev token endpoint tells owned documents from scratch ones by their metadata.
        let dev_tokens_db = accounts_db.clone();
        let accounts = narada_accounts::AccountsState::new(
            accounts_db,
            tokens.clone(),
            hub.clone(),
            accounts_config,
        )
        .with_live(Arc::new(hub::LiveHub(hub.clone())))
        .with_setup(setup);
        // Automatic versions (issue 10): a sweep over the stored log, on every node (the
        // database keeps two nodes from storing the same one).
        tokio::spawn(narada_accounts::history::run_auto(
            accounts.clone(),
            shutdown.clone().cancelled_owned(),
        ));
        let origins = Arc::new(origin::Origins::from_config(
            &config,
            listener.local_addr()?,
        )?);
        let state = AppState {
            hub,
            metrics,
            tokens,
            config: Arc::new(config),
            shutdown,
            connections: TaskTracker::new(),
            origins,
            sockets: Arc::default(),
            accounts_db: dev_tokens_db,
        };
        let router = app::router(state.clone())
            .merge(axum::Router::new().nest("/api", narada_accounts::router(accounts)));
        Ok(Server {
            state,
            listener,
            router,
        })
    }

    /// Shared state (the hub, the token key), for embedding and tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the shutdown token is cancelled, then closes every socket with 1001,
    /// commits everything not yet stored, and returns.
    pub async fn serve(self) -> anyhow::Result<()> {
        let Server {
            state,
            listener,
            router,
        } = self;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, storage = state.hub.store().kind(), dev_tokens = state.config.dev_tokens_enabled(), "narada listening");
        if state.config.ping_interval >= std::time::Duration::from_secs(30) {
            tracing::warn!(ping_interval = ?state.config.ping_interval, "ping_interval is 30s or more: stock y-websocket clients alone on a document will reconnect every 30s");
        }
        if !addr.ip().is_loopback() && state.origins.loopback_only() {
            tracing::warn!("no accounts.public_url or allowed_origins: browsers can open sync sockets only from http://localhost:{}", addr.port());
        }
        let http = listen::serve(
            listener,
            router,
            state.config.header_read_timeout,
            state.shutdown.clone(),
        )
        .await;

        // One grace period for everything the clients are doing: HTTP requests in progress
        // (or half sent) and sockets closing.
        let grace = state.config.shutdown_grace;
        let deadline = tokio::time::Instant::now() + grace;
        tracing::info!("shutting down: closing sockets and flushing storage");
        state.connections.close();
        let clients_done = async { tokio::join!(http.finished(), state.connections.wait()) };
        if tokio::time::timeout_at(deadline, clients_done)
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close within the grace period");
        }
        http.drop_the_rest().await;
        if tokio::time::timeout(grace, state.hub.flush_and_stop())
            .await
            .is_err()
        {
            tracing::error!("storage did not finish flushing within the grace period");
            anyhow::bail!("unflushed updates at shutdown");
        }
        tracing::info!("stopped cleanly");
        Ok(())
    }
}

/// Where people reach this server: the configured public URL, else the listening address (a
/// wildcard address shown as `localhost`).
fn setup_base_url(public_url: &str, addr: std::net::SocketAddr) -> String {
    if !public_url.is_empty() {
        return public_url.to_owned();
    }
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "localhost".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}", addr.port())
}

/// Builds and serves until `shutdown` is cancelled (see [`Server::serve`]).
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    Server::build(config, listener, shutdown)
        .await?
        .serve()
        .await
}
