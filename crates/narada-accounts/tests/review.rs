//! Expert review through the HTTP API (issue 11), on SQLite and Postgres: who may create,
//! reply, answer, close, reopen, edit, delete, accept and reject, for every persona on a city's
//! document (written out by hand, so a rule change has to change this file too); anchors that do
//! not decode are refused; the author is the session's, whatever the body says; filters; every
//! change is audited and announced as a `threads_changed` event; mentions reach the mentioned
//! person's notifications, only for people who can read the document.
//!
//! Accepting a suggestion against a real hub, with real clients, is in `tests/review_live.rs`.

mod common;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use base64::Engine;
use common::{Env, RecordingLive, Session};
use narada_accounts::policy::{AccountRole, ThreadAction};
use serde_json::{json, Value};
use sqlx::Row;
use yrs::updates::encoder::Encode;
use yrs::{Assoc, ClientID, StickyIndex, ID};

fn b64_position(clock: u32) -> String {
    let index = StickyIndex::from_id(ID::new(ClientID::new(77), clock), Assoc::After);
    base64::engine::general_purpose::STANDARD.encode(index.encode_v1())
}

fn anchor() -> Value {
    json!({ "start": b64_position(3), "end": b64_position(9), "quote": "stanu miasta" })
}

struct World {
    doc: String,
    admin: Session,
    moderator: Session,
    editor: Session,
    editor_other_city: Session,
    expert: Session,
    expert2: Session,
    expert_other_network: Session,
    viewer: Session,
    live: Arc<RecordingLive>,
}

