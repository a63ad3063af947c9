//! The permission matrix at the policy level: every persona × every action on a city document,
//! a network document and a shared document, written out by hand (so a change to the rules
//! has to change this table too), plus archived/deleted states, creation rights, moving between
//! owners and the highest role each may share at.

use std::collections::BTreeSet;

use narada_accounts::policy::{
    can, can_create, can_move, can_share_at, effective_role, max_share_role, AccountRole, Action,
    DocFacts, Grantee, Owner, PersonFacts,
};
use narada_auth::Role;

const N1: i64 = 1;
const N2: i64 = 2;
const A: i64 = 10; // in N1
const B: i64 = 11; // in N1
const C: i64 = 12; // in N2

fn networks_of(city: i64) -> BTreeSet<i64> {
    match city {
        A | B => BTreeSet::from([N1]),
        _ => BTreeSet::from([N2]),
    }
}

fn person(id: i64, role: AccountRole, cities: &[i64], assigned: &[i64]) -> PersonFacts {
    PersonFacts {
        id,
        role,
        disabled: false,
        cities: cities.iter().copied().collect(),
        assigned_networks: assigned.iter().copied().collect(),
        city_networks: cities.iter().flat_map(|c| networks_of(*c)).collect(),
    }
}

fn personas() -> Vec<(&'static str, PersonFacts)> {
    let mut disabled = person(10, AccountRole::Editor, &[A], &[]);
    disabled.disabled = true;
    vec![
        ("admin", person(1, AccountRole::Admin, &[], &[])),
        (
            "moderator_n1",
            person(2, AccountRole::Moderator, &[], &[N1]),
        ),
        ("editor_a", person(3, AccountRole::Editor, &[A], &[])),
        ("editor_b", person(4, AccountRole::Editor, &[B], &[])),
        ("editor_c", person(5, AccountRole::Editor, &[C], &[])),
        (
            "commenter_n1",
            person(6, AccountRole::Commenter, &[], &[N1]),
        ),
        (
            "commenter_n2",
            person(7, AccountRole::Commenter, &[], &[N2]),
        ),
        ("viewer_a", person(8, AccountRole::Viewer, &[A], &[])),
        ("editor_n1", person(9, AccountRole::Editor, &[], &[N1])),
        ("disabled_a", disabled),
    ]
}

fn docs() -> Vec<(&'static str, DocFacts)> {
    vec![
        (
            "city_a",
            DocFacts {
                owner: Owner::City(A),
                owner_city_networks: networks_of(A),
                archived: false,
                deleted: false,
                shares: vec![],
            },
        ),
        (
            "network_n1",
            DocFacts {
                owner: Owner::Network(N1),
                owner_city_networks: BTreeSet::new(),
                archived: false,
                deleted: false,
                shares: vec![],
            },
        ),
        (
            "shared_c",
            DocFacts {
                owner: Owner::City(C),
                owner_city_networks: networks_of(C),
                archived: false,
                deleted: false,
                shares: vec![
                    (Grantee::Person(8), Role::Editor), // viewer_a: capped to viewer
                    (Grantee::Person(6), Role::Editor), // commenter_n1: capped to commenter
                    (Grantee::City(B), Role::Editor),   // editor_b via their city
                    (Grantee::Person(2), Role::Commenter), // moderator_n1
                ],
            },
        ),
    ]
}

/// Action letters: r read, a annotate, e edit, m moderate, n rename, x archive, s share,
/// d delete, v move, o restore, p export.
fn letter(a: Action) -> char {
    match a {
        Action::Read => 'r',
        Action::Annotate => 'a',
        Action::Edit => 'e',
        Action::Moderate => 'm',
        Action::Rename => 'n',
        Action::Archive => 'x',
        Action::Share => 's',
        Action::Delete => 'd',
        Action::Move => 'v',
        Action::Restore => 'o',
        Action::Export => 'p',
    }
}

use Role::{Commenter as Co, Editor as Ed, Moderator as Mo, Viewer as Vi};

