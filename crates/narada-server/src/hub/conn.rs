//! A connection as the hub sees it: an outbound queue, an identity, and a way to cut it off.
//!
//! The hub never writes to a socket. It pushes frames into each connection's bounded queue with
//! `try_send`, from under the document lock, so a slow client can never stall the document or
//! other clients: when the queue is full, the client is *kicked* (its task closes the socket
//! with the recorded close code) and it re-syncs when it reconnects. Nothing is dropped silently.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use narada_auth::Role;
use narada_proto::presence::ConnId;
use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

/// WebSocket close codes Narada uses (RFC 6455 plus the 4000 private range).
pub mod close {
    /// Server shutting down, everything received from this client stored.
    pub const GOING_AWAY: u16 = 1001;
    /// Malformed message.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// Text frames are not part of the protocol.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// An update the CRDT refused.
    pub const INVALID_DATA: u16 = 1007;
    /// A frame over the size limit.
    pub const TOO_BIG: u16 = 1009;
    /// Unexpected server condition (storage unavailable when loading; shutting down with
    /// edits not stored).
    pub const INTERNAL_ERROR: u16 = 1011;
    /// The document is being reloaded; reconnect.
    pub const SERVICE_RESTART: u16 = 1012;
    /// Client too slow, storage backlog full, or storage failing; reconnect later.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// Reason sent with 1013 when storage has been failing for `storage_stall_timeout`.
    pub const STORAGE_UNAVAILABLE: &str = "storage unavailable";
    /// Reason sent with 1011 at shutdown when edits from this client are not stored.
    pub const NOT_STORED: &str = "server shutting down; recent edits not stored";
    /// Access to the document was revoked.
    pub const ACCESS_REVOKED: u16 = 4403;
}

/// What the hub keeps for each connected client. Cheap to clone.
#[derive(Clone)]
pub struct ConnHandle(Arc<ConnShared>);

pub struct ConnShared {
    pub id: ConnId,
    /// The person (the token's subject): the author of everything this connection writes.
    pub user: Arc<str>,
    /// What the connection may do now. Starts as the token's role and changes while the socket
    /// is open (a share lowered or raised), so it is read on every message, never cached.
    role: AtomicU8,
    /// Whether the client asked for Narada's application events (`events=1`).
    events: bool,
    tx: flume::Sender<Bytes>,
    kicked: CancellationToken,
    close: Mutex<Option<(u16, &'static str)>>,
    counted_slow: AtomicBool,
    /// Updates (and ack markers) handed to the store writer and not yet committed.
    unstored: AtomicU64,
}

/// Result of queueing a frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Queued {
    Yes,
    /// Queue full: the client has been kicked.
    TooSlow,
    /// The connection is already gone.
    Gone,
}

impl ConnHandle {
    pub fn new(id: ConnId, user: Arc<str>, role: Role, tx: flume::Sender<Bytes>) -> Self {
        Self::with_events(id, user, role, false, tx)
    }

    /// A connection that opted in (or not) to application events.
    pub fn with_events(
        id: ConnId,
        user: Arc<str>,
        role: Role,
        events: bool,
        tx: flume::Sender<Bytes>,
    ) -> Self {
        ConnHandle(Arc::new(ConnShared {
            id,
            user,
            role: AtomicU8::new(role_to_u8(role)),
            events,
            tx,
            kicked: CancellationToken::new(),
            close: Mutex::new(None),
            counted_slow: AtomicBool::new(false),
            unstored: AtomicU64::new(0),
        }))
    }

    pub fn id(&self) -> ConnId {
        self.0.id
    }

    pub fn user(&self) -> &str {
        &self.0.user
    }

    /// The person, shared (authorship and client-ID ownership keep it).
    pub fn person(&self) -> &Arc<str> {
        &self.0.user
    }

    pub fn role(&self) -> Role {
        role_from_u8(self.0.role.load(Ordering::Acquire))
    }

