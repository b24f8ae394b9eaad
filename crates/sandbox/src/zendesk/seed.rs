//! The demo account: fixed users of the one organization (`settings.rs`), the groups of issue 3's
//! demo data (Support, the account's default group, as the recorded account's is, then Network,
//! Hardware, Software and Database), the two agents as members of Support, and twelve tickets, two
//! in each status, with public comments and internal notes and the audits that made them.
//! Everything is deterministic (fixed ids and times), so tests and the demo can name records.
//!
//! Ticket 1 also plays the recorded account's first ticket, Zendesk's sample ticket, whose audits
//! the recorded audit lists start with (`TestTicketAudits`): the account made it, so its audits
//! name no client, and gave it its type and priority in a second audit. The others came in through
//! the web, each comment in an audit of its own.

use flare_core::providers::zendesk::{TicketPriority, TicketStatus, TicketType};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{
    Account, Audit, AuditEvent, Channel, Comment, Group, GroupMembership, Role, Ticket, User,
};
use crate::zendesk::auth::API_TOKEN;
use crate::zendesk::settings::ORGANIZATION_ID;
use crate::zendesk::tickets;
use crate::zendesk::users::default_custom_role;

/// A demo sign-in: the e-mail address with `/token` and the API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLogin {
    /// The user's e-mail address.
    pub email: &'static str,
    /// The API token (the same for every user of the account).
    pub api_token: &'static str,
    /// Who this is.
    pub description: &'static str,
}

/// The sign-ins the sandbox prints on start (issue 3, "Running it").
pub const DEMO_LOGINS: [DemoLogin; 2] = [
    DemoLogin {
        email: "admin@example.com",
        api_token: API_TOKEN,
        description: "Ada Admin, admin: sees and changes every ticket",
    },
    DemoLogin {
        email: "user@example.com",
        api_token: API_TOKEN,
        description: "Uma User, end user: the Tickets API answers 403",
    },
];

pub(crate) const ADMIN_ID: u64 = 10_001;
pub(crate) const AGENT_ID: u64 = 10_002;
pub(crate) const USER_ID: u64 = 10_003;
pub(crate) const OTHER_USER_ID: u64 = 10_004;
pub(crate) const SUPPORT_GROUP_ID: u64 = 40_001;

/// 2024-01-08T09:00:00Z, when the demo account's history starts.
const START: UnixSeconds = 1_704_704_400;
const HOUR: UnixSeconds = 3600;

/// The browser the seeded web tickets came from, as their audits' `metadata.system.client`.
const WEB_CLIENT: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

/// One seeded ticket: who asked, what, and the conversation after the first comment.
struct SeedTicket {
    subject: &'static str,
    description: &'static str,
    status: TicketStatus,
    priority: Option<TicketPriority>,
    ticket_type: Option<TicketType>,
    requester_id: u64,
    assignee_id: Option<u64>,
    tags: &'static [&'static str],
    /// Later comments: author, text, public.
    replies: &'static [(u64, &'static str, bool)],
}

