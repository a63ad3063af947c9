//! `/docs/*`: document metadata, sharing, and the sync token.
//!
//! Listing loads every document's metadata and filters it through the policy in memory: simple
//! and exact for the scale Narada serves (28 cities, hundreds of documents); a database-side
//! pre-filter would be the next step for tens of thousands.
//!
//! Every decision goes through [`crate::policy`]: a document that does not exist (or is deleted,
//! for non-admins) is 404; one the caller may not act on is 403. Changes that can take access
//! away snapshot the effective roles before and after and revoke what was lost.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use narada_auth::Role;
use narada_store::DocId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;
use utoipa::{IntoParams, IntoResponses, ToSchema};

use super::answers::{BodyAnswers, SessionAnswers, BAD_INPUT};
use super::{clean_text, parse_id, ApiJson, ApiPath, ApiQuery, Caller};
use crate::access::{self, Scope};
use crate::audit;
use crate::error::{AccountsError, ErrorBody, Result};
use crate::model::{self, DocKind, DocMeta, ListedShare};
use crate::policy::{self, Action, DocFacts, Grantee, Owner};
use crate::text;
use crate::AccountsState;

pub const MAX_TITLE_CHARS: usize = 200;

/// The `{id}` path parameter's description.
const DOC_ID: &str = "Document id (1-128 of A-Z a-z 0-9 . _ -)";
/// The 403 of operations under a document rule.
const DOC_FORBIDDEN: &str = "`forbidden`: the rules do not let the caller do this with this \
                             document; `csrf` on a write without the session's X-CSRF-Token";
/// The 404 of operations on one document.
const DOC_NOT_FOUND: &str =
    "`not_found`: no such document (or it is deleted and the caller is no admin)";

/// What an operation on one document under its rule may also answer.
#[derive(IntoResponses)]
pub enum DocAnswers {
    /// `invalid_input`: a malformed document id
    #[response(status = 400)]
    BadInput(ErrorBody),
    /// `unauthenticated`: not signed in, or the session ended
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// `forbidden`: the rules do not let the caller do this with this document; `csrf` on a
    /// write without the session's X-CSRF-Token
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// `not_found`: no such document (or it is deleted and the caller is no admin)
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// `internal`: the database failed (logged; the answer says no more)
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// A document as the API shows it: metadata plus the caller's role on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocView {
    #[serde(flatten)]
    pub meta: DocMeta,
    /// The caller's effective role (null: none, e.g. an admin looking at a deleted document).
    #[schema(required = true)]
    pub role: Option<Role>,
    /// What the caller may do with it.
    pub can: Vec<Action>,
    /// The highest role the caller may share it at: their own role on it, as if it were not
    /// archived (null: they may not share it).
    #[schema(required = true)]
    pub max_share_role: Option<Role>,
    /// Who changed the content last and when, from the authored log (list and get only:
    /// `{"at", "by": {"id", "name"} | null, "kind"}`, null before the first edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_change: Option<serde_json::Value>,
}

/// One document with its shares (`GET /docs/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocDetail {
    #[serde(flatten)]
    pub view: DocView,
    /// Its shares, when the caller may share the document; null otherwise.
    #[schema(required = true)]
    pub shares: Option<Vec<ListedShare>>,
}

/// Documents, sorted by title in Polish order.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocList {
    pub docs: Vec<DocView>,
}

/// A document's shares: cities first, then people, each by name in Polish order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareList {
    pub shares: Vec<ListedShare>,
}

fn view(caller: &Caller, meta: DocMeta, facts: &DocFacts) -> DocView {
    DocView {
        role: policy::effective_role(&caller.facts, facts),
        max_share_role: policy::max_share_role(&caller.facts, facts),
        can: Action::ALL
            .into_iter()
            .filter(|a| policy::can(&caller.facts, *a, facts))
            .collect(),
        meta,
        last_change: None,
    }
}

/// Fills in `last_change` from the last entry of each document's log.
async fn with_last_change(conn: &mut AnyConnection, views: &mut [DocView]) -> Result<()> {
    for v in views.iter_mut() {
        v.last_change = Some(crate::history::last_change(conn, &v.meta.id).await?);
    }
    Ok(())
}

