//! The agent console: a plain HTML page at `/sandbox/va/console` where a person plays the live
//! agent. It lists waiting and active conversations with their transcripts, and has forms to
//! accept, type, reply (with text, a link, an image or an incident's record card) and end. The forms post back here and redirect to the page, so it works
//! without JavaScript; `console.js` only reloads the page while the agent is not writing. There
//! is no inline script or style (the same CSP rules as Flare's own pages).

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::common::html::escape;
use crate::common::http::percent_encode;
use crate::common::server::Linked;
use crate::servicenow::schema::Table;
use crate::va::conversation::agent::AgentMessage;
use crate::va::conversation::transcript::{Attachment, AttachmentStatus, Direction, Party};
use crate::va::conversation::{Conversation, ConversationState, HistoryFormat};
use crate::va::error::VaError;
use crate::va::AgentAction;
use crate::AppState;

const CONSOLE_PATH: &str = "/sandbox/va/console";

/// Reloads the console every few seconds unless the agent is filling in a form.
const CONSOLE_JS: &str = r#""use strict";
// Reload the agent console every three seconds so new chats and messages show up,
// unless the agent is writing a reply, a link, an image or an incident number.
setInterval(() => {
  const fields = document.querySelectorAll("textarea, input:not([type=hidden])");
  const writing = Array.from(fields).some(
    (area) => area.value !== "" || area === document.activeElement,
  );
  if (!writing) {
    window.location.replace(window.location.pathname);
  }
}, 3000);
"#;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(CONSOLE_PATH, get(page))
        .route("/sandbox/va/console.js", get(script))
        .route("/sandbox/va/console/{id}/accept", post(accept))
        .route("/sandbox/va/console/{id}/reply", post(submit::<ReplyForm>))
        .route("/sandbox/va/console/{id}/link", post(submit::<LinkForm>))
        .route("/sandbox/va/console/{id}/image", post(submit::<ImageForm>))
        .route("/sandbox/va/console/{id}/card", post(submit::<CardForm>))
        .route(
            "/sandbox/va/console/{id}/typing",
            post(submit::<TypingForm>),
        )
        .route("/sandbox/va/console/{id}/end", post(end))
}

#[derive(Debug, Deserialize)]
struct Notice {
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ReplyForm {
    text: String,
}

#[derive(Debug, Deserialize)]
struct LinkForm {
    url: String,
    label: String,
}

#[derive(Debug, Deserialize)]
struct ImageForm {
    url: String,
    /// Optional: left empty, the image goes out without `altText`.
    #[serde(default)]
    alt_text: String,
}

#[derive(Debug, Deserialize)]
struct CardForm {
    /// The incident whose record card to share.
    number: String,
}

#[derive(Debug, Deserialize)]
struct TypingForm {
    typing: bool,
}

/// A console form that asks for one agent action.
trait AgentForm: DeserializeOwned + Send + 'static {
    /// The action, or why there is none (a card for an incident that does not exist).
    fn action(self, state: &AppState) -> Result<AgentAction, VaError>;
}

impl AgentForm for ReplyForm {
    fn action(self, _state: &AppState) -> Result<AgentAction, VaError> {
        Ok(AgentAction::Message(AgentMessage::Text(self.text)))
    }
}

impl AgentForm for LinkForm {
    fn action(self, _state: &AppState) -> Result<AgentAction, VaError> {
        let link = AgentMessage::Link {
            url: self.url,
            label: self.label,
            header: None,
        };
        Ok(AgentAction::Message(link))
    }
}

impl AgentForm for ImageForm {
    fn action(self, _state: &AppState) -> Result<AgentAction, VaError> {
        let alt_text = Some(self.alt_text).filter(|alt_text| !alt_text.trim().is_empty());
        let image = AgentMessage::Image {
            url: self.url,
            alt_text,
        };
        Ok(AgentAction::Message(image))
    }
}

impl AgentForm for CardForm {
    fn action(self, state: &AppState) -> Result<AgentAction, VaError> {
        incident_card(state, &self.number).map(AgentAction::Message)
    }
}

impl AgentForm for TypingForm {
    fn action(self, _state: &AppState) -> Result<AgentAction, VaError> {
        Ok(AgentAction::Typing(self.typing))
    }
}

async fn page(
    Linked(state): Linked<AppState>,
    query: Result<Query<Notice>, QueryRejection>,
) -> Html<String> {
    let notice = query.ok().and_then(|Query(notice)| notice.notice);
    let va = crate::va::va(&state);
    Html(render(va.conversations.all(), notice.as_deref()))
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        CONSOLE_JS,
    )
        .into_response()
}