/// (persona, document, effective role, allowed actions)
const MATRIX: &[(&str, &str, Option<Role>, &str)] = &[
    ("admin", "city_a", Some(Mo), "raemnxsdvop"),
    ("admin", "network_n1", Some(Mo), "raemnxsdvop"),
    ("admin", "shared_c", Some(Mo), "raemnxsdvop"),
    ("moderator_n1", "city_a", Some(Mo), "raemnxsp"),
    ("moderator_n1", "network_n1", Some(Mo), "raemnxsdvp"),
    ("moderator_n1", "shared_c", Some(Co), "rap"),
    ("editor_a", "city_a", Some(Ed), "raenxsdvp"),
    ("editor_a", "network_n1", Some(Ed), "raenxsp"),
    ("editor_a", "shared_c", None, ""),
    ("editor_b", "city_a", None, ""),
    ("editor_b", "network_n1", Some(Ed), "raenxsp"),
    ("editor_b", "shared_c", Some(Ed), "raenp"),
    ("editor_c", "city_a", None, ""),
    ("editor_c", "network_n1", None, ""),
    ("editor_c", "shared_c", Some(Ed), "raenxsdvp"),
    ("commenter_n1", "city_a", Some(Co), "rap"),
    ("commenter_n1", "network_n1", Some(Co), "rap"),
    ("commenter_n1", "shared_c", Some(Co), "rap"),
    ("commenter_n2", "city_a", None, ""),
    ("commenter_n2", "network_n1", None, ""),
    ("commenter_n2", "shared_c", Some(Co), "rap"),
    ("viewer_a", "city_a", Some(Vi), "rp"),
    ("viewer_a", "network_n1", Some(Vi), "rp"),
    ("viewer_a", "shared_c", Some(Vi), "rp"),
    ("editor_n1", "city_a", Some(Vi), "rp"),
    ("editor_n1", "network_n1", Some(Ed), "raenxsdvp"),
    ("editor_n1", "shared_c", None, ""),
    ("disabled_a", "city_a", None, ""),
    ("disabled_a", "network_n1", None, ""),
    ("disabled_a", "shared_c", None, ""),
];