fn parse_doc_id(s: &str) -> Result<String> {
    DocId::parse(s)
        .map(|d| d.as_str().to_owned())
        .map_err(|_| AccountsError::validation("document id must be 1-128 of A-Z a-z 0-9 . _ -"))
}

/// Loads a document the caller may see: 404 if missing, or deleted and the caller is no admin.
pub(crate) async fn load_visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<(DocMeta, DocFacts)> {
    let id = parse_doc_id(id)?;
    let (meta, facts) = model::doc_with_facts(conn, &id).await?;
    if facts.deleted && !policy::is_admin(&caller.facts) {
        return Err(AccountsError::NotFound("document"));
    }
    Ok((meta, facts))
}

fn require(caller: &Caller, action: Action, facts: &DocFacts) -> Result<()> {
    if policy::can(&caller.facts, action, facts) {
        Ok(())
    } else {
        Err(AccountsError::Forbidden(
            "you may not do this with this document",
        ))
    }
}

pub(crate) fn doc_entry<'a>(
    caller: &'a Caller,
    action: &'a str,
    doc: &str,
    detail: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry {
        actor_id: Some(caller.person.id),
        actor_email: Some(&caller.person.email),
        action,
        target_kind: Some("doc"),
        target_id: Some(doc.to_owned()),
        subject_id: None,
        detail,
        ip: caller.ip.as_deref(),
    }
}

#[derive(Debug, Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Owned by this network or by one of its cities.
    pub network: Option<i64>,
    /// Owned by this city.
    pub city: Option<i64>,
    /// Of this kind.
    pub kind: Option<DocKind>,
    /// Title search: case- and Polish-diacritic-insensitive substring.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `exclude` (default), `include` or `only` archived documents.
    #[param(inline)]
    pub archived: Option<Visibility>,
    /// Admins only: `exclude` (default), `include` or `only` deleted documents.
    #[param(inline)]
    pub deleted: Option<Visibility>,
}

/// Whether a list leaves out (`exclude`, the default), adds (`include`) or shows nothing but
/// (`only`) the documents with a flag (archived, deleted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Exclude,
    Include,
    Only,
}

/// (show documents without the flag, show those with it)
fn tri(v: Option<Visibility>) -> (bool, bool) {
    match v.unwrap_or_default() {
        Visibility::Exclude => (true, false),
        Visibility::Include => (true, true),
        Visibility::Only => (false, true),
    }
}

