//! Who may write under which Yjs client ID.
//!
//! Yjs stamps every struct with the client ID of the document instance that created it, and
//! clients choose their IDs themselves, so the ID alone proves nothing: anyone can send structs
//! under anyone's ID and Yjs's own attribution (`PermanentUserData`) is written by clients too.
//! The hub therefore keeps, per document, which person owns each client ID: the person whose
//! client **announces** it (y-websocket clients name their ID in their presence the moment they
//! connect), or else **the first person who writes under it**, provisionally, until its own
//! client announces it. From then on, structs under that ID are only ever applied as the
//! owner's.
//!
//! This module is the sans-IO half: [`ClientOwners`] is the table, and [`ClientOwners::screen`]
//! splits a v1 update into what the sender may write and the sections written under someone
//! else's ID, which are cut out byte for byte (no yrs decode, no re-encode: a section is copied
//! as it arrived, the delete set is kept whole). Deletions carry no client of their own, so they
//! are attributed to whoever sent them.
//!
//! Why cut instead of refusing the whole message: a client can legitimately hold another
//! person's edit the server lost before storing it (an unacknowledged edit before a crash) and
//! send it back in its sync step 2, together with its own. Its own edits still apply; the other
//! person's returns when *their* client reconnects. See PROTOCOL.md, "Authorship".

use std::borrow::Cow;
use std::collections::HashMap;

use crate::validate::{walk_update_v1, InvalidUpdate};
use crate::varint::write_var_u64;

/// An update after screening: what may be applied as the sender's.
#[derive(Debug)]
pub struct Screened<'a> {
    /// The update to apply: the input itself when nothing was cut.
    pub update: Cow<'a, [u8]>,
    /// Client IDs nobody owns yet that this update writes under; they become the sender's
    /// once the update applies ([`ClientOwners::claim_all`]).
    pub claims: Vec<u64>,
    /// Client IDs owned by someone else whose structs were cut out.
    pub refused: Vec<u64>,
    /// How many structs were cut.
    pub refused_structs: u64,
}

impl Screened<'_> {
    /// True when something was cut out.
    pub fn cut(&self) -> bool {
        !self.refused.is_empty()
    }
}

/// Outcome of a person announcing a client ID as theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The ID was free and now belongs to the claimant.
    New,
    /// The ID was held provisionally by someone else and now belongs to the claimant.
    Transferred,
    /// The claimant already owned it (firmly).
    Held,
    /// Someone else owns it firmly.
    Taken,
}

impl Claim {
    /// Whether the claim changed the table (and must be stored).
    pub fn changed(self) -> bool {
        matches!(self, Claim::New | Claim::Transferred)
    }
}

/// Who owns a client ID, and how firmly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner<P> {
    pub person: P,
    /// Announced by the person's own client (its presence names the ID), not only written
    /// under. A provisional owner is whoever first wrote under the ID; an announcement takes a
    /// provisional ID over (the case of a client whose own edits reached the server first
    /// through someone else's sync, after a crash lost them).
    pub firm: bool,
}

/// The owners of a document's client IDs. `P` identifies a person (the hub uses the token's
/// subject); server-originated edits use client IDs of their own and never pass through here.
#[derive(Debug, Clone, Default)]
pub struct ClientOwners<P> {
    owners: HashMap<u64, Owner<P>>,
}

impl<P: Clone + Eq> ClientOwners<P> {
    pub fn new() -> Self {
        ClientOwners {
            owners: HashMap::new(),
        }
    }

    /// A table loaded from storage: (client, person, firm).
    pub fn from_rows(rows: impl IntoIterator<Item = (u64, P, bool)>) -> Self {
        ClientOwners {
            owners: rows
                .into_iter()
                .map(|(c, person, firm)| (c, Owner { person, firm }))
                .collect(),
        }
    }

    pub fn owner(&self, client: u64) -> Option<&Owner<P>> {
        self.owners.get(&client)
    }

    pub fn len(&self) -> usize {
        self.owners.len()
    }

    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// `person`'s client announces `client` as its own (in its presence).
    pub fn announce(&mut self, client: u64, person: &P) -> Claim {
        match self.owners.get_mut(&client) {
            Some(o) if o.person == *person => {
                if o.firm {
                    Claim::Held
                } else {
                    o.firm = true;
                    Claim::New
                }
            }
            Some(o) if o.firm => Claim::Taken,
            Some(o) => {
                *o = Owner {
                    person: person.clone(),
                    firm: true,
                };
                Claim::Transferred
            }
            None => {
                self.owners.insert(
                    client,
                    Owner {
                        person: person.clone(),
                        firm: true,
                    },
                );
                Claim::New
            }
        }
    }

    /// Records the provisional claims of a screened update after it applied. An ID claimed by
    /// someone else in between (impossible under the document's lock) stays theirs.
    pub fn claim_all(&mut self, clients: &[u64], person: &P) {
        for &c in clients {
            self.owners.entry(c).or_insert_with(|| Owner {
                person: person.clone(),
                firm: false,
            });
        }
    }

