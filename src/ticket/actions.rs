//! Resolve, reopen, cancel and delete: the changes to a ticket's life, each offered only where
//! the viewer may make it, the ones that cannot be undone asked for twice. Comments and field
//! edits have their own parts of the page.

use flare_core::actions::{StateChange, TicketAction, SERVICENOW_CLOSE_CODES};
use flare_core::ticket::Ticket;
use leptos::prelude::*;

use crate::api::detail;
use crate::api::Provider;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::ticket::Viewing;
use crate::ui::errors::describe_for;

/// What a button asks the service desk to do.
#[derive(Debug, Clone, PartialEq)]
enum Request {
    Change(StateChange),
    Delete,
}

/// The buttons for the state changes the viewer may make; nothing when there are none.
#[component]
pub(crate) fn TicketActions(ticket: Ticket, actions: Vec<TicketAction>) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let viewing = expect_context::<Viewing>();
    let provider = viewing.connection.provider();
    let offered: Vec<TicketAction> = actions
        .into_iter()
        .filter(|action| {
            !matches!(
                action,
                TicketAction::Comment | TicketAction::WorkNote | TicketAction::Edit
            )
        })
        .collect();
    if offered.is_empty() {
        return None;
    }
    let (error, set_error) = signal(None::<String>);
    // The action waiting for "yes" (cancel, delete), or the resolve form that is open.
    let asking = RwSignal::new(None::<TicketAction>);
    let changing = ticket.clone();
    let run_messages = messages.clone();
    let run = Action::new_unsync(move |request: &Request| {
        let (platform, viewing, messages, request) = (
            platform.clone(),
            viewing.clone(),
            run_messages.clone(),
            request.clone(),
        );
        let ticket = changing.clone();
        async move {
            let reference = &ticket.reference;
            set_error.set(None);
            let (connection, ticket_id) = (&viewing.connection, viewing.ticket_id.as_str());
            let outcome = match &request {
                Request::Change(change) => {
                    detail::change_state(&platform, connection, &ticket, change).await
                }
                Request::Delete => {
                    detail::delete_ticket(&platform, connection, viewing.table, ticket_id).await
                }
            };
            if let Err(failure) = outcome {
                set_error.set(Some(describe_for(&failure, provider, &messages)));
                return;
            }
            let done = match request {
                Request::Change(StateChange::Resolve { .. }) => {
                    messages.format("ticket_resolved", &[reference])
                }
                Request::Change(StateChange::Reopen) => {
                    messages.format("ticket_reopened", &[reference])
                }
                Request::Change(StateChange::Cancel) => {
                    messages.format("ticket_cancelled", &[reference])
                }
                Request::Delete => messages.format("ticket_deleted", &[reference]),
            };
            viewing.notice.set(Some(done));
            match request {
                Request::Delete => viewing.deleted.set(true),
                Request::Change(_) => viewing.changed.update(|version| *version += 1),
            }
        }
    });
    let busy = move || run.pending().get();
    let buttons = offered
        .iter()
        .map(|action| {
            let (label, class) = match action {
                TicketAction::Resolve => (messages.text("ticket_resolve"), ""),
                TicketAction::Reopen => (messages.text("ticket_reopen"), ""),
                TicketAction::Cancel => (messages.text("ticket_cancel"), "danger"),
                _ => (messages.text("ticket_delete"), "danger"),
            };
            let action = *action;
            let click = move |_| match action {
                TicketAction::Reopen => {
                    run.dispatch(Request::Change(StateChange::Reopen));
                }
                _ => asking.set(Some(action)),
            };
            view! {
                <button type="button" class=class disabled=busy on:click=click>{label}</button>
            }
        })
        .collect_view();
    let question = move || {
        let messages = expect_context::<Messages>();
        match asking.get()? {
            TicketAction::Resolve => Some(view! { <ResolveForm provider run asking/> }.into_any()),
            action => {
                let (question, yes, request) = match action {
                    TicketAction::Cancel => (
                        messages.format("ticket_cancel_question", &[&ticket.reference]),
                        messages.text("ticket_cancel_yes"),
                        Request::Change(StateChange::Cancel),
                    ),
                    _ => (
                        messages.format("ticket_delete_question", &[&ticket.reference]),
                        messages.text("ticket_delete_yes"),
                        Request::Delete,
                    ),
                };
                Some(
                    view! {
                        <div class="confirm" role="group" aria-label=question.clone()>
                            <p>{question.clone()}</p>
                            <div class="actions start">
                                <button type="button" class="danger" disabled=busy on:click=move |_| {
                                    run.dispatch(request.clone());
                                }>
                                    {yes}
                                </button>
                                <button type="button" on:click=move |_| asking.set(None)>
                                    {messages.text("ticket_keep")}
                                </button>
                            </div>
                        </div>
                    }
                    .into_any(),
                )
            }
        }
    };
    Some(view! {
        <section class="ticket-actions" aria-label=messages.text("ticket_actions")>
            <div class="actions start">{buttons}</div>
            {question}
            {move || error.get().map(|message| view! { <p role="alert" class="error">{message}</p> })}
        </section>
    })
}

/// The resolution: ServiceNow asks for a code and notes; Zendesk takes optional notes, sent
/// as a public comment with the solve.
#[component]
fn ResolveForm(
    provider: Provider,
    run: Action<Request, ()>,
    asking: RwSignal<Option<TicketAction>>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let close_code = RwSignal::new(SERVICENOW_CLOSE_CODES[0].to_owned());
    let notes = RwSignal::new(String::new());
    let (missing, set_missing) = signal(false);
    let code_picker = (provider == Provider::ServiceNow).then(|| {
        let options = SERVICENOW_CLOSE_CODES
            .iter()
            .map(|code| view! { <option value=*code>{*code}</option> })
            .collect_view();
        view! {
            <label for="close-code">{messages.text("ticket_close_code")}</label>
            <select id="close-code" name="close_code" on:change:target=move |event| close_code.set(event.target().value())>
                {options}
            </select>
        }
    });
    let notes_required = provider == Provider::ServiceNow;
    let notes_label = match provider {
        Provider::ServiceNow => messages.text("ticket_close_notes"),
        Provider::Zendesk => messages.text("ticket_solve_comment"),
    };
    let missing_text = messages.text("ticket_close_notes_missing");
    let resolve = move |_| {
        let notes = notes.get_untracked();
        if notes_required && notes.trim().is_empty() {
            set_missing.set(true);
            return;
        }
        run.dispatch(Request::Change(StateChange::Resolve {
            close_code: close_code.get_untracked(),
            notes,
        }));
    };
    view! {
        <fieldset class="resolve-form">
            <legend>{messages.text("ticket_resolve")}</legend>
            {code_picker}
            <label for="close-notes">{notes_label}</label>
            <textarea
                id="close-notes"
                name="close_notes"
                rows="3"
                required=notes_required
                aria-invalid=move || missing.get().then_some("true")
                aria-describedby="close-notes-error"
                on:input:target=move |event| notes.set(event.target().value())
            ></textarea>
            <p id="close-notes-error" class="field-error">
                {move || missing.get().then(|| missing_text.clone())}
            </p>
            <div class="actions start">
                <button type="button" class="primary" disabled=move || run.pending().get() on:click=resolve>
                    {messages.text("ticket_resolve_yes")}
                </button>
                <button type="button" on:click=move |_| asking.set(None)>
                    {messages.text("ticket_keep")}
                </button>
            </div>
        </fieldset>
    }
}
