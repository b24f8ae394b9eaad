//! Users and the rules that read and change them: lookups, lists and search for agents, creates,
//! updates and deletes for admins, and the end users a ticket's requester makes.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::jobs::JobKind;
use crate::zendesk::account::{
    check_bulk, require_admin, require_agent, Account, Counter, GroupMembership, Job,
};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::search::Query;
use crate::zendesk::users::{self, UserInput};

/// A user's role, as `role` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    EndUser,
    Agent,
    Admin,
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

/// Who made a request and with what client, for audits.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) user: User,
    pub(crate) client: String,
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

impl Account {
    /// Adds a user as it is, or replaces the one with its id; for seeding and restoring too.
    pub(crate) fn insert_user(&mut self, user: User) -> &User {
        self.raise_counter(Counter::NextUserId, user.id + 1);
        self.persist(|store| store.put_user(&user));
        let user_id = user.id;
        self.users.insert(user_id, user);
        &self.users[&user_id]
    }

    pub(crate) fn user(&self, user_id: u64) -> Option<&User> {
        self.users.get(&user_id)
    }

    /// The active user with this e-mail address; addresses compare without case, as e-mail
    /// does. A deleted user no longer signs in or requests tickets by address.
    pub(crate) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.active_user_by(|user| user.email.as_deref(), email)
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
        let user = User::end_user(self.counter(Counter::NextUserId), String::new(), None, now);
        self.apply_user_input(user, input, now)
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
        user.updated_at = now;
        self.apply_user_input(user, input, now)
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
            self.active_user_by(|user| user.external_id.as_deref(), external_id)
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
        self.deactivate_user(user_id, now)
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
        check_bulk(user_ids.len(), "ids")?;
        for user_id in user_ids {
            // An id of no user, or of a deleted one, is skipped.
            let _ = self.deactivate_user(*user_id, now);
        }
        Ok(self.add_done_job(JobKind::DestroyUsers, Some(user_ids.len()), now))
    }

    /// The user for a requester given by name and e-mail: the known one, or a new end user, as
    /// Zendesk creates requesters it does not know.
    pub(in crate::zendesk::account) fn requester_by_email(
        &mut self,
        name: Option<&str>,
        email: &str,
        now: UnixSeconds,
    ) -> u64 {
        if let Some(user) = self.user_by_email(email) {
            return user.id;
        }
        let fallback_name = email.split('@').next().unwrap_or(email);
        let user = User::end_user(
            self.counter(Counter::NextUserId),
            name.unwrap_or(fallback_name).to_owned(),
            Some(email.to_owned()),
            now,
        );
        self.insert_user(user).id
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

    /// Applies a `user` object and the account's own rules, and keeps the user: an address
    /// belongs to one user (the body a real account sends, zendesk/zendesk_api_client_rb PR 477),
    /// agents start in the default group, and memberships follow the role.
    fn apply_user_input(
        &mut self,
        mut user: User,
        input: &UserInput,
        now: UnixSeconds,
    ) -> Result<&User, ZendeskError> {
        users::apply(&mut user, input)?;
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
        let user_id = user.id;
        self.insert_user(user);
        self.match_memberships_to_role(user_id, now);
        Ok(&self.users[&user_id])
    }

    /// Marks a user that is not deleted yet deleted.
    fn deactivate_user(&mut self, user_id: u64, now: UnixSeconds) -> Result<&User, ZendeskError> {
        let mut user = self.live_user(user_id)?.clone();
        user.active = false;
        user.updated_at = now;
        Ok(self.insert_user(user))
    }

    fn live_user(&self, user_id: u64) -> Result<&User, ZendeskError> {
        self.users
            .get(&user_id)
            .filter(|user| user.active)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The active user whose `key` is `value` without case, as addresses and external ids
    /// compare.
    fn active_user_by(&self, key: impl Fn(&User) -> Option<&str>, value: &str) -> Option<&User> {
        self.users.values().find(|user| {
            user.active && key(user).is_some_and(|known| known.eq_ignore_ascii_case(value))
        })
    }
}

/// Read from users stored before the field existed.
fn true_when_not_stored() -> bool {
    true
}
