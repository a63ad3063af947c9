//! `/setup`: first-run setup ([`crate::setup`]). `GET` tells the page whether setup waits for
//! its code; `POST {code, email, name, password}` creates the first administrator, once, and
//! signs them in (201, as sign-in answers).
//!
//! | answer | when |
//! | --- | --- |
//! | 201 | created and signed in |
//! | 400 `invalid_input` | a bad email, name or password (checked before the code: no code is spent on a typo) |
//! | 403 `setup_code_wrong` | the code is wrong (counted) |
//! | 429 `setup_locked` | too many wrong codes; a restart prints a new one |
//! | 409 `setup_done` | people exist already (created meanwhile, e.g. from the shell) |
//! | 404 `not_found` | this server offers no setup (the database had people at start, or setup is done) |

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;

use super::admin::MAX_NAME_CHARS;
use super::answers::{BodyAnswers, InternalAnswer};
use super::auth::{signed_in_with, SignedIn};
use super::{check_same_origin, clean_text, ApiJson, ClientIp};
use crate::audit;
use crate::auth::{self as signin, NewSession};
use crate::error::{AccountsError, ErrorBody, Result};
use crate::model;
use crate::policy::AccountRole;
use crate::setup::people_count;
use crate::AccountsState;

/// Whether first-run setup waits for its code.
#[derive(Serialize, ToSchema)]
pub struct SetupStatus {
    /// True on a server that started on a database without people, until the first
    /// administrator exists.
    pub pending: bool,
}

/// Whether first-run setup is pending
///
/// The page at `/setup` asks, and `/` sends a visitor there while it is.
#[utoipa::path(
    get,
    path = "/setup",
    tag = "auth",
    security(()),
    responses(
        (status = 200, description = "Setup state", body = SetupStatus),
        InternalAnswer,
    )
)]
pub async fn status(State(state): State<AccountsState>) -> Result<Json<SetupStatus>> {
    let mut pending = state.setup.pending();
    if pending && people_count(&state.db).await? > 0 {
        state.setup.close();
        pending = false;
    }
    Ok(Json(SetupStatus { pending }))
}

/// The first administrator, and the code from the server's log.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupBody {
    /// As the log shows it (`K7PQ-M2XD`); case, spaces and the dash do not matter.
    #[schema(example = "K7PQ-M2XD")]
    pub code: String,
    pub email: String,
    #[schema(max_length = 120)]
    pub name: String,
    #[schema(format = Password, min_length = 10)]
    pub password: String,
}

/// First-run setup: create the first administrator and sign in
///
/// Only while setup is pending, with the one-time code the server wrote to its log at start
/// (`first-run setup: open …/setup and enter code XXXX-XXXX`). Works once. The input is
/// checked before the code, so a typo spends no attempt; after 10 wrong codes setup is refused
/// until the server restarts and prints a new one. A cross-site `Origin` is refused.
#[utoipa::path(
    post,
    path = "/setup",
    tag = "auth",
    security(()),
    request_body = SetupBody,
    responses(
        (status = 201, description = "Created and signed in; sets the `narada_session` \
            (HttpOnly) and `narada_csrf` cookies", body = SignedIn, headers(("set-cookie" = String))),
        (status = 400, description = "`invalid_input`: a bad email, name or password", body = ErrorBody),
        (status = 403, description = "`setup_code_wrong`: the code is wrong (counted); `csrf`: \
            sent from another site's page", body = ErrorBody),
        (status = 404, description = "`not_found`: this server offers no setup (it had people \
            at start, or setup is done)", body = ErrorBody),
        (status = 409, description = "`setup_done`: people exist already; `conflict`: another \
            request is completing setup", body = ErrorBody),
        (status = 429, description = "`setup_locked`: too many wrong codes; restart the server \
            for a new one", body = ErrorBody),
        BodyAnswers,
        InternalAnswer,
    )
)]
pub async fn create_admin(
    State(state): State<AccountsState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SetupBody>,
) -> Result<Response> {
    check_same_origin(&headers)?;
    let email = signin::normalize_email(&body.email)?;
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    signin::validate_password(&body.password)?;
    let claim = state.setup.claim(&body.code)?;
    // Hashed before the write transaction (argon2 never holds SQLite's write lock).
    let hash = signin::hash_password(&state.config, &body.password).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let people: i64 = sqlx::query("SELECT COUNT(*) AS n FROM people")
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if people > 0 {
        drop(tx);
        claim.finish();
        return Err(AccountsError::SetupDone);
    }
    let id =
        crate::seed::insert_person(&mut tx, &email, &name, AccountRole::Admin, Some(hash), now)
            .await?;
    let ip = ip.as_deref();
    let (sid, csrf) = signin::start_session(&mut tx, &state.config, id, now, ip).await?;
    let entry = audit::Entry {
        actor_id: Some(id),
        actor_email: Some(&email),
        action: "setup.admin",
        target_kind: Some("person"),
        target_id: Some(id.to_string()),
        subject_id: Some(id),
        detail: json!({ "email": email, "role": AccountRole::Admin }),
        ip,
    };
    audit::record(&mut tx, now, entry).await?;
    let person = model::person(&mut tx, id).await?;
    tx.commit().await?;
    claim.finish();
    tracing::info!(
        person = id,
        "first-run setup: the first administrator was created"
    );
    let session = NewSession {
        id: sid,
        csrf,
        person,
    };
    Ok(signed_in_with(&state, StatusCode::CREATED, session))
}
