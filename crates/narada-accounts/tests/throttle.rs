//! Sign-in throttling on SQLite and Postgres (`src/throttle.rs`): unknown and known addresses get
//! the same statuses, bodies and waits (that they cost the same: `tests/signin_cost.rs`); repeated failures from one address slow
//! that address down (30 s, doubling) without locking the owner out elsewhere; many addresses
//! together slow every new address down, never the owner's usual one; counts are forgotten.

mod common;

use axum::http::StatusCode;
use common::{Env, PASSWORD};
use narada_accounts::policy::AccountRole;
use narada_accounts::AccountsConfig;
use serde_json::Value;

const ATTACKER: [u8; 4] = [203, 0, 113, 7];
const HOME: [u8; 4] = [192, 0, 2, 10];

/// What a client can observe of an answer besides its timing.
fn seen(a: &common::Answer) -> (StatusCode, Value, Option<u64>) {
    (a.status, a.body.clone(), a.retry_after)
}

async fn answered_alike(env: &Env) {
    let emails = common::sign_in_addresses(env).await;
    // The same attack on each address from its own client address: the answers must not differ
    // (each count is its own, so the clock moving on between them changes nothing).
    let mut runs = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let ip = [198, 51, 100, i as u8 + 1];
        let mut run = Vec::new();
        for _ in 0..7 {
            run.push(seen(
                &env.try_login_from(ip, email, "guess-guess-guess").await,
            ));
        }
        // Waiting out the first delay gives one more guess, then a longer wait.
        env.clock.advance_ms(30_000);
        run.push(seen(
            &env.try_login_from(ip, email, "guess-guess-guess").await,
        ));
        run.push(seen(
            &env.try_login_from(ip, email, "guess-guess-guess").await,
        ));
        runs.push(run);
    }
    let known = &runs[0];
    let statuses: Vec<u16> = known.iter().map(|(s, _, _)| s.as_u16()).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 401, 429]);
    assert_eq!(known[4].1["error"]["code"], "invalid_credentials");
    assert_eq!(known[5].1["error"]["code"], "rate_limited");
    assert_eq!(known[5].2, Some(30), "Retry-After after the free attempts");
    assert_eq!(known[8].2, Some(60), "twice as long after one more failure");
    for (email, run) in emails.iter().zip(&runs).skip(1) {
        assert_eq!(
            run, known,
            "{email} is answered exactly like an existing account"
        );
    }
}
on_both_backends!(answered_alike_test, answered_alike);

async fn the_owner_is_not_locked_out(env: &Env) {
    env.person("ed@x.pl", AccountRole::Editor, &[], &[]).await;
    // An attacker uses up the free attempts: from there, the right password waits too...
    for _ in 0..5 {
        let a = env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let a = env.try_login_from(ATTACKER, "ed@x.pl", PASSWORD).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{a:?}");
    // ...but the owner, at another address, signs in at once (the old lockout refused her).
    let a = env.try_login_from(HOME, "ed@x.pl", PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    // Each further failure doubles the attacker's wait; attempts while waiting count nothing.
    for want in [60, 120, 240] {
        let a = env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
        env.clock
            .advance_ms(a.retry_after.expect("Retry-After") as i64 * 1000);
        let a = env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        let a = env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
        assert_eq!(a.retry_after, Some(want), "{a:?}");
    }
    // The owner is still never slowed down at home.
    let a = env.try_login_from(HOME, "ed@x.pl", PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    // The wait never exceeds backoff_max, and a day later the count is forgotten.
    for _ in 0..10 {
        let a = env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
        let wait = a.retry_after.unwrap_or(0);
        assert!(wait <= 15 * 60, "{a:?}");
        env.clock.advance_ms(wait as i64 * 1000);
        env.try_login_from(ATTACKER, "ed@x.pl", "guess-guess").await;
    }
    env.clock.advance_ms(24 * 3600 * 1000);
    let a = env.try_login_from(ATTACKER, "ed@x.pl", PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "forgotten a day later: {a:?}");
}
on_both_backends!(
    the_owner_is_not_locked_out_test,
    the_owner_is_not_locked_out
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_addresses_slow_new_addresses_but_not_the_owners() {
    let cfg = AccountsConfig {
        account_backoff_after: 10,
        ..AccountsConfig::for_tests()
    };
    for env in common::backends_with(cfg).await {
        env.person("ed@x.pl", AccountRole::Editor, &[], &[]).await;
        // The owner signed in from home before: that address is hers.
        let a = env.try_login_from(HOME, "ed@x.pl", PASSWORD).await;
        assert_eq!(a.status, StatusCode::OK, "{a:?}");
        // A guesser spread over ten addresses, one guess each, for her and for an unknown address.
        for email in ["ed@x.pl", "nikt@x.pl"] {
            for n in 0..10u8 {
                let a = env
                    .try_login_from([100, 64, 0, n], email, "guess-guess")
                    .await;
                assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{email}: {a:?}");
            }
        }
        // Now every address that never signed in to the account waits, with either email...
        let mine = env
            .try_login_from([100, 64, 1, 1], "ed@x.pl", PASSWORD)
            .await;
        let nobody = env
            .try_login_from([100, 64, 1, 1], "nikt@x.pl", "guess-guess")
            .await;
        assert_eq!(
            mine.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: {mine:?}",
            env.name
        );
        assert_eq!(seen(&mine), seen(&nobody), "{}", env.name);
        // ...but not her usual address.
        let a = env.try_login_from(HOME, "ed@x.pl", PASSWORD).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {a:?}", env.name);
        // Her own mistakes at home do not add to the account-wide count either.
        env.try_login_from(HOME, "ed@x.pl", "typo-typo-typo").await;
        env.clock.advance_ms(30_000);
        let a = env
            .try_login_from([100, 64, 2, 2], "ed@x.pl", PASSWORD)
            .await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "{}: the wait ran out: {a:?}",
            env.name
        );
        env.cleanup().await;
    }
}
