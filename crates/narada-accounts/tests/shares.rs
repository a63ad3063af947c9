//! Sharing a document by email and the named share list, on SQLite and Postgres: a person is
//! found by their address (trimmed, any case) but only while their account is enabled; an
//! unknown or disabled address gets one identical 404 and writes nothing; the list names every
//! grantee and shows persons' emails only to those who may share; the right to share is the
//! policy's, unchanged (a 403 comes before any lookup, so nobody else can probe addresses).

mod common;

use axum::http::{Method, StatusCode};
use common::{Env, Session, PASSWORD};
use narada_accounts::policy::AccountRole;
use narada_accounts::NewUser;
use serde_json::{json, Value};
use sqlx::Row;

struct World {
    gdansk: i64,
    admin: Session,
    /// Editor of Łódź: manages the Łódź document, so may share it.
    editor: Session,
    /// The World Bank expert the draft is shared with.
    expert: i64,
    /// An editor of Gdańsk: no reach to the Łódź document until it is shared with him.
    other_editor: i64,
    /// A viewer of Łódź: reads the document, may not share it.
    viewer: Session,
}

async fn named_person(
    env: &Env,
    email: &str,
    name: &str,
    role: AccountRole,
    cities: &[i64],
) -> i64 {
    let user = NewUser {
        email,
        name,
        password: PASSWORD,
        role,
        cities,
        networks: &[],
    };
    narada_accounts::create_user(&env.db, &env.state.config, &user)
        .await
        .expect("create user")
        .id
}

async fn world(env: &Env) -> World {
    let n1 = env.network_id("Miasto Zielone").await;
    let n2 = env.network_id("Miasto Cyfrowe").await;
    let lodz = env.city("Łódź", &[n1]).await;
    let gdansk = env.city("Gdańsk", &[n2]).await;
    named_person(env, "admin@x.pl", "Anna Admin", AccountRole::Admin, &[]).await;
    named_person(
        env,
        "ed@x.pl",
        "Edward Łódzki",
        AccountRole::Editor,
        &[lodz],
    )
    .await;
    let expert = named_person(
        env,
        "ewa.ekspert@worldbank.org",
        "Ewa Ekspertka",
        AccountRole::Commenter,
        &[],
    )
    .await;
    let other_editor = named_person(
        env,
        "grzegorz@gdansk.pl",
        "Grzegorz Gdański",
        AccountRole::Editor,
        &[gdansk],
    )
    .await;
    named_person(env, "vw@x.pl", "Wiktor Widz", AccountRole::Viewer, &[lodz]).await;
    named_person(
        env,
        "zofia@worldbank.org",
        "Zofia Wyłączona",
        AccountRole::Commenter,
        &[],
    )
    .await;
    let admin = env.login("admin@x.pl").await;
    let editor = env.login("ed@x.pl").await;
    let viewer = env.login("vw@x.pl").await;
    let zofia = env.login("zofia@worldbank.org").await;
    let dis = env
        .request(
            Method::PATCH,
            &format!("/api/admin/people/{}", zofia.person),
            Some(&admin),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(dis.status, StatusCode::OK, "{dis:?}");
    let doc = env
        .request(
            Method::POST,
            "/api/docs",
            Some(&editor),
            Some(
                json!({ "id": "mid-lodz", "title": "MID Łódź", "kind": "mid",
                         "owner": { "kind": "city", "id": lodz } }),
            ),
        )
        .await;
    assert_eq!(doc.status, StatusCode::CREATED, "{doc:?}");
    World {
        gdansk,
        admin,
        editor,
        expert,
        other_editor,
        viewer,
    }
}

async fn share(env: &Env, s: &Session, grantee: Value, role: &str) -> common::Answer {
    env.request(
        Method::PUT,
        "/api/docs/mid-lodz/shares",
        Some(s),
        Some(json!({ "grantee": grantee, "role": role })),
    )
    .await
}

/// Shares and expects success; the answer's share list.
async fn share_ok(env: &Env, s: &Session, grantee: Value, role: &str) -> Value {
    let a = share(env, s, grantee, role).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    a.body["shares"].clone()
}

async fn list(env: &Env, s: &Session) -> common::Answer {
    env.request(Method::GET, "/api/docs/mid-lodz/shares", Some(s), None)
        .await
}

async fn share_rows(env: &Env) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM doc_shares")
        .fetch_one(env.db.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

async fn share_audits(env: &Env, admin: &Session) -> Vec<Value> {
    let a = env
        .request(
            Method::GET,
            "/api/admin/audit?action=doc.share",
            Some(admin),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    a.body["records"].as_array().expect("records").clone()
}

async fn share_by_email(env: &Env) {
    let w = world(env).await;

    // Any case, surrounding spaces: the expert's account is found.
    let shares = share_ok(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "  Ewa.EKSPERT@WorldBank.org " }),
        "commenter",
    )
    .await;
    assert_eq!(
        shares,
        json!([{
            "grantee": { "kind": "person", "id": w.expert },
            "role": "commenter",
            "name": "Ewa Ekspertka",
            "email": "ewa.ekspert@worldbank.org",
        }])
    );

    // She now gets the share's role on the sync socket.
    let ewa = env.login("ewa.ekspert@worldbank.org").await;
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&ewa), None)
        .await;
    assert_eq!(t.status, StatusCode::OK, "{t:?}");
    assert_eq!(t.body["role"], "commenter");

    // The audit record is the one an id share writes: the resolved person, no email.
    let recs = share_audits(env, &w.admin).await;
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(
        recs[0]["detail"],
        json!({ "grantee": { "kind": "person", "id": w.expert }, "role": "commenter" })
    );
    assert_eq!(recs[0]["subject_id"], w.expert);
    assert_eq!(recs[0]["target_id"], "mid-lodz");

    // Sharing again by email changes the role of the same share (a lower role applies to the
    // open sockets in place: nobody is disconnected).
    let shares = share_ok(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "ewa.ekspert@worldbank.org" }),
        "viewer",
    )
    .await;
    assert_eq!(shares.as_array().map(Vec::len), Some(1));
    assert_eq!(shares[0]["role"], "viewer");
    assert!(env.revoker.docs.lock().is_empty());
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&ewa), None)
        .await;
    assert_eq!(t.body["role"], "viewer");
}
on_both_backends!(share_by_email_test, share_by_email);

