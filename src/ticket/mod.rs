//! One ticket up close: its fields in words, its conversation, its files, and what the viewer may
//! do with it. A page of its own (`ticket.html?ticket=…`), loaded with the options page's wasm,
//! so the popup does not carry it: the list page opens it in place and it links back, and a
//! notification can open it in a tab.

mod actions;
mod conversation;
mod edit;

use flare_core::http::encode_component;
use flare_core::providers::servicenow::{parent_incident, Table};
use flare_core::ticket::{PersonRef, Ticket, Timestamp};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::detail::{self, TicketDetail};
use crate::api::{self, Connection, Provider};
use crate::browser::document;
use crate::browser::time::local_date_time;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::messages::WorkerRequest;
use crate::storage::SavedConnections;
use crate::ticket::actions::TicketActions;
use crate::ticket::conversation::{Attachments, CommentForm, Journal};
use crate::ticket::edit::EditFields;
use crate::ui::appearance::follow_saved_appearance;
use crate::ui::errors::{describe, describe_for};
use crate::ui::rich_text::rich_text;
use crate::ui::ticket_status::status_label;

/// The ticket being looked at, shared by the parts of the page.
#[derive(Clone)]
pub(crate) struct Viewing {
    /// The connection it is read through.
    pub connection: Connection,
    /// Which saved connection that is, for drafts.
    pub connection_id: String,
    /// The ticket's id on its service desk.
    pub ticket_id: String,
    /// Its ServiceNow table (an incident or a request); Zendesk has one kind.
    pub table: Table,
    /// Bumped after a change, so the page reads the ticket again.
    pub changed: RwSignal<u32>,
    /// What the last change did, in words, shown above the ticket.
    pub notice: RwSignal<Option<String>>,
    /// Set once the ticket is deleted: there is nothing left to show.
    pub deleted: RwSignal<bool>,
}

/// The detail page's root.
#[component]
pub fn TicketPage(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
    /// The words to show; by default in the language of the browser's UI.
    #[prop(default = Messages::for_ui_language())]
    messages: Messages,
    /// The ticket's id on its service desk; `None` when the address names none.
    ticket_id: Option<String>,
    /// The saved connection to read it through; the popup's current one when `None`.
    connection_id: Option<String>,
    /// The ServiceNow table it is in (`sc_request`); an incident when `None`.
    #[prop(optional_no_strip)]
    table: Option<String>,
) -> impl IntoView {
    provide_context(platform.clone());
    provide_context(messages.clone());
    follow_saved_appearance(&platform);
    let viewing = RwSignal::new(None::<Viewing>);
    let (problem, set_problem) = signal(None::<String>);
    let start_messages = messages.clone();
    spawn_local(async move {
        let messages = start_messages;
        let saved = match api::saved_connections(&platform).await {
            Ok(saved) => saved,
            Err(error) => {
                set_problem.set(Some(describe(&error, &messages)));
                return;
            }
        };
        match (ticket_id, chosen(&saved, connection_id.as_deref())) {
            (Some(ticket_id), Some((connection_id, connection))) => {
                // Looking at the ticket is what the badge waits for.
                let request = WorkerRequest::MarkSeen {
                    connection_id: connection_id.clone(),
                    ticket_id: Some(ticket_id.clone()),
                };
                let seen = platform.ask_worker(request);
                spawn_local(async move {
                    let _ = seen.await;
                });
                let table = table
                    .as_deref()
                    .and_then(Table::from_name)
                    .unwrap_or(Table::Incident);
                viewing.set(Some(Viewing {
                    connection,
                    connection_id,
                    ticket_id,
                    table,
                    changed: RwSignal::new(0),
                    notice: RwSignal::new(None),
                    deleted: RwSignal::new(false),
                }))
            }
            (None, _) => set_problem.set(Some(messages.text("ticket_none"))),
            (_, None) => set_problem.set(Some(messages.text("ticket_no_connection"))),
        }
    });
    let language = messages.language();
    let brand = messages.text("extension_name");
    view! {
        <main class="popup ticket-page" lang=language>
            <header class="brand">
                <p class="brand-name">{brand}</p>
                <a href="tickets.html">{messages.text("ticket_back")}</a>
            </header>
            {move || problem.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
            {move || viewing.get().map(|viewing| view! { <TicketView viewing/> })}
        </main>
    }
}

/// The saved connection `id` names, or the default one; with its id.
fn chosen(saved: &SavedConnections, id: Option<&str>) -> Option<(String, Connection)> {
    let entry = match id {
        Some(id) => saved.find(id),
        None => saved.default_connection(),
    }?;
    Some((entry.id.clone(), entry.connection.clone()))
}

/// The ticket, read again whenever it changes.
#[component]
fn TicketView(viewing: Viewing) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let provider = viewing.connection.provider();
    let (changed, notice, deleted) = (viewing.changed, viewing.notice, viewing.deleted);
    let reader = viewing.clone();
    let detail = LocalResource::new(move || {
        changed.track();
        let (platform, viewing) = (platform.clone(), reader.clone());
        async move {
            let Viewing {
                connection,
                table,
                ticket_id,
                ..
            } = &viewing;
            detail::ticket_detail(&platform, connection, *table, ticket_id).await
        }
    });
    provide_context(viewing);
    let loading = messages.text("ticket_loading");
    let shown = move || {
        let messages = messages.clone();
        let loading = loading.clone();
        (!deleted.get()).then(|| {
            view! {
                <Transition fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                    {move || {
                        let messages = messages.clone();
                        Suspend::new(async move {
                            match detail.await {
                                Ok(detail) => view! { <Detail detail/> }.into_any(),
                                Err(error) => view! {
                                    <p role="alert" class="error">{describe_for(&error, provider, &messages)}</p>
                                }
                                .into_any(),
                            }
                        })
                    }}
                </Transition>
            }
        })
    };
    view! {
        <div role="status" aria-live="polite">
            {move || notice.get().map(|notice| view! { <p class="success">{notice}</p> })}
        </div>
        {shown}
    }
}

