//! The account's data, in memory: users, tickets with their comments, uploaded files and bulk
//! jobs, and the rules that read and change them. Handlers call these functions and only render
//! the results; every permission check is here.
//!
//! Who may do what follows the "Allowed For" sections of the reference: the Tickets API, search,
//! user lookups and job statuses are for agents (`tickets.yml`, `search.yml`, `users.yml`,
//! `job-statuses.yml`), deleting tickets for admins and agents allowed to delete
//! (`tickets.yml`, DeleteTicket), `/users/me` for anyone (`users.yml`, ShowCurrentUser). Groups
//! are read by agents and changed by admins (`groups.yml`: ListGroups, ShowGroupById and
//! ListAssignableGroups for "Admins, Agents"; CreateGroup and DeleteGroup for admins and agents in
//! an Enterprise custom role allowed to, which no seeded role is; UpdateGroup for "Admins"). Users
//! are changed by admins likewise (`users.yml`, CreateUser, DeleteUser, DestroyManyUsers), and the
//! brand, organizations and custom roles read by agents, a single custom role by admins. Deleted
//! tickets are for agents (ListDeletedTickets, RestoreDeletedTicket, DeleteTicketPermanently and
//! their bulk forms in Zendesk's OpenAPI, `deleted-tickets-openapi-original.yml` of the
//! api-evangelist/zendesk mirror that `shared/reference/zendesk/` was split from). Audits are read
//! by agents, all of them at once by admins (`tickets.yml`, ListAuditsForTicket;
//! `ticket-audits.yml`, ListTicketAudits). Group memberships are read by agents and changed by
//! admins (the mirror's `group-memberships-openapi-original.yml`).
//!
//! With `--data`, every change is also written through to `crate::zendesk::persist`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::common::persist::StoreError;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::groups::{self, GroupInput, MembershipInput};
use crate::zendesk::paging::CursorKey;
use crate::zendesk::persist::{Snapshot, ZendeskStore};
use crate::zendesk::search::Query;
use crate::zendesk::settings::{self, Brand, CustomRole, Organization, BRAND};
use crate::zendesk::tickets::{self, RequesterInput, TicketInput};
use crate::zendesk::users::{self, UserInput};

/// Most values one bulk call takes (`tickets.yml`: "up to 100").
pub(crate) const MAX_BULK: usize = 100;

/// How long an upload token can be attached (Zendesk's article "Can I attach files to tickets
/// using the API": "The attachment's token expires after 60 minutes").
pub(crate) const UPLOAD_TOKEN_SECONDS: i64 = 3600;

/// The account id bulk job results carry, as `account_id`.
pub(crate) const ACCOUNT_ID: u64 = 90_000_001;

/// A user's role, as `role` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    EndUser,
    Agent,
    Admin,
}

/// A ticket status, in Zendesk's order (the order `status<solved` compares by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    New,
    Open,
    Pending,
    Hold,
    Solved,
    Closed,
}

/// A ticket priority, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// How a ticket or comment came in, `via.channel`: `api` through the API, `web` for the seeded
/// ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Channel {
    Api,
    Web,
}

/// A ticket type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TicketType {
    Problem,
    Incident,
    Question,
    Task,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) role: Role,
    pub(crate) organization_id: Option<u64>,
    pub(crate) default_group_id: Option<u64>,
    /// Admins always may; agents only with the permission (`tickets.yml`, DeleteTicket).
    pub(crate) may_delete_tickets: bool,
    /// One of `settings::CUSTOM_ROLES` for agents and admins. Users stored before the sandbox
    /// had custom roles get theirs on restore.
    #[serde(default)]
    pub(crate) custom_role_id: Option<u64>,
    #[serde(default)]
    pub(crate) external_id: Option<String>,
    /// Whether the address was verified; users created through the API are not unless asked
    /// (recorded `TestUsersPagination`).
    #[serde(default = "true_when_not_stored")]
    pub(crate) verified: bool,
    /// `false` once deleted: Zendesk keeps deleted users, marked inactive (Users reference,
    /// "JSON format": "false if the user has been deleted").
    #[serde(default = "true_when_not_stored")]
    pub(crate) active: bool,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    pub(crate) external_id: Option<String>,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
    pub(crate) ticket_type: Option<TicketType>,
    pub(crate) subject: Option<String>,
    pub(crate) description: String,
    pub(crate) priority: Option<Priority>,
    pub(crate) status: Status,
    pub(crate) requester_id: u64,
    pub(crate) submitter_id: u64,
    pub(crate) assignee_id: Option<u64>,
    pub(crate) organization_id: Option<u64>,
    pub(crate) group_id: Option<u64>,
    pub(crate) tags: Vec<String>,
    /// Whether the first comment is public.
    pub(crate) is_public: bool,
    pub(crate) channel: Channel,
    pub(crate) comments: Vec<Comment>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Comment {
    /// Also the id of the audit event that added it, as in Zendesk.
    pub(crate) id: u64,
    pub(crate) author_id: u64,
    pub(crate) body: String,
    pub(crate) public: bool,
    pub(crate) attachment_ids: Vec<u64>,
    pub(crate) audit_id: u64,
    pub(crate) created_at: UnixSeconds,
    pub(crate) channel: Channel,
}

/// A group tickets are assigned to, with the keys of Zendesk's group object (Groups reference,
/// "JSON format"; recorded `TestGroupCreateUpdateDelete.test_pagination`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Group {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) description: String,
    /// "If false, the group is private. You can't change a private group to a public group."
    pub(crate) is_public: bool,
    /// "If the group is the default one for the account."
    pub(crate) default: bool,
    /// "Deleted groups get marked as such": a deleted group stays, marked.
    pub(crate) deleted: bool,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
}

#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    /// The secret part of `content_url`.
    pub(crate) token: String,
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// Files uploaded under one token, waiting to be attached to a comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Upload {
    pub(crate) token: String,
    pub(crate) attachment_ids: Vec<u64>,
    pub(crate) expires_at: UnixSeconds,
}

/// A bulk job. The sandbox does the work at once; the job reports `queued` in the reply that
/// starts it and `completed` whenever it is asked for, as the recorded jobs end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) kind: JobKind,
    pub(crate) total: Option<usize>,
    pub(crate) results: JobResults,
    pub(crate) completed_at: UnixSeconds,
}

/// A completed job's `results`, in the recorded shapes and key order. Stored in the same JSON with
/// `--data`: each shape has keys the shapes before it lack, so the untagged form reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum JobResults {
    Items(Vec<JobItem>),
    /// `{"success": true}`.
    Done {
        success: bool,
    },
}

/// One item of a job's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum JobItem {
    /// `{"index", "id", "account_id"}` (recorded `create_many`).
    Created {
        index: usize,
        id: u64,
        account_id: u64,
    },
    /// `{"action", "status", "success", "id"}` (recorded `update_many`).
    Updated {
        action: String,
        status: String,
        success: bool,
        id: u64,
    },
    /// Not recorded: the item as far as known, with the error code and its details.
    Failed {
        #[serde(skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        success: bool,
        error: String,
        details: String,
    },
}

/// What a bulk job does to tickets, as `job_type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JobKind {
    Create,
    Update,
    Destroy,
    DestroyUsers,
    /// Deleting soft-deleted tickets for good.
    Purge,
}

/// What one ticket create or update recorded: the `audit` of the reply, kept for the audit lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Audit {
    pub(crate) id: u64,
    pub(crate) ticket_id: u64,
    pub(crate) created_at: UnixSeconds,
    pub(crate) author_id: u64,
    /// The caller's `User-Agent`, which Zendesk shows as `metadata.system.client`; `None` for
    /// changes the account made itself, whose `metadata.system` is empty (recorded
    /// `TestTicketAudits`: the sample ticket's audits).
    pub(crate) client: Option<String>,
    pub(crate) channel: Channel,
    pub(crate) events: Vec<AuditEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum AuditEvent {
    /// A comment; the event carries the comment's id.
    Comment(Comment),
    Create {
        id: u64,
        field_name: String,
        value: Option<String>,
    },
    Change {
        id: u64,
        field_name: String,
        value: Option<String>,
        previous_value: Option<String>,
    },
}

