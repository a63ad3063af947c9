//! The audit trail: an append-only record of sign-ins, permission and membership changes and
//! document life events, with who did it, to what, when and from where.
//!
//! Records are written inside the same transaction as the change they describe, so a change
//! never lands without its record (and a failed change leaves none). The table refuses UPDATE
//! and DELETE at the database level (see the 0100 migration). Nothing secret is ever put in
//! `detail`: no passwords, tokens or session ids.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::error::Result;

/// One record to append.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<String>,
    /// The person the record is about, when there is one (for the RODO export).
    pub subject_id: Option<i64>,
    pub detail: serde_json::Value,
    pub ip: Option<&'a str>,
}

/// A stored record, with the current names of the people and the thing it is about (for
/// reading; the ids are what the record holds, and a name is null when that row is gone).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = AuditRecord)]
pub struct Record {
    pub id: i64,
    /// When, in Unix milliseconds.
    pub at: i64,
    /// Who did it (null: nobody signed in, e.g. a failed sign-in).
    #[schema(required = true)]
    pub actor_id: Option<i64>,
    /// The actor's email at the time (kept when the account changes).
    #[schema(required = true)]
    pub actor_email: Option<String>,
    /// What was done, e.g. `login`, `login.failed`, `doc.share`, `person.update`.
    pub action: String,
    /// What kind of thing it was done to: `doc`, `person`, `city`, `network`.
    #[schema(required = true)]
    pub target_kind: Option<String>,
    /// Its id (a document id, a person id…).
    #[schema(required = true)]
    pub target_id: Option<String>,
    /// The person the record is about, when there is one (for the RODO export).
    #[schema(required = true)]
    pub subject_id: Option<i64>,
    /// The change itself (never a password, token or session id).
    pub detail: serde_json::Value,
    /// The client's address.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// The actor's name now.
    #[schema(required = true)]
    pub actor_name: Option<String>,
    /// The subject's name now.
    #[schema(required = true)]
    pub subject_name: Option<String>,
    /// The target's name now: a person's or a city's or network's name, a document's title.
    #[schema(required = true)]
    pub target_name: Option<String>,
}

pub async fn record(conn: &mut AnyConnection, at: i64, e: Entry<'_>) -> Result<()> {
    let detail = if e.detail.is_null() {
        "{}".to_owned()
    } else {
        e.detail.to_string()
    };
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target_kind, target_id, \
         subject_id, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(at)
    .bind(e.actor_id)
    .bind(e.actor_email.map(str::to_owned))
    .bind(e.action.to_owned())
    .bind(e.target_kind.map(str::to_owned))
    .bind(e.target_id)
    .bind(e.subject_id)
    .bind(detail)
    .bind(e.ip.map(str::to_owned))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Filters for listing; all optional, combined with AND.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// Records by this person (actor id).
    pub actor: Option<i64>,
    /// Records where the person is actor OR subject.
    pub person: Option<i64>,
    /// The action, e.g. `login.failed`, `doc.share`.
    #[param(max_length = 64)]
    pub action: Option<String>,
    /// The target's id (a document id, a person id…).
    #[param(max_length = 200)]
    pub target: Option<String>,
    /// From (Unix ms, inclusive).
    pub since: Option<i64>,
    /// Until (Unix ms, exclusive).
    pub until: Option<i64>,
    /// Return records with id lower than this (paging backwards, newest first).
    pub before_id: Option<i64>,
    /// How many, 1..10000 (default 200).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

pub async fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Vec<Record>> {
    // Names by scalar subqueries: a person's, city's or network's target id is its number as
    // text (cast only in its own CASE branch, so a document id is never cast).
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_id, a.actor_email, a.action, a.target_kind, a.target_id, \
         a.subject_id, a.detail, a.ip, \
         (SELECT p.name FROM people p WHERE p.id = a.actor_id) AS actor_name, \
         (SELECT p.name FROM people p WHERE p.id = a.subject_id) AS subject_name, \
         CASE a.target_kind \
           WHEN 'person' THEN (SELECT p.name FROM people p WHERE p.id = CAST(a.target_id AS BIGINT)) \
           WHEN 'city' THEN (SELECT c.name FROM cities c WHERE c.id = CAST(a.target_id AS BIGINT)) \
           WHEN 'network' THEN (SELECT n.name FROM networks n WHERE n.id = CAST(a.target_id AS BIGINT)) \
           WHEN 'doc' THEN (SELECT d.title FROM doc_meta d WHERE d.doc_id = a.target_id) \
         END AS target_name \
         FROM audit_log a WHERE 1 = 1",
    );
    // Built with numbered placeholders in the order they are bound.
    enum Arg {
        I(i64),
        S(String),
    }
    let mut args: Vec<Arg> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, arg: Arg| {
        args.push(arg);
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(a) = f.actor {
        push(&mut sql, " AND a.actor_id = ?", Arg::I(a));
    }
    if let Some(p) = f.person {
        push(&mut sql, " AND (a.actor_id = ?", Arg::I(p));
        push(&mut sql, " OR a.subject_id = ?)", Arg::I(p));
    }
    if let Some(a) = &f.action {
        push(&mut sql, " AND a.action = ?", Arg::S(a.clone()));
    }
    if let Some(t) = &f.target {
        push(&mut sql, " AND a.target_id = ?", Arg::S(t.clone()));
    }
    if let Some(s) = f.since {
        push(&mut sql, " AND a.at >= ?", Arg::I(s));
    }
    if let Some(u) = f.until {
        push(&mut sql, " AND a.at < ?", Arg::I(u));
    }
    if let Some(b) = f.before_id {
        push(&mut sql, " AND a.id < ?", Arg::I(b));
    }
    let limit = f.limit.unwrap_or(200).clamp(1, 10_000);
    sql.push_str(&format!(" ORDER BY a.id DESC LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    for a in args {
        q = match a {
            Arg::I(i) => q.bind(i),
            Arg::S(s) => q.bind(s),
        };
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let detail: String = r.try_get("detail")?;
            Ok(Record {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                actor_email: r.try_get("actor_email")?,
                action: r.try_get("action")?,
                target_kind: r.try_get("target_kind")?,
                target_id: r.try_get("target_id")?,
                subject_id: r.try_get("subject_id")?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                ip: r.try_get("ip")?,
                actor_name: r.try_get("actor_name")?,
                subject_name: r.try_get("subject_name")?,
                target_name: r.try_get("target_name")?,
            })
        })
        .collect()
}