/// List the documents the caller may read
///
/// Filters combine with AND. Admins also see deleted documents when they ask for them.
#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "list_docs",
    tag = "docs",
    security(("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Documents, sorted by title in Polish order", body = DocList),
        (status = 400, description = "`invalid_input`: an unknown filter or value, or a search \
            text over 200 characters", body = ErrorBody),
        (status = 403, description = "`forbidden`: `deleted` asked for by someone who is no \
            admin", body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn list(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<DocList>> {
    let kind = q.kind;
    let (arch_normal, arch_flagged) = tri(q.archived);
    let (del_normal, del_flagged) = tri(q.deleted);
    if del_flagged && !policy::is_admin(&caller.facts) {
        return Err(AccountsError::Forbidden(
            "only administrators see deleted documents",
        ));
    }
    let needle =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(text::fold);
    if needle
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_TITLE_CHARS)
    {
        return Err(AccountsError::validation("search text is too long"));
    }
    let mut conn = state.db.pool.acquire().await?;
    let docs = model::docs_with_facts(&mut conn, None).await?;
    let mut out: Vec<DocView> = docs
        .into_iter()
        .filter(|(meta, facts)| {
            let deleted_ok = if facts.deleted {
                del_flagged
            } else {
                del_normal
            };
            let archived_ok = if facts.archived {
                arch_flagged
            } else {
                arch_normal
            };
            let visible = if facts.deleted {
                policy::is_admin(&caller.facts)
            } else {
                policy::can(&caller.facts, Action::Read, facts)
            };
            let network_ok = q.network.is_none_or(|n| match meta.owner {
                Owner::Network(id) => id == n,
                Owner::City(_) => facts.owner_city_networks.contains(&n),
            });
            let city_ok = q.city.is_none_or(|c| meta.owner == Owner::City(c));
            let kind_ok = kind.is_none_or(|k| meta.kind == k);
            let q_ok = needle
                .as_ref()
                .is_none_or(|n| text::fold(&meta.title).contains(n.as_str()));
            deleted_ok && archived_ok && visible && network_ok && city_ok && kind_ok && q_ok
        })
        .map(|(meta, facts)| view(&caller, meta, &facts))
        .collect();
    with_last_change(&mut conn, &mut out).await?;
    out.sort_by(|a, b| {
        text::polish_cmp(&a.meta.title, &b.meta.title).then_with(|| a.meta.id.cmp(&b.meta.id))
    });
    Ok(Json(DocList { docs: out }))
}

/// A new document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocBody {
    /// Optional; generated when missing.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,128}$")]
    pub id: Option<String>,
    #[schema(max_length = 200)]
    pub title: String,
    pub kind: DocKind,
    pub owner: Owner,
}

/// Create a document
///
/// Admins create anywhere; an editor or moderator where their reach to the owner gives them
/// editor or above. An id the hub already stores content for without metadata (written with a
/// developer or command-line token) is not free: only an administrator may adopt that content
/// into an owner (409 for anyone else).
#[utoipa::path(
    post,
    path = "/docs",
    operation_id = "create_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    request_body = CreateDocBody,
    responses(
        (status = 201, description = "Created", body = DocView),
        (status = 400, description = "`invalid_input`: an empty or too long title, a bad id, or a \
            malformed body", body = ErrorBody),
        (status = 403, description = "`forbidden`: the caller may not create documents for this \
            owner; `csrf`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such city or network", body = ErrorBody),
        (status = 409, description = "`conflict`: a document with this id exists, or the hub \
            stores content for the id and the caller is no admin", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn create(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateDocBody>,
) -> Result<Response> {
    let title = clean_text(&body.title, "title", MAX_TITLE_CHARS)?;
    let id = match body.id.as_deref() {
        Some(id) => parse_doc_id(id)?,
        None => format!("doc-{}", &crate::auth::random_secret()[..16]),
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let owner_networks = model::owner_city_networks(&mut tx, body.owner).await?;
    if !policy::can_create(&caller.facts, body.owner, &owner_networks) {
        return Err(AccountsError::Forbidden(
            "you may not create documents for this owner",
        ));
    }
    // An id the hub already stores content for, without metadata (written with a developer or
    // command-line token), is not free: whoever named it would take that content into their
    // city. Only an administrator may adopt it.
    let claims_content = model::has_stored_content(&mut tx, &id).await?;
    if claims_content && !policy::is_admin(&caller.facts) {
        return Err(AccountsError::Conflict(
            "a document with this id already has stored content".into(),
        ));
    }
    let (okind, oid) = model::owner_parts(body.owner);
    sqlx::query(
        "INSERT INTO doc_meta (doc_id, owner_kind, owner_id, kind, title, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.clone())
    .bind(okind)
    .bind(oid)
    .bind(body.kind.as_str())
    .bind(title.clone())
    .bind(caller.person.id)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| AccountsError::from_insert(e, "a document with this id"))?;
    let mut detail = json!({ "title": title, "kind": body.kind, "owner": body.owner });
    if claims_content {
        detail["adopted_content"] = json!(true);
    }
    audit::record(&mut tx, now, doc_entry(&caller, "doc.create", &id, detail)).await?;
    let (meta, facts) = model::doc_with_facts(&mut tx, &id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view(&caller, meta, &facts))).into_response())
}

/// Get one document (with its shares when the caller may share it)
#[utoipa::path(
    get,
    path = "/docs/{id}",
    operation_id = "get_doc",
    tag = "docs",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "The document", body = DocDetail),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = "`forbidden`: the caller may not read this document", body = ErrorBody),
        (status = 404, description = DOC_NOT_FOUND, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn get(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    let (meta, facts) = load_visible(&mut conn, &caller, &id).await?;
    if !facts.deleted {
        require(&caller, Action::Read, &facts)?;
    }
    let shares = if policy::can(&caller.facts, Action::Share, &facts) {
        Some(shares_view(&mut conn, &caller, &meta.id, &facts).await?)
    } else {
        None
    };
    let mut v = view(&caller, meta, &facts);
    with_last_change(&mut conn, std::slice::from_mut(&mut v)).await?;
    Ok(Json(DocDetail { view: v, shares }))
}

/// A document's new title.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    #[schema(max_length = 200)]
    pub title: String,
}

