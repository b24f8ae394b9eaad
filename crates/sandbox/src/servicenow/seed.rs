//! The demo data: fixed users and incidents, with fixed sys_ids and timestamps, so every fresh
//! sandbox holds exactly the same records. The groups are in `groups.rs`, the requests and
//! changes in `tasks.rs`.

mod groups;
mod tasks;

use crate::common::datetime::{self, UnixSeconds};
use crate::servicenow::schema::Table;
use crate::servicenow::store::{Database, User};
use crate::servicenow::table;

/// The admin's sys_id on every developer instance (it is `opened_by` throughout the recordings).
pub(crate) const ADMIN_SYS_ID: &str = "6816f79cc0a8016401c5a33be04be441";
pub(crate) const BETH_ANGLIN_SYS_ID: &str = "46d44a23a9fe19810012d100cca80666";
pub(crate) const ABEL_TUTER_SYS_ID: &str = "62826bf03710200044e0bfc8bcbe5df1";
const DON_GOODLIFFE_SYS_ID: &str = "9ee1b13dc6112271007f9d0efdb69cd0";
const FRED_LUDDY_SYS_ID: &str = "5137153cc611227c000bbd1bd8cd2005";
const DAVID_MILLER_SYS_ID: &str = "a8f98bb0eb32010045e1a5115206fe3a";
const CHARLIE_WHITHERSPOON_SYS_ID: &str = "5137153cc611227c000bbd1bd8cd2007";

/// When the demo data was "created": 2024-03-04 09:00:00 UTC.
const SEEDED_AT: UnixSeconds = 1_709_542_800;

/// The sign-in details printed on start; the only users with passwords.
pub const DEMO_CREDENTIALS: [DemoCredential; 3] = [
    DemoCredential {
        user_name: "admin",
        password: "admin",
        description: "System Administrator, admin role",
    },
    DemoCredential {
        user_name: "itil",
        password: "itil",
        description: "Beth Anglin, itil agent",
    },
    DemoCredential {
        user_name: "abel.tuter",
        password: "abel.tuter",
        description: "Abel Tuter, end user without roles",
    },
];

/// A demo user enrolled in multi-factor authentication: Basic auth with the right password is
/// answered 401 with `X-MFA_TOKEN: invalid` (c_RESTAPI.md); signing in through OAuth works.
pub const MFA_CREDENTIAL: DemoCredential = DemoCredential {
    user_name: "fred.luddy",
    password: "fred.luddy",
    description: "Fred Luddy, end user with multi-factor authentication: sign in with OAuth",
};

/// Whether the user must give a second factor, which Basic auth cannot carry.
pub(crate) fn requires_mfa(user_name: &str) -> bool {
    user_name == MFA_CREDENTIAL.user_name
}

/// A demo user's sign-in details.
#[derive(Debug, Clone, Copy)]
pub struct DemoCredential {
    /// The `user_name`.
    pub user_name: &'static str,
    /// The password.
    pub password: &'static str,
    /// Who the user is, for people reading the start-up banner.
    pub description: &'static str,
}

struct SeedUser {
    sys_id: &'static str,
    user_name: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    title: &'static str,
    roles: &'static str,
}

struct SeedIncident {
    sys_id: &'static str,
    number: &'static str,
    /// Hours after [`SEEDED_AT`].
    opened_hours: i64,
    caller: &'static str,
    short_description: &'static str,
    description: &'static str,
    state: &'static str,
    urgency: &'static str,
    impact: &'static str,
    category: &'static str,
    assigned_to: &'static str,
}

