//! The JSON API, mounted by the server under `/api`.
//!
//! | area      | module                 | who                         |
//! |-----------|------------------------|-----------------------------|
//! | `/setup`  | [`setup`](self::setup) | anyone with the code from the log (first run only) |
//! | `/auth/*` | [`auth`](self::auth)   | anyone (login) / signed in  |
//! | `/docs/*` | [`docs`](self::docs)   | signed in; rules in `policy`|
//! | `/docs/{id}/versions`, `/compare`, `/timeline` | [`history`](self::history) | signed in; `policy::can_history` |
//! | `/docs/{id}/threads/*`, `/docs/{id}/people`, `/notifications` | [`review`](self::review) | signed in; rules in `policy` |
//! | `/admin/*`| [`admin`](self::admin) | admins                      |
//! | `/networks`, `/cities` | [`admin`](self::admin) | signed in (pickers) |
//!
//! Requests are authenticated by the session cookie. Every request that changes something
//! (not GET/HEAD/OPTIONS) must carry the session's CSRF token in `X-CSRF-Token` (the token is in
//! the login answer, in `GET /auth/me` and in the readable `narada_csrf` cookie); the sign-in
//! endpoints, which have no session yet, refuse a cross-site `Origin` instead. Bodies are JSON,
//! at most [`MAX_BODY_BYTES`]; errors are `{"error": {"code", "message"}}` ([`ErrorBody`]).
//!
//! The API describes itself: each handler carries its `#[utoipa::path]` (path, parameters,
//! body, every answer, who may call it) and [`routes`] registers the handlers from those
//! attributes, so the router and its OpenAPI description cannot disagree. The server adds its
//! own routes and serves the whole document at `GET /api/openapi.json`.

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{
    self as signin, constant_time_eq, SessionInfo, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE,
};
pub use crate::error::ErrorBody;
use crate::error::{error_body, AccountsError, Result};
use crate::model::{self, Person};
use crate::policy::{self, PersonFacts};
use crate::AccountsState;

pub mod admin;
pub mod answers;
pub mod auth;
pub mod docs;
pub mod history;
pub mod review;
pub mod setup;

/// Largest request body the accounts API reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The accounts API with its OpenAPI description, paths relative to where it is mounted
/// (`/api`). Only handlers with a `#[utoipa::path]` can be registered here (`routes!`), which
/// is what keeps the description complete.
pub fn routes() -> OpenApiRouter<AccountsState> {
    OpenApiRouter::new()
        // first-run setup
        .routes(routes!(setup::status, setup::create_admin))
        // sign-in
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::logout_all))
        .routes(routes!(auth::me))
        .routes(routes!(auth::accept_invite))
        .routes(routes!(auth::reset_password))
        // directory
        .routes(routes!(admin::list_networks))
        .routes(routes!(admin::list_cities))
        // documents
        .routes(routes!(docs::list, docs::create))
        .routes(routes!(docs::get, docs::rename, docs::delete))
        .routes(routes!(docs::move_doc))
        .routes(routes!(docs::archive))
        .routes(routes!(docs::unarchive))
        .routes(routes!(docs::restore))
        .routes(routes!(docs::list_shares, docs::share))
        .routes(routes!(docs::unshare))
        .routes(routes!(docs::token))
        .routes(routes!(docs::export))
        // version history
        .routes(routes!(history::list, history::create))
        .routes(routes!(history::get))
        .routes(routes!(history::restore))
        .routes(routes!(history::compare))
        .routes(routes!(history::timeline))
        // expert review
        .routes(routes!(review::list, review::create))
        .routes(routes!(review::get, review::patch))
        .routes(routes!(review::add_comment))
        .routes(routes!(review::edit_comment, review::delete_comment))
        .routes(routes!(review::accept))
        .routes(routes!(review::reject))
        .routes(routes!(review::people))
        .routes(routes!(review::notifications))
        .routes(routes!(review::mark_read))
        // administration
        .routes(routes!(admin::list_people, admin::create_person))
        .routes(routes!(admin::get_person, admin::update_person))
        .routes(routes!(admin::add_person_city, admin::remove_person_city))
        .routes(routes!(
            admin::add_person_network,
            admin::remove_person_network
        ))
        .routes(routes!(admin::invite))
        .routes(routes!(admin::reset_link))
        .routes(routes!(admin::admin_list_cities, admin::create_city))
        .routes(routes!(admin::update_city))
        .routes(routes!(admin::add_city_network, admin::remove_city_network))
        .routes(routes!(admin::admin_list_networks, admin::create_network))
        .routes(routes!(admin::update_network))
        .routes(routes!(admin::audit_list))
        .routes(routes!(admin::audit_export_person))
}

