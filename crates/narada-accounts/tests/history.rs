//! Version history through the API with a real hub and real Yjs clients (issue 10): named and
//! automatic versions, who sees what, compare attributed from the authored log, and restore as a
//! forward edit that every connected client converges on — on SQLite and Postgres.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::Router;
use base64::Engine;
use narada_accounts::history::{self, restore::fragment_xml};
use narada_accounts::policy::AccountRole;
use narada_accounts::{AccountsConfig, AccountsState, Db, NewUser};
use narada_auth::{AccessRevoker, TokenKey};
use narada_tests::{both_backends, unique_doc, Backend, Client, TestServer, SECRET};
use serde_json::{json, Value};
use sqlx::Row;
use yrs::types::xml::{XmlElementPrelim, XmlTextPrelim};
use yrs::{GetString, ReadTxn, Text, Transact, WriteTxn, XmlFragment};

mod live_api;
use live_api::{Api, Who, PW};

/// Appends a paragraph (with a bold word, as Tiptap writes marks) to the client's rich text and
/// sends it; returns the update count to wait for the ack.
fn add_paragraph(c: &mut Client, text: &str) -> u64 {
    let update = {
        let mut txn = c.doc.transact_mut();
        let before = txn.state_vector();
        let frag = txn.get_or_insert_xml_fragment("default");
        let len = frag.len(&txn);
        let p = frag.insert(&mut txn, len, XmlElementPrelim::empty("paragraph"));
        let t = p.insert(&mut txn, 0, XmlTextPrelim::new(text));
        let bold = yrs::types::Attrs::from([("bold".into(), yrs::Any::Map(Default::default()))]);
        t.format(&mut txn, 0, 1, bold);
        txn.encode_state_as_update_v1(&before)
    };
    c.send_update(&update)
}

/// Deletes the client's first paragraph and sends it.
fn delete_first(c: &mut Client) -> u64 {
    let update = {
        let mut txn = c.doc.transact_mut();
        let before = txn.state_vector();
        let frag = txn.get_or_insert_xml_fragment("default");
        frag.remove_range(&mut txn, 0, 1);
        txn.encode_state_as_update_v1(&before)
    };
    c.send_update(&update)
}

fn xml(c: &Client) -> String {
    let txn = c.doc.transact();
    txn.get_xml_fragment("default")
        .map(|f| f.get_string(&txn))
        .unwrap_or_default()
}

async fn wait_xml(c: &Client, want: &str) {
    let ok = c
        .wait_for(std::time::Duration::from_secs(10), |_| xml(c) == want)
        .await
        .is_ok();
    assert!(ok, "client has {:?}, expected {want:?}", xml(c));
}

fn state_of(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["state"].as_str().expect("state"))
        .expect("base64")
}

/// The automatic versions a sweep at `now` stored for this test's document (the Postgres
/// database is shared with other tests, whose documents the sweep sees too).
async fn sweep(w: &World, now: i64) -> Result<Vec<history::Version>, ()> {
    let made = history::auto_sweep(&w.db, now).await.expect("sweep");
    Ok(made.into_iter().filter(|v| v.doc_id == w.doc).collect())
}

/// Every server runs the automatic-version sweep over the whole database, so tests that share
/// one Postgres database would make each other's versions: one world at a time.
static ONE_WORLD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct World {
    _one: tokio::sync::MutexGuard<'static, ()>,
    server: TestServer,
    db: Db,
    api: Api,
    state: AccountsState,
    ed: Who,
    ed2: Who,
    viewer: Who,
    ed_id: i64,
    ed2_id: i64,
    doc: String,
}

