//! The seam between one node and the others: what a node publishes when its document changes.
//!
//! A single node has no bus. With `redis_url` set, [`crate::redis_bus`] implements this trait and
//! feeds what other nodes publish back into the hub as remote updates and awareness.

use bytes::Bytes;
use narada_store::DocId;

/// What a document channel message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusKind {
    /// A sync update frame.
    Update,
    /// An awareness frame.
    Awareness,
    /// An application event's JSON.
    Event,
}

pub trait Bus: Send + Sync + 'static {
    /// A sync update frame (`[0][2][update]`) applied on this node.
    fn publish_update(&self, doc: &DocId, frame: &Bytes);
    /// An awareness frame (`[1][update]`) applied on this node.
    fn publish_awareness(&self, doc: &DocId, frame: &Bytes);
    /// An application event (a serialized JSON object) for the clients of `doc` that take
    /// events. One generic kind for every event type: the bus does not know what they mean.
    fn publish_event(&self, doc: &DocId, json: &Bytes);
    /// Access to `doc` (or to every document, when `None`) was revoked for `user`.
    fn publish_revocation(&self, doc: Option<&DocId>, user: &str);
    /// `user`'s role on `doc` changed (their open sockets keep going at the new role).
    fn publish_role(&self, doc: &DocId, user: &str, role: narada_auth::Role);
    /// Takes the lock that lets one node at a time compact `doc`; false when another node has it.
    fn lock_compaction<'a>(&'a self, doc: &'a DocId) -> futures_util::future::BoxFuture<'a, bool>;
}
