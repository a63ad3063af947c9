//! The edges of the rules found in the field test, through HTTP on SQLite and Postgres: a city
//! editor can neither move a network's document into their city nor delete it; nobody shares at
//! a role above their own on the document (403 `role_too_high`); the administration lists of
//! cities and networks answer administrators only, while the `/cities` and `/networks`
//! directories stay open to every signed-in person.

mod common;

use axum::http::{Method, StatusCode};
use common::Env;
use narada_accounts::policy::AccountRole;
use serde_json::json;
use sqlx::Row;

async fn owner_of(env: &Env, doc: &str) -> (String, i64) {
    let row = sqlx::query("SELECT owner_kind, owner_id FROM doc_meta WHERE doc_id = $1")
        .bind(doc)
        .fetch_one(env.db.pool())
        .await
        .expect("doc");
    (
        row.try_get("owner_kind").expect("kind"),
        row.try_get("owner_id").expect("id"),
    )
}

async fn policy_edges(env: &Env) {
    let zielone = env.network_id("Miasto Zielone").await;
    let lodz = env.city("Łódź", &[zielone]).await;
    env.person("admin@x.pl", AccountRole::Admin, &[], &[]).await;
    env.person("ed@x.pl", AccountRole::Editor, &[lodz], &[])
        .await;
    env.person("mod@x.pl", AccountRole::Moderator, &[], &[zielone])
        .await;
    env.person("exp@x.pl", AccountRole::Commenter, &[], &[])
        .await;
    let admin = env.login("admin@x.pl").await;
    let editor = env.login("ed@x.pl").await;
    let moderator = env.login("mod@x.pl").await;
    for (id, owner) in [
        ("plan-zielone", json!({ "kind": "network", "id": zielone })),
        ("mid-lodz", json!({ "kind": "city", "id": lodz })),
    ] {
        let a = env
            .request(
                Method::POST,
                "/api/docs",
                Some(&admin),
                Some(json!({ "id": id, "title": id, "kind": "notes", "owner": owner })),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    }

    // The Łódź editor edits the network's plan (through the city's membership of the network)...
    let t = env
        .request(
            Method::POST,
            "/api/docs/plan-zielone/token",
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(t.body["role"], "editor", "{t:?}");
    // ...but may not move it into Łódź, nor delete it: the other cities of the network keep it.
    let moved = env
        .request(
            Method::POST,
            "/api/docs/plan-zielone/move",
            Some(&editor),
            Some(json!({ "owner": { "kind": "city", "id": lodz } })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN, "{moved:?}");
    assert_eq!(
        owner_of(env, "plan-zielone").await,
        ("network".into(), zielone)
    );
    let deleted = env
        .request(
            Method::DELETE,
            "/api/docs/plan-zielone",
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::FORBIDDEN, "{deleted:?}");
    // The network's own moderator may move it into one of its cities; Łódź's own document may
    // go up into the network with its editor.
    let a = env
        .request(
            Method::POST,
            "/api/docs/mid-lodz/move",
            Some(&editor),
            Some(json!({ "owner": { "kind": "network", "id": zielone } })),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let a = env
        .request(
            Method::POST,
            "/api/docs/mid-lodz/move",
            Some(&moderator),
            Some(json!({ "owner": { "kind": "city", "id": lodz } })),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(owner_of(env, "mid-lodz").await, ("city".into(), lodz));

    // Sharing: the editor gives at most editor; moderator is refused with its own code.
    let share = |role: &'static str| json!({ "grantee": { "kind": "person", "email": "exp@x.pl" }, "role": role });
    let a = env
        .request(
            Method::PUT,
            "/api/docs/mid-lodz/shares",
            Some(&editor),
            Some(share("moderator")),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{a:?}");
    assert_eq!(a.body["error"]["code"], "role_too_high");
    let rows: i64 = sqlx::query("SELECT COUNT(*) AS n FROM doc_shares")
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(rows, 0, "nothing was shared");
    for (who, role) in [(&editor, "editor"), (&moderator, "moderator")] {
        let a = env
            .request(
                Method::PUT,
                "/api/docs/mid-lodz/shares",
                Some(who),
                Some(share(role)),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{role}: {a:?}");
    }

    // The administration lists answer administrators only; the directories everyone signed in.
    for path in ["/api/admin/cities", "/api/admin/networks"] {
        for who in [&editor, &moderator] {
            let a = env.request(Method::GET, path, Some(who), None).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}: {a:?}");
        }
        let a = env.request(Method::GET, path, Some(&admin), None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {a:?}");
    }
    for path in ["/api/cities", "/api/networks"] {
        let a = env.request(Method::GET, path, Some(&editor), None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {a:?}");
        assert_eq!(
            env.request(Method::GET, path, None, None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let cities = env
        .request(Method::GET, "/api/cities", Some(&editor), None)
        .await;
    assert_eq!(
        cities.body["cities"],
        json!([{ "id": lodz, "name": "Łódź", "networks": [zielone] }]),
        "names and networks, nothing more"
    );
}
on_both_backends!(policy_edges_test, policy_edges);