async fn world(env: Env) -> (Env, World) {
    let live = Arc::new(RecordingLive::default());
    let env = env.with_live(live.clone());
    let n1 = env.network_id("Miasto Zielone").await;
    let n2 = env.network_id("Miasto Cyfrowe").await;
    let a = env.city("Gdynia", &[n1]).await;
    let b = env.city("Sopot", &[n1]).await;
    env.person("admin@x.pl", AccountRole::Admin, &[], &[]).await;
    env.person("mod@x.pl", AccountRole::Moderator, &[], &[n1])
        .await;
    env.person("ed@gdynia.pl", AccountRole::Editor, &[a], &[])
        .await;
    env.person("ed@sopot.pl", AccountRole::Editor, &[b], &[])
        .await;
    env.person("expert@wb.org", AccountRole::Commenter, &[], &[n1])
        .await;
    env.person("expert2@wb.org", AccountRole::Commenter, &[], &[n1])
        .await;
    env.person("expert@mf.gov.pl", AccountRole::Commenter, &[], &[n2])
        .await;
    env.person("viewer@gdynia.pl", AccountRole::Viewer, &[a], &[])
        .await;
    let w = World {
        doc: "mid-gdynia".into(),
        admin: env.login("admin@x.pl").await,
        moderator: env.login("mod@x.pl").await,
        editor: env.login("ed@gdynia.pl").await,
        editor_other_city: env.login("ed@sopot.pl").await,
        expert: env.login("expert@wb.org").await,
        expert2: env.login("expert2@wb.org").await,
        expert_other_network: env.login("expert@mf.gov.pl").await,
        viewer: env.login("viewer@gdynia.pl").await,
        live,
    };
    let r = env
        .request(
            Method::POST,
            "/api/docs",
            Some(&w.editor),
            Some(json!({ "id": w.doc, "title": "MID Gdynia", "kind": "mid", "owner": { "kind": "city", "id": a } })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (env, w)
}

impl World {
    fn threads(&self) -> String {
        format!("/api/docs/{}/threads", self.doc)
    }
    fn thread(&self, id: i64) -> String {
        format!("/api/docs/{}/threads/{id}", self.doc)
    }
}

async fn create(env: &Env, w: &World, who: &Session, body: Value) -> common::Answer {
    env.request(Method::POST, &w.threads(), Some(who), Some(body))
        .await
}

fn remark(text: &str) -> Value {
    json!({ "type": "remark", "body": text, "anchor": anchor() })
}

async fn matrix(env: Env) {
    let (env, w) = world(env).await;
    // Create: commenters and above; not a viewer, nobody without access.
    let r = create(&env, &w, &w.expert, remark("Brak danych o transporcie.")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let t1 = r.body["id"].as_i64().expect("id");
    assert_eq!(r.body["author"]["id"], w.expert.person);
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["anchor"]["quote"], "stanu miasta");
    for (who, status) in [
        (&w.viewer, StatusCode::FORBIDDEN),
        (&w.editor_other_city, StatusCode::FORBIDDEN),
        (&w.expert_other_network, StatusCode::FORBIDDEN),
    ] {
        let r = create(&env, &w, who, remark("x")).await;
        assert_eq!(r.status, status, "create as {}: {r:?}", who.person);
    }
    assert_eq!(
        create(&env, &w, &w.editor, remark("Notatka zespołu"))
            .await
            .status,
        StatusCode::CREATED
    );

    // Read: everyone with the document; nobody else (not even knowing the thread's id).
    for who in [&w.viewer, &w.editor, &w.moderator, &w.admin, &w.expert2] {
        let r = env
            .request(Method::GET, &w.threads(), Some(who), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["threads"].as_array().map(Vec::len), Some(2));
    }
    for who in [&w.editor_other_city, &w.expert_other_network] {
        for path in [w.threads(), w.thread(t1)] {
            let r = env.request(Method::GET, &path, Some(who), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {r:?}");
        }
    }

    // The author is the session's: a body naming one is refused, not believed.
    let mut forged = remark("podszyty");
    forged["author"] = json!({ "id": w.editor.person });
    assert_eq!(
        create(&env, &w, &w.expert, forged).await.status,
        StatusCode::BAD_REQUEST
    );

    // Reply: commenters and above.
    let reply = format!("{}/comments", w.thread(t1));
    let r = env
        .request(
            Method::POST,
            &reply,
            Some(&w.editor),
            Some(json!({ "body": "Uzupełnimy." })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let editor_comment = r.body["comment"].as_i64().expect("comment id");
    let r = env
        .request(
            Method::POST,
            &reply,
            Some(&w.expert2),
            Some(json!({ "body": "Popieram." })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let expert2_comment = r.body["comment"].as_i64().expect("comment id");
    let r = env
        .request(
            Method::POST,
            &reply,
            Some(&w.viewer),
            Some(json!({ "body": "?" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Edit and delete one's own reply; not another's (a moderator may delete any).
    let c = |id: i64| format!("{reply}/{id}");
    let edit = |body: &str| Some(json!({ "body": body }));
    assert_eq!(
        env.request(
            Method::PATCH,
            &c(editor_comment),
            Some(&w.expert),
            edit("zmienione")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = env
        .request(
            Method::PATCH,
            &c(editor_comment),
            Some(&w.editor),
            edit("Uzupełnimy do piątku."),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["comments"][0]["body"], "Uzupełnimy do piątku.");
    assert_eq!(
        env.request(Method::DELETE, &c(expert2_comment), Some(&w.editor), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.request(
            Method::DELETE,
            &c(expert2_comment),
            Some(&w.moderator),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        env.request(
            Method::DELETE,
            &c(expert2_comment),
            Some(&w.moderator),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The cycle: editors answer; its author or a moderator closes and reopens.
    let status = |s: &str| Some(json!({ "status": s }));
    let path = w.thread(t1);
    for (who, to, expect) in [
        (&w.expert, "answered", StatusCode::FORBIDDEN),
        (&w.viewer, "answered", StatusCode::FORBIDDEN),
        (&w.editor, "answered", StatusCode::OK),
        (&w.editor, "closed", StatusCode::FORBIDDEN),
        (&w.expert2, "closed", StatusCode::FORBIDDEN),
        (&w.expert, "closed", StatusCode::OK),
        (&w.editor, "open", StatusCode::FORBIDDEN),
        (&w.moderator, "open", StatusCode::OK),
        (&w.moderator, "closed", StatusCode::OK),
        (&w.expert, "open", StatusCode::OK),
    ] {
        let r = env
            .request(Method::PATCH, &path, Some(who), status(to))
            .await;
        assert_eq!(r.status, expect, "{} -> {to}: {r:?}", who.person);
        if expect == StatusCode::OK {
            assert_eq!(r.body["status"], to);
        }
    }
    // Editing the thread's own text: its author only.
    assert_eq!(
        env.request(
            Method::PATCH,
            &path,
            Some(&w.editor),
            Some(json!({ "body": "x" }))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = env
        .request(
            Method::PATCH,
            &path,
            Some(&w.expert),
            Some(json!({ "body": "Brak danych o komunikacji." })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["body"], "Brak danych o komunikacji.");
    let can: Vec<String> = serde_json::from_value(r.body["can"].clone()).expect("can");
    assert!(can.contains(&"close".to_owned()) && !can.contains(&"answer".to_owned()));

    // Suggestions: editors and moderators decide; a rejection needs its reason.
    let sug = json!({ "type": "suggestion", "body": "", "anchor": anchor(), "replacement": "stanu gminy" });
    let r = create(&env, &w, &w.expert, sug).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let t2 = r.body["id"].as_i64().expect("id");
    let reject = format!("{}/reject", w.thread(t2));
    let reason = |s: &str| Some(json!({ "reason": s }));
    assert_eq!(
        env.request(Method::POST, &reject, Some(&w.expert), reason("nie"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.request(
            Method::POST,
            &format!("{}/accept", w.thread(t2)),
            Some(&w.viewer),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.request(Method::POST, &reject, Some(&w.editor), reason("  "))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let r = env
        .request(
            Method::POST,
            &reject,
            Some(&w.editor),
            reason("Zostawiamy obecne brzmienie."),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["resolution"]["outcome"], "rejected");
    assert_eq!(r.body["resolution"]["by"]["id"], w.editor.person);
    assert_eq!(
        env.request(Method::POST, &reject, Some(&w.moderator), reason("again"))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        env.request(
            Method::PATCH,
            &w.thread(t2),
            Some(&w.expert),
            status("open")
        )
        .await
        .status,
        StatusCode::CONFLICT,
        "a decided suggestion is not reopened"
    );
    // Accepting when the hub cannot make the edit gives the thread back, open.
    let r = create(
        &env,
        &w,
        &w.expert,
        json!({ "type": "suggestion", "body": "krócej", "anchor": anchor(), "replacement": "x" }),
    )
    .await;
    let t3 = r.body["id"].as_i64().expect("id");
    let r = env
        .request(
            Method::POST,
            &format!("{}/accept", w.thread(t3)),
            Some(&w.editor),
            None,
        )
        .await;
    assert!(r.status.is_server_error(), "{r:?}");
    let r = env
        .request(Method::GET, &w.thread(t3), Some(&w.editor), None)
        .await;
    assert_eq!(r.body["status"], "open");
    assert!(r.body["resolution"].is_null());
    // Only a suggestion is decided.
    assert_eq!(
        env.request(
            Method::POST,
            &format!("{}/reject", w.thread(t1)),
            Some(&w.editor),
            reason("x")
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    // Filters.
    let list = |q: &str| format!("{}?{q}", w.threads());
    let count = |r: &common::Answer| r.body["threads"].as_array().map_or(0, Vec::len);
    let r = env
        .request(Method::GET, &list("type=suggestion"), Some(&w.viewer), None)
        .await;
    assert_eq!(count(&r), 2);
    let r = env
        .request(Method::GET, &list("status=closed"), Some(&w.viewer), None)
        .await;
    assert_eq!(count(&r), 1);
    let q = format!("author={}&status=open&type=remark", w.expert.person);
    let r = env
        .request(Method::GET, &list(&q), Some(&w.viewer), None)
        .await;
    assert_eq!(count(&r), 1);
    assert_eq!(r.body["threads"][0]["id"], t1);
    let r = env
        .request(Method::GET, &list("status=done"), Some(&w.viewer), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Archived: everyone reads, nobody writes.
    let r = env
        .request(
            Method::POST,
            &format!("/api/docs/{}/archive", w.doc),
            Some(&w.editor),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        create(&env, &w, &w.expert, remark("x")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.request(
            Method::POST,
            &reply,
            Some(&w.moderator),
            Some(json!({ "body": "x" }))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.request(Method::GET, &w.threads(), Some(&w.viewer), None)
            .await
            .status,
        StatusCode::OK
    );

    // Every change was announced to the document, naming its thread.
    let events = w.live.events.lock().clone();
    assert!(events
        .iter()
        .all(|(doc, e)| doc == &w.doc && e["type"] == "threads_changed"));
    let changes = |t: i64| -> Vec<String> {
        events
            .iter()
            .filter(|(_, e)| e["thread"] == t)
            .map(|(_, e)| e["change"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        changes(t1),
        [
            "created",
            "commented",
            "commented",
            "comment_edited",
            "comment_deleted",
            "status",
            "status",
            "status",
            "status",
            "status",
            "edited"
        ]
    );
    assert_eq!(changes(t2), ["created", "rejected"]);
    assert_eq!(
        changes(t3),
        ["created"],
        "a failed accept announces nothing"
    );

    // And audited, with the suggestion's author as the subject of the decision.
    let rows = sqlx::query(
        "SELECT action, actor_id, subject_id FROM audit_log WHERE action LIKE 'thread.%' \
         OR action LIKE 'comment.%' ORDER BY id",
    )
    .fetch_all(env.db.pool())
    .await
    .expect("audit");
    let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
    assert_eq!(actions.iter().filter(|a| *a == "thread.create").count(), 4);
    assert_eq!(actions.iter().filter(|a| *a == "thread.status").count(), 5);
    for a in [
        "thread.comment",
        "comment.edit",
        "comment.delete",
        "thread.edit",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
    let rejected = rows
        .iter()
        .find(|r| r.get::<String, _>("action") == "thread.reject")
        .expect("reject audited");
    assert_eq!(
        rejected.get::<Option<i64>, _>("subject_id"),
        Some(w.expert.person)
    );
    env.cleanup().await;
}

async fn bad_anchors(env: Env) {
    let (env, w) = world(env).await;
    for bad in [
        json!({ "start": "", "end": b64_position(1), "quote": "a" }),
        json!({ "start": "!!!", "end": b64_position(1), "quote": "a" }),
        json!({ "start": b64_position(1), "end": "AAAA", "quote": "a" }),
        json!({ "start": b64_position(1), "end": b64_position(2), "quote": "" }),
        json!({ "start": b64_position(1), "end": b64_position(2) }),
    ] {
        let r = create(
            &env,
            &w,
            &w.expert,
            json!({ "type": "remark", "body": "x", "anchor": bad }),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {r:?}");
    }
    for body in [
        json!({ "type": "suggestion", "body": "x", "anchor": anchor() }),
        json!({ "type": "remark", "body": "x", "anchor": anchor(), "replacement": "y" }),
        json!({ "type": "praise", "body": "x", "anchor": anchor() }),
        json!({ "type": "remark", "body": " ", "anchor": anchor() }),
        json!({ "type": "remark", "body": "a\u{0007}b", "anchor": anchor() }),
    ] {
        let r = create(&env, &w, &w.expert, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {r:?}");
    }
    // Line breaks are welcome in a body.
    let r = create(&env, &w, &w.expert, remark("Pierwsze.\nDrugie.")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    assert!(w.live.events.lock().len() == 1);
    env.cleanup().await;
}

async fn mentions(env: Env) {
    let (env, w) = world(env).await;
    // Mentioning someone who cannot read the document is refused (one answer for no account).
    for id in [w.editor_other_city.person, 9999] {
        let mut body = remark("@Ktoś");
        body["mentions"] = json!([id]);
        let r = create(&env, &w, &w.expert, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    }
    let mut body = remark("@Ewa proszę o dane");
    body["mentions"] = json!([w.editor.person, w.viewer.person, w.expert.person]);
    let r = create(&env, &w, &w.expert, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let t = r.body["id"].as_i64().expect("id");
    let r = env
        .request(
            Method::POST,
            &format!("{}/comments", w.thread(t)),
            Some(&w.editor),
            Some(json!({ "body": "@Anna już są", "mentions": [w.expert.person] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

    let notes = |who: &Session| {
        let who = who.clone();
        let env = &env;
        async move {
            env.request(Method::GET, "/api/notifications", Some(&who), None)
                .await
        }
    };
    let r = notes(&w.editor).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["unread"], 1);
    let n = &r.body["notifications"][0];
    assert_eq!(n["thread"], t);
    assert_eq!(n["doc"], w.doc.as_str());
    assert_eq!(n["doc_title"], "MID Gdynia");
    assert_eq!(n["actor"]["id"], w.expert.person);
    assert_eq!(n["link"], format!("/d/{}#thread-{t}", w.doc));
    assert_eq!(notes(&w.viewer).await.body["unread"], 1);
    // One's own mention of oneself notifies nobody; the reply's mention reached the expert.
    let r = notes(&w.expert).await;
    assert_eq!(r.body["unread"], 1);
    assert!(r.body["notifications"][0]["comment"].is_i64());
    assert_eq!(notes(&w.moderator).await.body["unread"], 0);

    // Marking read: the listed ones only touch one's own.
    let id = r.body["notifications"][0]["id"].as_i64().expect("id");
    let r = env
        .request(
            Method::POST,
            "/api/notifications/read",
            Some(&w.editor),
            Some(json!({ "ids": [id] })),
        )
        .await;
    assert_eq!(r.body["marked"], 0, "another person's notification");
    let r = env
        .request(
            Method::POST,
            "/api/notifications/read",
            Some(&w.expert),
            Some(json!({ "ids": [id] })),
        )
        .await;
    assert_eq!(r.body["marked"], 1);
    assert_eq!(notes(&w.expert).await.body["unread"], 0);
    let r = env
        .request(
            Method::POST,
            "/api/notifications/read",
            Some(&w.editor),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.body["marked"], 1);
    assert_eq!(notes(&w.editor).await.body["unread"], 0);

    // The picker lists who can read it, to those who may comment.
    let people = format!("/api/docs/{}/people", w.doc);
    let r = env
        .request(Method::GET, &people, Some(&w.expert), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let ids: Vec<i64> = r.body["people"]
        .as_array()
        .expect("people")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    for p in [
        &w.editor,
        &w.viewer,
        &w.expert,
        &w.expert2,
        &w.moderator,
        &w.admin,
    ] {
        assert!(ids.contains(&p.person), "{} listed", p.person);
    }
    for p in [&w.editor_other_city, &w.expert_other_network] {
        assert!(!ids.contains(&p.person), "{} not listed", p.person);
    }
    assert_eq!(
        env.request(Method::GET, &people, Some(&w.viewer), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    env.cleanup().await;
}

#[test]
fn the_thread_rules_by_role() {
    use narada_accounts::policy::{can_thread, DocFacts, Owner, PersonFacts};
    use std::collections::BTreeSet;
    let doc = DocFacts {
        owner: Owner::City(10),
        owner_city_networks: BTreeSet::from([1]),
        archived: false,
        deleted: false,
        shares: vec![],
    };
    let person = |role, cities: &[i64], assigned: &[i64]| PersonFacts {
        id: 1,
        role,
        disabled: false,
        cities: cities.iter().copied().collect(),
        assigned_networks: assigned.iter().copied().collect(),
        city_networks: BTreeSet::new(),
    };
    use ThreadAction::*;
    // (persona, own?, actions allowed) — every other action is refused.
    let table: [(&str, PersonFacts, bool, &[ThreadAction]); 8] = [
        (
            "moderator",
            person(AccountRole::Moderator, &[], &[1]),
            false,
            &[Read, Create, Reply, Answer, Close, Decide, Moderate],
        ),
        (
            "editor",
            person(AccountRole::Editor, &[10], &[]),
            false,
            &[Read, Create, Reply, Answer, Decide],
        ),
        (
            "editor, own",
            person(AccountRole::Editor, &[10], &[]),
            true,
            &[Read, Create, Reply, EditOwn, Answer, Close, Decide],
        ),
        (
            "commenter",
            person(AccountRole::Commenter, &[], &[1]),
            false,
            &[Read, Create, Reply],
        ),
        (
            "commenter, own",
            person(AccountRole::Commenter, &[], &[1]),
            true,
            &[Read, Create, Reply, EditOwn, Close],
        ),
        (
            "viewer, own",
            person(AccountRole::Viewer, &[10], &[]),
            true,
            &[Read],
        ),
        (
            "editor of another city",
            person(AccountRole::Editor, &[11], &[]),
            true,
            &[],
        ),
        (
            "commenter elsewhere",
            person(AccountRole::Commenter, &[], &[2]),
            true,
            &[],
        ),
    ];
    for (name, p, own, allowed) in table {
        for a in ThreadAction::ALL {
            assert_eq!(
                can_thread(&p, &doc, a, own),
                allowed.contains(&a),
                "{name}: {a:?}"
            );
        }
    }
    // Archived: read only, for everyone.
    let archived = DocFacts {
        archived: true,
        ..doc
    };
    let m = person(AccountRole::Moderator, &[], &[1]);
    for a in ThreadAction::ALL {
        assert_eq!(
            can_thread(&m, &archived, a, true),
            a == Read,
            "archived: {a:?}"
        );
    }
}

macro_rules! on_both {
    ($name:ident, $f:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for env in common::backends().await {
                eprintln!("{}: backend {}", stringify!($name), env.name);
                $f(env).await;
            }
        }
    };
}

on_both!(who_may_do_what_with_threads, matrix);
on_both!(malformed_threads_are_refused, bad_anchors);
on_both!(mentions_reach_the_notification_list, mentions);
