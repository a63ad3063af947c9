//! The answers many operations share, for their `#[utoipa::path]`: `responses((status = 200,
//! …), SessionAnswers)`, and the descriptions several of them use. Each variant's doc comment
//! is its description; none is ever built, they only describe (the handlers answer with
//! [`AccountsError`](crate::AccountsError)). Statuses must not repeat within one operation's
//! list: a later entry for the same status replaces the earlier one.

use utoipa::IntoResponses;

use crate::error::ErrorBody;

pub const BAD_INPUT: &str = "`invalid_input`: a malformed id, query or body";
pub const CSRF: &str = "`csrf`: the X-CSRF-Token header is missing or wrong";
pub const ADMIN: &str = "`forbidden`: administrators only; `csrf` on a write without the \
                         session's X-CSRF-Token";
pub const ADMIN_READ: &str = "`forbidden`: administrators only";

/// What every operation with a session may also answer.
#[derive(IntoResponses)]
pub enum SessionAnswers {
    /// `unauthenticated`: not signed in, or the session ended
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// `internal`: the database failed (logged; the answer says no more)
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// What an operation without a session (signing in) may also answer.
#[derive(IntoResponses)]
pub enum InternalAnswer {
    /// `internal`: the database failed (logged; the answer says no more)
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// What every operation with a JSON body may also answer.
#[derive(IntoResponses)]
pub enum BodyAnswers {
    /// `too_large`: the body is over 16 KiB
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// `unsupported_media_type`: the body is not `application/json`
    #[response(status = 415)]
    NotJson(ErrorBody),
}