const USERS: [SeedUser; 7] = [
    SeedUser {
        sys_id: ADMIN_SYS_ID,
        user_name: "admin",
        first_name: "System",
        last_name: "Administrator",
        title: "System Administrator",
        roles: "admin",
    },
    SeedUser {
        sys_id: BETH_ANGLIN_SYS_ID,
        user_name: "itil",
        first_name: "Beth",
        last_name: "Anglin",
        title: "Service Desk Analyst",
        roles: "itil",
    },
    SeedUser {
        sys_id: ABEL_TUTER_SYS_ID,
        user_name: "abel.tuter",
        first_name: "Abel",
        last_name: "Tuter",
        title: "Sales Manager",
        roles: "",
    },
    SeedUser {
        sys_id: DON_GOODLIFFE_SYS_ID,
        user_name: "don.goodliffe",
        first_name: "Don",
        last_name: "Goodliffe",
        title: "Network Engineer",
        roles: "itil",
    },
    SeedUser {
        sys_id: FRED_LUDDY_SYS_ID,
        user_name: "fred.luddy",
        first_name: "Fred",
        last_name: "Luddy",
        title: "Chief Architect",
        roles: "",
    },
    SeedUser {
        sys_id: DAVID_MILLER_SYS_ID,
        user_name: "david.miller",
        first_name: "David",
        last_name: "Miller",
        title: "Accountant",
        roles: "",
    },
    SeedUser {
        sys_id: CHARLIE_WHITHERSPOON_SYS_ID,
        user_name: "charlie.whitherspoon",
        first_name: "Charlie",
        last_name: "Whitherspoon",
        title: "Marketing Specialist",
        roles: "",
    },
];

const INCIDENTS: [SeedIncident; 8] = [
    SeedIncident {
        sys_id: "1c741bd70b2322007518478d83673af3",
        number: "INC0000001",
        opened_hours: 0,
        caller: ABEL_TUTER_SYS_ID,
        short_description: "Unable to connect to office wifi",
        description: "My laptop no longer joins the CORP wifi network since this morning.",
        state: "1",
        urgency: "2",
        impact: "2",
        category: "network",
        assigned_to: "",
    },
    SeedIncident {
        sys_id: "46b66a40a9fe198101f243dfbc79033d",
        number: "INC0000002",
        opened_hours: 3,
        caller: ABEL_TUTER_SYS_ID,
        short_description: "Email attachments do not open",
        description: "PDF attachments show an error when I open them from the mail client.",
        state: "2",
        urgency: "2",
        impact: "3",
        category: "software",
        assigned_to: BETH_ANGLIN_SYS_ID,
    },
    SeedIncident {
        sys_id: "57af7aec73d423002728660c4cf6a71c",
        number: "INC0000003",
        opened_hours: 26,
        caller: ABEL_TUTER_SYS_ID,
        short_description: "Laptop battery drains within an hour",
        description: "The battery indicator drops from full to empty in about an hour.",
        state: "6",
        urgency: "3",
        impact: "3",
        category: "hardware",
        assigned_to: BETH_ANGLIN_SYS_ID,
    },
    SeedIncident {
        sys_id: "8d6353eac0a8016400d8a125ca14fc1f",
        number: "INC0000004",
        opened_hours: 30,
        caller: DON_GOODLIFFE_SYS_ID,
        short_description: "VPN disconnects every ten minutes",
        description: "The VPN client drops the connection and asks to sign in again.",
        state: "3",
        urgency: "2",
        impact: "2",
        category: "network",
        assigned_to: BETH_ANGLIN_SYS_ID,
    },
    SeedIncident {
        sys_id: "9c573169c611228700193229fff72400",
        number: "INC0000005",
        opened_hours: 49,
        caller: FRED_LUDDY_SYS_ID,
        short_description: "SAP sign-in page times out",
        description: "Nobody in finance can sign in to SAP; the page times out.",
        state: "1",
        urgency: "1",
        impact: "1",
        category: "software",
        assigned_to: "",
    },
    SeedIncident {
        sys_id: "a9e30c7dc61122760116894de7bcc7bd",
        number: "INC0000006",
        opened_hours: 52,
        caller: DAVID_MILLER_SYS_ID,
        short_description: "Printer on the third floor jams",
        description: "The printer by the kitchen jams on every duplex job.",
        state: "7",
        urgency: "3",
        impact: "2",
        category: "hardware",
        assigned_to: BETH_ANGLIN_SYS_ID,
    },
    SeedIncident {
        sys_id: "e8caedcbc0a80164017df472f39eaed1",
        number: "INC0000007",
        opened_hours: 75,
        caller: CHARLIE_WHITHERSPOON_SYS_ID,
        short_description: "Request for a second monitor",
        description: "I would like a second monitor for my desk.",
        state: "8",
        urgency: "3",
        impact: "3",
        category: "inquiry",
        assigned_to: "",
    },
    SeedIncident {
        sys_id: "ef43c6d40a0a0b5700c77f9bf387afe3",
        number: "INC0000008",
        opened_hours: 98,
        caller: ABEL_TUTER_SYS_ID,
        short_description: "Shared drive is read-only",
        description: "I cannot save files to the S: drive any more.",
        state: "1",
        urgency: "3",
        impact: "3",
        category: "software",
        assigned_to: "",
    },
];

