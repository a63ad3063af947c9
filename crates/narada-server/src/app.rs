//! The HTTP surface: routes, shared state, and the small handlers that are not the sync socket.
//!
//! | route                 | what                                                        |
//! |-----------------------|-------------------------------------------------------------|
//! | `GET /sync/{doc}`     | the y-websocket sync socket ([`crate::sync`])               |
//! | `GET /healthz`        | 200 when storage answers and takes commits, 503 otherwise   |
//! | `GET /metrics`        | Prometheus text                                             |
//! | `POST /api/dev/token` | a token without sign-in, for scratch documents (only when `dev_tokens = on`) |
//! | `GET /api/openapi.json` | the API's description ([`crate::openapi`])                |
//! | everything else       | the web editor ([`crate::web`])                             |
//!
//! Each route is registered from its handler's `#[utoipa::path]` (`routes!`), so the OpenAPI
//! description lists exactly what is served.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use narada_accounts::error::ErrorBody;
use narada_auth::{Role, TokenKey};
use narada_store::DocId;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Config;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::origin::Origins;
use crate::quota::SocketQuota;

/// Largest HTTP request body accepted anywhere (the sync socket has its own limits).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    pub tokens: TokenKey,
    pub config: Arc<Config>,
    /// Cancelled when the server is asked to stop.
    pub shutdown: CancellationToken,
    /// Every live socket task, so shutdown can wait for them.
    pub connections: TaskTracker,
    /// Browser origins that may open sync sockets.
    pub origins: Arc<Origins>,
    /// Sockets per person per document.
    pub sockets: Arc<SocketQuota>,
    /// The accounts tables: `POST /api/dev/token` refuses documents that have an owner there.
    pub accounts_db: narada_accounts::Db,
}

/// The server's own routes, with their OpenAPI description. The accounts API is merged in
/// under `/api` by [`crate::Server::build`], the web editor is the fallback.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crate::sync::sync_handler))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(crate::openapi::serve))
}

/// `POST /api/dev/token`: always described, served only when `dev_tokens` is on (so the
/// description does not depend on a server's settings).
pub fn dev_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dev_token))
}

pub fn router(state: AppState) -> Router {
    let (mut router, _) = routes().split_for_parts();
    if state.config.dev_tokens_enabled() {
        router = router.merge(dev_routes().split_for_parts().0);
    }
    router
        .fallback(crate::web::serve_asset)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// `{"error": {"code": …, "message": …}}` with the given status.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    narada_accounts::error::error_body(status, code, message)
}

/// The server and its storage answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub storage: &'static str,
}

/// Health check
///
/// 200 when storage answers and its last commit succeeded, 503 otherwise: for load balancers
/// and orchestrators.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Storage answers", body = Health),
        (status = 503, description = "`storage_failing`: commits to storage are failing (edits \
            are held until they succeed); `storage_unreachable`: storage does not answer", body = ErrorBody),
    )
)]
async fn healthz(State(app): State<AppState>) -> Response {
    // Storage that answers a ping may still refuse commits (a full disk): what counts is
    // whether the store writer's last commit succeeded.
    if app.hub.storage.get() != crate::persist::Health::Ok {
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_failing",
            "commits to storage are failing; edits are held until they succeed",
        );
    }
    match app.hub.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                storage: app.hub.store().kind(),
            }),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: storage unreachable");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unreachable",
                "storage is unreachable",
            )
        }
    }
}

/// Prometheus metrics
///
/// Connections, documents loaded, updates applied and rejected, bytes in and out, slow-client
/// disconnects, persist batch sizes and latency, snapshots.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", body = String,
            content_type = "text/plain"),
    )
)]
async fn metrics(State(app): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

/// Who wants a token for which document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevTokenRequest {
    /// The document (1-128 of `A-Z a-z 0-9 . _ -`).
    doc: String,
    /// Any name, 1-100 characters: becomes the token's subject.
    user: String,
    /// `editor` when left out.
    role: Option<Role>,
}

/// A sync token made without sign-in.
#[derive(Serialize, ToSchema)]
pub struct DevToken {
    /// Pass it as the sync socket's `token` query parameter.
    token: String,
    doc: String,
    role: Role,
    /// Seconds the token lives (12 hours).
    expires_in: u64,
}

/// How long a dev token lives.
const DEV_TOKEN_TTL_SECS: u64 = 12 * 3600;

/// A sync token without sign-in (development)
///
/// Served only when the operator turns `dev_tokens` on (the server warns at start); otherwise
/// 404. For trying the editor alone and for tests, never for a server people use. Even then it
/// gives at most `editor`, and nothing for a document that belongs to a city or a network:
/// those are opened by signing in, with the role the permission rules give.
#[utoipa::path(
    post,
    path = "/api/dev/token",
    tag = "dev",
    security(()),
    request_body = DevTokenRequest,
    responses(
        (status = 200, description = "The token", body = DevToken),
        (status = 400, description = "`bad_request` (a malformed body), `bad_document` or \
            `bad_user`", body = ErrorBody),
        (status = 403, description = "`role_too_high`: a role above editor; `doc_has_owner`: \
            the document belongs to a city or network (sign in instead)", body = ErrorBody),
        (status = 404, description = "`not_found`: dev tokens are off on this server", body = ErrorBody),
    )
)]
async fn dev_token(
    State(app): State<AppState>,
    body: Result<Json<DevTokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "bad_request", &e.body_text()),
    };
    if DocId::parse(&req.doc).is_err() {
        return json_error(
            StatusCode::BAD_REQUEST,
            "bad_document",
            "document names are 1-128 of A-Z a-z 0-9 . _ -",
        );
    }
    let user = req.user.trim();
    if user.is_empty() || user.chars().count() > 100 {
        return json_error(
            StatusCode::BAD_REQUEST,
            "bad_user",
            "user must be 1-100 characters",
        );
    }
    let role = req.role.unwrap_or(Role::Editor);
    if role > Role::Editor {
        return json_error(
            StatusCode::FORBIDDEN,
            "role_too_high",
            "developer tokens are for viewer, commenter or editor; sign in for more",
        );
    }
    match narada_accounts::model::doc_has_metadata(&app.accounts_db, &req.doc).await {
        Ok(false) => {}
        Ok(true) => {
            return json_error(
                StatusCode::FORBIDDEN,
                "doc_has_owner",
                "this document belongs to a city or network: sign in to open it",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "dev token: reading document metadata failed");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            );
        }
    }
    let token = app.tokens.issue(&req.doc, user, role, DEV_TOKEN_TTL_SECS);
    Json(DevToken {
        token,
        doc: req.doc,
        role,
        expires_in: DEV_TOKEN_TTL_SECS,
    })
    .into_response()
}
