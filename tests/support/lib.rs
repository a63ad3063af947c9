//! Test support for Narada's end-to-end tests: a real server on `127.0.0.1:0`, on SQLite or
//! Postgres, and a real y-websocket client built on `yrs` and `tokio-tungstenite`.
//!
//! Every wait here waits for an event (a frame arriving, a state changing) with a deadline;
//! nothing sleeps to synchronise.

pub mod client;
pub mod fault;
pub mod process;
pub mod raw;
pub mod server;

pub use client::Client;
pub use fault::FullDisk;
/// The server crate, for tests elsewhere that wire its hub to other services.
pub use narada_server;
pub use process::NaradaProcess;
pub use raw::RawClient;
pub use server::{Backend, TestServer};

/// The secret every test server signs tokens with.
pub const SECRET: &str = "narada-test-secret-0123456789abcdef-0123456789";

/// Generous deadline for any single expected event.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// A unique document name per test, so tests can share a Postgres database.
pub fn unique_doc(prefix: &str) -> String {
    format!("{prefix}-{:016x}", rand::random::<u64>())
}

/// Mints a token with the test secret.
pub fn token(doc: &str, user: &str, role: narada_auth::Role) -> String {
    narada_auth::TokenKey::new(SECRET.as_bytes())
        .expect("test secret is long enough")
        .issue(doc, user, role, 3600)
}

/// Runs one test body against SQLite and (when configured) Postgres.
///
/// `both_backends!(name, |backend| async move { … })` defines `name_sqlite` and
/// `name_postgres`; the Postgres one prints why it skips when `NARADA_TEST_POSTGRES_URL` is
/// unset (CI always sets it).
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::Backend::sqlite();
                ($body)(backend).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(backend) = $crate::Backend::postgres() else {
                    eprintln!(
                        "skipping {}::postgres: NARADA_TEST_POSTGRES_URL not set",
                        stringify!($name)
                    );
                    return;
                };
                ($body)(backend).await;
            }
        }
    };
}
