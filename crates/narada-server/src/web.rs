//! The browser editor, compiled into the binary from `web/dist/`.
//!
//! Embedding means `cargo run --release` serves a working editor with nothing else installed.
//! The single-page app's routes get `index.html`: `/` (the documents list, or the sign-in form),
//! `/d/{doc}` (a document), `/login`, `/invite` and `/reset-password` (where the one-time
//! links of the accounts API lead), and the administration pages `/admin`, `/admin/people`,
//! `/admin/cities` and `/admin/audit` (the page itself tells non-administrators they have no
//! access; the API refuses them anyway). Other paths are files of the bundle.
//!
//! When the server offers developer tokens (`POST /api/dev/token`), `index.html` is sent with
//! `<meta name="narada-dev-tokens" content="on">`, so the page can offer opening a document
//! without signing in, and does not ask for a developer token where none is given.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::app::AppState;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Assets;

/// Paths (without the leading slash) that are pages of the app, besides `d/{doc}`.
const PAGES: [&str; 8] = [
    "",
    "login",
    "invite",
    "reset-password",
    "admin",
    "admin/people",
    "admin/cities",
    "admin/audit",
];

/// The tag that tells the page developer tokens are on.
const DEV_TOKENS_META: &str = "<meta name=\"narada-dev-tokens\" content=\"on\">";

fn is_page(path: &str) -> bool {
    path.starts_with("d/") || PAGES.contains(&path.trim_end_matches('/'))
}

pub async fn serve_asset(State(app): State<AppState>, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        // Hashed bundle files could be cached forever; names here are stable, so revalidate.
        return (
            [
                (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
            ],
            file.data,
        )
            .into_response();
    }
    if is_page(path) {
        return match Assets::get("index.html") {
            Some(file) => {
                let html = String::from_utf8_lossy(&file.data);
                let html = if app.config.dev_tokens_enabled() {
                    html.replacen("</head>", &format!("{DEV_TOKENS_META}\n</head>"), 1)
                } else {
                    html.into_owned()
                };
                // The page depends on the server's settings: never reuse a stored copy unchecked.
                ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
            }
            None => Html(
                "<!doctype html><html lang=\"pl\"><title>Narada</title>\
                 <p>The editor bundle was not built (web/dist is missing). Sync is available at /sync/{doc}.</p></html>",
            )
            .into_response(),
        };
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

#[cfg(test)]
mod tests {
    use super::is_page;

    #[test]
    fn pages_of_the_app() {
        for p in [
            "",
            "login",
            "login/",
            "invite",
            "reset-password",
            "admin",
            "admin/",
            "admin/people",
            "admin/cities",
            "admin/audit",
            "d/plan",
            "d/x/",
        ] {
            assert!(is_page(p), "{p:?}");
        }
        for p in [
            "logins",
            "assets/app.js",
            "invite/x",
            "api/x",
            "admin/other",
            "administrator",
            "favicon.ico",
        ] {
            assert!(!is_page(p), "{p:?}");
        }
    }
}