const TICKETS: [SeedTicket; 12] = [
    SeedTicket {
        subject: "Printer on fire",
        description: "The printer on floor 2 is smoking. Please send someone.",
        status: TicketStatus::New,
        priority: Some(TicketPriority::Urgent),
        ticket_type: Some(TicketType::Incident),
        requester_id: USER_ID,
        assignee_id: None,
        tags: &["printer", "hardware"],
        replies: &[],
    },
    SeedTicket {
        subject: "Cannot connect to the VPN",
        description: "Since this morning the VPN client says my certificate expired.",
        status: TicketStatus::New,
        priority: Some(TicketPriority::High),
        ticket_type: Some(TicketType::Problem),
        requester_id: OTHER_USER_ID,
        assignee_id: None,
        tags: &["vpn", "network"],
        replies: &[],
    },
    SeedTicket {
        subject: "Laptop battery drains quickly",
        description: "My laptop lasts one hour on battery.",
        status: TicketStatus::Open,
        priority: Some(TicketPriority::Normal),
        ticket_type: Some(TicketType::Incident),
        requester_id: USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["laptop", "hardware"],
        replies: &[
            (AGENT_ID, "Which laptop model do you have?", true),
            (USER_ID, "A ThinkPad T14.", true),
        ],
    },
    SeedTicket {
        subject: "E-mail signature shows no logo",
        description: "The company logo is missing from my e-mail signature.",
        status: TicketStatus::Open,
        priority: Some(TicketPriority::Low),
        ticket_type: Some(TicketType::Question),
        requester_id: OTHER_USER_ID,
        assignee_id: Some(ADMIN_ID),
        tags: &["email"],
        replies: &[(ADMIN_ID, "Checking the signature template.", false)],
    },
    SeedTicket {
        subject: "Access to the finance shared drive",
        description: "I need read access to the finance shared drive for the audit.",
        status: TicketStatus::Pending,
        priority: Some(TicketPriority::Normal),
        ticket_type: Some(TicketType::Task),
        requester_id: USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["access"],
        replies: &[
            (AGENT_ID, "Manager approval needed", false),
            (
                AGENT_ID,
                "Could you ask your manager to approve this request?",
                true,
            ),
        ],
    },
    SeedTicket {
        subject: "Monitor flickers",
        description: "The second monitor flickers every few seconds.",
        status: TicketStatus::Pending,
        priority: Some(TicketPriority::Low),
        ticket_type: Some(TicketType::Incident),
        requester_id: OTHER_USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["hardware"],
        replies: &[(AGENT_ID, "Have you tried another cable?", true)],
    },
    SeedTicket {
        subject: "Replacement keyboard",
        description: "Several keys on my keyboard stopped working.",
        status: TicketStatus::Hold,
        priority: Some(TicketPriority::Normal),
        ticket_type: Some(TicketType::Task),
        requester_id: USER_ID,
        assignee_id: Some(ADMIN_ID),
        tags: &["hardware"],
        replies: &[
            (
                ADMIN_ID,
                "Ordered from the vendor, waiting for delivery",
                false,
            ),
            (ADMIN_ID, "A new keyboard is on its way.", true),
        ],
    },
    SeedTicket {
        subject: "Design software licence renewal",
        description: "My design software licence expires next week.",
        status: TicketStatus::Hold,
        priority: Some(TicketPriority::High),
        ticket_type: Some(TicketType::Task),
        requester_id: OTHER_USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["software", "licence"],
        replies: &[(AGENT_ID, "Waiting for procurement", false)],
    },
    SeedTicket {
        subject: "Password reset",
        description: "I forgot my password and I am locked out.",
        status: TicketStatus::Solved,
        priority: Some(TicketPriority::High),
        ticket_type: Some(TicketType::Incident),
        requester_id: USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["account"],
        replies: &[
            (AGENT_ID, "I have sent you a reset link.", true),
            (USER_ID, "It worked, thank you!", true),
        ],
    },
    SeedTicket {
        subject: "Wi-Fi drops in meeting room 3",
        description: "The Wi-Fi drops every ten minutes in meeting room 3.",
        status: TicketStatus::Solved,
        priority: Some(TicketPriority::Normal),
        ticket_type: Some(TicketType::Problem),
        requester_id: OTHER_USER_ID,
        assignee_id: Some(ADMIN_ID),
        tags: &["network"],
        replies: &[(ADMIN_ID, "The access point was replaced.", true)],
    },
    SeedTicket {
        subject: "Account for a new starter",
        description: "Please create accounts for Jo, who starts on Monday.",
        status: TicketStatus::Closed,
        priority: Some(TicketPriority::Normal),
        ticket_type: Some(TicketType::Task),
        requester_id: USER_ID,
        assignee_id: Some(ADMIN_ID),
        tags: &["account", "onboarding"],
        replies: &[(ADMIN_ID, "Accounts created.", true)],
    },
    SeedTicket {
        subject: "Printer toner low",
        description: "The printer on floor 1 says the toner is low.",
        status: TicketStatus::Closed,
        priority: None,
        ticket_type: None,
        requester_id: OTHER_USER_ID,
        assignee_id: Some(AGENT_ID),
        tags: &["printer"],
        replies: &[(AGENT_ID, "Toner replaced.", true)],
    },
];

/// The demo groups, Support first and the default.
pub(crate) fn demo_groups() -> Vec<Group> {
    ["Support", "Network", "Hardware", "Software", "Database"]
        .into_iter()
        .zip(SUPPORT_GROUP_ID..)
        .map(|(name, id)| Group {
            id,
            name: name.to_owned(),
            description: String::new(),
            is_public: true,
            default: id == SUPPORT_GROUP_ID,
            deleted: false,
            created_at: START - 30 * 24 * HOUR,
            updated_at: START - 30 * 24 * HOUR,
        })
        .collect()
}

/// The agents' memberships: both in Support, their default group.
pub(crate) fn demo_memberships() -> Vec<GroupMembership> {
    [ADMIN_ID, AGENT_ID]
        .into_iter()
        .zip(50_001..)
        .map(|(user_id, id)| GroupMembership {
            id,
            user_id,
            group_id: SUPPORT_GROUP_ID,
            default: true,
            created_at: START - 30 * 24 * HOUR,
            updated_at: START - 30 * 24 * HOUR,
        })
        .collect()
}

