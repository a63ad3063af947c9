//! Narada's sans-IO core.
//!
//! Everything here is bytes in, bytes out: no sockets, no runtime, no database. The server crate
//! feeds frames that arrived on a WebSocket into [`message::decode`], applies the result to a
//! [`doc::DocState`], and sends the frames this crate encodes. Keeping the protocol here makes it
//! testable with plain byte strings and reusable by the load generator.
//!
//! - [`varint`]: lib0's variable-length integers and buffers, with bounds checks.
//! - [`message`]: the y-websocket messages (sync, awareness, auth, Narada's ack extension).
//! - [`doc`]: a yrs document whose every contact with foreign bytes is guarded.
//! - [`validate`]: a stack-safe structural check of updates before yrs decodes them.
//! - [`presence`]: awareness (cursors, names) per connection, with removal and expiry.
//! - [`authorship`]: which person owns which Yjs client ID, and cutting foreign structs out.

pub mod authorship;
pub mod doc;
pub mod message;
pub mod presence;
pub mod validate;
pub mod varint;

pub use doc::{ApplyError, DocState, Skipped};
pub use message::{decode, Inbound, ProtoError};
pub use presence::{Applied, Presence};
