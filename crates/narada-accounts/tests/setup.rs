//! First-run setup (`/api/setup`) on SQLite and Postgres: on a database without people the code
//! from the log creates the first administrator once and signs them in; a wrong code is refused
//! and counted (void after ten); afterwards there is nothing to set up; people created another
//! way meanwhile end it; a cross-site form cannot use it.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{session_from, Env};
use narada_accounts::policy::AccountRole;
use narada_accounts::setup::{Setup, MAX_WRONG_CODES};
use serde_json::{json, Value};
use sqlx::Row;

const CODE: &str = "K7PQ-M2XD";

fn body(code: &str, email: &str) -> Value {
    json!({ "code": code, "email": email, "name": "Anna Nowak", "password": "pierwsza administratorka" })
}

async fn post(env: &Env, b: Value) -> common::Answer {
    env.request(Method::POST, "/api/setup", None, Some(b)).await
}

async fn pending(env: &Env) -> Value {
    let a = env.request(Method::GET, "/api/setup", None, None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    a.body["pending"].clone()
}

async fn people(env: &Env) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM people")
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

async fn first_admin(env: Env) {
    let env = env.with_setup(Setup::pending_with_code(CODE));
    assert_eq!(pending(&env).await, true);

    // Input is checked before the code, so a typo costs no attempt; then a wrong code.
    let mut short = body(CODE, "anna@mfipr.gov.pl");
    short["password"] = json!("krótkie");
    let a = post(&env, short).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    let a = post(&env, body("K7PQ-M2XE", "anna@mfipr.gov.pl")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{a:?}");
    assert_eq!(a.body["error"]["code"], "setup_code_wrong");
    assert_eq!(people(&env).await, 0);

    // The code as people type it: any case, spaces. Created, signed in, an administrator.
    let a = post(&env, body(" k7pq m2xd ", "Anna@MFiPR.gov.pl")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    assert_eq!(a.body["person"]["role"], "admin");
    assert_eq!(a.body["person"]["email"], "anna@mfipr.gov.pl");
    let s = session_from(&a);
    let me = env
        .request(Method::GET, "/api/auth/me", Some(&s), None)
        .await;
    assert_eq!(me.status, StatusCode::OK, "{me:?}");
    let people_list = env
        .request(Method::GET, "/api/admin/people", Some(&s), None)
        .await;
    assert_eq!(
        people_list.status,
        StatusCode::OK,
        "an administrator: {people_list:?}"
    );
    // The password works for signing in; the audit trail says how the account came to be.
    assert_eq!(
        env.try_login("anna@mfipr.gov.pl", "pierwsza administratorka")
            .await
            .status,
        StatusCode::OK
    );
    let audit = env
        .request(
            Method::GET,
            "/api/admin/audit?action=setup.admin",
            Some(&s),
            None,
        )
        .await;
    assert_eq!(
        audit.body["records"].as_array().map(Vec::len),
        Some(1),
        "{audit:?}"
    );

    // Once only: nothing to set up any more, whatever code.
    assert_eq!(pending(&env).await, false);
    for code in [CODE, "AAAA-AAAA"] {
        let a = post(&env, body(code, "intruz@x.pl")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{a:?}");
    }
    assert_eq!(people(&env).await, 1);
    env.cleanup().await;
}

async fn wrong_codes_are_bounded(env: Env) {
    let env = env.with_setup(Setup::pending_with_code(CODE));
    for i in 1..MAX_WRONG_CODES {
        let a = post(&env, body("ZZZZ-ZZZZ", "anna@x.pl")).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "attempt {i}: {a:?}");
    }
    let a = post(&env, body("ZZZZ-ZZZZ", "anna@x.pl")).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{a:?}");
    assert_eq!(a.body["error"]["code"], "setup_locked");
    // Void: even the right code, until a restart prints a new one.
    let a = post(&env, body(CODE, "anna@x.pl")).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{a:?}");
    assert_eq!(people(&env).await, 0);
    env.cleanup().await;
}

async fn people_made_meanwhile_end_setup(env: Env) {
    let env = env.with_setup(Setup::pending_with_code(CODE));
    env.person("cli@x.pl", AccountRole::Admin, &[], &[]).await;
    let a = post(&env, body(CODE, "anna@x.pl")).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{a:?}");
    assert_eq!(a.body["error"]["code"], "setup_done");
    assert_eq!(pending(&env).await, false);
    assert_eq!(people(&env).await, 1);
    env.cleanup().await;
}

async fn not_cross_site_and_not_without_setup(env: Env) {
    // Another site's page cannot post the form.
    let env = env.with_setup(Setup::pending_with_code(CODE));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/setup")
        .header(header::HOST, "narada.example.gov.pl")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body(CODE, "anna@x.pl").to_string()))
        .expect("request");
    let a = env.send(req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{a:?}");
    assert_eq!(a.body["error"]["code"], "csrf");
    assert_eq!(pending(&env).await, true, "no attempt was spent");
    // A server that found people at start offers no setup at all.
    let env = env.with_setup(Setup::closed());
    assert_eq!(pending(&env).await, false);
    assert_eq!(
        post(&env, body(CODE, "anna@x.pl")).await.status,
        StatusCode::NOT_FOUND
    );
    env.cleanup().await;
}

async fn setup_follows_the_database(env: Env) {
    // What the server asks at start: a code on an empty database, none once someone exists.
    let setup = Setup::for_database(&env.db).await.expect("setup");
    let code = setup.code().expect("a code for an empty database");
    assert!(
        code.len() == 9 && code.as_bytes()[4] == b'-',
        "XXXX-XXXX: {code}"
    );
    env.person("ed@x.pl", AccountRole::Editor, &[], &[]).await;
    let setup = Setup::for_database(&env.db).await.expect("setup");
    assert_eq!(setup.code(), None);
    env.cleanup().await;
}

/// Runs a check that takes the environment by value (it swaps the setup state) on each backend.
async fn each_backend<F, Fut>(check: F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for env in common::backends().await {
        eprintln!("backend {}", env.name);
        check(env).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_admin_test() {
    each_backend(first_admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_bounded_test() {
    each_backend(wrong_codes_are_bounded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_made_meanwhile_end_setup_test() {
    each_backend(people_made_meanwhile_end_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_cross_site_and_not_without_setup_test() {
    each_backend(not_cross_site_and_not_without_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_follows_the_database_test() {
    each_backend(setup_follows_the_database).await;
}
