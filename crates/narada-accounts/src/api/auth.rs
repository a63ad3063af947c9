//! `/auth/*`: sign in and out, who am I, accept an invitation, reset a password.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoResponses, ToSchema};

use super::answers::{BodyAnswers, InternalAnswer, SessionAnswers, BAD_INPUT, CSRF};
use super::{check_same_origin, clear_cookies, session_cookies, ApiJson, Caller, ClientIp};
use crate::audit;
use crate::auth::{self as signin, LinkKind, NewSession};
use crate::error::{ErrorBody, Result};
use crate::model::Person;
use crate::AccountsState;

/// Email and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Trimmed, any case.
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

/// The signed-in person and the session's CSRF token.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    pub person: Person,
    /// Send it as `X-CSRF-Token` on every write (it is also in the `narada_csrf` cookie).
    pub csrf_token: String,
}

fn signed_in(state: &AccountsState, s: NewSession) -> Response {
    signed_in_with(state, StatusCode::OK, s)
}

/// The answer of anything that signs a person in: the session cookies and `{person, csrf_token}`.
pub(crate) fn signed_in_with(state: &AccountsState, status: StatusCode, s: NewSession) -> Response {
    let [a, b] = session_cookies(state, &s.id, &s.csrf);
    (
        status,
        AppendHeaders([(header::SET_COOKIE, a), (header::SET_COOKIE, b)]),
        Json(SignedIn {
            person: s.person,
            csrf_token: s.csrf,
        }),
    )
        .into_response()
}

/// Sign in with email and password
///
/// A wrong password, an unknown address, a disabled account and one without a password all
/// answer the same 401 after the same work. Guessing is slowed, nobody is locked out: after
/// `backoff_after` failures (5) from one address for one typed email, after
/// `account_backoff_after` (100) for one email from addresses its owner never signed in from,
/// and after `ip_max_failures` (30) from one address, attempts wait (429 `rate_limited`, with
/// `Retry-After` in seconds) and no password is checked. A cross-site `Origin` is refused (403
/// `csrf`).
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in; sets the `narada_session` (HttpOnly) and \
            `narada_csrf` cookies", body = SignedIn, headers(("set-cookie" = String))),
        (status = 400, description = BAD_INPUT, body = ErrorBody),
        (status = 401, description = "`invalid_credentials`: wrong email or password", body = ErrorBody),
        (status = 403, description = "`csrf`: sent from another site's page", body = ErrorBody),
        (status = 429, description = "`rate_limited`: wait before trying again", body = ErrorBody,
            headers(("retry-after" = i64, description = "Seconds to wait"))),
        BodyAnswers,
        InternalAnswer,
    )
)]
pub async fn login(
    State(state): State<AccountsState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response> {
    check_same_origin(&headers)?;
    let s = signin::login(
        &state.db,
        &state.config,
        state.now_ms(),
        &body.email,
        &body.password,
        ip.as_deref(),
    )
    .await?;
    Ok(signed_in(&state, s))
}

/// Sign out (this session)
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Signed out; the cookies are cleared", headers(("set-cookie" = String))),
        (status = 403, description = CSRF, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn logout(State(state): State<AccountsState>, caller: Caller) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    signin::end_session(&mut tx, &caller.session.id_hash).await?;
    let entry = audit::Entry {
        actor_id: Some(caller.person.id),
        actor_email: Some(&caller.person.email),
        action: "logout",
        subject_id: Some(caller.person.id),
        ip: caller.ip.as_deref(),
        ..Default::default()
    };
    audit::record(&mut tx, state.now_ms(), entry).await?;
    tx.commit().await?;
    let [a, b] = clear_cookies(&state);
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, a), (header::SET_COOKIE, b)]),
    )
        .into_response())
}