    /// Changes what the connection may do from its next message on. Returns the old role.
    pub fn set_role(&self, role: Role) -> Role {
        role_from_u8(self.0.role.swap(role_to_u8(role), Ordering::AcqRel))
    }

    /// Whether the client receives application events.
    pub fn wants_events(&self) -> bool {
        self.0.events
    }

    /// Queues a frame without waiting. A full queue kicks the client.
    pub fn send(&self, frame: Bytes) -> Queued {
        match self.0.tx.try_send(frame) {
            Ok(()) => Queued::Yes,
            Err(flume::TrySendError::Full(_)) => {
                self.kick(close::TRY_AGAIN_LATER, "client too slow");
                Queued::TooSlow
            }
            Err(flume::TrySendError::Disconnected(_)) => Queued::Gone,
        }
    }

    /// Asks the connection's task to close the socket with `code`. The first reason wins.
    pub fn kick(&self, code: u16, reason: &'static str) {
        {
            let mut slot = self.0.close.lock();
            if slot.is_none() {
                *slot = Some((code, reason));
            }
        }
        self.0.kicked.cancel();
    }

    /// True the first time a slow-client kick is counted (so metrics count clients, not frames).
    pub fn first_slow_kick(&self) -> bool {
        !self.0.counted_slow.swap(true, Ordering::Relaxed)
    }

    pub fn kicked(&self) -> &CancellationToken {
        &self.0.kicked
    }

    /// Counts an item handed to the store writer.
    pub fn handed_to_store(&self) {
        self.0.unstored.fetch_add(1, Ordering::AcqRel);
    }

    /// The store writer committed `n` of this connection's items.
    pub fn stored(&self, n: u64) {
        self.0.unstored.fetch_sub(n, Ordering::AcqRel);
    }

    /// Items received from this connection that are not stored yet.
    pub fn unstored(&self) -> u64 {
        self.0.unstored.load(Ordering::Acquire)
    }

    /// The close code and reason recorded by the first kick.
    pub fn close_reason(&self) -> Option<(u16, &'static str)> {
        *self.0.close.lock()
    }
}

fn role_to_u8(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Commenter => 1,
        Role::Editor => 2,
        Role::Moderator => 3,
    }
}

fn role_from_u8(v: u8) -> Role {
    match v {
        3 => Role::Moderator,
        2 => Role::Editor,
        1 => Role::Commenter,
        // Only values written by `role_to_u8` are ever stored; fail closed regardless.
        _ => Role::Viewer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_queue_kicks_with_try_again_later() {
        let (tx, _rx) = flume::bounded(1);
        let c = ConnHandle::new(1, "u".into(), Role::Editor, tx);
        assert_eq!(c.send(Bytes::from_static(b"a")), Queued::Yes);
        assert_eq!(c.send(Bytes::from_static(b"b")), Queued::TooSlow);
        assert!(c.kicked().is_cancelled());
        assert_eq!(
            c.close_reason(),
            Some((close::TRY_AGAIN_LATER, "client too slow"))
        );
        // The first reason is kept.
        c.kick(close::GOING_AWAY, "later");
        assert_eq!(c.close_reason().unwrap().0, close::TRY_AGAIN_LATER);
    }

    #[test]
    fn closed_queue_is_gone() {
        let (tx, rx) = flume::bounded(1);
        drop(rx);
        let c = ConnHandle::new(1, "u".into(), Role::Editor, tx);
        assert_eq!(c.send(Bytes::from_static(b"a")), Queued::Gone);
    }

    #[test]
    fn role_changes_while_connected() {
        let (tx, _rx) = flume::bounded(1);
        let c = ConnHandle::new(1, "u".into(), Role::Editor, tx);
        assert_eq!(c.set_role(Role::Viewer), Role::Editor);
        assert!(!c.role().can_write());
        for r in [Role::Viewer, Role::Commenter, Role::Editor, Role::Moderator] {
            c.set_role(r);
            assert_eq!(c.role(), r);
        }
    }
}
