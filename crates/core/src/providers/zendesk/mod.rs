//! Zendesk Support through its REST API v2 (`/api/v2/...`).
//!
//! Built to Zendesk's OpenAPI description (`shared/reference/zendesk/`) and to the replies a real
//! account sent (`shared/recorded/zendesk/`, copied into `tests/fixtures/recorded/zendesk/`). Paths
//! end in `.json`, as in the recordings. Wire objects stay in [`wire`]; callers see [`Ticket`],
//! [`Comment`], [`Attachment`], [`Upload`], [`User`] and [`CoreError`].
//!
//! A retried create must not make a second ticket: [`SafeCreate`] puts a client-generated
//! correlation id in [`NewTicket::external_id`] and, before re-sending a create whose reply was
//! lost, looks the ticket up with [`Zendesk::find_by_external_id_request`]. [`TicketPages`] walks a
//! whole list lazily.

mod directory;
mod fields;
mod incremental;
mod paging;
mod safe_create;
mod search;
mod wire;

pub use crate::providers::zendesk::directory::{Group, ZendeskDirectory};
pub use crate::providers::zendesk::fields::{
    ticket_priority, ticket_status, TicketPriority, TicketStatus, TicketType,
};
pub use crate::providers::zendesk::incremental::{ExportPage, SyncPoint};
pub use crate::providers::zendesk::paging::{
    CursorPage, ListPage, OffsetPage, Paging, TicketPages, MAX_OFFSET_PAGES, MAX_PAGE_SIZE,
    MAX_SEARCH_RESULTS,
};
pub use crate::providers::zendesk::safe_create::SafeCreate;
pub use crate::providers::zendesk::search::{StatusCondition, TicketSearch};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::auth::Credentials;
use crate::error::CoreError;
use crate::http::{encode_component, query_string, HttpRequest, HttpResponse, Method};
use crate::instance::InstanceUrl;
use crate::providers::zendesk::search::quote_value;
use crate::providers::zendesk::wire::{
    error_reply, parse_json, CommentList, ErrorReply, SearchList, TicketEnvelope, TicketList,
    UploadEnvelope, UserEnvelope, UserList, WireComment, WirePaging, WireTicket,
};
use crate::ticket::{Attachment, Comment, PersonRef, Ticket};

/// The most ids one `show_many` call takes; more answers 400 `TooManyValues` (recorded).
pub const MAX_SHOW_MANY: usize = 100;

/// A connection to one Zendesk account as one user. Cheap to clone; holds no network state.
#[derive(Debug, Clone)]
pub struct Zendesk {
    instance: InstanceUrl,
    credentials: Credentials,
}

/// What a user fills in to open a ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// One line saying what is wrong.
    pub subject: String,
    /// The first comment: steps, the page, the browser. It becomes the ticket's description.
    pub body: String,
    /// How urgent it is, if the user said.
    pub priority: Option<TicketPriority>,
    /// Problem, incident, question or task, if known.
    pub ticket_type: Option<TicketType>,
    /// Who asks; `None` means the signed-in user.
    pub requester: Option<Requester>,
    /// Tags to set.
    pub tags: Vec<String>,
    /// Flare's client-generated correlation id, which makes a retried create safe.
    pub external_id: Option<String>,
    /// Tokens from [`Zendesk::upload_request`] replies, attached to the first comment.
    pub uploads: Vec<String>,
}

/// Who a new ticket is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requester {
    /// An existing user, by id.
    Id(u64),
    /// A person by name and e-mail; Zendesk creates the user if the address is new.
    Person {
        /// Their name.
        name: String,
        /// Their e-mail address.
        email: String,
    },
}

/// Changes to a ticket; fields left `None` stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketUpdate {
    /// The new status.
    pub status: Option<TicketStatus>,
    /// The new priority.
    pub priority: Option<TicketPriority>,
    /// The new subject.
    pub subject: Option<String>,
    /// The new assignee (an agent's user id).
    pub assignee_id: Option<u64>,
    /// A comment to add.
    pub comment: Option<NewComment>,
}

