//! The review tables (`migrations/<backend>/0120_review.sql`): threads anchored to a passage,
//! their replies, and the notifications mentions create. Plain reads and writes; the rules are
//! in [`crate::policy::can_thread`] and the handlers in `api/review.rs`.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::error::{AccountsError, Result};

/// A thread's type. Polish names in the interface: uwaga, pytanie, wniosek o zmianę,
/// propozycja brzmienia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Remark,
    Question,
    Change,
    Suggestion,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Remark => "remark",
            Kind::Question => "question",
            Kind::Change => "change",
            Kind::Suggestion => "suggestion",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "remark" => Kind::Remark,
            "question" => Kind::Question,
            "change" => Kind::Change,
            "suggestion" => Kind::Suggestion,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Answered,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Answered => "answered",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "open" => Status::Open,
            "answered" => Status::Answered,
            "closed" => Status::Closed,
            _ => return None,
        })
    }
}

/// Someone named in a thread: id and display name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Anchor {
    pub start: String,
    pub end: String,
    pub quote: String,
}

/// How a suggested wording ended.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    /// `accepted` or `rejected`.
    pub outcome: String,
    pub by: Option<PersonRef>,
    pub at: Option<i64>,
    pub reason: Option<String>,
    /// The log entry that applied it (accepted ones).
    pub seq: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub author: PersonRef,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Thread {
    pub id: i64,
    pub doc: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub status: Status,
    pub body: String,
    pub anchor: Anchor,
    pub replacement: Option<String>,
    pub author: PersonRef,
    pub created_at: i64,
    pub updated_at: i64,
    pub resolution: Option<Resolution>,
    pub comments: Vec<Comment>,
}

const THREAD_SELECT: &str = "SELECT t.id, t.doc_id, t.kind, t.status, t.body, t.anchor_start, \
     t.anchor_end, t.quote, t.replacement, t.author_id, a.name AS author_name, t.created_at, \
     t.updated_at, t.resolution, t.resolution_reason, t.resolved_by, r.name AS resolver_name, \
     t.resolved_at, t.applied_seq \
     FROM review_threads t JOIN people a ON a.id = t.author_id \
     LEFT JOIN people r ON r.id = t.resolved_by";

fn bad(what: &str) -> AccountsError {
    AccountsError::Internal(format!("unexpected {what} in review_threads"))
}

fn thread_from_row(r: &AnyRow) -> Result<Thread> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let resolution: Option<String> = r.try_get("resolution")?;
    let resolved_by: Option<i64> = r.try_get("resolved_by")?;
    let resolver_name: Option<String> = r.try_get("resolver_name")?;
    Ok(Thread {
        id: r.try_get("id")?,
        doc: r.try_get("doc_id")?,
        kind: Kind::parse(&kind).ok_or_else(|| bad("kind"))?,
        status: Status::parse(&status).ok_or_else(|| bad("status"))?,
        body: r.try_get("body")?,
        anchor: Anchor {
            start: r.try_get("anchor_start")?,
            end: r.try_get("anchor_end")?,
            quote: r.try_get("quote")?,
        },
        replacement: r.try_get("replacement")?,
        author: PersonRef {
            id: r.try_get("author_id")?,
            name: r.try_get("author_name")?,
        },
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        resolution: match resolution {
            Some(outcome) => Some(Resolution {
                outcome,
                by: resolved_by
                    .zip(resolver_name)
                    .map(|(id, name)| PersonRef { id, name }),
                at: r.try_get("resolved_at")?,
                reason: r.try_get("resolution_reason")?,
                seq: r.try_get("applied_seq")?,
            }),
            None => None,
        },
        comments: Vec::new(),
    })
}

