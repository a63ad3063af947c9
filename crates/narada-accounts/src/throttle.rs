//! Slowing password guessing down without locking the owner out, and without telling anyone
//! which addresses have accounts.
//!
//! Failed sign-ins are counted under two keys, each the SHA-256 of the *typed email* (never an
//! account id, so an address without an account is counted exactly like one with an account):
//!
//! * **address + account** — one client address guessing one account. After `backoff_after`
//!   failures each further attempt must wait: 30 s, then twice as long after every further
//!   failure, at most `backoff_max`. The owner at home is unaffected by an attacker elsewhere.
//! * **account** — every address that has never signed in to the account, together (a guesser
//!   spread over many addresses). After the much higher `account_backoff_after` the same delays
//!   apply to all those addresses, but never to the addresses the owner has signed in from in the
//!   last 90 days, so the owner keeps signing in from their usual places.
//!
//! A refused attempt (still waiting) checks no password and counts nothing; it is answered 429
//! `rate_limited` with `Retry-After`, the same for every address. Counts are forgotten a day
//! after their last failure; a success clears the address + account count and remembers the
//! address as one of the owner's. The per-address limit across all accounts (`ip_max_failures`
//! per `ip_window`, in [`crate::auth`]) stays on top.

use sqlx::{AnyConnection, Row};

use crate::auth::sha256_hex;
use crate::config::AccountsConfig;
use crate::error::Result;

/// The first wait once the free attempts are used up; it doubles with each further failure.
pub const FIRST_DELAY_MS: i64 = 30_000;
/// A count whose last failure is older than this starts again from nothing.
pub const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;
/// How long an address the owner signed in from counts as one of theirs.
pub const USUAL_ADDRESS_MS: i64 = 90 * 24 * 3600 * 1000;

/// Which count a refusal came from (for the audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    AddressAccount,
    Account,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AddressAccount => "address_account",
            Reason::Account => "account",
        }
    }
}

/// The wait after `failures` failures when `after` are free: 0, or 30 s doubling up to `max_ms`.
pub fn delay_ms(failures: i64, after: i64, max_ms: i64) -> i64 {
    if failures < after {
        return 0;
    }
    let doublings = (failures - after).min(30) as u32;
    FIRST_DELAY_MS.saturating_mul(1i64 << doublings).min(max_ms)
}

#[derive(Debug, Clone, Copy, Default)]
struct Count {
    failures: i64,
    last_failure: i64,
}

/// One sign-in attempt's standing: its keys and counts, read before the password is checked.
#[derive(Debug, Clone)]
pub struct Standing {
    pair_key: Option<String>,
    account_key: String,
    pair: Count,
    account: Count,
    /// The owner signed in from this address recently: the account-wide count does not apply.
    usual: bool,
}

async fn count(conn: &mut AnyConnection, key: &str, now: i64) -> Result<Count> {
    let row = sqlx::query("SELECT failures, last_failure FROM login_throttle WHERE key_hash = $1")
        .bind(key.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(Count::default());
    };
    let c = Count {
        failures: row.try_get("failures")?,
        last_failure: row.try_get("last_failure")?,
    };
    Ok(if c.last_failure <= now - FORGET_AFTER_MS {
        Count::default()
    } else {
        c
    })
}

/// Reads the counts for `email` typed from `ip` (`person`: the account with that email, if any).
pub async fn read(
    conn: &mut AnyConnection,
    email: &str,
    ip: Option<&str>,
    person: Option<i64>,
    now: i64,
) -> Result<Standing> {
    // Without a known client address every client would share one address + account bucket, and
    // anyone could slow the owner down: only the account-wide count applies then.
    let pair_key = ip.map(|ip| sha256_hex(&format!("address-account\n{ip}\n{email}")));
    let account_key = sha256_hex(&format!("account\n{email}"));
    let pair = match &pair_key {
        Some(k) => count(conn, k, now).await?,
        None => Count::default(),
    };
    let account = count(conn, &account_key, now).await?;
    let usual = match (person, ip) {
        (Some(person), Some(ip)) => sqlx::query(
            "SELECT 1 AS one FROM login_known_addresses \
             WHERE person_id = $1 AND ip = $2 AND last_ok_at > $3",
        )
        .bind(person)
        .bind(ip.to_owned())
        .bind(now - USUAL_ADDRESS_MS)
        .fetch_optional(&mut *conn)
        .await?
        .is_some(),
        _ => false,
    };
    Ok(Standing {
        pair_key,
        account_key,
        pair,
        account,
        usual,
    })
}

impl Standing {
    /// How long this attempt must still wait (ms) and which count says so; `None` to go ahead.
    pub fn wait(&self, cfg: &AccountsConfig, now: i64) -> Option<(i64, Reason)> {
        let pair = self.pair.last_failure
            + delay_ms(self.pair.failures, cfg.backoff_after, cfg.backoff_max_ms)
            - now;
        let account = if self.usual {
            0
        } else {
            self.account.last_failure
                + delay_ms(
                    self.account.failures,
                    cfg.account_backoff_after,
                    cfg.backoff_max_ms,
                )
                - now
        };
        match (pair > 0, account > 0) {
            (false, false) => None,
            _ if pair >= account => Some((pair, Reason::AddressAccount)),
            _ => Some((account, Reason::Account)),
        }
    }

    /// Counts a failed attempt (the account-wide count only from addresses not the owner's).
    pub async fn record_failure(&self, conn: &mut AnyConnection, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE last_failure <= $1")
            .bind(now - FORGET_AFTER_MS)
            .execute(&mut *conn)
            .await?;
        let keys = self
            .pair_key
            .iter()
            .chain((!self.usual).then_some(&self.account_key));
        for key in keys {
            sqlx::query(
                "INSERT INTO login_throttle (key_hash, failures, last_failure) VALUES ($1, 1, $2) \
                 ON CONFLICT (key_hash) DO UPDATE SET failures = login_throttle.failures + 1, \
                 last_failure = excluded.last_failure",
            )
            .bind(key.clone())
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// A success: the address + account count starts again, and the address is the owner's.
    pub async fn record_success(
        &self,
        conn: &mut AnyConnection,
        person: i64,
        ip: Option<&str>,
        now: i64,
    ) -> Result<()> {
        if let Some(key) = &self.pair_key {
            sqlx::query("DELETE FROM login_throttle WHERE key_hash = $1")
                .bind(key.clone())
                .execute(&mut *conn)
                .await?;
        }
        let Some(ip) = ip else { return Ok(()) };
        sqlx::query("DELETE FROM login_known_addresses WHERE person_id = $1 AND last_ok_at <= $2")
            .bind(person)
            .bind(now - USUAL_ADDRESS_MS)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO login_known_addresses (person_id, ip, last_ok_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id, ip) DO UPDATE SET last_ok_at = excluded.last_ok_at",
        )
        .bind(person)
        .bind(ip.to_owned())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_attempts_and_double_up_to_the_cap() {
        let max = 15 * 60_000;
        assert_eq!(delay_ms(0, 5, max), 0);
        assert_eq!(delay_ms(4, 5, max), 0);
        assert_eq!(delay_ms(5, 5, max), 30_000);
        assert_eq!(delay_ms(6, 5, max), 60_000);
        assert_eq!(delay_ms(8, 5, max), 240_000);
        assert_eq!(delay_ms(10, 5, max), max);
        assert_eq!(delay_ms(10_000, 5, max), max, "no overflow");
    }
}
