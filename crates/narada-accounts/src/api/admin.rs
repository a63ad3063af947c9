//! `/admin/*`: people, cities, networks, one-time links and the audit trail (admins only), and
//! the read-only `/networks` and `/cities` directories for every signed-in person (names and a
//! city's networks: what the document filters, the new-document form and the share dialog need).
//!
//! Membership and role changes snapshot effective roles before and after, so whoever loses
//! access has their sockets closed; disabling an account ends its sessions and closes all its
//! sockets. Every change is audited in the same transaction.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use utoipa::{IntoResponses, ToSchema};

use super::answers::{BodyAnswers, SessionAnswers, ADMIN, ADMIN_READ};
use super::{clean_text, parse_id, Admin, ApiJson, ApiPath, ApiQuery, Caller};
use crate::access::{self, Scope};
use crate::audit;
use crate::auth::{self as signin, LinkKind};
use crate::error::{AccountsError, ErrorBody, Result};
use crate::model;
use crate::policy::AccountRole;
use crate::AccountsState;

pub const MAX_NAME_CHARS: usize = 120;

const PERSON_ID: &str = "Person id";
const CITY_ID: &str = "City id";
const NETWORK_ID: &str = "Network id";
/// The 400 of admin writes that take a name.
const BAD_NAME: &str = "`invalid_input`: an empty or too long name, a bad id, or a malformed body";

/// What an administrator's operation on records named in its path may also answer.
#[derive(IntoResponses)]
pub enum AdminAnswers {
    /// `invalid_input`: an id in the path is not a positive integer
    #[response(status = 400)]
    BadInput(ErrorBody),
    /// `unauthenticated`: not signed in, or the session ended
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// `forbidden`: administrators only; `csrf` on a write without the session's X-CSRF-Token
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// `internal`: the database failed (logged; the answer says no more)
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// Every network.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkList {
    pub networks: Vec<model::Network>,
}

/// Every city, in Polish alphabetical order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CityList {
    pub cities: Vec<model::City>,
}

/// Every person, by name in Polish order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleList {
    pub people: Vec<model::Person>,
}

/// A new person and the invitation link to hand them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invited {
    pub person: model::Person,
    pub invite: signin::Link,
}

/// Audit records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub records: Vec<audit::Record>,
}

/// Everything kept about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonExport {
    pub person: model::Person,
    /// Every audit record where they are the actor or the subject, newest first (at most
    /// 10,000).
    pub records: Vec<audit::Record>,
    /// Unix milliseconds.
    pub exported_at: i64,
}

fn entry<'a>(
    admin: &'a Caller,
    action: &'a str,
    kind: &'a str,
    id: i64,
    subject: Option<i64>,
    detail: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry {
        actor_id: Some(admin.person.id),
        actor_email: Some(&admin.person.email),
        action,
        target_kind: Some(kind),
        target_id: Some(id.to_string()),
        subject_id: subject,
        detail,
        ip: admin.ip.as_deref(),
    }
}

// ---- directory ----

/// List networks
#[utoipa::path(
    get,
    path = "/networks",
    tag = "directory",
    security(("session" = [])),
    responses(
        (status = 200, description = "Networks", body = NetworkList),
        SessionAnswers,
    )
)]
pub async fn list_networks(
    State(state): State<AccountsState>,
    _caller: Caller,
) -> Result<Json<NetworkList>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(NetworkList {
        networks: model::networks(&mut conn).await?,
    }))
}

/// List cities (Polish alphabetical order)
#[utoipa::path(
    get,
    path = "/cities",
    tag = "directory",
    security(("session" = [])),
    responses(
        (status = 200, description = "Cities", body = CityList),
        SessionAnswers,
    )
)]
pub async fn list_cities(
    State(state): State<AccountsState>,
    _caller: Caller,
) -> Result<Json<CityList>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(CityList {
        cities: model::cities(&mut conn).await?,
    }))
}

