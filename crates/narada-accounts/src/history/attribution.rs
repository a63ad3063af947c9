//! Who inserted and who deleted what between two versions, from the authored log.
//!
//! Each log entry after the older version and up to the newer one is decoded: the Yjs item IDs
//! it inserted (client, clock range) and the ones it deleted are that entry's author's, as the
//! server stamped it (`updates.author_kind`, `updates.person`), never what a client wrote into
//! the document. A viewer of the two states (y-prosemirror's snapshot rendering, or any diff of
//! the two documents) looks each inserted or deleted character's item ID up in these ranges.

use serde::Serialize;
use yrs::updates::decoder::Decode;
use yrs::Update;

use super::LogRow;

/// A run of Yjs item IDs one log entry inserted or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `insert` or `delete`.
    pub kind: &'static str,
    pub client: u64,
    /// First clock of the run.
    pub clock: u32,
    pub len: u32,
    pub seq: i64,
    pub at: i64,
    /// `person`, `restore`, `import`, ...: how the change was made.
    pub author_kind: String,
    /// The person who made it (or on whose behalf the server did), as a token subject.
    pub person: Option<String>,
}

/// The changes of `entries` (the log after the state `base`), in log order. A change belongs to
/// the first entry that made it: an update carries its sender's whole delete set, and may carry
/// items the document had already, so what `base` and earlier entries hold is taken out. An
/// entry that does not decode is left out (the load of the document skips it the same way).
pub fn changes(base: &[u8], entries: &[LogRow]) -> Vec<Change> {
    let mut out = Vec::new();
    let (mut inserted, mut deleted) = match Update::decode_v1(base) {
        Ok(u) => (u.insertions(true), u.delete_set().clone()),
        Err(_) => Default::default(),
    };
    for e in entries {
        let Ok(update) = Update::decode_v1(&e.data) else {
            tracing::warn!(
                seq = e.seq,
                "compare: a stored update does not decode; left out"
            );
            continue;
        };
        let new_inserts = update.insertions(true).diff(&inserted);
        let new_deletes = update.delete_set().diff(&deleted);
        inserted.merge_with(new_inserts.clone());
        deleted.merge_with(new_deletes.clone());
        let mut push = |kind: &'static str, set: &yrs::IdSet| {
            for (client, ranges) in set.iter() {
                for r in ranges.iter() {
                    out.push(Change {
                        kind,
                        client: client.get(),
                        clock: r.start,
                        len: r.end - r.start,
                        seq: e.seq,
                        at: e.created_at_ms,
                        author_kind: e.author_kind.clone(),
                        person: e.person.clone(),
                    });
                }
            }
        };
        push("insert", &new_inserts);
        push("delete", &new_deletes);
    }
    out
}
