//! `/docs/{id}/versions`, `/compare`, `/timeline`: a document's version history (issue 10).
//!
//! Who sees what is [`policy::can_history`]: everyone who reads a document sees its named
//! versions; editors and moderators see every version, compare, replay the timeline and
//! restore. States travel as base64 Yjs v1 updates; authors come from the authored log
//! ([`crate::history`]), never from what clients wrote into the document.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use narada_store::AuthorKind;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::AnyConnection;
use utoipa::{IntoParams, ToSchema};

use super::answers::BodyAnswers;
use super::docs::{doc_entry, load_visible, DocAnswers};
use super::{clean_text, parse_id, ApiJson, ApiPath, ApiQuery, Caller};
use crate::audit;
use crate::error::{AccountsError, ErrorBody, Result};
use crate::history::{self, attribution, restore, Reason, Version};
use crate::live::LiveError;
use crate::policy::{self, DocFacts, HistoryAction};
use crate::AccountsState;

const DOC_ID: &str = "Document id (1-128 of A-Z a-z 0-9 . _ -)";

/// Most timeline steps one request returns.
pub const MAX_TIMELINE_STEPS: i64 = 1000;

fn require(caller: &Caller, action: HistoryAction, facts: &DocFacts) -> Result<()> {
    if policy::can_history(&caller.facts, action, facts) {
        Ok(())
    } else {
        Err(AccountsError::Forbidden(
            "you may not do this with this document's history",
        ))
    }
}

/// The document (visible and readable by the caller) and its facts.
async fn open(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    action: HistoryAction,
) -> Result<(String, DocFacts)> {
    let (meta, facts) = load_visible(conn, caller, id).await?;
    require(caller, action, &facts)?;
    Ok((meta.id, facts))
}

async fn view_one(conn: &mut AnyConnection, v: &Version) -> Result<Value> {
    Ok(history::views(conn, std::slice::from_ref(v))
        .await?
        .pop()
        .unwrap_or(Value::Null))
}

/// List the document's versions (named ones for readers, all for editors)
#[utoipa::path(
    get,
    path = "/docs/{id}/versions",
    operation_id = "list_versions",
    tag = "history",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn list(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (doc, facts) = open(&mut conn, &caller, &id, HistoryAction::ReadNamed).await?;
    let all = policy::can_history(&caller.facts, HistoryAction::ReadAll, &facts);
    let versions: Vec<Version> = history::list(&mut conn, &doc)
        .await?
        .into_iter()
        .filter(|v| all || v.is_named())
        .collect();
    let versions = history::views(&mut conn, &versions).await?;
    Ok(Json(json!({ "versions": versions })))
}

/// A version's name.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = VersionNameBody)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    pub name: String,
}

/// Name the document's current state as a version
#[utoipa::path(
    post,
    path = "/docs/{id}/versions",
    operation_id = "create_version",
    tag = "history",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    request_body = NameBody,
    responses(
        (status = 201, description = "The new version (a JSON object)", body = Object),
        DocAnswers,
        BodyAnswers,
    )
)]
pub async fn create(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> Result<Response> {
    let name = clean_text(&body.name, "name", history::MAX_NAME_CHARS)?;
    let mut conn = state.db.pool.acquire().await?;
    let (doc, _) = open(&mut conn, &caller, &id, HistoryAction::Name).await?;
    let now = state.now_ms();
    let v = history::create(
        &state.db,
        &doc,
        Reason::Named,
        Some(&name),
        Some(caller.person.id),
        now,
    )
    .await?
    .ok_or_else(|| AccountsError::Internal("named version not stored".into()))?;
    audit::record(
        &mut conn,
        now,
        doc_entry(
            &caller,
            "doc.version.create",
            &doc,
            json!({ "version": v.id }),
        ),
    )
    .await?;
    history::announce_created(&state, &v);
    let body = view_one(&mut conn, &v).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A version the caller may open: named ones for readers, every one for editors up.
async fn readable_version(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    vid: &str,
) -> Result<(String, DocFacts, Version, Vec<u8>)> {
    let (doc, facts) = open(conn, caller, id, HistoryAction::ReadNamed).await?;
    let vid = parse_id(vid, "version id")?;
    let (v, st) = history::get(conn, &doc, vid).await?;
    if !v.is_named() {
        require(caller, HistoryAction::ReadAll, &facts)?;
    }
    Ok((doc, facts, v, st))
}

/// One version, with its state (base64 Yjs v1 update)
#[utoipa::path(
    get,
    path = "/docs/{id}/versions/{vid}",
    operation_id = "get_version",
    tag = "history",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID), ("vid" = i64, Path, description = "Version id")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn get(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, vid)): ApiPath<(String, String)>,
) -> Result<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (_, _, v, st) = readable_version(&mut conn, &caller, &id, &vid).await?;
    let mut body = view_one(&mut conn, &v).await?;
    body["state"] = Value::String(B64.encode(st));
    Ok(Json(body))
}

