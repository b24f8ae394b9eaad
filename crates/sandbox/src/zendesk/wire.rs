//! Zendesk's JSON, as the recordings show it: objects in a named envelope, ids as numbers, times
//! as `2023-09-18T23:26:00Z`, every key present (null when empty), `url` pointing at the object's
//! own `.json` address, and `Content-Type: application/json; charset=utf-8`.
//!
//! Key sets and order copy the recorded objects: tickets and audits from
//! `TestTicketCreateUpdateDelete.test_single_object_update-update-single.json` and
//! `TestTicketAudits.test_values.json`, users from `TestUsersPagination.test_values.json`, job
//! statuses from the `create_many` recordings, groups from
//! `TestGroupCreateUpdateDelete.test_pagination.json`, brands, organizations and custom roles from
//! the lookups in `TestTicketCreateUpdateDelete.test_full_objects_create-create-multiple.json`,
//! search export pages from `TestUserSearchExportApi`. Deleted tickets and group memberships are
//! not recorded; their keys are those of Zendesk's reference examples.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::common::datetime::{self, UnixSeconds};
use crate::zendesk::account::{
    Attachment, Audit, AuditEvent, Comment, DeletedTicket, ExportedTicket, Group, GroupMembership,
    Job, JobResults, Role, Status, Ticket, Upload, User,
};
use crate::zendesk::paging::PageLinks;
use crate::zendesk::settings::{
    self, Access, Brand, CustomRole, Organization, BRAND_ID, TICKET_FORM_ID,
};
use crate::zendesk::tickets::{self, Action};

/// The content type of every recorded JSON reply.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A JSON reply with the recorded content type.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let body = serde_json::to_string(body).expect("wire objects always serialise");
    json_text_response(status, body)
}

/// A reply with a JSON body already written, with the recorded content type.
pub(crate) fn json_text_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// The first reply to a bulk request or a permanent delete: its job, queued (recorded
/// `create_many`).
pub(crate) fn queued_job_response(render: &Renderer<'_>, job: &Job) -> Response {
    let body = Envelope {
        key: "job_status",
        value: render.queued_job(job),
    };
    json_response(StatusCode::OK, &body)
}

/// Adds `Location` with the address of what a create made (recorded on ticket, user and group
/// creates).
pub(crate) fn add_location(response: &mut Response, url: &str) {
    if let Ok(location) = HeaderValue::from_str(url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
}

/// Adds `x-zendesk-api-warn` when `body` held keys `action` does not permit, naming `controller`
/// (recorded on updates and deletes).
pub(crate) fn add_api_warning(
    response: &mut Response,
    controller: &str,
    body: &Value,
    action: Action,
) {
    let keys = tickets::unpermitted_keys(body, action);
    let warning = tickets::api_warning(controller, action, &keys);
    if let Some(value) = warning.and_then(|warning| HeaderValue::from_str(&warning).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-zendesk-api-warn"), value);
    }
}

/// A count, refreshed `now`.
pub(crate) fn count(value: usize, now: UnixSeconds) -> CountJson {
    CountJson {
        count: CountValueJson {
            value,
            refreshed_at: timestamp(now),
        },
    }
}

/// Zendesk's time format.
pub(crate) fn timestamp(seconds: UnixSeconds) -> String {
    format!("{}Z", datetime::format(seconds).replacen(' ', "T", 1))
}

#[derive(Serialize)]
pub(crate) struct TicketJson<'a> {
    url: String,
    id: u64,
    external_id: Option<&'a str>,
    via: Via,
    created_at: String,
    updated_at: String,
    #[serde(rename = "type")]
    ticket_type: Option<&'static str>,
    subject: Option<&'a str>,
    raw_subject: Option<&'a str>,
    description: &'a str,
    priority: Option<&'static str>,
    status: &'static str,
    recipient: Option<&'a str>,
    requester_id: u64,
    submitter_id: u64,
    assignee_id: Option<u64>,
    organization_id: Option<u64>,
    group_id: Option<u64>,
    collaborator_ids: [u64; 0],
    follower_ids: [u64; 0],
    email_cc_ids: [u64; 0],
    forum_topic_id: Option<u64>,
    problem_id: Option<u64>,
    has_incidents: bool,
    is_public: bool,
    due_at: Option<String>,
    tags: &'a [String],
    custom_fields: [Value; 0],
    satisfaction_rating: Option<Value>,
    sharing_agreement_ids: [u64; 0],
    custom_status_id: u64,
    /// Left out of cursor-paged lists, as recorded (`TestTicketsPagination.test_pagination`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<[Value; 0]>,
    followup_ids: [u64; 0],
    ticket_form_id: u64,
    brand_id: u64,
    allow_channelback: bool,
    allow_attachments: bool,
    from_messaging_channel: bool,
}

