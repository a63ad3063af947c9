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

/// A valid commenter token whose `iat` lies `secs` in the past (as if fetched before a
/// revocation).
fn token_issued_secs_ago(doc: &str, sub: &str, secs: u64) -> String {
    token_with_role_issued_secs_ago(doc, sub, narada_auth::Role::Commenter, secs)
}

fn token_with_role_issued_secs_ago(
    doc: &str,
    sub: &str,
    role: narada_auth::Role,
    secs: u64,
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = narada_auth::Claims {
        doc: doc.to_owned(),
        sub: sub.to_owned(),
        role,
        iat: now - secs,
        exp: now + 600,
    };
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("encode")
}

/// A hub with the accounts API beside it, one city in a network, and a way to add people.
struct World {
    server: TestServer,
    db: Db,
    state: AccountsState,
    api: Api,
    city: i64,
    tag: String,
}

impl World {
    async fn new(backend: &Backend) -> World {
        let server = TestServer::start(backend).await;
        // The server's migrator created the accounts tables; open the accounts pool beside it.
        let db = Db::connect(&backend.url).await.expect("accounts pool");
        let tokens = TokenKey::new(SECRET.as_bytes()).expect("key");
        let revoker: Arc<dyn AccessRevoker> = server.state.hub.clone();
        let state = AccountsState::new(db.clone(), tokens, revoker, AccountsConfig::for_tests())
            .with_live(Arc::new(narada_tests::narada_server::hub::LiveHub(
                server.state.hub.clone(),
            )));
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
        World {
            server,
            db,
            state,
            api,
            city,
            tag,
        }
    }

    /// Creates an active account; returns its id.
    async fn person(&self, email: &str, role: AccountRole, cities: Vec<i64>) -> i64 {
        let u = NewUser {
            email,
            name: email,
            password: PW,
            role,
            cities: &cities,
            networks: &[],
        };
        narada_accounts::create_user(&self.db, &self.state.config, &u)
            .await
            .expect("user")
            .id
    }
}

both_backends!(
    roles_and_revocation_on_the_socket,
    |backend: Backend| async move {
        let w = World::new(&backend).await;
        let (server, db, api, city, tag) = (&w.server, &w.db, &w.api, w.city, &w.tag);
        let mk = |email: String, role: AccountRole, cities: Vec<i64>| {
            let w = &w;
            async move { w.person(&email, role, cities).await }
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
        w.server.stop().await.expect("clean stop");
    }
);

both_backends!(
    a_lowered_share_turns_the_open_socket_read_only,
    |backend: Backend| async move {
        let w = World::new(&backend).await;
        let tag = &w.tag;
        let owner_email = format!("owner-{tag}@x.pl");
        let guest_email = format!("guest-{tag}@x.pl");
        w.person(&owner_email, AccountRole::Editor, vec![w.city])
            .await;
        let guest = w.person(&guest_email, AccountRole::Editor, vec![]).await;
        let owner = w.api.login(&owner_email).await;
        let g = w.api.login(&guest_email).await;
        let doc = unique_doc("lowered");
        let (s, v) = w
            .api
            .call(Method::POST, "/api/docs", Some(&owner), Some(json!({ "id": doc, "title": "MID", "kind": "mid", "owner": { "kind": "city", "id": w.city } })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let share = |role: &'static str| {
            let (api, owner, doc, guest_email) = (&w.api, &owner, &doc, &guest_email);
            async move {
                let (s, v) = api
                    .call(
                        Method::PUT,
                        &format!("/api/docs/{doc}/shares"),
                        Some(owner),
                        Some(json!({ "grantee": { "kind": "person", "email": guest_email }, "role": role })),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{v}");
            }
        };
        share("editor").await;
        let (_, t) = w.api.token(&g, &doc).await;
        assert_eq!(t["role"], "editor");
        let token = t["token"].as_str().expect("token").to_owned();
        // A stock client and an events-aware one (the web editor), both as the guest.
        let mut stock = Client::connect(&w.server.sync_url(&doc, &token, true)).await;
        let modern = Client::connect(&format!(
            "{}&events=1",
            w.server.sync_url(&doc, &token, false)
        ))
        .await;
        let n = stock.append("Cele ");
        stock.wait(|s| s.acked >= n).await;

        // Lowered to viewer while both sockets are open: they stay open, writes stop at once.
        share("viewer").await;
        let seen = modern
            .wait(|s| s.events.iter().any(|e| e["type"] == "access"))
            .await;
        let access = seen.events.iter().find(|e| e["type"] == "access").unwrap();
        assert_eq!(access["role"], "viewer");
        assert_eq!(access["can_write"], false);
        stock.wait(|s| s.denied >= 1).await;
        stock.append("(po obniżeniu)");
        stock.wait(|s| s.denied >= 2).await;
        assert!(stock.seen().closed.is_none() && modern.seen().closed.is_none());
        // The owner still writes, and the viewer still receives live.
        let (_, t) = w.api.token(&owner, &doc).await;
        let mut owner_socket =
            Client::connect(&w.server.sync_url(&doc, t["token"].as_str().unwrap(), true)).await;
        let n = owner_socket.append("i działania");
        owner_socket.wait(|s| s.acked >= n).await;
        stock.wait(|s| s.updates >= 1).await;
        modern.wait_text("Cele i działania").await;
        // An editor token from before the change no longer opens a socket; a fresh one is a
        // viewer's.
        let old =
            token_with_role_issued_secs_ago(&doc, &guest.to_string(), narada_auth::Role::Editor, 5);
        assert_eq!(
            Client::connect_unsynced(&w.server.sync_url(&doc, &old, false))
                .await
                .err()
                .map(|r| r.status),
            Some(403)
        );
        let (_, t) = w.api.token(&g, &doc).await;
        assert_eq!(t["role"], "viewer");

        // Raised back to editor: the same sockets write again.
        share("editor").await;
        modern
            .wait(|s| s.events.iter().filter(|e| e["type"] == "access").count() >= 2)
            .await;
        // (The stock client's refused edit is still in its own document, so what it types next
        // depends on it and would wait for it; the editor, which went read-only, writes again.)
        let mut modern = modern;
        modern.append("!");
        owner_socket.wait_text("Cele i działania!").await;
        w.db.pool().close().await;
        w.server.stop().await.expect("clean stop");
    }
);