/// Everything about the ticket, then what the viewer may do.
#[component]
fn Detail(detail: TicketDetail) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let viewing = expect_context::<Viewing>();
    let provider = viewing.connection.provider();
    let TicketDetail {
        ticket,
        journal,
        attachments,
        follow_ups,
        actions,
        ..
    } = detail;
    document::set_title(&messages.format("ticket_title", &[&ticket.reference]));
    let host = viewing.connection.host().to_owned();
    let description = (!ticket.description.trim().is_empty()).then(|| {
        view! {
            <h2>{messages.text("ticket_description")}</h2>
            <p class="description">{ticket.description.clone()}</p>
        }
    });
    view! {
        <article class="ticket-detail">
            <h1>
                <span class="reference">{ticket.reference.clone()}</span>
                " "
                {ticket.title.clone()}
            </h1>
            <p>
                <a href=ticket.web_link.clone() target="_blank" rel="noopener">
                    {messages.format("ticket_open_on", &[&host])}
                </a>
            </p>
            <Fields ticket=ticket.clone() provider table=viewing.table/>
            <EditFields ticket=ticket.clone() actions=actions.clone()/>
            <FollowUps ticket=ticket.clone() follow_ups provider table=viewing.table/>
            {description}
            <Journal entries=journal provider/>
            <Attachments files=attachments/>
            <CommentForm actions=actions.clone()/>
            <TicketActions ticket actions/>
        </article>
    }
}

/// The incident this one follows up, the ones that follow it up, and a way to file another
/// (ServiceNow incidents).
#[component]
fn FollowUps(
    ticket: Ticket,
    follow_ups: Vec<Ticket>,
    provider: Provider,
    table: Table,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    if provider != Provider::ServiceNow || table != Table::Incident {
        return None;
    }
    let page = |id: &str| format!("ticket.html?ticket={}", encode_component(id));
    let parent = parent_incident(&ticket).map(|(sys_id, number)| {
        let pieces = messages.pieces("ticket_follow_up_of");
        let link = rich_text(pieces, |_| {
            view! { <a href=page(&sys_id)>{number.clone()}</a> }.into_any()
        });
        view! { <p class="follow-up">{link}</p> }
    });
    let children = (!follow_ups.is_empty()).then(|| {
        let heading = messages.text("ticket_follow_ups");
        let items = follow_ups
            .into_iter()
            .map(|child| {
                view! {
                    <li><a href=page(&child.id)>{child.reference}</a>" "{child.title}</li>
                }
            })
            .collect_view();
        view! {
            <h2>{heading.clone()}</h2>
            <ul class="attachments" aria-label=heading>{items}</ul>
        }
    });
    // The popup's form takes it from the address (`popup::new_incident::FollowUp`).
    let new_follow_up = format!(
        "popup.html#follow-up={},{}",
        encode_component(&ticket.id),
        encode_component(&ticket.reference)
    );
    Some(view! {
        {parent}
        {children}
        <p><a href=new_follow_up>{messages.text("ticket_new_follow_up")}</a></p>
    })
}

/// The ticket's fields in words.
#[component]
fn Fields(ticket: Ticket, provider: Provider, table: Table) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let person = |person: Option<PersonRef>, messages: &Messages| {
        person
            .map(|person| person.name.unwrap_or(person.id))
            .unwrap_or_else(|| messages.text("ticket_nobody"))
    };
    let when = |timestamp: Option<Timestamp>| timestamp.map(local_date_time).unwrap_or_default();
    let requester_label = match (provider, table) {
        (Provider::ServiceNow, Table::Incident) => messages.text("ticket_field_caller"),
        _ => messages.text("ticket_field_requester"),
    };
    let rows = [
        (
            messages.text("ticket_field_state"),
            status_label(&ticket.status, provider, &messages),
        ),
        (
            messages.text("ticket_field_priority"),
            ticket
                .priority
                .map(|priority| priority.label)
                .unwrap_or_default(),
        ),
        (requester_label, person(ticket.requester, &messages)),
        (
            messages.text("ticket_field_assignee"),
            person(ticket.assignee, &messages),
        ),
        (messages.text("ticket_field_opened"), when(ticket.created)),
        (messages.text("ticket_field_updated"), when(ticket.updated)),
    ];
    view! {
        <dl class="fields">
            {rows
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(name, value)| view! { <div><dt>{name}</dt><dd>{value}</dd></div> })
                .collect_view()}
        </dl>
    }
}
