//! Restoring a version as forward edits on top of the present.
//!
//! History is never rewritten: the restore is one new update, made under a fresh client ID of
//! the server's, that deletes the rich text's present content (the Tiptap/y-prosemirror
//! `XmlFragment("default")`) and inserts the version's content re-created node by node
//! (elements with their attributes, text with its formatting, embeds). Every connected client
//! applies it like any remote edit, so each ends with exactly the version's content: nothing is
//! duplicated (the old nodes are deleted, not merged) and nobody reloads. Restoring the
//! `before-restore` version stored just before undoes it the same way.

use yrs::types::text::Diff;
use yrs::types::xml::{XmlElementPrelim, XmlOut, XmlTextPrelim};
use yrs::types::Attrs;
use yrs::updates::decoder::Decode;
use yrs::{
    Doc, GetString, Options, Out, ReadTxn, StateVector, Text, Transact, TransactionMut, Update,
    WriteTxn, Xml, XmlFragment, XmlFragmentRef, XmlTextRef,
};

/// The root the web editor writes (y-prosemirror's default).
pub const FRAGMENT: &str = "default";

fn doc_from(state: &[u8], client: u64) -> Doc {
    let doc = Doc::with_options(Options {
        client_id: yrs::ClientID::new(client),
        // Yjs counts text in UTF-16 units; so do we, so offsets mean the same everywhere.
        offset_kind: yrs::OffsetKind::Utf16,
        ..Options::default()
    });
    if let Ok(update) = Update::decode_v1(state) {
        let _ = doc.transact_mut().apply_update(update);
    }
    doc
}

/// The update that turns `present` (a full state) into the content of `version` (a full
/// state), written under `client` (a fresh client ID of the server's). A restore always
/// rewrites the whole fragment, even where present and version agree: that is what makes the
/// result exact whatever happened in between.
pub fn restore_update(present: &[u8], version: &[u8], client: u64) -> Vec<u8> {
    let target = doc_from(present, client);
    let source = doc_from(version, client.wrapping_add(1));
    let src_txn = source.transact();
    let src = src_txn.get_xml_fragment(FRAGMENT);
    let mut txn = target.transact_mut();
    let before = txn.state_vector();
    let dest = txn.get_or_insert_xml_fragment(FRAGMENT);
    let len = dest.len(&txn);
    if len > 0 {
        dest.remove_range(&mut txn, 0, len);
    }
    if let Some(src) = src {
        copy_children(&src_txn, &src, &mut txn, &dest);
    }
    txn.encode_state_as_update_v1(&before)
}

/// Where copied nodes go: the fragment itself or an element in it.
trait Parent: XmlFragment {}
impl Parent for XmlFragmentRef {}
impl Parent for yrs::XmlElementRef {}

fn copy_children<T: ReadTxn, P: Parent>(
    src_txn: &T,
    from: &impl XmlFragment,
    txn: &mut TransactionMut,
    to: &P,
) {
    for child in from.children(src_txn) {
        match child {
            XmlOut::Element(el) => {
                let index = to.len(txn);
                let copy = to.insert(txn, index, XmlElementPrelim::empty(el.tag().as_ref()));
                for (key, value) in el.attributes(src_txn) {
                    if let Out::Any(any) = value {
                        copy.insert_attribute(txn, key, any);
                    } else {
                        copy.insert_attribute(txn, key, value.to_string(src_txn));
                    }
                }
                copy_children(src_txn, &el, txn, &copy);
            }
            XmlOut::Text(text) => {
                let index = to.len(txn);
                let copy = to.insert(txn, index, XmlTextPrelim::new(""));
                copy_text(src_txn, &text, txn, &copy);
            }
            XmlOut::Fragment(frag) => copy_children(src_txn, &frag, txn, to),
        }
    }
}

fn copy_text<T: ReadTxn>(
    src_txn: &T,
    from: &XmlTextRef,
    txn: &mut TransactionMut,
    to: &XmlTextRef,
) {
    let mut at = 0u32;
    let chunks: Vec<Diff<()>> = from.diff(src_txn, |_| ());
    for chunk in chunks {
        let attrs: Attrs = chunk.attributes.map(|a| *a).unwrap_or_default();
        match chunk.insert {
            Out::Any(yrs::Any::String(s)) => {
                let n = s.encode_utf16().count() as u32;
                to.insert_with_attributes(txn, at, &s, attrs);
                at += n;
            }
            Out::Any(any) => {
                to.insert_embed_with_attributes(txn, at, any, attrs);
                at += 1;
            }
            other => {
                // A nested shared type inside text: keep its text, never lose content.
                let s = other.to_string(src_txn);
                let n = s.encode_utf16().count() as u32;
                to.insert_with_attributes(txn, at, &s, attrs);
                at += n;
            }
        }
    }
}

/// The rich text of a full state as a plain outline (tags and text), for tests and logs.
pub fn fragment_xml(state: &[u8]) -> String {
    let doc = doc_from(state, 1);
    let txn = doc.transact();
    txn.get_xml_fragment(FRAGMENT)
        .map(|f| f.get_string(&txn))
        .unwrap_or_default()
}

/// The state vector of a full state (used to tell which log entries a version contains).
pub fn state_vector(state: &[u8]) -> StateVector {
    doc_from(state, 1).transact().state_vector()
}
