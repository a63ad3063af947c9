//! Where a review thread points in the text: two Yjs relative positions (`StickyIndex`) in the
//! editor's `XmlFragment('default')`, as the client encodes them with
//! `Y.encodeRelativePosition`, sent in base64.
//!
//! A relative position names the character it sticks to (by its Yjs ID), not an offset, so it
//! follows the passage through every concurrent insert and delete around it. When the passage is
//! deleted the positions no longer span any text: the thread is *detached* (it keeps its quote).
//!
//! The server only ever reads the text here; the one edit it makes from an anchor is applying an
//! accepted suggestion ([`replace`]), under a client ID of its own.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use yrs::branch::{Branch, BranchPtr};
use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Any, BranchID, ClientID, Doc, IndexScope, Options, Out, ReadTxn, StateVector, StickyIndex,
    Text, Transact, Update, Xml, XmlTextRef,
};

/// The editor's root: y-prosemirror binds ProseMirror to `XmlFragment('default')`.
pub const FRAGMENT: &str = "default";

/// Largest encoded relative position we accept (a real one is a few bytes: client, clock, assoc).
const MAX_ANCHOR_BYTES: usize = 64;

/// A decoded, checked anchor end.
#[derive(Debug, Clone)]
pub struct Position(StickyIndex);

/// Decodes one base64 relative position; `None` when it is not a well-formed one, or points into
/// a root other than the editor's fragment.
pub fn decode(b64: &str) -> Option<Position> {
    let bytes = B64.decode(b64.trim()).ok()?;
    if bytes.is_empty() || bytes.len() > MAX_ANCHOR_BYTES {
        return None;
    }
    let index = StickyIndex::decode_v1(&bytes).ok()?;
    // Re-encoding must give the very bytes: nothing trailing, nothing a decoder skipped.
    if index.encode_v1() != bytes {
        return None;
    }
    if let IndexScope::Root(name) = index.scope() {
        if name.as_ref() != FRAGMENT {
            return None;
        }
    }
    Some(Position(index))
}

/// Why an accepted suggestion could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The passage was deleted (the thread is detached).
    Gone,
    /// The passage runs over more than one paragraph (or is not text).
    NotOneText,
    /// The passage's text is no longer the quoted text.
    Changed,
}

/// A passage located in the current text.
struct Located {
    text: XmlTextRef,
    from: u32,
    to: u32,
    current: String,
}

/// The parent of an XML node's branch, or `None` for a root or a non-XML type.
fn parent(branch: BranchPtr) -> Option<BranchPtr> {
    let node = XmlOut::try_from(branch).ok()?;
    let up = match node {
        XmlOut::Element(e) => e.parent(),
        XmlOut::Fragment(f) => f.parent(),
        XmlOut::Text(t) => t.parent(),
    }?;
    let branch: &Branch = match &up {
        XmlOut::Element(e) => e.as_ref(),
        XmlOut::Fragment(f) => f.as_ref(),
        XmlOut::Text(t) => t.as_ref(),
    };
    Some(BranchPtr::from(branch))
}

/// Is `branch` alive and inside the editor's fragment (no deleted ancestor on the way)?
fn in_fragment(mut branch: BranchPtr) -> bool {
    for _ in 0..1024 {
        if branch.is_deleted() {
            return false;
        }
        if let BranchID::Root(name) = branch.id() {
            return name.as_ref() == FRAGMENT;
        }
        match parent(branch) {
            Some(p) => branch = p,
            None => return false,
        }
    }
    false
}

/// The plain text of an XmlText (formatting dropped), as ProseMirror's `textBetween` sees it.
fn plain<T: ReadTxn>(text: &XmlTextRef, txn: &T) -> String {
    let mut out = String::new();
    for chunk in text.diff(txn, YChange::identity) {
        if let Out::Any(Any::String(s)) = chunk.insert {
            out.push_str(&s);
        }
    }
    out
}

