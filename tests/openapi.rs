//! The OpenAPI description against the running server: every operation it describes is served,
//! the served copy is the generated one, and no route is registered around it.
//!
//! (That the committed `openapi.json` equals the generated description is a unit test of
//! `narada_server::openapi`.) Axum cannot list a router's routes, so "nothing is served that is
//! not described" is checked where routes are written: every route of the server and of the
//! accounts API is registered with `utoipa_axum::routes!` from its handler's
//! `#[utoipa::path]`, and a plain `.route(…)` in their sources fails
//! `no_route_bypasses_the_description`.

use std::path::Path;

use narada_tests::{Backend, TestServer};
use serde_json::Value;

/// A concrete path for a templated one (`/api/docs/{id}` → `/api/docs/1`).
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg {
            "{kind}" => "person",
            "{doc}" => "probe-doc",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an answer came from a fallback (the accounts API's JSON 404, the web editor's
/// pages) or the router's "no such method" rather than from a route.
fn unrouted(status: u16, content_type: &str, body: &str) -> bool {
    let no_endpoint = serde_json::from_str::<Value>(body)
        .ok()
        .is_some_and(|v| v["error"]["message"] == "no such endpoint");
    status == 405 || no_endpoint || content_type.starts_with("text/html") || body == "not found"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_described_operation_is_served() {
    let backend = Backend::sqlite();
    // With `dev_tokens = on`, so `POST /api/dev/token` is served too (it is off by default).
    let server = TestServer::start_with(narada_server::config::Config {
        dev_tokens: narada_server::config::DevTokens::On,
        ..backend.config()
    })
    .await;
    let http = reqwest::Client::new();

    let served: Value = http
        .get(server.http_url("/api/openapi.json"))
        .send()
        .await
        .expect("GET /api/openapi.json")
        .json()
        .await
        .expect("JSON");
    let generated: Value = serde_json::from_str(&narada_server::openapi::spec()).unwrap();
    assert_eq!(
        served, generated,
        "the server serves the generated description"
    );
    assert!(served["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));

    let mut operations = 0;
    for (path, item) in served["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            operations += 1;
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = http.request(m.clone(), server.http_url(&concrete(path)));
            if matches!(
                m,
                reqwest::Method::POST | reqwest::Method::PUT | reqwest::Method::PATCH
            ) {
                req = req.json(&serde_json::json!({}));
            }
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let content_type = res
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = res.text().await.unwrap_or_default();
            assert!(
                !unrouted(status, &content_type, &body),
                "{method} {path} is described but not served ({status} {body:.80})"
            );
        }
    }
    // The accounts API, the sync socket, health, metrics, dev tokens and the description.
    assert!(operations >= 47, "only {operations} operations described");
    // And the check can fail: an undescribed path is the fallback.
    let res = http
        .get(server.http_url("/api/no-such-thing"))
        .send()
        .await
        .unwrap();
    let (status, body) = (res.status().as_u16(), res.text().await.unwrap());
    assert!(
        unrouted(status, "application/json", &body),
        "{status} {body}"
    );
    server.stop().await.unwrap();
}

/// Source files that build routers, with every way axum has to add a route by hand.
const ROUTING_SOURCES: &[&str] = &["crates/narada-server/src", "crates/narada-accounts/src"];
const BYPASSES: &[&str] = &[
    ".route(",
    ".route_service(",
    ".nest_service(",
    "axum::routing::",
    "routing::{",
    "routing::get",
    "routing::post",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_route_bypasses_the_description() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ROUTING_SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "found only {files:?}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if BYPASSES.iter().any(|b| line.contains(b)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "routes added around the OpenAPI description (give the handler a #[utoipa::path] and \
         register it with utoipa_axum::routes!, then regenerate openapi.json):\n{}",
        found.join("\n")
    );
}
