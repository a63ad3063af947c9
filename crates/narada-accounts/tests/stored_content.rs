//! `POST /api/docs` with an id the hub already stores content for, but that has no metadata
//! (written with a developer or command-line token): refused with 409 for everyone but an
//! administrator, who may adopt it into an owner — on SQLite and Postgres.

mod common;

use axum::http::{Method, StatusCode};
use common::{Env, Session};
use narada_accounts::policy::AccountRole;
use serde_json::json;
use sqlx::Row;

/// Stores content for `id` the way the hub does: its `documents` row, then a log entry and/or a
/// snapshot.
async fn store_content(env: &Env, id: &str, log: bool, snapshot: bool) {
    sqlx::query("INSERT INTO documents (id, next_seq) VALUES ($1, 2)")
        .bind(id)
        .execute(env.db.pool())
        .await
        .expect("documents row");
    if log {
        sqlx::query("INSERT INTO updates (doc_id, seq, data, created_at_ms) VALUES ($1, 1, $2, 0)")
            .bind(id)
            .bind(vec![0u8, 0])
            .execute(env.db.pool())
            .await
            .expect("log entry");
    }
    if snapshot {
        sqlx::query(
            "INSERT INTO snapshots (doc_id, upto_seq, data, created_at_ms) VALUES ($1, 1, $2, 0)",
        )
        .bind(id)
        .bind(vec![0u8, 0])
        .execute(env.db.pool())
        .await
        .expect("snapshot");
    }
}

async fn meta_rows(env: &Env, id: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM doc_meta WHERE doc_id = $1")
        .bind(id)
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

/// `POST /api/docs` for a notes document of `city` with this id.
async fn create(env: &Env, who: &Session, id: &str, city: i64) -> common::Answer {
    let body = json!({ "id": id, "title": "Notatki", "kind": "notes",
                       "owner": { "kind": "city", "id": city } });
    env.request(Method::POST, "/api/docs", Some(who), Some(body))
        .await
}

async fn stored_content_is_not_claimed(env: &Env) {
    let n1 = env.network_id("Miasto Zielone").await;
    let lodz = env.city("Łódź", &[n1]).await;
    env.person("admin@x.pl", AccountRole::Admin, &[], &[]).await;
    env.person("ed@x.pl", AccountRole::Editor, &[lodz], &[])
        .await;
    let admin = env.login("admin@x.pl").await;
    let editor = env.login("ed@x.pl").await;
    store_content(env, "dev-notes", true, false).await;
    store_content(env, "dev-compacted", false, true).await;

    // The city's editor may create in Łódź, but not over stored content (log or snapshot).
    for id in ["dev-notes", "dev-compacted"] {
        let a = create(env, &editor, id, lodz).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{id}: {a:?}");
        assert_eq!(a.body["error"]["code"], "conflict");
        assert_eq!(meta_rows(env, id).await, 0, "{id}: nothing written");
    }
    // A fresh id is still fine.
    let a = create(env, &editor, "fresh", lodz).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");

    // The administrator adopts it; the audit record says content was adopted.
    let a = create(env, &admin, "dev-notes", lodz).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    let records = env
        .request(
            Method::GET,
            "/api/admin/audit?action=doc.create&target=dev-notes",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        records.body["records"][0]["detail"]["adopted_content"], true,
        "{records:?}"
    );
    // Now it has metadata: the usual answer for an existing id.
    let a = create(env, &admin, "dev-notes", lodz).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{a:?}");
}
on_both_backends!(
    stored_content_is_not_claimed_test,
    stored_content_is_not_claimed
);