/// A comment to add to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    /// The text.
    pub body: String,
    /// Whether the requester sees it; `false` makes an internal note.
    pub public: bool,
    /// Tokens from [`Zendesk::upload_request`] replies.
    pub uploads: Vec<String>,
}

/// An uploaded file, waiting to be attached to a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Goes into [`NewComment::uploads`] or [`NewTicket::uploads`]; it expires if unused.
    pub token: String,
    /// What was uploaded.
    pub attachments: Vec<Attachment>,
}

/// A Zendesk user, as much as Flare uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Zendesk's id for the user, what `requester_id` and `assignee_id` hold.
    pub id: u64,
    /// The display name.
    pub name: String,
    /// The primary e-mail address, if the caller may see it.
    pub email: Option<String>,
    /// `end-user`, `agent` or `admin`.
    pub role: String,
}

/// Credentials for Zendesk's API-token sign-in: user name `{email}/token`, the token as password.
///
/// Zendesk's own example is `-u {email_address}/token:{api_token}` (`shared/reference/zendesk/oauth.yml`).
pub fn api_token_credentials(email: &str, api_token: &str) -> Credentials {
    Credentials::Basic {
        username: format!("{email}/token"),
        password: api_token.to_owned(),
    }
}

impl User {
    /// The user as a reference on a ticket.
    pub fn person(&self) -> PersonRef {
        PersonRef {
            id: self.id.to_string(),
            name: Some(self.name.clone()),
        }
    }
}

impl Zendesk {
    /// A connection to `instance` signing in with `credentials`.
    pub fn new(instance: InstanceUrl, credentials: Credentials) -> Zendesk {
        Zendesk {
            instance,
            credentials,
        }
    }

    /// The account this connection talks to.
    pub fn instance(&self) -> &InstanceUrl {
        &self.instance
    }

    /// Where an agent opens a ticket; this is [`Ticket::web_link`], since the Tickets API is for agents.
    pub fn agent_link(&self, ticket_id: u64) -> String {
        self.agent_link_for(&ticket_id.to_string())
    }

    /// Where the requester (an end user) opens a ticket, in the help center.
    pub fn requester_link(&self, ticket_id: u64) -> String {
        self.instance.url(&format!("/hc/requests/{ticket_id}"))
    }

    /// Creates a ticket. Read the reply with [`Zendesk::parse_ticket`].
    pub fn create_ticket_request(&self, ticket: &NewTicket) -> HttpRequest {
        let mut comment = json!({ "body": ticket.body });
        if !ticket.uploads.is_empty() {
            comment["uploads"] = json!(ticket.uploads);
        }
        let mut fields = Map::new();
        fields.insert("subject".to_owned(), json!(ticket.subject));
        fields.insert("comment".to_owned(), comment);
        if let Some(priority) = ticket.priority {
            fields.insert("priority".to_owned(), json!(priority.code()));
        }
        if let Some(ticket_type) = ticket.ticket_type {
            fields.insert("type".to_owned(), json!(ticket_type.code()));
        }
        match &ticket.requester {
            Some(Requester::Id(id)) => {
                fields.insert("requester_id".to_owned(), json!(id));
            }
            Some(Requester::Person { name, email }) => {
                fields.insert(
                    "requester".to_owned(),
                    json!({ "name": name, "email": email }),
                );
            }
            None => {}
        }
        if !ticket.tags.is_empty() {
            fields.insert("tags".to_owned(), json!(ticket.tags));
        }
        if let Some(external_id) = &ticket.external_id {
            fields.insert("external_id".to_owned(), json!(external_id));
        }
        self.request(Method::Post, "/api/v2/tickets.json")
            .with_json(&json!({ "ticket": fields }))
    }

    /// Finds the tickets carrying `external_id`, to learn whether a create whose reply was lost
    /// went through. Read the reply with [`Zendesk::parse_tickets`]; an empty list means re-send.
    pub fn find_by_external_id_request(&self, external_id: &str) -> HttpRequest {
        self.get(&format!(
            "/api/v2/tickets.json?{}",
            query_string(&[("external_id", external_id)])
        ))
    }

    /// Reads one ticket. Read the reply with [`Zendesk::parse_ticket`].
    pub fn show_ticket_request(&self, ticket_id: u64) -> HttpRequest {
        self.get(&format!("/api/v2/tickets/{ticket_id}.json"))
    }

