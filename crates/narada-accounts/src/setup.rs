//! First-run setup: a fresh installation creates its first administrator from the browser,
//! guarded by a one-time code that only whoever reads the server's log knows (the convention of
//! Jupyter's token and Grafana's first sign-in).
//!
//! At start the server asks [`Setup::for_database`]: on a database with no people it generates
//! a code (8 characters of an alphabet without look-alikes, shown `XXXX-XXXX`, 39 bits) and the
//! server prints it with the `/setup` address. `POST /api/setup {code, email, name, password}`
//! then creates the administrator once and signs them in (`crate::api::setup`). The code lives
//! only in this process's memory: a restart before setup prints a new one, and each node of a
//! cluster has its own (set up through one node). The typed code is compared in constant time;
//! after [`MAX_WRONG_CODES`] wrong ones the code is void until the server restarts, so it cannot
//! be guessed (10 tries at 30^8).

use parking_lot::Mutex;
use rand::Rng;
use sqlx::Row;

use crate::auth::constant_time_eq;
use crate::db::Db;
use crate::error::{AccountsError, Result};

/// Wrong codes after which setup refuses until the server restarts (and prints a new code).
pub const MAX_WRONG_CODES: u32 = 10;

/// Code characters: digits and capitals without 0/O, 1/I (and L, U), so it is read back right.
const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 8;

#[derive(Debug)]
enum Phase {
    /// The database had people at start, or setup is finished: nothing to set up.
    Closed,
    /// Waiting for the code.
    Pending { code: String, wrong: u32 },
    /// A request with the right code is creating the administrator.
    Claimed { code: String, wrong: u32 },
    /// Too many wrong codes: refused until a restart.
    Void,
}

/// This process's first-run setup state. Shared by every request (a mutex: held for a compare,
/// never across an await).
#[derive(Debug)]
pub struct Setup {
    phase: Mutex<Phase>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup::closed()
    }
}

/// Upper-case, without spaces and dashes: `abcd efgh`, `ABCD-EFGH` and `abcdefgh` are one code.
fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub(crate) async fn people_count(db: &Db) -> Result<i64> {
    let mut conn = db.pool.acquire().await?;
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM people")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

impl Setup {
    /// No setup: the installation has people already.
    pub fn closed() -> Setup {
        Setup {
            phase: Mutex::new(Phase::Closed),
        }
    }

    /// A code waiting to be used, whatever the database holds (tests).
    pub fn pending_with_code(code: &str) -> Setup {
        Setup {
            phase: Mutex::new(Phase::Pending {
                code: normalize(code),
                wrong: 0,
            }),
        }
    }

    /// Pending with a fresh code when the database has no people; closed otherwise.
    pub async fn for_database(db: &Db) -> Result<Setup> {
        Ok(if people_count(db).await? == 0 {
            Setup::pending_with_code(&new_code())
        } else {
            Setup::closed()
        })
    }

    /// The code to print, `XXXX-XXXX`, while setup waits for it.
    pub fn code(&self) -> Option<String> {
        match &*self.phase.lock() {
            Phase::Pending { code, .. } => Some(format!("{}-{}", &code[..4], &code[4..])),
            _ => None,
        }
    }

    /// Whether setup still waits for its code (it may yet turn out that someone created people
    /// another way, which [`Setup::close`] records).
    pub fn pending(&self) -> bool {
        matches!(*self.phase.lock(), Phase::Pending { .. })
    }

    /// Setup is over (done, or people were created another way).
    pub fn close(&self) {
        *self.phase.lock() = Phase::Closed;
    }

    /// Checks a typed code. The right one claims setup for this request (a second one at the
    /// same time is refused); a wrong one counts towards [`MAX_WRONG_CODES`].
    pub(crate) fn claim(&self, typed: &str) -> Result<Claim<'_>> {
        let mut phase = self.phase.lock();
        match &mut *phase {
            Phase::Closed => Err(AccountsError::NotFound("first-run setup")),
            Phase::Void => Err(AccountsError::SetupLocked),
            Phase::Claimed { .. } => Err(AccountsError::Conflict(
                "first-run setup is being completed by another request".into(),
            )),
            Phase::Pending { code, wrong } => {
                if constant_time_eq(&normalize(typed), code) {
                    let claimed = Phase::Claimed {
                        code: std::mem::take(code),
                        wrong: *wrong,
                    };
                    *phase = claimed;
                    return Ok(Claim { setup: self });
                }
                *wrong += 1;
                if *wrong >= MAX_WRONG_CODES {
                    *phase = Phase::Void;
                    tracing::warn!(
                        "first-run setup: {MAX_WRONG_CODES} wrong codes; setup is refused until \
                         the server restarts (it then prints a new code)"
                    );
                    return Err(AccountsError::SetupLocked);
                }
                Err(AccountsError::SetupCodeWrong)
            }
        }
    }
}

/// Setup claimed by one request. Finishing closes setup; dropping it unfinished (the request
/// failed) puts the code back.
pub(crate) struct Claim<'a> {
    setup: &'a Setup,
}

impl Claim<'_> {
    pub(crate) fn finish(self) {
        self.setup.close();
        // Closed now, so Drop finds nothing to put back.
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut phase = self.setup.phase.lock();
        if let Phase::Claimed { code, wrong } = &mut *phase {
            let restored = Phase::Pending {
                code: std::mem::take(code),
                wrong: *wrong,
            };
            *phase = restored;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_typed_loosely() {
        let c = new_code();
        assert_eq!(c.len(), CODE_LEN);
        assert!(c.bytes().all(|b| ALPHABET.contains(&b)), "{c}");
        let s = Setup::pending_with_code(&c);
        let shown = s.code().expect("pending");
        assert_eq!(shown.len(), 9);
        let typed = format!(" {} ", shown.to_lowercase().replace('-', " - "));
        let claim = s.claim(&typed).expect("right code");
        assert!(!s.pending(), "claimed");
        drop(claim);
        assert!(s.pending(), "an unfinished claim puts the code back");
        s.claim(&c).expect("again").finish();
        assert!(!s.pending());
        assert!(matches!(s.claim(&c), Err(AccountsError::NotFound(_))));
    }

    #[test]
    fn wrong_codes_are_bounded() {
        let s = Setup::pending_with_code("ABCD-EFGH");
        for _ in 1..MAX_WRONG_CODES {
            assert!(matches!(
                s.claim("ABCD-EFGX"),
                Err(AccountsError::SetupCodeWrong)
            ));
        }
        assert!(matches!(s.claim("nope"), Err(AccountsError::SetupLocked)));
        assert!(
            matches!(s.claim("ABCD-EFGH"), Err(AccountsError::SetupLocked)),
            "even the right code, once void"
        );
        assert_eq!(s.code(), None);
    }
}
