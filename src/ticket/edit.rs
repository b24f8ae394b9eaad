//! Changing a ticket's fields: its title, and how urgent it is (ServiceNow's urgency and impact
//! with the priority they give, Zendesk's priority). Offered only where core's `actions` says the
//! viewer works tickets; only what the agent changed is sent.

use flare_core::actions::edit::{EditProblem, FieldEdit};
use flare_core::actions::TicketAction;
use flare_core::providers::servicenow::Level;
use flare_core::providers::zendesk::TicketPriority;
use flare_core::ticket::Ticket;
use leptos::prelude::*;

use crate::api::{detail, Provider};
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::ticket::Viewing;
use crate::ui::errors::describe_for;
use crate::ui::priority::{IncidentChoices, PriorityChoice};

/// "Edit fields" and, once pressed, the form; nothing for a viewer who may not edit.
#[component]
pub(crate) fn EditFields(
    /// The ticket as it was last read.
    ticket: Ticket,
    /// What the viewer may do with it (core's `actions`).
    actions: Vec<TicketAction>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    if !actions.contains(&TicketAction::Edit) {
        return None;
    }
    let open = RwSignal::new(false);
    let form = move || {
        open.get()
            .then(|| view! { <EditForm ticket=ticket.clone() open/> })
    };
    Some(view! {
        <section class="edit-fields" aria-label=messages.text("ticket_edit_heading")>
            <button
                type="button"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| open.update(|open| *open = !*open)
            >
                {messages.text("ticket_edit")}
            </button>
            {form}
        </section>
    })
}

/// The fields to change, started from the ticket as it was read.
#[component]
fn EditForm(ticket: Ticket, open: RwSignal<bool>) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let viewing = expect_context::<Viewing>();
    let provider = viewing.connection.provider();
    let start = match provider {
        Provider::ServiceNow => FieldEdit::from_servicenow(&ticket),
        Provider::Zendesk => FieldEdit::from_zendesk(&ticket),
    };
    let title = RwSignal::new(start.title.clone());
    // The pickers hold choice codes; an unknown value leaves the picker blank and unchanged.
    let code = |level: Option<Level>| level.map(Level::code).unwrap_or_default().to_owned();
    let urgency = RwSignal::new(code(start.urgency));
    let impact = RwSignal::new(code(start.impact));
    let priority = RwSignal::new(
        start
            .priority
            .map(TicketPriority::code)
            .unwrap_or_default()
            .to_owned(),
    );
    let edit = move || FieldEdit {
        title: title.get_untracked(),
        urgency: Level::from_code(&urgency.get_untracked()),
        impact: Level::from_code(&impact.get_untracked()),
        priority: TicketPriority::from_code(&priority.get_untracked()),
    };
    // Shown until the next change to the form, then gone: it may no longer hold.
    let (problem, set_problem) = signal(None::<EditProblem>);
    let (failure, set_failure) = signal(None::<String>);
    let saved_ticket = ticket.clone();
    let save_messages = messages.clone();
    let save = Action::new_unsync(move |edit: &FieldEdit| {
        let (platform, viewing, messages, edit) = (
            platform.clone(),
            viewing.clone(),
            save_messages.clone(),
            edit.clone(),
        );
        let ticket = saved_ticket.clone();
        async move {
            set_failure.set(None);
            match detail::edit_fields(&platform, &viewing.connection, &ticket, &edit).await {
                Ok(()) => {
                    viewing.notice.set(Some(
                        messages.format("ticket_edit_saved", &[&ticket.reference]),
                    ));
                    viewing.changed.update(|version| *version += 1);
                }
                Err(error) => set_failure.set(Some(describe_for(&error, provider, &messages))),
            }
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let edit = edit();
        let checked = match provider {
            Provider::ServiceNow => edit.servicenow_fields(&ticket).map(drop),
            Provider::Zendesk => edit.zendesk_update(&ticket).map(drop),
        };
        set_problem.set(checked.err());
        if problem.get_untracked().is_none() {
            save.dispatch(edit);
        }
    };
    let problem_messages = messages.clone();
    let problem_text = move || {
        problem.get().map(|problem| match problem {
            EditProblem::TitleMissing => problem_messages.text("ticket_edit_title_missing"),
            EditProblem::TitleTooLong { max } => {
                problem_messages.format("ticket_edit_title_too_long", &[&max.to_string()])
            }
            EditProblem::Unchanged => problem_messages.text("ticket_edit_unchanged"),
        })
    };
    let title_problem = move || {
        matches!(
            problem.get(),
            Some(EditProblem::TitleMissing | EditProblem::TitleTooLong { .. })
        )
        .then_some("true")
    };
    let (title_label, how_urgent) = match provider {
        Provider::ServiceNow => (
            messages.text("incident_short_description_label"),
            view! { <IncidentChoices urgency impact/> }.into_any(),
        ),
        Provider::Zendesk => (
            messages.text("ticket_subject_label"),
            view! { <PriorityChoice priority/> }.into_any(),
        ),
    };
    view! {
        <form class="edit-form" novalidate on:submit=submit on:input=move |_| set_problem.set(None)>
            <fieldset disabled=move || save.pending().get()>
                <legend>{messages.text("ticket_edit_heading")}</legend>
                <label for="edit-title">{title_label}</label>
                <input
                    id="edit-title"
                    name="title"
                    type="text"
                    required
                    aria-invalid=title_problem
                    aria-describedby="edit-problem"
                    bind:value=title
                />
                {how_urgent}
                <p id="edit-problem" class="field-error" role="alert">{problem_text}</p>
                <div class="actions start">
                    <button type="submit" class="primary">{messages.text("ticket_edit_save")}</button>
                    <button type="button" on:click=move |_| open.set(false)>
                        {messages.text("ticket_keep")}
                    </button>
                </div>
            </fieldset>
            {move || failure.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
        </form>
    }
}
