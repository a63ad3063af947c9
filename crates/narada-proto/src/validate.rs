//! A structural pre-check of Yjs v1 updates, run before yrs sees them.
//!
//! yrs (0.28) decodes `Any` values (the content of `Y.Array`/`Y.Map` entries and sub-document
//! options) recursively with no depth limit: an update of a few kilobytes nesting arrays ten
//! thousand deep overflows the thread's stack, and a stack overflow aborts the process — no
//! `catch_unwind` can stop it. This module walks the update's struct section the way yrs would,
//! skips every `Any` *iteratively* with a depth bound, and refuses anything it cannot account
//! for. The delete set that follows the structs holds only integers and is left to yrs.
//!
//! It mirrors yrs's decoder (`Update::decode`, `decode_block`, `ItemContent::decode`) rather
//! than the Yjs reference where the two differ, because yrs is what will read the bytes next.

use crate::message::ProtoError;
use crate::varint::Reader;

/// Deepest `Any` nesting accepted. Real documents stay in single digits; serde_json (which
/// yrs uses for JSON-encoded content) stops at 128.
pub const MAX_ANY_DEPTH: usize = 100;

/// Why an update was refused by the pre-check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidUpdate {
    #[error("malformed update: {0}")]
    Malformed(#[from] ProtoError),
    #[error("content nested deeper than {MAX_ANY_DEPTH}")]
    TooDeep,
    #[error("unknown content type {0}")]
    UnknownContent(u8),
    #[error("unknown type reference {0}")]
    UnknownTypeRef(u8),
    #[error("unknown value tag {0}")]
    UnknownAnyTag(u8),
}

const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;

/// Checks the struct section of a v1 update. `Ok` means yrs can decode it without deep
/// recursion; it does not mean the update is valid (yrs still decides that).
pub fn check_update_v1(update: &[u8]) -> Result<(), InvalidUpdate> {
    walk_update_v1(update, |_| {}).map(|_| ())
}

/// One client's run of structs in a v1 update, as it sits in the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSection {
    /// The Yjs client ID the structs were written under.
    pub client: u64,
    /// Clock of the first struct.
    pub clock: u64,
    /// Number of structs (items, GC and skip ranges).
    pub structs: u64,
    /// The section's bytes in the update: its struct count, client, clock and structs, so a
    /// section can be copied into another update unchanged.
    pub bytes: std::ops::Range<usize>,
}

/// Walks the struct section like [`check_update_v1`], reporting each client's section, and
/// returns the offset where the delete set starts.
pub fn walk_update_v1(
    update: &[u8],
    mut on_section: impl FnMut(ClientSection),
) -> Result<usize, InvalidUpdate> {
    let mut r = Reader::new(update);
    let clients = r.read_var_u64()?;
    for _ in 0..clients {
        let start = r.pos();
        let structs = r.read_var_u64()?;
        let client = r.read_var_u64()?;
        let clock = r.read_var_u64()?;
        for _ in 0..structs {
            check_block(&mut r)?;
        }
        on_section(ClientSection {
            client,
            clock,
            structs,
            bytes: start..r.pos(),
        });
    }
    Ok(r.pos())
}

fn read_u8(r: &mut Reader<'_>) -> Result<u8, ProtoError> {
    let range = r.read_fixed_range(1)?;
    Ok(r.byte_at(range.start))
}

fn check_block(r: &mut Reader<'_>) -> Result<(), InvalidUpdate> {
    let info = read_u8(r)?;
    match info {
        // Skip and GC ranges: a length.
        10 | 0 => {
            r.read_var_u64()?;
            return Ok(());
        }
        _ => {}
    }
    if info & HAS_ORIGIN != 0 {
        r.read_var_u64()?;
        r.read_var_u64()?;
    }
    if info & HAS_RIGHT_ORIGIN != 0 {
        r.read_var_u64()?;
        r.read_var_u64()?;
    }
    if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
        if r.read_var_u64()? == 1 {
            r.read_buf()?; // root type name
        } else {
            r.read_var_u64()?; // parent item id
            r.read_var_u64()?;
        }
        if info & HAS_PARENT_SUB != 0 {
            r.read_buf()?;
        }
    }
    match info & 0b1111 {
        1 => {
            r.read_var_u64()?; // deleted length
        }
        2 => {
            // JSON strings; yrs reads len + 1 of them.
            let len = r.read_var_u64()?;
            for _ in 0..=len {
                r.read_buf()?;
            }
        }
        3 | 4 => {
            r.read_buf()?; // binary, string
        }
        5 => {
            r.read_buf()?; // embed: JSON text, depth-limited by serde_json
        }
        6 => {
            r.read_buf()?; // format key
            r.read_buf()?; // format value (JSON text)
        }
        7 => {
            let type_ref = read_u8(r)?;
            match type_ref {
                0 | 1 | 2 | 4 | 5 | 6 | 9 | 15 => {}
                3 => {
                    r.read_buf()?; // XML element name
                }
                other => return Err(InvalidUpdate::UnknownTypeRef(other)),
            }
        }
        8 => {
            let len = r.read_var_u64()?;
            if len > r.remaining() as u64 {
                return Err(ProtoError::Truncated.into());
            }
            for _ in 0..len {
                skip_any(r)?;
            }
        }
        9 => {
            r.read_buf()?; // sub-document guid
            skip_any(r)?; // its options
        }
        other => return Err(InvalidUpdate::UnknownContent(other)),
    }
    Ok(())
}