fn locate<T: ReadTxn>(txn: &T, start: &Position, end: &Position) -> Result<Located, Refusal> {
    let (Some(a), Some(b)) = (start.0.get_offset(txn), end.0.get_offset(txn)) else {
        return Err(Refusal::Gone);
    };
    if !in_fragment(a.branch) || !in_fragment(b.branch) {
        return Err(Refusal::Gone);
    }
    if a.branch != b.branch {
        return Err(Refusal::NotOneText);
    }
    if a.index >= b.index {
        return Err(Refusal::Gone);
    }
    let text = match XmlOut::try_from(a.branch) {
        Ok(XmlOut::Text(t)) => t,
        _ => return Err(Refusal::NotOneText),
    };
    let whole = plain(&text, txn);
    // Offsets are in the document's encoding (bytes, yrs's default, used throughout here).
    let current = whole
        .get(a.index as usize..b.index as usize)
        .ok_or(Refusal::NotOneText)?
        .to_owned();
    Ok(Located {
        text,
        from: a.index,
        to: b.index,
        current,
    })
}

fn load(state: &[u8], client_id: u64) -> Option<Doc> {
    let doc = Doc::with_options(Options {
        client_id: ClientID::new(client_id),
        ..Options::default()
    });
    // Define the root as an XML fragment first: a root first met in an update has no type yet,
    // and walking up from a paragraph must recognise it.
    let _ = doc.get_or_insert_xml_fragment(FRAGMENT);
    let update = Update::decode_v1(state).ok()?;
    doc.transact_mut().apply_update(update).ok()?;
    Some(doc)
}

/// The text the anchor spans now, or `None` when it is detached (the passage was deleted) or
/// does not lie in one paragraph. `state` is the whole document as a v1 update.
pub fn current_text(state: &[u8], start: &Position, end: &Position) -> Option<String> {
    let doc = load(state, 1)?;
    let txn = doc.transact();
    locate(&txn, start, end).ok().map(|l| l.current)
}

