//! The OpenAPI description of the whole HTTP API, derived from the handlers and their types.
//!
//! Every route is registered from its handler's `#[utoipa::path]` (see [`crate::app::routes`]
//! and [`narada_accounts::api::routes`]), so the router and this description come from the
//! same place; this module adds what belongs to the document as a whole (its info, tags and
//! security schemes) and serves it at `GET /api/openapi.json`.
//!
//! A copy is committed as `openapi.json` at the repository root, the input of the web
//! client's generated types (`web/src/api-types.ts`, `npm run gen:api`). Regenerate it with
//!
//! ```sh
//! cargo run -p narada-server -- openapi > openapi.json
//! ```
//!
//! The unit test below fails when the committed copy differs from what the code describes;
//! `tests/openapi.rs` checks that every documented operation is served and that no route
//! bypasses the description.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use narada_accounts::auth::{CSRF_HEADER, SESSION_COOKIE};
use narada_accounts::error::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};

use crate::app;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Narada",
        description = "Narada's HTTP API: people, cities, networks, permissions, sign-in, \
            document metadata and the audit trail under `/api`; the sync socket, health and \
            metrics beside it.\n\n\
            The browser is authenticated by the `narada_session` cookie (from sign-in); every \
            write it makes must also send the session's CSRF token in `X-CSRF-Token`. The sync \
            socket takes a short-lived token in its `token` query parameter. Bodies are JSON, \
            at most 16 KiB; every error is `{\"error\": {\"code\", \"message\"}}` \
            (`ErrorBody`) with a stable `code`. The permission rules are in \
            crates/narada-accounts/README.md, the sync protocol in PROTOCOL.md.",
    ),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "directory", description = "Networks and cities, for every signed-in person"),
        (name = "docs", description = "Documents: metadata, sharing, the sync token"),
        (name = "history", description = "A document's versions, comparisons and timeline"),
        (name = "review", description = "Expert review: threads, comments, suggested wordings"),
        (name = "admin", description = "People, cities, networks, one-time links and the \
            audit trail (administrators)"),
        (name = "sync", description = "The y-websocket sync socket"),
        (name = "operations", description = "Health, metrics and this description"),
        (name = "dev", description = "Development helpers (off on servers people use)"),
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
)]
struct ApiDoc;

/// The ways a request proves who sends it, named by the operations' `security`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie set by sign-in (HttpOnly, SameSite=Lax).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                CSRF_HEADER,
                "The session's CSRF token, required on every write made with the session \
                 cookie: from the sign-in answer, `GET /api/auth/me` or the readable \
                 `narada_csrf` cookie.",
            ))),
        );
        components.add_security_scheme(
            "sync_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "A signed sync token for one document and role (`POST /api/docs/{id}/token`, \
                 `narada token`, or `POST /api/dev/token`); a bearer secret.",
            ))),
        );
    }
}

/// The whole API's description: the server's routes, and the accounts API under `/api`.
pub fn document() -> Document {
    ApiDoc::openapi()
        .merge_from(app::routes().into_openapi())
        .merge_from(app::dev_routes().into_openapi())
        .nest("/api", narada_accounts::api::openapi())
}

/// [`document`] as pretty JSON with a final newline: byte for byte the committed
/// `openapi.json`, and what `narada openapi` prints.
pub fn spec() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("an OpenAPI document always serializes");
    json.push('\n');
    json
}

/// Built once: the description does not change while the server runs.
static SPEC: LazyLock<String> = LazyLock::new(spec);

/// This description (OpenAPI 3.1)
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json",
            body = Object),
    )
)]
pub async fn serve() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], SPEC.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use serde_json::Value;

    const REGENERATE: &str = "cargo run -p narada-server -- openapi > openapi.json";

    fn doc() -> Value {
        serde_json::from_str(&super::spec()).expect("the spec is JSON")
    }

    /// The committed copy is what the code describes, so the web client's generated types
    /// (made from the copy) cannot fall behind a changed route or wire type.
    #[test]
    fn committed_openapi_json_is_up_to_date() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == super::spec(),
            "{} is out of date; regenerate it, then the web types:\n  {REGENERATE}\n  \
             cd web && npm run gen:api",
            path.display()
        );
    }

    fn walk<'a>(v: &'a Value, refs: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    refs.push(r);
                }
                m.values().for_each(|v| walk(v, refs));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }

    /// utoipa registers the schemas a handler names, not always those a parameter type
    /// refers to: a dangling `$ref` would make the generated client types fail.
    #[test]
    fn every_reference_resolves() {
        let doc = doc();
        let mut refs = Vec::new();
        walk(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {r}"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} is referenced but not defined (inline it, or list it in ApiDoc's \
                 components)"
            );
        }
    }

    /// Operation ids name the generated client's operations: two handlers of the same name
    /// in different modules (`list`) must not collide.
    #[test]
    fn operations_have_unique_ids_and_known_security() {
        let doc = doc();
        let schemes: BTreeSet<&str> = doc["components"]["securitySchemes"]
            .as_object()
            .expect("security schemes")
            .keys()
            .map(String::as_str)
            .collect();
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let id = op["operationId"].as_str().expect("operationId");
                assert!(ids.insert(id), "operationId {id} is used twice");
                let security = op["security"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path} says nothing about security"));
                for requirement in security {
                    for name in requirement.as_object().expect("requirement").keys() {
                        assert!(schemes.contains(name.as_str()), "{method} {path}: {name}");
                    }
                }
                assert!(
                    op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{method} {path} lists no responses"
                );
            }
        }
    }
}
