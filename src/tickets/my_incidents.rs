//! The tickets the connected user reported: ServiceNow incidents they are the caller of, newest
//! change first, or the Zendesk tickets they requested, oldest first.

use flare_core::http::encode_component;
use flare_core::listing::{ListQuery, Whose};
use flare_core::paging::Page;
use flare_core::providers::servicenow::Table;
use flare_core::ticket::Ticket;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Connection, Provider, PAGE_SIZE};
use crate::browser::time::local_date_time;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::messages::WorkerRequest;
use crate::tickets::list_filters::ListFilters;
use crate::ui::errors::describe_for;
use crate::ui::rich_text::rich_text;
use crate::ui::ticket_status::status_label;

/// Lists the user's incidents or tickets a page at a time.
#[component]
pub fn MyIncidents(
    /// The saved connection to read from.
    connection: Connection,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let provider = connection.provider();
    mark_seen(&platform, &connection);
    let (offset, set_offset) = signal(0_u64);
    let query = RwSignal::new(ListQuery::default());
    // Another search or filter starts again from its first page.
    Effect::watch(
        move || query.track(),
        move |_, _, _| set_offset.set(0),
        false,
    );
    let lister = (platform.clone(), connection.clone());
    let tickets = LocalResource::new(move || {
        let (platform, connection, offset) = (lister.0.clone(), lister.1.clone(), offset.get());
        let query = query.get();
        async move { api::my_tickets(&platform, &connection, &query, offset).await }
    });
    // Which lists the user's role offers; their own until that is known, or if it cannot be.
    let offered = LocalResource::new(move || {
        let (platform, connection) = (platform.clone(), connection.clone());
        async move { api::offered_lists(&platform, &connection).await }
    });
    let lists = Signal::derive(move || {
        offered
            .get()
            .and_then(Result::ok)
            .unwrap_or_else(|| vec![Whose::Mine])
    });
    // ServiceNow lists newest change first; Zendesk lists oldest first (its list endpoints
    // order by creation), so its pages are only earlier and later ones.
    let (heading, loading, none, no_match, no_more, back, forward) = match provider {
        Provider::ServiceNow => (
            messages.text("view_my_incidents"),
            messages.text("incidents_loading"),
            messages.text("incidents_none"),
            messages.text("incidents_no_match"),
            messages.text("incidents_no_more"),
            messages.text("incidents_newer"),
            messages.text("incidents_older"),
        ),
        Provider::Zendesk => (
            messages.text("view_my_tickets"),
            messages.text("tickets_loading"),
            messages.text("tickets_none"),
            messages.text("tickets_no_match"),
            messages.text("tickets_no_more"),
            messages.text("tickets_previous"),
            messages.text("tickets_next"),
        ),
    };
    let page_messages = messages.clone();
    let list_name = heading.clone();
    let page_view = move |page: Page<Ticket>| {
        let messages = &page_messages;
        let current = offset.get_untracked();
        if page.items.is_empty() && current == 0 {
            let empty = query.with_untracked(|query| match query {
                _ if *query == ListQuery::default() => none.clone(),
                _ if query.text.trim().is_empty() && query.whose != Whose::Mine => {
                    messages.text("list_none")
                }
                _ => no_match.clone(),
            });
            return view! { <p class="empty">{empty}</p> }.into_any();
        }
        // Tickets can go away between pages (closed, reassigned): show the way back.
        if page.items.is_empty() {
            return view! {
                <p class="empty">{no_more.clone()}</p>
                <div class="pager">
                    <button type="button" on:click=move |_| set_offset.set(0)>
                        {messages.text("incidents_first_page")}
                    </button>
                </div>
            }
            .into_any();
        }
        let next_offset = page.next_offset;
        let table = query.with_untracked(ListQuery::servicenow_table);
        // The total can be behind the page (incidents went away meanwhile): count what came.
        let last_shown = current.saturating_add(page.items.len() as u64);
        let range = page.total.map(|total| {
            let first_shown = current.saturating_add(1).to_string();
            let total = total.max(last_shown).to_string();
            messages.format(
                "incidents_range",
                &[&first_shown, &last_shown.to_string(), &total],
            )
        });
        view! {
            <ul class="tickets" aria-label=list_name.clone()>
                {page.items.into_iter().map(|ticket| view! { <TicketRow ticket provider table/> }).collect_view()}
            </ul>
            <div class="pager">
                <button type="button" disabled=current == 0 on:click=move |_| set_offset.set(current.saturating_sub(u64::from(PAGE_SIZE)))>
                    {back.clone()}
                </button>
                {range.map(|range| view! { <span>{range}</span> })}
                <button type="button" disabled=next_offset.is_none() on:click=move |_| set_offset.set(next_offset.unwrap_or(current))>
                    {forward.clone()}
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="my-incidents">
            <div class="toolbar">
                // The tab above already shows these words; the heading is for screen readers.
                <h2 class="visually-hidden">{heading}</h2>
                <button type="button" on:click=move |_| tickets.refetch()>
                    {messages.text("incidents_refresh")}
                </button>
            </div>
            <ListFilters query provider lists/>
            <Transition fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                {move || {
                    let (page_view, messages) = (page_view.clone(), messages.clone());
                    Suspend::new(async move {
                        match tickets.await {
                            Ok(page) => page_view(page),
                            Err(error) => view! {
                                <p role="alert" class="error">{describe_for(&error, provider, &messages)}</p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// One incident or ticket: number (opening its detail view), title, state and when it last
/// changed.
#[component]
fn TicketRow(
    /// The incident or ticket to show.
    ticket: Ticket,
    /// Whose ticket it is, which decides who names its status.
    provider: Provider,
    /// The ServiceNow table it is in; the ticket page reads incidents unless told otherwise.
    table: Table,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let status = status_label(&ticket.status, provider, &messages);
    let updated = ticket.updated.map(local_date_time).unwrap_or_default();
    let updated = rich_text(messages.pieces("incident_updated"), |_| {
        view! { <time>{updated.clone()}</time> }.into_any()
    });
    let mut page = format!("ticket.html?ticket={}", encode_component(&ticket.id));
    if provider == Provider::ServiceNow && table != Table::Incident {
        page.push_str(&format!("&table={}", table.name()));
    }
    view! {
        <li class="ticket">
            <div class="ticket-head">
                // The detail view replaces the list in the popup; it links back here.
                <a href=page>{ticket.reference}</a>
                <span class="state" data-category=format!("{:?}", ticket.status.category).to_lowercase()>{status}</span>
            </div>
            <p class="title">{ticket.title}</p>
            <p class="meta">{updated}</p>
        </li>
    }
}

/// Tells the worker the user looked at `connection`'s tickets, so the badge stops counting them;
/// nothing waits for it.
fn mark_seen(platform: &PlatformHandle, connection: &Connection) {
    let (platform, connection) = (platform.clone(), connection.clone());
    spawn_local(async move {
        let saved = api::saved_connections(&platform).await.unwrap_or_default();
        if let Some(entry) = saved.same_as(&connection) {
            let request = WorkerRequest::MarkSeen {
                connection_id: entry.id.clone(),
                ticket_id: None,
            };
            let _ = platform.ask_worker(request).await;
        }
    });
}
