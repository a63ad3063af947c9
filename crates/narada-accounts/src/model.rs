//! The records this crate keeps (people, cities, networks, document metadata, shares) and the
//! SQL that reads them, plus loading the [`crate::policy`] facts from them.
//!
//! Functions take a `&mut AnyConnection` so that a handler can run several of them in one
//! transaction. Writes live next to the handlers that make them (`crate::api::*`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use narada_auth::Role;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

use crate::error::{AccountsError, Result};
use crate::policy::{AccountRole, DocFacts, Grantee, Owner, PersonFacts};

/// What a document is for: `mid` (Miejska Inicjatywa Działań, a city's action plan),
/// `plan_ulepszen` (Plan Ulepszeń, a network's improvement plan), `notes` (working notes) or
/// `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Miejska Inicjatywa Działań: a city's action plan.
    Mid,
    /// Plan Ulepszeń: a network's improvement plan.
    PlanUlepszen,
    /// Working notes.
    Notes,
    Other,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [
        DocKind::Mid,
        DocKind::PlanUlepszen,
        DocKind::Notes,
        DocKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Mid => "mid",
            DocKind::PlanUlepszen => "plan_ulepszen",
            DocKind::Notes => "notes",
            DocKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A network of cities (sieć), e.g. Miasto Zielone.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct Network {
    pub id: i64,
    pub name: String,
}

/// A city (miasto) and the networks it belongs to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct City {
    pub id: i64,
    pub name: String,
    /// Ids of the networks the city is in.
    pub networks: Vec<i64>,
}

/// A person's account.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: AccountRole,
    /// The account is switched off: no sign-in, no access anywhere.
    pub disabled: bool,
    /// Whether the person has set a password (accepted their invitation).
    pub active: bool,
    /// Ids of the cities the person belongs to.
    pub cities: Vec<i64>,
    /// Ids of the networks the person is assigned to (experts, moderators); not those of
    /// their cities.
    pub networks: Vec<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A document's metadata (its content lives in the sync hub). Times are Unix milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct DocMeta {
    /// The document id, also the sync socket's room: 1-128 of `A-Z a-z 0-9 . _ -`.
    pub id: String,
    pub owner: Owner,
    pub kind: DocKind,
    pub title: String,
    /// Set while archived (read-only for everyone).
    #[schema(required = true)]
    pub archived_at: Option<i64>,
    /// Set while deleted (soft; only admins see it and can restore it).
    #[schema(required = true)]
    pub deleted_at: Option<i64>,
    /// The person who created it (null for documents made by the system).
    #[schema(required = true)]
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Share {
    pub grantee: Grantee,
    pub role: Role,
}

/// A share as the API lists it: the grantee with a name people recognise, and the role.
/// Lists put cities first, then people, each by name in Polish order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct ListedShare {
    pub grantee: Grantee,
    pub role: Role,
    /// The person's or the city's name.
    pub name: String,
    /// A person's email. Loaded for every person share; the API drops it for callers who may
    /// not share the document, and it is never sent for cities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

pub(crate) fn owner_from(kind: &str, id: i64) -> Result<Owner> {
    match kind {
        "city" => Ok(Owner::City(id)),
        "network" => Ok(Owner::Network(id)),
        _ => Err(AccountsError::Internal(format!(
            "bad owner kind {kind:?} in database"
        ))),
    }
}

pub(crate) fn owner_parts(owner: Owner) -> (&'static str, i64) {
    match owner {
        Owner::City(id) => ("city", id),
        Owner::Network(id) => ("network", id),
    }
}

pub(crate) fn grantee_parts(g: Grantee) -> (&'static str, i64) {
    match g {
        Grantee::Person(id) => ("person", id),
        Grantee::City(id) => ("city", id),
    }
}

fn role_from_db(s: &str) -> Result<Role> {
    s.parse()
        .map_err(|_| AccountsError::Internal(format!("bad role {s:?} in database")))
}

fn account_role_from_db(s: &str) -> Result<AccountRole> {
    AccountRole::parse(s).ok_or_else(|| AccountsError::Internal(format!("bad account role {s:?}")))
}

const DOC_COLUMNS: &str =
    "doc_id, owner_kind, owner_id, kind, title, archived_at, deleted_at, created_by, created_at, updated_at";

