//! The y-websocket wire protocol: decoding what clients send, encoding what the hub sends.
//!
//! One WebSocket binary frame carries one message, `[varUint type][payload]`:
//!
//! | type | name            | payload                                                    |
//! |------|-----------------|------------------------------------------------------------|
//! | 0    | sync            | `[varUint 0][buf stateVector]` step 1, `[1][buf update]` step 2, `[2][buf update]` update |
//! | 1    | awareness       | `[buf awarenessUpdate]`                                    |
//! | 2    | auth            | `[varUint 0][string reason]` permission denied             |
//! | 3    | query awareness | (none)                                                     |
//! | 100  | ack (Narada)    | `[varUint N]`: the first N updates this connection sent are durable |
//! | 101  | event (Narada)  | `[buf utf8 JSON]`: an application event beside the CRDT (opt-in, `events=1`) |
//!
//! Message types the hub does not know are ignored (counted by the hub), not fatal, so newer
//! clients can talk to older servers; a known type with a malformed body still ends the
//! connection.
//!
//! Decoding only checks structure (lengths, tags, no trailing bytes); whether an update's
//! content is acceptable is [`crate::doc::DocState`]'s business. Update payloads are returned as
//! byte ranges into the frame so the hub can apply a borrowed slice and relay the frame as it
//! arrived.

use std::ops::Range;

use yrs::sync::awareness::AwarenessUpdate;
use yrs::updates::decoder::Decode;
use yrs::StateVector;

use crate::varint::{write_buf, write_var_u64, Reader};

pub const MSG_SYNC: u64 = 0;
pub const MSG_AWARENESS: u64 = 1;
pub const MSG_AUTH: u64 = 2;
pub const MSG_QUERY_AWARENESS: u64 = 3;
/// Narada's durable-acknowledgement extension; only sent to clients that asked (`ack=1`).
pub const MSG_ACK: u64 = 100;
/// Narada's application events (PROTOCOL.md, "Events"); only sent to clients that asked
/// (`events=1`).
pub const MSG_EVENT: u64 = 101;

pub const SYNC_STEP1: u64 = 0;
pub const SYNC_STEP2: u64 = 1;
pub const SYNC_UPDATE: u64 = 2;

/// Why a frame was refused. Every variant ends the sender's connection with a protocol error;
/// none affects the document or other clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    #[error("frame ends in the middle of a value")]
    Truncated,
    #[error("variable-length integer is longer than 64 bits")]
    VarIntOverflow,
    #[error("empty frame")]
    Empty,
    #[error("unknown sync message type {0}")]
    UnknownSyncType(u64),
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
    #[error("malformed state vector")]
    BadStateVector,
    #[error("malformed awareness update")]
    BadAwareness,
}

/// A decoded client message.
#[derive(Debug)]
pub enum Inbound {
    /// The client's state vector: answer with step 2 (what it lacks).
    SyncStep1(StateVector),
    /// The client's answer to our step 1: everything we lack. `payload` is the update's range.
    SyncStep2 { payload: Range<usize> },
    /// A live edit. `payload` is the update's range in the frame.
    Update { payload: Range<usize> },
    /// Presence (cursor, name, colour) of one or more of the client's Yjs client ids.
    Awareness(AwarenessUpdate),
    /// The client asks for every awareness state.
    QueryAwareness,
    /// Auth messages from clients carry nothing the hub acts on; they are accepted and ignored.
    Auth,
    /// An application event from the client; `payload` is its JSON text's range in the frame.
    Event { payload: Range<usize> },
    /// A message type this hub does not know (ignored).
    Unknown(u64),
}

impl Inbound {
    /// True for the messages that count towards `ack=1` acknowledgements.
    pub fn is_update(&self) -> bool {
        matches!(self, Inbound::SyncStep2 { .. } | Inbound::Update { .. })
    }
}

