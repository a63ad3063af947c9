//! Through the sync socket: a real hub (in process, on `127.0.0.1:0`) with the accounts API
//! beside it. Tokens from `POST /api/docs/{id}/token` open the socket with the role the rules
//! give (an editor writes, a commenter's writes are refused), and taking access away through the
//! API closes the live socket (4403) — on SQLite and Postgres.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::Router;
use narada_accounts::policy::AccountRole;
use narada_accounts::{AccountsConfig, AccountsState, Db, NewUser};
use narada_auth::{AccessRevoker, TokenKey};
use narada_tests::{both_backends, unique_doc, Backend, Client, TestServer, SECRET};
use serde_json::json;
use sqlx::Row;

mod live_api;
use live_api::{Api, PW};

/// A valid token whose `iat` lies `secs` in the past (as if fetched before a revocation).
fn token_issued_secs_ago(doc: &str, sub: &str, secs: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = narada_auth::Claims {
        doc: doc.to_owned(),
        sub: sub.to_owned(),
        role: narada_auth::Role::Commenter,
        iat: now - secs,
        exp: now + 600,
    };
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("encode")
}

both_backends!(
    roles_and_revocation_on_the_socket,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        // The server's migrator created the accounts tables; open the accounts pool beside it.
        let db = Db::connect(&backend.url).await.expect("accounts pool");
        let tokens = TokenKey::new(SECRET.as_bytes()).expect("key");
        let revoker: Arc<dyn AccessRevoker> = server.state.hub.clone();
        let state = AccountsState::new(db.clone(), tokens, revoker, AccountsConfig::for_tests());
        let api = Api {
            router: Router::new().nest("/api", narada_accounts::router(state.clone())),
        };

        // Unique names: the Postgres database is shared with other tests.
        let tag = unique_doc("t");
        let network: i64 = sqlx::query("SELECT id FROM networks WHERE name = 'Miasto Zielone'")
            .fetch_one(db.pool())
            .await
            .expect("seeded network")
            .try_get("id")
            .expect("id");
        let city: i64 =
            sqlx::query("INSERT INTO cities (name, created_at) VALUES ($1, 0) RETURNING id")
                .bind(format!("Miasto {tag}"))
                .fetch_one(db.pool())
                .await
                .expect("city")
                .try_get("id")
                .expect("id");
        sqlx::query("INSERT INTO city_networks (city_id, network_id) VALUES ($1, $2)")
            .bind(city)
            .bind(network)
            .execute(db.pool())
            .await
            .expect("city network");
        let mk = |email: String, role: AccountRole, cities: Vec<i64>| {
            let (db, cfg) = (db.clone(), state.config.clone());
            async move {
                let u = NewUser {
                    email: &email,
                    name: &email,
                    password: PW,
                    role,
                    cities: &cities,
                    networks: &[],
                };
                narada_accounts::create_user(&db, &cfg, &u)
                    .await
                    .expect("user")
                    .id
            }
        };
        let admin_email = format!("admin-{tag}@x.pl");
        let editor_email = format!("editor-{tag}@x.pl");
        let expert_email = format!("expert-{tag}@x.pl");
        mk(admin_email.clone(), AccountRole::Admin, vec![]).await;
        let editor = mk(editor_email.clone(), AccountRole::Editor, vec![city]).await;
        let expert = mk(expert_email.clone(), AccountRole::Commenter, vec![]).await;
        let admin = api.login(&admin_email).await;
        let ed = api.login(&editor_email).await;
        let ex = api.login(&expert_email).await;

        let doc = unique_doc("mid");
        let (s, v) = api
        .call(Method::POST, "/api/docs", Some(&ed), Some(json!({ "id": doc, "title": "MID", "kind": "mid", "owner": { "kind": "city", "id": city } })))
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, _) = api.token(&ex, &doc).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the expert has no access yet");
        let (s, v) = api
            .call(
                Method::PUT,
                &format!("/api/docs/{doc}/shares"),
                Some(&ed),
                Some(json!({ "grantee": { "kind": "person", "email": expert_email }, "role": "commenter" })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");

        // The editor writes; the expert reads it live and their own writes are refused.
        let (_, t) = api.token(&ed, &doc).await;
        assert_eq!(t["role"], "editor");
        let mut editor_socket =
            Client::connect(&server.sync_url(&doc, t["token"].as_str().expect("token"), false))
                .await;
        editor_socket.append("Diagnoza: ");
        let (_, t) = api.token(&ex, &doc).await;
        assert_eq!(t["role"], "commenter");
        let mut expert_socket =
            Client::connect(&server.sync_url(&doc, t["token"].as_str().expect("token"), false))
                .await;
        expert_socket.wait_text("Diagnoza: ").await;
        expert_socket.append("przepisane");
        expert_socket.wait(|s| s.denied >= 1).await;

        // Unshare: the expert's live socket closes at once; the editor stays.
        let (s, _) = api
            .call(
                Method::DELETE,
                &format!("/api/docs/{doc}/shares/person/{expert}"),
                Some(&ed),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let closed = expert_socket
            .wait(|s| s.closed.is_some())
            .await
            .closed
            .expect("closed");
        assert_eq!(closed.0, 4403);
        assert_eq!(api.token(&ex, &doc).await.0, StatusCode::FORBIDDEN);
        // Reconnecting with a token issued before the revocation (still unexpired) is refused.
        let stale = token_issued_secs_ago(&doc, &expert.to_string(), 5);
        let refused = Client::connect_unsynced(&server.sync_url(&doc, &stale, false)).await;
        assert_eq!(
            refused.err().map(|r| r.status),
            Some(403),
            "a pre-revocation token must not reconnect"
        );
        // A token issued after it (e.g. access given back) still works.
        let fresh = TokenKey::new(SECRET.as_bytes()).expect("key").issue(
            &doc,
            &expert.to_string(),
            narada_auth::Role::Viewer,
            60,
        );
        assert!(
            Client::connect_unsynced(&server.sync_url(&doc, &fresh, false))
                .await
                .is_ok()
        );
        assert!(editor_socket.seen().closed.is_none());

        // Removing the editor from the city closes theirs.
        let (s, _) = api
            .call(
                Method::DELETE,
                &format!("/api/admin/people/{editor}/cities/{city}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let closed = editor_socket
            .wait(|s| s.closed.is_some())
            .await
            .closed
            .expect("closed");
        assert_eq!(closed.0, 4403);
        assert_eq!(api.token(&ed, &doc).await.0, StatusCode::FORBIDDEN);

        db.pool().close().await;
        server.stop().await.expect("clean stop");
    }
);
