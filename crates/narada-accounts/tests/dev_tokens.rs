//! `POST /api/dev/token` on the real server, on SQLite and Postgres. The field test's repro —
//! `{"doc":"mid-gdansk","user":"x","role":"moderator"}` from anyone on a loopback server — must
//! get no token by default, whatever `Host` and `X-Forwarded-For` claim (the old `auto` is read
//! as off too); with `dev_tokens = on` it still gets none above editor, and none for a document
//! that belongs to a city or a network.

use narada_accounts::Db;
use narada_auth::{Role, TokenKey};
use narada_server::config::DevTokens;
use narada_tests::{both_backends, unique_doc, Backend, TestServer, SECRET};
use serde_json::{json, Value};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A POST written by hand, so that `Host` and `X-Forwarded-For` say whatever the caller wants.
async fn post(
    server: &TestServer,
    host: &str,
    forwarded: Option<&str>,
    body: &Value,
) -> (u16, String) {
    let body = body.to_string();
    let forwarded = forwarded
        .map(|f| format!("X-Forwarded-For: {f}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /api/dev/token HTTP/1.1\r\nHost: {host}\r\n{forwarded}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.expect("read");
    let status = answer
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn repro() -> Value {
    json!({ "doc": "mid-gdansk", "user": "x", "role": "moderator" })
}

both_backends!(no_dev_tokens_by_default, |backend: Backend| async move {
    for setting in [DevTokens::Off, DevTokens::Auto] {
        let config = narada_server::config::Config {
            dev_tokens: setting,
            ..backend.config()
        };
        let server = TestServer::start_with(config).await;
        let own = server.addr.to_string();
        for (host, forwarded) in [
            (own.as_str(), None),
            ("localhost", None),
            ("127.0.0.1", Some("127.0.0.1")),
            ("evil.example", Some("127.0.0.1")),
            ("narada.example.gov.pl", Some("203.0.113.9, 127.0.0.1")),
        ] {
            let (status, body) = post(&server, host, forwarded, &repro()).await;
            assert!(
                status == 404 || status == 403,
                "{setting:?} Host {host} XFF {forwarded:?}: {status} {body}"
            );
            assert!(!body.contains("token"), "{setting:?}: {body}");
            // An editor token for a scratch document is no more available.
            let editor = json!({ "doc": unique_doc("scratch"), "user": "x" });
            let (status, body) = post(&server, host, forwarded, &editor).await;
            assert!(
                status == 404 || status == 403,
                "{setting:?}: {status} {body}"
            );
        }
        server.stop().await.expect("clean stop");
    }
});

both_backends!(
    dev_tokens_on_stop_at_editor_and_owned_documents,
    |backend: Backend| async move {
        let config = narada_server::config::Config {
            dev_tokens: DevTokens::On,
            ..backend.config()
        };
        let server = TestServer::start_with(config).await;
        let db = Db::connect(&backend.url).await.expect("accounts pool");
        // A document of a city, as the accounts API stores it (unique ids: Postgres is shared).
        let owned = unique_doc("mid-gdansk");
        let city: i64 =
            sqlx::query("INSERT INTO cities (name, created_at) VALUES ($1, 0) RETURNING id")
                .bind(format!("Gdańsk {owned}"))
                .fetch_one(db.pool())
                .await
                .expect("city")
                .try_get("id")
                .expect("id");
        sqlx::query(
        "INSERT INTO doc_meta (doc_id, owner_kind, owner_id, kind, title, created_at, updated_at) \
         VALUES ($1, 'city', $2, 'mid', 'MID Gdańsk', 0, 0)",
    )
    .bind(owned.clone())
    .bind(city)
    .execute(db.pool())
    .await
    .expect("doc_meta");
        let host = server.addr.to_string();

        // Above editor: refused, for any document, with its own code.
        let scratch = unique_doc("scratch");
        for doc in [&owned, &scratch] {
            let (status, body) = post(
                &server,
                &host,
                None,
                &json!({ "doc": doc, "user": "x", "role": "moderator" }),
            )
            .await;
            assert_eq!(status, 403, "{body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["error"]["code"], "role_too_high", "{body}");
        }
        // A city's document: refused at every role (sign in instead).
        for role in ["editor", "commenter", "viewer"] {
            let (status, body) = post(
                &server,
                &host,
                None,
                &json!({ "doc": owned, "user": "x", "role": role }),
            )
            .await;
            assert_eq!(status, 403, "{role}: {body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["error"]["code"], "doc_has_owner", "{body}");
        }
        // A scratch document nobody owns: an editor token (the default role), or a lower one.
        let key = TokenKey::new(SECRET.as_bytes()).expect("key");
        for (role, want) in [(None, Role::Editor), (Some("viewer"), Role::Viewer)] {
            let mut req = json!({ "doc": scratch, "user": "Anna" });
            if let Some(r) = role {
                req["role"] = json!(r);
            }
            let (status, body) = post(&server, &host, None, &req).await;
            assert_eq!(status, 200, "{body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            let claims = key
                .verify(v["token"].as_str().expect("token"), &scratch)
                .expect("valid token");
            assert_eq!((claims.role, claims.sub.as_str()), (want, "Anna"));
        }
        db.pool().close().await;
        server.stop().await.expect("clean stop");
    }
);