/// A search result: the object plus `result_type` (`search.yml`, SearchResponse).
#[derive(Serialize)]
pub(crate) struct SearchResultJson<T> {
    #[serde(flatten)]
    object: T,
    result_type: &'static str,
}

#[derive(Serialize)]
pub(crate) struct UserJson<'a> {
    id: Option<u64>,
    url: Option<String>,
    name: &'a str,
    email: Option<&'a str>,
    created_at: Option<String>,
    updated_at: Option<String>,
    time_zone: &'static str,
    iana_time_zone: &'static str,
    phone: Option<&'a str>,
    shared_phone_number: Option<bool>,
    photo: Option<Value>,
    locale_id: u64,
    locale: &'static str,
    organization_id: Option<u64>,
    role: &'static str,
    verified: bool,
    external_id: Option<&'a str>,
    tags: [String; 0],
    alias: Option<&'a str>,
    active: bool,
    shared: bool,
    shared_agent: bool,
    last_login_at: Option<String>,
    two_factor_auth_enabled: Option<bool>,
    signature: Option<&'a str>,
    details: Option<&'a str>,
    notes: Option<&'a str>,
    role_type: Option<u64>,
    custom_role_id: Option<u64>,
    moderator: bool,
    ticket_restriction: Option<&'static str>,
    only_private_comments: bool,
    restricted_agent: bool,
    suspended: bool,
    default_group_id: Option<u64>,
    report_csv: bool,
    user_fields: Value,
}

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

#[derive(Serialize)]
pub(crate) struct CommentJson<'a> {
    id: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    author_id: u64,
    body: &'a str,
    html_body: String,
    plain_body: &'a str,
    public: bool,
    attachments: Vec<AttachmentJson<'a>>,
    audit_id: u64,
    via: Via,
    created_at: String,
    metadata: CommentMetadataJson,
}

#[derive(Serialize)]
pub(crate) struct CommentMetadataJson {
    system: Value,
    custom: Value,
}

#[derive(Clone, Serialize)]
pub(crate) struct AttachmentJson<'a> {
    url: String,
    id: u64,
    file_name: &'a str,
    content_url: String,
    mapped_content_url: String,
    content_type: &'a str,
    size: usize,
    width: Option<u32>,
    height: Option<u32>,
    inline: bool,
    deleted: bool,
    malware_access_override: bool,
    malware_scan_result: &'static str,
    thumbnails: [Value; 0],
}

#[derive(Serialize)]
pub(crate) struct JobStatusJson<'a> {
    id: &'a str,
    /// Recorded in the 2024 cassettes, not in the 2023 ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    job_type: Option<&'static str>,
    url: String,
    total: Option<usize>,
    progress: Option<usize>,
    status: &'static str,
    message: Option<String>,
    results: Option<&'a JobResults>,
}

/// `{"upload": ...}`'s object (Zendesk's Upload Files reply).
#[derive(Serialize)]
pub(crate) struct UploadJson<'a> {
    token: &'a str,
    expires_at: String,
    attachments: Vec<AttachmentJson<'a>>,
    attachment: Option<AttachmentJson<'a>>,
}

/// The `audit` of a create or update reply, in the recorded key order.
#[derive(Serialize)]
pub(crate) struct AuditJson<'a> {
    id: u64,
    ticket_id: u64,
    created_at: String,
    author_id: u64,
    metadata: MetadataJson<'a>,
    events: Vec<EventJson<'a>>,
    via: Via,
}

#[derive(Serialize)]
struct MetadataJson<'a> {
    system: System<'a>,
    custom: Value,
}

/// Where a change came from; empty for the account's own changes (recorded).
#[derive(Serialize)]
#[serde(untagged)]
enum System<'a> {
    Client(SystemJson<'a>),
    Account {},
}

