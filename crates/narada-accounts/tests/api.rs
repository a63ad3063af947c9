//! The accounts API end to end (router driven with `oneshot`), on SQLite and Postgres:
//! sign-in, the per-address limit (the rest of the throttle is in `tests/throttle.rs`), CSRF,
//! expiry, invitations, resets, documents, revocation, soft delete, the audit trail and input
//! validation.

mod common;

use axum::http::{Method, StatusCode};
use common::{Env, Session, PASSWORD};
use narada_accounts::policy::AccountRole;
use serde_json::{json, Value};

struct World {
    n1: i64,
    n2: i64,
    a: i64,
    c: i64,
    admin: i64,
    editor_a: i64,
}

async fn world(env: &Env) -> World {
    let n1 = env.network_id("Miasto Zielone").await;
    let n2 = env.network_id("Miasto Cyfrowe").await;
    let a = env.city("Łódź", &[n1]).await;
    let c = env.city("Gdańsk", &[n2]).await;
    let admin = env.person("admin@x.pl", AccountRole::Admin, &[], &[]).await;
    let editor_a = env.person("ed@x.pl", AccountRole::Editor, &[a], &[]).await;
    World {
        n1,
        n2,
        a,
        c,
        admin,
        editor_a,
    }
}

async fn create_doc(
    env: &Env,
    s: &Session,
    id: &str,
    title: &str,
    kind: &str,
    owner: Value,
) -> common::Answer {
    env.request(
        Method::POST,
        "/api/docs",
        Some(s),
        Some(json!({ "id": id, "title": title, "kind": kind, "owner": owner })),
    )
    .await
}

async fn audit_actions(env: &Env, admin: &Session, query: &str) -> Vec<String> {
    let a = env
        .request(
            Method::GET,
            &format!("/api/admin/audit{query}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    a.body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

// ---------------------------------------------------------------- sign-in

async fn sign_in_me_logout(env: &Env) {
    let w = world(env).await;
    let bad = env.try_login("ed@x.pl", "wrong password!!").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.body["error"]["code"], "invalid_credentials");
    let unknown = env.try_login("nobody@x.pl", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body["error"]["code"], "invalid_credentials",
        "same answer as a wrong password"
    );

    let ok = env.try_login("  ED@X.PL ", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("narada_session="))
        .expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "Secure only when configured");
    assert!(ok.body.to_string().find(PASSWORD).is_none());
    let s = common::session_from(&ok);
    assert_eq!(s.person, w.editor_a);

    let me = env
        .request(Method::GET, "/api/auth/me", Some(&s), None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["person"]["email"], "ed@x.pl");
    assert_eq!(me.body["person"]["role"], "editor");

    let out = env
        .request(Method::POST, "/api/auth/logout", Some(&s), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("narada_session=;") && c.contains("Max-Age=0")));
    let me = env
        .request(Method::GET, "/api/auth/me", Some(&s), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.body["error"]["code"], "unauthenticated");

    let admin = env.login("admin@x.pl").await;
    let actions = audit_actions(env, &admin, "").await;
    for want in ["login.failed", "login.ok", "logout"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    // The audit trail never holds a password or a session id.
    let all = env
        .request(Method::GET, "/api/admin/audit", Some(&admin), None)
        .await
        .body
        .to_string();
    assert!(!all.contains(PASSWORD) && !all.contains(&s.cookie));
}
on_both_backends!(sign_in_me_logout_test, sign_in_me_logout);

async fn ip_rate_limit(env: &Env) {
    world(env).await;
    let max = env.state.config.ip_max_failures;
    for i in 0..max {
        let a = env
            .try_login(&format!("guess{i}@x.pl"), "whatever-password")
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let limited = env.try_login("ed@x.pl", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["error"]["code"], "rate_limited");
    env.clock.advance_ms(env.state.config.ip_window_ms + 1);
    assert_eq!(
        env.try_login("ed@x.pl", PASSWORD).await.status,
        StatusCode::OK
    );
}
on_both_backends!(ip_rate_limit_test, ip_rate_limit);

async fn csrf(env: &Env) {
    let w = world(env).await;
    let s = env.login("ed@x.pl").await;
    let body =
        json!({ "id": "d1", "title": "T", "kind": "mid", "owner": { "kind": "city", "id": w.a } });
    let no = env
        .request_with(
            Method::POST,
            "/api/docs",
            Some(&s),
            Some(body.clone()),
            false,
        )
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    assert_eq!(no.body["error"]["code"], "csrf");
    let mut wrong = s.clone();
    wrong.csrf = "0".repeat(64);
    // Cookie still carries the right session; only the header is wrong.
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/docs")
        .header("cookie", format!("narada_session={}", s.cookie))
        .header("x-csrf-token", wrong.csrf)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("req");
    assert_eq!(env.send(req).await.status, StatusCode::FORBIDDEN);
    // GETs need no token; the right token passes.
    let get = env
        .request_with(Method::GET, "/api/docs", Some(&s), None, false)
        .await;
    assert_eq!(get.status, StatusCode::OK);
    assert_eq!(
        env.request(Method::POST, "/api/docs", Some(&s), Some(body))
            .await
            .status,
        StatusCode::CREATED
    );
    // Sign-in from another site is refused.
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/auth/login")
        .header("host", "narada.example")
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({ "email": "ed@x.pl", "password": PASSWORD }).to_string(),
        ))
        .expect("req");
    let a = env.send(req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{a:?}");
}
on_both_backends!(csrf_test, csrf);

async fn session_expiry(env: &Env) {
    world(env).await;
    let cfg = env.state.config.clone();
    // Idle expiry.
    let s = env.login("ed@x.pl").await;
    env.clock.advance_ms(cfg.session_idle_ms - 1000);
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&s), None)
            .await
            .status,
        StatusCode::OK
    );
    env.clock.advance_ms(cfg.session_idle_ms + 1);
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&s), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Absolute expiry, however active.
    let s = env.login("ed@x.pl").await;
    let step = cfg.session_idle_ms / 2;
    let mut elapsed = 0;
    while elapsed + step < cfg.session_absolute_ms {
        env.clock.advance_ms(step);
        elapsed += step;
        assert_eq!(
            env.request(Method::GET, "/api/auth/me", Some(&s), None)
                .await
                .status,
            StatusCode::OK
        );
    }
    env.clock.advance_ms(step);
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&s), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
on_both_backends!(session_expiry_test, session_expiry);

