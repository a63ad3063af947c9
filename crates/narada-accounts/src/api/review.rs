//! `/docs/{id}/threads/*` and `/notifications`: expert review (issue 11).
//!
//! A thread points at a passage by two Yjs relative positions ([`crate::anchor`]) and lives in
//! the database, never in the CRDT, with its author stamped here from the session. Every rule is
//! [`policy::can_thread`]; every change is audited in the same transaction and then announced to
//! everyone with the document open as a `threads_changed` event (PROTOCOL.md, "Events"), which
//! clients answer by fetching the thread again.
//!
//! Accepting a suggested wording makes a server-originated edit ([`crate::live`]): the thread is
//! claimed first (so two editors cannot both apply it), the hub applies the replacement in the
//! document's single order and stores it as a `suggestion` edit on the acceptor's behalf, then
//! the thread records the log entry; if the passage is gone or changed, the claim is undone.
//! The SQLite write lock is never held across the edit (the hub stores it in the same file).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use narada_proto::DocState;
use narada_store::AuthorKind;
use serde::Deserialize;
use serde_json::json;
use sqlx::AnyConnection;
use yrs::StateVector;

use super::answers::{BodyAnswers, SessionAnswers};
use super::docs::{doc_entry, load_visible, DocAnswers};
use super::{parse_id, ApiJson, ApiPath, ApiQuery, Caller};
use crate::anchor::{self, Refusal};
use crate::audit;
use crate::error::{AccountsError, ErrorBody, Result};
use crate::live::LiveError;
use crate::model;
use crate::policy::{self, DocFacts, ThreadAction};
use crate::review::{self, Kind, NewThread, Status, Thread};
use crate::AccountsState;

/// Longest thread body, reply, quote or replacement, in characters.
pub const MAX_BODY_CHARS: usize = 5000;
/// Most people one thread or reply may mention.
pub const MAX_MENTIONS: usize = 20;
/// The empty v1 update: what a server edit returns to change nothing.
const EMPTY_UPDATE: [u8; 2] = [0, 0];

/// Trims a body and checks it: not empty (unless `may_be_empty`), not too long, no control
/// characters but line breaks and tabs.
fn clean_body(s: &str, what: &str, may_be_empty: bool) -> Result<String> {
    let t = s.trim();
    if t.is_empty() && !may_be_empty {
        return Err(AccountsError::validation(format!(
            "{what} must not be empty"
        )));
    }
    if t.chars().count() > MAX_BODY_CHARS {
        return Err(AccountsError::validation(format!(
            "{what} is longer than {MAX_BODY_CHARS} characters"
        )));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AccountsError::validation(format!(
            "{what} contains control characters"
        )));
    }
    Ok(t.to_owned())
}

fn refuse(what: &'static str) -> AccountsError {
    AccountsError::Forbidden(what)
}

fn need(caller: &Caller, facts: &DocFacts, action: ThreadAction, own: bool) -> Result<()> {
    if policy::can_thread(&caller.facts, facts, action, own) {
        Ok(())
    } else {
        Err(refuse("you may not do this with this document's threads"))
    }
}