/// Rename
#[utoipa::path(
    patch,
    path = "/docs/{id}",
    operation_id = "rename_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    request_body = RenameBody,
    responses(
        (status = 200, description = "Renamed", body = DocView),
        (status = 400, description = "`invalid_input`: an empty or too long title, a bad id, or a \
            malformed body", body = ErrorBody),
        (status = 403, description = DOC_FORBIDDEN, body = ErrorBody),
        (status = 404, description = DOC_NOT_FOUND, body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn rename(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RenameBody>,
) -> Result<Json<DocView>> {
    let title = clean_text(&body.title, "title", MAX_TITLE_CHARS)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    require(&caller, Action::Rename, &facts)?;
    sqlx::query("UPDATE doc_meta SET title = $1, updated_at = $2 WHERE doc_id = $3")
        .bind(title.clone())
        .bind(now)
        .bind(meta.id.clone())
        .execute(&mut *tx)
        .await?;
    let detail = json!({ "from": meta.title, "to": title });
    audit::record(
        &mut tx,
        now,
        doc_entry(&caller, "doc.rename", &meta.id, detail),
    )
    .await?;
    let (meta, facts) = model::doc_with_facts(&mut tx, &meta.id).await?;
    tx.commit().await?;
    Ok(Json(view(&caller, meta, &facts)))
}

/// Runs a state change on one document under `action`'s rule, with audit and revocation.
async fn change_doc(
    state: &AccountsState,
    caller: &Caller,
    id: &str,
    action: Action,
    audit_action: &str,
    sql: &str,
    detail: serde_json::Value,
) -> Result<Json<DocView>> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, caller, id).await?;
    require(caller, action, &facts)?;
    let before = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    sqlx::query(sql)
        .bind(now)
        .bind(caller.person.id)
        .bind(meta.id.clone())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        doc_entry(caller, audit_action, &meta.id, detail),
    )
    .await?;
    let after = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    let (meta, facts) = model::doc_with_facts(&mut tx, &meta.id).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(view(caller, meta, &facts)))
}

// Each statement binds ($1 now, $2 actor, $3 doc id), even where one is unused, so change_doc
// can bind them uniformly; `$2 = $2` keeps the actor parameter referenced.
/// Archive (read-only for everyone)
///
/// Needs the right to manage the document. Open sockets lose write access (they close with 4403).
#[utoipa::path(
    post,
    path = "/docs/{id}/archive",
    operation_id = "archive_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Archived", body = DocView),
        DocAnswers,
    )
)]
pub async fn archive(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocView>> {
    let sql = "UPDATE doc_meta SET archived_at = $1, updated_at = $1 WHERE $2 = $2 AND doc_id = $3";
    change_doc(
        &state,
        &caller,
        &id,
        Action::Archive,
        "doc.archive",
        sql,
        json!({}),
    )
    .await
}

/// Unarchive
///
/// Needs the right to manage the document.
#[utoipa::path(
    post,
    path = "/docs/{id}/unarchive",
    operation_id = "unarchive_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Unarchived", body = DocView),
        DocAnswers,
    )
)]
pub async fn unarchive(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocView>> {
    let sql =
        "UPDATE doc_meta SET archived_at = NULL, updated_at = $1 WHERE $2 = $2 AND doc_id = $3";
    change_doc(
        &state,
        &caller,
        &id,
        Action::Archive,
        "doc.unarchive",
        sql,
        json!({}),
    )
    .await
}

/// Delete (soft; an admin can restore)
///
/// Needs the right to manage the document. Everyone's sockets on it close.
#[utoipa::path(
    delete,
    path = "/docs/{id}",
    operation_id = "delete_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Deleted", body = DocView),
        DocAnswers,
    )
)]
pub async fn delete(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocView>> {
    let sql = "UPDATE doc_meta SET deleted_at = $1, deleted_by = $2, updated_at = $1 WHERE doc_id = $3 AND deleted_at IS NULL";
    change_doc(
        &state,
        &caller,
        &id,
        Action::Delete,
        "doc.delete",
        sql,
        json!({}),
    )
    .await
}

/// Restore a deleted document (admins)
#[utoipa::path(
    post,
    path = "/docs/{id}/restore",
    operation_id = "restore_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Restored", body = DocView),
        DocAnswers,
    )
)]
pub async fn restore(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocView>> {
    let sql = "UPDATE doc_meta SET deleted_at = NULL, deleted_by = NULL, updated_at = $1 WHERE $2 = $2 AND doc_id = $3";
    change_doc(
        &state,
        &caller,
        &id,
        Action::Restore,
        "doc.restore",
        sql,
        json!({}),
    )
    .await
}

/// A document's new owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    pub owner: Owner,
}