/// The document's threads with their replies, oldest first (`only`: just that one).
pub async fn threads(
    conn: &mut AnyConnection,
    doc: &str,
    only: Option<i64>,
) -> Result<Vec<Thread>> {
    let rows = match only {
        Some(id) => {
            sqlx::query(&format!(
                "{THREAD_SELECT} WHERE t.doc_id = $1 AND t.id = $2"
            ))
            .bind(doc.to_owned())
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "{THREAD_SELECT} WHERE t.doc_id = $1 ORDER BY t.id"
            ))
            .bind(doc.to_owned())
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut out: Vec<Thread> = rows.iter().map(thread_from_row).collect::<Result<_>>()?;
    let comments = sqlx::query(
        "SELECT c.id, c.thread_id, c.author_id, p.name AS author_name, c.body, c.created_at, \
         c.updated_at FROM review_comments c JOIN review_threads t ON t.id = c.thread_id \
         JOIN people p ON p.id = c.author_id WHERE t.doc_id = $1 ORDER BY c.id",
    )
    .bind(doc.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    for r in &comments {
        let thread: i64 = r.try_get("thread_id")?;
        if let Some(t) = out.iter_mut().find(|t| t.id == thread) {
            t.comments.push(Comment {
                id: r.try_get("id")?,
                author: PersonRef {
                    id: r.try_get("author_id")?,
                    name: r.try_get("author_name")?,
                },
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
    }
    Ok(out)
}

/// One thread of the document, or 404.
pub async fn thread(conn: &mut AnyConnection, doc: &str, id: i64) -> Result<Thread> {
    threads(conn, doc, Some(id))
        .await?
        .pop()
        .ok_or(AccountsError::NotFound("thread"))
}

/// What a new thread holds (checked by the caller).
pub struct NewThread<'a> {
    pub doc: &'a str,
    pub kind: Kind,
    pub body: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub quote: &'a str,
    pub replacement: Option<&'a str>,
    pub author: i64,
}

pub async fn insert_thread(conn: &mut AnyConnection, now: i64, t: &NewThread<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO review_threads (doc_id, kind, status, body, anchor_start, anchor_end, quote, \
         replacement, author_id, created_at, updated_at) \
         VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(t.doc.to_owned())
    .bind(t.kind.as_str())
    .bind(t.body.to_owned())
    .bind(t.start.to_owned())
    .bind(t.end.to_owned())
    .bind(t.quote.to_owned())
    .bind(t.replacement.map(str::to_owned))
    .bind(t.author)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn insert_comment(
    conn: &mut AnyConnection,
    now: i64,
    thread: i64,
    author: i64,
    body: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO review_comments (thread_id, author_id, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(thread)
    .bind(author)
    .bind(body.to_owned())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    touch(conn, now, thread).await?;
    Ok(row.try_get("id")?)
}

/// Marks the thread as changed now (for clients sorting by activity).
pub async fn touch(conn: &mut AnyConnection, now: i64, thread: i64) -> Result<()> {
    sqlx::query("UPDATE review_threads SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(thread)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub doc: String,
    pub doc_title: String,
    pub thread: i64,
    pub comment: Option<i64>,
    pub actor: Option<PersonRef>,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// Where the thread opens in the web app.
    pub link: String,
}

pub async fn notify(
    conn: &mut AnyConnection,
    now: i64,
    person: i64,
    doc: &str,
    thread: i64,
    comment: Option<i64>,
    actor: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notifications (person_id, kind, doc_id, thread_id, comment_id, actor_id, \
         created_at) VALUES ($1, 'mention', $2, $3, $4, $5, $6)",
    )
    .bind(person)
    .bind(doc.to_owned())
    .bind(thread)
    .bind(comment)
    .bind(actor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The person's notifications, newest first (at most `limit`).
pub async fn notifications(
    conn: &mut AnyConnection,
    person: i64,
    limit: i64,
) -> Result<Vec<Notification>> {
    let rows = sqlx::query(&format!(
        "SELECT n.id, n.kind, n.doc_id, d.title, n.thread_id, n.comment_id, n.actor_id, \
         a.name AS actor_name, n.created_at, n.read_at FROM notifications n \
         JOIN doc_meta d ON d.doc_id = n.doc_id LEFT JOIN people a ON a.id = n.actor_id \
         WHERE n.person_id = $1 ORDER BY n.id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let doc: String = r.try_get("doc_id")?;
            let thread: i64 = r.try_get("thread_id")?;
            let actor: Option<i64> = r.try_get("actor_id")?;
            let actor_name: Option<String> = r.try_get("actor_name")?;
            Ok(Notification {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                link: format!("/d/{doc}#thread-{thread}"),
                doc,
                doc_title: r.try_get("title")?,
                thread,
                comment: r.try_get("comment_id")?,
                actor: actor
                    .zip(actor_name)
                    .map(|(id, name)| PersonRef { id, name }),
                created_at: r.try_get("created_at")?,
                read_at: r.try_get("read_at")?,
            })
        })
        .collect()
}

/// Marks the person's notifications read: the listed ones, or all when `ids` is `None`.
pub async fn mark_read(
    conn: &mut AnyConnection,
    now: i64,
    person: i64,
    ids: Option<&[i64]>,
) -> Result<u64> {
    let mut done = 0;
    match ids {
        None => {
            done += sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL",
            )
            .bind(now)
            .bind(person)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        }
        Some(ids) => {
            for id in ids {
                done += sqlx::query(
                    "UPDATE notifications SET read_at = $1 \
                     WHERE person_id = $2 AND id = $3 AND read_at IS NULL",
                )
                .bind(now)
                .bind(person)
                .bind(*id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            }
        }
    }
    Ok(done)
}
