//! A yrs document that meets foreign bytes only through guarded doors.
//!
//! yrs is fast but was not written to face the open internet: old versions panicked or allocated
//! without bound on crafted updates. Every decode and apply here runs inside `catch_unwind`, and a
//! panic during an apply marks the document *poisoned*, because a half-applied transaction may
//! have left it inconsistent. The hub then rebuilds the document from storage (which never saw
//! the bad update) instead of serving a corrupt state.

use std::panic::{catch_unwind, AssertUnwindSafe};

use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, Options, ReadTxn, StateVector, Transact, Update};

/// Why an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("update does not decode: {0}")]
    Decode(String),
    #[error("update rejected by the CRDT: {0}")]
    Rejected(String),
    #[error("the CRDT library panicked on this update")]
    Panicked,
}

/// What [`DocState::load`] had to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// The snapshot did not apply (only the entries after it are in the state).
    pub snapshot: bool,
    /// Positions (0-based) in the tail of the entries that did not apply, ascending.
    pub entries: Vec<usize>,
}

impl Skipped {
    /// True when everything applied: the state is exactly the stored one.
    pub fn is_empty(&self) -> bool {
        !self.snapshot && self.entries.is_empty()
    }

    /// How many inputs (snapshot and entries) were left out.
    pub fn count(&self) -> usize {
        usize::from(self.snapshot) + self.entries.len()
    }
}

/// The authoritative copy of one document held by the hub.
pub struct DocState {
    doc: Doc,
    poisoned: bool,
}

impl Default for DocState {
    fn default() -> Self {
        Self::new()
    }
}

impl DocState {
    /// An empty document. Garbage collection stays on: history is rebuilt from the update log,
    /// not from tombstones kept in memory.
    pub fn new() -> Self {
        let options = Options {
            skip_gc: false,
            ..Options::default()
        };
        DocState {
            doc: Doc::with_options(options),
            poisoned: false,
        }
    }

