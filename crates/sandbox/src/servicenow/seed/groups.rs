//! The demo groups (Service Desk, Network, Hardware, Software, Database), their members, and
//! which seeded incidents they are assigned.

use crate::servicenow::schema::Table;
use crate::servicenow::seed::{
    insert, ADMIN_SYS_ID, BETH_ANGLIN_SYS_ID, DON_GOODLIFFE_SYS_ID, SEEDED_AT,
};
use crate::servicenow::store::{Database, User};

/// Adds the groups and memberships, and assigns the seeded incidents.
pub(crate) fn seed_groups(db: &mut Database, admin: &User) {
    for (sys_id, name, description) in GROUPS {
        let values = [
            ("sys_id", sys_id.to_owned()),
            ("name", name.to_owned()),
            ("description", description.to_owned()),
            (
                "email",
                format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            ),
        ];
        insert(db, Table::SysUserGroup, admin, &values, SEEDED_AT);
    }
    for (sys_id, group, user) in MEMBERSHIPS {
        let values = [
            ("sys_id", sys_id.to_owned()),
            ("group", group.to_owned()),
            ("user", user.to_owned()),
        ];
        insert(db, Table::SysUserGrmember, admin, &values, SEEDED_AT);
    }
    for (incident, group) in ASSIGNMENTS {
        if let Some(mut record) = db.get(Table::Incident, incident).cloned() {
            record.set("assignment_group", group);
            db.replace(record);
        }
    }
}

/// The groups of the issue (Service Desk, Network, Hardware, Software, Database); the Network,
/// Hardware and Software sys_ids are the ones in `c_TableAPI.md`'s examples.
const GROUPS: [(&str, &str, &str); 5] = [
    (
        "d625dccec0a8016700a222a0f7900d06",
        "Service Desk",
        "First line support",
    ),
    (
        "287ebd7da9fe198100f92cc8d1d2154e",
        "Network",
        "Network support",
    ),
    (
        "8a5055c9c61122780043563ef53438e3",
        "Hardware",
        "Hardware support",
    ),
    (
        "8a4dde73c6112278017a6a4baf547aa7",
        "Software",
        "Software support",
    ),
    (
        "287ee6fea9fe198100ada7950d0b1b73",
        "Database",
        "Database administration",
    ),
];

/// (membership sys_id, group, user).
const MEMBERSHIPS: [(&str, &str, &str); 6] = [
    (
        "0a52d3dcd7011200f2d224837e6103f2",
        "d625dccec0a8016700a222a0f7900d06",
        BETH_ANGLIN_SYS_ID,
    ),
    (
        "0a52d3dcd7011200f2d224837e6103f3",
        "8a5055c9c61122780043563ef53438e3",
        BETH_ANGLIN_SYS_ID,
    ),
    (
        "0a52d3dcd7011200f2d224837e6103f4",
        "8a4dde73c6112278017a6a4baf547aa7",
        BETH_ANGLIN_SYS_ID,
    ),
    (
        "0a52d3dcd7011200f2d224837e6103f5",
        "287ebd7da9fe198100f92cc8d1d2154e",
        DON_GOODLIFFE_SYS_ID,
    ),
    (
        "0a52d3dcd7011200f2d224837e6103f6",
        "287ee6fea9fe198100ada7950d0b1b73",
        ADMIN_SYS_ID,
    ),
    (
        "0a52d3dcd7011200f2d224837e6103f7",
        "d625dccec0a8016700a222a0f7900d06",
        DON_GOODLIFFE_SYS_ID,
    ),
];

/// (incident, group) assignments of the seeded incidents.
const ASSIGNMENTS: [(&str, &str); 4] = [
    (
        "46b66a40a9fe198101f243dfbc79033d",
        "8a4dde73c6112278017a6a4baf547aa7",
    ),
    (
        "57af7aec73d423002728660c4cf6a71c",
        "8a5055c9c61122780043563ef53438e3",
    ),
    (
        "8d6353eac0a8016400d8a125ca14fc1f",
        "287ebd7da9fe198100f92cc8d1d2154e",
    ),
    (
        "a9e30c7dc61122760116894de7bcc7bd",
        "8a5055c9c61122780043563ef53438e3",
    ),
];
