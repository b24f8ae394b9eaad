//! Groups, which tickets are assigned to, and group memberships, which put agents in them: read by
//! agents, changed by admins. A deleted group stays, marked, and can no longer be assigned.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{require_admin, require_agent, Account, Counter, User};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::groups::{self, GroupInput, MembershipInput};
use crate::zendesk::paging::CursorKey;

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

/// Whose memberships a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MembershipsOf {
    All,
    Group(u64),
    User(u64),
}

impl Account {
    /// Adds a group as it is, or replaces the one with its id; for seeding and restoring too.
    pub(crate) fn insert_group(&mut self, group: Group) -> &Group {
        self.raise_counter(Counter::NextGroupId, group.id + 1);
        self.persist(|store| store.put_group(&group));
        let group_id = group.id;
        self.groups.insert(group_id, group);
        &self.groups[&group_id]
    }

    /// Gives an account without groups these, and stores them: a data directory written before
    /// the sandbox emulated groups holds none, and a group once made is never removed, only
    /// marked deleted.
    pub(crate) fn add_groups_if_none(&mut self, groups: Vec<Group>) {
        if !self.groups.is_empty() {
            return;
        }
        for group in groups {
            self.insert_group(group);
        }
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
            id: self.counter(Counter::NextGroupId),
            name: String::new(),
            description: String::new(),
            is_public: true,
            default: false,
            deleted: false,
            created_at: now,
            updated_at: now,
        };
        groups::apply(&mut group, input)?;
        Ok(self.insert_group(group))
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
        Ok(self.insert_group(group))
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
        self.insert_group(group);
        Ok(())
    }

    /// A group that is not deleted.
    pub(in crate::zendesk::account) fn live_group(
        &self,
        group_id: u64,
    ) -> Result<&Group, ZendeskError> {
        self.groups
            .get(&group_id)
            .filter(|group| !group.deleted)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// Groups in the recorded list order: by name without case, then by id.
    fn groups_by_name(&self, keep: impl Fn(&Group) -> bool) -> Vec<&Group> {
        let mut groups: Vec<&Group> = self.groups.values().filter(|group| keep(group)).collect();
        groups.sort_by_key(|group| CursorKey::name_and_id(&group.name, group.id));
        groups
    }

    /// Adds a membership as it is, or replaces the one with its id; for seeding and restoring
    /// too.
    pub(crate) fn insert_membership(&mut self, membership: GroupMembership) {
        self.raise_counter(Counter::NextMembershipId, membership.id + 1);
        self.persist(|store| store.put_membership(&membership));
        self.memberships.insert(membership.id, membership);
    }

    /// Gives an account without memberships these, and stores them: a data directory written
    /// before the sandbox emulated memberships holds none.
    pub(crate) fn add_memberships_if_none(&mut self, memberships: Vec<GroupMembership>) {
        if !self.memberships.is_empty() {
            return;
        }
        for membership in memberships {
            self.insert_membership(membership);
        }
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
    pub(in crate::zendesk::account) fn set_default_group(
        &mut self,
        user_id: u64,
        group_id: Option<u64>,
        now: UnixSeconds,
    ) {
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
            self.insert_membership(membership);
        }
        let Some(mut user) = self.users.get(&user_id).cloned() else {
            return;
        };
        user.default_group_id = group_id;
        user.updated_at = now;
        self.insert_user(user);
    }

    /// Puts a user in a group with a new membership, not yet their default one, and returns its
    /// id.
    pub(in crate::zendesk::account) fn add_membership(
        &mut self,
        user_id: u64,
        group_id: u64,
        now: UnixSeconds,
    ) -> u64 {
        let membership_id = self.counter(Counter::NextMembershipId);
        self.insert_membership(GroupMembership {
            id: membership_id,
            user_id,
            group_id,
            default: false,
            created_at: now,
            updated_at: now,
        });
        membership_id
    }
}