/// Restore a version (a server-originated edit, stored with its author)
#[utoipa::path(
    post,
    path = "/docs/{id}/versions/{vid}/restore",
    operation_id = "restore_version",
    tag = "history",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID), ("vid" = i64, Path, description = "Version id")),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        (status = 409, description = "`conflict`: the document is busy; try again", body = ErrorBody),
        DocAnswers,
    )
)]
pub async fn restore(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, vid)): ApiPath<(String, String)>,
) -> Result<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (doc, facts, v, version_state) = readable_version(&mut conn, &caller, &id, &vid).await?;
    require(&caller, HistoryAction::Restore, &facts)?;
    let now = state.now_ms();
    // First the present, so the restore can itself be undone.
    let before = history::create(
        &state.db,
        &doc,
        Reason::BeforeRestore,
        None,
        Some(caller.person.id),
        now,
    )
    .await?
    .ok_or_else(|| AccountsError::Internal("before-restore version not stored".into()))?;
    history::announce_created(&state, &before);
    let edit = Box::new(move |present: &narada_proto::DocState| {
        let client = u64::from(rand::random::<u32>());
        restore::restore_update(&present.snapshot(), &version_state, client)
    });
    let seq = state
        .live
        .server_edit(&doc, AuthorKind::Restore, Some(caller.sub()), edit)
        .await
        .map_err(|e| match e {
            LiveError::Busy => AccountsError::Conflict("the document is busy; try again".into()),
            e => AccountsError::Internal(format!("restore: {e}")),
        })?;
    audit::record(
        &mut conn,
        now,
        doc_entry(
            &caller,
            "doc.version.restore",
            &doc,
            json!({ "version": v.id, "before_restore": before.id, "seq": seq }),
        ),
    )
    .await?;
    tracing::info!(doc = %doc, version = v.id, seq, "version restored");
    state.live.emit_event(
        &doc,
        json!({ "type": "restored", "version": v.id, "before_restore": before.id, "seq": seq }),
    );
    let restored = view_one(&mut conn, &v).await?;
    let before = view_one(&mut conn, &before).await?;
    Ok(Json(
        json!({ "restored": restored, "before_restore": before, "seq": seq }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    pub from: String,
    pub to: String,
}

/// One side of a comparison: a version, or the document as stored now.
async fn side(
    state: &AccountsState,
    conn: &mut AnyConnection,
    doc: &str,
    which: &str,
) -> Result<(Value, i64, Vec<u8>)> {
    if which == "current" {
        let (st, seq) = history::stored_state(&state.db, doc).await?;
        return Ok((json!({ "id": "current", "seq": seq }), seq, st));
    }
    let vid = parse_id(which, "version id")?;
    let (v, st) = history::get(conn, doc, vid).await?;
    Ok((view_one(conn, &v).await?, v.upto_seq, st))
}

/// An author as the API shows it: how the change was made and the person.
fn author(
    kind: &str,
    person: Option<&String>,
    names: &std::collections::HashMap<String, Value>,
) -> Value {
    let who = person.and_then(|p| names.get(p));
    json!({
        "kind": kind,
        "id": who.map_or(Value::Null, |w| w["id"].clone()),
        "name": who.map_or(Value::Null, |w| w["name"].clone()),
    })
}

/// Compare two versions (or a version and the document now)
#[utoipa::path(
    get,
    path = "/docs/{id}/compare",
    operation_id = "compare_versions",
    tag = "history",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID), CompareQuery),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn compare(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> Result<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (doc, _) = open(&mut conn, &caller, &id, HistoryAction::ReadAll).await?;
    let (from, from_seq, from_state) = side(&state, &mut conn, &doc, &q.from).await?;
    let (to, to_seq, to_state) = side(&state, &mut conn, &doc, &q.to).await?;
    let (lo, hi) = (from_seq.min(to_seq), from_seq.max(to_seq));
    let entries = history::log(&state.db, &doc, lo, hi, i64::MAX).await?;
    let base = if from_seq <= to_seq {
        from_state.clone()
    } else {
        to_state.clone()
    };
    let changes = tokio::task::spawn_blocking(move || attribution::changes(&base, &entries))
        .await
        .map_err(|e| AccountsError::Internal(e.to_string()))?;
    let names = history::people(
        &mut conn,
        changes
            .iter()
            .filter_map(|c| c.person.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind, "client": c.client, "clock": c.clock, "len": c.len,
                "seq": c.seq, "at": c.at,
                "author": author(&c.author_kind, c.person.as_ref(), &names),
            })
        })
        .collect();
    Ok(Json(json!({
        "from": from, "to": to,
        "from_state": B64.encode(from_state), "to_state": B64.encode(to_state),
        "changes": changes,
    })))
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// Replay the document's authored log step by step
#[utoipa::path(
    get,
    path = "/docs/{id}/timeline",
    operation_id = "timeline",
    tag = "history",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID), TimelineQuery),
    responses(
        (status = 200, description = "The answer (a JSON object; its shape is not described yet)", body = Object),
        DocAnswers,
    )
)]
pub async fn timeline(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<Value>> {
    let mut conn = state.db.pool.acquire().await?;
    let (doc, _) = open(&mut conn, &caller, &id, HistoryAction::ReadAll).await?;
    let after = q.after.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(200).clamp(1, MAX_TIMELINE_STEPS);
    let rows = history::log(&state.db, &doc, after, i64::MAX, limit).await?;
    let names = history::people(
        &mut conn,
        rows.iter()
            .filter_map(|r| r.person.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let steps: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "seq": r.seq, "at": r.created_at_ms,
                "author": author(&r.author_kind, r.person.as_ref(), &names),
                "update": B64.encode(&r.data),
            })
        })
        .collect();
    Ok(Json(json!({ "steps": steps, "next_after": next })))
}
