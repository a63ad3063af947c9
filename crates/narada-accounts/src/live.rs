//! What the API may ask of the live documents: edits the server makes on someone's behalf, and
//! application events for the people who have a document open.
//!
//! The accounts crate owns a document's routes and rules but not its live state; the hub does.
//! This trait is the seam (the hub implements it; tools and tests that run without a hub use
//! [`NoLiveDocs`]), so a feature's handler checks the policy here and then asks the hub, which
//! applies the edit in the document's single order, relays it on every node and stores it with
//! its author before the future resolves (PROTOCOL.md, "Authorship").

use std::future::Future;
use std::pin::Pin;

use narada_proto::DocState;
use narada_store::AuthorKind;

/// Computes a server-originated edit from the document's current state, as a Yjs v1 update.
/// Called under the document's lock: keep it to CRDT work. Write under a fresh client ID of
/// your own (`rand` u32), never a person's.
pub type ServerEdit = Box<dyn Fn(&DocState) -> Vec<u8> + Send + Sync>;

/// A boxed future, as trait objects need.
pub type LiveFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a server edit was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    #[error("invalid document id")]
    BadDocument,
    #[error("storage is not keeping up; try again")]
    Busy,
    #[error("the edit did not apply")]
    Rejected,
    #[error("storage failed")]
    Storage,
    #[error("no live documents here")]
    Unavailable,
}

pub trait LiveDocs: Send + Sync + 'static {
    /// Makes `edit` on `doc` as a server-originated edit of `kind` on behalf of `person`;
    /// resolves to its log seq once stored, or `None` when it changed nothing.
    fn server_edit(
        &self,
        doc: &str,
        kind: AuthorKind,
        person: Option<String>,
        edit: ServerEdit,
    ) -> LiveFuture<'_, Result<Option<i64>, LiveError>>;

    /// Sends an application event (a JSON object with a `type`) to everyone with `doc` open
    /// who takes events, on every node.
    fn emit_event(&self, doc: &str, event: serde_json::Value);

    /// `person`'s role on `doc` is now `role`: their open sockets, on every node, may do
    /// exactly that from their next message on, without reconnecting, and are told.
    fn set_role(&self, doc: &str, person: &str, role: narada_auth::Role);
}

/// For tools without a hub: edits fail, events go nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLiveDocs;

impl LiveDocs for NoLiveDocs {
    fn server_edit(
        &self,
        _doc: &str,
        _kind: AuthorKind,
        _person: Option<String>,
        _edit: ServerEdit,
    ) -> LiveFuture<'_, Result<Option<i64>, LiveError>> {
        Box::pin(async { Err(LiveError::Unavailable) })
    }

    fn emit_event(&self, _doc: &str, _event: serde_json::Value) {}

    fn set_role(&self, _doc: &str, _person: &str, _role: narada_auth::Role) {}
}