#[test]
fn every_persona_every_action_every_document() {
    let personas = personas();
    let docs = docs();
    assert_eq!(
        MATRIX.len(),
        personas.len() * docs.len(),
        "the table covers every pair"
    );
    let mut failures = Vec::new();
    for (pname, dname, role, allowed) in MATRIX {
        let p = &personas
            .iter()
            .find(|(n, _)| n == pname)
            .expect("persona")
            .1;
        let d = &docs.iter().find(|(n, _)| n == dname).expect("doc").1;
        let got_role = effective_role(p, d);
        if got_role != *role {
            failures.push(format!(
                "{pname} on {dname}: role {got_role:?}, expected {role:?}"
            ));
        }
        let got: String = Action::ALL
            .into_iter()
            .filter(|a| can(p, *a, d))
            .map(letter)
            .collect();
        let want: String = Action::ALL
            .into_iter()
            .map(letter)
            .filter(|c| allowed.contains(*c))
            .collect();
        if got != want {
            failures.push(format!(
                "{pname} on {dname}: may {got:?}, expected {want:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "policy mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn archived_documents_are_read_only_but_managers_can_unarchive() {
    let personas = personas();
    let mut d = docs().remove(0).1;
    d.archived = true;
    let editor_a = &personas[2].1;
    assert_eq!(effective_role(editor_a, &d), Some(Role::Viewer));
    assert!(can(editor_a, Action::Read, &d));
    assert!(!can(editor_a, Action::Edit, &d));
    assert!(!can(editor_a, Action::Rename, &d));
    assert!(
        can(editor_a, Action::Archive, &d),
        "the owner's editor may unarchive"
    );
    let admin = &personas[0].1;
    assert_eq!(effective_role(admin, &d), Some(Role::Viewer));
    let commenter = &personas[5].1;
    assert_eq!(effective_role(commenter, &d), Some(Role::Viewer));
    assert!(!can(commenter, Action::Annotate, &d));
}

#[test]
fn deleted_documents_give_nobody_a_role_and_only_admins_restore() {
    let personas = personas();
    for (_, mut d) in docs() {
        d.deleted = true;
        for (name, p) in &personas {
            assert_eq!(effective_role(p, &d), None, "{name}");
            for a in Action::ALL {
                let want = a == Action::Restore && *name == "admin";
                assert_eq!(can(p, a, &d), want, "{name} {a:?}");
            }
        }
    }
}

#[test]
fn creation_rights() {
    let personas = personas();
    let by = |n: &str| {
        personas
            .iter()
            .find(|(p, _)| *p == n)
            .expect("persona")
            .1
            .clone()
    };
    let city = |c: i64| (Owner::City(c), networks_of(c));
    let net = |n: i64| (Owner::Network(n), BTreeSet::new());
    type Case = (&'static str, (Owner, BTreeSet<i64>), bool);
    let cases: &[Case] = &[
        ("admin", city(C), true),
        ("admin", net(N2), true),
        ("editor_a", city(A), true),
        ("editor_a", city(B), false),
        ("editor_a", net(N1), true),
        ("editor_a", net(N2), false),
        ("moderator_n1", city(A), true),
        ("moderator_n1", net(N1), true),
        ("moderator_n1", net(N2), false),
        ("commenter_n1", city(A), false),
        ("commenter_n1", net(N1), false),
        ("viewer_a", city(A), false),
        ("editor_n1", city(A), false),
        ("editor_n1", net(N1), true),
        ("disabled_a", city(A), false),
    ];
    for (name, (owner, nets), want) in cases {
        assert_eq!(
            can_create(&by(name), *owner, nets),
            *want,
            "{name} creating in {owner:?}"
        );
    }
}

#[test]
fn a_share_never_lifts_above_the_account_ceiling_nor_lowers_an_owner_role() {
    let personas = personas();
    let mut d = docs().remove(0).1; // city_a
                                    // editor_a is home editor; a viewer share to them must not lower that.
    d.shares.push((Grantee::Person(3), Role::Viewer));
    assert_eq!(effective_role(&personas[2].1, &d), Some(Role::Editor));
    // A moderator share to a commenter stays commenter.
    d.shares.push((Grantee::Person(7), Role::Moderator));
    assert_eq!(effective_role(&personas[6].1, &d), Some(Role::Commenter));
}

fn persona(name: &str) -> PersonFacts {
    personas()
        .into_iter()
        .find(|(p, _)| *p == name)
        .expect("persona")
        .1
}

fn doc(name: &str) -> DocFacts {
    docs().into_iter().find(|(d, _)| *d == name).expect("doc").1
}

#[test]
fn moving_needs_rights_over_both_owners() {
    let city = |c: i64| (Owner::City(c), networks_of(c));
    let net = |n: i64| (Owner::Network(n), BTreeSet::new());
    type Case = (&'static str, &'static str, (Owner, BTreeSet<i64>), bool);
    let cases: &[Case] = &[
        // The field test's case: a city editor reaches the network's document through their
        // city, edits it, but may not take it into their city (nor, so, delete it there).
        ("editor_a", "network_n1", city(A), false),
        ("editor_b", "network_n1", city(B), false),
        // Their own city's document: into their city's network, but not into another city.
        ("editor_a", "city_a", net(N1), true),
        ("editor_a", "city_a", city(B), false),
        ("editor_a", "city_a", net(N2), false),
        // The network's assigned moderator holds the network, not the cities it advises.
        ("moderator_n1", "network_n1", city(A), true),
        ("moderator_n1", "city_a", net(N1), false),
        ("moderator_n1", "city_a", city(B), false),
        // An editor assigned to the network holds it, but only reads its cities' documents.
        ("editor_n1", "network_n1", city(A), false),
        ("editor_n1", "network_n1", net(N1), true),
        ("editor_c", "shared_c", net(N2), true),
        ("editor_b", "shared_c", city(B), false),
        ("commenter_n1", "network_n1", city(A), false),
        ("admin", "network_n1", city(C), true),
        ("admin", "city_a", net(N2), true),
        ("disabled_a", "city_a", net(N1), false),
    ];
    for (who, what, (to, nets), want) in cases {
        assert_eq!(
            can_move(&persona(who), &doc(what), *to, nets),
            *want,
            "{who} moving {what} to {to:?}"
        );
    }
}

#[test]
fn nobody_shares_above_their_own_role() {
    type Case = (&'static str, &'static str, Option<Role>);
    let cases: &[Case] = &[
        ("admin", "city_a", Some(Mo)),
        ("admin", "shared_c", Some(Mo)),
        ("moderator_n1", "city_a", Some(Mo)),
        ("moderator_n1", "network_n1", Some(Mo)),
        ("editor_a", "city_a", Some(Ed)),
        ("editor_a", "network_n1", Some(Ed)),
        ("editor_c", "shared_c", Some(Ed)),
        ("editor_n1", "network_n1", Some(Ed)),
        // Those who may not share have no share role at all (a share is never a right to share).
        ("editor_b", "shared_c", None),
        ("moderator_n1", "shared_c", None),
        ("commenter_n1", "city_a", None),
        ("viewer_a", "city_a", None),
        ("disabled_a", "city_a", None),
    ];
    for (who, what, max) in cases {
        let (p, d) = (persona(who), doc(what));
        assert_eq!(max_share_role(&p, &d), *max, "{who} on {what}");
        for role in [Vi, Co, Ed, Mo] {
            assert_eq!(
                can_share_at(&p, &d, role),
                max.is_some_and(|m| role <= m),
                "{who} sharing {what} at {role}"
            );
        }
    }
    // Archived, the editor reads only, but a share outlives the archive: the cap is the role
    // they have when it is not archived.
    let mut archived = doc("city_a");
    archived.archived = true;
    assert_eq!(max_share_role(&persona("editor_a"), &archived), Some(Ed));
    assert!(!can_share_at(&persona("editor_a"), &archived, Mo));
}
