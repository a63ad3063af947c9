//! The crate's error type and how it becomes an HTTP answer.
//!
//! Every failure reaches the client as `{"error": {"code": "...", "message": "..."}}` with a
//! fitting status. Database and other internal errors are logged with detail and answered with a
//! plain "internal error", so nothing about the schema or a secret leaks to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("{0}")]
    Validation(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Too many failed sign-ins: the attempt may be repeated after this many seconds.
    #[error("too many failed sign-ins; try again later")]
    RateLimited { retry_after_secs: i64 },
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("{0}")]
    Forbidden(&'static str),
    /// Asking for (or handing out) a role above what the caller may give.
    #[error("{0}")]
    RoleTooHigh(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("this link is invalid, used or expired")]
    BadLink,
    #[error("wrong setup code")]
    SetupCodeWrong,
    #[error("too many wrong setup codes: restart the server for a new one")]
    SetupLocked,
    #[error("the first administrator exists already: sign in")]
    SetupDone,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = AccountsError> = std::result::Result<T, E>;

impl AccountsError {
    pub fn validation(msg: impl Into<String>) -> Self {
        AccountsError::Validation(msg.into())
    }

    /// The status and the stable machine-readable code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use AccountsError::*;
        match self {
            Validation(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
            Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            RoleTooHigh(_) => (StatusCode::FORBIDDEN, "role_too_high"),
            NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            BadLink => (StatusCode::BAD_REQUEST, "bad_link"),
            SetupCodeWrong => (StatusCode::FORBIDDEN, "setup_code_wrong"),
            SetupLocked => (StatusCode::TOO_MANY_REQUESTS, "setup_locked"),
            SetupDone => (StatusCode::CONFLICT, "setup_done"),
            Database(_) | Migrate(_) | Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    /// Unique-constraint violations become 409 rather than 500.
    pub fn from_insert(e: sqlx::Error, what: &str) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return AccountsError::Conflict(format!("{what} already exists"));
            }
            if db.is_foreign_key_violation() {
                return AccountsError::validation(format!("{what} refers to something missing"));
            }
        }
        AccountsError::Database(e)
    }
}

/// Every failed request's answer, whatever the status: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable; each operation lists the ones it answers with. The accounts
    /// API: `invalid_input`, `unauthenticated`, `invalid_credentials`, `rate_limited`,
    /// `csrf`, `forbidden`, `role_too_high`, `not_found`, `conflict`, `bad_link`, `too_large`,
    /// `unsupported_media_type`, `internal`. The server's own routes: `bad_request`,
    /// `bad_document`, `bad_user`, `storage_failing`, `storage_unreachable`, and the sync
    /// socket's `token_*`, `origin_not_allowed` and `too_many_sockets`.
    #[schema(example = "not_found")]
    pub code: String,
    /// For people, in English; never holds internal detail (5xx say only "internal error").
    pub message: String,
}

/// The JSON error body.
pub fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for AccountsError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "accounts request failed");
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let mut response = error_body(status, code, &message);
        if let AccountsError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}
