//! The permission rules — the ONE place where Narada decides who may do what with a document.
//!
//! Everything here is pure: the caller loads the facts (who the person is, which cities and
//! networks they belong to, who owns the document and how it is shared) and these functions
//! answer. The HTTP API, the token endpoint and revocation all go through [`effective_role`] and
//! [`can`], so a rule changed here changes everywhere at once.
//!
//! # Account roles and their ceiling
//!
//! Every person has one account role. It is also the *ceiling* of what they get on any document:
//! a share never lifts an expert above commenter ("experts annotate, they never rewrite").
//!
//! | account role | who                          | ceiling on the sync socket |
//! |--------------|------------------------------|----------------------------|
//! | admin        | ministry staff               | moderator (on every live document) |
//! | moderator    | runs workshops               | moderator                  |
//! | editor       | city team member             | editor                     |
//! | commenter    | expert (World Bank, ministry)| commenter                  |
//! | viewer       | reads                        | viewer                     |
//!
//! # How a person reaches a document
//!
//! A document is owned by a city or by a network. A person's *networks* are the networks they are
//! assigned to (experts, moderators) plus the networks of the cities they belong to.
//!
//! | reach      | when                                                                  | role given                      |
//! |------------|-----------------------------------------------------------------------|---------------------------------|
//! | home       | the document's city is one of the person's cities                     | the ceiling                     |
//! | network    | the document's network is one of the person's networks                | the ceiling                     |
//! | advised    | the document's city is in a network the person is *assigned* to      | the ceiling, but an editor only reads (viewer): editors edit only their own city's documents |
//! | share      | the document is shared with the person, or with one of their cities   | the share's role, capped at the ceiling |
//! | none       | otherwise                                                             | no access                       |
//!
//! The effective role is the highest one any reach gives, then:
//!
//! | document state | effect                                                               |
//! |----------------|----------------------------------------------------------------------|
//! | archived       | everyone is capped at viewer (read-only) until it is unarchived      |
//! | deleted (soft) | nobody gets a role (no token, not listed); only an admin sees and restores it |
//! | person disabled| no role anywhere                                                     |
//!
//! # Actions
//!
//! *Manage* means: admin, or an owner-given role (home / network / advised — never a share) of
//! editor or above, computed as if the document were not archived.
//!
//! *Hold the owner* means: admin, a member of the owning city, or *assigned* to the owning
//! network. Moving and deleting take a document away from everyone who reaches it through its
//! owner, so they need more than managing it: a network's document is shared by every city of the
//! network, and an editor who reaches it through their city's membership edits, shares and
//! archives it, but may not delete it nor move it into their own city; an advising moderator
//! manages a city's document but may not take it out of the city.
//!
//! | action                     | who may                                         |
//! |----------------------------|-------------------------------------------------|
//! | read (get, list, token, export) | effective role ≥ viewer                    |
//! | annotate (comment, suggest)| effective role ≥ commenter                      |
//! | edit content               | effective role ≥ editor                         |
//! | moderate (workshops)       | effective role = moderator                      |
//! | rename                     | effective role ≥ editor (so not while archived) |
//! | archive / unarchive        | manage                                          |
//! | share / unshare            | manage; a share's role at most the sharer's own role on the document (as if not archived) |
//! | delete (soft)              | manage and hold the owner                       |
//! | move (change owner)        | manage and hold the owner (the source), and may create in the new owner (the destination) |
//! | restore a deleted document | admin                                           |
//! | create in an owner         | admin; or an editor/moderator whose reach to that owner (home, network, advised) gives editor or above |
//!
//! # Review threads (expert comments)
//!
//! Threads and their replies live beside the text (`api/review.rs`); on the sync socket a
//! commenter's text updates stay refused. *Own* means: the thread's or reply's author, as the
//! server stamped it. Every rule also needs the document role shown (so an archived document's
//! threads are read-only for everyone).
//!
//! | thread action                               | who may                                      |
//! |---------------------------------------------|----------------------------------------------|
//! | read threads and replies                    | effective role ≥ viewer                      |
//! | create a thread, reply                      | effective role ≥ commenter                   |
//! | edit one's own thread or reply, delete one's own reply | effective role ≥ commenter        |
//! | mark answered                               | effective role ≥ editor                      |
//! | close, reopen                               | the thread's author (role ≥ commenter), or a moderator |
//! | accept / reject a suggested wording         | effective role ≥ editor                      |
//! | delete someone else's reply                 | moderator                                    |
//! | be mentioned (`@`)                          | effective role ≥ viewer                      |
//!
//! The full matrix is tested in `tests/policy_matrix.rs` and again through HTTP in
//! `tests/api_matrix.rs`; the review rules in `tests/review.rs`.

