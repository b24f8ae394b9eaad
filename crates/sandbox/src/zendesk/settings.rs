//! The account's fixed configuration: its brand, its organization and its custom agent roles.
//!
//! No recorded client changes these, so they are constants: every account has them, seeded or
//! restored, and they are never stored. The recorded account has one brand (the default, named
//! after the account), one organization its admin belongs to, and an `Admin` custom role
//! (`role_type` 4) its admin holds (`TestTicketCreateUpdateDelete.test_full_objects_create`,
//! the brand, organization, user and custom role lookups). The other roles are the default agent
//! roles of an account with custom roles; the sandbox lets every agent do the same whatever the
//! role, so their `configuration` describes and does not restrict.

use crate::common::datetime::UnixSeconds;

/// The brand every ticket belongs to; an account has at least one.
pub(crate) const BRAND_ID: u64 = 360_000_000_001;
/// The default ticket form, the brand's only one.
pub(crate) const TICKET_FORM_ID: u64 = 360_000_000_002;
/// The custom role of admins (`role_type` 4), as the recorded admin has one.
pub(crate) const ADMIN_ROLE_ID: u64 = 360_000_000_003;
/// The role agents get when none is named.
pub(crate) const STAFF_ROLE_ID: u64 = 360_000_000_004;
pub(crate) const ORGANIZATION_ID: u64 = 30_001;

/// 2023-11-09T09:00:00Z, when the demo account was set up, before its users.
const SET_UP_AT: UnixSeconds = 1_699_520_400;

/// The account's name, which the recorded default brand carries too.
const ACCOUNT_NAME: &str = "Flare Demo";

pub(crate) const BRAND: Brand = Brand {
    id: BRAND_ID,
    name: ACCOUNT_NAME,
    subdomain: "flare-demo",
    created_at: SET_UP_AT,
};

pub(crate) const ORGANIZATIONS: [Organization; 1] = [Organization {
    id: ORGANIZATION_ID,
    name: "Example Inc.",
    domain_names: &["example.com"],
    created_at: SET_UP_AT,
}];

/// The roles, in the order the account lists them.
pub(crate) const CUSTOM_ROLES: [CustomRole; 5] = [
    CustomRole {
        id: ADMIN_ROLE_ID,
        name: "Admin",
        // Recorded.
        description: "Can manage all settings, except billing",
        role_type: 4,
        access: Access::Admin,
        created_at: SET_UP_AT,
    },
    CustomRole {
        id: STAFF_ROLE_ID,
        name: "Staff",
        description: "Can edit tickets and make public and private comments",
        role_type: 0,
        access: Access::Staff,
        created_at: SET_UP_AT,
    },
    CustomRole {
        id: 360_000_000_005,
        name: "Team Leader",
        description: "Can edit and delete tickets and edit end users and organizations",
        role_type: 0,
        access: Access::TeamLeader,
        created_at: SET_UP_AT,
    },
    CustomRole {
        id: 360_000_000_006,
        name: "Advisor",
        description: "Can manage business rules and make private comments",
        role_type: 0,
        access: Access::Advisor,
        created_at: SET_UP_AT,
    },
    CustomRole {
        id: 360_000_000_007,
        name: "Light Agent",
        description: "Can view tickets and make private comments",
        // Light agents have their own role type.
        role_type: 1,
        access: Access::LightAgent,
        created_at: SET_UP_AT,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Brand {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) subdomain: &'static str,
    pub(crate) created_at: UnixSeconds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Organization {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) domain_names: &'static [&'static str],
    pub(crate) created_at: UnixSeconds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CustomRole {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// 0 for agent roles, 1 for light agents, 4 for admins, as `role_type` on users.
    pub(crate) role_type: u64,
    pub(crate) access: Access,
    pub(crate) created_at: UnixSeconds,
}

/// What a role's `configuration` grants, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Admin,
    TeamLeader,
    Staff,
    Advisor,
    LightAgent,
}

impl CustomRole {
    /// Whether users with the role `agent` may hold it; the admin role goes with the role `admin`.
    pub(crate) fn is_for_agents(&self) -> bool {
        self.role_type != 4
    }
}

pub(crate) fn custom_role(role_id: u64) -> Option<&'static CustomRole> {
    CUSTOM_ROLES.iter().find(|role| role.id == role_id)
}

pub(crate) fn organization(organization_id: u64) -> Option<&'static Organization> {
    ORGANIZATIONS
        .iter()
        .find(|organization| organization.id == organization_id)
}