    /// Reads up to [`MAX_SHOW_MANY`] tickets at once. Read the reply with [`Zendesk::parse_tickets`].
    pub fn show_many_request(&self, ticket_ids: &[u64]) -> Result<HttpRequest, CoreError> {
        if ticket_ids.is_empty() || ticket_ids.len() > MAX_SHOW_MANY {
            return Err(CoreError::Validation {
                field: Some("ids".to_owned()),
                message: format!("give 1 to 100 ticket ids, not {}", ticket_ids.len()),
            });
        }
        // Ids are digits, so the commas can stay literal, as in the recorded calls.
        let ids: Vec<String> = ticket_ids.iter().map(u64::to_string).collect();
        Ok(self.get(&format!(
            "/api/v2/tickets/show_many.json?ids={}",
            ids.join(",")
        )))
    }

    /// Changes a ticket and optionally adds a comment. Read the reply with [`Zendesk::parse_ticket`].
    pub fn update_ticket_request(&self, ticket_id: u64, update: &TicketUpdate) -> HttpRequest {
        let mut fields = Map::new();
        if let Some(status) = update.status {
            fields.insert("status".to_owned(), json!(status.code()));
        }
        if let Some(priority) = update.priority {
            fields.insert("priority".to_owned(), json!(priority.code()));
        }
        if let Some(subject) = &update.subject {
            fields.insert("subject".to_owned(), json!(subject));
        }
        if let Some(assignee_id) = update.assignee_id {
            fields.insert("assignee_id".to_owned(), json!(assignee_id));
        }
        if let Some(comment) = &update.comment {
            fields.insert("comment".to_owned(), comment_json(comment));
        }
        self.request(Method::Put, &format!("/api/v2/tickets/{ticket_id}.json"))
            .with_json(&json!({ "ticket": fields }))
    }

    /// Adds a comment; Zendesk has no comment endpoint, a comment is a ticket update.
    /// Read the reply with [`Zendesk::parse_ticket`].
    pub fn add_comment_request(&self, ticket_id: u64, comment: &NewComment) -> HttpRequest {
        let update = TicketUpdate {
            comment: Some(comment.clone()),
            ..TicketUpdate::default()
        };
        self.update_ticket_request(ticket_id, &update)
    }

    /// Deletes a ticket. Read the reply with [`Zendesk::parse_deleted`].
    pub fn delete_ticket_request(&self, ticket_id: u64) -> HttpRequest {
        self.request(Method::Delete, &format!("/api/v2/tickets/{ticket_id}.json"))
    }

    /// Lists every ticket the user may see. Read the reply with [`Zendesk::parse_ticket_page`].
    pub fn list_tickets_request(&self, paging: &Paging) -> Result<HttpRequest, CoreError> {
        Ok(self.get(&format!("/api/v2/tickets.json?{}", paging.list_query()?)))
    }

    /// Lists the tickets `user_id` requested. Read the reply with [`Zendesk::parse_ticket_page`].
    pub fn requested_tickets_request(
        &self,
        user_id: u64,
        paging: &Paging,
    ) -> Result<HttpRequest, CoreError> {
        Ok(self.get(&format!(
            "/api/v2/users/{user_id}/tickets/requested.json?{}",
            paging.list_query()?
        )))
    }

    /// Searches tickets; refuses a page past the first [`MAX_SEARCH_RESULTS`] results before
    /// sending. Read the reply with [`Zendesk::parse_search_page`].
    pub fn search_tickets_request(
        &self,
        search: &TicketSearch,
        page: OffsetPage,
    ) -> Result<HttpRequest, CoreError> {
        let page = page.check_search()?;
        Ok(self.get(&format!(
            "/api/v2/search.json?{}&{}",
            query_string(&[("query", &search.query())]),
            page.query()
        )))
    }

    /// Lists a ticket's comments, public and private, oldest first. Read the reply with
    /// [`Zendesk::parse_comment_page`], or [`Zendesk::parse_attachment_page`] for its files.
    pub fn list_comments_request(
        &self,
        ticket_id: u64,
        paging: &Paging,
    ) -> Result<HttpRequest, CoreError> {
        Ok(self.get(&format!(
            "/api/v2/tickets/{ticket_id}/comments.json?{}",
            paging.list_query()?
        )))
    }