async fn world(backend: &Backend) -> World {
    let one = ONE_WORLD.lock().await;
    let server = TestServer::start(backend).await;
    let db = Db::connect(&backend.url).await.expect("accounts pool");
    let tokens = TokenKey::new(SECRET.as_bytes()).expect("key");
    let revoker: Arc<dyn AccessRevoker> = server.state.hub.clone();
    let state = AccountsState::new(db.clone(), tokens, revoker, AccountsConfig::for_tests())
        .with_live(Arc::new(narada_server::hub::LiveHub(
            server.state.hub.clone(),
        )));
    let api = Api {
        router: Router::new().nest("/api", narada_accounts::router(state.clone())),
    };
    let tag = unique_doc("h");
    let network: i64 = sqlx::query("SELECT id FROM networks WHERE name = 'Miasto Zielone'")
        .fetch_one(db.pool())
        .await
        .expect("network")
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
    let mk = |email: String, name: &'static str, role: AccountRole| {
        let (db, cfg) = (db.clone(), state.config.clone());
        async move {
            let u = NewUser {
                email: &email,
                name,
                password: PW,
                role,
                cities: &[city],
                networks: &[],
            };
            narada_accounts::create_user(&db, &cfg, &u)
                .await
                .expect("user")
                .id
        }
    };
    let (e1, e2, v) = (
        format!("ed-{tag}@x.pl"),
        format!("ed2-{tag}@x.pl"),
        format!("viewer-{tag}@x.pl"),
    );
    let ed_id = mk(e1.clone(), "Ewa Redaktorka", AccountRole::Editor).await;
    let ed2_id = mk(e2.clone(), "Jan Drugi", AccountRole::Editor).await;
    mk(v.clone(), "Wiktor Czytelnik", AccountRole::Viewer).await;
    let (ed, ed2, viewer) = (
        api.login(&e1).await,
        api.login(&e2).await,
        api.login(&v).await,
    );
    let doc = unique_doc("plan");
    let (s, b) = api
        .call(
            Method::POST,
            "/api/docs",
            Some(&ed),
            Some(json!({ "id": doc, "title": "MID", "kind": "mid", "owner": { "kind": "city", "id": city } })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    World {
        _one: one,
        server,
        db,
        api,
        state,
        ed,
        ed2,
        viewer,
        ed_id,
        ed2_id,
        doc,
    }
}

impl World {
    async fn socket(&self, who: &Who) -> Client {
        let (_, t) = self.api.token(who, &self.doc).await;
        Client::connect(
            &self
                .server
                .sync_url(&self.doc, t["token"].as_str().expect("token"), true),
        )
        .await
    }

    async fn call(
        &self,
        m: Method,
        path: &str,
        who: &Who,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.api
            .call(m, &format!("/api/docs/{}{path}", self.doc), Some(who), body)
            .await
    }

    async fn stop(self) {
        self.db.pool().close().await;
        self.server.stop().await.expect("clean stop");
    }
}

both_backends!(
    restore_converges_every_client_and_is_undone_by_before_restore,
    |backend: Backend| async move {
        let w = world(&backend).await;
        let mut a = w.socket(&w.ed).await;
        let mut b = w.socket(&w.ed2).await;
        let n = add_paragraph(&mut a, "Diagnoza miasta");
        a.wait(|s| s.acked >= n).await;
        let n = add_paragraph(&mut b, "Cele na 2030");
        b.wait(|s| s.acked >= n).await;
        let version_xml = "<paragraph><bold>D</bold>iagnoza miasta</paragraph><paragraph><bold>C</bold>ele na 2030</paragraph>";
        wait_xml(&a, version_xml).await;

        // Named version: 201 with the contract's shape; its authors are both editors.
        let (s, v1) = w
            .call(
                Method::POST,
                "/versions",
                &w.ed,
                Some(json!({ "name": "Po warsztacie 2" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v1}");
        assert_eq!(v1["name"], "Po warsztacie 2");
        assert_eq!(v1["reason"], "named");
        assert_eq!(v1["created_by"]["id"], w.ed_id);
        assert_eq!(v1["created_by"]["name"], "Ewa Redaktorka");
        let mut authors: Vec<&str> = v1["authors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        authors.sort();
        assert_eq!(authors, ["Ewa Redaktorka", "Jan Drugi"]);
        assert!(v1["bytes"].as_i64().unwrap() > 0);
        let vid = v1["id"].as_i64().unwrap();

        // More edits: b deletes the first paragraph, a adds one.
        let n = delete_first(&mut b);
        b.wait(|s| s.acked >= n).await;
        wait_xml(&a, "<paragraph><bold>C</bold>ele na 2030</paragraph>").await;
        let n = add_paragraph(&mut a, "Nowy akapit");
        a.wait(|s| s.acked >= n).await;
        let present_xml = "<paragraph><bold>C</bold>ele na 2030</paragraph><paragraph><bold>N</bold>owy akapit</paragraph>";
        wait_xml(&b, present_xml).await;

        // Compare the version with now: the deletion is Jan's, the insertion Ewa's.
        let (s, cmp) = w
            .call(
                Method::GET,
                &format!("/compare?from={vid}&to=current"),
                &w.ed,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{cmp}");
        let changes = cmp["changes"].as_array().unwrap();
        assert!(
            changes.iter().any(|c| c["kind"] == "delete"
                && c["author"]["id"] == w.ed2_id
                && c["author"]["name"] == "Jan Drugi"),
            "{cmp}"
        );
        assert!(
            changes.iter().any(|c| c["kind"] == "insert"
                && c["author"]["id"] == w.ed_id
                && c["author"]["kind"] == "person"),
            "{cmp}"
        );
        assert!(
            changes
                .iter()
                .all(|c| c["kind"] != "delete" || c["author"]["id"] != w.ed_id),
            "Ewa deleted nothing: {cmp}"
        );

        // Restore while both are connected: both end with exactly the version's content.
        let (s, r) = w
            .call(
                Method::POST,
                &format!("/versions/{vid}/restore"),
                &w.ed,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        wait_xml(&a, version_xml).await;
        wait_xml(&b, version_xml).await;
        // A fresh client loads the same.
        let fresh = w.socket(&w.ed2).await;
        assert_eq!(xml(&fresh), version_xml);
        // The version's own state is what was restored.
        let (s, got) = w
            .call(Method::GET, &format!("/versions/{vid}"), &w.ed, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(fragment_xml(&state_of(&got)), version_xml);

        // The restore is undone by restoring the before-restore version.
        let before = r["before_restore"]["id"].as_i64().unwrap();
        assert_eq!(r["before_restore"]["reason"], "before-restore");
        let (s, _) = w
            .call(
                Method::POST,
                &format!("/versions/{before}/restore"),
                &w.ed2,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        wait_xml(&a, present_xml).await;
        wait_xml(&b, present_xml).await;
        wait_xml(&fresh, present_xml).await;

        // The log records the restores as 'restore' on behalf of who asked.
        let (s, tl) = w
            .call(Method::GET, "/timeline?after=0&limit=1000", &w.ed, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let steps = tl["steps"].as_array().unwrap();
        let restores: Vec<&Value> = steps
            .iter()
            .filter(|s| s["author"]["kind"] == "restore")
            .collect();
        assert_eq!(restores.len(), 2, "{tl}");
        assert_eq!(restores[0]["author"]["id"], w.ed_id);
        assert_eq!(restores[1]["author"]["id"], w.ed2_id);
        assert!(steps
            .windows(2)
            .all(|p| p[0]["seq"].as_i64() < p[1]["seq"].as_i64()));

        // Newest first: before-restore (2nd), before-restore (1st), the named one.
        let (_, list) = w.call(Method::GET, "/versions", &w.ed, None).await;
        let reasons: Vec<&str> = list["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["reason"].as_str().unwrap())
            .collect();
        assert_eq!(reasons, ["before-restore", "before-restore", "named"]);
        a.close();
        b.close();
        w.stop().await;
    }
);

both_backends!(
    a_viewer_sees_named_versions_only_and_cannot_restore,
    |backend: Backend| async move {
        let w = world(&backend).await;
        let mut a = w.socket(&w.ed).await;
        let n = add_paragraph(&mut a, "Tekst");
        a.wait(|s| s.acked >= n).await;
        let (s, named) = w
            .call(
                Method::POST,
                "/versions",
                &w.ed,
                Some(json!({ "name": "Wersja 1" })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let auto = sweep(&w, w.state.now_ms() + history::AUTO_IDLE_MS + 1)
            .await
            .expect("sweep");
        assert!(auto.is_empty(), "nothing new since the named version");
        let n = add_paragraph(&mut a, "Więcej");
        a.wait(|s| s.acked >= n).await;
        let auto = sweep(&w, w.state.now_ms() + history::AUTO_IDLE_MS + 1)
            .await
            .expect("sweep");
        assert_eq!(auto.len(), 1);
        let nid = named["id"].as_i64().unwrap();
        let aid = auto[0].id;

        let (s, list) = w.call(Method::GET, "/versions", &w.viewer, None).await;
        assert_eq!(s, StatusCode::OK);
        let ids: Vec<i64> = list["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [nid], "a viewer sees the named version only");
        let (_, list) = w.call(Method::GET, "/versions", &w.ed2, None).await;
        assert_eq!(
            list["versions"].as_array().unwrap().len(),
            2,
            "an editor sees all"
        );
        assert_eq!(
            w.call(Method::GET, &format!("/versions/{nid}"), &w.viewer, None)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            w.call(Method::GET, &format!("/versions/{aid}"), &w.viewer, None)
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.call(
                Method::POST,
                &format!("/versions/{nid}/restore"),
                &w.viewer,
                None
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.call(Method::GET, "/timeline", &w.viewer, None).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.call(
                Method::GET,
                &format!("/compare?from={nid}&to=current"),
                &w.viewer,
                None
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.call(
                Method::POST,
                "/versions",
                &w.viewer,
                Some(json!({ "name": "x" }))
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        // Nothing changed the document.
        assert_eq!(
            xml(&a),
            "<paragraph><bold>T</bold>ekst</paragraph><paragraph><bold>W</bold>ięcej</paragraph>"
        );
        a.close();
        w.stop().await;
    }
);

both_backends!(
    automatic_versions_after_a_burst_and_every_ten_minutes,
    |backend: Backend| async move {
        let w = world(&backend).await;
        let mut a = w.socket(&w.ed).await;
        let n = add_paragraph(&mut a, "Pierwszy");
        a.wait(|s| s.acked >= n).await;
        let now = w.state.now_ms();
        // Still editing (the last edit is fresh): no version yet.
        assert!(sweep(&w, now).await.unwrap().is_empty());
        // The burst ended: one version, and only one however often the sweep runs.
        let made = sweep(&w, now + history::AUTO_IDLE_MS + 1).await.unwrap();
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].reason, "auto");
        assert_eq!(made[0].authors, [w.ed_id.to_string()]);
        assert!(sweep(&w, now + history::AUTO_IDLE_MS + 2)
            .await
            .unwrap()
            .is_empty());

        // Editing that goes on for ten minutes gets a version though it never pauses: make the
        // first edit after the last version look eleven minutes old.
        let n = add_paragraph(&mut a, "Drugi");
        a.wait(|s| s.acked >= n).await;
        let now = w.state.now_ms();
        assert!(sweep(&w, now).await.unwrap().is_empty());
        sqlx::query(
            "UPDATE updates SET created_at_ms = created_at_ms - $1 WHERE doc_id = $2 AND seq > $3",
        )
        .bind(11 * 60_000i64)
        .bind(&w.doc)
        .bind(made[0].upto_seq)
        .execute(w.db.pool())
        .await
        .unwrap();
        let n = add_paragraph(&mut a, "Trzeci");
        a.wait(|s| s.acked >= n).await;
        let made = sweep(&w, w.state.now_ms()).await.unwrap();
        assert_eq!(made.len(), 1, "ten minutes of editing make a version");
        assert_eq!(fragment_xml(&history::get(&mut w.db.pool().acquire().await.unwrap(), &w.doc, made[0].id).await.unwrap().1),
            "<paragraph><bold>P</bold>ierwszy</paragraph><paragraph><bold>D</bold>rugi</paragraph><paragraph><bold>T</bold>rzeci</paragraph>");
        a.close();
        w.stop().await;
    }
);