/// A soft-deleted ticket, kept until it is restored or deleted permanently (Zendesk's "Soft
/// delete"; the mirror's `deleted-tickets-openapi-original.yml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeletedTicket {
    /// The ticket as it was, its status the `previous_state`.
    pub(crate) ticket: Ticket,
    pub(crate) deleted_at: UnixSeconds,
    /// Who deleted it, the list's `actor`.
    pub(crate) actor_id: u64,
}

/// An agent's membership of a group (Zendesk's Group Memberships reference, "JSON format").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GroupMembership {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) group_id: u64,
    /// "If true, tickets assigned directly to the agent will assume this membership's group":
    /// the user's `default_group_id`.
    pub(crate) default: bool,
    pub(crate) created_at: UnixSeconds,
    pub(crate) updated_at: UnixSeconds,
}

/// A ticket as the incremental exports hand it out: deleted ones too, with status `deleted`, and
/// `generated_timestamp`, the time the exports compare (`incremental.yml`; recorded
/// `TicketsIncrementalTest.test_get_values`, whose deleted ticket kept its `updated_at`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportedTicket<'a> {
    pub(crate) ticket: &'a Ticket,
    pub(crate) generated_timestamp: UnixSeconds,
    pub(crate) deleted: bool,
}

/// Whose memberships a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MembershipsOf {
    All,
    Group(u64),
    User(u64),
}

/// Ticket ids for `update_many`: each ticket with its own changes, or one change for many ids
/// (`tickets.yml`, TicketsUpdateMany).
#[derive(Debug, Clone)]
pub(crate) enum BulkUpdate {
    EachOwn(Vec<(u64, TicketInput)>),
    Same(Vec<u64>, Box<TicketInput>),
}

/// Who made a request and with what client, for audits.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) user: User,
    pub(crate) client: String,
}

/// The whole account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    users: BTreeMap<u64, User>,
    tickets: BTreeMap<u64, Ticket>,
    deleted_tickets: BTreeMap<u64, DeletedTicket>,
    audits: BTreeMap<u64, Audit>,
    groups: BTreeMap<u64, Group>,
    memberships: BTreeMap<u64, GroupMembership>,
    attachments: BTreeMap<u64, Attachment>,
    uploads: HashMap<String, Upload>,
    jobs: HashMap<String, Job>,
    next_ticket_id: u64,
    next_user_id: u64,
    next_group_id: u64,
    next_membership_id: u64,
    /// Comments, audits, events and attachments share one sequence, as ids in Zendesk are unique
    /// across them.
    next_object_id: u64,
    n_jobs: u64,
    n_tokens: u64,
    /// Where changes are written through with `--data`.
    store: Option<ZendeskStore>,
}

impl Role {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Role::EndUser => "end-user",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn is_agent(self) -> bool {
        self != Role::EndUser
    }

    pub(crate) fn from_code(code: &str) -> Option<Role> {
        [Role::EndUser, Role::Agent, Role::Admin]
            .into_iter()
            .find(|role| role.code() == code)
    }
}

impl Status {
    pub(crate) const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::Hold,
        Status::Solved,
        Status::Closed,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Hold => "hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.code() == code)
    }
}

impl Priority {
    pub(crate) const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Priority> {
        Priority::ALL
            .into_iter()
            .find(|priority| priority.code() == code)
    }
}

impl Channel {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Web => "web",
        }
    }
}

impl TicketType {
    pub(crate) fn code(self) -> &'static str {
        match self {
            TicketType::Problem => "problem",
            TicketType::Incident => "incident",
            TicketType::Question => "question",
            TicketType::Task => "task",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<TicketType> {
        [
            TicketType::Problem,
            TicketType::Incident,
            TicketType::Question,
            TicketType::Task,
        ]
        .into_iter()
        .find(|ticket_type| ticket_type.code() == code)
    }
}

impl User {
    /// A user as the API makes one from a name alone: an end user, active and unverified, in no
    /// organization or group and without a custom role (recorded `TestUsersPagination`).
    pub(crate) const fn end_user(
        id: u64,
        name: String,
        email: Option<String>,
        now: UnixSeconds,
    ) -> User {
        User {
            id,
            name,
            email,
            role: Role::EndUser,
            organization_id: None,
            default_group_id: None,
            may_delete_tickets: false,
            custom_role_id: None,
            external_id: None,
            verified: false,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }
}

impl AuditEvent {
    pub(crate) fn id(&self) -> u64 {
        match self {
            AuditEvent::Comment(comment) => comment.id,
            AuditEvent::Create { id, .. } | AuditEvent::Change { id, .. } => *id,
        }
    }
}

impl JobKind {
    /// The recorded `job_type`: "Bulk Create Ticket" for `create_many`, and "Bulk Update Ticket"
    /// for `destroy_many` (recorded) and `update_many`; "Bulk Update User" for deleting users. The
    /// one recorded permanent delete has none (`TestDeletedTickets.test_permanently_delete`).
    pub(crate) fn label(self) -> Option<&'static str> {
        match self {
            JobKind::Create => Some("Bulk Create Ticket"),
            JobKind::Update | JobKind::Destroy => Some("Bulk Update Ticket"),
            // Recorded for the users' `destroy_many` (`TestUsersPagination`, tear-down).
            JobKind::DestroyUsers => Some("Bulk Update User"),
            JobKind::Purge => None,
        }
    }
}

impl Default for Account {
    fn default() -> Account {
        Account {
            users: BTreeMap::new(),
            tickets: BTreeMap::new(),
            deleted_tickets: BTreeMap::new(),
            audits: BTreeMap::new(),
            groups: BTreeMap::new(),
            memberships: BTreeMap::new(),
            attachments: BTreeMap::new(),
            uploads: HashMap::new(),
            jobs: HashMap::new(),
            next_ticket_id: 1,
            next_user_id: 20_001,
            next_group_id: 40_001,
            next_membership_id: 50_001,
            next_object_id: 1_000_001,
            n_jobs: 0,
            n_tokens: 0,
            store: None,
        }
    }
}

impl Account {
    // --- Persistence ---

    /// Starts writing changes through to `store`, first storing everything held now (a fresh
    /// data directory).
    pub(crate) fn attach(&mut self, store: ZendeskStore) -> Result<(), StoreError> {
        store.save(&self.snapshot())?;
        self.store = Some(store);
        Ok(())
    }

    /// The account stored in `store`, which keeps receiving changes.
    pub(crate) fn restore(store: ZendeskStore) -> Result<Account, StoreError> {
        let snapshot = store.load()?;
        let mut account = Account::default();
        for mut user in snapshot.users {
            if user.custom_role_id.is_none() {
                user.custom_role_id = users::default_custom_role(user.role);
            }
            account.insert_user(user);
        }
        for ticket in snapshot.tickets {
            account.insert_ticket(ticket);
        }
        for deleted in snapshot.deleted_tickets {
            account.insert_deleted_ticket(deleted);
        }
        for audit in snapshot.audits {
            account.insert_audit(audit);
        }
        for group in snapshot.groups {
            account.insert_group(group);
        }
        for membership in snapshot.memberships {
            account.insert_membership(membership);
        }
        for attachment in snapshot.attachments {
            account.next_object_id = account.next_object_id.max(attachment.id + 1);
            account.attachments.insert(attachment.id, attachment);
        }
        for upload in snapshot.uploads {
            account.uploads.insert(upload.token.clone(), upload);
        }
        for job in snapshot.jobs {
            account.jobs.insert(job.id.clone(), job);
        }
        for (name, value) in snapshot.counters {
            let counter = match name.as_str() {
                NEXT_TICKET_ID => &mut account.next_ticket_id,
                NEXT_USER_ID => &mut account.next_user_id,
                NEXT_GROUP_ID => &mut account.next_group_id,
                NEXT_MEMBERSHIP_ID => &mut account.next_membership_id,
                NEXT_OBJECT_ID => &mut account.next_object_id,
                N_JOBS => &mut account.n_jobs,
                N_TOKENS => &mut account.n_tokens,
                _ => continue,
            };
            *counter = (*counter).max(value);
        }
        account.store = Some(store);
        Ok(account)
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            users: self.users.values().cloned().collect(),
            tickets: self.tickets.values().cloned().collect(),
            deleted_tickets: self.deleted_tickets.values().cloned().collect(),
            audits: self.audits.values().cloned().collect(),
            groups: self.groups.values().cloned().collect(),
            memberships: self.memberships.values().cloned().collect(),
            attachments: self.attachments.values().cloned().collect(),
            uploads: self.uploads.values().cloned().collect(),
            jobs: self.jobs.values().cloned().collect(),
            counters: vec![
                (NEXT_TICKET_ID.to_owned(), self.next_ticket_id),
                (NEXT_USER_ID.to_owned(), self.next_user_id),
                (NEXT_GROUP_ID.to_owned(), self.next_group_id),
                (NEXT_MEMBERSHIP_ID.to_owned(), self.next_membership_id),
                (NEXT_OBJECT_ID.to_owned(), self.next_object_id),
                (N_JOBS.to_owned(), self.n_jobs),
                (N_TOKENS.to_owned(), self.n_tokens),
            ],
        }
    }