use std::collections::BTreeSet;

use narada_auth::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person's account role (what they are in the organisation, not on one document), which is
/// also their ceiling on any document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AccountRole {
    Viewer,
    Commenter,
    Editor,
    Moderator,
    Admin,
}

impl AccountRole {
    pub const ALL: [AccountRole; 5] = [
        AccountRole::Admin,
        AccountRole::Moderator,
        AccountRole::Editor,
        AccountRole::Commenter,
        AccountRole::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Admin => "admin",
            AccountRole::Moderator => "moderator",
            AccountRole::Editor => "editor",
            AccountRole::Commenter => "commenter",
            AccountRole::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "admin" => AccountRole::Admin,
            "moderator" => AccountRole::Moderator,
            "editor" => AccountRole::Editor,
            "commenter" => AccountRole::Commenter,
            "viewer" => AccountRole::Viewer,
            _ => return None,
        })
    }

    /// The highest socket role this account can ever hold on a document.
    pub fn ceiling(self) -> Role {
        match self {
            AccountRole::Admin | AccountRole::Moderator => Role::Moderator,
            AccountRole::Editor => Role::Editor,
            AccountRole::Commenter => Role::Commenter,
            AccountRole::Viewer => Role::Viewer,
        }
    }
}

/// Who owns a document: a city or a network, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Owner {
    City(i64),
    Network(i64),
}

/// Who a share is given to: a person or a city, by id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Grantee {
    Person(i64),
    City(i64),
}

/// What the rules need to know about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub id: i64,
    pub role: AccountRole,
    pub disabled: bool,
    /// Cities the person belongs to.
    pub cities: BTreeSet<i64>,
    /// Networks the person is assigned to (experts, moderators).
    pub assigned_networks: BTreeSet<i64>,
    /// Networks of the person's cities.
    pub city_networks: BTreeSet<i64>,
}

impl PersonFacts {
    /// All the person's networks: assigned ones and those of their cities.
    pub fn in_network(&self, network: i64) -> bool {
        self.assigned_networks.contains(&network) || self.city_networks.contains(&network)
    }
}

/// What the rules need to know about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFacts {
    pub owner: Owner,
    /// When the owner is a city: the networks that city belongs to (empty for network owners).
    pub owner_city_networks: BTreeSet<i64>,
    pub archived: bool,
    pub deleted: bool,
    pub shares: Vec<(Grantee, Role)>,
}

/// Everything one can ask to do with a document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Annotate,
    Edit,
    Moderate,
    Rename,
    Archive,
    Share,
    Delete,
    Move,
    Restore,
    Export,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Read,
        Action::Annotate,
        Action::Edit,
        Action::Moderate,
        Action::Rename,
        Action::Archive,
        Action::Share,
        Action::Delete,
        Action::Move,
        Action::Restore,
        Action::Export,
    ];
}

/// The role the owner of the document gives this person (home / network / advised reach),
/// ignoring shares and the document's state.
pub fn owner_role(
    person: &PersonFacts,
    owner: Owner,
    owner_city_networks: &BTreeSet<i64>,
) -> Option<Role> {
    if person.disabled {
        return None;
    }
    if person.role == AccountRole::Admin {
        return Some(Role::Moderator);
    }
    let ceiling = person.role.ceiling();
    match owner {
        Owner::City(city) => {
            if person.cities.contains(&city) {
                return Some(ceiling);
            }
            let advised = owner_city_networks
                .iter()
                .any(|n| person.assigned_networks.contains(n));
            if advised {
                // Editors edit their own city's documents only; assigned to a network they read.
                return Some(if person.role == AccountRole::Editor {
                    Role::Viewer
                } else {
                    ceiling
                });
            }
            None
        }
        Owner::Network(network) => person.in_network(network).then_some(ceiling),
    }
}