fn doc_from_row(row: &AnyRow) -> Result<DocMeta> {
    let kind: String = row.try_get("kind")?;
    Ok(DocMeta {
        id: row.try_get("doc_id")?,
        owner: owner_from(
            &row.try_get::<String, _>("owner_kind")?,
            row.try_get("owner_id")?,
        )?,
        kind: DocKind::parse(&kind)
            .ok_or_else(|| AccountsError::Internal(format!("bad doc kind {kind:?}")))?,
        title: row.try_get("title")?,
        archived_at: row.try_get("archived_at")?,
        deleted_at: row.try_get("deleted_at")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn networks(conn: &mut AnyConnection) -> Result<Vec<Network>> {
    let rows = sqlx::query("SELECT id, name FROM networks ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Network {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

pub async fn network_exists(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT id FROM networks WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

pub async fn city_exists(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT id FROM cities WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// Every city → its networks.
async fn city_network_map(conn: &mut AnyConnection) -> Result<HashMap<i64, BTreeSet<i64>>> {
    let rows = sqlx::query("SELECT city_id, network_id FROM city_networks")
        .fetch_all(&mut *conn)
        .await?;
    let mut map: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for r in rows {
        map.entry(r.try_get("city_id")?)
            .or_default()
            .insert(r.try_get("network_id")?);
    }
    Ok(map)
}

pub async fn cities(conn: &mut AnyConnection) -> Result<Vec<City>> {
    let map = city_network_map(conn).await?;
    let rows = sqlx::query("SELECT id, name FROM cities")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(City {
                id,
                name: r.try_get("name")?,
                networks: map
                    .get(&id)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| crate::text::polish_cmp(&a.name, &b.name));
    Ok(out)
}

pub async fn city(conn: &mut AnyConnection, id: i64) -> Result<City> {
    cities(conn)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AccountsError::NotFound("city"))
}

const PERSON_COLUMNS: &str = "id, email, name, role, password_hash, disabled_at, created_at";

async fn person_links(
    conn: &mut AnyConnection,
    only: Option<i64>,
) -> Result<(BTreeMap<i64, BTreeSet<i64>>, BTreeMap<i64, BTreeSet<i64>>)> {
    let filter = if only.is_some() {
        " WHERE person_id = $1"
    } else {
        ""
    };
    let mut cities: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut networks: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for (table, col, out) in [
        ("person_cities", "city_id", &mut cities),
        ("person_networks", "network_id", &mut networks),
    ] {
        let sql = format!("SELECT person_id, {col} AS other FROM {table}{filter}");
        let mut q = sqlx::query(&sql);
        if let Some(id) = only {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.entry(r.try_get("person_id")?)
                .or_default()
                .insert(r.try_get("other")?);
        }
    }
    Ok((cities, networks))
}

fn person_from_row(
    r: &AnyRow,
    cities: &BTreeMap<i64, BTreeSet<i64>>,
    networks: &BTreeMap<i64, BTreeSet<i64>>,
) -> Result<Person> {
    let id: i64 = r.try_get("id")?;
    Ok(Person {
        id,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: account_role_from_db(&r.try_get::<String, _>("role")?)?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        active: r.try_get::<Option<String>, _>("password_hash")?.is_some(),
        cities: cities
            .get(&id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default(),
        networks: networks
            .get(&id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default(),
        created_at: r.try_get("created_at")?,
    })
}

pub async fn people(conn: &mut AnyConnection) -> Result<Vec<Person>> {
    let (cities, networks) = person_links(conn, None).await?;
    let rows = sqlx::query(&format!("SELECT {PERSON_COLUMNS} FROM people"))
        .fetch_all(&mut *conn)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| person_from_row(r, &cities, &networks))
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| crate::text::polish_cmp(&a.name, &b.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

pub async fn person(conn: &mut AnyConnection, id: i64) -> Result<Person> {
    let (cities, networks) = person_links(conn, Some(id)).await?;
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountsError::NotFound("person"))?;
    person_from_row(&row, &cities, &networks)
}

fn facts_of(p: &Person, city_networks: &HashMap<i64, BTreeSet<i64>>) -> PersonFacts {
    PersonFacts {
        id: p.id,
        role: p.role,
        disabled: p.disabled,
        cities: p.cities.iter().copied().collect(),
        assigned_networks: p.networks.iter().copied().collect(),
        city_networks: p
            .cities
            .iter()
            .filter_map(|c| city_networks.get(c))
            .flatten()
            .copied()
            .collect(),
    }
}

pub async fn person_facts(conn: &mut AnyConnection, id: i64) -> Result<PersonFacts> {
    let p = person(conn, id).await?;
    let map = city_network_map(conn).await?;
    Ok(facts_of(&p, &map))
}

pub async fn doc(conn: &mut AnyConnection, id: &str) -> Result<DocMeta> {
    let row = sqlx::query(&format!(
        "SELECT {DOC_COLUMNS} FROM doc_meta WHERE doc_id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountsError::NotFound("document"))?;
    doc_from_row(&row)
}

/// Whether the document has metadata (belongs to a city or a network), deleted or not.
pub async fn doc_has_metadata(db: &crate::Db, id: &str) -> Result<bool> {
    let mut conn = db.pool.acquire().await?;
    Ok(
        sqlx::query("SELECT 1 AS one FROM doc_meta WHERE doc_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
    )
}

/// Whether the hub stores anything for this document id: a log entry or a snapshot (the hub's
/// own tables, which exist on both backends; `documents` alone may be a row without content).
pub async fn has_stored_content(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT (EXISTS (SELECT 1 FROM updates WHERE doc_id = $1) \
         OR EXISTS (SELECT 1 FROM snapshots WHERE doc_id = $1)) AS found",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    // SQLite answers an integer, Postgres a boolean.
    Ok(match row.try_get::<bool, _>("found") {
        Ok(b) => b,
        Err(_) => row.try_get::<i64, _>("found")? != 0,
    })
}

pub async fn shares(conn: &mut AnyConnection, doc: &str) -> Result<Vec<Share>> {
    let rows = sqlx::query(
        "SELECT grantee_kind, grantee_id, role FROM doc_shares WHERE doc_id = $1 \
         ORDER BY grantee_kind, grantee_id",
    )
    .bind(doc)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(share_from_row).collect()
}

/// One document's shares with the grantees' names (and persons' emails), cities first, then
/// people, each in Polish alphabetical order.
pub async fn listed_shares(conn: &mut AnyConnection, doc: &str) -> Result<Vec<ListedShare>> {
    // doc_shares has no foreign key to people or cities (the grantee is one or the other), so
    // the names come from two outer joins, each matching only its own kind.
    let rows = sqlx::query(
        "SELECT s.grantee_kind, s.grantee_id, s.role, p.name AS person_name, \
         p.email AS person_email, c.name AS city_name \
         FROM doc_shares s \
         LEFT JOIN people p ON s.grantee_kind = 'person' AND p.id = s.grantee_id \
         LEFT JOIN cities c ON s.grantee_kind = 'city' AND c.id = s.grantee_id \
         WHERE s.doc_id = $1",
    )
    .bind(doc)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let Share { grantee, role } = share_from_row(r)?;
            let (name, email) = match grantee {
                Grantee::Person(_) => (
                    r.try_get::<Option<String>, _>("person_name")?,
                    r.try_get::<Option<String>, _>("person_email")?,
                ),
                Grantee::City(_) => (r.try_get::<Option<String>, _>("city_name")?, None),
            };
            // People and cities are never deleted, so a share always finds its grantee.
            let name = name.ok_or_else(|| {
                AccountsError::Internal(format!("share to a missing {grantee:?}"))
            })?;
            Ok(ListedShare {
                grantee,
                role,
                name,
                email,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        let city_first = |s: &ListedShare| !matches!(s.grantee, Grantee::City(_));
        city_first(a)
            .cmp(&city_first(b))
            .then_with(|| crate::text::polish_cmp(&a.name, &b.name))
            .then_with(|| a.grantee.cmp(&b.grantee))
    });
    Ok(out)
}

/// The id of the account with this (already normalised) email, unless it is disabled.
pub async fn enabled_person_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM people WHERE email = $1 AND disabled_at IS NULL")
        .bind(email.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

fn share_from_row(r: &AnyRow) -> Result<Share> {
    let kind: String = r.try_get("grantee_kind")?;
    let id: i64 = r.try_get("grantee_id")?;
    let grantee = match kind.as_str() {
        "person" => Grantee::Person(id),
        "city" => Grantee::City(id),
        _ => {
            return Err(AccountsError::Internal(format!(
                "bad grantee kind {kind:?}"
            )))
        }
    };
    Ok(Share {
        grantee,
        role: role_from_db(&r.try_get::<String, _>("role")?)?,
    })
}

fn doc_facts_of(meta: &DocMeta, shares: &[Share], cn: &HashMap<i64, BTreeSet<i64>>) -> DocFacts {
    DocFacts {
        owner: meta.owner,
        owner_city_networks: match meta.owner {
            Owner::City(c) => cn.get(&c).cloned().unwrap_or_default(),
            Owner::Network(_) => BTreeSet::new(),
        },
        archived: meta.archived_at.is_some(),
        deleted: meta.deleted_at.is_some(),
        shares: shares.iter().map(|s| (s.grantee, s.role)).collect(),
    }
}

/// The networks a prospective owner implies (for [`crate::policy::can_create`]); errors if the
/// owner does not exist.
pub async fn owner_city_networks(conn: &mut AnyConnection, owner: Owner) -> Result<BTreeSet<i64>> {
    match owner {
        Owner::City(c) => {
            if !city_exists(conn, c).await? {
                return Err(AccountsError::NotFound("city"));
            }
            Ok(city_network_map(conn).await?.remove(&c).unwrap_or_default())
        }
        Owner::Network(n) => {
            if !network_exists(conn, n).await? {
                return Err(AccountsError::NotFound("network"));
            }
            Ok(BTreeSet::new())
        }
    }
}

/// One document's metadata and facts.
pub async fn doc_with_facts(conn: &mut AnyConnection, id: &str) -> Result<(DocMeta, DocFacts)> {
    let meta = doc(conn, id).await?;
    let shares = shares(conn, id).await?;
    let cn = city_network_map(conn).await?;
    let facts = doc_facts_of(&meta, &shares, &cn);
    Ok((meta, facts))
}

/// Every document (or one) with its facts; deleted ones included.
pub async fn docs_with_facts(
    conn: &mut AnyConnection,
    only: Option<&str>,
) -> Result<Vec<(DocMeta, DocFacts)>> {
    let cn = city_network_map(conn).await?;
    let (doc_sql, share_sql) = if only.is_some() {
        (
            format!("SELECT {DOC_COLUMNS} FROM doc_meta WHERE doc_id = $1"),
            "SELECT doc_id, grantee_kind, grantee_id, role FROM doc_shares WHERE doc_id = $1",
        )
    } else {
        (
            format!("SELECT {DOC_COLUMNS} FROM doc_meta"),
            "SELECT doc_id, grantee_kind, grantee_id, role FROM doc_shares",
        )
    };
    let mut q = sqlx::query(&doc_sql);
    let mut sq = sqlx::query(share_sql);
    if let Some(id) = only {
        q = q.bind(id);
        sq = sq.bind(id);
    }
    let docs = q.fetch_all(&mut *conn).await?;
    let mut shares: HashMap<String, Vec<Share>> = HashMap::new();
    for r in sq.fetch_all(&mut *conn).await? {
        shares
            .entry(r.try_get("doc_id")?)
            .or_default()
            .push(share_from_row(&r)?);
    }
    docs.iter()
        .map(|r| {
            let meta = doc_from_row(r)?;
            let facts = doc_facts_of(
                &meta,
                shares.get(&meta.id).map(Vec::as_slice).unwrap_or(&[]),
                &cn,
            );
            Ok((meta, facts))
        })
        .collect()
}

/// Every person (or one) with their facts.
pub async fn people_facts(conn: &mut AnyConnection, only: Option<i64>) -> Result<Vec<PersonFacts>> {
    let map = city_network_map(conn).await?;
    let people = match only {
        Some(id) => vec![person(conn, id).await?],
        None => people(conn).await?,
    };
    Ok(people.iter().map(|p| facts_of(p, &map)).collect())
}