async fn accept(Linked(state): Linked<AppState>, Path(id): Path<String>) -> Redirect {
    let action = AgentAction::Accept {
        agent_name: crate::va::DEFAULT_AGENT_NAME.to_owned(),
    };
    back(act(&state, &id, action))
}

async fn end(Linked(state): Linked<AppState>, Path(id): Path<String>) -> Redirect {
    back(act(&state, &id, AgentAction::End))
}

/// Applies the action a posted form asks for.
async fn submit<F: AgentForm>(
    Linked(state): Linked<AppState>,
    Path(id): Path<String>,
    form: Result<Form<F>, FormRejection>,
) -> Redirect {
    let result = form
        .map_err(|rejection| VaError::BadRequest(rejection.body_text()))
        .and_then(|Form(form)| form.action(&state))
        .and_then(|action| act(&state, &id, action));
    back(result)
}

/// Applies an agent action; the console shows the conversation again rather than returning it.
fn act(state: &AppState, id: &str, action: AgentAction) -> Result<(), VaError> {
    crate::va::act(state, id, action).map(|_| ())
}

/// The record card of an incident, as the documented "Record" card shows one (`Card` template,
/// `va-api-controls.md`): number, short description and caller. Its link is the instance's
/// record page (`crate::pages`) rather than the Service Portal page of the example, which the
/// sandbox does not serve.
fn incident_card(state: &AppState, number: &str) -> Result<AgentMessage, VaError> {
    let number = number.trim();
    let db = state.db();
    let incident = db
        .records(Table::Incident)
        .iter()
        .find(|record| record.get("number").eq_ignore_ascii_case(number))
        .ok_or_else(|| VaError::BadRequest(format!("no incident `{number}`")))?;
    let caller = db
        .get(Table::SysUser, incident.get("caller_id"))
        .map_or("", |user| user.get("name"));
    let sys_id = incident.sys_id();
    let data = json!({
        "sys_id": sys_id,
        "subtitle": incident.get("number"),
        "title": "Incident",
        "fields": [
            {"fieldLabel": "Number", "fieldValue": incident.get("number")},
            {"fieldLabel": "Short description", "fieldValue": incident.get("short_description")},
            {"fieldLabel": "Caller", "fieldValue": caller},
        ],
        "table_name": "incident",
        "url": format!("{}/incident.do?sys_id={sys_id}", state.instance_url()),
        "target": "_blank",
    });
    Ok(AgentMessage::Card {
        template_name: "Card".to_owned(),
        data,
    })
}

/// Back to the console (Post/Redirect/Get), with what went wrong if anything did.
fn back(result: Result<(), VaError>) -> Redirect {
    match result {
        Ok(()) => Redirect::to(CONSOLE_PATH),
        Err(error) => Redirect::to(&format!(
            "{CONSOLE_PATH}?notice={}",
            percent_encode(&error.to_string())
        )),
    }
}

fn render(conversations: &[Conversation], notice: Option<&str>) -> String {
    let in_state = |state: ConversationState| {
        conversations
            .iter()
            .filter(move |conversation| conversation.state() == state)
    };
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Agent console | Flare sandbox</title>\
         <script src=\"/sandbox/va/console.js\" defer></script></head>\n<body>\n<main>\n\
         <h1>Agent console</h1>\n",
    );
    if let Some(notice) = notice {
        html.push_str(&format!("<p role=\"alert\">{}</p>\n", escape(notice)));
    }
    html.push_str("<div aria-live=\"polite\">\n");
    let sections = [
        ("Waiting for an agent", ConversationState::Waiting),
        ("Chatting with an agent", ConversationState::WithAgent),
    ];
    for (section_idx, (title, state)) in sections.into_iter().enumerate() {
        let matching: Vec<&Conversation> = in_state(state).collect();
        html.push_str(&format!(
            "<section aria-labelledby=\"section-{section_idx}\">\n<h2 id=\"section-{section_idx}\">{title} ({})</h2>\n",
            matching.len()
        ));
        if matching.is_empty() {
            html.push_str("<p>None.</p>\n");
        }
        for conversation in matching {
            render_conversation(&mut html, conversation);
        }
        html.push_str("</section>\n");
    }
    html.push_str("</div>\n</main>\n</body>\n</html>\n");
    html
}

