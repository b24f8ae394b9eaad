//! The new-incident form, pre-filled from the page and saved as a draft while the user types.

use flare_core::providers::servicenow::{priority_for, Level, NewIncident};
use flare_core::templates::{TemplateSet, TicketContext};
use flare_core::ticket::Ticket;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, Connection};
use crate::browser::{PageContext, PlatformHandle};
use crate::storage::INCIDENT_DRAFT_KEY;
use crate::ui::draft::keep_draft;
use crate::ui::errors::describe;

/// What the user has typed so far; it outlives a closed popup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDraft {
    /// One line saying what is wrong.
    pub short_description: String,
    /// The details.
    pub description: String,
    /// Urgency choice value.
    pub urgency: String,
    /// Impact choice value.
    pub impact: String,
}

/// An empty form, at medium urgency and impact.
impl Default for IncidentDraft {
    fn default() -> IncidentDraft {
        IncidentDraft {
            short_description: String::new(),
            description: String::new(),
            urgency: Level::Medium.code().to_owned(),
            impact: Level::Medium.code().to_owned(),
        }
    }
}

impl IncidentDraft {
    /// A fresh draft describing the page the user is on: the page's title, and the description the
    /// fallback incident template starts with for this page (its URL and the browser).
    pub fn from_page(page: &PageContext) -> IncidentDraft {
        let context = TicketContext {
            page_title: page.title.clone(),
            page_url: page.url.clone(),
            browser: page.user_agent.clone(),
            ..TicketContext::default()
        };
        let description = TemplateSet::servicenow_default()
            .fallback()
            .and_then(|template| template.prefill("description", &context))
            .unwrap_or_default();
        IncidentDraft {
            short_description: page.title.clone(),
            description,
            ..IncidentDraft::default()
        }
    }

    fn is_blank(&self) -> bool {
        self.short_description.trim().is_empty() && self.description.trim().is_empty()
    }
}

/// Files an incident in the connected instance.
#[component]
pub fn NewIncidentForm(
    /// The saved connection to file it in.
    connection: Connection,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let blank = IncidentDraft::default();
    let short_description = RwSignal::new(blank.short_description);
    let description = RwSignal::new(blank.description);
    let urgency = RwSignal::new(blank.urgency);
    let impact = RwSignal::new(blank.impact);
    let (missing_title, set_missing_title) = signal(false);
    let current_draft = move || IncidentDraft {
        short_description: short_description.get(),
        description: description.get(),
        urgency: urgency.get(),
        impact: impact.get(),
    };
    let apply = move |draft: IncidentDraft| {
        short_description.set(draft.short_description);
        description.set(draft.description);
        urgency.set(draft.urgency);
        impact.set(draft.impact);
    };

    let loader = platform.clone();
    let draft_ready = keep_draft(
        platform.clone(),
        INCIDENT_DRAFT_KEY,
        current_draft,
        move |saved: Option<IncidentDraft>| async move {
            let draft = match saved {
                Some(draft) if !draft.is_blank() => draft,
                _ => IncidentDraft::from_page(&loader.page_context().await.unwrap_or_default()),
            };
            apply(draft);
        },
    );

    let create = Action::new_unsync(
        move |(submitted, incident): &(IncidentDraft, NewIncident)| {
            let (platform, connection, submitted, incident) = (
                platform.clone(),
                connection.clone(),
                submitted.clone(),
                incident.clone(),
            );
            async move {
                let ticket = api::create_incident(&platform, &connection, incident).await?;
                // Filed: the draft has done its job, unless it changed meanwhile; then it is new work.
                // On failure it stays, so nothing typed is lost.
                if untrack(current_draft) == submitted {
                    apply(IncidentDraft::default());
                    let _ = platform.remove(INCIDENT_DRAFT_KEY).await;
                }
                Ok::<Ticket, api::AppError>(ticket)
            }
        },
    );

    let level =
        |signal: RwSignal<String>| move || Level::from_code(&signal.get()).unwrap_or(Level::Medium);
    let priority = move || priority_for(level(urgency)(), level(impact)()).label;
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let title = short_description.get_untracked().trim().to_owned();
        set_missing_title.set(title.is_empty());
        if title.is_empty() {
            return;
        }
        let incident = NewIncident {
            short_description: title,
            description: description.get_untracked(),
            urgency: level(urgency)(),
            impact: level(impact)(),
            caller_id: String::new(),
        };
        create.dispatch((untrack(current_draft), incident));
    };
    let level_options = || {
        Level::ALL
            .into_iter()
            .map(|level| view! { <option value=level.code()>{level.label()}</option> })
            .collect_view()
    };
    let outcome = move || {
        match create.value().get() {
        Some(Ok(ticket)) => view! {
            <p role="status" class="success">
                "Created " <a href=ticket.web_link.clone() target="_blank" rel="noopener">{ticket.reference.clone()}</a>
                {format!(": {}", ticket.title)}
            </p>
        }
        .into_any(),
        Some(Err(error)) => view! { <p role="alert" class="error">{describe(&error)}</p> }.into_any(),
        None => ().into_any(),
    }
    };
    view! {
        <form class="new-incident" on:submit=submit>
            // Nothing can be typed before the draft is in (it would be overwritten) or while the
            // incident is being filed (it would be cleared).
            <fieldset disabled=move || !draft_ready.get() || create.pending().get()>
                <label>
                    "Short description"
                    <input type="text" name="short_description" maxlength="160" bind:value=short_description/>
                </label>
                {move || missing_title.get().then(|| view! { <p role="alert" class="error">"Say in one line what is wrong."</p> })}
                <label>
                    "Description"
                    <textarea name="description" rows="5" bind:value=description></textarea>
                </label>
                <div class="row">
                    <label>"Urgency" <select name="urgency" bind:value=urgency>{level_options()}</select></label>
                    <label>"Impact" <select name="impact" bind:value=impact>{level_options()}</select></label>
                </div>
                <p class="priority">"Priority: " <output name="priority">{priority}</output></p>
                <button type="submit" class="primary">"Create incident"</button>
            </fieldset>
            <div aria-live="polite">
                {move || create.pending().get().then(|| view! { <p role="status">"Creating the incident…"</p> })}
                {outcome}
            </div>
        </form>
    }
}
