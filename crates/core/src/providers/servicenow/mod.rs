//! ServiceNow through the Table API (`/api/now/table/{table}`).
//!
//! Wire records (every value a string, references as `{link,value}`) stay in [`wire`]; callers only
//! see [`Ticket`], [`User`] and [`CoreError`].

mod attachments;
mod directory;
mod incident;
mod journal;
mod safe_create;
mod table;
mod tickets;
mod va;
mod wire;

pub use crate::providers::servicenow::directory::{DirectoryCache, DirectoryTable, Group};
pub use crate::providers::servicenow::incident::{
    incident_state, incident_states, parent_incident, priority_for, Level,
};
pub use crate::providers::servicenow::safe_create::SafeCreate;
pub use crate::providers::servicenow::table::Table;
pub use crate::providers::servicenow::tickets::{
    TicketFilter, TicketPages, TicketSort, MAX_PAGE_SIZE,
};
pub use crate::providers::servicenow::va::{
    parse_va_reply, VaAgent, VaItem, VaReply, VaSend, VaUser, BOT_INTEGRATION_PATH,
};

use std::collections::BTreeMap;

use crate::actions::Viewer;
use crate::auth::Credentials;
use crate::error::CoreError;
use crate::http::{query_string, HttpRequest, HttpResponse, Method};
use crate::instance::InstanceUrl;
use crate::paging::Page;
use crate::query::{Condition, EncodedQuery, Operator, CURRENT_USER};
use crate::ticket::Ticket;

/// A connection to one ServiceNow instance as one user. Cheap to clone; holds no network state.
#[derive(Debug, Clone)]
pub struct ServiceNow {
    instance: InstanceUrl,
    credentials: Credentials,
}

/// A `sys_user` record, as much of it as Flare uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    /// The user's `sys_id`, what reference fields such as `caller_id` hold.
    pub sys_id: String,
    /// The login name.
    pub user_name: String,
    /// The display name.
    pub name: String,
    /// The e-mail address, possibly empty.
    pub email: String,
}

/// What a user fills in to report an incident.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewIncident {
    /// One line saying what is wrong.
    pub short_description: String,
    /// Everything else: steps, the page, the browser.
    pub description: String,
    /// How soon it must be fixed.
    pub urgency: Level,
    /// How many people or how much business it affects.
    pub impact: Level,
    /// The `sys_id` of the person reporting it.
    pub caller_id: String,
    /// The incident this one follows up, by `sys_id`; `None` for a new matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_incident: Option<String>,
}

/// What a user fills in to ask for something (a service catalog request, `sc_request`), where
/// the instance takes a request without a catalog item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewRequest {
    /// One line saying what is needed.
    pub short_description: String,
    /// Everything else.
    pub description: String,
    /// The `sys_id` of the person it is for.
    pub requested_for: String,
}

impl NewRequest {
    /// The request's field values as the Table API takes them.
    pub fn fields(&self) -> BTreeMap<String, String> {
        [
            ("short_description", self.short_description.as_str()),
            ("description", self.description.as_str()),
            ("requested_for", self.requested_for.as_str()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }
}

impl NewIncident {
    /// The incident's field values as the Table API takes them.
    pub fn fields(&self) -> BTreeMap<String, String> {
        [
            ("short_description", self.short_description.as_str()),
            ("description", self.description.as_str()),
            ("urgency", self.urgency.code()),
            ("impact", self.impact.code()),
            ("caller_id", self.caller_id.as_str()),
        ]
        .into_iter()
        .chain(
            self.parent_incident
                .as_deref()
                .map(|parent| ("parent_incident", parent)),
        )
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }
}

impl ServiceNow {
    /// A connection to `instance` signing in with `credentials`.
    pub fn new(instance: InstanceUrl, credentials: Credentials) -> ServiceNow {
        ServiceNow {
            instance,
            credentials,
        }
    }

    /// The instance this connection talks to.
    pub fn instance(&self) -> &InstanceUrl {
        &self.instance
    }

    /// Looks up the signed-in user, whatever the sign-in (Basic or an OAuth token), with ServiceNow's
    /// `javascript:gs.getUserID()`; also proves the credentials work.
    pub fn current_user_request(&self) -> HttpRequest {
        let query = format!("sys_id={CURRENT_USER}");
        self.get(
            "sys_user",
            &[
                ("sysparm_query", &query),
                ("sysparm_fields", "sys_id,user_name,name,email"),
                ("sysparm_limit", "1"),
                ("sysparm_exclude_reference_link", "true"),
            ],
        )
    }

    /// Reads the reply to [`ServiceNow::current_user_request`].
    pub fn parse_user(&self, response: &HttpResponse) -> Result<User, CoreError> {
        self.parse_users(response)?
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::NotFound {
                message: "the instance returned no user record for this sign-in".to_owned(),
            })
    }

    /// Looks up the signed-in user's roles (`sys_user.roles`), which decide what Flare offers them
    /// to do with a ticket. Read the reply with [`ServiceNow::parse_viewer`].
    pub fn current_roles_request(&self) -> HttpRequest {
        let query = format!("sys_id={CURRENT_USER}");
        self.get(
            "sys_user",
            &[
                ("sysparm_query", &query),
                ("sysparm_fields", "roles"),
                ("sysparm_limit", "1"),
            ],
        )
    }

    /// Reads the reply to [`ServiceNow::current_roles_request`].
    pub fn parse_viewer(&self, response: &HttpResponse) -> Result<Viewer, CoreError> {
        let record = wire::list_result(check(response, 200)?)?
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::NotFound {
                message: "the instance returned no user record for this sign-in".to_owned(),
            })?;
        let roles = record.value("roles").unwrap_or_default();
        Ok(Viewer::from_servicenow_roles(roles.split(',')))
    }