/// Move to another owner
///
/// Needs rights over both owners: managing the document while holding its owner (an
/// administrator, a member of the owning city, or assigned to the owning network), and the
/// right to create documents in the new owner. Whoever loses access has their sockets closed.
#[utoipa::path(
    post,
    path = "/docs/{id}/move",
    operation_id = "move_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    request_body = MoveBody,
    responses(
        (status = 200, description = "Moved", body = DocView),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = DOC_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such document, city or network", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn move_doc(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<DocView>> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    require(&caller, Action::Move, &facts)?;
    let target_networks = model::owner_city_networks(&mut tx, body.owner).await?;
    if !policy::can_move(&caller.facts, &facts, body.owner, &target_networks) {
        return Err(AccountsError::Forbidden(
            "you may not move documents to this owner",
        ));
    }
    let before = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    let (okind, oid) = model::owner_parts(body.owner);
    sqlx::query(
        "UPDATE doc_meta SET owner_kind = $1, owner_id = $2, updated_at = $3 WHERE doc_id = $4",
    )
    .bind(okind)
    .bind(oid)
    .bind(now)
    .bind(meta.id.clone())
    .execute(&mut *tx)
    .await?;
    let detail = json!({ "from": meta.owner, "to": body.owner });
    audit::record(
        &mut tx,
        now,
        doc_entry(&caller, "doc.move", &meta.id, detail),
    )
    .await?;
    let after = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    let (meta, facts) = model::doc_with_facts(&mut tx, &meta.id).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(view(&caller, meta, &facts)))
}

/// The document's shares as the API shows them. A person's email goes only to a caller who may
/// share the document: they can already share by email, so showing it back tells them nothing
/// new, while anyone else has no need for it (RODO: data minimisation).
async fn shares_view(
    conn: &mut AnyConnection,
    caller: &Caller,
    doc: &str,
    facts: &DocFacts,
) -> Result<Vec<ListedShare>> {
    let mut shares = model::listed_shares(conn, doc).await?;
    if !policy::can(&caller.facts, Action::Share, facts) {
        for s in &mut shares {
            s.email = None;
        }
    }
    Ok(shares)
}