    /// Writes a change through, if `--data` is on. A failed write is logged, not returned: the
    /// change has been made in memory and the request succeeds, as with the instance's store.
    fn persist(&self, write: impl FnOnce(&ZendeskStore) -> Result<(), StoreError>) {
        let Some(store) = &self.store else {
            return;
        };
        if let Err(error) = write(store) {
            tracing::error!(%error, "cannot write a Zendesk change to the data directory");
        }
    }

    // --- Users ---

    /// Adds a user as it is; for seeding.
    pub(crate) fn insert_user(&mut self, user: User) {
        self.next_user_id = self.next_user_id.max(user.id + 1);
        self.users.insert(user.id, user);
    }

    pub(crate) fn user(&self, user_id: u64) -> Option<&User> {
        self.users.get(&user_id)
    }

    /// The active user with this e-mail address; addresses compare without case, as e-mail
    /// does. A deleted user no longer signs in or requests tickets by address.
    pub(crate) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users.values().find(|user| {
            user.active
                && user
                    .email
                    .as_deref()
                    .is_some_and(|known| known.eq_ignore_ascii_case(email))
        })
    }

    /// A user another user may look at: agents see everyone, end users themselves (`users.yml`,
    /// ShowUser is for agents).
    pub(crate) fn show_user(&self, caller: &User, user_id: u64) -> Result<&User, ZendeskError> {
        if !caller.role.is_agent() && caller.id != user_id {
            return Err(ZendeskError::Forbidden);
        }
        self.user(user_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// Every user not deleted, by id, for agents (`users.yml`, ListUsers; deleted users are
    /// Zendesk's Deleted Users list, not this one); with `roles` (codes such as `end-user` and
    /// `agent`) only the users with one of them, so a code that names no role matches nobody.
    pub(crate) fn list_users(
        &self,
        caller: &User,
        roles: &[&str],
    ) -> Result<Vec<&User>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .users
            .values()
            .filter(|user| user.active)
            .filter(|user| roles.is_empty() || roles.contains(&user.role.code()))
            .collect())
    }

    /// Every user, deleted ones too, by id: the incremental export hands deletions out as
    /// `"active": false` (`incremental.yml`).
    pub(crate) fn users_with_deleted(&self, caller: &User) -> Result<Vec<&User>, ZendeskError> {
        require_agent(caller)?;
        Ok(self.users.values().collect())
    }

    /// Users not deleted matching a user search (`search.yml`, SearchUsers: agents only), or the
    /// user part of the search export.
    pub(crate) fn search_users(
        &self,
        caller: &User,
        query: &Query,
    ) -> Result<Vec<&User>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .users
            .values()
            .filter(|user| user.active && query.matches_user(user))
            .collect())
    }

    /// Creates a user (`users.yml`, CreateUser: admins, and agents in custom roles allowed to
    /// manage users, which no seeded role allows).
    pub(crate) fn create_user(
        &mut self,
        caller: &User,
        input: &UserInput,
        now: UnixSeconds,
    ) -> Result<&User, ZendeskError> {
        require_admin(caller)?;
        let mut user = User::end_user(self.next_user_id, String::new(), None, now);
        self.apply_user_input(&mut user, input)?;
        self.next_user_id += 1;
        self.persist(|store| store.set_counter(NEXT_USER_ID, user.id + 1));
        let user_id = user.id;
        self.store_user(user);
        self.match_memberships_to_role(user_id, now);
        Ok(&self.users[&user_id])
    }

    /// Changes a user that is not deleted (`users.yml`, UpdateUser), for admins.
    pub(crate) fn update_user(
        &mut self,
        caller: &User,
        user_id: u64,
        input: &UserInput,
        now: UnixSeconds,
    ) -> Result<&User, ZendeskError> {
        require_admin(caller)?;
        let mut user = self.live_user(user_id)?.clone();
        self.apply_user_input(&mut user, input)?;
        user.updated_at = now;
        self.store_user(user);
        self.match_memberships_to_role(user_id, now);
        Ok(&self.users[&user_id])
    }

    /// Keeps a user's memberships true to their role: an agent is a member of their default
    /// group (the membership marked default), and someone who is no longer an agent belongs to
    /// no group, as only agents may (CreateGroupMembership).
    fn match_memberships_to_role(&mut self, user_id: u64, now: UnixSeconds) {
        let Some(user) = self.users.get(&user_id) else {
            return;
        };
        let default_group_id = user.default_group_id;
        let is_agent = user.role.is_agent();
        let of_user: Vec<GroupMembership> = self
            .memberships
            .values()
            .filter(|membership| membership.user_id == user_id)
            .cloned()
            .collect();
        if !is_agent {
            for membership in of_user {
                self.memberships.remove(&membership.id);
                self.persist(|store| store.remove_membership(membership.id));
            }
            return;
        }
        let Some(group_id) = default_group_id else {
            return;
        };
        if !of_user
            .iter()
            .any(|membership| membership.group_id == group_id)
        {
            self.add_membership(user_id, group_id, now);
        }
        self.set_default_group(user_id, Some(group_id), now);
    }

    /// Creates a user, or updates the one with the same e-mail address or `external_id` (the
    /// latter without case), and says whether it was created (`users.yml`, CreateOrUpdateUser).
    pub(crate) fn create_or_update_user(
        &mut self,
        caller: &User,
        input: &UserInput,
        now: UnixSeconds,
    ) -> Result<(&User, bool), ZendeskError> {
        require_admin(caller)?;
        let by_email = input
            .email
            .as_ref()
            .and_then(Option::as_deref)
            .and_then(|email| self.user_by_email(email));
        let by_external_id = || {
            let external_id = input.external_id.as_ref().and_then(Option::as_deref)?;
            self.users.values().find(|user| {
                user.active
                    && user
                        .external_id
                        .as_deref()
                        .is_some_and(|known| known.eq_ignore_ascii_case(external_id))
            })
        };
        match by_email.or_else(by_external_id).map(|user| user.id) {
            Some(user_id) => Ok((self.update_user(caller, user_id, input, now)?, false)),
            None => Ok((self.create_user(caller, input, now)?, true)),
        }
    }

    /// Deletes a user the way Zendesk does, keeping it marked inactive (`users.yml`,
    /// DeleteUser: admins); deleting it again is not found.
    pub(crate) fn delete_user(
        &mut self,
        caller: &User,
        user_id: u64,
        now: UnixSeconds,
    ) -> Result<&User, ZendeskError> {
        require_admin(caller)?;
        let mut user = self.live_user(user_id)?.clone();
        user.active = false;
        user.updated_at = now;
        Ok(self.store_user(user))
    }

    /// Deletes up to 100 users as one job (`users.yml`, DestroyManyUsers: "Allowed for: Admins").
    /// Ids that name no user, or a deleted one, are skipped, as for tickets.
    pub(crate) fn destroy_many_users(
        &mut self,
        caller: &User,
        user_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_admin(caller)?;
        if user_ids.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "ids" });
        }
        for user_id in user_ids {
            let Ok(user) = self.live_user(*user_id) else {
                continue;
            };
            let mut user = user.clone();
            user.active = false;
            user.updated_at = now;
            self.store_user(user);
        }
        Ok(self.add_job(
            JobKind::DestroyUsers,
            Some(user_ids.len()),
            JobResults::Done { success: true },
            now,
        ))
    }

    /// Applies a `user` object and the account's own rules: an address belongs to one user (the
    /// body a real account sends, zendesk/zendesk_api_client_rb PR 477), and agents start in the
    /// default group.
    fn apply_user_input(&self, user: &mut User, input: &UserInput) -> Result<(), ZendeskError> {
        users::apply(user, input)?;
        if let Some(email) = &user.email {
            let taken = self
                .user_by_email(email)
                .is_some_and(|other| other.id != user.id);
            if taken {
                return Err(ZendeskError::DuplicateValue {
                    field: "email",
                    description: format!("Email: {email} is already being used by another user"),
                });
            }
        }
        user.default_group_id = match user.role.is_agent() {
            true => user.default_group_id.or_else(|| {
                self.groups
                    .values()
                    .find(|group| group.default && !group.deleted)
                    .map(|group| group.id)
            }),
            false => None,
        };
        Ok(())
    }

    fn live_user(&self, user_id: u64) -> Result<&User, ZendeskError> {
        self.users
            .get(&user_id)
            .filter(|user| user.active)
            .ok_or(ZendeskError::RecordNotFound)
    }

    fn store_user(&mut self, user: User) -> &User {
        self.persist(|store| store.put_user(&user));
        let user_id = user.id;
        self.users.insert(user_id, user);
        &self.users[&user_id]
    }

    // --- Brands, organizations and custom roles ---

    /// The account's brands (Zendesk's Brands reference, ListBrands: admins, and agents for the
    /// brands they belong to, which in the sandbox is its only one).
    pub(crate) fn brands(&self, caller: &User) -> Result<Vec<&'static Brand>, ZendeskError> {
        require_agent(caller)?;
        Ok(vec![&BRAND])
    }

    /// A brand (ShowBrand: "Admins, Agents").
    pub(crate) fn brand(
        &self,
        caller: &User,
        brand_id: u64,
    ) -> Result<&'static Brand, ZendeskError> {
        require_agent(caller)?;
        (brand_id == BRAND.id)
            .then_some(&BRAND)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The organizations, by id (Zendesk's Organizations reference, ListOrganizations: agents).
    pub(crate) fn organizations(
        &self,
        caller: &User,
    ) -> Result<Vec<&'static Organization>, ZendeskError> {
        require_agent(caller)?;
        Ok(settings::ORGANIZATIONS.iter().collect())
    }

    /// An organization (ShowOrganization: "Admins, Agents").
    pub(crate) fn organization(
        &self,
        caller: &User,
        organization_id: u64,
    ) -> Result<&'static Organization, ZendeskError> {
        require_agent(caller)?;
        settings::organization(organization_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// The custom roles (Zendesk's Custom Roles reference, ListCustomRoles: agents).
    pub(crate) fn custom_roles(
        &self,
        caller: &User,
    ) -> Result<Vec<&'static CustomRole>, ZendeskError> {
        require_agent(caller)?;
        Ok(settings::CUSTOM_ROLES.iter().collect())
    }

    /// A custom role (ShowCustomRoleById: administrators, and agents allowed to manage roles,
    /// which no seeded agent role allows).
    pub(crate) fn custom_role(
        &self,
        caller: &User,
        role_id: u64,
    ) -> Result<&'static CustomRole, ZendeskError> {
        require_admin(caller)?;
        settings::custom_role(role_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// How many users not deleted hold a custom role, its `team_member_count`.
    pub(crate) fn team_member_count(&self, role_id: u64) -> usize {
        self.users
            .values()
            .filter(|user| user.active && user.custom_role_id == Some(role_id))
            .count()
    }

    /// The user for a requester given by name and e-mail: the known one, or a new end user, as
    /// Zendesk creates requesters it does not know.
    fn requester_by_email(&mut self, name: Option<&str>, email: &str, now: UnixSeconds) -> u64 {
        if let Some(user) = self.user_by_email(email) {
            return user.id;
        }
        let id = self.next_user_id;
        self.next_user_id += 1;
        self.persist(|store| store.set_counter(NEXT_USER_ID, id + 1));
        let fallback_name = email.split('@').next().unwrap_or(email);
        let user = User::end_user(
            id,
            name.unwrap_or(fallback_name).to_owned(),
            Some(email.to_owned()),
            now,
        );
        self.persist(|store| store.put_user(&user));
        self.users.insert(id, user);
        id
    }

    // --- Groups ---

    /// Adds a group as it is; for seeding.
    pub(crate) fn insert_group(&mut self, group: Group) {
        self.next_group_id = self.next_group_id.max(group.id + 1);
        self.groups.insert(group.id, group);
    }

    /// Gives an account without groups these, and stores them: a data directory written before
    /// the sandbox emulated groups holds none, and a group once made is never removed, only
    /// marked deleted.
    pub(crate) fn add_groups_if_none(&mut self, groups: Vec<Group>) {
        if !self.groups.is_empty() {
            return;
        }
        for group in groups {
            self.persist(|store| store.put_group(&group));
            self.insert_group(group);
        }
        self.persist(|store| store.set_counter(NEXT_GROUP_ID, self.next_group_id));
    }

    /// Every group, deleted ones too unless `exclude_deleted`, by name (`groups.yml`, ListGroups:
    /// `exclude_deleted`, "Whether to exclude deleted entities").
    pub(crate) fn list_groups(
        &self,
        caller: &User,
        exclude_deleted: bool,
    ) -> Result<Vec<&Group>, ZendeskError> {
        require_agent(caller)?;
        Ok(self.groups_by_name(|group| !(exclude_deleted && group.deleted)))
    }

    /// The groups tickets can be assigned to: every group not deleted (`groups.yml`,
    /// ListAssignableGroups; a deleted group "can no longer be assigned", Zendesk's API v1 Groups
    /// reference).
    pub(crate) fn assignable_groups(&self, caller: &User) -> Result<Vec<&Group>, ZendeskError> {
        require_agent(caller)?;
        Ok(self.groups_by_name(|group| !group.deleted))
    }

    /// A group, deleted or not: a deleted group is shown marked `deleted`.
    pub(crate) fn group(&self, caller: &User, group_id: u64) -> Result<&Group, ZendeskError> {
        require_agent(caller)?;
        self.groups
            .get(&group_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    pub(crate) fn create_group(
        &mut self,
        caller: &User,
        input: &GroupInput,
        now: UnixSeconds,
    ) -> Result<&Group, ZendeskError> {
        require_admin(caller)?;
        let mut group = Group {
            id: self.next_group_id,
            name: String::new(),
            description: String::new(),
            is_public: true,
            default: false,
            deleted: false,
            created_at: now,
            updated_at: now,
        };
        groups::apply(&mut group, input)?;
        self.next_group_id += 1;
        self.persist(|store| store.set_counter(NEXT_GROUP_ID, group.id + 1));
        Ok(self.store_group(group))
    }

    /// Changes a group; a deleted one is not found, as it cannot be changed any more.
    pub(crate) fn update_group(
        &mut self,
        caller: &User,
        group_id: u64,
        input: &GroupInput,
        now: UnixSeconds,
    ) -> Result<&Group, ZendeskError> {
        require_admin(caller)?;
        let mut group = self.live_group(group_id)?.clone();
        groups::apply(&mut group, input)?;
        group.updated_at = now;
        Ok(self.store_group(group))
    }

    /// Marks a group deleted; deleting it again is not found.
    pub(crate) fn delete_group(
        &mut self,
        caller: &User,
        group_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_admin(caller)?;
        let mut group = self.live_group(group_id)?.clone();
        group.deleted = true;
        group.updated_at = now;
        self.store_group(group);
        Ok(())
    }

    fn live_group(&self, group_id: u64) -> Result<&Group, ZendeskError> {
        self.groups
            .get(&group_id)
            .filter(|group| !group.deleted)
            .ok_or(ZendeskError::RecordNotFound)
    }

    fn store_group(&mut self, group: Group) -> &Group {
        self.persist(|store| store.put_group(&group));
        let group_id = group.id;
        self.groups.insert(group_id, group);
        &self.groups[&group_id]
    }

    /// Groups in the recorded list order: by name without case, then by id.
    fn groups_by_name(&self, keep: impl Fn(&Group) -> bool) -> Vec<&Group> {
        let mut groups: Vec<&Group> = self.groups.values().filter(|group| keep(group)).collect();
        groups.sort_by_key(|group| CursorKey::name_and_id(&group.name, group.id));
        groups
    }

    // --- Tickets ---

    /// Adds a ticket as it is; for seeding.
    pub(crate) fn insert_ticket(&mut self, ticket: Ticket) {
        self.next_ticket_id = self.next_ticket_id.max(ticket.id + 1);
        for comment in &ticket.comments {
            self.next_object_id = self.next_object_id.max(comment.id + 1);
        }
        self.tickets.insert(ticket.id, ticket);
    }

    /// A fresh id for a comment, audit or attachment.
    pub(crate) fn next_object_id(&mut self) -> u64 {
        let id = self.next_object_id;
        self.next_object_id += 1;
        self.persist(|store| store.set_counter(NEXT_OBJECT_ID, id + 1));
        id
    }

    pub(crate) fn ticket(&self, caller: &User, ticket_id: u64) -> Result<&Ticket, ZendeskError> {
        require_agent(caller)?;
        self.tickets
            .get(&ticket_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Every ticket, oldest first, optionally only those with an `external_id` (`tickets.yml`,
    /// ListTickets).
    pub(crate) fn list_tickets(
        &self,
        caller: &User,
        external_id: Option<&str>,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| external_id.is_none() || ticket.external_id.as_deref() == external_id)
            .collect())
    }

    /// The tickets a user requested, oldest first.
    pub(crate) fn requested_tickets(
        &self,
        caller: &User,
        user_id: u64,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        self.user(user_id).ok_or(ZendeskError::RecordNotFound)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| ticket.requester_id == user_id)
            .collect())
    }

    /// Up to 100 tickets by id, in id order, leaving out ids that do not exist (recorded
    /// `show_many` replies come back in id order whatever order was asked).
    pub(crate) fn show_many(
        &self,
        caller: &User,
        ticket_ids: &[u64],
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        if ticket_ids.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "ids" });
        }
        Ok(self
            .tickets
            .values()
            .filter(|ticket| ticket_ids.contains(&ticket.id))
            .collect())
    }

    /// Tickets matching a search query, for agents.
    pub(crate) fn search_tickets(
        &self,
        caller: &User,
        query: &crate::zendesk::search::Query,
    ) -> Result<Vec<&Ticket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self
            .tickets
            .values()
            .filter(|ticket| query.matches(ticket, caller, self))
            .collect())
    }

    pub(crate) fn create_ticket(
        &mut self,
        actor: &Actor,
        input: TicketInput,
        now: UnixSeconds,
    ) -> Result<Audit, ZendeskError> {
        require_agent(&actor.user)?;
        let description = input.first_comment_body().to_owned();
        if description.trim().is_empty() {
            return Err(ZendeskError::invalid(
                "base",
                "Description: cannot be blank",
            ));
        }
        self.check_assignee(&input)?;
        self.check_group(&input)?;
        self.check_requester_id(&input)?;
        let mut ticket = tickets::new_ticket(self.next_ticket_id, actor.user.id, now);
        tickets::apply(&mut ticket, &input)?;
        ticket.requester_id = self.resolve_requester(&input, now).unwrap_or(actor.user.id);
        ticket.organization_id = self
            .user(ticket.requester_id)
            .and_then(|user| user.organization_id);
        ticket.description = description;
        let audit_id = self.next_object_id();
        let (public, uploads) = match &input.comment {
            Some(comment) => (comment.public.unwrap_or(true), comment.uploads.as_slice()),
            None => (true, &[][..]),
        };
        let comment = self.new_comment(
            actor.user.id,
            &ticket.description,
            public,
            uploads,
            audit_id,
            now,
        );
        ticket.is_public = comment.public;
        ticket.comments.push(comment.clone());
        let mut events = vec![AuditEvent::Comment(comment)];
        for (field_name, value) in tickets::creation_fields(&ticket) {
            events.push(AuditEvent::Create {
                id: self.next_object_id(),
                field_name: field_name.to_owned(),
                value,
            });
        }
        let ticket_id = ticket.id;
        self.next_ticket_id += 1;
        self.persist(|store| store.set_counter(NEXT_TICKET_ID, ticket_id + 1));
        self.persist(|store| store.put_ticket(&ticket));
        self.tickets.insert(ticket_id, ticket);
        Ok(self.store_audit(Audit {
            id: audit_id,
            ticket_id,
            created_at: now,
            author_id: actor.user.id,
            client: Some(actor.client.clone()),
            channel: Channel::Api,
            events,
        }))
    }

    pub(crate) fn update_ticket(
        &mut self,
        actor: &Actor,
        ticket_id: u64,
        input: &TicketInput,
        now: UnixSeconds,
    ) -> Result<Audit, ZendeskError> {
        require_agent(&actor.user)?;
        let mut ticket = self
            .tickets
            .get(&ticket_id)
            .cloned()
            .ok_or(ZendeskError::RecordNotFound)?;
        // Closed tickets are read-only in Zendesk; flare-core's tests quote this refusal.
        if ticket.status == Status::Closed {
            return Err(ZendeskError::invalid(
                "status",
                "Status closed prevents ticket update",
            ));
        }
        self.check_assignee(input)?;
        self.check_group(input)?;
        self.check_requester_id(input)?;
        let mut changes = tickets::apply(&mut ticket, input)?;
        if let Some(requester_id) = self.resolve_requester(input, now) {
            if requester_id != ticket.requester_id {
                changes.push(tickets::FieldChange {
                    field_name: "requester_id",
                    value: Some(requester_id.to_string()),
                    previous_value: Some(ticket.requester_id.to_string()),
                });
                ticket.requester_id = requester_id;
            }
        }
        let audit_id = self.next_object_id();
        let mut events = Vec::new();
        if let Some(comment) = input
            .comment
            .as_ref()
            .filter(|comment| comment.has_content())
        {
            // The first comment's visibility "persists for any additional comment unless you
            // change it" (Zendesk's Ticket Comments reference).
            let comment = self.new_comment(
                actor.user.id,
                &comment.body,
                comment.public.unwrap_or(ticket.is_public),
                &comment.uploads,
                audit_id,
                now,
            );
            ticket.comments.push(comment.clone());
            events.push(AuditEvent::Comment(comment));
        }
        for change in changes {
            events.push(AuditEvent::Change {
                id: self.next_object_id(),
                field_name: change.field_name.to_owned(),
                value: change.value,
                previous_value: change.previous_value,
            });
        }
        ticket.updated_at = now;
        self.persist(|store| store.put_ticket(&ticket));
        self.tickets.insert(ticket_id, ticket);
        let audit = Audit {
            id: audit_id,
            ticket_id,
            created_at: now,
            author_id: actor.user.id,
            client: Some(actor.client.clone()),
            channel: Channel::Api,
            events,
        };
        // An update that changed nothing leaves no trace in the ticket's history.
        match audit.events.is_empty() {
            true => Ok(audit),
            false => Ok(self.store_audit(audit)),
        }
    }

    /// Soft-deletes a ticket: it leaves every list and lookup for the deleted tickets, from which
    /// it can be restored (`tickets.yml`, DeleteTicket; recorded
    /// `TestDeletedTickets.test_delete_and_restore`).
    pub(crate) fn delete_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_deleter(caller)?;
        self.soft_delete(caller, ticket_id, now)
            .ok_or(ZendeskError::RecordNotFound)
    }

    fn soft_delete(&mut self, caller: &User, ticket_id: u64, now: UnixSeconds) -> Option<()> {
        let ticket = self.tickets.remove(&ticket_id)?;
        self.persist(|store| store.remove_ticket(ticket_id));
        let deleted = DeletedTicket {
            ticket,
            deleted_at: now,
            actor_id: caller.id,
        };
        self.persist(|store| store.put_deleted_ticket(&deleted));
        self.deleted_tickets.insert(ticket_id, deleted);
        Some(())
    }

    /// The comments of a ticket, oldest first (`tickets.yml`, ListTicketComments: agents).
    pub(crate) fn comments(
        &self,
        caller: &User,
        ticket_id: u64,
    ) -> Result<&[Comment], ZendeskError> {
        Ok(&self.ticket(caller, ticket_id)?.comments)
    }

    /// Refuses a group that does not exist or was deleted, which can no longer be assigned. Not
    /// recorded; the body is worded like the assignee's.
    fn check_group(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        let Some(Some(group_id)) = input.group_id else {
            return Ok(());
        };
        match self.live_group(group_id) {
            Ok(_) => Ok(()),
            Err(_) => Err(ZendeskError::invalid("group", "Group: is invalid")),
        }
    }

    /// Refuses an assignee who is not an agent.
    fn check_assignee(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        let Some(Some(assignee_id)) = input.assignee_id else {
            return Ok(());
        };
        match self.user(assignee_id) {
            Some(user) if user.role.is_agent() && user.active => Ok(()),
            _ => Err(ZendeskError::invalid("assignee", "Assignee: is invalid")),
        }
    }

    /// Refuses a `requester_id` that names nobody.
    fn check_requester_id(&self, input: &TicketInput) -> Result<(), ZendeskError> {
        match input.requester {
            Some(RequesterInput::Id(id)) if !self.user(id).is_some_and(|user| user.active) => {
                Err(ZendeskError::invalid("requester", "Requester: is invalid"))
            }
            _ => Ok(()),
        }
    }

    /// The requester `input` names, creating an end user for an unknown e-mail address as Zendesk
    /// does; `None` when it names none.
    fn resolve_requester(&mut self, input: &TicketInput, now: UnixSeconds) -> Option<u64> {
        match input.requester.as_ref()? {
            RequesterInput::Id(id) => Some(*id),
            RequesterInput::Person { name, email } => {
                Some(self.requester_by_email(name.as_deref(), email, now))
            }
        }
    }

    fn new_comment(
        &mut self,
        author_id: u64,
        body: &str,
        public: bool,
        upload_tokens: &[String],
        audit_id: u64,
        now: UnixSeconds,
    ) -> Comment {
        // Unknown and expired tokens are left out: Zendesk deletes uploads whose token expired.
        let uploads: Vec<Upload> = upload_tokens
            .iter()
            .filter_map(|token| self.uploads.remove(token))
            .collect();
        for upload in &uploads {
            self.persist(|store| store.remove_upload(&upload.token));
        }
        let attachment_ids = uploads
            .into_iter()
            .filter(|upload| upload.expires_at > now)
            .flat_map(|upload| upload.attachment_ids)
            .collect();
        Comment {
            id: self.next_object_id(),
            author_id,
            body: body.to_owned(),
            public,
            attachment_ids,
            audit_id,
            created_at: now,
            channel: Channel::Api,
        }
    }

    // --- Bulk jobs ---

    /// Creates up to 100 tickets as one job (`tickets.yml`, TicketsCreateMany).
    pub(crate) fn create_many(
        &mut self,
        actor: &Actor,
        inputs: Vec<TicketInput>,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(&actor.user)?;
        if inputs.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "" });
        }
        let total = inputs.len();
        let results = inputs
            .into_iter()
            .enumerate()
            .map(
                |(index, input)| match self.create_ticket(actor, input, now) {
                    Ok(audit) => JobItem::Created {
                        index,
                        id: audit.ticket_id,
                        account_id: ACCOUNT_ID,
                    },
                    Err(error) => failed_item(Some(index), None, None, &error),
                },
            )
            .collect();
        Ok(self.add_job(
            JobKind::Create,
            Some(total),
            JobResults::Items(results),
            now,
        ))
    }

    /// Updates up to 100 tickets as one job (`tickets.yml`, TicketsUpdateMany).
    pub(crate) fn update_many(
        &mut self,
        actor: &Actor,
        update: BulkUpdate,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(&actor.user)?;
        let updates: Vec<(u64, TicketInput)> = match update {
            BulkUpdate::EachOwn(updates) => updates,
            BulkUpdate::Same(ids, input) => {
                ids.into_iter().map(|id| (id, (*input).clone())).collect()
            }
        };
        if updates.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "" });
        }
        let total = updates.len();
        let results = updates
            .into_iter()
            .map(
                |(ticket_id, input)| match self.update_ticket(actor, ticket_id, &input, now) {
                    Ok(_) => JobItem::Updated {
                        action: "update".to_owned(),
                        status: "Updated".to_owned(),
                        success: true,
                        id: ticket_id,
                    },
                    Err(error) => failed_item(None, Some("update"), Some(ticket_id), &error),
                },
            )
            .collect();
        Ok(self.add_job(
            JobKind::Update,
            Some(total),
            JobResults::Items(results),
            now,
        ))
    }

    /// Soft-deletes up to 100 tickets as one job (`tickets.yml`, BulkDeleteTickets). Ids that do
    /// not exist are skipped.
    pub(crate) fn destroy_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_deleter(caller)?;
        if ticket_ids.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "ids" });
        }
        for ticket_id in ticket_ids {
            self.soft_delete(caller, *ticket_id, now);
        }
        // No destroy job's results are recorded; this is how the recorded deleted-ticket purge
        // job completes.
        Ok(self.add_job(
            JobKind::Destroy,
            Some(ticket_ids.len()),
            JobResults::Done { success: true },
            now,
        ))
    }

    pub(crate) fn job(&self, caller: &User, job_id: &str) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        self.jobs.get(job_id).ok_or(ZendeskError::RecordNotFound)
    }

    fn add_job(
        &mut self,
        kind: JobKind,
        total: Option<usize>,
        results: JobResults,
        now: UnixSeconds,
    ) -> &Job {
        self.n_jobs += 1;
        self.persist(|store| store.set_counter(N_JOBS, self.n_jobs));
        // Recorded job ids are `V3-` and 32 hex digits.
        let id = format!("V3-{:032x}", 0x5a4d_0000_u64 + self.n_jobs);
        let job = Job {
            id: id.clone(),
            kind,
            total,
            results,
            completed_at: now,
        };
        self.persist(|store| store.put_job(&job));
        self.jobs.entry(id).or_insert(job)
    }

    // --- Files ---

    /// Stores an uploaded file under a new token, or adds it to an existing one (`token` query
    /// parameter), as Zendesk's Upload Files does.
    pub(crate) fn upload(
        &mut self,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
        token: Option<&str>,
        now: UnixSeconds,
    ) -> Result<&Upload, ZendeskError> {
        let token = match token {
            Some(token) if self.uploads.contains_key(token) => token.to_owned(),
            Some(_) => return Err(ZendeskError::RecordNotFound),
            None => self.new_token(),
        };
        let attachment_id = self.next_object_id();
        let attachment_token = self.new_token();
        let attachment = Attachment {
            id: attachment_id,
            token: attachment_token,
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            bytes,
        };
        self.persist(|store| store.put_attachment(&attachment));
        self.attachments.insert(attachment_id, attachment);
        let mut upload = self.uploads.remove(&token).unwrap_or(Upload {
            token: token.clone(),
            attachment_ids: Vec::new(),
            expires_at: now + UPLOAD_TOKEN_SECONDS,
        });
        upload.attachment_ids.push(attachment_id);
        self.persist(|store| store.put_upload(&upload));
        Ok(self.uploads.entry(token).or_insert(upload))
    }

    pub(crate) fn attachment(&self, attachment_id: u64) -> Option<&Attachment> {
        self.attachments.get(&attachment_id)
    }

    /// Attachment details (`attachments.yml`, ShowAttachment: agents).
    pub(crate) fn show_attachment(
        &self,
        caller: &User,
        attachment_id: u64,
    ) -> Result<&Attachment, ZendeskError> {
        require_agent(caller)?;
        self.attachment(attachment_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The file behind a `content_url`. By default Zendesk serves attachments to anyone holding
    /// the URL, whose token is the secret ("Adding ticket attachments with the API").
    pub(crate) fn attachment_by_token(&self, token: &str) -> Option<&Attachment> {
        self.attachments
            .values()
            .find(|attachment| attachment.token == token)
    }

    fn new_token(&mut self) -> String {
        self.n_tokens += 1;
        self.persist(|store| store.set_counter(N_TOKENS, self.n_tokens));
        // Deterministic but not guessable from ids alone; shaped like the documented tokens.
        let mixed = self.n_tokens.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995;
        format!("{mixed:016x}")[..15].to_owned()
    }

    // --- Deleted tickets ---

    /// Adds a deleted ticket as it is; for restoring a stored account.
    pub(crate) fn insert_deleted_ticket(&mut self, deleted: DeletedTicket) {
        self.next_ticket_id = self.next_ticket_id.max(deleted.ticket.id + 1);
        self.deleted_tickets.insert(deleted.ticket.id, deleted);
    }

    /// The soft-deleted tickets by id, the order they were created in (ListDeletedTickets: "ordered
    /// chronologically by created date, from oldest to newest").
    pub(crate) fn deleted_tickets(
        &self,
        caller: &User,
    ) -> Result<Vec<&DeletedTicket>, ZendeskError> {
        require_agent(caller)?;
        Ok(self.deleted_tickets.values().collect())
    }

    /// Puts a soft-deleted ticket back as it was (RestoreDeletedTicket). Restoring counts as a
    /// change: the recorded restored ticket's `updated_at` moved on.
    pub(crate) fn restore_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_agent(caller)?;
        self.undelete(ticket_id, now)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Restores up to 100 soft-deleted tickets (BulkRestoreDeletedTickets); ids of no deleted
    /// ticket are skipped, as the bulk delete skips unknown ids.
    pub(crate) fn restore_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_agent(caller)?;
        if ticket_ids.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "ids" });
        }
        for ticket_id in ticket_ids {
            self.undelete(*ticket_id, now);
        }
        Ok(())
    }

    /// Deletes a soft-deleted ticket for good, as a job (DeleteTicketPermanently). Recorded
    /// `TestDeletedTickets.test_permanently_delete`: the job has no total and completes with
    /// `{"success": true}`; restoring the ticket afterwards is not found.
    pub(crate) fn purge_ticket(
        &mut self,
        caller: &User,
        ticket_id: u64,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        self.purge(ticket_id).ok_or(ZendeskError::RecordNotFound)?;
        Ok(self.add_job(
            JobKind::Purge,
            None,
            JobResults::Done { success: true },
            now,
        ))
    }

    /// Deletes up to 100 soft-deleted tickets for good, as one job (BulkPermanentlyDeleteTickets:
    /// "If one ticket fails to be deleted, the endpoint still attempts to delete the others").
    pub(crate) fn purge_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        if ticket_ids.len() > MAX_BULK {
            return Err(ZendeskError::TooManyValues { parameter: "ids" });
        }
        for ticket_id in ticket_ids {
            self.purge(*ticket_id);
        }
        Ok(self.add_job(
            JobKind::Purge,
            Some(ticket_ids.len()),
            JobResults::Done { success: true },
            now,
        ))
    }

    fn undelete(&mut self, ticket_id: u64, now: UnixSeconds) -> Option<()> {
        let mut ticket = self.deleted_tickets.remove(&ticket_id)?.ticket;
        self.persist(|store| store.remove_deleted_ticket(ticket_id));
        ticket.updated_at = now;
        self.persist(|store| store.put_ticket(&ticket));
        self.tickets.insert(ticket_id, ticket);
        Some(())
    }

    fn purge(&mut self, ticket_id: u64) -> Option<()> {
        self.deleted_tickets.remove(&ticket_id)?;
        self.persist(|store| store.remove_deleted_ticket(ticket_id));
        self.audits.retain(|_, audit| audit.ticket_id != ticket_id);
        self.persist(|store| store.remove_audits(ticket_id));
        Some(())
    }

    // --- Audits ---

    /// Adds an audit as it is; for seeding and restoring.
    pub(crate) fn insert_audit(&mut self, audit: Audit) {
        let last_id = audit
            .events
            .iter()
            .map(AuditEvent::id)
            .fold(audit.id, u64::max);
        self.next_object_id = self.next_object_id.max(last_id + 1);
        self.audits.insert(audit.id, audit);
    }

    fn store_audit(&mut self, audit: Audit) -> Audit {
        self.persist(|store| store.put_audit(&audit));
        self.audits.insert(audit.id, audit.clone());
        audit
    }

    /// The audits of every ticket not deleted, oldest first (`ticket-audits.yml`,
    /// ListTicketAudits: admins; recorded `TestTicketAudits`: in `created_at,id` order).
    pub(crate) fn list_audits(&self, caller: &User) -> Result<Vec<&Audit>, ZendeskError> {
        require_admin(caller)?;
        Ok(self.audits_by_time(|audit| self.tickets.contains_key(&audit.ticket_id)))
    }

    /// A ticket's audits, oldest first (`tickets.yml`, ListAuditsForTicket: agents).
    pub(crate) fn ticket_audits(
        &self,
        caller: &User,
        ticket_id: u64,
    ) -> Result<Vec<&Audit>, ZendeskError> {
        self.ticket(caller, ticket_id)?;
        Ok(self.audits_by_time(|audit| audit.ticket_id == ticket_id))
    }

    /// One audit of a ticket (`tickets.yml`, ShowTicketAudit: agents).
    pub(crate) fn ticket_audit(
        &self,
        caller: &User,
        ticket_id: u64,
        audit_id: u64,
    ) -> Result<&Audit, ZendeskError> {
        self.ticket(caller, ticket_id)?;
        self.audits
            .get(&audit_id)
            .filter(|audit| audit.ticket_id == ticket_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    fn audits_by_time(&self, keep: impl Fn(&Audit) -> bool) -> Vec<&Audit> {
        let mut audits: Vec<&Audit> = self.audits.values().filter(|audit| keep(audit)).collect();
        audits.sort_by_key(|audit| (audit.created_at, audit.id));
        audits
    }

    // --- Incremental exports ---

    /// Every ticket the incremental exports hand out, soft-deleted ones included (`incremental.yml`:
    /// admins only).
    pub(crate) fn exported_tickets(
        &self,
        caller: &User,
    ) -> Result<Vec<ExportedTicket<'_>>, ZendeskError> {
        require_admin(caller)?;
        let live = self.tickets.values().map(|ticket| ExportedTicket {
            ticket,
            generated_timestamp: ticket.updated_at,
            deleted: false,
        });
        let deleted = self.deleted_tickets.values().map(|deleted| ExportedTicket {
            ticket: &deleted.ticket,
            generated_timestamp: deleted.deleted_at,
            deleted: true,
        });
        Ok(live.chain(deleted).collect())
    }

    // --- Group memberships ---

    /// Adds a membership as it is; for seeding and restoring.
    pub(crate) fn insert_membership(&mut self, membership: GroupMembership) {
        self.next_membership_id = self.next_membership_id.max(membership.id + 1);
        self.memberships.insert(membership.id, membership);
    }

    /// Gives an account without memberships these, and stores them: a data directory written
    /// before the sandbox emulated memberships holds none.
    pub(crate) fn add_memberships_if_none(&mut self, memberships: Vec<GroupMembership>) {
        if !self.memberships.is_empty() {
            return;
        }
        for membership in memberships {
            self.persist(|store| store.put_membership(&membership));
            self.insert_membership(membership);
        }
        self.persist(|store| store.set_counter(NEXT_MEMBERSHIP_ID, self.next_membership_id));
    }

    /// Memberships by id: all of them, or those of one group or one user, which must exist
    /// (ListGroupMemberships: agents).
    pub(crate) fn memberships(
        &self,
        caller: &User,
        of: MembershipsOf,
    ) -> Result<Vec<&GroupMembership>, ZendeskError> {
        require_agent(caller)?;
        match of {
            MembershipsOf::Group(group_id) if !self.groups.contains_key(&group_id) => {
                return Err(ZendeskError::RecordNotFound)
            }
            MembershipsOf::User(user_id) if !self.users.contains_key(&user_id) => {
                return Err(ZendeskError::RecordNotFound)
            }
            _ => {}
        }
        Ok(self
            .memberships
            .values()
            .filter(|membership| match of {
                MembershipsOf::All => true,
                MembershipsOf::Group(group_id) => membership.group_id == group_id,
                MembershipsOf::User(user_id) => membership.user_id == user_id,
            })
            .collect())
    }

    /// One membership (ShowGroupMembershipById: agents).
    pub(crate) fn membership(
        &self,
        caller: &User,
        membership_id: u64,
    ) -> Result<&GroupMembership, ZendeskError> {
        require_agent(caller)?;
        self.memberships
            .get(&membership_id)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Assigns an agent to a group that is not deleted (CreateGroupMembership: admins). A user's
    /// first group becomes their default one. The reference names no refusals; they are 422 in
    /// the sandbox's own wording.
    pub(crate) fn create_membership(
        &mut self,
        caller: &User,
        input: &MembershipInput,
        now: UnixSeconds,
    ) -> Result<&GroupMembership, ZendeskError> {
        require_admin(caller)?;
        match self.user(input.user_id) {
            Some(user) if user.role.is_agent() => {}
            _ => return Err(ZendeskError::invalid("user", "User: is invalid")),
        }
        if self.live_group(input.group_id).is_err() {
            return Err(ZendeskError::invalid("group", "Group: is invalid"));
        }
        let of_user: Vec<&GroupMembership> = self
            .memberships
            .values()
            .filter(|membership| membership.user_id == input.user_id)
            .collect();
        if of_user
            .iter()
            .any(|membership| membership.group_id == input.group_id)
        {
            return Err(ZendeskError::invalid(
                "user",
                "User: is already a member of this group",
            ));
        }
        let default = input.default || of_user.is_empty();
        let membership_id = self.add_membership(input.user_id, input.group_id, now);
        if default {
            self.set_default_group(input.user_id, Some(input.group_id), now);
        }
        Ok(&self.memberships[&membership_id])
    }

    /// Removes an agent from a group (DeleteGroupMembership: admins); when it was their default
    /// group, their oldest other membership becomes the default.
    pub(crate) fn delete_membership(
        &mut self,
        caller: &User,
        membership_id: u64,
        now: UnixSeconds,
    ) -> Result<(), ZendeskError> {
        require_admin(caller)?;
        let membership = self
            .memberships
            .remove(&membership_id)
            .ok_or(ZendeskError::RecordNotFound)?;
        self.persist(|store| store.remove_membership(membership_id));
        if membership.default {
            let next_default = self
                .memberships
                .values()
                .find(|other| other.user_id == membership.user_id)
                .map(|other| other.group_id);
            self.set_default_group(membership.user_id, next_default, now);
        }
        Ok(())
    }

    /// Makes `group_id` the user's default group, in their memberships and their
    /// `default_group_id`.
    fn set_default_group(&mut self, user_id: u64, group_id: Option<u64>, now: UnixSeconds) {
        let changed: Vec<GroupMembership> = self
            .memberships
            .values()
            .filter(|membership| membership.user_id == user_id)
            .filter(|membership| membership.default != (Some(membership.group_id) == group_id))
            .map(|membership| GroupMembership {
                default: !membership.default,
                updated_at: now,
                ..membership.clone()
            })
            .collect();
        for membership in changed {
            self.store_membership(membership);
        }
        let Some(mut user) = self.users.get(&user_id).cloned() else {
            return;
        };
        user.default_group_id = group_id;
        user.updated_at = now;
        self.persist(|store| store.put_user(&user));
        self.users.insert(user_id, user);
    }

    /// Puts a user in a group with a new membership, not yet their default one, and returns its
    /// id.
    fn add_membership(&mut self, user_id: u64, group_id: u64, now: UnixSeconds) -> u64 {
        let membership = GroupMembership {
            id: self.next_membership_id,
            user_id,
            group_id,
            default: false,
            created_at: now,
            updated_at: now,
        };
        self.next_membership_id += 1;
        self.persist(|store| store.set_counter(NEXT_MEMBERSHIP_ID, membership.id + 1));
        let membership_id = membership.id;
        self.store_membership(membership);
        membership_id
    }

    fn store_membership(&mut self, membership: GroupMembership) {
        self.persist(|store| store.put_membership(&membership));
        self.memberships.insert(membership.id, membership);
    }
}

/// The stored counters, by name.
const NEXT_TICKET_ID: &str = "next_ticket_id";
const NEXT_USER_ID: &str = "next_user_id";
const NEXT_GROUP_ID: &str = "next_group_id";
const NEXT_MEMBERSHIP_ID: &str = "next_membership_id";
const NEXT_OBJECT_ID: &str = "next_object_id";
const N_JOBS: &str = "n_jobs";
const N_TOKENS: &str = "n_tokens";

/// Agents and admins only.
pub(crate) fn require_agent(caller: &User) -> Result<(), ZendeskError> {
    match caller.role.is_agent() {
        true => Ok(()),
        false => Err(ZendeskError::Forbidden),
    }
}

/// Admins only.
pub(crate) fn require_admin(caller: &User) -> Result<(), ZendeskError> {
    match caller.role == Role::Admin {
        true => Ok(()),
        false => Err(ZendeskError::Forbidden),
    }
}

fn require_deleter(caller: &User) -> Result<(), ZendeskError> {
    let allowed =
        caller.role == Role::Admin || (caller.role.is_agent() && caller.may_delete_tickets);
    match allowed {
        true => Ok(()),
        false => Err(ZendeskError::Forbidden),
    }
}

/// Read from users stored before the field existed.
fn true_when_not_stored() -> bool {
    true
}

/// A failed item of a bulk job. Failed items are not in the recordings; the sandbox reports them
/// with the error body's code and description.
fn failed_item(
    index: Option<usize>,
    action: Option<&'static str>,
    id: Option<u64>,
    error: &ZendeskError,
) -> JobItem {
    let (code, details) = match error {
        ZendeskError::RecordNotFound => ("RecordNotFound", "Not found".to_owned()),
        ZendeskError::RecordInvalid(details) => (
            "RecordInvalid",
            details
                .values()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => ("Failed", other.to_string()),
    };
    JobItem::Failed {
        index,
        action: action.map(str::to_owned),
        id,
        success: false,
        error: code.to_owned(),
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job reads back from its stored JSON as it was, whichever shape its items have.
    #[test]
    fn jobs_read_back_from_their_json() {
        let items = vec![
            JobItem::Created {
                index: 0,
                id: 13,
                account_id: ACCOUNT_ID,
            },
            JobItem::Updated {
                action: "update".into(),
                status: "Updated".into(),
                success: true,
                id: 13,
            },
            failed_item(Some(1), None, None, &ZendeskError::RecordNotFound),
            failed_item(
                None,
                Some("update"),
                Some(99),
                &ZendeskError::invalid("status", "Status closed prevents ticket update"),
            ),
        ];
        for results in [JobResults::Items(items), JobResults::Done { success: true }] {
            let job = Job {
                id: "V3-0000000000000000000000005a4d0001".into(),
                kind: JobKind::Update,
                total: Some(4),
                results,
                completed_at: 1_704_704_400,
            };
            let json = serde_json::to_string(&job).expect("a job serialises");
            let read: Job = serde_json::from_str(&json).expect("a stored job reads");
            assert_eq!(read, job, "{json}");
        }
    }
}