    /// Rebuilds a document from a snapshot and the log entries after it.
    ///
    /// Entries that do not apply are skipped, and the rest is still served: they were accepted
    /// once, so a failure here means corruption or a library change, and one bad entry must not
    /// cost the document. An entry that makes yrs panic may have left the state half-applied,
    /// so the rebuild then starts over from the snapshot with every entry *but* the failing
    /// ones (each restart adds one to them, so it ends). The caller learns which were skipped,
    /// and a state with skips is not the stored log's: it must never be stored as a snapshot.
    pub fn load<'a>(
        snapshot: Option<&'a [u8]>,
        tail: impl IntoIterator<Item = &'a [u8]>,
    ) -> (Self, Skipped) {
        Self::load_with(snapshot, tail, DocState::apply)
    }

    /// [`DocState::load`] with the apply step given, so tests can stand in for a panic.
    fn load_with<'a>(
        snapshot: Option<&'a [u8]>,
        tail: impl IntoIterator<Item = &'a [u8]>,
        apply: impl Fn(&mut DocState, &[u8]) -> Result<(), ApplyError>,
    ) -> (Self, Skipped) {
        let has_snapshot = snapshot.is_some();
        let inputs: Vec<&[u8]> = snapshot.into_iter().chain(tail).collect();
        let mut failed = std::collections::BTreeSet::new();
        let state = 'rebuild: loop {
            let mut state = DocState::new();
            for (i, bytes) in inputs.iter().enumerate() {
                if failed.contains(&i) {
                    continue;
                }
                if apply(&mut state, bytes).is_err() {
                    failed.insert(i);
                    if state.poisoned {
                        continue 'rebuild;
                    }
                }
            }
            break state;
        };
        let offset = usize::from(has_snapshot);
        let skipped = Skipped {
            snapshot: has_snapshot && failed.contains(&0),
            entries: failed
                .into_iter()
                .filter_map(|i| i.checked_sub(offset))
                .collect(),
        };
        (state, skipped)
    }

    /// Decodes and applies a v1 update. `Ok(())` means the document now includes it (possibly as
    /// pending until its dependencies arrive, exactly as Yjs does).
    pub fn apply(&mut self, update: &[u8]) -> Result<(), ApplyError> {
        if self.poisoned {
            return Err(ApplyError::Panicked);
        }
        crate::validate::check_update_v1(update).map_err(|e| ApplyError::Decode(e.to_string()))?;
        let decoded = catch_unwind(|| Update::decode_v1(update))
            .map_err(|_| ApplyError::Panicked)?
            .map_err(|e| ApplyError::Decode(e.to_string()))?;
        let doc = &self.doc;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut txn = doc.transact_mut();
            txn.apply_update(decoded)
        }));
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ApplyError::Rejected(e.to_string())),
            Err(_) => {
                self.poisoned = true;
                Err(ApplyError::Panicked)
            }
        }
    }

    /// Applies an update and returns what it actually changed, as an update, or `None` when it
    /// changed nothing (already known). Used to relay only news when catching up from the log.
    pub fn apply_effective(&mut self, update: &[u8]) -> Result<Option<Vec<u8>>, ApplyError> {
        if self.poisoned {
            return Err(ApplyError::Panicked);
        }
        crate::validate::check_update_v1(update).map_err(|e| ApplyError::Decode(e.to_string()))?;
        let decoded = catch_unwind(|| Update::decode_v1(update))
            .map_err(|_| ApplyError::Panicked)?
            .map_err(|e| ApplyError::Decode(e.to_string()))?;
        let doc = &self.doc;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut txn = doc.transact_mut();
            txn.apply_update(decoded)?;
            Ok::<_, yrs::error::UpdateError>(txn.encode_update_v1())
        }));
        match result {
            Ok(Ok(delta)) => Ok((delta.as_slice() != [0, 0]).then_some(delta)),
            Ok(Err(e)) => Err(ApplyError::Rejected(e.to_string())),
            Err(_) => {
                self.poisoned = true;
                Err(ApplyError::Panicked)
            }
        }
    }

    /// True once an apply has panicked; the state must not be served any more.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// The encoded state vector, for the hub's sync step 1.
    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }

    /// Everything the holder of `sv` lacks, as one v1 update (sync step 2).
    pub fn diff(&self, sv: &StateVector) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(sv)
    }

    /// The whole document as one v1 update: what a snapshot stores.
    pub fn snapshot(&self) -> Vec<u8> {
        self.diff(&StateVector::default())
    }

    /// Contents of a root-level text, for tests and tools. Returns `None` when the document has
    /// no root of that name, without creating one.
    pub fn text(&self, name: &str) -> Option<String> {
        let txn = self.doc.transact();
        let text = txn.get_text(name)?;
        Some(text.get_string(&txn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Text, WriteTxn};

    fn edit(text: &str) -> Vec<u8> {
        let doc = Doc::new();
        let t = doc.get_or_insert_text("content");
        let mut txn = doc.transact_mut();
        t.insert(&mut txn, 0, text);
        txn.encode_update_v1()
    }

    #[test]
    fn applies_and_serves_diffs() {
        let mut s = DocState::new();
        s.apply(&edit("hello")).unwrap();
        assert_eq!(s.text("content").as_deref(), Some("hello"));
        let empty_sv = StateVector::default();
        let mut other = DocState::new();
        other.apply(&s.diff(&empty_sv)).unwrap();
        assert_eq!(other.text("content").as_deref(), Some("hello"));
        // A peer that is up to date gets an empty update.
        let sv = StateVector::decode_v1(&s.state_vector()).unwrap();
        assert_eq!(s.diff(&sv), vec![0, 0]);
    }

    #[test]
    fn load_replays_snapshot_then_tail() {
        let mut s = DocState::new();
        s.apply(&edit("a")).unwrap();
        let snap = s.snapshot();
        let tail = edit("b");
        let (loaded, skipped) = DocState::load(Some(&snap), [tail.as_slice()]);
        assert!(skipped.is_empty());
        let text = loaded.text("content").unwrap();
        assert_eq!(text.len(), 2);
    }

    /// Three edits by one client, each after the previous: "a", then "ab", then "abc".
    fn chain() -> Vec<Vec<u8>> {
        let doc = Doc::with_client_id(9);
        let t = doc.get_or_insert_text("content");
        ["a", "b", "c"]
            .iter()
            .map(|s| {
                let mut txn = doc.transact_mut();
                let end = t.len(&txn);
                t.insert(&mut txn, end, s);
                txn.encode_update_v1()
            })
            .collect()
    }

    #[test]
    fn a_bad_entry_is_skipped_and_the_rest_is_kept() {
        let mut s = DocState::new();
        s.apply(&edit("before ")).unwrap();
        let snap = s.snapshot();
        let garbage = [0xffu8, 0xff, 0xff];
        let after = edit("after");
        let (loaded, skipped) = DocState::load(Some(&snap), [&garbage[..], &after]);
        assert_eq!(
            skipped,
            Skipped {
                snapshot: false,
                entries: vec![0]
            }
        );
        let text = loaded.text("content").unwrap();
        assert!(text.contains("before ") && text.contains("after"), "{text}");
    }

    #[test]
    fn an_entry_that_panics_costs_only_itself() {
        // yrs has no known panicking input left (the pre-check refuses those), so a marker byte
        // stands in for one: applying it poisons the state as a real panic would.
        const PANICS: &[u8] = &[0xee];
        let apply = |s: &mut DocState, bytes: &[u8]| {
            if bytes == PANICS {
                s.poisoned = true;
                return Err(ApplyError::Panicked);
            }
            s.apply(bytes)
        };
        let mut first = DocState::new();
        first.apply(&edit("snapshot ")).unwrap();
        let snap = first.snapshot();
        let [a, b, c] = <[Vec<u8>; 3]>::try_from(chain()).unwrap();
        let tail: [&[u8]; 5] = [&a, PANICS, &b, PANICS, &c];
        let (loaded, skipped) = DocState::load_with(Some(&snap), tail, apply);
        assert_eq!(skipped.entries, vec![1, 3]);
        assert!(!skipped.snapshot && !loaded.is_poisoned());
        let text = loaded.text("content").unwrap();
        assert!(text.contains("snapshot ") && text.contains("abc"), "{text}");
        // A snapshot that does not apply is reported as such.
        let (loaded, skipped) = DocState::load_with(Some(PANICS), [a.as_slice()], apply);
        assert_eq!(
            skipped,
            Skipped {
                snapshot: true,
                entries: vec![]
            }
        );
        assert_eq!(loaded.text("content").as_deref(), Some("a"));
    }

    #[test]
    fn garbage_is_refused_and_the_doc_survives() {
        let mut s = DocState::new();
        s.apply(&edit("keep")).unwrap();
        for junk in [
            &[0xffu8, 0xff, 0xff][..],
            &[1, 2, 3, 4, 5, 6, 7, 8],
            &[0x80; 64],
        ] {
            assert!(s.apply(junk).is_err());
        }
        assert!(!s.is_poisoned());
        assert_eq!(s.text("content").as_deref(), Some("keep"));
    }

    #[test]
    fn length_bombs_do_not_allocate() {
        // One client, claiming u32::MAX structs.
        let bomb = [1u8, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0];
        let mut s = DocState::new();
        assert!(s.apply(&bomb).is_err());
    }

    #[test]
    fn apply_effective_reports_only_news() {
        let mut s = DocState::new();
        let u = edit("x");
        assert!(s.apply_effective(&u).unwrap().is_some());
        assert_eq!(s.apply_effective(&u).unwrap(), None);
    }

    #[test]
    fn text_of_missing_root_is_none() {
        let s = DocState::new();
        assert_eq!(s.text("nope"), None);
        let doc = Doc::new();
        let _ = doc.transact_mut().get_or_insert_text("x");
    }
}