/// Decodes one client frame. Never panics, whatever the bytes.
pub fn decode(frame: &[u8]) -> Result<Inbound, ProtoError> {
    if frame.is_empty() {
        return Err(ProtoError::Empty);
    }
    let mut r = Reader::new(frame);
    let msg = match r.read_var_u64()? {
        MSG_SYNC => match r.read_var_u64()? {
            SYNC_STEP1 => {
                let sv = r.read_buf()?;
                // StateVector decoding lives in yrs; guard it like any foreign-input decode.
                let sv = std::panic::catch_unwind(|| StateVector::decode_v1(sv))
                    .map_err(|_| ProtoError::BadStateVector)?
                    .map_err(|_| ProtoError::BadStateVector)?;
                Inbound::SyncStep1(sv)
            }
            SYNC_STEP2 => Inbound::SyncStep2 {
                payload: r.read_buf_range()?,
            },
            SYNC_UPDATE => Inbound::Update {
                payload: r.read_buf_range()?,
            },
            other => return Err(ProtoError::UnknownSyncType(other)),
        },
        MSG_AWARENESS => {
            let buf = r.read_buf()?;
            let update = std::panic::catch_unwind(|| AwarenessUpdate::decode_v1(buf))
                .map_err(|_| ProtoError::BadAwareness)?
                .map_err(|_| ProtoError::BadAwareness)?;
            Inbound::Awareness(update)
        }
        MSG_QUERY_AWARENESS => Inbound::QueryAwareness,
        MSG_AUTH => {
            // y-protocols/auth: [permission varUint][reason string]; consume whatever follows.
            let _ = r.read_var_u64()?;
            if r.remaining() > 0 {
                let _ = r.read_buf()?;
            }
            Inbound::Auth
        }
        MSG_EVENT => Inbound::Event {
            payload: r.read_buf_range()?,
        },
        // Ignored whole: its body follows no framing we know, so trailing bytes are expected.
        other => return Ok(Inbound::Unknown(other)),
    };
    if r.remaining() != 0 {
        return Err(ProtoError::TrailingBytes(r.remaining()));
    }
    Ok(msg)
}

fn sync_frame(kind: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 12);
    write_var_u64(&mut out, MSG_SYNC);
    write_var_u64(&mut out, kind);
    write_buf(&mut out, payload);
    out
}

/// `[0][0][buf stateVector]`: the hub's half of the handshake.
pub fn encode_sync_step1(state_vector: &[u8]) -> Vec<u8> {
    sync_frame(SYNC_STEP1, state_vector)
}

/// `[0][1][buf update]`: the answer to a client's step 1.
pub fn encode_sync_step2(update: &[u8]) -> Vec<u8> {
    sync_frame(SYNC_STEP2, update)
}

/// `[0][2][buf update]`: a live update (used for updates that did not arrive as a frame, such as
/// those from other nodes).
pub fn encode_sync_update(update: &[u8]) -> Vec<u8> {
    sync_frame(SYNC_UPDATE, update)
}

/// `[1][buf awarenessUpdate]`.
pub fn encode_awareness(update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(update.len() + 6);
    write_var_u64(&mut out, MSG_AWARENESS);
    write_buf(&mut out, update);
    out
}

/// `[1][buf [0]]`: an awareness update with no entries. Every y-protocols client applies it as
/// a no-op, but it is a *message*: the server's keepalive for stock y-websocket clients, which
/// reconnect after 30 s without one and never see WebSocket pings.
pub const EMPTY_AWARENESS: &[u8] = &[MSG_AWARENESS as u8, 1, 0];

/// `[2][0][string reason]`: y-protocols' "permission denied", which y-websocket reports through
/// its `permissionDeniedHandler`.
pub fn encode_permission_denied(reason: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(reason.len() + 4);
    write_var_u64(&mut out, MSG_AUTH);
    write_var_u64(&mut out, 0);
    write_buf(&mut out, reason.as_bytes());
    out
}

/// `[100][N]`: the first `n` updates this connection sent are committed to storage.
pub fn encode_ack(n: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(11);
    write_var_u64(&mut out, MSG_ACK);
    write_var_u64(&mut out, n);
    out
}

/// `[101][buf json]`: an application event (`json` is a serialized JSON object).
pub fn encode_event(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 6);
    write_var_u64(&mut out, MSG_EVENT);
    write_buf(&mut out, json);
    out
}

