//! A sign-in's argon2 check must not hold SQLite's write lock: the hub commits every document's
//! updates through that one lock, so a slow password check inside `BEGIN IMMEDIATE` stalls every
//! document's durable acks (the field test: 400 failed sign-ins pushed ack latency from 1 ms to
//! 6 s). SQLite only: Postgres has no database-wide write lock.
//!
//! The proof: while sign-ins with production-strength hashes run (a wrong password, the right
//! one, an unknown address checked against the dummy hash), another connection keeps taking the
//! write lock with a busy timeout far shorter than one password check. It never has to wait that
//! long; with the check inside the write transaction it would time out.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use narada_accounts::policy::AccountRole;
use narada_accounts::AccountsConfig;
use sqlx::{Connection, Executor};

/// Production argon2 cost, made slower if this build checks a password faster than `at_least`
/// (a release build), so that one check clearly outlasts the prober's busy timeout.
async fn slow_config(at_least: Duration) -> (AccountsConfig, Duration) {
    let mut cfg = AccountsConfig::default();
    loop {
        let hash = narada_accounts::auth::hash_password(&cfg, "calibration-password")
            .await
            .expect("hash");
        let start = Instant::now();
        narada_accounts::auth::verify_password(&hash, "wrong-password-123").await;
        let took = start.elapsed();
        if took >= at_least {
            return (cfg, took);
        }
        cfg.argon2_t *= 2;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_checks_run_outside_the_write_lock() {
    const PROBE_TIMEOUT_MS: u64 = 100;
    let (cfg, check) = slow_config(Duration::from_millis(4 * PROBE_TIMEOUT_MS)).await;
    eprintln!("one password check takes {check:?}");
    let env = common::sqlite_with(cfg).await;
    env.person("ed@x.pl", AccountRole::Editor, &[], &[]).await;

    // The prober: another writer on the same file, as the hub's store writer is, that gives up
    // after PROBE_TIMEOUT_MS instead of the accounts pool's 5 s.
    let mut probe = sqlx::AnyConnection::connect(&env.url).await.expect("probe");
    probe
        .execute(format!("PRAGMA busy_timeout = {PROBE_TIMEOUT_MS}").as_str())
        .await
        .expect("busy timeout");

    for (email, password, want) in [
        ("ed@x.pl", "not the password", StatusCode::UNAUTHORIZED),
        ("ed@x.pl", common::PASSWORD, StatusCode::OK),
        ("nobody@x.pl", "not the password", StatusCode::UNAUTHORIZED),
    ] {
        let login = env.try_login(email, password);
        tokio::pin!(login);
        // One write every few milliseconds (pacing only): many chances to meet a held lock.
        let mut pace = tokio::time::interval(Duration::from_millis(5));
        let mut writes = 0u32;
        let mut longest = Duration::ZERO;
        let answer = loop {
            tokio::select! {
                biased;
                a = &mut login => break a,
                r = async {
                    pace.tick().await;
                    let start = Instant::now();
                    let mut tx = probe.begin_with("BEGIN IMMEDIATE").await?;
                    let waited = start.elapsed();
                    sqlx::query(
                        "INSERT INTO settings (key, value) VALUES ('probe', '1') \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(waited)
                } => {
                    let waited = r.unwrap_or_else(|e| {
                        panic!("{email}: a writer could not get the lock within \
                                {PROBE_TIMEOUT_MS} ms while a sign-in ran: {e}")
                    });
                    writes += 1;
                    longest = longest.max(waited);
                }
            }
        };
        assert_eq!(answer.status, want, "{email}: {answer:?}");
        eprintln!("{email}: {writes} writes during the sign-in, longest wait {longest:?}");
        assert!(
            writes >= 3,
            "{email}: the prober wrote only {writes} times during a {check:?} check"
        );
        assert!(
            longest < check / 2,
            "{email}: a writer waited {longest:?} for the lock (one check takes {check:?})"
        );
    }
    probe.close().await.expect("close probe");
    env.cleanup().await;
}
