//! `/auth/*`: sign in and out, who am I, accept an invitation, reset a password.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{check_same_origin, clear_cookies, session_cookies, ApiJson, Caller, ClientIp};
use crate::audit;
use crate::auth::{self as signin, LinkKind, NewSession};
use crate::error::Result;
use crate::AccountsState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

fn signed_in(state: &AccountsState, s: NewSession) -> Response {
    let [a, b] = session_cookies(state, &s.id, &s.csrf);
    (
        StatusCode::OK,
        AppendHeaders([(header::SET_COOKIE, a), (header::SET_COOKIE, b)]),
        Json(json!({ "person": s.person, "csrf_token": s.csrf })),
    )
        .into_response()
}

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

/// Ends every session of the caller and closes all their sockets.
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

pub async fn me(caller: Caller) -> Json<serde_json::Value> {
    Json(json!({ "person": caller.person, "csrf_token": caller.session.csrf }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub token: String,
    pub password: String,
}

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