/// Skips one lib0 `Any` value without recursion, refusing nesting beyond [`MAX_ANY_DEPTH`].
fn skip_any(r: &mut Reader<'_>) -> Result<(), InvalidUpdate> {
    // Each entry: (values still to read at this level, whether each is preceded by a map key).
    let mut stack: Vec<(u64, bool)> = vec![(1, false)];
    while let Some(top) = stack.last_mut() {
        if top.0 == 0 {
            stack.pop();
            continue;
        }
        top.0 -= 1;
        if top.1 {
            r.read_buf()?;
        }
        match read_u8(r)? {
            127 | 126 | 121 | 120 => {}
            125 => {
                r.read_var_u64()?; // signed varint: same byte framing
            }
            124 => {
                r.read_fixed_range(4)?;
            }
            123 | 122 => {
                r.read_fixed_range(8)?;
            }
            119 | 116 => {
                r.read_buf()?;
            }
            tag @ (117 | 118) => {
                let len = r.read_var_u64()?;
                // Every element takes at least one byte: a longer count is a length bomb.
                if len > r.remaining() as u64 {
                    return Err(ProtoError::Truncated.into());
                }
                if stack.len() > MAX_ANY_DEPTH {
                    return Err(InvalidUpdate::TooDeep);
                }
                stack.push((len, tag == 118));
            }
            other => return Err(InvalidUpdate::UnknownAnyTag(other)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Any, Array, Doc, Map, ReadTxn, StateVector, Text, Transact, WriteTxn};

    fn nested_array(depth: usize) -> Vec<u8> {
        let mut v = vec![1, 1, 1, 0, 8, 1, 1, b't', 1];
        for _ in 0..depth {
            v.extend_from_slice(&[117, 1]);
        }
        v.extend_from_slice(&[117, 0, 0]);
        v
    }

    #[test]
    fn refuses_deep_nesting_without_recursing() {
        assert_eq!(
            check_update_v1(&nested_array(100_000)),
            Err(InvalidUpdate::TooDeep)
        );
        assert_eq!(check_update_v1(&nested_array(10)), Ok(()));
    }

    #[test]
    fn accepts_what_yrs_produces() {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("t");
        let map = doc.get_or_insert_map("m");
        let arr = doc.get_or_insert_array("a");
        let frag = doc.get_or_insert_xml_fragment("x");
        {
            let mut txn = doc.transact_mut();
            text.insert(&mut txn, 0, "zażółć gęślą jaźń");
            text.remove_range(&mut txn, 0, 1);
            text.insert_with_attributes(
                &mut txn,
                0,
                "B",
                [("bold".into(), Any::Bool(true))].into_iter().collect(),
            );
            text.insert_embed(&mut txn, 0, Any::from(vec![Any::from(1.5), Any::Null]));
            map.insert(&mut txn, "n", 42);
            map.insert(&mut txn, "s", "str");
            map.insert(
                &mut txn,
                "deep",
                Any::from(vec![Any::from(vec![Any::from(vec![Any::from(7i64)])])]),
            );
            arr.push_back(&mut txn, Any::from(vec![1u8, 2, 3]));
            arr.push_back(&mut txn, yrs::MapPrelim::default());
            yrs::XmlFragment::push_back(&frag, &mut txn, yrs::XmlElementPrelim::empty("p"));
            yrs::XmlFragment::push_back(&frag, &mut txn, yrs::XmlTextPrelim::new("x"));
            let _ = txn.get_or_insert_map("other");
        }
        let full = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        assert_eq!(check_update_v1(&full), Ok(()));
    }

    #[test]
    fn refuses_unknown_content_and_truncation() {
        assert!(check_update_v1(&[1, 1, 1, 0, 15]).is_err());
        assert!(check_update_v1(&[1, 1, 1, 0, 8, 1, 1]).is_err());
        assert!(matches!(
            check_update_v1(&[1, 1, 1, 0, 8, 1, 1, b't', 0xff, 0xff, 0xff, 0x0f]),
            Err(InvalidUpdate::Malformed(_))
        ));
    }
}
