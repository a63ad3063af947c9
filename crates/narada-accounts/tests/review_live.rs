//! Expert review against a real hub with real Yjs clients, on SQLite and Postgres: an expert
//! (commenter) anchors a suggested wording to a passage she sees, while her own text updates on
//! the socket are refused; the city editor accepts it and the server writes it into the text:
//! every connected client then reads the replacement, the log entry is a `suggestion` made on
//! the acceptor's behalf, and both clients were told through the event channel.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::Engine;
use http_body_util::BodyExt;
use narada_accounts::policy::AccountRole;
use narada_accounts::{AccountsConfig, AccountsState, Db, NewUser};
use narada_auth::{AccessRevoker, TokenKey};
use narada_tests::{both_backends, unique_doc, Backend, Client, TestServer, SECRET};
use serde_json::{json, Value};
use sqlx::Row;
use tower::ServiceExt;
use yrs::types::xml::XmlOut;
use yrs::updates::encoder::Encode;
use yrs::{
    Assoc, GetString, IndexedSequence, ReadTxn, Transact, XmlElementPrelim, XmlFragment,
    XmlTextPrelim, XmlTextRef,
};

const PW: &str = "review live password";

async fn call(
    router: &Router,
    method: Method,
    path: &str,
    who: Option<&(String, String)>,
    body: Option<Value>,
) -> (StatusCode, Value, Vec<String>) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some((cookie, csrf)) = who {
        req = req
            .header(header::COOKIE, format!("narada_session={cookie}"))
            .header("x-csrf-token", csrf.clone());
    }
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = router
        .clone()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        cookies,
    )
}

