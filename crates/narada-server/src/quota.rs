//! Sockets per person per document, counted at admission.
//!
//! One valid token could otherwise open hundreds of sockets on a document (each a task, its
//! buffers and a share of every broadcast). The count is taken before the upgrade, so a refused
//! socket costs nothing but the HTTP answer, and given back when the socket task ends (or when
//! the upgrade never happens: the slot is dropped with the upgrade callback). Per node: with
//! several nodes behind a balancer a person may hold this many on each.

use std::sync::Arc;

use dashmap::DashMap;
use narada_store::DocId;

type Key = (DocId, Arc<str>);

/// The counts, shared by every admission.
#[derive(Default)]
pub struct SocketQuota {
    counts: Arc<DashMap<Key, usize>>,
}

/// One admitted socket; gives its place back when dropped.
pub struct SocketSlot {
    counts: Arc<DashMap<Key, usize>>,
    key: Key,
}

impl SocketQuota {
    /// A place for one more socket of `user` on `doc`, or `None` when they hold `max` already.
    pub fn try_take(&self, doc: &DocId, user: &str, max: usize) -> Option<SocketSlot> {
        let key: Key = (doc.clone(), user.into());
        let mut n = self.counts.entry(key.clone()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            counts: Arc::clone(&self.counts),
            key,
        })
    }

    /// Sockets `user` holds on `doc` (tests, diagnostics).
    pub fn held(&self, doc: &DocId, user: &str) -> usize {
        self.counts
            .get(&(doc.clone(), user.into()))
            .map_or(0, |n| *n)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        if let Some(mut n) = self.counts.get_mut(&self.key) {
            *n = n.saturating_sub(1);
        }
        // Keys of people no longer connected are removed, so the map stays as small as the
        // set of connected people.
        self.counts.remove_if(&self.key, |_, n| *n == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_person_and_document_and_given_back() {
        let q = SocketQuota::default();
        let doc = DocId::parse("d").unwrap();
        let other = DocId::parse("e").unwrap();
        let a = q.try_take(&doc, "anna", 2).unwrap();
        let _b = q.try_take(&doc, "anna", 2).unwrap();
        assert!(q.try_take(&doc, "anna", 2).is_none());
        assert!(q.try_take(&doc, "bartek", 2).is_some());
        assert!(q.try_take(&other, "anna", 2).is_some());
        drop(a);
        assert_eq!(q.held(&doc, "anna"), 1);
        assert!(q.try_take(&doc, "anna", 2).is_some());
        assert!(
            q.counts.get(&(other, "anna".into())).is_none(),
            "empty keys are removed"
        );
    }
}