/// Sign out everywhere
///
/// Ends every session of the caller and closes all their sync sockets, on every node.
#[utoipa::path(
    post,
    path = "/auth/logout-all",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Every session ended and every sync socket closed", headers(("set-cookie" = String))),
        (status = 403, description = CSRF, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn logout_all(State(state): State<AccountsState>, caller: Caller) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    signin::end_all_sessions(&mut tx, caller.person.id).await?;
    let entry = audit::Entry {
        actor_id: Some(caller.person.id),
        actor_email: Some(&caller.person.email),
        action: "logout.everywhere",
        subject_id: Some(caller.person.id),
        ip: caller.ip.as_deref(),
        ..Default::default()
    };
    audit::record(&mut tx, state.now_ms(), entry).await?;
    tx.commit().await?;
    state.revoker.revoke_user(&caller.sub());
    let [a, b] = clear_cookies(&state);
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, a), (header::SET_COOKIE, b)]),
    )
        .into_response())
}

/// Who am I
///
/// The signed-in person and the session's CSRF token (a page that was reloaded gets it back
/// here).
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    security(("session" = [])),
    responses(
        (status = 200, description = "The signed-in person and the session's CSRF token", body = SignedIn),
        SessionAnswers,
    )
)]
pub async fn me(caller: Caller) -> Json<SignedIn> {
    Json(SignedIn {
        person: caller.person,
        csrf_token: caller.session.csrf,
    })
}

/// A one-time link's token and the password to set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The `token` of the invitation or reset link.
    pub token: String,
    /// At least 10 characters, at most 256 bytes.
    #[schema(format = Password, min_length = 10)]
    pub password: String,
}

/// What using a one-time link may also answer.
#[derive(IntoResponses)]
pub enum LinkAnswers {
    /// `bad_link`: the link is invalid, used or expired; `invalid_input`: a password too short
    /// or too long, or a malformed body
    #[response(status = 400)]
    BadLink(ErrorBody),
    /// `csrf`: sent from another site's page
    #[response(status = 403)]
    CrossSite(ErrorBody),
    /// `too_large`: the body is over 16 KiB
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// `unsupported_media_type`: the body is not `application/json`
    #[response(status = 415)]
    NotJson(ErrorBody),
    /// `internal`: the database failed (logged; the answer says no more)
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// Accept an invitation: set a password and sign in
///
/// A cross-site `Origin` is refused (403 `csrf`).
#[utoipa::path(
    post,
    path = "/auth/accept-invite",
    tag = "auth",
    security(()),
    request_body = LinkBody,
    responses(
        (status = 200, description = "Signed in; sets the session cookies", body = SignedIn, headers(("set-cookie" = String))),
        LinkAnswers,
    )
)]
pub async fn accept_invite(
    State(state): State<AccountsState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Response> {
    check_same_origin(&headers)?;
    let s = signin::set_password_and_sign_in(
        &state.db,
        &state.config,
        LinkKind::Invite,
        &body.token,
        &body.password,
        state.now_ms(),
        ip.as_deref(),
    )
    .await?;
    Ok(signed_in(&state, s))
}

/// Use a password-reset link: set a new password and sign in
///
/// Every other session of the person ends and their sync sockets close. A cross-site
/// `Origin` is refused (403 `csrf`).
#[utoipa::path(
    post,
    path = "/auth/reset-password",
    tag = "auth",
    security(()),
    request_body = LinkBody,
    responses(
        (status = 200, description = "Signed in; all other sessions ended", body = SignedIn, headers(("set-cookie" = String))),
        LinkAnswers,
    )
)]
pub async fn reset_password(
    State(state): State<AccountsState>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Response> {
    check_same_origin(&headers)?;
    let s = signin::set_password_and_sign_in(
        &state.db,
        &state.config,
        LinkKind::Reset,
        &body.token,
        &body.password,
        state.now_ms(),
        ip.as_deref(),
    )
    .await?;
    // Sessions elsewhere ended; their sockets close too.
    state.revoker.revoke_user(&s.person.id.to_string());
    Ok(signed_in(&state, s))
}
