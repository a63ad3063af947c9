//! Real editing traces (josephg/editing-traces, CC BY 4.0) turned into Yjs updates.
//!
//! A trace is `{startContent, endContent, txns: [{patches: [[pos, del, ins], …]}]}` with positions
//! in Unicode code points. Every patch becomes ONE yrs transaction and so one v1 update, which is
//! what a text editor bound to Yjs sends per keystroke. Replaying a whole trace must reproduce
//! `endContent`; [`Trace::load`] checks that, so a mis-parsed trace can never produce figures.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use yrs::{Doc, GetString, OffsetKind, Options, ReadTxn, Text, Transact};

/// One patch: at code point `pos`, delete `del` code points, then insert `ins`.
#[derive(Debug, Clone)]
pub struct Edit {
    pub pos: u32,
    pub del: u32,
    pub ins: String,
}

/// A loaded trace, flattened to one edit per entry.
#[derive(Debug, Clone)]
pub struct Trace {
    pub name: String,
    pub edits: Vec<Edit>,
    pub end_content: String,
}

#[derive(Deserialize)]
struct RawTrace {
    #[serde(rename = "startContent")]
    start_content: String,
    #[serde(rename = "endContent")]
    end_content: String,
    txns: Vec<RawTxn>,
}

#[derive(Deserialize)]
struct RawTxn {
    patches: Vec<(u32, u32, String)>,
}

/// Where the traces live: `--traces` if given, else `../shared/data/editing-traces` relative to
/// the repository root (CI clones the repo next to a copy of `shared/`).
pub fn traces_dir(arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("NARADA_TRACES") {
        return PathBuf::from(p);
    }
    // Beside the checkout (the workplace's layout), else the workplace's own copy, so a clone
    // made elsewhere (CI's) finds them too.
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        repo_root.join("../shared/data/editing-traces"),
        PathBuf::from("/work/shared/data/editing-traces"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .unwrap_or_else(|| repo_root.join("../shared/data/editing-traces"))
}

impl Trace {
    /// Loads `sequential_traces/NAME.json.gz` under `dir` and verifies it replays to its end
    /// content (on plain strings, independent of yrs).
    pub fn load(dir: &Path, name: &str) -> Result<Trace> {
        let path = dir
            .join("sequential_traces")
            .join(format!("{name}.json.gz"));
        let file = std::fs::File::open(&path)
            .with_context(|| format!("opening trace {} (pass --traces DIR)", path.display()))?;
        let mut json = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut json)
            .with_context(|| format!("decompressing {}", path.display()))?;
        let raw: RawTrace = serde_json::from_str(&json).context("parsing trace JSON")?;
        if !raw.start_content.is_empty() {
            bail!("trace {name} does not start empty");
        }
        let edits: Vec<Edit> = raw
            .txns
            .into_iter()
            .flat_map(|t| t.patches)
            .map(|(pos, del, ins)| Edit { pos, del, ins })
            .collect();
        let trace = Trace {
            name: name.to_owned(),
            edits,
            end_content: raw.end_content,
        };
        let replayed = trace.replay_plain(trace.edits.len());
        if replayed != trace.end_content {
            bail!("trace {name} does not replay to its endContent");
        }
        Ok(trace)
    }

    /// The document after the first `n` edits, computed on a plain char vector.
    pub fn replay_plain(&self, n: usize) -> String {
        let mut chars: Vec<char> = Vec::new();
        for e in &self.edits[..n] {
            let pos = e.pos as usize;
            chars.splice(pos..pos + e.del as usize, e.ins.chars());
        }
        chars.into_iter().collect()
    }
}

/// A yrs document configured like the Yjs clients the traces stand for: offsets in UTF-16 code
/// units (equal to code points for every trace here, which has no astral characters).
pub fn new_doc(client_id: u64) -> Doc {
    let options = Options {
        client_id: yrs::block::ClientID::new(client_id),
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    };
    Doc::with_options(options)
}

/// The updates a client with `client_id` sends while typing the first `n` edits of `trace` into
/// the root text `root`, one update per edit, plus the resulting text.
pub fn encode_updates(
    trace: &Trace,
    n: usize,
    client_id: u64,
    root: &str,
) -> (Vec<Vec<u8>>, String) {
    let doc = new_doc(client_id);
    let text = doc.get_or_insert_text(root);
    let mut updates = Vec::with_capacity(n);
    for e in &trace.edits[..n.min(trace.edits.len())] {
        let mut txn = doc.transact_mut();
        if e.del > 0 {
            text.remove_range(&mut txn, e.pos, e.del);
        }
        if !e.ins.is_empty() {
            text.insert(&mut txn, e.pos, &e.ins);
        }
        // Encoding the transaction's own diff (new items + its delete set) is exactly the update
        // a Yjs client emits for it.
        let update = txn.encode_update_v1();
        drop(txn);
        updates.push(update);
    }
    let content = text.get_string(&doc.transact());
    (updates, content)
}

