//! The account's fixed configuration in its recorded shape: brands, organizations and custom roles
//! with what each role grants.

use serde::Serialize;
use serde_json::{json, Value};

use crate::zendesk::settings::{Access, Brand, CustomRole, Organization, BRAND_ID, TICKET_FORM_ID};
use crate::zendesk::wire::{timestamp, Renderer};

/// A brand, in the recorded key order.
#[derive(Serialize)]
pub(crate) struct BrandJson<'a> {
    url: String,
    id: u64,
    name: &'a str,
    brand_url: &'a str,
    subdomain: &'a str,
    host_mapping: Option<&'a str>,
    has_help_center: bool,
    help_center_state: &'static str,
    active: bool,
    default: bool,
    is_deleted: bool,
    logo: Option<Value>,
    ticket_form_ids: [u64; 1],
    signature_template: &'static str,
    created_at: String,
    updated_at: String,
}

/// An organization, in the recorded key order.
#[derive(Serialize)]
pub(crate) struct OrganizationJson<'a> {
    url: String,
    id: u64,
    name: &'a str,
    shared_tickets: bool,
    shared_comments: bool,
    external_id: Option<&'a str>,
    created_at: String,
    updated_at: String,
    domain_names: &'a [&'a str],
    details: Option<&'a str>,
    notes: Option<&'a str>,
    group_id: Option<u64>,
    tags: [String; 0],
    organization_fields: Value,
}

/// A custom role, in the recorded key order; it has no `url`, as recorded.
#[derive(Serialize)]
pub(crate) struct CustomRoleJson<'a> {
    id: u64,
    name: &'a str,
    description: &'a str,
    role_type: u64,
    created_at: String,
    updated_at: String,
    configuration: RoleConfigurationJson,
    team_member_count: usize,
}

/// What a custom role grants, with the recorded keys in their order. The admin role's values are
/// the recorded ones; the other roles keep their rights to tickets and lose the account's
/// settings.
#[derive(Serialize)]
pub(crate) struct RoleConfigurationJson {
    chat_access: bool,
    end_user_list_access: &'static str,
    forum_access_restricted_content: bool,
    light_agent: bool,
    manage_business_rules: bool,
    manage_dynamic_content: bool,
    manage_extensions_and_channels: bool,
    manage_facebook: bool,
    moderate_forums: bool,
    side_conversation_create: bool,
    ticket_access: &'static str,
    ticket_comment_access: &'static str,
    ticket_deletion: bool,
    ticket_tag_editing: bool,
    twitter_search_access: bool,
    view_deleted_tickets: bool,
    voice_access: bool,
    group_access: bool,
    organization_editing: bool,
    organization_notes_editing: bool,
    assign_tickets_to_any_group: bool,
    end_user_profile_access: &'static str,
    explore_access: &'static str,
    forum_access: &'static str,
    macro_access: &'static str,
    report_access: &'static str,
    ticket_editing: bool,
    ticket_merge: bool,
    user_view_access: &'static str,
    view_access: &'static str,
    voice_dashboard_access: bool,
    manage_automations: bool,
    manage_contextual_workspaces: bool,
    manage_organization_fields: bool,
    manage_skills: bool,
    manage_slas: bool,
    manage_ticket_fields: bool,
    manage_ticket_forms: bool,
    manage_user_fields: bool,
    ticket_redaction: bool,
    manage_roles: &'static str,
    manage_groups: bool,
    manage_group_memberships: bool,
    manage_organizations: bool,
    manage_suspended_tickets: bool,
    manage_triggers: bool,
}

