//! The HTTP surface: routes, shared state, and the small handlers that are not the sync socket.
//!
//! | route                 | what                                                        |
//! |-----------------------|-------------------------------------------------------------|
//! | `GET /sync/{doc}`     | the y-websocket sync socket ([`crate::sync`])               |
//! | `GET /healthz`        | 200 when storage answers and takes commits, 503 otherwise   |
//! | `GET /metrics`        | Prometheus text                                             |
//! | `POST /api/dev/token` | a token without sign-in (only when `dev_tokens` allows it)  |
//! | everything else       | the web editor ([`crate::web`])                             |

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use narada_auth::{Role, TokenKey};
use narada_store::DocId;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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
}

pub fn router(state: AppState) -> Router {
    let mut api = Router::new();
    if state.config.dev_tokens_enabled() {
        api = api.route("/dev/token", post(dev_token));
    }
    Router::new()
        .route("/sync/{doc}", get(crate::sync::sync_handler))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .nest("/api", api)
        .fallback(crate::web::serve_asset)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// `{"error": {"code": …, "message": …}}` with the given status.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

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
            Json(serde_json::json!({ "status": "ok", "storage": app.hub.store().kind() })),
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

async fn metrics(State(app): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DevTokenRequest {
    doc: String,
    user: String,
    role: Option<Role>,
}

/// How long a dev token lives.
const DEV_TOKEN_TTL_SECS: u64 = 12 * 3600;

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
    let token = app.tokens.issue(&req.doc, user, role, DEV_TOKEN_TTL_SECS);
    Json(serde_json::json!({ "token": token, "doc": req.doc, "role": role, "expires_in": DEV_TOKEN_TTL_SECS })).into_response()
}