    /// Splits `update` (Yjs v1) into the part `sender` may write: sections under IDs the
    /// sender owns or nobody owns are kept, sections under IDs someone else owns are cut.
    /// Does not change the table; see [`Screened::claims`].
    pub fn screen<'a>(&self, update: &'a [u8], sender: &P) -> Result<Screened<'a>, InvalidUpdate> {
        let mut claims = Vec::new();
        let mut refused = Vec::new();
        let mut refused_structs = 0;
        // Ranges of the sections to keep, collected only once something has to be cut.
        let mut kept: Vec<std::ops::Range<usize>> = Vec::new();
        let mut any_cut = false;
        let ds_start = walk_update_v1(update, |section| {
            let foreign = match self.owners.get(&section.client) {
                Some(owner) => owner.person != *sender,
                None => {
                    if section.structs > 0 && !claims.contains(&section.client) {
                        claims.push(section.client);
                    }
                    false
                }
            };
            if foreign {
                any_cut = true;
                refused_structs += section.structs;
                if !refused.contains(&section.client) {
                    refused.push(section.client);
                }
            } else {
                kept.push(section.bytes);
            }
        })?;
        if !any_cut {
            return Ok(Screened {
                update: Cow::Borrowed(update),
                claims,
                refused,
                refused_structs,
            });
        }
        let mut out = Vec::with_capacity(update.len());
        write_var_u64(&mut out, kept.len() as u64);
        for range in kept {
            out.extend_from_slice(&update[range]);
        }
        out.extend_from_slice(&update[ds_start..]);
        Ok(Screened {
            update: Cow::Owned(out),
            claims,
            refused,
            refused_structs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, Options, ReadTxn, StateVector, Text, Transact, Update};

    fn doc(client: u64) -> Doc {
        Doc::with_options(Options {
            client_id: yrs::ClientID::new(client),
            ..Options::default()
        })
    }

    fn full(d: &Doc) -> Vec<u8> {
        d.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    fn apply(d: &Doc, update: &[u8]) {
        d.transact_mut()
            .apply_update(Update::decode_v1(update).unwrap())
            .unwrap();
    }

    fn text(d: &Doc) -> String {
        d.get_or_insert_text("t").get_string(&d.transact())
    }

    /// Anna (client 1) writes, Bartek (client 2) syncs and adds to it.
    fn two_authors() -> (Doc, Doc) {
        let anna = doc(1);
        anna.get_or_insert_text("t")
            .insert(&mut anna.transact_mut(), 0, "Diagnoza");
        let bartek = doc(2);
        apply(&bartek, &full(&anna));
        let t = bartek.get_or_insert_text("t");
        t.insert(&mut bartek.transact_mut(), 8, " miasta");
        (anna, bartek)
    }

    #[test]
    fn own_and_free_ids_pass_untouched_and_free_ones_are_claimed() {
        let (_, bartek) = two_authors();
        let update = full(&bartek);
        let mut owners = ClientOwners::<&str>::new();
        let s = owners.screen(&update, &"bartek").unwrap();
        assert!(matches!(s.update, Cow::Borrowed(_)));
        let mut claims = s.claims.clone();
        claims.sort();
        assert_eq!(claims, vec![1, 2]);
        assert!(!s.cut());
        owners.claim_all(&s.claims, &"bartek");
        assert_eq!(owners.owner(1).map(|o| o.person), Some("bartek"));
    }

    #[test]
    fn sections_under_another_owner_are_cut_and_the_rest_applies() {
        let (anna, bartek) = two_authors();
        let mut owners = ClientOwners::from_rows([(1, "anna", true)]);
        let update = full(&bartek);
        let s = owners.screen(&update, &"bartek").unwrap();
        assert!(s.cut());
        assert_eq!(s.refused, vec![1]);
        assert_eq!(s.claims, vec![2]);
        assert!(s.refused_structs >= 1);
        // The server, which already has Anna's text, gets exactly Bartek's addition.
        let server = doc(99);
        apply(&server, &full(&anna));
        apply(&server, &s.update);
        assert_eq!(text(&server), "Diagnoza miasta");
        // Nothing of Anna's came in through Bartek: a server that lacks her text has none.
        let empty = doc(98);
        apply(&empty, &s.update);
        assert_eq!(text(&empty), "");
        // ...and Anna's text arrives when her own client sends it.
        apply(&empty, &full(&anna));
        assert_eq!(text(&empty), "Diagnoza miasta");
        owners.claim_all(&s.claims, &"bartek");
        assert_eq!(owners.announce(1, &"bartek"), Claim::Taken);
        assert_eq!(owners.announce(3, &"anna"), Claim::New);
        assert_eq!(owners.announce(3, &"anna"), Claim::Held);
    }

    #[test]
    fn an_announcement_takes_over_a_provisional_claim() {
        // Bartek relayed structs under client 5 before its owner's client announced it.
        let mut owners = ClientOwners::new();
        owners.claim_all(&[5], &"bartek");
        assert!(!owners.owner(5).unwrap().firm);
        assert_eq!(owners.announce(5, &"anna"), Claim::Transferred);
        assert_eq!(
            owners.owner(5).map(|o| (o.person, o.firm)),
            Some(("anna", true))
        );
        // Firm claims are not taken over.
        assert_eq!(owners.announce(5, &"bartek"), Claim::Taken);
        // A provisional owner announcing its own ID makes it firm.
        owners.claim_all(&[6], &"celina");
        assert_eq!(owners.announce(6, &"celina"), Claim::New);
        assert!(owners.owner(6).unwrap().firm);
    }

    #[test]
    fn deletions_are_kept_with_the_sender() {
        let (anna, bartek) = two_authors();
        let t = bartek.get_or_insert_text("t");
        t.remove_range(&mut bartek.transact_mut(), 0, 4);
        let owners = ClientOwners::from_rows([(1, "anna", true)]);
        let update = full(&bartek);
        let s = owners.screen(&update, &"bartek").unwrap();
        let server = doc(99);
        apply(&server, &full(&anna));
        apply(&server, &s.update);
        assert_eq!(text(&server), "noza miasta");
    }

    #[test]
    fn malformed_updates_are_refused() {
        let owners = ClientOwners::<&str>::new();
        assert!(owners.screen(&[1, 1, 1, 0, 15], &"x").is_err());
        assert!(owners.screen(&[5], &"x").is_err());
    }
}
