//! Starting and stopping real Narada servers for tests.

use std::net::SocketAddr;
use std::sync::Arc;

use narada_server::config::Config;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::SECRET;

/// Where a test server keeps its data. Cloning shares the same database.
#[derive(Clone)]
pub struct Backend {
    pub url: String,
    pub kind: &'static str,
    /// Keeps the SQLite folder alive as long as any clone of the backend.
    _dir: Option<Arc<tempfile::TempDir>>,
}

impl Backend {
    pub fn sqlite() -> Backend {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/narada.db", dir.path().display());
        Backend {
            url,
            kind: "sqlite",
            _dir: Some(Arc::new(dir)),
        }
    }

    /// `None` when `NARADA_TEST_POSTGRES_URL` is unset.
    pub fn postgres() -> Option<Backend> {
        let url = std::env::var("NARADA_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        Some(Backend {
            url,
            kind: "postgres",
            _dir: None,
        })
    }

    /// A configuration for a test server on an ephemeral port.
    pub fn config(&self) -> Config {
        Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: self.url.clone(),
            secret: Some(SECRET.into()),
            ..Config::default()
        }
    }
}

/// An in-process server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    pub state: narada_server::app::AppState,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub async fn start(backend: &Backend) -> TestServer {
        Self::start_with(backend.config()).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        let store = narada_store::connect(&config.database_url)
            .await
            .expect("store opens");
        Self::start_with_store(config, store).await
    }

    /// A server on a store the test opened itself (and keeps a handle on).
    pub async fn start_with_store(
        config: Config,
        store: Arc<dyn narada_store::Store>,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let server =
            narada_server::Server::build_with_store(config, listener, shutdown.clone(), store)
                .await
                .expect("server builds");
        let state = server.state().clone();
        let handle = tokio::spawn(server.serve());
        TestServer {
            addr,
            shutdown,
            state,
            handle: Some(handle),
        }
    }

    /// `ws://ADDR/sync/DOC?token=…` (plus `&ack=1` when asked).
    pub fn sync_url(&self, doc: &str, token: &str, ack: bool) -> String {
        let ack = if ack { "&ack=1" } else { "" };
        format!("ws://{}/sync/{doc}?token={token}{ack}", self.addr)
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Graceful stop (like SIGTERM); returns what `run` returned.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.handle.take().unwrap().await.expect("server task")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
