//! Awareness (presence) kept by the hub: who is here, where their cursor is.
//!
//! The hub keeps one entry per Yjs client id with the connection that announced it, so that when
//! a connection closes, or goes silent past the timeout, its entries can be removed for everyone
//! (a `null` state with the clock advanced, as y-protocols does). Entries are small JSON strings;
//! removed ones are kept briefly so that a stale update cannot resurrect them, then pruned.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use yrs::block::ClientID;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::updates::encoder::Encode;

use crate::message::encode_awareness;

/// Identifies one connection within a hub.
pub type ConnId = u64;

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

impl Presence {
    /// Applies a client's awareness update with the y-protocols rules (a newer clock wins; an
    /// equal clock may only remove). Returns true when anything changed, i.e. the frame is worth
    /// relaying.
    pub fn apply(&mut self, update: &AwarenessUpdate, owner: ConnId, now: Instant) -> bool {
        let mut changed = false;
        for (id, entry) in &update.clients {
            let state = (entry.json.as_ref() != NULL).then(|| entry.json.clone());
            match self.entries.get_mut(&id.get()) {
                Some(cur) => {
                    let removal =
                        cur.clock == entry.clock && state.is_none() && cur.state.is_some();
                    if cur.clock < entry.clock || removal {
                        cur.clock = entry.clock;
                        cur.state = state;
                        cur.owner = owner;
                        cur.updated = now;
                        changed = true;
                    } else if cur.clock == entry.clock && cur.owner == owner {
                        // A renewal with the same clock still proves the client is alive.
                        cur.updated = now;
                    }
                }
                None => {
                    changed |= state.is_some();
                    self.entries.insert(
                        id.get(),
                        Entry {
                            clock: entry.clock,
                            state,
                            owner,
                            updated: now,
                        },
                    );
                }
            }
        }
        changed
    }

    /// Removes every state announced by `conn` and returns the frame that tells the others.
    pub fn remove_conn(&mut self, conn: ConnId, now: Instant) -> Option<Vec<u8>> {
        self.remove_where(now, |e| e.owner == conn)
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

    #[test]
    fn newer_clock_wins_and_stale_is_ignored() {
        let now = Instant::now();
        let mut p = Presence::default();
        assert!(p.apply(&update(1, 1, r#"{"a":1}"#), 7, now));
        assert!(!p.apply(&update(1, 1, r#"{"a":2}"#), 7, now));
        assert!(p.apply(&update(1, 2, r#"{"a":3}"#), 7, now));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn leaving_connection_removes_only_its_states() {
        let now = Instant::now();
        let mut p = Presence::default();
        p.apply(&update(1, 1, "{}"), 7, now);
        p.apply(&update(2, 1, "{}"), 8, now);
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
        p.apply(&update(1, 1, "{}"), 7, t0);
        assert!(p
            .expire(t0 + Duration::from_secs(5), Duration::from_secs(30))
            .is_none());
        assert!(p
            .expire(t0 + Duration::from_secs(31), Duration::from_secs(30))
            .is_some());
        assert!(p.is_empty());
    }
}
