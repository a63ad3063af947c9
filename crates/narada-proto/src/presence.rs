//! Awareness (presence) kept by the hub: who is here, where their cursor is.
//!
//! The hub keeps one entry per Yjs client id with the connection that announced it, so that when
//! a connection closes, or goes silent past the timeout, its entries can be removed for everyone
//! (a `null` state with the clock advanced, as y-protocols does). Entries are small JSON strings;
//! removed ones are kept briefly so that a stale update cannot resurrect them, then pruned.
//!
//! **Client ids belong to the connection that introduced them.** y-protocols lets any client
//! overwrite any entry by sending its id with a higher clock, which on a shared server means one
//! person can replace another's name and cursor. Here an entry owned by another *live*
//! connection is left out of the update (the rest applies). An id is free again once its
//! connection has left; the same person may take over their own id (a reconnect whose old socket
//! the server has not yet seen close). Entries from other nodes are owned by [`REMOTE`]: they
//! are taken only once removed (that node's client left). Each state is limited in size, and a
//! connection introduces at most [`MAX_IDS_PER_CONNECTION`] ids, so what one socket makes the
//! server keep is bounded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use yrs::block::ClientID;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::encoder::Encode;

use crate::message::encode_awareness;

/// Identifies one connection within a hub.
pub type ConnId = u64;

/// The owner of entries that arrived from another node (connection ids start at 1).
pub const REMOTE: ConnId = 0;

/// The owner of entries whose connection has left: anyone may take them.
const NOBODY: ConnId = ConnId::MAX;

/// Client ids one connection may introduce. A y-websocket client has exactly one; a few more
/// leave room for a client that changed its id, none for one that invents thousands.
pub const MAX_IDS_PER_CONNECTION: usize = 4;

const NULL: &str = "null";

struct Entry {
    clock: u32,
    state: Option<Arc<str>>,
    owner: ConnId,
    updated: Instant,
}

/// The awareness states of one document.
#[derive(Default)]
pub struct Presence {
    entries: HashMap<u64, Entry>,
}

/// What [`Presence::apply`] made of an update.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Something changed: the accepted entries are worth relaying.
    pub changed: bool,
    /// Entries left out because another live connection owns their client id (or the sender
    /// has introduced its share of ids already).
    pub foreign: usize,
    /// Entries left out because their state is over the size limit.
    pub oversized: usize,
    /// When anything was left out: the accepted entries as an awareness frame, to relay instead
    /// of the one received (`None` when nothing was accepted).
    pub filtered: Option<Vec<u8>>,
}

impl Applied {
    /// The frame to relay: `received` itself when everything was accepted.
    pub fn relay<T: From<Vec<u8>>>(self, received: T) -> Option<T> {
        if !self.changed {
            None
        } else if self.foreign + self.oversized == 0 {
            Some(received)
        } else {
            self.filtered.map(T::from)
        }
    }

    /// Entries left out, for the metrics.
    pub fn refused(&self) -> usize {
        self.foreign + self.oversized
    }
}

impl Presence {
    /// Applies an awareness update sent by connection `from` ([`REMOTE`] for another node) with
    /// the y-protocols rules (a newer clock wins; an equal clock may only remove), leaving out
    /// entries whose state is over `max_state_bytes` and entries owned by another live
    /// connection unless `may_take(owner)` says it is the same person's.
    pub fn apply(
        &mut self,
        update: &AwarenessUpdate,
        from: ConnId,
        now: Instant,
        max_state_bytes: usize,
        may_take: impl Fn(ConnId) -> bool,
    ) -> Applied {
        let mut out = Applied::default();
        let mut accepted = HashMap::new();
        // Ids `from` holds already; counted once per message (new ids are rare).
        let mut owned = None;
        for (id, entry) in &update.clients {
            if entry.json.len() > max_state_bytes {
                out.oversized += 1;
                continue;
            }
            let state = (entry.json.as_ref() != NULL).then(|| entry.json.clone());
            match self.entries.get_mut(&id.get()) {
                Some(cur) => {
                    let takeable = match cur.owner {
                        owner if owner == from || owner == NOBODY => true,
                        REMOTE => cur.state.is_none(),
                        owner => may_take(owner),
                    };
                    if !takeable {
                        out.foreign += 1;
                        continue;
                    }
                    let removal =
                        cur.clock == entry.clock && state.is_none() && cur.state.is_some();
                    if cur.clock < entry.clock || removal {
                        cur.clock = entry.clock;
                        cur.state = state;
                        cur.owner = from;
                        cur.updated = now;
                        out.changed = true;
                    } else if cur.clock == entry.clock && cur.owner == from {
                        // A renewal with the same clock still proves the client is alive.
                        cur.updated = now;
                    }
                }
                None => {
                    if from != REMOTE {
                        let n = owned.get_or_insert_with(|| {
                            self.entries.values().filter(|e| e.owner == from).count()
                        });
                        if *n >= MAX_IDS_PER_CONNECTION {
                            out.foreign += 1;
                            continue;
                        }
                        *n += 1;
                    }
                    out.changed |= state.is_some();
                    self.entries.insert(
                        id.get(),
                        Entry {
                            clock: entry.clock,
                            state,
                            owner: from,
                            updated: now,
                        },
                    );
                }
            }
            accepted.insert(*id, entry.clone());
        }
        if out.refused() > 0 && !accepted.is_empty() {
            let update = AwarenessUpdate { clients: accepted };
            out.filtered = Some(encode_awareness(&update.encode_v1()));
        }
        out
    }