fn render_conversation(html: &mut String, conversation: &Conversation) {
    let id = escape(conversation.id());
    let user = escape(conversation.user_id());
    html.push_str(&format!(
        "<article aria-labelledby=\"conversation-{id}\">\n<h3 id=\"conversation-{id}\">{user}</h3>\n"
    ));
    if let Some(agent_name) = conversation.agent_name() {
        html.push_str(&format!("<p>Agent: {}</p>\n", escape(agent_name)));
    }
    if conversation.visitor_typing() {
        html.push_str(&format!("<p>{user} is typing…</p>\n"));
    }
    html.push_str("<ol>\n");
    // Agent Chat shows the primary bot's history only as `store_history_as` stored it
    // (`va-api-support-chat-history.md`); an `html` entry is markup the sandbox built with every
    // value escaped.
    for item in conversation.agent_history() {
        let shown = match item.format {
            HistoryFormat::Html => item.content.clone(),
            HistoryFormat::MultiText | HistoryFormat::Text => {
                format!("<pre>{}</pre>", escape(&item.content))
            }
        };
        html.push_str(&format!("<li>History: {shown}</li>\n"));
    }
    for entry in conversation.entries() {
        for attachment in entry.attachments() {
            render_attachment(html, conversation.user_id(), attachment);
        }
        let Some(text) = entry.text().filter(|text| !text.is_empty()) else {
            continue;
        };
        let speaker = match (entry.direction(), entry.from()) {
            (Direction::Inbound, _) | (_, Party::Visitor) => conversation.user_id(),
            (Direction::Outbound, Party::Bot) => "Virtual Agent",
            (Direction::Outbound, Party::Agent) => conversation.agent_name().unwrap_or("Agent"),
        };
        html.push_str(&format!("<li>{}: {}</li>\n", escape(speaker), escape(text)));
    }
    html.push_str("</ol>\n");
    let form = |action: &str, fields: &str, button: &str| {
        format!(
            "<form method=\"post\" action=\"{CONSOLE_PATH}/{id}/{action}\">{fields}<button type=\"submit\">{button}</button></form>\n"
        )
    };
    match conversation.state() {
        ConversationState::Waiting => {
            html.push_str(&form("accept", "", &format!("Accept chat with {user}")));
        }
        ConversationState::WithAgent => {
            for (action, fields, button) in agent_forms(&id, &user) {
                html.push_str(&form(action, &fields, button));
            }
        }
        _ => {}
    }
    html.push_str(&form("end", "", &format!("End chat with {user}")));
    html.push_str("</article>\n");
}

/// What the agent can do in a chat they accepted, as the action, fields and button of a form
/// each; `id` and `user` are escaped already.
fn agent_forms(id: &str, user: &str) -> [(&'static str, String, &'static str); 6] {
    // A labelled input; `attributes` follow its id and name.
    let input = |field: &str, label: &str, name: &str, attributes: &str| {
        format!(
            "<label for=\"{field}-{id}\">{label}</label>\n<input id=\"{field}-{id}\" name=\"{name}\"{attributes}>\n"
        )
    };
    let url = " type=\"url\" required";
    let required = " required";
    let reply = format!(
        "<label for=\"reply-{id}\">Reply to {user}</label>\n<textarea id=\"reply-{id}\" name=\"text\" required></textarea>\n"
    );
    let link = [
        input("link-url", &format!("Link address for {user}"), "url", url),
        input("link-label", "Link text", "label", required),
    ];
    let image_label = format!("Image address for {user}");
    let image = [
        input("image-url", &image_label, "url", url),
        input("image-alt", "Image description", "alt_text", ""),
    ];
    let card_label = format!("Incident number to share with {user}");
    let card = input("card-number", &card_label, "number", required);
    let typing =
        |typing: bool| format!("<input type=\"hidden\" name=\"typing\" value=\"{typing}\">");
    [
        ("reply", reply, "Send"),
        ("link", link.concat(), "Send link"),
        ("image", image.concat(), "Send image"),
        ("card", card, "Share incident"),
        ("typing", typing(true), "Show typing"),
        ("typing", typing(false), "Stop typing"),
    ]
}

/// An attachment the visitor sent, with a link to open it once it arrived.
fn render_attachment(html: &mut String, user_id: &str, attachment: &Attachment) {
    let name = escape(attachment.file_name());
    let shown = match attachment.status() {
        AttachmentStatus::Received => format!(
            "<a href=\"/sandbox/va/attachments/{}\">{name}</a>",
            escape(attachment.id())
        ),
        AttachmentStatus::Pending => format!("{name} (downloading)"),
        AttachmentStatus::Failed => format!("{name} (could not be downloaded)"),
    };
    html.push_str(&format!(
        "<li>{}: attachment {shown}</li>\n",
        escape(user_id)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            percent_encode("no conversation `a b`"),
            "no%20conversation%20%60a%20b%60"
        );
    }

    #[test]
    fn renders_an_empty_console() {
        let html = render(&[], Some("<oops>"));
        assert!(
            html.contains("<p role=\"alert\">&lt;oops&gt;</p>"),
            "{html}"
        );
        assert!(html.contains("Waiting for an agent (0)"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