/// The accounts API's OpenAPI description (paths relative to `/api`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// The accounts API. Mount it under `/api`: `Router::new().nest("/api", router(state))`, or
/// merge it into an existing `/api` router of any state type (`api.merge(router(state))`).
/// Unknown paths under it answer a JSON 404.
pub fn router<S: Clone + Send + Sync + 'static>(state: AccountsState) -> Router<S> {
    let (router, _) = routes().split_for_parts();
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found() -> Response {
    error_body(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// A JSON body whose rejections answer in our error format.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> std::result::Result<Self, Response> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let (status, code) = match &rej {
                    JsonRejection::MissingJsonContentType(_) => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                    }
                    JsonRejection::BytesRejection(_)
                        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE =>
                    {
                        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
                    }
                    _ => (StatusCode::BAD_REQUEST, "invalid_input"),
                };
                Err(error_body(status, code, &rej.body_text()))
            }
        }
    }
}

/// Query parameters whose rejections answer in our error format.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> std::result::Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(error_body(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                &rej.body_text(),
            )),
        }
    }
}

/// Path parameters (strings) whose rejections answer in our error format.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> std::result::Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rej) => Err(error_body(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                &rej.body_text(),
            )),
        }
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when configured.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl ClientIp {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl FromRequestParts<AccountsState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AccountsState,
    ) -> std::result::Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

fn client_ip(parts: &Parts, state: &AccountsState) -> Option<String> {
    if state.config.trust_forwarded_for {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            let first = first.trim();
            if let Ok(ip) = first.parse::<std::net::IpAddr>() {
                return Some(ip.to_string());
            }
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_safe_method(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// For requests without a session (sign-in, invite, reset): a browser's `Origin`, when sent,
/// must be this site, so another site cannot sign a victim into an attacker's account.
pub fn check_same_origin(headers: &HeaderMap) -> Result<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(()); // not a browser, or a same-origin GET: nothing to check
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(AccountsError::Csrf),
    }
}

/// The signed-in person making the request. Extracting it checks the session (and, for writes,
/// the CSRF token).
#[derive(Clone)]
pub struct Caller {
    pub person: Person,
    pub facts: PersonFacts,
    pub session: SessionInfo,
    pub ip: Option<String>,
}

impl Caller {
    pub fn sub(&self) -> String {
        self.person.id.to_string()
    }

    pub fn require_admin(&self) -> Result<()> {
        if policy::is_admin(&self.facts) {
            Ok(())
        } else {
            Err(AccountsError::Forbidden("administrators only"))
        }
    }
}

impl FromRequestParts<AccountsState> for Caller {
    type Rejection = AccountsError;

    async fn from_request_parts(parts: &mut Parts, state: &AccountsState) -> Result<Self> {
        let raw = cookie(&parts.headers, SESSION_COOKIE).ok_or(AccountsError::Unauthenticated)?;
        let now = state.now_ms();
        let session = signin::lookup_session(&state.db, &state.config, now, raw)
            .await?
            .ok_or(AccountsError::Unauthenticated)?;
        if !is_safe_method(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent, &session.csrf) {
                return Err(AccountsError::Csrf);
            }
        }
        let mut conn = state.db.pool.acquire().await?;
        let person = model::person(&mut conn, session.person_id).await?;
        let facts = model::person_facts(&mut conn, session.person_id).await?;
        Ok(Caller {
            person,
            facts,
            session,
            ip: client_ip(parts, state),
        })
    }
}

/// An admin making the request.
pub struct Admin(pub Caller);

impl FromRequestParts<AccountsState> for Admin {
    type Rejection = AccountsError;

    async fn from_request_parts(parts: &mut Parts, state: &AccountsState) -> Result<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Admin(caller))
    }
}

/// `Set-Cookie` values for a new session.
pub fn session_cookies(state: &AccountsState, sid: &str, csrf: &str) -> [String; 2] {
    let secure = if state.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_absolute_ms / 1000;
    [
        format!(
            "{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ),
        // Readable by the page's script, which echoes it in X-CSRF-Token.
        format!("{CSRF_COOKIE}={csrf}; Path=/; SameSite=Strict; Max-Age={max_age}{secure}"),
    ]
}

/// `Set-Cookie` values that remove the session cookies.
pub fn clear_cookies(state: &AccountsState) -> [String; 2] {
    let secure = if state.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    [
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        format!("{CSRF_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0{secure}"),
    ]
}

/// Parses a numeric id from a path segment.
pub fn parse_id(s: &str, what: &'static str) -> Result<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AccountsError::validation(format!("{what} id must be a positive integer")))
}

/// Trims a required name/title and checks its length.
pub fn clean_text(s: &str, what: &str, max_chars: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AccountsError::validation(format!(
            "{what} must not be empty"
        )));
    }
    if t.chars().count() > max_chars {
        return Err(AccountsError::validation(format!(
            "{what} is longer than {max_chars} characters"
        )));
    }
    if t.chars().any(char::is_control) {
        return Err(AccountsError::validation(format!(
            "{what} contains control characters"
        )));
    }
    Ok(t.to_owned())
}