/// Loads a document whose threads the caller may read (404 / 403 otherwise).
async fn readable(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<(String, DocFacts)> {
    let (meta, facts) = load_visible(conn, caller, id).await?;
    need(caller, &facts, ThreadAction::Read, false)?;
    Ok((meta.id, facts))
}

/// A thread as the API shows it: the stored thread plus what the caller may do with it.
fn view(caller: &Caller, facts: &DocFacts, t: &Thread) -> serde_json::Value {
    let own = t.author.id == caller.person.id;
    let can: Vec<ThreadAction> = ThreadAction::ALL
        .into_iter()
        .filter(|a| policy::can_thread(&caller.facts, facts, *a, own))
        .collect();
    let mut v = serde_json::to_value(t).unwrap_or_default();
    v["can"] = json!(can);
    v
}

fn announce(state: &AccountsState, doc: &str, thread: i64, change: &str) {
    state.live.emit_event(
        doc,
        json!({ "type": "threads_changed", "thread": thread, "change": change }),
    );
}

/// Reads the changed thread, commits, and announces each change (after the commit, so a
/// client that fetches on the event sees it).
async fn finish(
    state: &AccountsState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    doc: &str,
    tid: i64,
    changes: &[&str],
) -> Result<Thread> {
    let t = review::thread(&mut tx, doc, tid).await?;
    tx.commit().await?;
    for change in changes {
        announce(state, doc, tid, change);
    }
    Ok(t)
}

fn thread_entry<'a>(
    caller: &'a Caller,
    action: &'a str,
    doc: &str,
    detail: serde_json::Value,
) -> audit::Entry<'a> {
    doc_entry(caller, action, doc, detail)
}

