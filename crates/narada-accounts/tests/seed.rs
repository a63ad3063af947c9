//! `create_user`, `seed_demo`, and the migrations run through the store's own migrator.

mod common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use common::Env;
use narada_accounts::policy::AccountRole;
use narada_accounts::{AccountsError, NewUser, DEMO_PASSWORD};
use sqlx::Row;

async fn seed_and_sign_in(env: &Env) {
    let cfg = &env.state.config;
    let accounts = narada_accounts::seed_demo(&env.db, cfg)
        .await
        .expect("seed");
    let again = narada_accounts::seed_demo(&env.db, cfg)
        .await
        .expect("seed twice");
    assert_eq!(accounts.len(), again.len(), "idempotent");
    let roles: BTreeSet<_> = accounts.iter().map(|a| a.role).collect();
    assert_eq!(
        roles.len(),
        AccountRole::ALL.len(),
        "every role has a demo account"
    );
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM networks")
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(n, 3, "the three networks, not duplicated");
    for a in &accounts {
        let r = env.try_login(&a.email, DEMO_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", a.email);
    }
    let admin = env.login_with("admin@narada.demo", DEMO_PASSWORD).await;
    let docs = env
        .request(Method::GET, "/api/docs", Some(&admin), None)
        .await;
    let kinds: BTreeSet<String> = docs.body["docs"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| d["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(kinds.len(), 4, "documents of every kind: {kinds:?}");
    // The expert of Miasto Zielone reads Kraków's MID and the green Plan Ulepszeń as commenter.
    let ex = env.login_with("ekspert@narada.demo", DEMO_PASSWORD).await;
    for doc in ["mid-krakow", "plan-zielone"] {
        let t = env
            .request(
                Method::POST,
                &format!("/api/docs/{doc}/token"),
                Some(&ex),
                None,
            )
            .await;
        assert_eq!(t.body["role"], "commenter", "{doc}: {t:?}");
    }
    let t = env
        .request(Method::POST, "/api/docs/mid-gdansk/token", Some(&ex), None)
        .await;
    assert_eq!(t.status, StatusCode::FORBIDDEN);
}
on_both_backends!(seed_demo_test, seed_and_sign_in);

async fn create_user_validates(env: &Env) {
    let cfg = &env.state.config;
    let ok = NewUser {
        email: "Root@Ministerstwo.gov.pl",
        name: "Root",
        password: "a long enough password",
        role: AccountRole::Admin,
        cities: &[],
        networks: &[],
    };
    let p = narada_accounts::create_user(&env.db, cfg, &ok)
        .await
        .expect("create");
    assert_eq!(p.email, "root@ministerstwo.gov.pl");
    assert!(p.active);
    let dup = narada_accounts::create_user(&env.db, cfg, &ok).await;
    assert!(matches!(dup, Err(AccountsError::Conflict(_))), "{dup:?}");
    let short = NewUser {
        email: "x@y.pl",
        password: "short",
        ..ok
    };
    assert!(matches!(
        narada_accounts::create_user(&env.db, cfg, &short).await,
        Err(AccountsError::Validation(_))
    ));
    let bad_city = NewUser {
        email: "z@y.pl",
        cities: &[424242],
        ..ok
    };
    assert!(narada_accounts::create_user(&env.db, cfg, &bad_city)
        .await
        .is_err());
    // Nothing half-done: the failed user is not there.
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM people WHERE email = 'z@y.pl'")
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(n, 0);
}
on_both_backends!(create_user_test, create_user_validates);

/// The store's migrator (what the server runs) creates the accounts tables too.
#[tokio::test]
async fn store_migrator_includes_accounts_tables() {
    let path =
        std::env::temp_dir().join(format!("narada-accounts-store-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    narada_store::connect(&url)
        .await
        .expect("store connect + migrate");
    let db = narada_accounts::Db::connect(&url)
        .await
        .expect("accounts pool");
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM networks")
        .fetch_one(db.pool())
        .await
        .expect("networks table exists")
        .try_get("n")
        .expect("n");
    assert_eq!(n, 3);
    // Running our migrator on top is a no-op, not a conflict.
    db.migrate().await.expect("same migrations");
    db.pool().close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