/// List networks (administrators)
///
/// The same list as `GET /networks`, for administrators only: everyone else reads the
/// `/networks` directory; the administration paths answer administrators and nobody else.
#[utoipa::path(
    get,
    path = "/admin/networks",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "Networks", body = NetworkList),
        (status = 403, description = ADMIN_READ, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn admin_list_networks(
    state: State<AccountsState>,
    Admin(admin): Admin,
) -> Result<Json<NetworkList>> {
    list_networks(state, admin).await
}

/// List cities (administrators)
///
/// As `GET /admin/networks`: the same list as `GET /cities`, for administrators only.
#[utoipa::path(
    get,
    path = "/admin/cities",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "Cities", body = CityList),
        (status = 403, description = ADMIN_READ, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn admin_list_cities(
    state: State<AccountsState>,
    Admin(admin): Admin,
) -> Result<Json<CityList>> {
    list_cities(state, admin).await
}

// ---- networks ----

/// A name (of a network or city).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    #[schema(max_length = 120)]
    pub name: String,
}

/// Create a network
#[utoipa::path(
    post,
    path = "/admin/networks",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = NameBody,
    responses(
        (status = 201, description = "Created", body = model::Network),
        (status = 400, description = BAD_NAME, body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 409, description = "`conflict`: a network with this name exists", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn create_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<NameBody>,
) -> Result<Response> {
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 =
        sqlx::query("INSERT INTO networks (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name.clone())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| AccountsError::from_insert(e, "a network with this name"))?
            .try_get("id")?;
    audit::record(
        &mut tx,
        now,
        entry(
            &admin,
            "network.create",
            "network",
            id,
            None,
            json!({ "name": name }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(model::Network { id, name })).into_response())
}

/// Rename a network
#[utoipa::path(
    patch,
    path = "/admin/networks/{id}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = NETWORK_ID)),
    request_body = NameBody,
    responses(
        (status = 200, description = "The network", body = model::Network),
        (status = 400, description = BAD_NAME, body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such network", body = ErrorBody),
        (status = 409, description = "`conflict`: a network with this name exists", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn update_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> Result<Json<model::Network>> {
    let id = parse_id(&id, "network")?;
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("UPDATE networks SET name = $1 WHERE id = $2")
        .bind(name.clone())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| AccountsError::from_insert(e, "a network with this name"))?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::NotFound("network"));
    }
    audit::record(
        &mut tx,
        now,
        entry(
            &admin,
            "network.rename",
            "network",
            id,
            None,
            json!({ "name": name }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(model::Network { id, name }))
}

// ---- cities ----

/// A new city.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CityBody {
    #[schema(max_length = 120)]
    pub name: String,
    /// Ids of the networks it is in (at most 100).
    #[serde(default)]
    pub networks: Vec<i64>,
}

/// Create a city
#[utoipa::path(
    post,
    path = "/admin/cities",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = CityBody,
    responses(
        (status = 201, description = "Created", body = model::City),
        (status = 400, description = BAD_NAME, body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such network", body = ErrorBody),
        (status = 409, description = "`conflict`: a city with this name exists", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn create_city(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<CityBody>,
) -> Result<Response> {
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    if body.networks.len() > 100 {
        return Err(AccountsError::validation("too many networks"));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query("INSERT INTO cities (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| AccountsError::from_insert(e, "a city with this name"))?
        .try_get("id")?;
    for n in &body.networks {
        link_city_network(&mut tx, id, *n).await?;
    }
    let detail = json!({ "name": name, "networks": body.networks });
    audit::record(
        &mut tx,
        now,
        entry(&admin, "city.create", "city", id, None, detail),
    )
    .await?;
    let city = model::city(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(city)).into_response())
}

async fn link_city_network(conn: &mut AnyConnection, city: i64, network: i64) -> Result<()> {
    if !model::network_exists(conn, network).await? {
        return Err(AccountsError::NotFound("network"));
    }
    sqlx::query(
        "INSERT INTO city_networks (city_id, network_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(city)
    .bind(network)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rename a city
#[utoipa::path(
    patch,
    path = "/admin/cities/{id}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = CITY_ID)),
    request_body = NameBody,
    responses(
        (status = 200, description = "The city", body = model::City),
        (status = 400, description = BAD_NAME, body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such city", body = ErrorBody),
        (status = 409, description = "`conflict`: a city with this name exists", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn update_city(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NameBody>,
) -> Result<Json<model::City>> {
    let id = parse_id(&id, "city")?;
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("UPDATE cities SET name = $1 WHERE id = $2")
        .bind(name.clone())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| AccountsError::from_insert(e, "a city with this name"))?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::NotFound("city"));
    }
    audit::record(
        &mut tx,
        now,
        entry(
            &admin,
            "city.rename",
            "city",
            id,
            None,
            json!({ "name": name }),
        ),
    )
    .await?;
    let city = model::city(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(city))
}

async fn city_network_change(
    state: &AccountsState,
    admin: &Caller,
    city: &str,
    network: &str,
    add: bool,
) -> Result<Json<model::City>> {
    let city = parse_id(city, "city")?;
    let network = parse_id(network, "network")?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if !model::city_exists(&mut tx, city).await? {
        return Err(AccountsError::NotFound("city"));
    }
    // A city's networks decide who reaches its documents and its members' network documents.
    let before = access::snapshot(&mut tx, Scope::All).await?;
    if add {
        link_city_network(&mut tx, city, network).await?;
    } else {
        let done = sqlx::query("DELETE FROM city_networks WHERE city_id = $1 AND network_id = $2")
            .bind(city)
            .bind(network)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(AccountsError::NotFound("city membership in this network"));
        }
    }
    let action = if add {
        "city.network.add"
    } else {
        "city.network.remove"
    };
    audit::record(
        &mut tx,
        now,
        entry(
            admin,
            action,
            "city",
            city,
            None,
            json!({ "network": network }),
        ),
    )
    .await?;
    let after = access::snapshot(&mut tx, Scope::All).await?;
    let out = model::city(&mut tx, city).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(out))
}

/// Add the city to a network
///
/// Its members reach the network's documents from then on.
#[utoipa::path(
    put,
    path = "/admin/cities/{id}/networks/{network}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = CITY_ID),
        ("network" = i64, Path, description = NETWORK_ID),
    ),
    responses(
        (status = 200, description = "The city", body = model::City),
        (status = 404, description = "`not_found`: no such city or network", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn add_city_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((c, n)): ApiPath<(String, String)>,
) -> Result<Json<model::City>> {
    city_network_change(&state, &admin, &c, &n, true).await
}

/// Remove the city from a network
///
/// Whoever loses access to a document through it has their sockets closed.
#[utoipa::path(
    delete,
    path = "/admin/cities/{id}/networks/{network}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = CITY_ID),
        ("network" = i64, Path, description = NETWORK_ID),
    ),
    responses(
        (status = 200, description = "The city", body = model::City),
        (status = 404, description = "`not_found`: no such city, or it is not in the network", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn remove_city_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((c, n)): ApiPath<(String, String)>,
) -> Result<Json<model::City>> {
    city_network_change(&state, &admin, &c, &n, false).await
}

// ---- people ----

/// List people
#[utoipa::path(
    get,
    path = "/admin/people",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "People", body = PeopleList),
        (status = 403, description = ADMIN_READ, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn list_people(
    State(state): State<AccountsState>,
    Admin(_admin): Admin,
) -> Result<Json<PeopleList>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(PeopleList {
        people: model::people(&mut conn).await?,
    }))
}

/// Get a person
#[utoipa::path(
    get,
    path = "/admin/people/{id}",
    tag = "admin",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
    ),
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 404, description = "`not_found`: no such person", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn get_person(
    State(state): State<AccountsState>,
    Admin(_admin): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<model::Person>> {
    let id = parse_id(&id, "person")?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(model::person(&mut conn, id).await?))
}

/// A new person.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonBody {
    #[schema(format = Email)]
    pub email: String,
    #[schema(max_length = 120)]
    pub name: String,
    pub role: AccountRole,
    /// Ids of the cities they belong to (at most 100).
    #[serde(default)]
    pub cities: Vec<i64>,
    /// Ids of the networks they are assigned to (at most 100).
    #[serde(default)]
    pub networks: Vec<i64>,
}

/// Create a person and get their invitation link
///
/// No password is set by the admin: the person sets one with the link
/// (`POST /auth/accept-invite`). No mail is sent; the admin hands the link over.
#[utoipa::path(
    post,
    path = "/admin/people",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = CreatePersonBody,
    responses(
        (status = 201, description = "Created", body = Invited),
        (status = 400, description = "`invalid_input`: a bad email, an empty or too long name, too \
            many cities or networks, or a malformed body", body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such city or network", body = ErrorBody),
        (status = 409, description = "`conflict`: an account with this email exists", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn create_person(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<CreatePersonBody>,
) -> Result<Response> {
    let email = signin::normalize_email(&body.email)?;
    let name = clean_text(&body.name, "name", MAX_NAME_CHARS)?;
    if body.cities.len() > 100 || body.networks.len() > 100 {
        return Err(AccountsError::validation("too many cities or networks"));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let id = crate::seed::insert_person(&mut tx, &email, &name, body.role, None, now).await?;
    for c in &body.cities {
        if !model::city_exists(&mut tx, *c).await? {
            return Err(AccountsError::NotFound("city"));
        }
        link_person(&mut tx, "person_cities", "city_id", id, *c).await?;
    }
    for n in &body.networks {
        if !model::network_exists(&mut tx, *n).await? {
            return Err(AccountsError::NotFound("network"));
        }
        link_person(&mut tx, "person_networks", "network_id", id, *n).await?;
    }
    let detail = json!({ "email": email, "role": body.role, "cities": body.cities, "networks": body.networks });
    audit::record(
        &mut tx,
        now,
        entry(&admin, "person.create", "person", id, Some(id), detail),
    )
    .await?;
    let invite = signin::issue_link(
        &mut tx,
        &state.config,
        LinkKind::Invite,
        id,
        Some(admin.person.id),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        entry(&admin, "person.invite", "person", id, Some(id), json!({})),
    )
    .await?;
    let person = model::person(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Invited { person, invite })).into_response())
}

async fn link_person(
    conn: &mut AnyConnection,
    table: &str,
    col: &str,
    person: i64,
    other: i64,
) -> Result<()> {
    // `table` and `col` are constants chosen by this module, never client input.
    let sql =
        format!("INSERT INTO {table} (person_id, {col}) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    sqlx::query(&sql)
        .bind(person)
        .bind(other)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What to change about a person; what is left out stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonBody {
    #[schema(max_length = 120)]
    pub name: Option<String>,
    pub role: Option<AccountRole>,
    /// `true` switches the account off, `false` on again.
    pub disabled: Option<bool>,
}

/// Rename, change role, disable or enable
///
/// Disabling ends the person's sessions and closes all their sockets; a role change closes the
/// sockets whose role went down. Admins cannot disable or demote themselves.
#[utoipa::path(
    patch,
    path = "/admin/people/{id}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = PERSON_ID)),
    request_body = UpdatePersonBody,
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 400, description = "`invalid_input`: an empty or too long name, disabling or \
            demoting oneself, or a malformed body", body = ErrorBody),
        (status = 403, description = ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`: no such person", body = ErrorBody),
        BodyAnswers,
        SessionAnswers,
    )
)]
pub async fn update_person(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdatePersonBody>,
) -> Result<Json<model::Person>> {
    let id = parse_id(&id, "person")?;
    let name = body
        .name
        .as_deref()
        .map(|n| clean_text(n, "name", MAX_NAME_CHARS))
        .transpose()?;
    if id == admin.person.id
        && (body.disabled == Some(true) || body.role.is_some_and(|r| r != AccountRole::Admin))
    {
        return Err(AccountsError::validation(
            "you cannot disable or demote yourself",
        ));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let old = model::person(&mut tx, id).await?;
    let before = access::snapshot(&mut tx, Scope::Person(id)).await?;
    if let Some(name) = &name {
        sqlx::query("UPDATE people SET name = $1 WHERE id = $2")
            .bind(name.clone())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(role) = body.role {
        sqlx::query("UPDATE people SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let disabling = body.disabled == Some(true) && !old.disabled;
    match body.disabled {
        Some(true) if !old.disabled => {
            sqlx::query("UPDATE people SET disabled_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            signin::end_all_sessions(&mut tx, id).await?;
        }
        Some(false) if old.disabled => {
            sqlx::query("UPDATE people SET disabled_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        _ => {}
    }
    let detail = json!({
        "name": name,
        "role": body.role.map(|r| json!({ "from": old.role, "to": r })),
        "disabled": body.disabled,
    });
    audit::record(
        &mut tx,
        now,
        entry(&admin, "person.update", "person", id, Some(id), detail),
    )
    .await?;
    let after = access::snapshot(&mut tx, Scope::Person(id)).await?;
    let person = model::person(&mut tx, id).await?;
    tx.commit().await?;
    if disabling {
        state.revoker.revoke_user(&id.to_string());
    }
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(person))
}

async fn person_link_change(
    state: &AccountsState,
    admin: &Caller,
    person: &str,
    other: &str,
    networks: bool,
    add: bool,
) -> Result<Json<model::Person>> {
    let person = parse_id(person, "person")?;
    let (table, col, what) = if networks {
        ("person_networks", "network_id", "network")
    } else {
        ("person_cities", "city_id", "city")
    };
    let other = parse_id(other, what)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    model::person(&mut tx, person).await?; // 404 if missing
    let before = access::snapshot(&mut tx, Scope::Person(person)).await?;
    if add {
        let exists = if networks {
            model::network_exists(&mut tx, other).await?
        } else {
            model::city_exists(&mut tx, other).await?
        };
        if !exists {
            return Err(AccountsError::NotFound(what));
        }
        link_person(&mut tx, table, col, person, other).await?;
    } else {
        let sql = format!("DELETE FROM {table} WHERE person_id = $1 AND {col} = $2");
        let done = sqlx::query(&sql)
            .bind(person)
            .bind(other)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(AccountsError::NotFound("membership"));
        }
    }
    let action = match (networks, add) {
        (false, true) => "person.city.add",
        (false, false) => "person.city.remove",
        (true, true) => "person.network.add",
        (true, false) => "person.network.remove",
    };
    audit::record(
        &mut tx,
        now,
        entry(
            admin,
            action,
            "person",
            person,
            Some(person),
            json!({ what: other }),
        ),
    )
    .await?;
    let after = access::snapshot(&mut tx, Scope::Person(person)).await?;
    let out = model::person(&mut tx, person).await?;
    tx.commit().await?;
    state.apply_access(&access::changed(&before, &after));
    Ok(Json(out))
}

/// Add the person to a city
#[utoipa::path(
    put,
    path = "/admin/people/{id}/cities/{city}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
        ("city" = i64, Path, description = CITY_ID),
    ),
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 404, description = "`not_found`: no such person or city", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn add_person_city(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((p, c)): ApiPath<(String, String)>,
) -> Result<Json<model::Person>> {
    person_link_change(&state, &admin, &p, &c, false, true).await
}

/// Remove the person from a city
///
/// The sockets whose role went down close.
#[utoipa::path(
    delete,
    path = "/admin/people/{id}/cities/{city}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
        ("city" = i64, Path, description = CITY_ID),
    ),
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 404, description = "`not_found`: no such person, or not a member", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn remove_person_city(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((p, c)): ApiPath<(String, String)>,
) -> Result<Json<model::Person>> {
    person_link_change(&state, &admin, &p, &c, false, false).await
}

/// Assign the person (expert, moderator) to a network
#[utoipa::path(
    put,
    path = "/admin/people/{id}/networks/{network}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
        ("network" = i64, Path, description = NETWORK_ID),
    ),
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 404, description = "`not_found`: no such person or network", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn add_person_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((p, n)): ApiPath<(String, String)>,
) -> Result<Json<model::Person>> {
    person_link_change(&state, &admin, &p, &n, true, true).await
}

/// Unassign the person from a network
///
/// The sockets whose role went down close.
#[utoipa::path(
    delete,
    path = "/admin/people/{id}/networks/{network}",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
        ("network" = i64, Path, description = NETWORK_ID),
    ),
    responses(
        (status = 200, description = "The person", body = model::Person),
        (status = 404, description = "`not_found`: no such person, or not assigned", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn remove_person_network(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath((p, n)): ApiPath<(String, String)>,
) -> Result<Json<model::Person>> {
    person_link_change(&state, &admin, &p, &n, true, false).await
}

async fn link_for(
    state: &AccountsState,
    admin: &Caller,
    id: &str,
    kind: LinkKind,
) -> Result<Json<signin::Link>> {
    let id = parse_id(id, "person")?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let person = model::person(&mut tx, id).await?;
    if person.disabled {
        return Err(AccountsError::Conflict("the account is disabled".into()));
    }
    let link =
        signin::issue_link(&mut tx, &state.config, kind, id, Some(admin.person.id), now).await?;
    let action = match kind {
        LinkKind::Invite => "person.invite",
        LinkKind::Reset => "person.reset_link",
    };
    audit::record(
        &mut tx,
        now,
        entry(admin, action, "person", id, Some(id), json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(link))
}

/// New invitation link
///
/// Replaces the person's older unused link of the same kind. No mail is sent: the link is
/// shown to the admin.
#[utoipa::path(
    post,
    path = "/admin/people/{id}/invite",
    operation_id = "invite_person",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = PERSON_ID)),
    responses(
        (status = 200, description = "The link (shown to the admin; no mail is sent)", body = signin::Link),
        (status = 404, description = "`not_found`: no such person", body = ErrorBody),
        (status = 409, description = "`conflict`: the account is disabled", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn invite(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<signin::Link>> {
    link_for(&state, &admin, &id, LinkKind::Invite).await
}

/// New password-reset link
///
/// Replaces the person's older unused link of the same kind. No mail is sent: the link is
/// shown to the admin.
#[utoipa::path(
    post,
    path = "/admin/people/{id}/reset-link",
    operation_id = "reset_link",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = PERSON_ID)),
    responses(
        (status = 200, description = "The link (shown to the admin; no mail is sent)", body = signin::Link),
        (status = 404, description = "`not_found`: no such person", body = ErrorBody),
        (status = 409, description = "`conflict`: the account is disabled", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn reset_link(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<signin::Link>> {
    link_for(&state, &admin, &id, LinkKind::Reset).await
}

// ---- audit ----

/// List audit records, newest first
#[utoipa::path(
    get,
    path = "/admin/audit",
    tag = "admin",
    security(("session" = [])),
    params(audit::Filter),
    responses(
        (status = 200, description = "Records", body = AuditList),
        (status = 400, description = "`invalid_input`: an unknown filter, a value of the wrong \
            type, or one too long", body = ErrorBody),
        (status = 403, description = ADMIN_READ, body = ErrorBody),
        SessionAnswers,
    )
)]
pub async fn audit_list(
    State(state): State<AccountsState>,
    Admin(_admin): Admin,
    ApiQuery(filter): ApiQuery<audit::Filter>,
) -> Result<Json<AuditList>> {
    if filter.action.as_ref().is_some_and(|a| a.len() > 64)
        || filter.target.as_ref().is_some_and(|t| t.len() > 200)
    {
        return Err(AccountsError::validation("filter value is too long"));
    }
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(AuditList {
        records: audit::list(&mut conn, &filter).await?,
    }))
}

/// Export everything kept about one person (RODO)
///
/// A RODO access request: their record, memberships and every audit record where they are the
/// actor or the subject. The export itself is audited.
#[utoipa::path(
    get,
    path = "/admin/audit/people/{id}",
    tag = "admin",
    security(("session" = [])),
    params(
        ("id" = i64, Path, description = PERSON_ID),
    ),
    responses(
        (status = 200, description = "The person and every audit record about or by them", body = PersonExport),
        (status = 404, description = "`not_found`: no such person", body = ErrorBody),
        AdminAnswers,
    )
)]
pub async fn audit_export_person(
    State(state): State<AccountsState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PersonExport>> {
    let id = parse_id(&id, "person")?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let person = model::person(&mut tx, id).await?;
    let filter = audit::Filter {
        person: Some(id),
        limit: Some(10_000),
        ..Default::default()
    };
    let records = audit::list(&mut tx, &filter).await?;
    audit::record(
        &mut tx,
        now,
        entry(
            &admin,
            "person.export",
            "person",
            id,
            Some(id),
            json!({ "records": records.len() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(PersonExport {
        person,
        records,
        exported_at: now,
    }))
}