    /// Removes every state announced by `conn` and returns the frame that tells the others.
    /// Its ids are free from now on.
    pub fn remove_conn(&mut self, conn: ConnId, now: Instant) -> Option<Vec<u8>> {
        let frame = self.remove_where(now, |e| e.owner == conn);
        for e in self.entries.values_mut().filter(|e| e.owner == conn) {
            e.owner = NOBODY;
        }
        frame
    }

    /// Removes states not renewed within `timeout` (clients renew every 15 s; y-protocols times
    /// out at 30 s) and prunes long-removed entries.
    pub fn expire(&mut self, now: Instant, timeout: Duration) -> Option<Vec<u8>> {
        self.entries
            .retain(|_, e| e.state.is_some() || now.duration_since(e.updated) < timeout * 4);
        self.remove_where(now, |e| now.duration_since(e.updated) >= timeout)
    }

    fn remove_where(&mut self, now: Instant, pred: impl Fn(&Entry) -> bool) -> Option<Vec<u8>> {
        let mut removed = HashMap::new();
        for (id, e) in self.entries.iter_mut() {
            if e.state.is_some() && pred(e) {
                e.state = None;
                e.clock += 1;
                e.updated = now;
                removed.insert(
                    ClientID::new(*id),
                    AwarenessUpdateEntry {
                        clock: e.clock,
                        json: NULL.into(),
                    },
                );
            }
        }
        (!removed.is_empty())
            .then(|| encode_awareness(&AwarenessUpdate { clients: removed }.encode_v1()))
    }

    /// Every present state as one awareness frame, for a joining client or a query.
    pub fn full_frame(&self) -> Option<Vec<u8>> {
        let clients: HashMap<_, _> = self
            .entries
            .iter()
            .filter_map(|(id, e)| {
                let json = e.state.clone()?;
                Some((
                    ClientID::new(*id),
                    AwarenessUpdateEntry {
                        clock: e.clock,
                        json,
                    },
                ))
            })
            .collect();
        (!clients.is_empty()).then(|| encode_awareness(&AwarenessUpdate { clients }.encode_v1()))
    }