async fn invite_and_reset(env: &Env) {
    let w = world(env).await;
    let admin = env.login("admin@x.pl").await;
    let made = env
        .request(
            Method::POST,
            "/api/admin/people",
            Some(&admin),
            Some(json!({ "email": "Nowa@X.pl", "name": "Nowa Osoba", "role": "commenter", "networks": [w.n1] })),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
    assert_eq!(made.body["person"]["email"], "nowa@x.pl");
    assert_eq!(made.body["person"]["active"], false);
    let token = made.body["invite"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(made.body["invite"]["link"]
        .as_str()
        .expect("link")
        .ends_with(&token));
    // Not active yet: cannot sign in.
    assert_eq!(
        env.try_login("nowa@x.pl", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Too short a password.
    let short = env
        .request(
            Method::POST,
            "/api/auth/accept-invite",
            None,
            Some(json!({ "token": token, "password": "short" })),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let ok = env
        .request(
            Method::POST,
            "/api/auth/accept-invite",
            None,
            Some(json!({ "token": token, "password": PASSWORD })),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:?}");
    let s = common::session_from(&ok);
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&s), None)
            .await
            .body["person"]["active"],
        true
    );
    // One-time: a second use fails.
    let again = env
        .request(
            Method::POST,
            "/api/auth/accept-invite",
            None,
            Some(json!({ "token": token, "password": PASSWORD })),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["error"]["code"], "bad_link");

    // Reset: a new password, and the old sessions end.
    let id = made.body["person"]["id"].as_i64().expect("id");
    let link = env
        .request(
            Method::POST,
            &format!("/api/admin/people/{id}/reset-link"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(link.status, StatusCode::OK);
    let rtoken = link.body["token"].as_str().expect("token").to_owned();
    let new_pw = "a brand new passphrase";
    let done = env
        .request(
            Method::POST,
            "/api/auth/reset-password",
            None,
            Some(json!({ "token": rtoken, "password": new_pw })),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&s), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.try_login("nowa@x.pl", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.try_login("nowa@x.pl", new_pw).await.status,
        StatusCode::OK
    );

    // Expired links are refused.
    let link = env
        .request(
            Method::POST,
            &format!("/api/admin/people/{id}/reset-link"),
            Some(&admin),
            None,
        )
        .await;
    let rtoken = link.body["token"].as_str().expect("token").to_owned();
    env.clock.advance_ms(env.state.config.reset_ttl_ms + 1);
    let late = env
        .request(
            Method::POST,
            "/api/auth/reset-password",
            None,
            Some(json!({ "token": rtoken, "password": new_pw })),
        )
        .await;
    assert_eq!(late.body["error"]["code"], "bad_link");

    // Only admins invite.
    let ed = env.login("ed@x.pl").await;
    let no = env
        .request(
            Method::POST,
            "/api/admin/people",
            Some(&ed),
            Some(json!({ "email": "y@x.pl", "name": "Y", "role": "viewer" })),
        )
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    let _ = w.admin;
}
on_both_backends!(invite_and_reset_test, invite_and_reset);

// ---------------------------------------------------------------- documents

async fn token_endpoint(env: &Env) {
    let w = world(env).await;
    let viewer = env.person("v@x.pl", AccountRole::Viewer, &[w.a], &[]).await;
    let ed = env.login("ed@x.pl").await;
    assert_eq!(
        create_doc(
            env,
            &ed,
            "mid-lodz",
            "MID Łódź",
            "mid",
            json!({ "kind": "city", "id": w.a })
        )
        .await
        .status,
        StatusCode::CREATED
    );
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&ed), None)
        .await;
    assert_eq!(t.status, StatusCode::OK, "{t:?}");
    assert_eq!(t.body["role"], "editor");
    assert_eq!(t.body["doc"], "mid-lodz");
    let claims = env
        .state
        .tokens
        .verify(t.body["token"].as_str().expect("token"), "mid-lodz")
        .expect("valid token");
    assert_eq!(claims.sub, w.editor_a.to_string());
    assert_eq!(claims.role, narada_auth::Role::Editor);

    let vs = env.login("v@x.pl").await;
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&vs), None)
        .await;
    assert_eq!(t.body["role"], "viewer");
    let _ = viewer;

    let other = env.person("o@x.pl", AccountRole::Editor, &[w.c], &[]).await;
    let os = env.login("o@x.pl").await;
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&os), None)
        .await;
    assert_eq!(t.status, StatusCode::FORBIDDEN);
    assert_eq!(t.body["error"]["code"], "forbidden");
    let _ = other;
    let missing = env
        .request(Method::POST, "/api/docs/nope/token", Some(&os), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = env
        .request(Method::POST, "/api/docs/bad%20id/token", Some(&os), None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
on_both_backends!(token_endpoint_test, token_endpoint);

async fn list_filter_search(env: &Env) {
    let w = world(env).await;
    let admin = env.login("admin@x.pl").await;
    for (id, title, kind, owner) in [
        (
            "a1",
            "Żłobki w Łodzi",
            "mid",
            json!({ "kind": "city", "id": w.a }),
        ),
        (
            "a2",
            "Zieleń miejska",
            "notes",
            json!({ "kind": "city", "id": w.a }),
        ),
        (
            "n1",
            "Plan Ulepszeń — Zielone",
            "plan_ulepszen",
            json!({ "kind": "network", "id": w.n1 }),
        ),
        (
            "c1",
            "Łódzkie inspiracje",
            "other",
            json!({ "kind": "city", "id": w.c }),
        ),
    ] {
        assert_eq!(
            create_doc(env, &admin, id, title, kind, owner).await.status,
            StatusCode::CREATED
        );
    }
    let ids = |a: &common::Answer| -> Vec<String> {
        a.body["docs"]
            .as_array()
            .expect("docs")
            .iter()
            .map(|d| d["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let all = env
        .request(Method::GET, "/api/docs", Some(&admin), None)
        .await;
    // Polish order: Łódzkie < Plan < Zieleń < Żłobki.
    assert_eq!(ids(&all), ["c1", "n1", "a2", "a1"]);
    let q = env
        .request(Method::GET, "/api/docs?q=LODZ", Some(&admin), None)
        .await;
    assert_eq!(ids(&q), ["c1", "a1"], "accent- and case-insensitive");
    let q = env
        .request(Method::GET, "/api/docs?q=%C5%82odzi", Some(&admin), None)
        .await; // "łodzi"
    assert_eq!(ids(&q), ["a1"]);
    let net = env
        .request(
            Method::GET,
            &format!("/api/docs?network={}", w.n1),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        ids(&net),
        ["n1", "a2", "a1"],
        "network filter includes its cities' documents"
    );
    let city = env
        .request(
            Method::GET,
            &format!("/api/docs?city={}&kind=mid", w.a),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(ids(&city), ["a1"]);
    let bad = env
        .request(Method::GET, "/api/docs?kind=novel", Some(&admin), None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = env
        .request(Method::GET, "/api/docs?network=abc", Some(&admin), None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["error"]["code"], "invalid_input");
    // The editor of Łódź sees Łódź's and the network's documents, not Gdańsk's.
    let ed = env.login("ed@x.pl").await;
    assert_eq!(
        ids(&env.request(Method::GET, "/api/docs", Some(&ed), None).await),
        ["n1", "a2", "a1"]
    );
    let _ = w.n2;
}
on_both_backends!(list_filter_search_test, list_filter_search);

async fn soft_delete_restore_archive(env: &Env) {
    let w = world(env).await;
    let admin = env.login("admin@x.pl").await;
    let ed = env.login("ed@x.pl").await;
    assert_eq!(
        create_doc(
            env,
            &ed,
            "d",
            "Dokument",
            "notes",
            json!({ "kind": "city", "id": w.a })
        )
        .await
        .status,
        StatusCode::CREATED
    );

    // Archive: read-only for everyone, unarchive by the owner's editor.
    let a = env
        .request(Method::POST, "/api/docs/d/archive", Some(&ed), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["role"], "viewer");
    let t = env
        .request(Method::POST, "/api/docs/d/token", Some(&ed), None)
        .await;
    assert_eq!(t.body["role"], "viewer");
    assert_eq!(
        env.request(
            Method::PATCH,
            "/api/docs/d",
            Some(&ed),
            Some(json!({ "title": "X" }))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let listed = env.request(Method::GET, "/api/docs", Some(&ed), None).await;
    assert_eq!(
        listed.body["docs"].as_array().map(Vec::len),
        Some(0),
        "archived hidden by default"
    );
    let listed = env
        .request(Method::GET, "/api/docs?archived=only", Some(&ed), None)
        .await;
    assert_eq!(listed.body["docs"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        env.request(Method::POST, "/api/docs/d/unarchive", Some(&ed), None)
            .await
            .status,
        StatusCode::OK
    );

    // Delete: gone for the editor, visible and restorable for the admin only.
    let del = env
        .request(Method::DELETE, "/api/docs/d", Some(&ed), None)
        .await;
    assert_eq!(del.status, StatusCode::OK, "{del:?}");
    assert_eq!(
        env.request(Method::GET, "/api/docs/d", Some(&ed), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        env.request(Method::POST, "/api/docs/d/token", Some(&ed), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        env.request(Method::POST, "/api/docs/d/restore", Some(&ed), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        env.request(Method::GET, "/api/docs?deleted=only", Some(&ed), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let gone = env
        .request(Method::GET, "/api/docs?deleted=only", Some(&admin), None)
        .await;
    assert_eq!(gone.body["docs"][0]["id"], "d");
    assert_eq!(
        env.request(Method::POST, "/api/docs/d/token", Some(&admin), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Re-creating a deleted id is a conflict, not an overwrite.
    assert_eq!(
        create_doc(
            env,
            &ed,
            "d",
            "Inny",
            "notes",
            json!({ "kind": "city", "id": w.a })
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let r = env
        .request(Method::POST, "/api/docs/d/restore", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        env.request(Method::GET, "/api/docs/d", Some(&ed), None)
            .await
            .status,
        StatusCode::OK
    );
    let actions = audit_actions(env, &admin, "?target=d").await;
    for want in [
        "doc.create",
        "doc.archive",
        "doc.unarchive",
        "doc.delete",
        "doc.restore",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}
on_both_backends!(
    soft_delete_restore_archive_test,
    soft_delete_restore_archive
);

// ---------------------------------------------------------------- revocation

async fn revocation(env: &Env) {
    let w = world(env).await;
    let expert = env
        .person("exp@x.pl", AccountRole::Commenter, &[], &[])
        .await;
    let viewer = env
        .person("vw@x.pl", AccountRole::Viewer, &[w.a], &[])
        .await;
    let admin = env.login("admin@x.pl").await;
    let ed = env.login("ed@x.pl").await;
    create_doc(
        env,
        &ed,
        "mid",
        "MID",
        "mid",
        json!({ "kind": "city", "id": w.a }),
    )
    .await;
    let rec = |env: &Env| env.revoker.docs.lock().clone();

    // Share to the expert, then unshare: the expert's sockets on that doc close.
    let sh = env
        .request(
            Method::PUT,
            "/api/docs/mid/shares",
            Some(&ed),
            Some(json!({ "grantee": { "kind": "person", "email": "exp@x.pl" }, "role": "commenter" })),
        )
        .await;
    assert_eq!(sh.status, StatusCode::OK, "{sh:?}");
    assert!(rec(env).is_empty(), "granting access revokes nothing");
    let un = env
        .request(
            Method::DELETE,
            &format!("/api/docs/mid/shares/person/{expert}"),
            Some(&ed),
            None,
        )
        .await;
    assert_eq!(un.status, StatusCode::OK);
    assert_eq!(rec(env), [("mid".to_owned(), expert.to_string())]);
    assert_eq!(
        env.request(
            Method::DELETE,
            &format!("/api/docs/mid/shares/person/{expert}"),
            Some(&ed),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Membership removal: the viewer leaves Łódź.
    env.revoker.docs.lock().clear();
    let rm = env
        .request(
            Method::DELETE,
            &format!("/api/admin/people/{viewer}/cities/{}", w.a),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(rm.status, StatusCode::OK, "{rm:?}");
    assert_eq!(rec(env), [("mid".to_owned(), viewer.to_string())]);

    // Role downgrade: editor → viewer keeps the sockets, which turn read-only in place (a live
    // role change; tests/socket.rs shows it on a real socket), and new tokens are a viewer's.
    env.revoker.docs.lock().clear();
    let down = env
        .request(
            Method::PATCH,
            &format!("/api/admin/people/{}", w.editor_a),
            Some(&admin),
            Some(json!({ "role": "viewer" })),
        )
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert!(rec(env).is_empty(), "a lowered role is not a disconnection");
    let t = env
        .request(Method::POST, "/api/docs/mid/token", Some(&ed), None)
        .await;
    assert_eq!(t.body["role"], "viewer");

    // Moving the doc to another city takes the (now viewer) member's access away.
    env.revoker.docs.lock().clear();
    let mv = env
        .request(
            Method::POST,
            "/api/docs/mid/move",
            Some(&admin),
            Some(json!({ "owner": { "kind": "city", "id": w.c } })),
        )
        .await;
    assert_eq!(mv.status, StatusCode::OK, "{mv:?}");
    assert_eq!(rec(env), [("mid".to_owned(), w.editor_a.to_string())]);

    // Archiving makes everyone read-only: sockets stay open and turn read-only in place (live
    // roles), nobody is disconnected.
    env.revoker.docs.lock().clear();
    let ar = env
        .request(Method::POST, "/api/docs/mid/archive", Some(&admin), None)
        .await;
    assert_eq!(ar.status, StatusCode::OK);
    assert!(rec(env).is_empty(), "read-only is not a disconnection");
    env.revoker.docs.lock().clear();
    env.request(Method::POST, "/api/docs/mid/unarchive", Some(&admin), None)
        .await;
    assert!(rec(env).is_empty(), "gaining access back revokes nothing");

    // Disabling the account: sessions end, every socket closes.
    let dis = env
        .request(
            Method::PATCH,
            &format!("/api/admin/people/{}", w.editor_a),
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(dis.status, StatusCode::OK);
    assert!(env.revoker.users.lock().contains(&w.editor_a.to_string()));
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&ed), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.try_login("ed@x.pl", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Logout everywhere.
    env.revoker.users.lock().clear();
    let a2 = env.login("admin@x.pl").await;
    let out = env
        .request(Method::POST, "/api/auth/logout-all", Some(&a2), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(*env.revoker.users.lock(), [w.admin.to_string()]);
    assert_eq!(
        env.request(Method::GET, "/api/auth/me", Some(&admin), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "other sessions end too"
    );
}
on_both_backends!(revocation_test, revocation);

// ---------------------------------------------------------------- audit

async fn audit_trail(env: &Env) {
    let w = world(env).await;
    let admin = env.login("admin@x.pl").await;
    let ed = env.login("ed@x.pl").await;
    create_doc(
        env,
        &ed,
        "plan",
        "Plan",
        "plan_ulepszen",
        json!({ "kind": "network", "id": w.n1 }),
    )
    .await;
    env.request(
        Method::PUT,
        "/api/docs/plan/shares",
        Some(&ed),
        Some(json!({ "grantee": { "kind": "city", "id": w.c }, "role": "viewer" })),
    )
    .await;
    let ex = env
        .request(
            Method::POST,
            "/api/docs/plan/export",
            Some(&ed),
            Some(json!({ "format": "pdf" })),
        )
        .await;
    assert_eq!(ex.status, StatusCode::NO_CONTENT);
    let acts = audit_actions(env, &admin, &format!("?actor={}", w.editor_a)).await;
    assert_eq!(
        acts,
        ["doc.export", "doc.share", "doc.create", "login.ok"],
        "newest first, by actor"
    );
    let rec = env
        .request(
            Method::GET,
            &format!("/api/admin/audit?actor={}&action=doc.share", w.editor_a),
            Some(&admin),
            None,
        )
        .await;
    let r = &rec.body["records"][0];
    assert_eq!(r["target_id"], "plan");
    assert_eq!(r["ip"], "10.0.0.1");
    assert_eq!(r["actor_email"], "ed@x.pl");
    assert_eq!(r["at"], common::START_MS);
    // RODO export of one person.
    let exp = env
        .request(
            Method::GET,
            &format!("/api/admin/audit/people/{}", w.editor_a),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(exp.status, StatusCode::OK);
    assert_eq!(exp.body["person"]["email"], "ed@x.pl");
    assert!(exp.body["records"].as_array().expect("records").len() >= 4);
    // Non-admins cannot read it.
    assert_eq!(
        env.request(Method::GET, "/api/admin/audit", Some(&ed), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Records name their people and what they are about, as they are named now.
    let rename = env
        .request(
            Method::PATCH,
            &format!("/api/admin/people/{}", w.editor_a),
            Some(&admin),
            Some(json!({ "name": "Edyta Redaktorka" })),
        )
        .await;
    assert_eq!(rename.status, StatusCode::OK, "{rename:?}");
    let city = env
        .request(
            Method::PATCH,
            &format!("/api/admin/cities/{}", w.c),
            Some(&admin),
            Some(json!({ "name": "Gdańsk Nowy" })),
        )
        .await;
    assert_eq!(city.status, StatusCode::OK, "{city:?}");
    let out = env
        .request(Method::POST, "/api/auth/logout", Some(&ed), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let all = env
        .request(Method::GET, "/api/admin/audit", Some(&admin), None)
        .await;
    let records = all.body["records"].as_array().expect("records").clone();
    let find = |action: &str| {
        records
            .iter()
            .find(|r| r["action"] == action)
            .unwrap_or_else(|| panic!("{action} in {records:?}"))
            .clone()
    };
    let shared = find("doc.share");
    assert_eq!(shared["actor_name"], "Edyta Redaktorka", "the name now");
    assert_eq!(shared["target_name"], "Plan");
    let person = find("person.update");
    assert_eq!(person["actor_name"], "admin@x.pl");
    assert_eq!(person["target_name"], "Edyta Redaktorka");
    assert_eq!(person["subject_name"], "Edyta Redaktorka");
    let renamed = find("city.rename");
    assert_eq!(renamed["target_id"], w.c.to_string());
    assert_eq!(renamed["target_name"], "Gdańsk Nowy");
    assert_eq!(find("login.ok")["target_name"], "Edyta Redaktorka");
    let logout = find("logout");
    assert_eq!(logout["target_id"], Value::Null);
    assert_eq!(logout["target_name"], Value::Null, "nothing to name");
    // Append-only at the database level.
    let upd = sqlx::query("UPDATE audit_log SET action = 'x'")
        .execute(env.db.pool())
        .await;
    assert!(upd.is_err(), "audit_log must refuse UPDATE");
    let del = sqlx::query("DELETE FROM audit_log")
        .execute(env.db.pool())
        .await;
    assert!(del.is_err(), "audit_log must refuse DELETE");
}
on_both_backends!(audit_trail_test, audit_trail);

// ---------------------------------------------------------------- bad input

async fn bad_input(env: &Env) {
    let w = world(env).await;
    let admin = env.login("admin@x.pl").await;
    let cases: Vec<(Method, &str, Option<Value>, StatusCode)> = vec![
        (
            Method::POST,
            "/api/docs",
            Some(json!({ "title": "", "kind": "mid", "owner": { "kind": "city", "id": w.a } })),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/docs",
            Some(json!({ "title": "x", "kind": "poem", "owner": { "kind": "city", "id": w.a } })),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/docs",
            Some(json!({ "title": "x", "kind": "mid", "owner": { "kind": "city", "id": 99999 } })),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/docs",
            Some(
                json!({ "id": "../etc", "title": "x", "kind": "mid", "owner": { "kind": "city", "id": w.a } }),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/docs",
            Some(
                json!({ "title": "x".repeat(201), "kind": "mid", "owner": { "kind": "city", "id": w.a } }),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/docs",
            Some(
                json!({ "title": "x", "kind": "mid", "owner": { "kind": "city", "id": w.a }, "extra": 1 }),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/admin/people",
            Some(json!({ "email": "not-an-email", "name": "X", "role": "viewer" })),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/admin/people",
            Some(json!({ "email": "a@b.pl", "name": "X", "role": "king" })),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/admin/people",
            Some(json!({ "email": "ed@x.pl", "name": "X", "role": "viewer" })),
            StatusCode::CONFLICT,
        ),
        (
            Method::POST,
            "/api/admin/cities",
            Some(json!({ "name": "Łódź" })),
            StatusCode::CONFLICT,
        ),
        (
            Method::POST,
            "/api/admin/cities",
            Some(json!({ "name": "Nowe", "networks": [424242] })),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PATCH,
            "/api/admin/people/abc",
            Some(json!({ "name": "X" })),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PATCH,
            "/api/admin/people/424242",
            Some(json!({ "name": "X" })),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            "/api/admin/audit?limit=zero",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/no/such/route",
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    for (m, path, body, want) in cases {
        let a = env
            .request(m.clone(), path, Some(&admin), body.clone())
            .await;
        assert_eq!(a.status, want, "{m} {path} {body:?}: {a:?}");
        assert!(
            a.body["error"]["code"].is_string(),
            "{m} {path}: JSON error body, got {a:?}"
        );
    }
    // Nothing half-done: the city with a missing network was not created.
    let cities = env
        .request(Method::GET, "/api/cities", Some(&admin), None)
        .await;
    assert!(!cities.body.to_string().contains("Nowe"));
    // Malformed JSON, wrong content type, oversized body.
    let raw = |body: &'static str, ctype: &'static str| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/docs")
            .header("cookie", format!("narada_session={}", admin.cookie))
            .header("x-csrf-token", admin.csrf.clone())
            .header("content-type", ctype)
            .body(axum::body::Body::from(body))
            .expect("req")
    };
    let a = env.send(raw("{not json", "application/json")).await;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input"))
    );
    let a = env.send(raw("{}", "text/plain")).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = Box::leak(format!("{{\"title\":\"{}\"}}", "x".repeat(64 * 1024)).into_boxed_str());
    let a = env.send(raw(big, "application/json")).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{a:?}");
    // Unauthenticated requests.
    let a = env.request(Method::GET, "/api/docs", None, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let mut forged = admin.clone();
    forged.cookie = "zz".into();
    assert_eq!(
        env.request(Method::GET, "/api/docs", Some(&forged), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
on_both_backends!(bad_input_test, bad_input);