/// A database holding the demo users and incidents.
pub(crate) fn demo_database() -> Database {
    let mut db = Database::default();
    let admin = User {
        sys_id: ADMIN_SYS_ID.to_owned(),
        user_name: "admin".to_owned(),
        roles: vec!["admin".to_owned()],
    };
    for user in &USERS {
        let values = [
            ("sys_id", user.sys_id.to_owned()),
            ("user_name", user.user_name.to_owned()),
            ("first_name", user.first_name.to_owned()),
            ("last_name", user.last_name.to_owned()),
            ("email", format!("{}@example.com", user.user_name)),
            ("title", user.title.to_owned()),
            ("roles", user.roles.to_owned()),
            ("time_zone", "GMT".to_owned()),
        ];
        insert(&mut db, Table::SysUser, &admin, &values, SEEDED_AT);
    }
    for credential in DEMO_CREDENTIALS.iter().chain([&MFA_CREDENTIAL]) {
        db.set_password(credential.user_name, credential.password);
    }
    for incident in &INCIDENTS {
        let opened_at = SEEDED_AT + incident.opened_hours * 3600;
        let active = if matches!(incident.state, "7" | "8") {
            "false"
        } else {
            "true"
        };
        let mut values = vec![
            ("sys_id", incident.sys_id.to_owned()),
            ("number", incident.number.to_owned()),
            ("caller_id", incident.caller.to_owned()),
            ("opened_by", incident.caller.to_owned()),
            ("opened_at", datetime::format(opened_at)),
            ("short_description", incident.short_description.to_owned()),
            ("description", incident.description.to_owned()),
            ("state", incident.state.to_owned()),
            ("urgency", incident.urgency.to_owned()),
            ("impact", incident.impact.to_owned()),
            ("category", incident.category.to_owned()),
            ("assigned_to", incident.assigned_to.to_owned()),
            ("active", active.to_owned()),
            ("contact_type", "self-service".to_owned()),
        ];
        if matches!(incident.state, "6" | "7") {
            let resolved_at = datetime::format(opened_at + 20 * 3600);
            values.extend([
                ("close_code", "Solution provided".to_owned()),
                (
                    "close_notes",
                    "Replaced the faulty part; the caller confirmed the fix.".to_owned(),
                ),
                ("resolved_by", BETH_ANGLIN_SYS_ID.to_owned()),
                ("resolved_at", resolved_at),
            ]);
        }
        if incident.state == "3" {
            values.push(("hold_reason", "1".to_owned()));
        }
        insert(&mut db, Table::Incident, &admin, &values, opened_at);
    }
    groups::seed_groups(&mut db, &admin);
    tasks::seed_requests(&mut db, &admin);
    tasks::seed_changes(&mut db, &admin);
    seed_journal(&mut db);
    db
}

/// A comment from the caller and a work note from the agent on INC0000002:
/// (sys_id, element, author user_name, text, hours after [`SEEDED_AT`]).
const JOURNAL: [(&str, &str, &str, &str, i64); 2] = [
    (
        "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "comments",
        "abel.tuter",
        "It happens with every PDF, even small ones.",
        4,
    ),
    (
        "a1b2c3d4e5f60718293a4b5c6d7e8f91",
        "work_notes",
        "itil",
        "Reproduced on a test laptop; the PDF handler is missing.",
        5,
    ),
];

fn seed_journal(db: &mut Database) {
    for (sys_id, element, author, text, hours) in JOURNAL {
        let author = User {
            sys_id: String::new(),
            user_name: author.to_owned(),
            roles: Vec::new(),
        };
        let values = [
            ("sys_id", sys_id.to_owned()),
            ("element", element.to_owned()),
            ("element_id", "46b66a40a9fe198101f243dfbc79033d".to_owned()),
            ("name", "incident".to_owned()),
            ("value", text.to_owned()),
        ];
        let created = SEEDED_AT + hours * 3600;
        insert(db, Table::SysJournalField, &author, &values, created);
    }
}