/// List shares
///
/// Needs the right to share (manage) the document: 403 otherwise. Cities first, then people,
/// each by name.
#[utoipa::path(
    get,
    path = "/docs/{id}/shares",
    operation_id = "list_shares",
    tag = "docs",
    security(("session" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Shares", body = ShareList),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = "`forbidden`: the caller may not share this document", body = ErrorBody),
        (status = 404, description = DOC_NOT_FOUND, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn list_shares(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ShareList>> {
    let mut conn = state.db.pool.acquire().await?;
    let (meta, facts) = load_visible(&mut conn, &caller, &id).await?;
    require(&caller, Action::Share, &facts)?;
    let shares = shares_view(&mut conn, &caller, &meta.id, &facts).await?;
    Ok(Json(ShareList { shares }))
}

/// Who to share with, as a request names them: a city by id, a person by id or by email
/// (people who are not administrators have no directory of ids, but know their colleagues'
/// addresses).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ShareTo {
    /// A person, by exactly one of `id` and `email` (the account's address: trimmed, matched
    /// in any case, enabled accounts only).
    Person {
        id: Option<i64>,
        #[schema(format = Email)]
        email: Option<String>,
    },
    /// A city: every member gets the share.
    City { id: i64 },
}

/// Whom to share with, and the role they get (capped at their account role's ceiling).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBody {
    pub grantee: ShareTo,
    pub role: Role,
}

/// The grantee a share request names, or 404 if there is none.
///
/// By email only an enabled account is found, and an unknown address gets the very same answer
/// as a disabled account's, so the caller learns no more than "you cannot share with this".
/// By id only administrators may name a person: they have the people directory anyway, while
/// for anyone else ids would be a way to walk it (every answer names the grantee).
async fn resolve_grantee(
    conn: &mut AnyConnection,
    caller: &Caller,
    to: ShareTo,
) -> Result<Grantee> {
    let found = match to {
        ShareTo::City { id } => model::city_exists(conn, id)
            .await?
            .then_some(Grantee::City(id)),
        ShareTo::Person {
            id: Some(_),
            email: None,
        } if !policy::is_admin(&caller.facts) => {
            return Err(AccountsError::Forbidden(
                "only administrators share by person id; share by email address",
            ))
        }
        ShareTo::Person {
            id: Some(id),
            email: None,
        } => model::person(conn, id)
            .await
            .is_ok()
            .then_some(Grantee::Person(id)),
        ShareTo::Person {
            id: None,
            email: Some(email),
        } => {
            let email = crate::auth::normalize_email(&email)?;
            return model::enabled_person_by_email(conn, &email)
                .await?
                .map(Grantee::Person)
                .ok_or(AccountsError::NotFound("active account with this email"));
        }
        ShareTo::Person { .. } => {
            return Err(AccountsError::validation(
                "a person grantee needs exactly one of id and email",
            ))
        }
    };
    found.ok_or(AccountsError::NotFound("share recipient"))
}

/// Share with a person (by id or email) or a city, or change the role
///
/// Needs the right to share (manage) the document: 403 otherwise, before the grantee is looked
/// up. The role may not exceed the caller's own role on the document, as if it were not
/// archived (403 `role_too_high`; see `max_share_role`). A person is named by the email of
/// their account (trimmed, any case); only administrators may name one by id (403 for anyone
/// else). 404 (`not_found`) when the document, the city or the person does not exist; by
/// email, also when the account is disabled, with the same answer as for an unknown address.
/// Sharing with the same grantee again changes the role; a lower role than before closes the
/// sockets that had more.
#[utoipa::path(
    put,
    path = "/docs/{id}/shares",
    operation_id = "share_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    request_body = ShareBody,
    responses(
        (status = 200, description = "The document's shares now", body = ShareList),
        (status = 400, description = "`invalid_input`: a person named by both or neither of id and \
            email, a bad email, or a malformed body", body = ErrorBody),
        (status = 403, description = "`forbidden`: the caller may not share this document, or \
            names a person by id and is no admin; `role_too_high`: the role is above the caller's \
            own; `csrf`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such document, city or person (or no \
            enabled account with this email)", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn share(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<Json<ShareList>> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    // The right to share is checked before the grantee is looked up, so that only those who may
    // share can learn whether an email has an account.
    require(&caller, Action::Share, &facts)?;
    if !policy::can_share_at(&caller.facts, &facts, body.role) {
        return Err(AccountsError::RoleTooHigh(
            "you may not share at a role above your own on this document",
        ));
    }
    let grantee = resolve_grantee(&mut tx, &caller, body.grantee).await?;
    let before = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    let (gkind, gid) = model::grantee_parts(grantee);
    sqlx::query(
        "INSERT INTO doc_shares (doc_id, grantee_kind, grantee_id, role, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (doc_id, grantee_kind, grantee_id) DO UPDATE SET role = excluded.role",
    )
    .bind(meta.id.clone())
    .bind(gkind)
    .bind(gid)
    .bind(body.role.as_str())
    .bind(caller.person.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut entry = doc_entry(
        &caller,
        "doc.share",
        &meta.id,
        json!({ "grantee": grantee, "role": body.role }),
    );
    if let Grantee::Person(p) = grantee {
        entry.subject_id = Some(p);
    }
    audit::record(&mut tx, now, entry).await?;
    let after = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    // `facts` is from before the change; a share never changes who may share (manage comes
    // from the owner only), so it still decides the email.
    let shares = shares_view(&mut tx, &caller, &meta.id, &facts).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(ShareList { shares }))
}

/// Unshare (closes the grantee's sockets)
#[utoipa::path(
    delete,
    path = "/docs/{id}/shares/{kind}/{grantee}",
    operation_id = "unshare_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = String, Path, description = DOC_ID),
        ("kind" = String, Path, description = "`person` or `city`"),
        ("grantee" = i64, Path, description = "The person's or the city's id"),
    ),
    responses(
        (status = 200, description = "The document's shares now", body = ShareList),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = DOC_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such document, or no such share", body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn unshare(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath((id, kind, grantee)): ApiPath<(String, String, String)>,
) -> Result<Json<ShareList>> {
    let gid = parse_id(&grantee, "grantee")?;
    let grantee = match kind.as_str() {
        "person" => Grantee::Person(gid),
        "city" => Grantee::City(gid),
        _ => {
            return Err(AccountsError::validation(
                "grantee kind must be person or city",
            ))
        }
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    require(&caller, Action::Share, &facts)?;
    let before = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    let (gkind, gid) = model::grantee_parts(grantee);
    let done = sqlx::query(
        "DELETE FROM doc_shares WHERE doc_id = $1 AND grantee_kind = $2 AND grantee_id = $3",
    )
    .bind(meta.id.clone())
    .bind(gkind)
    .bind(gid)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::NotFound("share"));
    }
    let mut entry = doc_entry(
        &caller,
        "doc.unshare",
        &meta.id,
        json!({ "grantee": grantee }),
    );
    if let Grantee::Person(p) = grantee {
        entry.subject_id = Some(p);
    }
    audit::record(&mut tx, now, entry).await?;
    let after = access::snapshot(&mut tx, Scope::Doc(&meta.id)).await?;
    // `facts` is from before the change; a share never changes who may share (manage comes
    // from the owner only), so it still decides the email.
    let shares = shares_view(&mut tx, &caller, &meta.id, &facts).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(ShareList { shares }))
}

/// A signed token for the sync socket (`GET /sync/{doc}?token=…`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncToken {
    /// Pass it as the socket's `token` query parameter; a bearer secret, never log it.
    pub token: String,
    /// The role the token carries.
    pub role: Role,
    /// The document (the socket's room).
    pub doc: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Get a short-lived sync token with the caller's role
///
/// The role is the caller's effective role on the document now; the token lives
/// `sync_token_ttl` (10 minutes by default). Ask again to reconnect after it expires or after
/// the socket was closed for lost access.
#[utoipa::path(
    post,
    path = "/docs/{id}/token",
    operation_id = "doc_token",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    responses(
        (status = 200, description = "Token for the sync socket", body = SyncToken),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = "`forbidden`: the rules give the caller no role on the \
            document; `csrf`", body = ErrorBody),
        (status = 404, description = DOC_NOT_FOUND, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn token(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SyncToken>> {
    let mut conn = state.db.pool.acquire().await?;
    let (meta, facts) = load_visible(&mut conn, &caller, &id).await?;
    let role = policy::effective_role(&caller.facts, &facts).ok_or(AccountsError::Forbidden(
        "you have no access to this document",
    ))?;
    let ttl = state.config.token_ttl_secs;
    let token = state.tokens.issue(&meta.id, &caller.sub(), role, ttl);
    let expires_at = state.now_ms() / 1000 + ttl as i64;
    Ok(Json(SyncToken {
        token,
        role,
        doc: meta.id,
        expires_at,
    }))
}

/// What was exported.
#[derive(Debug, Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// What was exported, e.g. "docx", "pdf", "markdown".
    #[schema(max_length = 32)]
    pub format: Option<String>,
}

/// Record an export of the document (audit)
///
/// Records that the caller exported (downloaded) the document; the hub serves the content.
#[utoipa::path(
    post,
    path = "/docs/{id}/export",
    operation_id = "export_doc",
    tag = "docs",
    security(("session" = [], "csrf" = [])),
    params(("id" = String, Path, description = DOC_ID)),
    request_body = ExportBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 403, description = DOC_FORBIDDEN, body = ErrorBody),
        (status = 404, description = DOC_NOT_FOUND, body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn export(
    State(state): State<AccountsState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ExportBody>,
) -> Result<StatusCode> {
    let format = match body.format.as_deref() {
        Some(f) => Some(clean_text(f, "format", 32)?),
        None => None,
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let (meta, facts) = load_visible(&mut tx, &caller, &id).await?;
    require(&caller, Action::Export, &facts)?;
    audit::record(
        &mut tx,
        now,
        doc_entry(&caller, "doc.export", &meta.id, json!({ "format": format })),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