/// The role the person gets on the document's sync socket, or `None` for no access at all.
pub fn effective_role(person: &PersonFacts, doc: &DocFacts) -> Option<Role> {
    if person.disabled || doc.deleted {
        return None;
    }
    let from_owner = owner_role(person, doc.owner, &doc.owner_city_networks);
    let from_shares = doc
        .shares
        .iter()
        .filter(|(grantee, _)| match grantee {
            Grantee::Person(p) => *p == person.id,
            Grantee::City(c) => person.cities.contains(c),
        })
        .map(|(_, role)| (*role).min(person.role.ceiling()))
        .max();
    let role = from_owner.max(from_shares)?;
    Some(if doc.archived {
        role.min(Role::Viewer)
    } else {
        role
    })
}

/// May the person manage (rename aside: archive, share, delete, move) the document?
fn manages(person: &PersonFacts, doc: &DocFacts) -> bool {
    if person.disabled || doc.deleted {
        return false;
    }
    person.role == AccountRole::Admin
        || owner_role(person, doc.owner, &doc.owner_city_networks) >= Some(Role::Editor)
}

/// Does the person hold `owner` (admin, member of the city, assigned to the network)? Reaching a
/// network through one's city, or a city through an assigned network, is not holding it.
pub fn holds(person: &PersonFacts, owner: Owner) -> bool {
    if person.disabled {
        return false;
    }
    person.role == AccountRole::Admin
        || match owner {
            Owner::City(c) => person.cities.contains(&c),
            Owner::Network(n) => person.assigned_networks.contains(&n),
        }
}

/// May the person do `action` on the document?
pub fn can(person: &PersonFacts, action: Action, doc: &DocFacts) -> bool {
    let role = effective_role(person, doc);
    match action {
        Action::Read | Action::Export => role >= Some(Role::Viewer),
        Action::Annotate => role >= Some(Role::Commenter),
        Action::Edit | Action::Rename => role >= Some(Role::Editor),
        Action::Moderate => role >= Some(Role::Moderator),
        Action::Archive | Action::Share => manages(person, doc),
        Action::Delete | Action::Move => manages(person, doc) && holds(person, doc.owner),
        Action::Restore => !person.disabled && person.role == AccountRole::Admin,
    }
}

/// Everything one can ask to do with a review thread (or a reply in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadAction {
    Read,
    Create,
    Reply,
    /// Edit one's own thread or reply; delete one's own reply.
    EditOwn,
    Answer,
    /// Close or reopen.
    Close,
    /// Accept or reject a suggested wording.
    Decide,
    /// Delete someone else's reply.
    Moderate,
}

impl ThreadAction {
    pub const ALL: [ThreadAction; 8] = [
        ThreadAction::Read,
        ThreadAction::Create,
        ThreadAction::Reply,
        ThreadAction::EditOwn,
        ThreadAction::Answer,
        ThreadAction::Close,
        ThreadAction::Decide,
        ThreadAction::Moderate,
    ];
}

/// May the person do `action` on a thread (or reply) of the document? `own`: the person is the
/// author of the thread (for [`ThreadAction::Close`]) or of the reply/thread being edited (for
/// [`ThreadAction::EditOwn`]); ignored by the other actions.
pub fn can_thread(person: &PersonFacts, doc: &DocFacts, action: ThreadAction, own: bool) -> bool {
    let role = effective_role(person, doc);
    match action {
        ThreadAction::Read => role >= Some(Role::Viewer),
        ThreadAction::Create | ThreadAction::Reply => role >= Some(Role::Commenter),
        ThreadAction::EditOwn => own && role >= Some(Role::Commenter),
        ThreadAction::Answer | ThreadAction::Decide => role >= Some(Role::Editor),
        ThreadAction::Close => {
            (own && role >= Some(Role::Commenter)) || role >= Some(Role::Moderator)
        }
        ThreadAction::Moderate => role >= Some(Role::Moderator),
    }
}

/// May the person move the document to `to` (whose city networks are given)? Rights over both
/// owners: [`Action::Move`] on the document (which needs holding its owner) and creation in `to`.
pub fn can_move(
    person: &PersonFacts,
    doc: &DocFacts,
    to: Owner,
    to_city_networks: &BTreeSet<i64>,
) -> bool {
    can(person, Action::Move, doc) && can_create(person, to, to_city_networks)
}

/// The highest role the person may give in a share of the document: their own effective role
/// on it, computed as if it were not archived (a share outlives the archiving), or `None` when
/// they may not share it at all. Nobody hands out more than they have.
pub fn max_share_role(person: &PersonFacts, doc: &DocFacts) -> Option<Role> {
    if !can(person, Action::Share, doc) {
        return None;
    }
    let live = DocFacts {
        archived: false,
        ..doc.clone()
    };
    effective_role(person, &live)
}