/// Words the generated incidents' short descriptions are made of.
const GENERATED_PROBLEMS: [&str; 8] = [
    "Cannot sign in to",
    "Slow response from",
    "Error message in",
    "Crash when opening",
    "No access to",
    "Password reset needed for",
    "Sync fails in",
    "Printing fails from",
];
const GENERATED_SYSTEMS: [&str; 6] = [
    "Outlook",
    "SAP",
    "the VPN",
    "Teams",
    "the intranet",
    "Salesforce",
];
const GENERATED_STATES: [&str; 6] = ["1", "2", "3", "6", "7", "8"];

/// Adds `count` more incidents for scale tests (`--seed-incidents N`): deterministic, spread over
/// the callers, states, urgencies and impacts, opened ten minutes apart before the demo data, and
/// numbered on from INC0010001 like incidents created on a developer instance.
pub(crate) fn add_generated_incidents(db: &mut Database, count: usize) {
    let admin = User {
        sys_id: ADMIN_SYS_ID.to_owned(),
        user_name: "admin".to_owned(),
        roles: Vec::new(),
    };
    let callers = [
        ABEL_TUTER_SYS_ID,
        FRED_LUDDY_SYS_ID,
        DAVID_MILLER_SYS_ID,
        CHARLIE_WHITHERSPOON_SYS_ID,
        DON_GOODLIFFE_SYS_ID,
    ];
    for (incident_idx, minutes_before) in (0..count).zip((1_i64..).map(|step| step * 10)) {
        let state = GENERATED_STATES[incident_idx % GENERATED_STATES.len()];
        let short_description = format!(
            "{} {}",
            GENERATED_PROBLEMS[incident_idx % GENERATED_PROBLEMS.len()],
            GENERATED_SYSTEMS[incident_idx / GENERATED_PROBLEMS.len() % GENERATED_SYSTEMS.len()]
        );
        let caller = callers[incident_idx % callers.len()];
        let opened_at = SEEDED_AT - minutes_before * 60;
        let mut values = vec![
            ("caller_id", caller.to_owned()),
            ("opened_by", caller.to_owned()),
            ("short_description", short_description),
            ("state", state.to_owned()),
            ("urgency", (1 + incident_idx % 3).to_string()),
            ("impact", (1 + incident_idx / 3 % 3).to_string()),
        ];
        if matches!(state, "6" | "7") {
            values.push(("close_code", "Solution provided".to_owned()));
            values.push(("close_notes", "Fixed.".to_owned()));
        }
        let mut record = table::build_record(Table::Incident, &admin, &values, opened_at);
        record.set("sys_id", db.new_sys_id());
        if let Some(number) = db.next_number(Table::Incident) {
            record.set("number", number);
        }
        db.insert(record);
    }
}

/// Adds a record of `table` with `values`, created by `author` at `created`.
fn insert(
    db: &mut Database,
    table: Table,
    author: &User,
    values: &[(&str, String)],
    created: UnixSeconds,
) {
    db.insert(table::build_record(table, author, values, created));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servicenow::schema::FieldKind;

    /// Every value of the choice field `field` has a demo record in it.
    fn check_every_choice(table: Table, field: &str) {
        let db = demo_database();
        let Some(FieldKind::Choice(choices)) = table.field(field).map(|field| field.kind) else {
            panic!("{}.{field} is a choice", table.name());
        };
        let seeded: Vec<&str> = db
            .records(table)
            .iter()
            .map(|record| record.get(field))
            .collect();
        let missing: Vec<&str> = choices
            .iter()
            .map(|(value, _)| *value)
            .filter(|value| !seeded.contains(value))
            .collect();
        assert_eq!(missing, Vec::<&str>::new(), "{}.{field}", table.name());
    }

    #[test]
    fn the_demo_data_has_a_record_in_every_state() {
        check_every_choice(Table::Incident, "state");
        check_every_choice(Table::ScRequest, "state");
        check_every_choice(Table::ScRequest, "request_state");
        check_every_choice(Table::ScReqItem, "state");
        check_every_choice(Table::ChangeRequest, "state");
    }
}
