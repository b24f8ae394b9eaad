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
//!
//! The account is one type whose `impl` is split by job, one file each, every file holding the
//! records it keeps beside the rules that change them: `users.rs` (users and requesters),
//! `settings.rs` (brands, organizations, custom roles), `groups.rs` (groups and memberships),
//! `tickets.rs` (tickets, comments, the incremental exports), `deleted_tickets.rs`, `audits.rs`,
//! `jobs.rs` (bulk jobs) and `files.rs` (uploads and attachments). This file holds the state, the
//! id counters, persistence and the role checks.

mod audits;
mod deleted_tickets;
mod files;
mod groups;
mod jobs;
mod settings;
mod tickets;
mod users;

// The records are named from here, so that the rest of `crate::zendesk` sees one account whatever
// file of it a record is kept in.
pub(crate) use crate::zendesk::account::audits::{Audit, AuditEvent};
pub(crate) use crate::zendesk::account::deleted_tickets::DeletedTicket;
pub(crate) use crate::zendesk::account::files::{Attachment, Upload};
pub(crate) use crate::zendesk::account::groups::{Group, GroupMembership, MembershipsOf};
pub(crate) use crate::zendesk::account::jobs::{BulkUpdate, Job, JobResults};
pub(crate) use crate::zendesk::account::tickets::{Channel, Comment, ExportedTicket, Ticket};
pub(crate) use crate::zendesk::account::users::{Actor, Role, User};

use std::collections::{BTreeMap, HashMap};

use crate::common::persist::StoreError;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::persist::{Snapshot, ZendeskStore};
use crate::zendesk::users::default_custom_role;

/// Most values one bulk call takes (`tickets.yml`: "up to 100").
const MAX_BULK: usize = 100;

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
    /// The values of the counters, by `Counter as usize`.
    counters: [u64; Counter::ALL.len()],
    /// Where changes are written through with `--data`.
    store: Option<ZendeskStore>,
}

/// The account's id sequences and counts, stored by name with `--data` so that they go on where
/// they stopped and no id is handed out twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counter {
    NextTicketId,
    NextUserId,
    NextGroupId,
    NextMembershipId,
    /// Comments, audits, events and attachments share one sequence, as ids in Zendesk are unique
    /// across them.
    NextObjectId,
    NJobs,
    NTokens,
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
            counters: Counter::ALL.map(Counter::start),
            store: None,
        }
    }
}

impl Account {
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
                user.custom_role_id = default_custom_role(user.role);
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
            account.insert_attachment(attachment);
        }
        for upload in snapshot.uploads {
            account.uploads.insert(upload.token.clone(), upload);
        }
        for job in snapshot.jobs {
            account.jobs.insert(job.id.clone(), job);
        }
        for (name, value) in snapshot.counters {
            if let Some(counter) = Counter::ALL.into_iter().find(|known| known.name() == name) {
                account.raise_counter(counter, value);
            }
        }
        account.store = Some(store);
        Ok(account)
    }

    /// A fresh id for a comment, audit or attachment.
    pub(crate) fn next_object_id(&mut self) -> u64 {
        self.take_id(Counter::NextObjectId)
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
            counters: Counter::ALL
                .into_iter()
                .map(|counter| (counter.name().to_owned(), self.counter(counter)))
                .collect(),
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

    /// The next id of a sequence, or a count so far.
    fn counter(&self, counter: Counter) -> u64 {
        self.counters[counter as usize]
    }

    /// Sets a counter, and stores it with `--data`.
    fn set_counter(&mut self, counter: Counter, value: u64) {
        self.counters[counter as usize] = value;
        self.persist(|store| store.set_counter(counter.name(), value));
    }

    /// Hands out the next id of a sequence.
    fn take_id(&mut self, counter: Counter) -> u64 {
        let id = self.counter(counter);
        self.set_counter(counter, id + 1);
        id
    }

    /// Counts one more and gives the new count.
    fn count_one(&mut self, counter: Counter) -> u64 {
        let count = self.counter(counter) + 1;
        self.set_counter(counter, count);
        count
    }

    /// Raises a counter to `value` if it is below, for records added as they are, whose ids must
    /// not be handed out again.
    fn raise_counter(&mut self, counter: Counter, value: u64) {
        if value > self.counter(counter) {
            self.set_counter(counter, value);
        }
    }
}

impl Counter {
    const ALL: [Counter; 7] = [
        Counter::NextTicketId,
        Counter::NextUserId,
        Counter::NextGroupId,
        Counter::NextMembershipId,
        Counter::NextObjectId,
        Counter::NJobs,
        Counter::NTokens,
    ];

    /// The name it is stored under.
    fn name(self) -> &'static str {
        match self {
            Counter::NextTicketId => "next_ticket_id",
            Counter::NextUserId => "next_user_id",
            Counter::NextGroupId => "next_group_id",
            Counter::NextMembershipId => "next_membership_id",
            Counter::NextObjectId => "next_object_id",
            Counter::NJobs => "n_jobs",
            Counter::NTokens => "n_tokens",
        }
    }

    /// Its value in a new account.
    fn start(self) -> u64 {
        match self {
            Counter::NextTicketId => 1,
            Counter::NextUserId => 20_001,
            Counter::NextGroupId => 40_001,
            Counter::NextMembershipId => 50_001,
            Counter::NextObjectId => 1_000_001,
            Counter::NJobs | Counter::NTokens => 0,
        }
    }
}

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

/// Admins, and agents allowed to delete tickets (`tickets.yml`, DeleteTicket).
fn require_deleter(caller: &User) -> Result<(), ZendeskError> {
    let allowed =
        caller.role == Role::Admin || (caller.role.is_agent() && caller.may_delete_tickets);
    match allowed {
        true => Ok(()),
        false => Err(ZendeskError::Forbidden),
    }
}

/// Refuses a bulk call with more than `MAX_BULK` values; `parameter` names the query parameter
/// that held them, `""` for a body array.
fn check_bulk(n_values: usize, parameter: &'static str) -> Result<(), ZendeskError> {
    match n_values > MAX_BULK {
        true => Err(ZendeskError::TooManyValues { parameter }),
        false => Ok(()),
    }
}
