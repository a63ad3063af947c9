//! Revocation: who lost access because of a change.
//!
//! A handler that may take access away takes a [`Snapshot`] of effective roles inside its
//! transaction before and after the change; [`lost`] lists every (document, person) whose role
//! went down (or away). After the commit, each of them gets `AccessRevoker::revoke`, which
//! closes their live sockets; a client that still has some access reconnects with a fresh token
//! at its new role. Computing roles through [`crate::policy::effective_role`] keeps this exact:
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

/// (document, person) pairs whose role is lower after than before.
pub fn lost(before: &Snapshot, after: &Snapshot) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = before
        .0
        .iter()
        .filter(|(key, role)| after.0.get(*key).is_none_or(|new| new < role))
        .map(|(key, _)| key.clone())
        .collect();
    out.sort();
    out
}