/// The demo account.
pub(crate) fn demo_account() -> Account {
    let mut account = Account::default();
    for group in demo_groups() {
        account.insert_group(group);
    }
    for membership in demo_memberships() {
        account.insert_membership(membership);
    }
    // Everyone works for the one organization, as the recorded admin belongs to its account's
    // organization, so tickets they file carry it.
    for (id, name, email, role) in [
        (ADMIN_ID, "Ada Admin", "admin@example.com", Role::Admin),
        (AGENT_ID, "Aiden Agent", "agent@example.com", Role::Agent),
        (USER_ID, "Uma User", "user@example.com", Role::EndUser),
        (
            OTHER_USER_ID,
            "Erik Enduser",
            "erik@example.com",
            Role::EndUser,
        ),
    ] {
        account.insert_user(User {
            id,
            name: name.to_owned(),
            email: Some(email.to_owned()),
            role,
            organization_id: Some(ORGANIZATION_ID),
            default_group_id: role.is_agent().then_some(SUPPORT_GROUP_ID),
            may_delete_tickets: role == Role::Admin,
            custom_role_id: default_custom_role(role),
            external_id: None,
            verified: true,
            active: true,
            created_at: START - 30 * 24 * HOUR,
            updated_at: START - 30 * 24 * HOUR,
        });
    }
    for (ticket_idx, seed) in TICKETS.iter().enumerate() {
        let ticket_id = ticket_idx as u64 + 1;
        let created_at = START + ticket_idx as i64 * 5 * HOUR;
        let mut at = created_at;
        let mut comments = Vec::new();
        let conversation = std::iter::once((seed.requester_id, seed.description, true))
            .chain(seed.replies.iter().copied());
        for (author_id, body, public) in conversation {
            let audit_id = account.next_object_id();
            comments.push(Comment {
                id: account.next_object_id(),
                author_id,
                body: body.to_owned(),
                public,
                attachment_ids: Vec::new(),
                audit_id,
                created_at: at,
                channel: Channel::Web,
            });
            at += HOUR;
        }
        let organization_id = account
            .user(seed.requester_id)
            .and_then(|user| user.organization_id);
        let ticket = Ticket {
            id: ticket_id,
            external_id: None,
            created_at,
            updated_at: at - HOUR,
            ticket_type: seed.ticket_type,
            subject: Some(seed.subject.to_owned()),
            description: seed.description.to_owned(),
            priority: seed.priority,
            status: seed.status,
            requester_id: seed.requester_id,
            submitter_id: seed.requester_id,
            assignee_id: seed.assignee_id,
            organization_id,
            group_id: seed.assignee_id.map(|_| SUPPORT_GROUP_ID),
            tags: seed.tags.iter().map(|tag| (*tag).to_owned()).collect(),
            is_public: true,
            channel: Channel::Web,
            comments,
        };
        for audit in seed_audits(&mut account, &ticket) {
            account.insert_audit(audit);
        }
        account.insert_ticket(ticket);
    }
    account
}

/// The audits that made a seeded ticket: one per comment, the first also creating its fields.
fn seed_audits(account: &mut Account, ticket: &Ticket) -> Vec<Audit> {
    let sample_ticket = ticket.id == 1;
    let client = (!sample_ticket).then(|| WEB_CLIENT.to_owned());
    let mut created = ticket.clone();
    if sample_ticket {
        created.ticket_type = None;
        created.priority = None;
    }
    let mut audits: Vec<Audit> = ticket
        .comments
        .iter()
        .map(|comment| Audit {
            id: comment.audit_id,
            ticket_id: ticket.id,
            created_at: comment.created_at,
            author_id: comment.author_id,
            client: client.clone(),
            channel: Channel::Web,
            events: vec![AuditEvent::Comment(comment.clone())],
        })
        .collect();
    let Some(first) = audits.first_mut() else {
        return audits;
    };
    for (field_name, value) in tickets::creation_fields(&created) {
        first.events.push(AuditEvent::Create {
            id: account.next_object_id(),
            field_name: field_name.to_owned(),
            value,
        });
    }
    if sample_ticket {
        let changes = [
            (
                "type",
                ticket.ticket_type.map(|ticket_type| ticket_type.code()),
            ),
            ("priority", ticket.priority.map(|priority| priority.code())),
        ];
        let audit_id = account.next_object_id();
        let events = changes
            .into_iter()
            .map(|(field_name, value)| AuditEvent::Change {
                id: account.next_object_id(),
                field_name: field_name.to_owned(),
                value: value.map(str::to_owned),
                previous_value: None,
            })
            .collect();
        audits.insert(
            1,
            Audit {
                id: audit_id,
                ticket_id: ticket.id,
                created_at: ticket.created_at,
                author_id: ADMIN_ID,
                client: None,
                channel: Channel::Web,
                events,
            },
        );
    }
    audits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_two_tickets() {
        for status in TicketStatus::ALL {
            let n_tickets = TICKETS.iter().filter(|seed| seed.status == status).count();
            assert_eq!(n_tickets, 2, "{status:?}");
        }
    }

    #[test]
    fn solved_and_closed_tickets_are_assigned() {
        let unassigned_done = TICKETS
            .iter()
            .filter(|seed| seed.status >= TicketStatus::Solved && seed.assignee_id.is_none())
            .count();
        assert_eq!(unassigned_done, 0);
    }
}
