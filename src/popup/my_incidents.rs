//! The incidents the connected user reported, newest change first.

use flare_core::paging::Page;
use flare_core::ticket::Ticket;
use leptos::prelude::*;

use crate::api::{self, Connection, PAGE_SIZE};
use crate::browser::time::local_date_time;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::ui::errors::describe;
use crate::ui::rich_text::rich_text;

/// Lists the user's incidents a page at a time.
#[component]
pub fn MyIncidents(
    /// The saved connection to read from.
    connection: Connection,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let (offset, set_offset) = signal(0_u64);
    let incidents = LocalResource::new(move || {
        let (platform, connection, offset) = (platform.clone(), connection.clone(), offset.get());
        async move { api::my_incidents(&platform, &connection, offset).await }
    });
    let page_messages = messages.clone();
    let page_view = move |page: Page<Ticket>| {
        let messages = &page_messages;
        let current = offset.get_untracked();
        if page.items.is_empty() && current == 0 {
            return view! { <p class="empty">{messages.text("incidents_none")}</p> }.into_any();
        }
        // Incidents can go away between pages (closed, reassigned): show the way back.
        if page.items.is_empty() {
            return view! {
                <p class="empty">{messages.text("incidents_no_more")}</p>
                <div class="pager">
                    <button type="button" on:click=move |_| set_offset.set(0)>
                        {messages.text("incidents_first_page")}
                    </button>
                </div>
            }
            .into_any();
        }
        let next_offset = page.next_offset;
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
            <ul class="tickets" aria-label=messages.text("view_my_incidents")>
                {page.items.into_iter().map(|ticket| view! { <TicketRow ticket/> }).collect_view()}
            </ul>
            <div class="pager">
                <button type="button" disabled=current == 0 on:click=move |_| set_offset.set(current.saturating_sub(u64::from(PAGE_SIZE)))>
                    {messages.text("incidents_newer")}
                </button>
                {range.map(|range| view! { <span>{range}</span> })}
                <button type="button" disabled=next_offset.is_none() on:click=move |_| set_offset.set(next_offset.unwrap_or(current))>
                    {messages.text("incidents_older")}
                </button>
            </div>
        }
        .into_any()
    };
    let loading = messages.text("incidents_loading");
    view! {
        <section class="my-incidents">
            <div class="toolbar">
                // The tab above already shows these words; the heading is for screen readers.
                <h2 class="visually-hidden">{messages.text("view_my_incidents")}</h2>
                <button type="button" on:click=move |_| incidents.refetch()>
                    {messages.text("incidents_refresh")}
                </button>
            </div>
            <Transition fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                {move || {
                    let (page_view, messages) = (page_view.clone(), messages.clone());
                    Suspend::new(async move {
                        match incidents.await {
                            Ok(page) => page_view(page),
                            Err(error) => view! { <p role="alert" class="error">{describe(&error, &messages)}</p> }
                                .into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// One incident: number (linking to the instance), title, state and when it last changed.
#[component]
fn TicketRow(
    /// The incident to show.
    ticket: Ticket,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let updated = ticket.updated.map(local_date_time).unwrap_or_default();
    let updated = rich_text(messages.pieces("incident_updated"), |_| {
        view! { <time>{updated.clone()}</time> }.into_any()
    });
    view! {
        <li class="ticket">
            <div class="ticket-head">
                <a href=ticket.web_link target="_blank" rel="noopener">{ticket.reference}</a>
                <span class="state" data-category=format!("{:?}", ticket.status.category).to_lowercase()>{ticket.status.label}</span>
            </div>
            <p class="title">{ticket.title}</p>
            <p class="meta">{updated}</p>
        </li>
    }
}