/// Decodes an event frame's JSON bytes, for clients (tests, tools).
pub fn decode_event(frame: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(frame);
    if r.read_var_u64().ok()? != MSG_EVENT {
        return None;
    }
    let json = r.read_buf().ok()?;
    (r.remaining() == 0).then_some(json)
}

/// `[3]`: ask the peer for all awareness states.
pub fn encode_query_awareness() -> Vec<u8> {
    vec![MSG_QUERY_AWARENESS as u8]
}

/// Decodes an ack frame, for clients (tests, the load generator).
pub fn decode_ack(frame: &[u8]) -> Option<u64> {
    let mut r = Reader::new(frame);
    if r.read_var_u64().ok()? != MSG_ACK {
        return None;
    }
    let n = r.read_var_u64().ok()?;
    (r.remaining() == 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_sync_update_with_its_payload_range() {
        let frame = encode_sync_update(&[9, 8, 7]);
        match decode(&frame).unwrap() {
            Inbound::Update { payload } => assert_eq!(&frame[payload], &[9, 8, 7]),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decodes_step1_and_step2() {
        let sv = StateVector::default();
        let frame = encode_sync_step1(&yrs::updates::encoder::Encode::encode_v1(&sv));
        assert!(matches!(decode(&frame).unwrap(), Inbound::SyncStep1(_)));
        let frame = encode_sync_step2(&[0, 0]);
        assert!(decode(&frame).unwrap().is_update());
    }

    #[test]
    fn decodes_query_awareness_and_auth() {
        assert!(matches!(
            decode(&encode_query_awareness()).unwrap(),
            Inbound::QueryAwareness
        ));
        assert!(matches!(
            decode(&encode_permission_denied("no")).unwrap(),
            Inbound::Auth
        ));
    }

    #[test]
    fn refuses_garbage() {
        assert_eq!(decode(&[]).unwrap_err(), ProtoError::Empty);
        assert!(matches!(decode(&[7, 1, 2]).unwrap(), Inbound::Unknown(7)));
        assert_eq!(decode(&[0, 9]).unwrap_err(), ProtoError::UnknownSyncType(9));
        assert_eq!(decode(&[0, 2, 5, 1]).unwrap_err(), ProtoError::Truncated);
        assert_eq!(
            decode(&[0, 2, 1, 1, 99]).unwrap_err(),
            ProtoError::TrailingBytes(1)
        );
        assert_eq!(
            decode(&[1, 3, 0xff, 0xff, 0xff]).unwrap_err(),
            ProtoError::BadAwareness
        );
        assert_eq!(
            decode(&[0, 0, 2, 0xff, 0xff]).unwrap_err(),
            ProtoError::BadStateVector
        );
    }

    #[test]
    fn awareness_count_bomb_is_refused_without_allocating() {
        // Claims 2^62 clients in a 12-byte buffer.
        let mut inner = Vec::new();
        write_var_u64(&mut inner, 1 << 62);
        let frame = encode_awareness(&inner);
        assert_eq!(decode(&frame).unwrap_err(), ProtoError::BadAwareness);
    }

    #[test]
    fn events_round_trip() {
        let frame = encode_event(br#"{"type":"access","role":"viewer"}"#);
        assert_eq!(
            decode_event(&frame),
            Some(&br#"{"type":"access","role":"viewer"}"#[..])
        );
        match decode(&frame).unwrap() {
            Inbound::Event { payload } => {
                assert_eq!(&frame[payload], br#"{"type":"access","role":"viewer"}"#)
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(decode_event(&encode_ack(1)), None);
    }

    #[test]
    fn ack_round_trips() {
        assert_eq!(decode_ack(&encode_ack(0)), Some(0));
        assert_eq!(decode_ack(&encode_ack(123_456)), Some(123_456));
        assert_eq!(decode_ack(&encode_sync_update(&[0, 0])), None);
    }

    #[test]
    fn the_keepalive_is_an_empty_awareness_update() {
        match decode(EMPTY_AWARENESS).unwrap() {
            Inbound::Awareness(u) => assert!(u.clients.is_empty()),
            other => panic!("{other:?}"),
        }
        assert_eq!(EMPTY_AWARENESS, encode_awareness(&[0]).as_slice());
    }
}
