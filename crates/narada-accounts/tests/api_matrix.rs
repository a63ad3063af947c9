//! The permission matrix through HTTP: for every persona × document (city, network, shared) ×
//! action, the API answers 2xx exactly when `policy::can` says yes (the rules themselves are
//! pinned by the hand-written table in `policy_matrix.rs`), the token endpoint hands out exactly
//! `policy::effective_role`, and the list shows exactly the readable documents.

mod common;

use axum::http::{Method, StatusCode};
use common::{Env, Session};
use narada_accounts::model;
use narada_accounts::policy::{self, AccountRole, Action};
use serde_json::{json, Value};

struct Persona {
    name: &'static str,
    id: i64,
    session: Session,
}

async fn matrix(env: &Env) {
    let n1 = env.network_id("Miasto Zielone").await;
    let n2 = env.network_id("Miasto Cyfrowe").await;
    let a = env.city("Kraków", &[n1]).await;
    let b = env.city("Lublin", &[n1]).await;
    let c = env.city("Gdańsk", &[n2]).await;
    let specs: [(&str, AccountRole, Vec<i64>, Vec<i64>); 9] = [
        ("admin", AccountRole::Admin, vec![], vec![]),
        ("moderator_n1", AccountRole::Moderator, vec![], vec![n1]),
        ("editor_a", AccountRole::Editor, vec![a], vec![]),
        ("editor_b", AccountRole::Editor, vec![b], vec![]),
        ("editor_c", AccountRole::Editor, vec![c], vec![]),
        ("commenter_n1", AccountRole::Commenter, vec![], vec![n1]),
        ("commenter_n2", AccountRole::Commenter, vec![], vec![n2]),
        ("viewer_a", AccountRole::Viewer, vec![a], vec![]),
        ("editor_n1", AccountRole::Editor, vec![], vec![n1]),
    ];
    let mut people = Vec::new();
    for (name, role, cities, nets) in &specs {
        let email = format!("{name}@x.pl");
        let id = env.person(&email, *role, cities, nets).await;
        people.push(Persona {
            name,
            id,
            session: env.login(&email).await,
        });
    }
    let admin = people[0].session.clone();
    let by = |n: &str| people.iter().find(|p| p.name == n).expect("persona").id;
    let shares = json!([
        [{ "kind": "person", "id": by("viewer_a") }, "editor"],
        [{ "kind": "person", "id": by("commenter_n1") }, "editor"],
        [{ "kind": "city", "id": b }, "editor"],
        [{ "kind": "person", "id": by("moderator_n1") }, "commenter"],
    ]);
    let owners = [
        ("city", json!({ "kind": "city", "id": a }), json!([])),
        ("network", json!({ "kind": "network", "id": n1 }), json!([])),
        ("shared", json!({ "kind": "city", "id": c }), shares),
    ];

    let mut n = 0;
    let mut make = |owner: &Value, shares: &Value| {
        n += 1;
        let id = format!("m{n}");
        let (owner, shares) = (owner.clone(), shares.clone());
        let admin = admin.clone();
        async move {
            let made = env
                .request(
                    Method::POST,
                    "/api/docs",
                    Some(&admin),
                    Some(json!({ "id": id, "title": id, "kind": "notes", "owner": owner })),
                )
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
            for s in shares.as_array().expect("shares") {
                let r = env
                    .request(
                        Method::PUT,
                        &format!("/api/docs/{id}/shares"),
                        Some(&admin),
                        Some(json!({ "grantee": s[0], "role": s[1] })),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{r:?}");
            }
            id
        }
    };

    let mut failures = Vec::new();
    let mut cells = 0;
    for (dname, owner, shares) in &owners {
        // One document per kind for the read-only checks.
        let doc = make(owner, shares).await;
        let mut conn = env.db.pool().acquire().await.expect("conn");
        let (_, facts) = model::doc_with_facts(&mut conn, &doc).await.expect("facts");
        for p in &people {
            let pf = model::person_facts(&mut conn, p.id)
                .await
                .expect("person facts");
            // Token role == effective role.
            let t = env
                .request(
                    Method::POST,
                    &format!("/api/docs/{doc}/token"),
                    Some(&p.session),
                    None,
                )
                .await;
            match policy::effective_role(&pf, &facts) {
                Some(role) => {
                    if t.status != StatusCode::OK || t.body["role"] != role.as_str() {
                        failures.push(format!(
                            "{} token on {dname}: {t:?}, expected {role}",
                            p.name
                        ));
                    }
                }
                None => {
                    if t.status != StatusCode::FORBIDDEN {
                        failures.push(format!("{} token on {dname}: {t:?}, expected 403", p.name));
                    }
                }
            }
            // Listing shows the document exactly when it is readable.
            let listed = env
                .request(Method::GET, "/api/docs", Some(&p.session), None)
                .await;
            let shown = listed.body["docs"]
                .as_array()
                .expect("docs")
                .iter()
                .any(|d| d["id"] == doc.as_str());
            if shown != policy::can(&pf, Action::Read, &facts) {
                failures.push(format!("{} list on {dname}: shown={shown}", p.name));
            }
        }
        drop(conn);
        // Every action, each on a fresh document so that earlier actions do not interfere.
        for action in Action::ALL {
            for p in &people {
                let doc = make(owner, shares).await;
                let mut conn = env.db.pool().acquire().await.expect("conn");
                let (_, facts) = model::doc_with_facts(&mut conn, &doc).await.expect("facts");
                let pf = model::person_facts(&mut conn, p.id)
                    .await
                    .expect("person facts");
                drop(conn);
                let allowed = policy::can(&pf, action, &facts);
                let s = Some(&p.session);
                let answer = match action {
                    Action::Read => {
                        env.request(Method::GET, &format!("/api/docs/{doc}"), s, None)
                            .await
                    }
                    // Annotate/edit/moderate happen on the socket: the token's role carries them.
                    Action::Annotate | Action::Edit | Action::Moderate => {
                        let t = env
                            .request(Method::POST, &format!("/api/docs/{doc}/token"), s, None)
                            .await;
                        let role = t.body["role"]
                            .as_str()
                            .and_then(|r| r.parse::<narada_auth::Role>().ok());
                        let ok = match action {
                            Action::Annotate => role >= Some(narada_auth::Role::Commenter),
                            Action::Edit => role.is_some_and(|r| r.can_write()),
                            _ => role == Some(narada_auth::Role::Moderator),
                        };
                        common::Answer {
                            status: if ok {
                                StatusCode::OK
                            } else {
                                StatusCode::FORBIDDEN
                            },
                            body: t.body,
                            set_cookies: vec![],
                            retry_after: None,
                        }
                    }
                    Action::Rename => {
                        env.request(
                            Method::PATCH,
                            &format!("/api/docs/{doc}"),
                            s,
                            Some(json!({ "title": "Nowy tytuł" })),
                        )
                        .await
                    }
                    Action::Archive => {
                        env.request(Method::POST, &format!("/api/docs/{doc}/archive"), s, None)
                            .await
                    }
                    Action::Share => {
                        let body = json!({ "grantee": { "kind": "person", "email": "commenter_n2@x.pl" }, "role": "viewer" });
                        env.request(
                            Method::PUT,
                            &format!("/api/docs/{doc}/shares"),
                            s,
                            Some(body),
                        )
                        .await
                    }
                    Action::Delete => {
                        env.request(Method::DELETE, &format!("/api/docs/{doc}"), s, None)
                            .await
                    }
                    Action::Move => {
                        env.request(
                            Method::POST,
                            &format!("/api/docs/{doc}/move"),
                            s,
                            Some(json!({ "owner": owner })),
                        )
                        .await
                    }
                    Action::Restore => {
                        env.request(Method::POST, &format!("/api/docs/{doc}/restore"), s, None)
                            .await
                    }
                    Action::Export => {
                        env.request(
                            Method::POST,
                            &format!("/api/docs/{doc}/export"),
                            s,
                            Some(json!({})),
                        )
                        .await
                    }
                };
                cells += 1;
                let ok = answer.status.is_success();
                if ok != allowed || (!ok && answer.status != StatusCode::FORBIDDEN) {
                    failures.push(format!(
                        "{} {action:?} on {dname}: {answer:?}, policy allows={allowed}",
                        p.name
                    ));
                }
            }
        }
    }
    assert_eq!(cells, 3 * 11 * 9);
    assert!(
        failures.is_empty(),
        "HTTP disagrees with the policy:\n{}",
        failures.join("\n")
    );
}
on_both_backends!(api_permission_matrix, matrix);