    /// Number of present (non-removed) states.
    pub fn len(&self) -> usize {
        self.entries.values().filter(|e| e.state.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{decode, Inbound};

    fn update(id: u64, clock: u32, json: &str) -> AwarenessUpdate {
        let mut clients = HashMap::new();
        clients.insert(
            ClientID::new(id),
            AwarenessUpdateEntry {
                clock,
                json: json.into(),
            },
        );
        AwarenessUpdate { clients }
    }

    fn decoded(frame: &[u8]) -> AwarenessUpdate {
        match decode(frame).unwrap() {
            Inbound::Awareness(u) => u,
            other => panic!("{other:?}"),
        }
    }

    /// No other connection is gone or the same person's.
    fn nobody(_: ConnId) -> bool {
        false
    }

    const BIG: usize = 8192;

    #[test]
    fn newer_clock_wins_and_stale_is_ignored() {
        let now = Instant::now();
        let mut p = Presence::default();
        assert!(
            p.apply(&update(1, 1, r#"{"a":1}"#), 7, now, BIG, nobody)
                .changed
        );
        assert!(
            !p.apply(&update(1, 1, r#"{"a":2}"#), 7, now, BIG, nobody)
                .changed
        );
        assert!(
            p.apply(&update(1, 2, r#"{"a":3}"#), 7, now, BIG, nobody)
                .changed
        );
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn another_live_connection_cannot_overwrite_an_id() {
        let now = Instant::now();
        let mut p = Presence::default();
        assert!(
            p.apply(&update(1, 1, r#"{"me":"a"}"#), 7, now, BIG, nobody)
                .changed
        );
        // Connection 8 sends 1's id with a higher clock, beside its own id 2.
        let mut spoof = update(1, 99, r#"{"me":"spoofed"}"#);
        spoof.clients.extend(update(2, 1, r#"{"me":"b"}"#).clients);
        let applied = p.apply(&spoof, 8, now, BIG, nobody);
        assert_eq!((applied.changed, applied.foreign), (true, 1));
        // What is relayed holds only 8's own id.
        let relayed = decoded(&applied.filtered.unwrap());
        assert_eq!(relayed.clients.len(), 1);
        assert!(relayed.clients.contains_key(&ClientID::new(2)));
        let full = decoded(&p.full_frame().unwrap());
        assert_eq!(
            full.clients[&ClientID::new(1)].json.as_ref(),
            r#"{"me":"a"}"#
        );
        assert_eq!(full.clients[&ClientID::new(1)].clock, 1);
        // 1's owner is unaffected: its next clock still counts.
        assert!(
            p.apply(&update(1, 2, r#"{"me":"a2"}"#), 7, now, BIG, nobody)
                .changed
        );
        // Nor can another node's entry be taken while it is present.
        p.apply(&update(5, 1, "{}"), REMOTE, now, BIG, nobody);
        assert_eq!(p.apply(&update(5, 9, "{}"), 8, now, BIG, nobody).foreign, 1);
        // Once its connection has left, an id is free (a client reconnecting keeps its id).
        p.remove_conn(7, now);
        assert!(
            p.apply(&update(1, 5, r#"{"me":"back"}"#), 9, now, BIG, nobody)
                .changed
        );
        // The same person may take over their own id while the old socket lingers.
        let same_person = |owner: ConnId| owner == 9;
        assert!(
            p.apply(&update(1, 6, "{}"), 10, now, BIG, same_person)
                .changed
        );
    }

    #[test]
    fn oversized_states_and_invented_ids_are_left_out() {
        let now = Instant::now();
        let mut p = Presence::default();
        let big = format!(r#"{{"x":"{}"}}"#, "y".repeat(100));
        let applied = p.apply(&update(1, 1, &big), 7, now, 64, nobody);
        assert_eq!(
            (applied.changed, applied.oversized, applied.filtered),
            (false, 1, None)
        );
        assert!(p.is_empty(), "an oversized state is not kept");
        let mut many = AwarenessUpdate {
            clients: HashMap::new(),
        };
        for id in 10..20 {
            many.clients.extend(update(id, 1, "{}").clients);
        }
        let applied = p.apply(&many, 7, now, 64, nobody);
        assert_eq!(applied.foreign, 10 - MAX_IDS_PER_CONNECTION);
        assert_eq!(p.len(), MAX_IDS_PER_CONNECTION);
    }

    #[test]
    fn leaving_connection_removes_only_its_states() {
        let now = Instant::now();
        let mut p = Presence::default();
        p.apply(&update(1, 1, "{}"), 7, now, BIG, nobody);
        p.apply(&update(2, 1, "{}"), 8, now, BIG, nobody);
        let frame = p.remove_conn(7, now).unwrap();
        let u = decoded(&frame);
        let e = &u.clients[&ClientID::new(1)];
        assert_eq!((e.clock, e.json.as_ref()), (2, "null"));
        assert_eq!(p.len(), 1);
        assert!(p.remove_conn(7, now).is_none());
        // The full state now holds only client 2.
        let full = decoded(&p.full_frame().unwrap());
        assert!(full.clients.contains_key(&ClientID::new(2)));
        assert_eq!(full.clients.len(), 1);
    }

    #[test]
    fn silent_clients_expire() {
        let t0 = Instant::now();
        let mut p = Presence::default();
        p.apply(&update(1, 1, "{}"), 7, t0, BIG, nobody);
        assert!(p
            .expire(t0 + Duration::from_secs(5), Duration::from_secs(30))
            .is_none());
        assert!(p
            .expire(t0 + Duration::from_secs(31), Duration::from_secs(30))
            .is_some());
        assert!(p.is_empty());
    }
}
