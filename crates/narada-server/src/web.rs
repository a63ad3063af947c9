//! The browser editor, compiled into the binary from `web/dist/`.
//!
//! Embedding means `cargo run --release` serves a working editor with nothing else installed.
//! `/d/{doc}` and `/` are the single-page app's routes and get `index.html`; other paths are
//! files of the bundle.

use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Assets;

pub async fn serve_asset(uri: Uri) -> Response {
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
    if path.is_empty() || path.starts_with("d/") {
        return match Assets::get("index.html") {
            Some(file) => Html(file.data).into_response(),
            None => Html(
                "<!doctype html><html lang=\"pl\"><title>Narada</title>\
                 <p>The editor bundle was not built (web/dist is missing). Sync is available at /sync/{doc}.</p></html>",
            )
            .into_response(),
        };
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}
