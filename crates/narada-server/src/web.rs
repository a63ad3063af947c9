//! The browser editor, compiled into the binary from `web/dist/`.
//!
//! Embedding means `cargo run --release` serves a working editor with nothing else installed.
//! The single-page app's pages get `index.html` with 200: which paths those are comes from the
//! bundle's `pages.json`, which the build writes from the client's own route table
//! (`web/src/routes.ts`: `/`, `/d/{doc}`, `/login`, `/invite`, `/reset-password`, the
//! administration pages …), so the server and the client cannot disagree about which pages
//! exist. Other paths are files of the bundle; a path that is neither gets `index.html` with
//! 404, and the app shows its translated "page not found" there. Under `/api` an unknown path
//! is an API error (JSON 404), never a page.
//!
//! When the server offers developer tokens (`POST /api/dev/token`), `index.html` is sent with
//! `<meta name="narada-dev-tokens" content="on">`, so the page can offer opening a document
//! without signing in, and does not ask for a developer token where none is given.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::app::{json_error, AppState};

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Assets;

/// The tag that tells the page developer tokens are on.
const DEV_TOKENS_META: &str = "<meta name=\"narada-dev-tokens\" content=\"on\">";

/// `dist/pages.json`: the page paths of the client's route table; `{name}` is one segment.
#[derive(Deserialize)]
struct PageList {
    pages: Vec<String>,
}

/// The app's page paths, read from the bundle each time: a debug build reads `web/dist` from
/// disk, so a rebuilt bundle's pages count at once, and the file is a few hundred bytes.
fn pages() -> Vec<String> {
    Assets::get("pages.json")
        .and_then(|f| serde_json::from_slice::<PageList>(&f.data).ok())
        .map(|l| l.pages)
        .unwrap_or_default()
}

/// Whether `path` (with its leading slash; a trailing one is ignored) is one of `pages`.
fn is_page(pages: &[String], path: &str) -> bool {
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    pages.iter().any(|pattern| {
        let (want, got): (Vec<_>, Vec<_>) =
            (pattern.split('/').collect(), path.split('/').collect());
        want.len() == got.len()
            && want.iter().zip(&got).all(|(w, g)| {
                if w.starts_with('{') && w.ends_with('}') {
                    !g.is_empty()
                } else {
                    w == g
                }
            })
    })
}

pub async fn serve_asset(State(app): State<AppState>, uri: Uri) -> Response {
    respond(uri.path(), app.config.dev_tokens_enabled())
}

/// The answer for a path no other route took: a bundle file, a page, or a 404.
fn respond(path: &str, dev_tokens: bool) -> Response {
    let file_path = path.trim_start_matches('/');
    if let Some(file) = Assets::get(file_path).filter(|_| !file_path.is_empty()) {
        let mime = mime_guess::from_path(file_path).first_or_octet_stream();
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
    if file_path == "api" || file_path.starts_with("api/") {
        return json_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint");
    }
    let status = if is_page(&pages(), path) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    match Assets::get("index.html") {
        Some(file) => {
            let html = String::from_utf8_lossy(&file.data);
            let html = if dev_tokens {
                html.replacen("</head>", &format!("{DEV_TOKENS_META}\n</head>"), 1)
            } else {
                html.into_owned()
            };
            // The page depends on the server's settings: never reuse a stored copy unchecked.
            (status, [(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
        }
        None if status == StatusCode::OK => Html(
            "<!doctype html><html lang=\"pl\"><title>Narada</title>\
             <p>The editor bundle was not built (web/dist is missing). Sync is available at /sync/{doc}.</p></html>",
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_page, pages, respond};
    use axum::http::{header, StatusCode};

    async fn body(r: axum::response::Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn paths_match_the_route_table() {
        let table: Vec<String> = ["/", "/login", "/admin", "/admin/people", "/d/{doc}"]
            .map(String::from)
            .into();
        for p in [
            "/",
            "",
            "/login",
            "/login/",
            "/admin",
            "/admin/",
            "/admin/people",
            "/d/plan",
            "/d/x/",
        ] {
            assert!(is_page(&table, p), "{p:?}");
        }
        for p in [
            "/logins",
            "/login/x",
            "/admin/other",
            "/administrator",
            "/d",
            "/d/",
            "/d/a/b",
            "/favicon.ico",
        ] {
            assert!(!is_page(&table, p), "{p:?}");
        }
    }

    /// The embedded bundle's table is the client's (web/src/routes.ts); these pages must be in it.
    #[test]
    fn the_bundle_lists_the_apps_pages() {
        let table = pages();
        for p in [
            "/",
            "/login",
            "/invite",
            "/reset-password",
            "/admin",
            "/admin/people",
            "/admin/cities",
            "/admin/audit",
            "/d/plan",
        ] {
            assert!(is_page(&table, p), "{p:?} in {table:?}");
        }
    }

    #[tokio::test]
    async fn pages_get_the_app_and_unknown_paths_its_404() {
        let ok = respond("/admin/audit", false);
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(body(ok).await.contains("<div id=\"app\">"));

        for path in ["/no-such-page", "/d/a/b", "/admin/other"] {
            let r = respond(path, true);
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            let html = body(r).await;
            // The app's own page (which renders "page not found"), with the server's settings.
            assert!(html.contains("<div id=\"app\">"), "{path}: {html}");
            assert!(html.contains("narada-dev-tokens"), "{path}");
        }

        let api = respond("/api/no-such-endpoint", false);
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            api.headers()[header::CONTENT_TYPE].to_str().unwrap(),
            "application/json"
        );
        let json: serde_json::Value = serde_json::from_str(&body(api).await).unwrap();
        assert_eq!(json["error"]["code"], "not_found");

        let asset = respond("/assets/app.js", false);
        assert_eq!(asset.status(), StatusCode::OK);
    }
}
