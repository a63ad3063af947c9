//! Bootstrapping: `create_user` (for `narada admin create-user`) and `seed_demo` (for
//! `narada seed --demo`): the three networks, four cities, one person of every role and
//! documents of every kind, so a fresh installation can be tried at once.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::auth;
use crate::config::{AccountsConfig, Clock, SystemClock};
use crate::db::Db;
use crate::error::{AccountsError, Result};
use crate::model::{self, DocKind, Person};
use crate::policy::{AccountRole, Owner};
use crate::{audit, text};

/// Inserts a person row (no memberships); `password_hash` None means "invited, not active".
pub(crate) async fn insert_person(
    conn: &mut AnyConnection,
    email: &str,
    name: &str,
    role: AccountRole,
    password_hash: Option<String>,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO people (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id",
    )
    .bind(email.to_owned())
    .bind(name.to_owned())
    .bind(role.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| AccountsError::from_insert(e, "a person with this email"))?
    .try_get("id")?)
}

/// An account to create from the shell.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: AccountRole,
    pub cities: &'a [i64],
    pub networks: &'a [i64],
}

/// Creates an active account with a password (the first admin, from the shell). Memberships are
/// given as city and network ids.
pub async fn create_user(db: &Db, cfg: &AccountsConfig, user: &NewUser<'_>) -> Result<Person> {
    let NewUser {
        email,
        name,
        password,
        role,
        cities,
        networks,
    } = *user;
    let email = auth::normalize_email(email)?;
    let name = crate::api::clean_text(name, "name", 120)?;
    let hash = auth::hash_password(cfg, password).await?;
    let now = SystemClock.now_ms();
    let mut tx = db.begin().await?;
    let id = insert_person(&mut tx, &email, &name, role, Some(hash), now).await?;
    for c in cities {
        sqlx::query("INSERT INTO person_cities (person_id, city_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*c)
            .execute(&mut *tx)
            .await
            .map_err(|e| AccountsError::from_insert(e, "city membership"))?;
    }
    for n in networks {
        sqlx::query("INSERT INTO person_networks (person_id, network_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*n)
            .execute(&mut *tx)
            .await
            .map_err(|e| AccountsError::from_insert(e, "network assignment"))?;
    }
    let entry = audit::Entry {
        actor_email: Some("cli"),
        action: "person.create",
        target_kind: Some("person"),
        target_id: Some(id.to_string()),
        subject_id: Some(id),
        detail: serde_json::json!({ "email": email, "role": role, "via": "cli" }),
        ..Default::default()
    };
    audit::record(&mut tx, now, entry).await?;
    let person = model::person(&mut tx, id).await?;
    tx.commit().await?;
    Ok(person)
}

/// A demo account, for the caller to print.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
    pub role: AccountRole,
    pub name: String,
}

/// The password every demo account gets. Demo installations only.
pub const DEMO_PASSWORD: &str = "narada-demo-2023";

async fn id_by_name(conn: &mut AnyConnection, table: &str, name: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT id FROM {table} WHERE name = $1");
    Ok(
        match sqlx::query(&sql)
            .bind(name.to_owned())
            .fetch_optional(&mut *conn)
            .await?
        {
            Some(r) => Some(r.try_get("id")?),
            None => None,
        },
    )
}

async fn ensure_named(conn: &mut AnyConnection, table: &str, name: &str, now: i64) -> Result<i64> {
    if let Some(id) = id_by_name(conn, table, name).await? {
        return Ok(id);
    }
    let sql = format!("INSERT INTO {table} (name, created_at) VALUES ($1, $2) RETURNING id");
    Ok(sqlx::query(&sql)
        .bind(name.to_owned())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?)
}

/// Fills a demo installation. Idempotent: existing networks, cities, people (by email) and
/// documents (by id) are left alone. Returns the demo accounts (all with [`DEMO_PASSWORD`]).
pub async fn seed_demo(db: &Db, cfg: &AccountsConfig) -> Result<Vec<DemoAccount>> {
    let now = SystemClock.now_ms();
    let hash = auth::hash_password(cfg, DEMO_PASSWORD).await?;
    let mut tx = db.begin().await?;

    let zielone = ensure_named(&mut tx, "networks", "Miasto Zielone", now).await?;
    let cyfrowe = ensure_named(&mut tx, "networks", "Miasto Cyfrowe", now).await?;
    let ppp = ensure_named(&mut tx, "networks", "Miasto Inicjatyw PPP", now).await?;

    let cities = [
        ("Kraków", vec![zielone, cyfrowe]),
        ("Gdańsk", vec![cyfrowe]),
        ("Lublin", vec![zielone, ppp]),
        ("Rzeszów", vec![ppp]),
    ];
    let mut city_ids = Vec::new();
    for (name, nets) in &cities {
        let id = ensure_named(&mut tx, "cities", name, now).await?;
        for n in nets {
            sqlx::query("INSERT INTO city_networks (city_id, network_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*n)
                .execute(&mut *tx)
                .await?;
        }
        city_ids.push(id);
    }
    let (krakow, gdansk, lublin, rzeszow) = (city_ids[0], city_ids[1], city_ids[2], city_ids[3]);

    // (email, name, role, cities, networks)
    type DemoPerson = (&'static str, &'static str, AccountRole, Vec<i64>, Vec<i64>);
    let people: [DemoPerson; 7] = [
        (
            "admin@narada.demo",
            "Anna Ministerialna",
            AccountRole::Admin,
            vec![],
            vec![],
        ),
        (
            "moderator@narada.demo",
            "Marek Moderator",
            AccountRole::Moderator,
            vec![],
            vec![zielone, cyfrowe, ppp],
        ),
        (
            "krakow@narada.demo",
            "Katarzyna Krakowska",
            AccountRole::Editor,
            vec![krakow],
            vec![],
        ),
        (
            "gdansk@narada.demo",
            "Grzegorz Gdański",
            AccountRole::Editor,
            vec![gdansk],
            vec![],
        ),
        (
            "lublin@narada.demo",
            "Łucja Lubelska",
            AccountRole::Editor,
            vec![lublin],
            vec![],
        ),
        (
            "ekspert@narada.demo",
            "Ewa Ekspertka",
            AccountRole::Commenter,
            vec![],
            vec![zielone],
        ),
        (
            "obserwator@narada.demo",
            "Olgierd Obserwator",
            AccountRole::Viewer,
            vec![rzeszow],
            vec![],
        ),
    ];
    let mut accounts = Vec::new();
    let mut admin_id = None;
    for (email, name, role, cs, ns) in &people {
        let id = match sqlx::query("SELECT id FROM people WHERE email = $1")
            .bind(email.to_string())
            .fetch_optional(&mut *tx)
            .await?
        {
            Some(r) => r.try_get("id")?,
            None => insert_person(&mut tx, email, name, *role, Some(hash.clone()), now).await?,
        };
        if *role == AccountRole::Admin {
            admin_id = Some(id);
        }
        for c in cs {
            sqlx::query("INSERT INTO person_cities (person_id, city_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*c)
                .execute(&mut *tx)
                .await?;
        }
        for n in ns {
            sqlx::query("INSERT INTO person_networks (person_id, network_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*n)
                .execute(&mut *tx)
                .await?;
        }
        accounts.push(DemoAccount {
            email: email.to_string(),
            password: DEMO_PASSWORD.to_owned(),
            role: *role,
            name: name.to_string(),
        });
    }

    let docs: [(&str, &str, DocKind, Owner); 7] = [
        (
            "mid-krakow",
            "MID Kraków — zielone podwórka",
            DocKind::Mid,
            Owner::City(krakow),
        ),
        (
            "mid-gdansk",
            "MID Gdańsk — e-usługi dla mieszkańców",
            DocKind::Mid,
            Owner::City(gdansk),
        ),
        (
            "mid-lublin",
            "MID Lublin — retencja wód opadowych",
            DocKind::Mid,
            Owner::City(lublin),
        ),
        (
            "plan-zielone",
            "Plan Ulepszeń — Miasto Zielone",
            DocKind::PlanUlepszen,
            Owner::Network(zielone),
        ),
        (
            "plan-cyfrowe",
            "Plan Ulepszeń — Miasto Cyfrowe",
            DocKind::PlanUlepszen,
            Owner::Network(cyfrowe),
        ),
        (
            "notatki-ppp",
            "Notatki z warsztatu — Miasto Inicjatyw PPP",
            DocKind::Notes,
            Owner::Network(ppp),
        ),
        (
            "inne-rzeszow",
            "Ankieta mieszkańców Rzeszowa",
            DocKind::Other,
            Owner::City(rzeszow),
        ),
    ];
    for (id, title, kind, owner) in docs {
        let (okind, oid) = model::owner_parts(owner);
        sqlx::query(
            "INSERT INTO doc_meta (doc_id, owner_kind, owner_id, kind, title, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (doc_id) DO NOTHING",
        )
        .bind(id)
        .bind(okind)
        .bind(oid)
        .bind(kind.as_str())
        .bind(title)
        .bind(admin_id)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let entry = audit::Entry {
        actor_email: Some("cli"),
        action: "seed.demo",
        detail: serde_json::json!({ "people": accounts.len() }),
        ..Default::default()
    };
    audit::record(&mut tx, now, entry).await?;
    tx.commit().await?;
    accounts.sort_by(|a, b| text::polish_cmp(&a.email, &b.email));
    Ok(accounts)
}