/// Like [`encode_updates`], but long replays are cached on disk (`target/bench-cache`, or
/// `$NARADA_BENCH_CACHE`): yrs finds a text position by scanning the document's blocks, so
/// replaying all of B4 costs tens of seconds, which every scenario run would otherwise repeat.
/// Short prefixes are cheap (the document is still small) and are encoded directly.
pub fn encode_updates_cached(trace: &Trace, n: usize, client_id: u64, root: &str) -> Vec<Vec<u8>> {
    if n <= 20_000 {
        return encode_updates(trace, n, client_id, root).0;
    }
    let dir = std::env::var_os("NARADA_BENCH_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-cache"));
    let path = dir.join(format!("{}-c{client_id}-{root}.bin", trace.name));
    if let Some(all) = read_cache(&path, trace.edits.len()) {
        return all.into_iter().take(n).collect();
    }
    let (all, _) = encode_updates(trace, trace.edits.len(), client_id, root);
    let mut out = Vec::with_capacity(all.iter().map(|u| u.len() + 4).sum());
    for u in &all {
        out.extend_from_slice(&(u.len() as u32).to_le_bytes());
        out.extend_from_slice(u);
    }
    // A failed cache write only costs the next run the same time again.
    let _ = std::fs::create_dir_all(&dir);
    let tmp = path.with_extension("tmp");
    if std::fs::write(&tmp, &out).is_ok() {
        let _ = std::fs::rename(&tmp, &path);
    }
    all.into_iter().take(n).collect()
}

fn read_cache(path: &Path, expect: usize) -> Option<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path).ok()?;
    let mut out = Vec::with_capacity(expect);
    let mut rest = &bytes[..];
    while rest.len() >= 4 {
        let len = u32::from_le_bytes(rest[..4].try_into().ok()?) as usize;
        rest = &rest[4..];
        if rest.len() < len {
            return None;
        }
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    (rest.is_empty() && out.len() == expect).then_some(out)
}

/// Reads the text of root `root` in `doc` (empty when absent).
pub fn text_of(doc: &Doc, root: &str) -> String {
    let txn = doc.transact();
    txn.get_text(root)
        .map(|t| t.get_string(&txn))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::Update;

    fn tiny() -> Trace {
        Trace {
            name: "tiny".into(),
            edits: vec![
                Edit {
                    pos: 0,
                    del: 0,
                    ins: "helo".into(),
                },
                Edit {
                    pos: 3,
                    del: 0,
                    ins: "l".into(),
                },
                Edit {
                    pos: 5,
                    del: 0,
                    ins: "!".into(),
                },
                Edit {
                    pos: 5,
                    del: 1,
                    ins: "".into(),
                },
                Edit {
                    pos: 0,
                    del: 1,
                    ins: "H".into(),
                },
            ],
            end_content: "Hello".into(),
        }
    }

    #[test]
    fn replays_plain_and_through_yrs_alike() {
        let t = tiny();
        assert_eq!(t.replay_plain(5), "Hello");
        assert_eq!(t.replay_plain(3), "hello!");
        let (updates, content) = encode_updates(&t, 5, 7, "text");
        assert_eq!(encode_updates_cached(&t, 5, 7, "text"), updates);
        assert_eq!(updates.len(), 5);
        assert_eq!(content, "Hello");
        // A fresh replica that applies the updates one by one ends with the same text.
        let replica = new_doc(8);
        for u in &updates {
            replica
                .transact_mut()
                .apply_update(Update::decode_v1(u).unwrap())
                .unwrap();
        }
        assert_eq!(text_of(&replica, "text"), "Hello");
    }

    #[test]
    fn loads_the_b4_trace_when_present() {
        let dir = traces_dir(None);
        if !dir.exists() {
            eprintln!("skipping: {} not present", dir.display());
            return;
        }
        let t = Trace::load(&dir, "automerge-paper").unwrap();
        assert_eq!(t.edits.len(), 259_778);
        assert_eq!(t.end_content.chars().count(), 104_852);
        let (updates, content) = encode_updates(&t, 2_000, 1, "text");
        assert_eq!(updates.len(), 2_000);
        assert_eq!(content, t.replay_plain(2_000));
    }
}
