//! The pickers for how urgent a ticket is: ServiceNow's urgency and impact with the priority
//! they give, Zendesk's priority; shared by the report form and the ticket page's field editor.

use flare_core::providers::servicenow::{priority_for, Level};
use flare_core::providers::zendesk::TicketPriority;
use leptos::prelude::*;

use crate::i18n::Messages;
use crate::ui::rich_text::rich_text;

/// ServiceNow's urgency and impact, and the priority the instance will derive from them.
#[component]
pub fn IncidentChoices(
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
pub fn PriorityChoice(
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

/// An urgency or impact choice in the user's language, as ServiceNow words it in that language.
pub fn level_label(level: Level, messages: &Messages) -> String {
    match level {
        Level::High => messages.text("level_high"),
        Level::Medium => messages.text("level_medium"),
        Level::Low => messages.text("level_low"),
    }
}

/// A priority in the user's language. `priority_for` gives codes 1 to 5; any other code would
/// keep core's `label`.
pub fn priority_label(code: &str, label: &str, messages: &Messages) -> String {
    match code {
        "1" => messages.text("priority_critical"),
        "2" => messages.text("priority_high"),
        "3" => messages.text("priority_moderate"),
        "4" => messages.text("priority_low"),
        "5" => messages.text("priority_planning"),
        _ => label.to_owned(),
    }
}