#[derive(Serialize)]
struct SystemJson<'a> {
    client: &'a str,
    ip_address: &'static str,
    location: &'static str,
    latitude: f64,
    longitude: f64,
}

#[derive(Serialize)]
#[serde(untagged)]
enum EventJson<'a> {
    Comment {
        id: u64,
        #[serde(rename = "type")]
        kind: &'static str,
        author_id: u64,
        body: &'a str,
        html_body: String,
        plain_body: &'a str,
        public: bool,
        attachments: &'a [u64],
        audit_id: u64,
    },
    Create {
        id: u64,
        #[serde(rename = "type")]
        kind: &'static str,
        value: Option<&'a str>,
        field_name: &'a str,
    },
    Change {
        id: u64,
        #[serde(rename = "type")]
        kind: &'static str,
        value: Option<&'a str>,
        field_name: &'a str,
        previous_value: Option<&'a str>,
    },
}

/// A soft-deleted ticket in `GET /deleted_tickets` (the key order of Zendesk's Tickets reference
/// example).
#[derive(Serialize)]
pub(crate) struct DeletedTicketJson<'a> {
    id: u64,
    subject: Option<&'a str>,
    actor: ActorJson<'a>,
    previous_state: &'static str,
    deleted_at: String,
}

#[derive(Serialize)]
struct ActorJson<'a> {
    id: u64,
    name: &'a str,
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

/// `{"count": {"value", "refreshed_at"}}`, the approximate counts (`groups.yml`,
/// GroupsCountObject); the sandbox's counts are exact and fresh.
#[derive(Serialize)]
pub(crate) struct CountJson {
    count: CountValueJson,
}

#[derive(Serialize)]
struct CountValueJson {
    value: usize,
    refreshed_at: String,
}

/// `{"ticket": ..., "audit": ...}`, the reply to a create or an update.
#[derive(Serialize)]
pub(crate) struct TicketAuditJson<'a> {
    pub(crate) ticket: TicketJson<'a>,
    pub(crate) audit: AuditJson<'a>,
}

/// `{"<key>": value}`, keeping the value's own key order.
pub(crate) struct Envelope<T> {
    pub(crate) key: &'static str,
    pub(crate) value: T,
}

#[derive(Serialize)]
struct Via {
    channel: &'static str,
    source: ViaSource,
}

#[derive(Serialize)]
struct ViaSource {
    from: Value,
    to: Value,
    rel: Option<&'static str>,
}

#[derive(Serialize)]
struct CursorMetaJson<'a> {
    has_more: bool,
    after_cursor: Option<&'a str>,
    before_cursor: Option<&'a str>,
}

#[derive(Serialize)]
struct CursorLinksJson<'a> {
    prev: Option<&'a str>,
    next: Option<&'a str>,
}

/// A list reply: the records under their key, then the paging fields of either kind.
pub(crate) struct ListJson<T> {
    pub(crate) key: &'static str,
    pub(crate) items: Vec<T>,
    /// `facets: null`, which search replies carry.
    pub(crate) facets: bool,
    pub(crate) links: PageLinks,
}

/// Renders records with the account's base URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Renderer<'a> {
    pub(crate) account_url: &'a str,
}

