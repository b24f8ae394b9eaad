//! ServiceNow through the Table API (`/api/now/table/{table}`).
//!
//! Wire records (every value a string, references as `{link,value}`) stay in [`wire`]; callers only
//! see [`Ticket`], [`User`] and [`CoreError`].

mod incident;
mod wire;

pub use crate::providers::servicenow::incident::{incident_state, priority_for, Level};

use serde_json::{json, Value};

use crate::auth::Credentials;
use crate::error::CoreError;
use crate::http::{query_string, HttpRequest, HttpResponse, Method};
use crate::instance::InstanceUrl;
use crate::paging::Page;
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
}

/// The fields Flare reads from incidents; asking for fewer keeps replies small.
const INCIDENT_FIELDS: &str =
    "sys_id,number,short_description,description,state,priority,urgency,impact,\
caller_id,assigned_to,assignment_group,opened_at,sys_created_on,sys_updated_on,correlation_id";

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

    /// Looks the signed-in user up by login name; also proves the credentials work.
    pub fn find_user_request(&self, user_name: &str) -> HttpRequest {
        let query = format!("user_name={user_name}");
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

    /// Reads the reply to [`ServiceNow::find_user_request`].
    pub fn parse_user(&self, response: &HttpResponse) -> Result<User, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        let record = records
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::NotFound {
                message: "no user with this user name".to_owned(),
            })?;
        Ok(User {
            sys_id: record.required("sys_id")?.to_owned(),
            user_name: record.value("user_name").unwrap_or_default().to_owned(),
            name: record.display("name").unwrap_or_default().to_owned(),
            email: record.value("email").unwrap_or_default().to_owned(),
        })
    }

    /// Creates an incident.
    pub fn create_incident_request(&self, incident: &NewIncident) -> HttpRequest {
        let body = json!({
            "short_description": incident.short_description,
            "description": incident.description,
            "urgency": incident.urgency.code(),
            "impact": incident.impact.code(),
            "caller_id": incident.caller_id,
        });
        self.request(
            Method::Post,
            &format!(
                "/api/now/table/incident?{}",
                query_string(&[("sysparm_fields", INCIDENT_FIELDS)])
            ),
            Some(body),
        )
    }

    /// Reads the reply to a create, update or get of one incident.
    pub fn parse_incident(&self, response: &HttpResponse) -> Result<Ticket, CoreError> {
        let expected = if response.status == 201 { 201 } else { 200 };
        let record = wire::single_result(check(response, expected)?)?;
        self.incident_ticket(record)
    }

    /// Lists the incidents where `caller_sys_id` is the caller, most recently updated first.
    pub fn my_incidents_request(
        &self,
        caller_sys_id: &str,
        limit: u32,
        offset: u64,
    ) -> HttpRequest {
        let query = format!("caller_id={caller_sys_id}^ORDERBYDESCsys_updated_on");
        let (limit, offset) = (limit.to_string(), offset.to_string());
        self.get(
            "incident",
            &[
                ("sysparm_query", &query),
                ("sysparm_fields", INCIDENT_FIELDS),
                ("sysparm_display_value", "all"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_limit", &limit),
                ("sysparm_offset", &offset),
            ],
        )
    }

    /// Reads a page of incidents; `offset` and `limit` are the ones the request asked for.
    pub fn parse_incident_page(
        &self,
        response: &HttpResponse,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Ticket>, CoreError> {
        let records = wire::list_result(check(response, 200)?)?;
        let total = response
            .header("x-total-count")
            .and_then(|value| value.trim().parse::<u64>().ok());
        let n_records = records.len() as u64;
        let has_more = match total {
            Some(total) => offset + n_records < total,
            None => n_records == u64::from(limit),
        };
        let items = records
            .into_iter()
            .map(|record| self.incident_ticket(record))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            total,
            next_offset: has_more.then_some(offset + n_records),
        })
    }

    /// Where a person opens the record in the instance's own UI.
    pub fn record_link(&self, table: &str, sys_id: &str) -> String {
        self.instance.url(&format!("/{table}.do?sys_id={sys_id}"))
    }

    fn incident_ticket(&self, record: wire::Record) -> Result<Ticket, CoreError> {
        let ticket = record.into_ticket()?;
        let web_link = self.record_link("incident", &ticket.id);
        Ok(Ticket { web_link, ..ticket })
    }

    fn get(&self, table: &str, params: &[(&str, &str)]) -> HttpRequest {
        self.request(
            Method::Get,
            &format!("/api/now/table/{table}?{}", query_string(params)),
            None,
        )
    }

    fn request(&self, method: Method, path_and_query: &str, body: Option<Value>) -> HttpRequest {
        let mut headers = vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), self.credentials.authorization()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        HttpRequest {
            method,
            url: self.instance.url(path_and_query),
            headers,
            body: body.map(|body| body.to_string().into_bytes()),
        }
    }
}

/// Turns every reply that is not the expected success into the error it means.
fn check(response: &HttpResponse, expected_status: u16) -> Result<&HttpResponse, CoreError> {
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
        401 => CoreError::Unauthorized {
            message: message_or("user not authenticated"),
        },
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