    /// Uploads one file (a screenshot, a log), with its bytes as the body and its MIME type as
    /// `Content-Type`. Read the reply with [`Zendesk::parse_upload`], then attach the token to a
    /// comment.
    pub fn upload_request(
        &self,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> HttpRequest {
        self.request(
            Method::Post,
            &format!(
                "/api/v2/uploads.json?filename={}",
                encode_component(file_name)
            ),
        )
        .with_body(content_type, bytes)
    }

    /// Reads the signed-in user; also proves the credentials work. Read the reply with
    /// [`Zendesk::parse_user`].
    pub fn me_request(&self) -> HttpRequest {
        self.get("/api/v2/users/me.json")
    }

    /// Looks users up by e-mail address. Zendesk's user search also matches partly, so compare
    /// [`User::email`] when one exact user is needed. Read the reply with [`Zendesk::parse_users`].
    pub fn search_users_request(&self, email: &str) -> HttpRequest {
        let query = format!("email:{}", quote_value(email).unwrap_or_default());
        self.get(&format!(
            "/api/v2/users/search.json?{}",
            query_string(&[("query", &query)])
        ))
    }

    /// Downloads an attachment's bytes from its `download_url`. Credentials go only to the
    /// instance itself: Zendesk may serve files from other hosts, and its reference warns not to
    /// send Zendesk credentials to them. Read the reply with [`Zendesk::parse_download`].
    pub fn download_attachment_request(
        &self,
        attachment: &Attachment,
    ) -> Result<HttpRequest, CoreError> {
        let url = attachment.download_url.as_str();
        let on_instance = url.starts_with(&format!("{}/", self.instance.base()));
        if !on_instance && !url.starts_with("https://") {
            return Err(CoreError::Malformed {
                message: format!("attachment {} has no https download address", attachment.id),
            });
        }
        let request = HttpRequest::download(url);
        Ok(match on_instance {
            true => request.with_credentials(&self.credentials),
            false => request,
        })
    }

    /// Reads the reply to a create, show, update or comment: one ticket.
    pub fn parse_ticket(&self, response: &HttpResponse) -> Result<Ticket, CoreError> {
        let envelope: TicketEnvelope = parse_json(&check(response)?.text(), "a ticket")?;
        self.ticket(envelope.ticket)
    }

    /// Reads the reply to `show_many` or an external id lookup: a list of tickets.
    pub fn parse_tickets(&self, response: &HttpResponse) -> Result<Vec<Ticket>, CoreError> {
        let list: TicketList = parse_json(&check(response)?.text(), "a ticket list")?;
        self.tickets(list.tickets)
    }

    /// Reads a page of a ticket list; `paging` is the one the request asked for.
    pub fn parse_ticket_page(
        &self,
        response: &HttpResponse,
        paging: &Paging,
    ) -> Result<ListPage<Ticket>, CoreError> {
        let list: TicketList = parse_json(&check(response)?.text(), "a ticket list")?;
        list_page(self.tickets(list.tickets)?, &list.paging, paging)
    }

    /// Reads a page of search results; `page` is the one the request asked for. Results other
    /// than tickets (the query always says `type:ticket`) are skipped. `next` stays within the
    /// result limit, while `total` is Zendesk's full count, so `total` above
    /// [`MAX_SEARCH_RESULTS`] means the search should be narrowed.
    pub fn parse_search_page(
        &self,
        response: &HttpResponse,
        page: OffsetPage,
    ) -> Result<ListPage<Ticket>, CoreError> {
        let list: SearchList = parse_json(&check(response)?.text(), "search results")?;
        let tickets = list
            .results
            .into_iter()
            .filter_map(WireTicket::from_search_result)
            .collect();
        Ok(ListPage {
            items: self.tickets(tickets)?,
            total: list.paging.count,
            next: page.next_search_page(list.paging.next_page.is_some()),
        })
    }

    /// Reads the reply to a delete: nothing, or the reason it failed.
    pub fn parse_deleted(&self, response: &HttpResponse) -> Result<(), CoreError> {
        check(response).map(|_| ())
    }

    /// Reads a page of comments; `paging` is the one the request asked for.
    pub fn parse_comment_page(
        &self,
        response: &HttpResponse,
        paging: &Paging,
    ) -> Result<ListPage<Comment>, CoreError> {
        let list: CommentList = parse_json(&check(response)?.text(), "a comment list")?;
        let comments = list.comments.into_iter().map(Comment::from).collect();
        list_page(comments, &list.paging, paging)
    }

    /// Reads a page of comments as the files attached to them, in comment order; `next` pages
    /// through the comments.
    pub fn parse_attachment_page(
        &self,
        response: &HttpResponse,
        paging: &Paging,
    ) -> Result<ListPage<Attachment>, CoreError> {
        let list: CommentList = parse_json(&check(response)?.text(), "a comment list")?;
        Ok(ListPage {
            next: next_paging(&list.paging, paging)?,
            items: list
                .comments
                .into_iter()
                .flat_map(WireComment::into_attachments)
                .collect(),
            total: None,
        })
    }

    /// The bytes of a downloaded attachment.
    pub fn parse_download(&self, response: &HttpResponse) -> Result<Vec<u8>, CoreError> {
        // Any file type may come back, HTML included, so only the status decides.
        match (200..300).contains(&response.status) {
            true => Ok(response.body.clone()),
            false => Err(error_for(response)),
        }
    }

    /// Reads the reply to an upload: the token to attach.
    pub fn parse_upload(&self, response: &HttpResponse) -> Result<Upload, CoreError> {
        let envelope: UploadEnvelope = parse_json(&check(response)?.text(), "an upload")?;
        Ok(Upload::from(envelope.upload))
    }

    /// Reads one user, such as the reply to [`Zendesk::me_request`]. An anonymous user (no id)
    /// means the credentials were not accepted and gives [`CoreError::Unauthorized`].
    pub fn parse_user(&self, response: &HttpResponse) -> Result<User, CoreError> {
        let envelope: UserEnvelope = parse_json(&check(response)?.text(), "a user")?;
        User::try_from(envelope.user)
    }

    /// Reads a list of users, such as the reply to [`Zendesk::search_users_request`].
    pub fn parse_users(&self, response: &HttpResponse) -> Result<Vec<User>, CoreError> {
        let list: UserList = parse_json(&check(response)?.text(), "a user list")?;
        list.users.into_iter().map(User::try_from).collect()
    }

    pub(crate) fn tickets(&self, tickets: Vec<WireTicket>) -> Result<Vec<Ticket>, CoreError> {
        tickets
            .into_iter()
            .map(|ticket| self.ticket(ticket))
            .collect()
    }

    fn ticket(&self, wire: WireTicket) -> Result<Ticket, CoreError> {
        let ticket = Ticket::try_from(wire)?;
        let web_link = self.agent_link_for(&ticket.id);
        Ok(Ticket { web_link, ..ticket })
    }

    fn agent_link_for(&self, ticket_id: &str) -> String {
        self.instance.url(&format!("/agent/tickets/{ticket_id}"))
    }

    pub(crate) fn get(&self, path_and_query: &str) -> HttpRequest {
        self.request(Method::Get, path_and_query)
    }

    /// A request to the account's API, signed in; add a body with [`HttpRequest::with_json`].
    ///
    /// Zendesk takes Basic with `{email}/token` and the API token (see [`api_token_credentials`]) and
    /// OAuth access tokens as `Bearer` (`shared/reference/zendesk/oauth.yml`), which are the standard
    /// forms [`Credentials::authorization`] writes.
    fn request(&self, method: Method, path_and_query: &str) -> HttpRequest {
        HttpRequest::json_api(method, self.instance.url(path_and_query), &self.credentials)
    }
}

fn comment_json(comment: &NewComment) -> Value {
    let mut json = json!({ "body": comment.body, "public": comment.public });
    if !comment.uploads.is_empty() {
        json["uploads"] = json!(comment.uploads);
    }
    json
}

/// A page of `items` from a list reply with these paging fields; `paging` is the one the request
/// asked for. The total is `count` when offset paging; cursor pages carry no count.
pub(crate) fn list_page<T>(
    items: Vec<T>,
    wire: &WirePaging,
    paging: &Paging,
) -> Result<ListPage<T>, CoreError> {
    let total = match paging {
        Paging::Offset(_) => wire.count,
        Paging::Cursor(_) => None,
    };
    Ok(ListPage {
        items,
        total,
        next: next_paging(wire, paging)?,
    })
}

/// The paging of the page after this one. Offset paging goes on while `next_page` is set, even
/// past [`MAX_OFFSET_PAGES`], so that the request builder says why the list stops instead of the
/// list ending silently.
pub(crate) fn next_paging(wire: &WirePaging, paging: &Paging) -> Result<Option<Paging>, CoreError> {
    let malformed = |message: &str| CoreError::Malformed {
        message: message.to_owned(),
    };
    match paging {
        Paging::Offset(page) => Ok(wire
            .next_page
            .is_some()
            .then(|| Paging::Offset(page.following()))),
        Paging::Cursor(page) => {
            let meta = wire
                .meta
                .as_ref()
                .ok_or_else(|| malformed("a cursor page without meta"))?;
            match (meta.has_more, &meta.after_cursor) {
                (false, _) => Ok(None),
                (true, Some(after)) => Ok(Some(Paging::Cursor(CursorPage {
                    size: page.size,
                    after: Some(after.clone()),
                }))),
                (true, None) => Err(malformed("meta.has_more without meta.after_cursor")),
            }
        }
    }
}

/// Turns every reply that is not a success into the error it means.
pub(crate) fn check(response: &HttpResponse) -> Result<&HttpResponse, CoreError> {
    let success = (200..300).contains(&response.status);
    let looks_like_html = response.is_html()
        || (!response.is_json() && response.text().trim_start().starts_with('<'));
    // A login or SSO page, or a proxy's page, where JSON was expected.
    if success && looks_like_html {
        return Err(CoreError::NotAnApi);
    }
    match success {
        true => Ok(response),
        false => Err(error_for(response)),
    }
}

/// The error a reply that is not a success means.
fn error_for(response: &HttpResponse) -> CoreError {
    let reply = error_reply(&response.text()).unwrap_or_default();
    let message = |fallback: &str| reply.message.clone().unwrap_or_else(|| fallback.to_owned());
    match response.status {
        // 400 is `TooManyValues` (recorded) or offset paging past its end; 422 is `RecordInvalid`
        // or the search result limit; 409 is a safe update that lost a race.
        400 | 409 | 422 => CoreError::Validation {
            field: reply.field.clone().or_else(|| search_limit_field(&reply)),
            message: message("the instance refused the request"),
        },
        401 if reply.code.as_deref() == Some("invalid_token") => CoreError::TokenExpired,
        401 => CoreError::Unauthorized {
            message: message("couldn't authenticate you"),
        },
        403 => CoreError::Forbidden {
            message: message("forbidden"),
        },
        404 => CoreError::NotFound {
            message: message("not found"),
        },
        429 => CoreError::RateLimited {
            retry_after_secs: retry_after_secs(response),
        },
        status @ 500..=599 => CoreError::Server { status },
        status => CoreError::Malformed {
            message: format!("unexpected HTTP status {status}"),
        },
    }
}

/// The 422 for a page past the search limit says `Invalid search: Requested response size was
/// greater than Search Response Limits` (zenpy issue 371); the field at fault is the page.
fn search_limit_field(reply: &ErrorReply) -> Option<String> {
    let message = reply.message.as_deref().unwrap_or_default();
    message
        .contains("Search Response Limits")
        .then(|| "page".to_owned())
}

/// Seconds to wait: `Retry-After`, which Zendesk sends with its `text/plain` 429, or else
/// `rate-limit-reset`, the seconds until the rate window resets (the recordings carry it on every
/// reply, counting down from 30).
fn retry_after_secs(response: &HttpResponse) -> Option<u64> {
    ["retry-after", "rate-limit-reset"]
        .into_iter()
        .find_map(|name| response.header(name)?.trim().parse().ok())
}

#[cfg(test)]
mod tests;
