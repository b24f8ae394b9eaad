//! The form for a new ticket (a ServiceNow incident or a Zendesk ticket), pre-filled from the page
//! and saved as a draft while the user types.

use flare_core::providers::servicenow::{priority_for, Level, NewIncident};
use flare_core::providers::zendesk::{self, TicketPriority};
use flare_core::templates::{TemplateSet, TicketContext};
use flare_core::ticket::Ticket;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, Connection, NewTicket, Provider};
use crate::browser::{PageContext, PlatformHandle};
use crate::i18n::Messages;
use crate::storage::INCIDENT_DRAFT_KEY;
use crate::ui::draft::keep_draft;
use crate::ui::errors::describe_for;
use crate::ui::rich_text::rich_text;

/// What the user has typed so far; it outlives a closed popup, and a switch of connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDraft {
    /// One line saying what is wrong (ServiceNow's short description, Zendesk's subject).
    pub short_description: String,
    /// The details.
    pub description: String,
    /// Urgency choice value (ServiceNow).
    pub urgency: String,
    /// Impact choice value (ServiceNow).
    pub impact: String,
    /// Priority choice value (Zendesk); drafts from before Zendesk have none.
    #[serde(default = "normal_priority")]
    pub priority: String,
}

/// An empty form, at medium urgency and impact, and normal priority.
impl Default for IncidentDraft {
    fn default() -> IncidentDraft {
        IncidentDraft {
            short_description: String::new(),
            description: String::new(),
            urgency: Level::Medium.code().to_owned(),
            impact: Level::Medium.code().to_owned(),
            priority: normal_priority(),
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
        // The next issue brings templates per connection; until then both service desks start
        // from the incident template's description, which names only the page and the browser.
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

    /// What filing this draft in `provider` sends; `title` is the trimmed one-liner.
    fn new_ticket(&self, provider: Provider, title: String) -> NewTicket {
        let level = |code: &str| Level::from_code(code).unwrap_or(Level::Medium);
        match provider {
            Provider::ServiceNow => NewTicket::Incident(NewIncident {
                short_description: title,
                description: self.description.clone(),
                urgency: level(&self.urgency),
                impact: level(&self.impact),
                caller_id: String::new(),
            }),
            Provider::Zendesk => NewTicket::Zendesk(zendesk::NewTicket {
                subject: title,
                body: self.description.clone(),
                priority: TicketPriority::from_code(&self.priority),
                ..zendesk::NewTicket::default()
            }),
        }
    }
}

/// Files a ticket in the connected service desk: an incident in ServiceNow (short description,
/// description, urgency and impact), a ticket in Zendesk (subject, description, priority).
#[component]
pub fn NewIncidentForm(
    /// The saved connection to file it in.
    connection: Connection,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let provider = connection.provider();
    let blank = IncidentDraft::default();
    let short_description = RwSignal::new(blank.short_description);
    let description = RwSignal::new(blank.description);
    let urgency = RwSignal::new(blank.urgency);
    let impact = RwSignal::new(blank.impact);
    let priority = RwSignal::new(blank.priority);
    let (missing_title, set_missing_title) = signal(false);
    let current_draft = move || IncidentDraft {
        short_description: short_description.get(),
        description: description.get(),
        urgency: urgency.get(),
        impact: impact.get(),
        priority: priority.get(),
    };
    let apply = move |draft: IncidentDraft| {
        short_description.set(draft.short_description);
        description.set(draft.description);
        urgency.set(draft.urgency);
        impact.set(draft.impact);
        priority.set(draft.priority);
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

    let create = Action::new_unsync(move |(submitted, ticket): &(IncidentDraft, NewTicket)| {
        let (platform, connection, submitted, ticket) = (
            platform.clone(),
            connection.clone(),
            submitted.clone(),
            ticket.clone(),
        );
        async move {
            let filed = api::create_ticket(&platform, &connection, ticket).await?;
            // Filed: the draft has done its job, unless it changed meanwhile; then it is new work.
            // On failure it stays, so nothing typed is lost.
            if untrack(current_draft) == submitted {
                apply(IncidentDraft::default());
                let _ = platform.remove(INCIDENT_DRAFT_KEY).await;
            }
            Ok::<Ticket, api::AppError>(filed)
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let title = short_description.get_untracked().trim().to_owned();
        set_missing_title.set(title.is_empty());
        if title.is_empty() {
            return;
        }
        let draft = untrack(current_draft);
        let ticket = draft.new_ticket(provider, title);
        create.dispatch((draft, ticket));
    };
    let outcome_messages = messages.clone();
    let outcome = move || match create.value().get() {
        Some(Ok(ticket)) => {
            let pieces = match provider {
                Provider::ServiceNow => outcome_messages.pieces("incident_created"),
                Provider::Zendesk => outcome_messages.pieces("ticket_created"),
            };
            let created = rich_text(pieces, |arg_idx| {
                match arg_idx {
                0 => view! {
                    <a href=ticket.web_link.clone() target="_blank" rel="noopener">{ticket.reference.clone()}</a>
                }
                .into_any(),
                _ => ticket.title.clone().into_any(),
            }
            });
            view! { <p role="status" class="success">{created}</p> }.into_any()
        }
        Some(Err(error)) => view! {
            <p role="alert" class="error">{describe_for(&error, provider, &outcome_messages)}</p>
        }
        .into_any(),
        None => ().into_any(),
    };
    let missing = messages.text("incident_short_description_missing");
    let (title_label, title_name, create_label, creating) = match provider {
        Provider::ServiceNow => (
            messages.text("incident_short_description_label"),
            "short_description",
            messages.text("incident_create"),
            messages.text("incident_creating"),
        ),
        Provider::Zendesk => (
            messages.text("ticket_subject_label"),
            "subject",
            messages.text("ticket_create"),
            messages.text("ticket_creating"),
        ),
    };
    let choices = match provider {
        Provider::ServiceNow => view! { <IncidentChoices urgency impact/> }.into_any(),
        Provider::Zendesk => view! { <PriorityChoice priority/> }.into_any(),
    };
    view! {
        <form class="new-incident" on:submit=submit>
            // Nothing can be typed before the draft is in (it would be overwritten) or while the
            // ticket is being filed (it would be cleared).
            <fieldset disabled=move || !draft_ready.get() || create.pending().get()>
                <label>
                    {title_label}
                    <input type="text" name=title_name maxlength="160" bind:value=short_description/>
                </label>
                {move || missing_title.get().then(|| view! { <p role="alert" class="error">{missing.clone()}</p> })}
                <label>
                    {messages.text("incident_description_label")}
                    <textarea name="description" rows="5" bind:value=description></textarea>
                </label>
                {choices}
                <button type="submit" class="primary">{create_label}</button>
            </fieldset>
            <div aria-live="polite">
                {move || create.pending().get().then(|| view! { <p role="status">{creating.clone()}</p> })}
                {outcome}
            </div>
        </form>
    }
}

/// ServiceNow's urgency and impact, and the priority the instance will derive from them.
#[component]
fn IncidentChoices(
    /// The urgency choice value.
    urgency: RwSignal<String>,
    /// The impact choice value.
    impact: RwSignal<String>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let level =
        |signal: RwSignal<String>| move || Level::from_code(&signal.get()).unwrap_or(Level::Medium);
    let priority_messages = messages.clone();
    let priority = move || {
        let priority = priority_for(level(urgency)(), level(impact)());
        priority_label(&priority.code, &priority.label, &priority_messages)
    };
    let level_options = |messages: &Messages| {
        Level::ALL
            .into_iter()
            .map(|level| view! { <option value=level.code()>{level_label(level, messages)}</option> })
            .collect_view()
    };
    let priority_line = rich_text(messages.pieces("incident_priority"), move |_| {
        view! { <output name="priority">{priority.clone()}</output> }.into_any()
    });
    view! {
        <div class="row">
            <label>
                {messages.text("incident_urgency_label")}
                <select name="urgency" bind:value=urgency>{level_options(&messages)}</select>
            </label>
            <label>
                {messages.text("incident_impact_label")}
                <select name="impact" bind:value=impact>{level_options(&messages)}</select>
            </label>
        </div>
        <p class="priority">{priority_line}</p>
    }
}

/// Zendesk's own priority, chosen directly.
#[component]
fn PriorityChoice(
    /// The priority choice value.
    priority: RwSignal<String>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let options = TicketPriority::ALL
        .into_iter()
        .map(|option| {
            let label = match option {
                TicketPriority::Low => messages.text("zendesk_priority_low"),
                TicketPriority::Normal => messages.text("zendesk_priority_normal"),
                TicketPriority::High => messages.text("zendesk_priority_high"),
                TicketPriority::Urgent => messages.text("zendesk_priority_urgent"),
            };
            view! { <option value=option.code()>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="row">
            <label>
                {messages.text("ticket_priority_label")}
                <select name="priority" bind:value=priority>{options}</select>
            </label>
        </div>
    }
}

fn normal_priority() -> String {
    TicketPriority::Normal.code().to_owned()
}

/// An urgency or impact choice in the user's language, as ServiceNow words it in that language.
fn level_label(level: Level, messages: &Messages) -> String {
    match level {
        Level::High => messages.text("level_high"),
        Level::Medium => messages.text("level_medium"),
        Level::Low => messages.text("level_low"),
    }
}

/// A priority in the user's language. `priority_for` gives codes 1 to 5; any other code would
/// keep core's `label`.
fn priority_label(code: &str, label: &str, messages: &Messages) -> String {
    match code {
        "1" => messages.text("priority_critical"),
        "2" => messages.text("priority_high"),
        "3" => messages.text("priority_moderate"),
        "4" => messages.text("priority_low"),
        "5" => messages.text("priority_planning"),
        _ => label.to_owned(),
    }
}