    /// Creates an incident.
    pub fn create_incident_request(&self, incident: &NewIncident) -> HttpRequest {
        self.create_ticket_request(Table::Incident, &incident.fields())
    }

    /// Reads the reply to a create, update or get of one incident.
    pub fn parse_incident(&self, response: &HttpResponse) -> Result<Ticket, CoreError> {
        self.parse_ticket(Table::Incident, response)
    }

    /// Lists the incidents where `caller_sys_id` is the caller, most recently updated first.
    pub fn my_incidents_request(
        &self,
        caller_sys_id: &str,
        limit: u32,
        offset: u64,
    ) -> HttpRequest {
        let filter = TicketFilter {
            requester: Some(caller_sys_id.to_owned()),
            ..TicketFilter::default()
        };
        self.list_tickets_request(Table::Incident, &filter, limit, offset)
    }

    /// Reads a page of incidents; `offset` and `limit` are the ones the request asked for.
    pub fn parse_incident_page(
        &self,
        response: &HttpResponse,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Ticket>, CoreError> {
        self.parse_ticket_page(Table::Incident, response, limit, offset)
    }

    /// The follow-ups of the incident `parent_sys_id` (its children by `parent_incident`), oldest
    /// first. Read the reply with [`ServiceNow::parse_incident_page`].
    pub fn follow_ups_request(&self, parent_sys_id: &str, limit: u32) -> HttpRequest {
        let query = EncodedQuery::default()
            .and(Condition::new(
                "parent_incident",
                Operator::Equals,
                parent_sys_id,
            ))
            .order_by("sys_created_on");
        self.list_request(Table::Incident, &query.to_string(), limit, 0)
    }

    /// Where a person opens the record in the instance's own UI.
    pub fn record_link(&self, table: &str, sys_id: &str) -> String {
        self.instance.url(&format!("/{table}.do?sys_id={sys_id}"))
    }

    pub(crate) fn get(&self, table: &str, params: &[(&str, &str)]) -> HttpRequest {
        self.request(
            Method::Get,
            &format!("/api/now/table/{table}?{}", query_string(params)),
        )
    }

    /// A request to the instance's API, signed in; add a body with [`HttpRequest::with_json`].
    pub(crate) fn request(&self, method: Method, path_and_query: &str) -> HttpRequest {
        HttpRequest::json_api(method, self.instance.url(path_and_query), &self.credentials)
    }
}

/// What a data-policy refusal says right before the labels of the fields it needs.
const DATA_POLICY_MARKER: &str = "The following fields are mandatory:";

/// Turns every reply that is not the expected success into the error it means.
pub(crate) fn check(
    response: &HttpResponse,
    expected_status: u16,
) -> Result<&HttpResponse, CoreError> {
    // A hibernating developer instance answers every call with 200 and an HTML page
    // (shared/recorded/README.md); so do SSO and login redirects.
    let text = response.text();
    if response.is_html() || (!response.is_json() && text.trim_start().starts_with('<')) {
        if text.contains("Instance Hibernating page") {
            return Err(CoreError::InstanceHibernating);
        }
        if (200..300).contains(&response.status) {
            return Err(CoreError::NotAnApi);
        }
    }
    if response.status == expected_status {
        return Ok(response);
    }
    let message = wire::error_message(&text);
    let message_or = |fallback: &str| message.clone().unwrap_or_else(|| fallback.to_owned());
    Err(match response.status {
        400 => CoreError::Validation {
            field: None,
            message: message_or("bad request"),
        },
        // "Basic auth credentials are valid but MFA token is invalid or missing: ... 401. The
        // response includes the X-MFA_TOKEN header with the value invalid" (c_RESTAPI.md).
        401 if response.header("x-mfa_token").is_some() => CoreError::MfaRequired,
        401 => CoreError::Unauthorized {
            message: message_or("user not authenticated"),
        },
        // A data policy names the mandatory fields it misses ("Data Policy Exception: The following
        // fields are mandatory: Resolution code, Resolution notes"): the user can fix that.
        403 if message
            .as_deref()
            .is_some_and(|text| text.contains(DATA_POLICY_MARKER)) =>
        {
            let text = message.clone().unwrap_or_default();
            CoreError::Validation {
                field: text
                    .split_once(DATA_POLICY_MARKER)
                    .map(|(_, fields)| fields.trim().to_owned()),
                message: text,
            }
        }
        403 => CoreError::Forbidden {
            message: message_or("forbidden"),
        },
        404 => CoreError::NotFound {
            message: message_or("no record found"),
        },
        429 => CoreError::RateLimited {
            retry_after_secs: response
                .header("retry-after")
                .and_then(|value| value.trim().parse().ok()),
        },
        status @ 500..=599 => CoreError::Server { status },
        status => CoreError::Malformed {
            message: format!("unexpected HTTP status {status}"),
        },
    })
}

#[cfg(test)]
mod tests;