/// Checks the people a body mentions: each must be able to read the document. One answer for a
/// person who does not exist and one who cannot read it, so mentions cannot probe accounts.
async fn check_mentions(
    conn: &mut AnyConnection,
    caller: &Caller,
    facts: &DocFacts,
    mentions: &[i64],
) -> Result<BTreeSet<i64>> {
    if mentions.len() > MAX_MENTIONS {
        return Err(AccountsError::validation(format!(
            "at most {MAX_MENTIONS} mentions"
        )));
    }
    let mut out = BTreeSet::new();
    for &id in mentions {
        let readable = match model::person_facts(conn, id).await {
            Ok(p) => policy::can_thread(&p, facts, ThreadAction::Read, false),
            Err(AccountsError::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !readable {
            return Err(AccountsError::validation(format!(
                "person {id} cannot be mentioned here (no access to this document)"
            )));
        }
        if id != caller.person.id {
            out.insert(id);
        }
    }
    Ok(out)
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub author: Option<i64>,
}

/// List the document's review threads
#[utoipa::path(
    get,
    path = "/docs/{id}/threads",
    operation_id = "list_threads",
    tag = "review",
    security(("session" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn list(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<serde_json::Value>> {
    let status =
        match q.status.as_deref() {
            Some(s) => Some(Status::parse(s).ok_or_else(|| {
                AccountsError::validation("status must be open, answered or closed")
            })?),
            None => None,
        };
    let kind = match q.kind.as_deref() {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            AccountsError::validation("type must be remark, question, change or suggestion")
        })?),
        None => None,
    };
    let mut conn = state.db.pool.acquire().await?;
    let (doc, facts) = readable(&mut conn, &caller, &id).await?;
    let threads: Vec<serde_json::Value> = review::threads(&mut conn, &doc, None)
        .await?
        .iter()
        .filter(|t| status.is_none_or(|s| t.status == s))
        .filter(|t| kind.is_none_or(|k| t.kind == k))
        .filter(|t| q.author.is_none_or(|a| t.author.id == a))
        .map(|t| view(&caller, &facts, t))
        .collect();
    Ok(Json(json!({ "threads": threads })))
}

/// One thread with its comments
#[utoipa::path(
    get,
    path = "/docs/{id}/threads/{tid}",
    operation_id = "get_thread",
    tag = "review",
    security(("session" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn get(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid)): ApiPath<(String, String)>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    let mut conn = state.db.pool.acquire().await?;
    let (doc, facts) = readable(&mut conn, &caller, &id).await?;
    let t = review::thread(&mut conn, &doc, tid).await?;
    Ok(Json(view(&caller, &facts, &t)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorBody {
    pub start: String,
    pub end: String,
    pub quote: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    #[serde(rename = "type")]
    pub kind: Kind,
    pub body: String,
    pub anchor: AnchorBody,
    pub replacement: Option<String>,
    /// People to notify (ids from `GET /docs/{id}/people`).
    #[serde(default)]
    pub mentions: Vec<i64>,
}

/// Open a thread: a comment or a suggested wording anchored to a passage
#[utoipa::path(
    post,
    path = "/docs/{id}/threads",
    operation_id = "create_thread",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)")),
    request_body = Object,
    responses(
        (status = 201, description = "Created (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn create(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateBody>,
) -> Result<Response> {
    let body = clean_body(&b.body, "body", b.kind == Kind::Suggestion)?;
    let quote = clean_body(&b.anchor.quote, "quote", false)?;
    if anchor::decode(&b.anchor.start).is_none() || anchor::decode(&b.anchor.end).is_none() {
        return Err(AccountsError::validation(
            "anchor.start and anchor.end must be base64 Yjs relative positions in XmlFragment('default')",
        ));
    }
    let replacement = match (b.kind, b.replacement.as_deref()) {
        (Kind::Suggestion, Some(r)) => Some(clean_body(r, "replacement", true)?),
        (Kind::Suggestion, None) => {
            return Err(AccountsError::validation(
                "a suggestion needs its replacement text",
            ))
        }
        (_, Some(_)) => {
            return Err(AccountsError::validation(
                "only a suggestion carries a replacement",
            ))
        }
        (_, None) => None,
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Create, false)?;
    let mentioned = check_mentions(&mut tx, &caller, &facts, &b.mentions).await?;
    let tid = review::insert_thread(
        &mut tx,
        now,
        &NewThread {
            doc: &meta.id,
            kind: b.kind,
            body: &body,
            start: b.anchor.start.trim(),
            end: b.anchor.end.trim(),
            quote: &quote,
            replacement: replacement.as_deref(),
            author: caller.person.id,
        },
    )
    .await?;
    for p in &mentioned {
        review::notify(&mut tx, now, *p, &meta.id, tid, None, caller.person.id).await?;
    }
    let detail = json!({ "thread": tid, "type": b.kind, "mentions": mentioned });
    audit::record(
        &mut tx,
        now,
        thread_entry(&caller, "thread.create", &meta.id, detail),
    )
    .await?;
    let t = finish(&state, tx, &meta.id, tid, &["created"]).await?;
    Ok((StatusCode::CREATED, Json(view(&caller, &facts, &t))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    pub status: Option<Status>,
    pub body: Option<String>,
    pub replacement: Option<String>,
}

/// Changes a thread's status (answer, close, reopen) or its author's own text.
/// Change a thread (its status)
#[utoipa::path(
    patch,
    path = "/docs/{id}/threads/{tid}",
    operation_id = "update_thread",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id")),
    request_body = Object,
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn patch(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<PatchBody>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    if b.status.is_none() && b.body.is_none() && b.replacement.is_none() {
        return Err(AccountsError::validation(
            "nothing to change: give status, body or replacement",
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Read, false)?;
    let t = review::thread(&mut tx, &meta.id, tid).await?;
    let own = t.author.id == caller.person.id;
    let mut changes = Vec::new();
    if b.body.is_some() || b.replacement.is_some() {
        need(&caller, &facts, ThreadAction::EditOwn, own)?;
        if t.status == Status::Closed {
            return Err(AccountsError::Conflict("the thread is closed".into()));
        }
        if let Some(body) = &b.body {
            let body = clean_body(body, "body", t.kind == Kind::Suggestion)?;
            sqlx::query("UPDATE review_threads SET body = $1 WHERE id = $2")
                .bind(body)
                .bind(tid)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(r) = &b.replacement {
            if t.kind != Kind::Suggestion {
                return Err(AccountsError::validation(
                    "only a suggestion carries a replacement",
                ));
            }
            let r = clean_body(r, "replacement", true)?;
            sqlx::query("UPDATE review_threads SET replacement = $1 WHERE id = $2")
                .bind(r)
                .bind(tid)
                .execute(&mut *tx)
                .await?;
        }
        changes.push("edited");
    }
    if let Some(to) = b.status.filter(|s| *s != t.status) {
        let action = match to {
            Status::Answered => ThreadAction::Answer,
            Status::Closed | Status::Open => ThreadAction::Close,
        };
        need(&caller, &facts, action, own)?;
        if to == Status::Answered && t.status == Status::Closed {
            return Err(AccountsError::Conflict(
                "a closed thread is reopened before it is answered".into(),
            ));
        }
        if t.resolution.is_some() {
            return Err(AccountsError::Conflict(
                "the suggestion was accepted or rejected; start a new thread".into(),
            ));
        }
        sqlx::query("UPDATE review_threads SET status = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(tid)
            .execute(&mut *tx)
            .await?;
        let detail = json!({ "thread": tid, "from": t.status, "to": to });
        audit::record(
            &mut tx,
            now,
            thread_entry(&caller, "thread.status", &meta.id, detail),
        )
        .await?;
        changes.push("status");
    }
    if changes.contains(&"edited") {
        let detail = json!({ "thread": tid });
        audit::record(
            &mut tx,
            now,
            thread_entry(&caller, "thread.edit", &meta.id, detail),
        )
        .await?;
    }
    if !changes.is_empty() {
        review::touch(&mut tx, now, tid).await?;
    }
    let t = finish(&state, tx, &meta.id, tid, &changes).await?;
    Ok(Json(view(&caller, &facts, &t)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub body: String,
    #[serde(default)]
    pub mentions: Vec<i64>,
}

/// Answer in a thread
#[utoipa::path(
    post,
    path = "/docs/{id}/threads/{tid}/comments",
    operation_id = "add_comment",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id")),
    request_body = Object,
    responses(
        (status = 201, description = "Created (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn add_comment(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<CommentBody>,
) -> Result<Response> {
    let tid = parse_id(&tid, "thread")?;
    let body = clean_body(&b.body, "body", false)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Reply, false)?;
    review::thread(&mut tx, &meta.id, tid).await?;
    let mentioned = check_mentions(&mut tx, &caller, &facts, &b.mentions).await?;
    let cid = review::insert_comment(&mut tx, now, tid, caller.person.id, &body).await?;
    for p in &mentioned {
        review::notify(&mut tx, now, *p, &meta.id, tid, Some(cid), caller.person.id).await?;
    }
    let detail = json!({ "thread": tid, "comment": cid, "mentions": mentioned });
    audit::record(
        &mut tx,
        now,
        thread_entry(&caller, "thread.comment", &meta.id, detail),
    )
    .await?;
    let t = finish(&state, tx, &meta.id, tid, &["commented"]).await?;
    let mut v = view(&caller, &facts, &t);
    v["comment"] = json!(cid);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Whether the caller wrote the thread's reply `cid` (404 when the thread has no such reply).
fn comment_of(t: &Thread, cid: i64, caller: &Caller) -> Result<bool> {
    let c = t
        .comments
        .iter()
        .find(|c| c.id == cid)
        .ok_or(AccountsError::NotFound("comment"))?;
    Ok(c.author.id == caller.person.id)
}

/// Edit one's comment
#[utoipa::path(
    patch,
    path = "/docs/{id}/threads/{tid}/comments/{cid}",
    operation_id = "edit_comment",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id"), ("cid" = i64, Path, description = "Comment id")),
    request_body = Object,
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn edit_comment(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid, cid)): ApiPath<(String, String, String)>,
    ApiJson(b): ApiJson<CommentBody>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    let cid = parse_id(&cid, "comment")?;
    let body = clean_body(&b.body, "body", false)?;
    if !b.mentions.is_empty() {
        return Err(AccountsError::validation(
            "mentions are made in a new reply",
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Read, false)?;
    let t = review::thread(&mut tx, &meta.id, tid).await?;
    let own = comment_of(&t, cid, &caller)?;
    need(&caller, &facts, ThreadAction::EditOwn, own)?;
    sqlx::query("UPDATE review_comments SET body = $1, updated_at = $2 WHERE id = $3")
        .bind(body)
        .bind(now)
        .bind(cid)
        .execute(&mut *tx)
        .await?;
    review::touch(&mut tx, now, tid).await?;
    let detail = json!({ "thread": tid, "comment": cid });
    audit::record(
        &mut tx,
        now,
        thread_entry(&caller, "comment.edit", &meta.id, detail),
    )
    .await?;
    let t = finish(&state, tx, &meta.id, tid, &["comment_edited"]).await?;
    Ok(Json(view(&caller, &facts, &t)))
}

/// Delete one's comment
#[utoipa::path(
    delete,
    path = "/docs/{id}/threads/{tid}/comments/{cid}",
    operation_id = "delete_comment",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id"), ("cid" = i64, Path, description = "Comment id")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn delete_comment(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid, cid)): ApiPath<(String, String, String)>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    let cid = parse_id(&cid, "comment")?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Read, false)?;
    let t = review::thread(&mut tx, &meta.id, tid).await?;
    let own = comment_of(&t, cid, &caller)?;
    if !policy::can_thread(&caller.facts, &facts, ThreadAction::EditOwn, own) {
        need(&caller, &facts, ThreadAction::Moderate, false)?;
    }
    sqlx::query("DELETE FROM review_comments WHERE id = $1")
        .bind(cid)
        .execute(&mut *tx)
        .await?;
    review::touch(&mut tx, now, tid).await?;
    let author = t.comments.iter().find(|c| c.id == cid).map(|c| c.author.id);
    let mut entry = thread_entry(
        &caller,
        "comment.delete",
        &meta.id,
        json!({ "thread": tid, "comment": cid }),
    );
    entry.subject_id = author;
    audit::record(&mut tx, now, entry).await?;
    let t = finish(&state, tx, &meta.id, tid, &["comment_deleted"]).await?;
    Ok(Json(view(&caller, &facts, &t)))
}

/// Checks that the caller may decide the suggestion now; returns the thread.
async fn decidable(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    tid: i64,
) -> Result<(String, DocFacts, Thread)> {
    let (meta, facts) = load_visible(conn, caller, id).await?;
    need(caller, &facts, ThreadAction::Read, false)?;
    let t = review::thread(conn, &meta.id, tid).await?;
    need(caller, &facts, ThreadAction::Decide, false)?;
    if t.kind != Kind::Suggestion {
        return Err(AccountsError::validation(
            "only a suggested wording is accepted or rejected",
        ));
    }
    if t.status == Status::Closed || t.resolution.is_some() {
        return Err(AccountsError::Conflict(
            "the thread is already closed".into(),
        ));
    }
    Ok((meta.id, facts, t))
}

/// Accepts a suggested wording: the server writes it into the text.
/// Accept a suggested wording (a server-originated edit on the acceptor's behalf)
#[utoipa::path(
    post,
    path = "/docs/{id}/threads/{tid}/accept",
    operation_id = "accept_suggestion",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        (status = 409, description = "`conflict`: the passage changed or the document is busy", body = ErrorBody),
        DocAnswers,
    )
)]
pub async fn accept(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid)): ApiPath<(String, String)>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    let now = state.now_ms();
    // 1. Claim the thread, so that a second accept (or a reject) meets a closed thread.
    let mut tx = state.db.begin().await?;
    let (doc, facts, t) = decidable(&mut tx, &caller, &id, tid).await?;
    let claimed = sqlx::query(
        "UPDATE review_threads SET status = 'closed', resolution = 'accepted', resolved_by = $1, \
         resolved_at = $2, updated_at = $2 WHERE id = $3 AND resolution IS NULL",
    )
    .bind(caller.person.id)
    .bind(now)
    .bind(tid)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(AccountsError::Conflict(
            "the thread is already closed".into(),
        ));
    }
    tx.commit().await?;

    // 2. The edit, in the document's order, stored as a suggestion on the acceptor's behalf.
    let outcome = apply_suggestion(&state, &caller, &t).await;

    // 3. Record it, or give the thread back.
    let mut tx = state.db.begin().await?;
    match outcome {
        Ok(seq) => {
            sqlx::query("UPDATE review_threads SET applied_seq = $1 WHERE id = $2")
                .bind(seq)
                .bind(tid)
                .execute(&mut *tx)
                .await?;
            let mut entry = thread_entry(
                &caller,
                "thread.accept",
                &doc,
                json!({ "thread": tid, "seq": seq, "suggested_by": t.author.id }),
            );
            entry.subject_id = Some(t.author.id);
            audit::record(&mut tx, now, entry).await?;
            let t = finish(&state, tx, &doc, tid, &["accepted"]).await?;
            Ok(Json(view(&caller, &facts, &t)))
        }
        Err(e) => {
            sqlx::query(
                "UPDATE review_threads SET status = $1, resolution = NULL, resolved_by = NULL, \
                 resolved_at = NULL WHERE id = $2",
            )
            .bind(t.status.as_str())
            .bind(tid)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Err(e)
        }
    }
}

/// Makes the replacement as a server-originated edit; the log seq it was stored at.
async fn apply_suggestion(state: &AccountsState, caller: &Caller, t: &Thread) -> Result<i64> {
    let (Some(start), Some(end)) = (
        anchor::decode(&t.anchor.start),
        anchor::decode(&t.anchor.end),
    ) else {
        return Err(AccountsError::Internal(
            "a stored anchor does not decode".into(),
        ));
    };
    let quote = t.anchor.quote.clone();
    let replacement = t.replacement.clone().unwrap_or_default();
    let refusal: Arc<Mutex<Option<Refusal>>> = Arc::default();
    let seen = Arc::clone(&refusal);
    // A fresh client ID of the server's for each edit, never a person's (PROTOCOL.md).
    let client = u64::from(rand::random::<u32>());
    let edit = Box::new(move |doc: &DocState| {
        let full = doc.diff(&StateVector::default());
        let made = anchor::replace(&full, &start, &end, &quote, &replacement, client);
        let mut slot = seen.lock().unwrap_or_else(|p| p.into_inner());
        match made {
            Ok(update) => {
                *slot = None;
                update
            }
            Err(r) => {
                *slot = Some(r);
                EMPTY_UPDATE.to_vec()
            }
        }
    });
    let res = state
        .live
        .server_edit(&t.doc, AuthorKind::Suggestion, Some(caller.sub()), edit)
        .await;
    let refused = *refusal.lock().unwrap_or_else(|p| p.into_inner());
    match (res, refused) {
        (Ok(Some(seq)), _) => Ok(seq),
        (_, Some(Refusal::Gone)) => Err(AccountsError::Conflict(
            "the passage was deleted; the suggestion cannot be applied".into(),
        )),
        (_, Some(Refusal::Changed)) => Err(AccountsError::Conflict(
            "the passage changed since the suggestion was made; it cannot be applied as is".into(),
        )),
        (_, Some(Refusal::NotOneText)) => Err(AccountsError::Conflict(
            "the passage runs over more than one paragraph; apply it by hand".into(),
        )),
        (Ok(None), None) => Err(AccountsError::Conflict(
            "the suggestion changed nothing".into(),
        )),
        (Err(LiveError::Busy), None) => Err(AccountsError::Conflict(
            "the document is busy storing edits; try again".into(),
        )),
        (Err(e), None) => Err(AccountsError::Internal(format!("server edit failed: {e}"))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

/// Reject a suggested wording
#[utoipa::path(
    post,
    path = "/docs/{id}/threads/{tid}/reject",
    operation_id = "reject_suggestion",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)"), ("tid" = i64, Path, description = "Thread id")),
    request_body = Object,
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn reject(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, tid)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<RejectBody>,
) -> Result<Json<serde_json::Value>> {
    let tid = parse_id(&tid, "thread")?;
    let reason = clean_body(&b.reason, "reason", false)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (doc, facts, t) = decidable(&mut tx, &caller, &id, tid).await?;
    sqlx::query(
        "UPDATE review_threads SET status = 'closed', resolution = 'rejected', \
         resolution_reason = $1, resolved_by = $2, resolved_at = $3, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(reason)
    .bind(caller.person.id)
    .bind(now)
    .bind(tid)
    .execute(&mut *tx)
    .await?;
    let mut entry = thread_entry(
        &caller,
        "thread.reject",
        &doc,
        json!({ "thread": tid, "suggested_by": t.author.id }),
    );
    entry.subject_id = Some(t.author.id);
    audit::record(&mut tx, now, entry).await?;
    let t = finish(&state, tx, &doc, tid, &["rejected"]).await?;
    Ok(Json(view(&caller, &facts, &t)))
}

/// People who can read the document, for the `@` picker (ids and names only).
/// The people who may be mentioned on the document
#[utoipa::path(
    get,
    path = "/docs/{id}/people",
    operation_id = "doc_people",
    tag = "review",
    security(("session" = [])),
    params(("id" = String, Path, description = "Document id (1-128 of A-Z a-z 0-9 . _ -)")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn people(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<serde_json::Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (_, facts) = load_visible(&mut conn, &caller, &id).await?;
    need(&caller, &facts, ThreadAction::Create, false)?;
    let everyone = model::people(&mut conn).await?;
    let all_facts = model::people_facts(&mut conn, None).await?;
    let mut out: Vec<serde_json::Value> = everyone
        .iter()
        .filter(|p| {
            all_facts
                .iter()
                .find(|f| f.id == p.id)
                .is_some_and(|f| policy::can_thread(f, &facts, ThreadAction::Read, false))
        })
        .map(|p| json!({ "id": p.id, "name": p.name }))
        .collect();
    out.sort_by(|a, b| {
        crate::text::polish_cmp(
            a["name"].as_str().unwrap_or_default(),
            b["name"].as_str().unwrap_or_default(),
        )
    });
    Ok(Json(json!({ "people": out })))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    pub limit: Option<i64>,
}

/// The caller's notifications (on documents they can still read) and how many are unread.
/// The caller's notifications
#[utoipa::path(
    get,
    path = "/notifications",
    operation_id = "list_notifications",
    tag = "review",
    security(("session" = [])),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        SessionAnswers,
    )
)]
pub async fn notifications(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> Result<Json<serde_json::Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let all = review::notifications(&mut conn, caller.person.id, q.limit.unwrap_or(100)).await?;
    let mut out = Vec::new();
    for n in all {
        let (_, facts) = model::doc_with_facts(&mut conn, &n.doc).await?;
        if policy::can_thread(&caller.facts, &facts, ThreadAction::Read, false) {
            out.push(n);
        }
    }
    let unread = out.iter().filter(|n| n.read_at.is_none()).count();
    Ok(Json(json!({ "notifications": out, "unread": unread })))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// The notifications to mark read; all of them when absent.
    pub ids: Option<Vec<i64>>,
}

/// Mark notifications read
#[utoipa::path(
    post,
    path = "/notifications/read",
    operation_id = "mark_notifications_read",
    tag = "review",
    security(("session" = [], "csrf" = [])),
    request_body = Object,
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        SessionAnswers,
        BodyAnswers,
    )
)]
pub async fn mark_read(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiJson(b): ApiJson<ReadBody>,
) -> Result<Json<serde_json::Value>> {
    if b.ids.as_ref().is_some_and(|ids| ids.len() > 500) {
        return Err(AccountsError::validation("at most 500 ids at once"));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let done = review::mark_read(&mut tx, now, caller.person.id, b.ids.as_deref()).await?;
    tx.commit().await?;
    Ok(Json(json!({ "marked": done })))
}
