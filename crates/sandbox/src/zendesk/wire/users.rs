//! Users in their recorded shape, as search results too, and the anonymous user `/users/me`
//! describes without credentials.

use serde::Serialize;
use serde_json::{json, Value};

use crate::zendesk::account::{Role, User};
use crate::zendesk::settings;
use crate::zendesk::wire::{timestamp, Renderer, SearchResultJson};

/// A user, in the recorded key order.
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

impl<'a> Renderer<'a> {
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
            url: Some(self.record_url("users", user.id)),
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
}

/// What `/users/me` describes without credentials, before its id and times are taken away.
static ANONYMOUS: User = {
    let mut anonymous = User::end_user(0, String::new(), None, 0);
    anonymous.verified = true;
    anonymous
};