async fn login(router: &Router, email: &str) -> (String, String) {
    let (s, v, cookies) = call(
        router,
        Method::POST,
        "/api/auth/login",
        None,
        Some(json!({ "email": email, "password": PW })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cookie = cookies
        .iter()
        .find_map(|c| c.strip_prefix("narada_session="))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    (cookie, v["csrf_token"].as_str().expect("csrf").to_owned())
}

/// The first paragraph's text of a client's `XmlFragment('default')`, if any.
fn first_text(c: &Client) -> Option<XmlTextRef> {
    let frag = c.doc.get_or_insert_xml_fragment("default");
    let txn = c.doc.transact();
    match frag.get(&txn, 0)? {
        XmlOut::Element(p) => match p.get(&txn, 0)? {
            XmlOut::Text(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn paragraph(c: &Client) -> String {
    first_text(c)
        .map(|t| t.get_string(&c.doc.transact()))
        .unwrap_or_default()
}

both_backends!(
    an_accepted_suggestion_reaches_every_client,
    |backend: Backend| async move {
        let server = TestServer::start(&backend).await;
        let db = Db::connect(&backend.url).await.expect("accounts pool");
        let revoker: Arc<dyn AccessRevoker> = server.state.hub.clone();
        let state = AccountsState::new(
            db.clone(),
            TokenKey::new(SECRET.as_bytes()).expect("key"),
            revoker,
            AccountsConfig::for_tests(),
        )
        .with_live(Arc::new(narada_server::hub::LiveHub(
            server.state.hub.clone(),
        )));
        let router = Router::new().nest("/api", narada_accounts::router(state.clone()));

        let tag = unique_doc("r");
        let city: i64 =
            sqlx::query("INSERT INTO cities (name, created_at) VALUES ($1, 0) RETURNING id")
                .bind(format!("Miasto {tag}"))
                .fetch_one(db.pool())
                .await
                .expect("city")
                .try_get("id")
                .expect("id");
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
        let (ed_email, ex_email) = (format!("ed-{tag}@x.pl"), format!("ex-{tag}@wb.org"));
        let editor_id = mk(ed_email.clone(), AccountRole::Editor, vec![city]).await;
        mk(ex_email.clone(), AccountRole::Commenter, vec![]).await;
        let ed = login(&router, &ed_email).await;
        let ex = login(&router, &ex_email).await;
        let doc = unique_doc("mid");
        let (s, v, _) = call(
            &router,
            Method::POST,
            "/api/docs",
            Some(&ed),
            Some(json!({ "id": doc, "title": "MID", "kind": "mid", "owner": { "kind": "city", "id": city } })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, _, _) = call(
            &router,
            Method::PUT,
            &format!("/api/docs/{doc}/shares"),
            Some(&ed),
            Some(
                json!({ "grantee": { "kind": "person", "email": ex_email }, "role": "commenter" }),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let socket = |who: (String, String)| {
            let (router, server, doc) = (router.clone(), &server, doc.clone());
            async move {
                let (_, t, _) = call(
                    &router,
                    Method::POST,
                    &format!("/api/docs/{doc}/token"),
                    Some(&who),
                    None,
                )
                .await;
                let url = server.sync_url(&doc, t["token"].as_str().expect("token"), false);
                Client::connect(&format!("{url}&events=1")).await
            }
        };

        // The city editor writes a paragraph, as the web editor's binding would.
        let mut editor = socket(ed.clone()).await;
        let update = {
            let frag = editor.doc.get_or_insert_xml_fragment("default");
            let mut txn = editor.doc.transact_mut();
            let before = txn.state_vector();
            let p = frag.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            p.push_back(
                &mut txn,
                XmlTextPrelim::new("Plan zakłada budowę parkingu."),
            );
            txn.encode_state_as_update_v1(&before)
        };
        editor.send_update(&update);
        let mut expert = socket(ex.clone()).await;
        expert
            .wait_for(narada_tests::DEADLINE, |_| {
                paragraph(&expert) == "Plan zakłada budowę parkingu."
            })
            .await
            .expect("the expert sees the text");

        // The expert anchors her suggestion to "parkingu" from her own copy...
        let from = "Plan zakłada budowę ".len() as u32;
        let to = from + "parkingu".len() as u32;
        let b64 = |c: &Client, i: u32| {
            let t = first_text(c).expect("text");
            let txn = c.doc.transact();
            let s = t.sticky_index(&txn, i, Assoc::After).expect("index");
            base64::engine::general_purpose::STANDARD.encode(s.encode_v1())
        };
        let (s, v, _) = call(
            &router,
            Method::POST,
            &format!("/api/docs/{doc}/threads"),
            Some(&ex),
            Some(json!({
                "type": "suggestion", "body": "Zieleń zamiast asfaltu.",
                "anchor": { "start": b64(&expert, from), "end": b64(&expert, to), "quote": "parkingu" },
                "replacement": "parku kieszonkowego"
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let thread = v["id"].as_i64().expect("id");
        // ...while writing it into the text herself is refused.
        let own = {
            let t = first_text(&expert).expect("text");
            let mut txn = expert.doc.transact_mut();
            let before = txn.state_vector();
            yrs::Text::insert(&t, &mut txn, 0, "Przepisane: ");
            txn.encode_state_as_update_v1(&before)
        };
        expert.send_update(&own);
        expert.wait(|s| s.denied >= 1).await;

        // Both hear of the new thread.
        for c in [&editor, &expert] {
            c.wait(|s| {
                s.events
                    .iter()
                    .any(|e| e["type"] == "threads_changed" && e["thread"] == thread)
            })
            .await;
        }
        // A commenter may not accept it; the editor does.
        let accept = format!("/api/docs/{doc}/threads/{thread}/accept");
        let (s, _, _) = call(&router, Method::POST, &accept, Some(&ex), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v, _) = call(&router, Method::POST, &accept, Some(&ed), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "closed");
        assert_eq!(v["resolution"]["outcome"], "accepted");
        let seq = v["resolution"]["seq"].as_i64().expect("seq");

        // Every client reads the replacement (the editor's copy never had the expert's edit).
        editor
            .wait_for(narada_tests::DEADLINE, |_| {
                paragraph(&editor) == "Plan zakłada budowę parku kieszonkowego."
            })
            .await
            .expect("the editor's text has the replacement");
        expert
            .wait_for(narada_tests::DEADLINE, |_| {
                paragraph(&expert).ends_with("budowę parku kieszonkowego.")
            })
            .await
            .expect("the expert's text has the replacement");
        for c in [&editor, &expert] {
            c.wait(|s| s.events.iter().any(|e| e["change"] == "accepted"))
                .await;
        }
        // The log entry is the suggestion, made on the acceptor's behalf; the audit record
        // names the suggestion's author.
        let row =
            sqlx::query("SELECT author_kind, person FROM updates WHERE doc_id = $1 AND seq = $2")
                .bind(doc.clone())
                .bind(seq)
                .fetch_one(db.pool())
                .await
                .expect("log entry");
        assert_eq!(row.get::<String, _>("author_kind"), "suggestion");
        assert_eq!(
            row.get::<Option<String>, _>("person"),
            Some(editor_id.to_string())
        );
        let audit = sqlx::query(
            "SELECT actor_id, subject_id FROM audit_log WHERE action = 'thread.accept' AND target_id = $1",
        )
        .bind(doc.clone())
        .fetch_one(db.pool())
        .await
        .expect("audited");
        assert_eq!(audit.get::<Option<i64>, _>("actor_id"), Some(editor_id));
        assert!(audit.get::<Option<i64>, _>("subject_id").is_some());

        // Accepting again is refused; the text is not changed twice.
        let (s, _, _) = call(&router, Method::POST, &accept, Some(&ed), None).await;
        assert_eq!(s, StatusCode::CONFLICT);

        // A suggestion whose passage was deleted cannot be applied, and stays open.
        let (s, v, _) = call(
            &router,
            Method::POST,
            &format!("/api/docs/{doc}/threads"),
            Some(&ex),
            Some(json!({
                "type": "suggestion", "body": "",
                "anchor": { "start": b64(&editor, 0), "end": b64(&editor, 4), "quote": "Plan" },
                "replacement": "Program"
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let gone = v["id"].as_i64().expect("id");
        let cut = {
            let t = first_text(&editor).expect("text");
            let mut txn = editor.doc.transact_mut();
            let before = txn.state_vector();
            yrs::Text::remove_range(&t, &mut txn, 0, 5);
            txn.encode_state_as_update_v1(&before)
        };
        editor.send_update(&cut);
        expert
            .wait_for(narada_tests::DEADLINE, |_| {
                !paragraph(&expert).contains("Plan")
            })
            .await
            .expect("the deletion reaches the expert");
        let (s, v, _) = call(
            &router,
            Method::POST,
            &format!("/api/docs/{doc}/threads/{gone}/accept"),
            Some(&ed),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        let (_, v, _) = call(
            &router,
            Method::GET,
            &format!("/api/docs/{doc}/threads/{gone}"),
            Some(&ed),
            None,
        )
        .await;
        assert_eq!(v["status"], "open");
        assert_eq!(
            v["anchor"]["quote"], "Plan",
            "the detached thread keeps its quote"
        );

        db.pool().close().await;
        server.stop().await.expect("clean stop");
    }
);
