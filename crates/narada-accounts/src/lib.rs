//! Narada's accounts: people, cities, networks and who may do what with each document.
//!
//! * [`policy`] — the permission rules, in one place, as pure functions.
//! * [`auth`] — sign-in (argon2id), sessions, CSRF, one-time links, per-address limits.
//! * [`throttle`] — slowing password guessing per address + account and per account.
//! * [`api`] — the JSON API the server mounts under `/api` ([`router`]).
//! * [`audit`] — the append-only audit trail.
//! * [`review`], [`anchor`] — expert review threads and where they point in the text.
//! * [`access`] — who lost access after a change, so their sockets can be closed.
//! * [`live`] — what the API may ask of the live documents (server edits, events).
//! * [`seed`] — `create_user` for `narada admin create-user` and the `narada seed --demo` data.
//! * [`setup`] — first-run setup: the first administrator, guarded by a code from the log.
//!
//! The tables are created by `migrations/<backend>/0100_accounts.sql`; the store runs them along
//! with its own. The accounts service opens its own pool ([`db::Db`]) on the same database.

use std::sync::Arc;

use narada_auth::{AccessRevoker, TokenKey};

pub mod access;
pub mod anchor;
pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod history;
pub mod live;
pub mod model;
pub mod policy;
pub mod review;
pub mod seed;
pub mod setup;
pub mod text;
pub mod throttle;

pub use api::router;
pub use config::{AccountsConfig, Clock, ManualClock, SystemClock};
pub use db::Db;
pub use error::AccountsError;
pub use seed::{create_user, seed_demo, DemoAccount, NewUser, DEMO_PASSWORD};

/// Everything the API handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AccountsState {
    pub db: Db,
    /// Signs the sync tokens handed out by `POST /api/docs/{id}/token`.
    pub tokens: TokenKey,
    /// Closes live sockets when someone loses access.
    pub revoker: Arc<dyn AccessRevoker>,
    pub config: Arc<AccountsConfig>,
    pub clock: Arc<dyn Clock>,
    /// The live documents: server-originated edits and events (see [`live`]).
    pub live: Arc<dyn live::LiveDocs>,
    /// First-run setup (closed unless the server found no people at start).
    pub setup: Arc<setup::Setup>,
}

impl AccountsState {
    pub fn new(
        db: Db,
        tokens: TokenKey,
        revoker: Arc<dyn AccessRevoker>,
        config: AccountsConfig,
    ) -> Self {
        AccountsState {
            db,
            tokens,
            revoker,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            live: Arc::new(live::NoLiveDocs),
            setup: Arc::new(setup::Setup::closed()),
        }
    }

    /// Connects the API to the live documents (the server passes its hub).
    pub fn with_live(mut self, live: Arc<dyn live::LiveDocs>) -> Self {
        self.live = live;
        self
    }

    /// Offers first-run setup (the server does this when the database has no people).
    pub fn with_setup(mut self, setup: setup::Setup) -> Self {
        self.setup = Arc::new(setup);
        self
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Carries out access changes on live sockets, after the change committed: who lost all
    /// access is disconnected; a changed role applies to the open sockets at once.
    pub(crate) fn apply_access(&self, changes: &[((String, i64), Option<narada_auth::Role>)]) {
        for ((doc, person), role) in changes {
            match role {
                None => {
                    tracing::info!(doc = %doc, person = *person, "access withdrawn: closing sockets");
                    self.revoker.revoke(doc, &person.to_string());
                }
                Some(role) => {
                    tracing::info!(doc = %doc, person = *person, %role, "role changed on open sockets");
                    self.live.set_role(doc, &person.to_string(), *role);
                }
            }
        }
    }
}

/// A revoker that does nothing, for tools that run without a hub (CLI, seeding).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRevoker;

impl AccessRevoker for NoRevoker {
    fn revoke(&self, _doc: &str, _user: &str) {}
    fn revoke_user(&self, _user: &str) {}
}