/// The v1 update that replaces the anchored passage with `replacement`, made under
/// `client_id` (a fresh one of the server's). The passage must still read `quote`: a suggestion
/// is accepted for the words it was made about, not for whatever is there now.
pub fn replace(
    state: &[u8],
    start: &Position,
    end: &Position,
    quote: &str,
    replacement: &str,
    client_id: u64,
) -> Result<Vec<u8>, Refusal> {
    let doc = load(state, client_id).ok_or(Refusal::Gone)?;
    let before: StateVector = doc.transact().state_vector();
    let mut txn = doc.transact_mut();
    let found = locate(&txn, start, end)?;
    if found.current != quote {
        return Err(Refusal::Changed);
    }
    // Insert after the passage, then remove it: the new words take the formatting of the
    // passage they replace rather than that of the text before it.
    found.text.insert(&mut txn, found.to, replacement);
    found
        .text
        .remove_range(&mut txn, found.from, found.to - found.from);
    Ok(txn.encode_state_as_update_v1(&before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Assoc, IndexedSequence, XmlElementPrelim, XmlFragment, XmlTextPrelim};

    /// A document like the editor's: one paragraph with `text`, its XmlText returned.
    fn paragraph(client: u64, text: &str) -> (Doc, XmlTextRef) {
        let doc = Doc::with_options(Options {
            client_id: ClientID::new(client),
            ..Options::default()
        });
        let frag = doc.get_or_insert_xml_fragment(FRAGMENT);
        let t = {
            let mut txn = doc.transact_mut();
            let p = frag.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            p.push_back(&mut txn, XmlTextPrelim::new(text))
        };
        (doc, t)
    }

    fn first_text(doc: &Doc) -> XmlTextRef {
        let frag = doc.get_or_insert_xml_fragment(FRAGMENT);
        let txn = doc.transact();
        match frag.get(&txn, 0) {
            Some(XmlOut::Element(p)) => match p.get(&txn, 0) {
                Some(XmlOut::Text(t)) => t,
                other => panic!("no text: {other:?}"),
            },
            other => panic!("no paragraph: {other:?}"),
        }
    }

    fn anchor(doc: &Doc, t: &XmlTextRef, from: u32, to: u32) -> (Position, Position) {
        let txn = doc.transact();
        let enc = |i| {
            let s = t.sticky_index(&txn, i, Assoc::After).expect("index");
            decode(&B64.encode(s.encode_v1())).expect("decodes")
        };
        (enc(from), enc(to))
    }

    fn state(doc: &Doc) -> Vec<u8> {
        doc.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    fn sync(from: &Doc, to: &Doc) {
        let sv = to.transact().state_vector();
        let u = from.transact().encode_state_as_update_v1(&sv);
        to.transact_mut()
            .apply_update(Update::decode_v1(&u).unwrap())
            .unwrap();
    }

    #[test]
    fn malformed_anchors_are_refused() {
        assert!(decode("").is_none());
        assert!(decode("not base64!").is_none());
        assert!(decode(&B64.encode([7u8; 3])).is_none());
        assert!(decode(&B64.encode([0u8; 200])).is_none());
        // A root position naming another type.
        let other = StickyIndex::new(IndexScope::Root("content".into()), Assoc::After);
        assert!(decode(&B64.encode(other.encode_v1())).is_none());
        let mut trailing =
            StickyIndex::new(IndexScope::Root(FRAGMENT.into()), Assoc::After).encode_v1();
        assert!(decode(&B64.encode(&trailing)).is_some());
        trailing.push(0);
        assert!(decode(&B64.encode(&trailing)).is_none());
    }

    #[test]
    fn the_anchor_follows_the_passage_through_concurrent_edits() {
        let (a, ta) = paragraph(1, "Diagnoza stanu miasta.");
        let (start, end) = anchor(&a, &ta, 9, 14); // "stanu"
        let b = Doc::with_options(Options {
            client_id: ClientID::new(2),
            ..Options::default()
        });
        sync(&a, &b);
        let tb = first_text(&b);
        // Concurrently: before it on one side, inside it and after it on the other.
        ta.insert(&mut a.transact_mut(), 0, "Wstępna ");
        {
            let mut txn = b.transact_mut();
            tb.insert(&mut txn, 11, "-ogólnego-"); // inside "stanu"
            let after = "Diagnoza st-ogólnego-anu".len() as u32;
            tb.remove_range(&mut txn, after, " miasta".len() as u32); // right after it
        }
        sync(&a, &b);
        sync(&b, &a);
        let text = current_text(&state(&a), &start, &end).expect("attached");
        assert_eq!(text, "st-ogólnego-anu");
        assert_eq!(
            current_text(&state(&b), &start, &end).as_deref(),
            Some(text.as_str())
        );

        // Deleting the passage detaches the thread.
        let len = text.len() as u32;
        let from = "Wstępna Diagnoza ".len() as u32;
        ta.remove_range(&mut a.transact_mut(), from, len);
        assert_eq!(current_text(&state(&a), &start, &end), None);
        assert_eq!(
            replace(&state(&a), &start, &end, "stanu", "x", 9),
            Err(Refusal::Gone)
        );
    }

    #[test]
    fn a_replacement_applies_to_every_replica() {
        let (a, ta) = paragraph(1, "Plan zakłada budowę parkingu.");
        let at = "Plan zakłada budowę ".len() as u32; // byte offsets: ł and ę are two
        let (start, end) = anchor(&a, &ta, at, at + "parkingu".len() as u32);
        assert_eq!(
            replace(&state(&a), &start, &end, "parking", "x", 9),
            Err(Refusal::Changed)
        );
        let update = replace(
            &state(&a),
            &start,
            &end,
            "parkingu",
            "parku kieszonkowego",
            9,
        )
        .expect("applies");
        a.transact_mut()
            .apply_update(Update::decode_v1(&update).unwrap())
            .unwrap();
        assert_eq!(
            plain(&ta, &a.transact()),
            "Plan zakłada budowę parku kieszonkowego."
        );
        // Only the server's client ID wrote it.
        let u = Update::decode_v1(&update).unwrap();
        let writers: Vec<u64> = u.state_vector().iter().map(|(c, _)| c.get()).collect();
        assert_eq!(writers, vec![9]);
    }
}
