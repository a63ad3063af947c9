//! A failed sign-in costs the same whether the address has an account or not, on SQLite and
//! Postgres: exactly one argon2 check (against a dummy hash of the same cost where the account is
//! unknown, disabled or has no password yet), and about the same time. A throttled attempt runs
//! none. Its own test binary: the check counter is process-wide, so nothing else may run beside.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use narada_accounts::auth::password_checks;
use narada_accounts::AccountsConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_cost_the_same() {
    // A real (if small) argon2 cost, so that the password check dominates as in production.
    let cfg = AccountsConfig {
        argon2_m_kib: 4096,
        argon2_t: 2,
        ..AccountsConfig::for_tests()
    };
    for env in common::backends_with(cfg).await {
        let emails = common::sign_in_addresses(&env).await;
        // Round robin over the addresses, so that whatever else the machine does weighs on all.
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); emails.len()];
        for n in 0..7u8 {
            for (i, email) in emails.iter().enumerate() {
                // A fresh client address each time, so nothing is throttled.
                let ip = [198, 18, i as u8, n];
                let checks = password_checks();
                let start = Instant::now();
                let a = env.try_login_from(ip, email, "guess-guess-guess").await;
                times[i].push(start.elapsed());
                assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{email}: {a:?}");
                assert_eq!(password_checks() - checks, 1, "{}: {email}", env.name);
            }
        }
        let medians: Vec<Duration> = times
            .iter_mut()
            .map(|t| {
                t.sort();
                t[t.len() / 2]
            })
            .collect();
        eprintln!(
            "{}: median failed sign-in {medians:?} for {emails:?}",
            env.name
        );
        let known = medians[0];
        assert!(known > Duration::from_millis(5), "argon2 ran: {known:?}");
        // Loose: the machine is shared; the count above is the exact check.
        for (email, m) in emails.iter().zip(&medians).skip(1) {
            assert!(
                *m > known / 3 && *m < known * 3,
                "{}: {email} took {m:?}, an existing account {known:?}",
                env.name
            );
        }
        // Once throttled, no address costs a password check.
        for email in emails {
            for _ in 0..6 {
                env.try_login_from([198, 19, 0, 1], email, "guess-guess-guess")
                    .await;
            }
            let checks = password_checks();
            let a = env.try_login_from([198, 19, 0, 1], email, "guess").await;
            assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{email}: {a:?}");
            assert_eq!(password_checks(), checks, "{email}");
        }
        env.cleanup().await;
    }
}
