//! Groups and group memberships in their recorded (groups) and documented (memberships) shape.

use serde::Serialize;

use crate::zendesk::account::{Group, GroupMembership};
use crate::zendesk::wire::{timestamp, Renderer};

/// A group, in the recorded key order.
#[derive(Serialize)]
pub(crate) struct GroupJson<'a> {
    url: String,
    id: u64,
    is_public: bool,
    name: &'a str,
    description: &'a str,
    default: bool,
    deleted: bool,
    created_at: String,
    updated_at: String,
}

/// A group membership (Group Memberships reference, "JSON format").
#[derive(Serialize)]
pub(crate) struct MembershipJson {
    url: String,
    id: u64,
    user_id: u64,
    group_id: u64,
    default: bool,
    created_at: String,
    updated_at: String,
}

impl<'a> Renderer<'a> {
    pub(crate) fn group(&self, group: &'a Group) -> GroupJson<'a> {
        GroupJson {
            url: self.record_url("groups", group.id),
            id: group.id,
            is_public: group.is_public,
            name: &group.name,
            description: &group.description,
            default: group.default,
            deleted: group.deleted,
            created_at: timestamp(group.created_at),
            updated_at: timestamp(group.updated_at),
        }
    }

    pub(crate) fn membership(&self, membership: &GroupMembership) -> MembershipJson {
        MembershipJson {
            url: self.record_url("group_memberships", membership.id),
            id: membership.id,
            user_id: membership.user_id,
            group_id: membership.group_id,
            default: membership.default,
            created_at: timestamp(membership.created_at),
            updated_at: timestamp(membership.updated_at),
        }
    }
}