impl<'a> Renderer<'a> {
    pub(crate) fn ticket(&self, ticket: &'a Ticket) -> TicketJson<'a> {
        TicketJson {
            url: self.api_url(&format!("tickets/{}.json", ticket.id)),
            id: ticket.id,
            external_id: ticket.external_id.as_deref(),
            via: via(ticket.channel.code()),
            created_at: timestamp(ticket.created_at),
            updated_at: timestamp(ticket.updated_at),
            ticket_type: ticket.ticket_type.map(|ticket_type| ticket_type.code()),
            subject: ticket.subject.as_deref(),
            raw_subject: ticket.subject.as_deref(),
            description: &ticket.description,
            priority: ticket.priority.map(|priority| priority.code()),
            status: ticket.status.code(),
            recipient: None,
            requester_id: ticket.requester_id,
            submitter_id: ticket.submitter_id,
            assignee_id: ticket.assignee_id,
            organization_id: ticket.organization_id,
            group_id: ticket.group_id,
            collaborator_ids: [],
            follower_ids: [],
            email_cc_ids: [],
            forum_topic_id: None,
            problem_id: None,
            has_incidents: false,
            is_public: ticket.is_public,
            due_at: None,
            tags: &ticket.tags,
            custom_fields: [],
            satisfaction_rating: None,
            sharing_agreement_ids: [],
            custom_status_id: custom_status_id(ticket.status),
            fields: Some([]),
            followup_ids: [],
            ticket_form_id: TICKET_FORM_ID,
            brand_id: BRAND_ID,
            allow_channelback: false,
            allow_attachments: true,
            from_messaging_channel: false,
        }
    }

    /// A ticket as the incremental exports hand it out: a soft-deleted one with status `deleted`
    /// (recorded `TicketsIncrementalTest.test_get_values`).
    pub(crate) fn exported_ticket(&self, exported: ExportedTicket<'a>) -> TicketJson<'a> {
        let ticket = self.ticket(exported.ticket);
        match exported.deleted {
            true => TicketJson {
                status: "deleted",
                ..ticket
            },
            false => ticket,
        }
    }

    /// A ticket in a cursor-paged list, which real accounts send without `fields`.
    pub(crate) fn ticket_in_cursor_page(&self, ticket: &'a Ticket) -> TicketJson<'a> {
        TicketJson {
            fields: None,
            ..self.ticket(ticket)
        }
    }

    pub(crate) fn search_result(&self, ticket: &'a Ticket) -> SearchResultJson<TicketJson<'a>> {
        SearchResultJson {
            object: self.ticket(ticket),
            result_type: "ticket",
        }
    }

    pub(crate) fn user_search_result(&self, user: &'a User) -> SearchResultJson<UserJson<'a>> {
        SearchResultJson {
            object: self.user(user),
            result_type: "user",
        }
    }

    pub(crate) fn user(&self, user: &'a User) -> UserJson<'a> {
        let is_admin = user.role == Role::Admin;
        let custom_role = user.custom_role_id.and_then(settings::custom_role);
        UserJson {
            id: Some(user.id),
            url: Some(self.api_url(&format!("users/{}.json", user.id))),
            name: &user.name,
            email: user.email.as_deref(),
            created_at: Some(timestamp(user.created_at)),
            updated_at: Some(timestamp(user.updated_at)),
            time_zone: "Etc/UTC",
            iana_time_zone: "Etc/UTC",
            phone: None,
            shared_phone_number: None,
            photo: None,
            locale_id: 1,
            locale: "en-US",
            organization_id: user.organization_id,
            role: user.role.code(),
            verified: user.verified,
            external_id: user.external_id.as_deref(),
            tags: [],
            alias: None,
            active: user.active,
            shared: false,
            shared_agent: false,
            last_login_at: None,
            two_factor_auth_enabled: None,
            signature: None,
            details: None,
            notes: None,
            role_type: custom_role.map(|custom_role| custom_role.role_type),
            custom_role_id: custom_role.map(|custom_role| custom_role.id),
            moderator: is_admin,
            // End users see the tickets they requested (recorded end users carry `requested`).
            ticket_restriction: (!user.role.is_agent()).then_some("requested"),
            only_private_comments: false,
            restricted_agent: !user.role.is_agent(),
            suspended: false,
            default_group_id: user.default_group_id,
            report_csv: is_admin,
            user_fields: json!({}),
        }
    }

    /// What `/users/me` describes without credentials: a user without id or URL.
    pub(crate) fn anonymous_user(&self) -> UserJson<'a> {
        UserJson {
            id: None,
            url: None,
            name: "Anonymous user",
            email: Some("invalid@example.com"),
            created_at: None,
            updated_at: None,
            ..self.user(&ANONYMOUS)
        }
    }

    pub(crate) fn group(&self, group: &'a Group) -> GroupJson<'a> {
        GroupJson {
            url: self.api_url(&format!("groups/{}.json", group.id)),
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

    /// A brand; its `brand_url` is the account's own address.
    pub(crate) fn brand(&self, brand: &'a Brand) -> BrandJson<'a> {
        BrandJson {
            url: self.api_url(&format!("brands/{}.json", brand.id)),
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
            url: self.api_url(&format!("organizations/{}.json", organization.id)),
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

    pub(crate) fn comment(
        &self,
        comment: &'a Comment,
        attachments: Vec<&'a Attachment>,
    ) -> CommentJson<'a> {
        CommentJson {
            id: comment.id,
            kind: "Comment",
            author_id: comment.author_id,
            body: &comment.body,
            html_body: html_body(&comment.body),
            plain_body: &comment.body,
            public: comment.public,
            attachments: attachments
                .into_iter()
                .map(|attachment| self.attachment(attachment))
                .collect(),
            audit_id: comment.audit_id,
            via: via(comment.channel.code()),
            created_at: timestamp(comment.created_at),
            metadata: CommentMetadataJson {
                system: json!({}),
                custom: json!({}),
            },
        }
    }

    pub(crate) fn attachment(&self, attachment: &'a Attachment) -> AttachmentJson<'a> {
        let content_url = format!(
            "{}/attachments/token/{}/?name={}",
            self.account_url,
            attachment.token,
            flare_core::http::encode_component(&attachment.file_name)
        );
        AttachmentJson {
            url: self.api_url(&format!("attachments/{}.json", attachment.id)),
            id: attachment.id,
            file_name: &attachment.file_name,
            mapped_content_url: content_url.clone(),
            content_url,
            content_type: &attachment.content_type,
            size: attachment.bytes.len(),
            width: None,
            height: None,
            inline: false,
            deleted: false,
            malware_access_override: false,
            malware_scan_result: "malware_not_found",
            thumbnails: [],
        }
    }

    /// `{"upload": {"token", "expires_at", "attachments", "attachment"}}`, the Upload Files reply.
    pub(crate) fn upload(
        &self,
        upload: &'a Upload,
        attachments: Vec<&'a Attachment>,
    ) -> UploadJson<'a> {
        let attachments: Vec<AttachmentJson<'a>> = attachments
            .into_iter()
            .map(|attachment| self.attachment(attachment))
            .collect();
        UploadJson {
            token: &upload.token,
            expires_at: timestamp(upload.expires_at),
            attachment: attachments.last().cloned(),
            attachments,
        }
    }

    /// A job as its first reply shows it: queued, nothing done yet (recorded `create_many`).
    pub(crate) fn queued_job(&self, job: &'a Job) -> JobStatusJson<'a> {
        JobStatusJson {
            id: &job.id,
            job_type: job.kind.label(),
            url: self.api_url(&format!("job_statuses/{}.json", job.id)),
            total: job.total,
            progress: None,
            status: "queued",
            message: None,
            results: None,
        }
    }

    /// A job as `GET /job_statuses/{id}` shows it: completed, with results.
    pub(crate) fn completed_job(&self, job: &'a Job) -> JobStatusJson<'a> {
        JobStatusJson {
            id: &job.id,
            job_type: job.kind.label(),
            url: self.api_url(&format!("job_statuses/{}.json", job.id)),
            total: job.total,
            progress: job.total,
            status: "completed",
            message: Some(format!(
                "Completed at {} +0000",
                datetime::format(job.completed_at)
            )),
            results: Some(&job.results),
        }
    }

    /// `audit` of a create or update reply.
    pub(crate) fn audit(&self, audit: &'a Audit) -> AuditJson<'a> {
        let events = audit
            .events
            .iter()
            .map(|event| match event {
                AuditEvent::Comment(comment) => EventJson::Comment {
                    id: comment.id,
                    kind: "Comment",
                    author_id: comment.author_id,
                    body: &comment.body,
                    html_body: html_body(&comment.body),
                    plain_body: &comment.body,
                    public: comment.public,
                    attachments: &comment.attachment_ids,
                    audit_id: comment.audit_id,
                },
                AuditEvent::Create {
                    id,
                    field_name,
                    value,
                } => EventJson::Create {
                    id: *id,
                    kind: "Create",
                    value: value.as_deref(),
                    field_name: field_name.as_str(),
                },
                AuditEvent::Change {
                    id,
                    field_name,
                    value,
                    previous_value,
                } => EventJson::Change {
                    id: *id,
                    kind: "Change",
                    value: value.as_deref(),
                    field_name: field_name.as_str(),
                    previous_value: previous_value.as_deref(),
                },
            })
            .collect();
        AuditJson {
            id: audit.id,
            ticket_id: audit.ticket_id,
            created_at: timestamp(audit.created_at),
            author_id: audit.author_id,
            metadata: MetadataJson {
                system: match &audit.client {
                    Some(client) => System::Client(SystemJson {
                        client,
                        ip_address: "127.0.0.1",
                        location: "Sandbox",
                        latitude: 0.0,
                        longitude: 0.0,
                    }),
                    None => System::Account {},
                },
                custom: json!({}),
            },
            events,
            via: via(audit.channel.code()),
        }
    }

    /// `actor` is the user who deleted the ticket, by name when the account still knows them.
    pub(crate) fn deleted_ticket(
        &self,
        deleted: &'a DeletedTicket,
        actor: Option<&'a User>,
    ) -> DeletedTicketJson<'a> {
        DeletedTicketJson {
            id: deleted.ticket.id,
            subject: deleted.ticket.subject.as_deref(),
            actor: ActorJson {
                id: deleted.actor_id,
                name: actor.map(|user| user.name.as_str()).unwrap_or_default(),
            },
            previous_state: deleted.ticket.status.code(),
            deleted_at: timestamp(deleted.deleted_at),
        }
    }

    pub(crate) fn membership(&self, membership: &GroupMembership) -> MembershipJson {
        MembershipJson {
            url: self.api_url(&format!("group_memberships/{}.json", membership.id)),
            id: membership.id,
            user_id: membership.user_id,
            group_id: membership.group_id,
            default: membership.default,
            created_at: timestamp(membership.created_at),
            updated_at: timestamp(membership.updated_at),
        }
    }

    /// `https://{account}/api/v2/{path}`.
    pub(crate) fn api_url(&self, path: &str) -> String {
        format!("{}/api/v2/{path}", self.account_url)
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.key, &self.value)?;
        map.end()
    }
}

impl<T: Serialize> Serialize for ListJson<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.key, &self.items)?;
        if self.facets {
            map.serialize_entry("facets", &Value::Null)?;
        }
        match &self.links {
            PageLinks::Offset {
                next_page,
                previous_page,
                count,
            } => {
                map.serialize_entry("next_page", next_page)?;
                map.serialize_entry("previous_page", previous_page)?;
                map.serialize_entry("count", count)?;
            }
            PageLinks::Cursor {
                has_more,
                after_cursor,
                before_cursor,
                next,
                prev,
            } => {
                map.serialize_entry(
                    "meta",
                    &CursorMetaJson {
                        has_more: *has_more,
                        after_cursor: after_cursor.as_deref(),
                        before_cursor: before_cursor.as_deref(),
                    },
                )?;
                map.serialize_entry(
                    "links",
                    &CursorLinksJson {
                        prev: prev.as_deref(),
                        next: next.as_deref(),
                    },
                )?;
            }
        }
        map.end()
    }
}

/// What `/users/me` describes without credentials, before its id and times are taken away.
static ANONYMOUS: User = {
    let mut anonymous = User::end_user(0, String::new(), None, 0);
    anonymous.verified = true;
    anonymous
};

/// Each status has its own system custom status in an account; the sandbox numbers them.
fn custom_status_id(status: Status) -> u64 {
    let index = Status::ALL
        .iter()
        .position(|known| *known == status)
        .unwrap_or_default();
    360_000_000_100 + index as u64
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

fn via(channel: &'static str) -> Via {
    Via {
        channel,
        source: ViaSource {
            from: json!({}),
            to: json!({}),
            rel: None,
        },
    }
}

/// The recorded `html_body` wrapping, with the text escaped and one paragraph per blank-line block.
fn html_body(body: &str) -> String {
    let escaped = body
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let paragraphs: String = escaped
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| format!("<p dir=\"auto\">{}</p>", paragraph.replace('\n', "<br>")))
        .collect();
    format!("<div class=\"zd-comment\" dir=\"auto\">{paragraphs}</div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_recorded() {
        assert_eq!(timestamp(1_695_079_560), "2023-09-18T23:26:00Z");
        assert_eq!(
            html_body("test"),
            "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">test</p></div>"
        );
        assert_eq!(
            html_body("a <b>\n\nc"),
            "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">a &lt;b&gt;</p><p dir=\"auto\">c</p></div>"
        );
    }
}
