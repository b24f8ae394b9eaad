//! The reports of this connection waiting in the outbox: what each is waiting for, a way to send
//! them now, and the ones filed meanwhile with their link.

use flare_core::ticket::Timestamp;
use leptos::prelude::*;

use crate::api::{self, Connection};
use crate::browser::time::local_date_time;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::messages::{QueuedLine, QueuedState, WorkerReply, WorkerRequest};
use crate::ui::errors::describe_for;

/// Bumped whenever this popup changes the outbox (a report queued, sent or removed), so the list
/// reads it again.
#[derive(Clone, Copy)]
pub struct OutboxChanged(pub RwSignal<u32>);

impl OutboxChanged {
    /// Says the outbox changed.
    pub fn bump(self) {
        self.0.update(|version| *version += 1);
    }
}

/// Nothing while the outbox holds nothing of this connection.
#[component]
pub fn QueuedReports(
    /// The connection whose reports to show.
    connection: Connection,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let provider = connection.provider();
    let changed = expect_context::<OutboxChanged>();
    let loader = platform.clone();
    let queued = LocalResource::new(move || {
        changed.0.track();
        let (platform, connection) = (loader.clone(), connection.clone());
        async move {
            let saved = api::saved_connections(&platform).await.unwrap_or_default();
            let Some(id) = saved.same_as(&connection).map(|saved| saved.id.clone()) else {
                return Vec::<QueuedLine>::new();
            };
            // The worker reads the outbox: the popup would carry the reports' deserialiser.
            match platform
                .ask_worker(WorkerRequest::ListQueued { connection_id: id })
                .await
            {
                Ok(WorkerReply::QueuedReports { entries }) => entries,
                _ => Vec::new(),
            }
        }
    });
    let ask_platform = platform.clone();
    let ask = Action::new_unsync(move |request: &WorkerRequest| {
        let (platform, request) = (ask_platform.clone(), request.clone());
        async move {
            // The outcome of each report is kept in the outbox, which is read again below.
            let _ = platform.ask_worker(request).await;
            changed.bump();
        }
    });
    move || {
        let entries = queued.get().unwrap_or_default();
        (!entries.is_empty()).then(|| {
            let messages = messages.clone();
            let items = entries
                .into_iter()
                .map(|entry| {
                    let state = state_line(&entry.state, provider, &messages);
                    let remove_label = messages.format("outbox_remove", &[&entry.title]);
                    let remove = WorkerRequest::RemoveQueued { id: entry.id };
                    view! {
                        <li class="queued">
                            <p class="queued-title">{entry.title}</p>
                            <p class="meta">{state}</p>
                            <button type="button" class="link" aria-label=remove_label on:click=move |_| {
                                ask.dispatch(remove.clone());
                            }>{messages.text("outbox_remove_short")}</button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="queued-reports" aria-labelledby="queued-heading">
                    <div class="toolbar">
                        <h2 id="queued-heading">{messages.text("outbox_heading")}</h2>
                        <button type="button" disabled=move || ask.pending().get() on:click=move |_| {
                            ask.dispatch(WorkerRequest::SendQueued { now: true });
                        }>{messages.text("outbox_send_now")}</button>
                    </div>
                    <ul class="tickets">{items}</ul>
                </section>
            }
        })
    }
}

/// What a queued report is waiting for, in words.
fn state_line(state: &QueuedState, provider: api::Provider, messages: &Messages) -> AnyView {
    match state {
        QueuedState::Waiting { at_ms, last_error } => {
            let when = local_date_time(Timestamp((*at_ms / 1000) as i64));
            let why = last_error
                .clone()
                .map(|error| describe_for(&error, provider, messages))
                .unwrap_or_default();
            format!("{} {why}", messages.format("outbox_waiting", &[&when])).into_any()
        }
        QueuedState::Sending => messages.text("outbox_sending").into_any(),
        QueuedState::NeedsSignIn => messages.text("outbox_needs_sign_in").into_any(),
        QueuedState::NeedsEdit { error } => describe_for(error, provider, messages).into_any(),
        QueuedState::Filed {
            reference,
            web_link,
        } => view! {
            {messages.text("outbox_filed")}
            " "
            <a href=web_link.clone() target="_blank" rel="noopener">{reference.clone()}</a>
        }
        .into_any(),
    }
}