async fn unknown_and_disabled_emails(env: &Env) {
    let w = world(env).await;
    let rows = share_rows(env).await;
    let audits = share_audits(env, &w.admin).await.len();

    let unknown = share(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "nikt@worldbank.org" }),
        "commenter",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{unknown:?}");
    assert_eq!(unknown.body["error"]["code"], "not_found");
    assert!(
        unknown.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("email")),
        "{unknown:?}"
    );

    // A disabled account's address: exactly the same answer, in any case.
    for email in ["zofia@worldbank.org", " ZOFIA@worldbank.ORG"] {
        let disabled = share(
            env,
            &w.editor,
            json!({ "kind": "person", "email": email }),
            "commenter",
        )
        .await;
        assert_eq!(disabled.status, unknown.status);
        assert_eq!(disabled.body, unknown.body, "nothing tells the two apart");
    }

    // Malformed requests are input errors.
    for grantee in [
        json!({ "kind": "person", "email": "not an email" }),
        json!({ "kind": "person" }),
        json!({ "kind": "person", "id": w.expert, "email": "ewa.ekspert@worldbank.org" }),
        json!({ "kind": "person", "email": "ewa.ekspert@worldbank.org", "name": "Ewa" }),
        json!({ "kind": "city", "email": "ewa.ekspert@worldbank.org" }),
        json!({ "kind": "network", "id": 1 }),
    ] {
        let a = share(env, &w.editor, grantee.clone(), "commenter").await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{grantee}: {a:?}");
        assert_eq!(a.body["error"]["code"], "invalid_input", "{grantee}");
    }

    // Nothing was written: no share, no audit record, nobody revoked.
    assert_eq!(share_rows(env).await, rows);
    assert_eq!(share_audits(env, &w.admin).await.len(), audits);
    assert!(env.revoker.docs.lock().is_empty());
    let l = list(env, &w.editor).await;
    assert_eq!(l.body["shares"], json!([]));
}
on_both_backends!(
    unknown_and_disabled_emails_test,
    unknown_and_disabled_emails
);

async fn named_share_list(env: &Env) {
    let w = world(env).await;
    // A city by id, a person by id (the administrator) and by email (the editor).
    share_ok(
        env,
        &w.editor,
        json!({ "kind": "city", "id": w.gdansk }),
        "viewer",
    )
    .await;
    share_ok(
        env,
        &w.admin,
        json!({ "kind": "person", "id": w.other_editor }),
        "editor",
    )
    .await;
    let shares = share_ok(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "ewa.ekspert@worldbank.org" }),
        "commenter",
    )
    .await;

    // Cities first, then people by (Polish) name; emails for persons only; nothing else.
    let expected = json!([
        { "grantee": { "kind": "city", "id": w.gdansk }, "role": "viewer", "name": "Gdańsk" },
        { "grantee": { "kind": "person", "id": w.expert }, "role": "commenter",
          "name": "Ewa Ekspertka", "email": "ewa.ekspert@worldbank.org" },
        { "grantee": { "kind": "person", "id": w.other_editor }, "role": "editor",
          "name": "Grzegorz Gdański", "email": "grzegorz@gdansk.pl" },
    ]);
    assert_eq!(shares, expected, "the PUT answer");
    for who in [&w.editor, &w.admin] {
        let l = list(env, who).await;
        assert_eq!(l.status, StatusCode::OK, "{l:?}");
        assert_eq!(l.body["shares"], expected, "GET shares");
        let d = env
            .request(Method::GET, "/api/docs/mid-lodz", Some(who), None)
            .await;
        assert_eq!(d.body["shares"], expected, "GET doc");
    }

    // Unsharing answers with the named list too.
    let un = env
        .request(
            Method::DELETE,
            &format!("/api/docs/mid-lodz/shares/city/{}", w.gdansk),
            Some(&w.editor),
            None,
        )
        .await;
    assert_eq!(un.status, StatusCode::OK, "{un:?}");
    assert_eq!(un.body["shares"], json!([expected[1], expected[2]]));

    // Those who only read the document (the viewer of Łódź) see no shares at all: no list, no
    // names, no emails.
    let l = list(env, &w.viewer).await;
    assert_eq!(l.status, StatusCode::FORBIDDEN, "{l:?}");
    let d = env
        .request(Method::GET, "/api/docs/mid-lodz", Some(&w.viewer), None)
        .await;
    assert_eq!(d.status, StatusCode::OK, "{d:?}");
    assert_eq!(d.body["shares"], Value::Null);
    assert!(!d.body.to_string().contains("worldbank"), "{d:?}");
}
on_both_backends!(named_share_list_test, named_share_list);

