//! The ticket's conversation and files, and the form that adds to the conversation.

use std::collections::BTreeMap;

use flare_core::actions::TicketAction;
use flare_core::ticket::{Attachment, Comment};
use leptos::prelude::*;

use crate::api::detail;
use crate::api::Provider;
use crate::browser::time::local_date_time;
use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::storage::COMMENT_DRAFTS_KEY;
use crate::ticket::Viewing;
use crate::ui::draft::keep_draft;
use crate::ui::errors::describe_for;

/// Comments and work notes, oldest first.
#[component]
pub(crate) fn Journal(entries: Vec<Comment>, provider: Provider) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let heading = messages.text("ticket_conversation");
    if entries.is_empty() {
        return view! {
            <h2>{heading}</h2>
            <p class="empty">{messages.text("ticket_conversation_empty")}</p>
        }
        .into_any();
    }
    let private_label = match provider {
        Provider::ServiceNow => messages.text("ticket_work_note"),
        Provider::Zendesk => messages.text("ticket_internal_note"),
    };
    let entries = entries
        .into_iter()
        .map(|entry| {
            let author = entry.author.map(|author| author.name.unwrap_or(author.id));
            let when = entry.created.map(local_date_time);
            let private = (!entry.public)
                .then(|| view! { <span class="badge">{private_label.clone()}</span> });
            view! {
                <li class="entry" class:private=!entry.public>
                    <p class="meta">
                        {author.map(|author| view! { <strong>{author}</strong> " " })}
                        {when.map(|when| view! { <time>{when}</time> " " })}
                        {private}
                    </p>
                    <p class="body">{entry.body}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{heading.clone()}</h2>
        <ol class="journal" aria-label=heading>{entries}</ol>
    }
    .into_any()
}

/// The files attached to the ticket; nothing when there are none.
#[component]
pub(crate) fn Attachments(files: Vec<Attachment>) -> impl IntoView {
    let messages = expect_context::<Messages>();
    (!files.is_empty()).then(|| {
        let heading = messages.text("ticket_attachments");
        let files = files
            .into_iter()
            .map(|file| {
                let size = file.size_bytes.map(|bytes| file_size(bytes, &messages));
                view! {
                    <li>
                        <a href=file.download_url target="_blank" rel="noopener">{file.file_name}</a>
                        {size.map(|size| view! { " " <span class="meta">{size}</span> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{heading.clone()}</h2>
            <ul class="attachments" aria-label=heading>{files}</ul>
        }
    })
}

/// A file's size in the unit people read it in.
fn file_size(bytes: u64, messages: &Messages) -> String {
    const KIB: u64 = 1024;
    match bytes {
        0..KIB => messages.format("file_size_bytes", &[&bytes.to_string()]),
        KIB..1_048_576 => messages.format("file_size_kb", &[&bytes.div_ceil(KIB).to_string()]),
        _ => {
            let tenths = bytes * 10 / 1_048_576;
            let mb = format!("{}.{}", tenths / 10, tenths % 10);
            messages.format("file_size_mb", &[&mb])
        }
    }
}

/// Adds a comment or a work note; what is typed is kept until it is sent, whatever happens to
/// the page. Nothing when the viewer may do neither.
#[component]
pub(crate) fn CommentForm(actions: Vec<TicketAction>) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let viewing = expect_context::<Viewing>();
    let provider = viewing.connection.provider();
    let may_comment = actions.contains(&TicketAction::Comment);
    let may_note = actions.contains(&TicketAction::WorkNote);
    if !may_comment && !may_note {
        return None;
    }
    let body = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<String>);
    // One stored map holds every ticket's unsent comment: the others are kept as they are.
    let draft_key = format!("{}/{}", viewing.connection_id, viewing.ticket_id);
    let others = StoredValue::new(BTreeMap::<String, String>::new());
    let restore_key = draft_key.clone();
    let draft_ready = keep_draft(
        platform.clone(),
        COMMENT_DRAFTS_KEY,
        move || {
            let mut drafts = others.get_value();
            let text = body.get();
            if !text.trim().is_empty() {
                drafts.insert(draft_key.clone(), text);
            }
            drafts
        },
        move |saved: Option<BTreeMap<String, String>>| {
            let mut saved = saved.unwrap_or_default();
            if let Some(text) = saved.remove(&restore_key) {
                body.set(text);
            }
            others.set_value(saved);
            async {}
        },
    );
    let send_messages = messages.clone();
    let send = Action::new_unsync(move |public: &bool| {
        let (platform, viewing, messages, public) = (
            platform.clone(),
            viewing.clone(),
            send_messages.clone(),
            *public,
        );
        let text = body.get_untracked();
        async move {
            if text.trim().is_empty() {
                set_error.set(Some(messages.text("ticket_comment_empty")));
                return;
            }
            set_error.set(None);
            let added = detail::add_comment(
                &platform,
                &viewing.connection,
                viewing.table,
                &viewing.ticket_id,
                &text,
                public,
            )
            .await;
            match added {
                Ok(()) => {
                    body.set(String::new());
                    let done = match (public, provider) {
                        (true, _) => messages.text("ticket_comment_added"),
                        (false, Provider::ServiceNow) => messages.text("ticket_work_note_added"),
                        (false, Provider::Zendesk) => messages.text("ticket_internal_note_added"),
                    };
                    viewing.notice.set(Some(done));
                    viewing.changed.update(|version| *version += 1);
                }
                Err(failure) => set_error.set(Some(describe_for(&failure, provider, &messages))),
            }
        }
    });
    let note_label = match provider {
        Provider::ServiceNow => messages.text("ticket_add_work_note"),
        Provider::Zendesk => messages.text("ticket_add_internal_note"),
    };
    let busy = move || send.pending().get() || !draft_ready.get();
    let note_button = may_note.then(|| {
        let class = if may_comment { "" } else { "primary" };
        view! {
            <button type="button" class=class disabled=busy on:click=move |_| { send.dispatch(false); }>
                {note_label}
            </button>
        }
    });
    let comment_button = may_comment.then(|| {
        view! {
            <button type="button" class="primary" disabled=busy on:click=move |_| { send.dispatch(true); }>
                {messages.text("ticket_add_comment")}
            </button>
        }
    });
    Some(view! {
        <section class="comment-form">
            <label for="comment">{messages.text("ticket_comment_label")}</label>
            <textarea
                id="comment"
                name="comment"
                rows="4"
                prop:value=move || body.get()
                on:input:target=move |event| body.set(event.target().value())
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby="comment-error"
            ></textarea>
            <p id="comment-error" role="alert" class="error field-error">{move || error.get()}</p>
            <div class="actions">{note_button}{comment_button}</div>
        </section>
    })
}
