//! Revocation: who lost access because of a change.
//!
//! A handler that may change access takes a [`Snapshot`] of effective roles inside its
//! transaction before and after the change; [`changed`] lists every (document, person) whose role
//! is now different. After the commit, someone who lost all access gets `AccessRevoker::revoke`,
//! which closes their live sockets; someone whose role went down or up keeps their sockets and
//! gets `LiveDocs::set_role`, which changes what those sockets may do from the next message on
//! (the editor turns read-only or writable in place; issue 17, "Live permissions"). Computing roles through [`crate::policy::effective_role`] keeps this exact:
//! no rule is duplicated here.

use std::collections::HashMap;

use narada_auth::Role;
use sqlx::AnyConnection;

use crate::error::Result;
use crate::model;
use crate::policy;

/// Which part of the world a change can affect.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One person's roles on every document.
    Person(i64),
    /// Everyone's roles on one document.
    Doc(&'a str),
    /// Everyone on every document (city/network membership changes).
    All,
}

/// Effective roles, keyed by (document, person).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot(HashMap<(String, i64), Role>);

pub async fn snapshot(conn: &mut AnyConnection, scope: Scope<'_>) -> Result<Snapshot> {
    let (person, doc) = match scope {
        Scope::Person(p) => (Some(p), None),
        Scope::Doc(d) => (None, Some(d)),
        Scope::All => (None, None),
    };
    let people = model::people_facts(conn, person).await?;
    let docs = model::docs_with_facts(conn, doc).await?;
    let mut map = HashMap::new();
    for (meta, facts) in &docs {
        for p in &people {
            if let Some(role) = policy::effective_role(p, facts) {
                map.insert((meta.id.clone(), p.id), role);
            }
        }
    }
    Ok(Snapshot(map))
}

/// (document, person) pairs whose role differs after the change, with the new role (`None`: no
/// access left).
pub fn changed(before: &Snapshot, after: &Snapshot) -> Vec<((String, i64), Option<Role>)> {
    let mut out: Vec<((String, i64), Option<Role>)> = before
        .0
        .iter()
        .filter(|(key, role)| after.0.get(*key) != Some(role))
        .map(|(key, _)| (key.clone(), after.0.get(key).copied()))
        .chain(
            after
                .0
                .iter()
                .filter(|(key, _)| !before.0.contains_key(*key))
                .map(|(key, role)| (key.clone(), Some(*role))),
        )
        .collect();
    out.sort();
    out
}