async fn share_right_unchanged(env: &Env) {
    let w = world(env).await;
    // Grzegorz edits the Łódź document through a share, but a share never gives the right to
    // share: by email he is refused before any lookup, known address or not.
    share_ok(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "grzegorz@gdansk.pl" }),
        "editor",
    )
    .await;
    let g = env.login("grzegorz@gdansk.pl").await;
    let t = env
        .request(Method::POST, "/api/docs/mid-lodz/token", Some(&g), None)
        .await;
    assert_eq!(t.body["role"], "editor");
    let rows = share_rows(env).await;
    for email in [
        "ewa.ekspert@worldbank.org",
        "nikt@worldbank.org",
        "zofia@worldbank.org",
    ] {
        let a = share(
            env,
            &g,
            json!({ "kind": "person", "email": email }),
            "commenter",
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{email}: {a:?}");
        assert_eq!(a.body["error"]["code"], "forbidden");
    }
    assert_eq!(list(env, &g).await.status, StatusCode::FORBIDDEN);
    // Nor may the viewer of Łódź share.
    let a = share(
        env,
        &w.viewer,
        json!({ "kind": "person", "email": "ewa.ekspert@worldbank.org" }),
        "viewer",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{a:?}");
    assert_eq!(share_rows(env).await, rows);
    // A document that does not exist is 404 before the email matters.
    let a = env
        .request(
            Method::PUT,
            "/api/docs/nope/shares",
            Some(&w.editor),
            Some(
                json!({ "grantee": { "kind": "person", "email": "ewa.ekspert@worldbank.org" },
                         "role": "viewer" }),
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.body["error"]["message"], "document not found");
}
on_both_backends!(share_right_unchanged_test, share_right_unchanged);

async fn sharing_by_id_is_for_admins(env: &Env) {
    let w = world(env).await;
    let rows = share_rows(env).await;
    // The editor may share the document, but naming people by id would let him walk the people
    // directory (every answer names the grantee, with email): refused for any id — an enabled
    // person, a disabled one, one that does not exist — with one answer that names nobody.
    let disabled: i64 = sqlx::query("SELECT id FROM people WHERE email = 'zofia@worldbank.org'")
        .fetch_one(env.db.pool())
        .await
        .expect("zofia")
        .try_get("id")
        .expect("id");
    let mut answers = Vec::new();
    for id in [w.expert, disabled, 999_999] {
        let a = share(
            env,
            &w.editor,
            json!({ "kind": "person", "id": id }),
            "viewer",
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{id}: {a:?}");
        assert_eq!(a.body["error"]["code"], "forbidden");
        for leak in ["Ewa", "ewa.ekspert", "Zofia", "zofia"] {
            assert!(!a.body.to_string().contains(leak), "{id}: {a:?}");
        }
        answers.push(a.body);
    }
    assert!(answers.windows(2).all(|p| p[0] == p[1]), "{answers:?}");
    assert_eq!(share_rows(env).await, rows, "nothing was shared");

    // By email the same editor learns nothing about unknown or disabled people either: one 404.
    let unknown = share(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "nikt@x.pl" }),
        "viewer",
    )
    .await;
    let off = share(
        env,
        &w.editor,
        json!({ "kind": "person", "email": "zofia@worldbank.org" }),
        "viewer",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!((off.status, &off.body), (unknown.status, &unknown.body));

    // The administrator, who has the directory, shares by id.
    let shares = share_ok(
        env,
        &w.admin,
        json!({ "kind": "person", "id": w.expert }),
        "viewer",
    )
    .await;
    assert_eq!(
        shares[0]["grantee"],
        json!({ "kind": "person", "id": w.expert })
    );
}
on_both_backends!(
    sharing_by_id_is_for_admins_test,
    sharing_by_id_is_for_admins
);