impl<'a> Renderer<'a> {
    /// A brand; its `brand_url` is the account's own address.
    pub(crate) fn brand(&self, brand: &'a Brand) -> BrandJson<'a> {
        BrandJson {
            url: self.record_url("brands", brand.id),
            id: brand.id,
            name: brand.name,
            brand_url: self.account_url,
            subdomain: brand.subdomain,
            host_mapping: None,
            has_help_center: false,
            help_center_state: "disabled",
            active: true,
            default: brand.id == BRAND_ID,
            is_deleted: false,
            logo: None,
            ticket_form_ids: [TICKET_FORM_ID],
            signature_template: "{{agent.signature}}",
            created_at: timestamp(brand.created_at),
            updated_at: timestamp(brand.created_at),
        }
    }

    pub(crate) fn organization(&self, organization: &'a Organization) -> OrganizationJson<'a> {
        OrganizationJson {
            url: self.record_url("organizations", organization.id),
            id: organization.id,
            name: organization.name,
            shared_tickets: false,
            shared_comments: false,
            external_id: None,
            created_at: timestamp(organization.created_at),
            updated_at: timestamp(organization.created_at),
            domain_names: organization.domain_names,
            details: None,
            notes: None,
            group_id: None,
            tags: [],
            organization_fields: json!({}),
        }
    }

    pub(crate) fn custom_role(
        &self,
        custom_role: &'a CustomRole,
        team_member_count: usize,
    ) -> CustomRoleJson<'a> {
        CustomRoleJson {
            id: custom_role.id,
            name: custom_role.name,
            description: custom_role.description,
            role_type: custom_role.role_type,
            created_at: timestamp(custom_role.created_at),
            updated_at: timestamp(custom_role.created_at),
            configuration: role_configuration(custom_role.access),
            team_member_count,
        }
    }
}

/// A role's `configuration`: admins as recorded; team leaders edit people and delete tickets;
/// staff edit tickets; advisors run business rules with private comments; light agents only
/// look and comment privately.
fn role_configuration(access: Access) -> RoleConfigurationJson {
    let admin = access == Access::Admin;
    let light_agent = access == Access::LightAgent;
    let edits_people = matches!(access, Access::Admin | Access::TeamLeader);
    let runs_rules = matches!(access, Access::Admin | Access::Advisor);
    let private_only = matches!(access, Access::Advisor | Access::LightAgent);
    let full_or = |fallback| match admin {
        true => "full",
        false => fallback,
    };
    RoleConfigurationJson {
        chat_access: !light_agent,
        end_user_list_access: match edits_people {
            true => "full",
            false => "none",
        },
        forum_access_restricted_content: false,
        light_agent,
        manage_business_rules: runs_rules,
        manage_dynamic_content: admin,
        manage_extensions_and_channels: admin,
        manage_facebook: admin,
        moderate_forums: false,
        side_conversation_create: !light_agent,
        ticket_access: "all",
        ticket_comment_access: match private_only {
            true => "private",
            false => "public",
        },
        ticket_deletion: edits_people,
        ticket_tag_editing: !light_agent,
        twitter_search_access: false,
        view_deleted_tickets: edits_people,
        voice_access: !light_agent,
        group_access: admin,
        organization_editing: edits_people,
        organization_notes_editing: edits_people,
        assign_tickets_to_any_group: !light_agent,
        end_user_profile_access: match edits_people {
            true => "full",
            false => "readonly",
        },
        explore_access: full_or("readonly"),
        forum_access: full_or("readonly"),
        macro_access: match runs_rules {
            true => "full",
            false => "manage-personal",
        },
        report_access: full_or("readonly"),
        ticket_editing: !light_agent,
        ticket_merge: !light_agent,
        user_view_access: full_or("readonly"),
        view_access: match runs_rules {
            true => "full",
            false => "manage-personal",
        },
        voice_dashboard_access: admin,
        manage_automations: runs_rules,
        manage_contextual_workspaces: admin,
        manage_organization_fields: admin,
        manage_skills: admin,
        manage_slas: runs_rules,
        manage_ticket_fields: admin,
        manage_ticket_forms: admin,
        manage_user_fields: admin,
        ticket_redaction: admin,
        manage_roles: match admin {
            true => "all",
            false => "none",
        },
        manage_groups: admin,
        manage_group_memberships: admin,
        manage_organizations: edits_people,
        manage_suspended_tickets: admin,
        manage_triggers: runs_rules,
    }
}