/// May the person share the document at `role`?
pub fn can_share_at(person: &PersonFacts, doc: &DocFacts, role: Role) -> bool {
    max_share_role(person, doc).is_some_and(|max| role <= max)
}

/// May the person create a document owned by `owner` (whose city networks are given)?
pub fn can_create(person: &PersonFacts, owner: Owner, owner_city_networks: &BTreeSet<i64>) -> bool {
    if person.disabled {
        return false;
    }
    person.role == AccountRole::Admin
        || (matches!(person.role, AccountRole::Editor | AccountRole::Moderator)
            && owner_role(person, owner, owner_city_networks) >= Some(Role::Editor))
}

/// May the person manage people, cities, networks and read the audit trail?
pub fn is_admin(person: &PersonFacts) -> bool {
    !person.disabled && person.role == AccountRole::Admin
}

/// What someone may do with a document's version history (issue 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    /// See the named versions (list them, open one).
    ReadNamed,
    /// See every version, compare two, replay the timeline, see who wrote what.
    ReadAll,
    /// Name the current version.
    Name,
    /// Restore a version (a forward edit of the content).
    Restore,
}

impl HistoryAction {
    pub const ALL: [HistoryAction; 4] = [
        HistoryAction::ReadNamed,
        HistoryAction::ReadAll,
        HistoryAction::Name,
        HistoryAction::Restore,
    ];
}

/// May the person do `action` with the document's history? Everyone who reads it sees its
/// named versions; editors and moderators (effective role, so not while archived for the
/// writing ones) see everything, name versions and restore.
pub fn can_history(person: &PersonFacts, action: HistoryAction, doc: &DocFacts) -> bool {
    let role = effective_role(person, doc);
    match action {
        HistoryAction::ReadNamed => role >= Some(Role::Viewer),
        HistoryAction::ReadAll | HistoryAction::Name | HistoryAction::Restore => {
            role >= Some(Role::Editor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: AccountRole) -> PersonFacts {
        PersonFacts {
            id: 1,
            role,
            disabled: false,
            cities: BTreeSet::from([10]),
            assigned_networks: BTreeSet::new(),
            city_networks: BTreeSet::from([100]),
        }
    }

    #[test]
    fn share_is_capped_by_the_account_ceiling() {
        let doc = DocFacts {
            owner: Owner::City(99),
            owner_city_networks: BTreeSet::new(),
            archived: false,
            deleted: false,
            shares: vec![(Grantee::Person(1), Role::Moderator)],
        };
        assert_eq!(
            effective_role(&person(AccountRole::Commenter), &doc),
            Some(Role::Commenter)
        );
        assert_eq!(
            effective_role(&person(AccountRole::Editor), &doc),
            Some(Role::Editor)
        );
    }

    #[test]
    fn history_named_for_readers_everything_for_editors() {
        use super::HistoryAction::*;
        let doc = DocFacts {
            owner: Owner::City(1),
            owner_city_networks: BTreeSet::new(),
            archived: false,
            deleted: false,
            shares: Vec::new(),
        };
        let person = |role| PersonFacts {
            id: 1,
            role,
            disabled: false,
            cities: BTreeSet::from([1]),
            assigned_networks: BTreeSet::new(),
            city_networks: BTreeSet::new(),
        };
        let may = |p: &PersonFacts, d: &DocFacts| -> Vec<HistoryAction> {
            HistoryAction::ALL
                .into_iter()
                .filter(|a| can_history(p, *a, d))
                .collect()
        };
        assert_eq!(may(&person(AccountRole::Viewer), &doc), [ReadNamed]);
        assert_eq!(may(&person(AccountRole::Commenter), &doc), [ReadNamed]);
        assert_eq!(may(&person(AccountRole::Editor), &doc), HistoryAction::ALL);
        assert_eq!(
            may(&person(AccountRole::Moderator), &doc),
            HistoryAction::ALL
        );
        let archived = DocFacts {
            archived: true,
            ..doc.clone()
        };
        assert_eq!(may(&person(AccountRole::Editor), &archived), [ReadNamed]);
        let mut outsider = person(AccountRole::Editor);
        outsider.cities.clear();
        assert!(may(&outsider, &doc).is_empty());
    }
}
