//! What the popup's forms ask of the service desk, done by the background worker: checking a
//! connection, filing a report and listing the reports waiting in the outbox. Here rather than in the popup so that the popup's wasm carries
//! neither the providers' requests nor their parsers, the OAuth refresh, nor the upload code;
//! the popup keeps what needs the user's click (the host permission) and asks the worker
//! (`WorkerRequest::TestConnection`, `WorkerRequest::FileReport`).

use flare_core::auth::Credentials;
use flare_core::instance::InstanceUrl;
use flare_core::outbox::EntryState;
use flare_core::providers::servicenow::Table;

use crate::api::attach::{self, NewFile};
use crate::api::{self, AppError, Connection, NewTicket, Provider, ReportId};
use crate::browser::canvas::data_url_bytes;
use crate::browser::{Alarms, Clock, Http, Notifications, Random, Storage};
use crate::messages::{QueuedLine, QueuedState, WorkerReply, WorkerRequest};
use crate::{outbox, storage};

/// Answers the requests of the popup's forms (the worker hands every other request elsewhere).
pub async fn answer(
    platform: &(impl Http + Storage + Clock + Random + Alarms + Notifications + ?Sized),
    request: WorkerRequest,
) -> WorkerReply {
    let reply = match request {
        WorkerRequest::TestConnection {
            provider,
            instance,
            credentials,
            save,
        } => test_connection(platform, provider, instance, credentials, save)
            .await
            .map(|connection| WorkerReply::Tested {
                connection: Box::new(connection),
            }),
        WorkerRequest::FileReport {
            connection_id,
            ticket,
            screenshot,
        } => file(platform, &connection_id, ticket, screenshot.as_deref()).await,
        WorkerRequest::ListQueued { connection_id } => queued(platform, &connection_id)
            .await
            .map(|entries| WorkerReply::QueuedReports { entries }),
        // Never shown with its fields: they may hold a password.
        _ => Err(AppError::Browser(
            "not a request of the popup's forms".to_owned(),
        )),
    };
    reply.unwrap_or_else(|error| WorkerReply::Failed { error })
}

/// Looks the user `credentials` sign in as up on `instance`; with `save`, keeps the connection
/// and makes it the default.
async fn test_connection(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    provider: Provider,
    instance: InstanceUrl,
    credentials: Credentials,
    save: bool,
) -> Result<Connection, AppError> {
    let connection = api::test_connection(platform, provider, instance, credentials).await?;
    if save {
        api::save_connection(platform, &connection).await?;
    }
    Ok(connection)
}

/// Files `ticket` in the saved connection `connection_id`, with the `screenshot` (a PNG `data:`
/// URL) attached: uploaded first for Zendesk, whose ticket then carries it, attached to the
/// record once it exists for ServiceNow. What time will fix goes to the outbox.
async fn file(
    platform: &(impl Http + Storage + Clock + Random + Alarms + Notifications + ?Sized),
    connection_id: &str,
    mut ticket: NewTicket,
    screenshot: Option<&str>,
) -> Result<WorkerReply, AppError> {
    let saved = api::saved_connections(platform).await?;
    let connection = saved
        .find(connection_id)
        .map(|entry| entry.connection.clone())
        .ok_or_else(|| AppError::Browser("the connection is no longer saved".to_owned()))?;
    let file = screenshot.map(screenshot_file).transpose()?;
    if let (Some(file), NewTicket::Zendesk(new)) = (&file, &mut ticket) {
        new.uploads
            .push(attach::upload_to_zendesk(platform, &connection, file).await?);
    }
    // One for every try of this report, here and from the outbox.
    let correlation_id = api::new_correlation_id(platform)?;
    let report = ReportId {
        correlation_id: &correlation_id,
        tried_before: false,
    };
    let filed = match api::create_ticket(platform, &connection, ticket.clone(), report).await {
        Ok(filed) => filed,
        // What time will fix goes to the outbox, with the correlation id these tries used;
        // anything else goes back to the form for the user to act on.
        Err(error) if outbox::should_queue(&error) => {
            outbox::queue(platform, connection_id.to_owned(), ticket, correlation_id)
                .await
                .map_err(|_| error)?;
            return Ok(WorkerReply::Queued);
        }
        Err(error) => return Err(error),
    };
    let table = match ticket {
        NewTicket::Incident { .. } => Some(Table::Incident),
        NewTicket::Request { .. } => Some(Table::Request),
        // The upload went with the ticket.
        NewTicket::Zendesk(_) => None,
    };
    let screenshot_error = match (&file, table) {
        (Some(file), Some(table)) => {
            attach::attach_to_record(platform, &connection, table, &filed, file)
                .await
                .err()
        }
        _ => None,
    };
    Ok(WorkerReply::Filed {
        reference: filed.reference,
        title: filed.title,
        web_link: filed.web_link,
        screenshot_error,
    })
}

/// The screenshot, a PNG `data:` URL, as the file that is sent.
fn screenshot_file(data_url: &str) -> Result<NewFile, AppError> {
    Ok(NewFile {
        name: "screenshot.png".to_owned(),
        content_type: "image/png".to_owned(),
        bytes: data_url_bytes(data_url)?,
    })
}

/// The reports of the saved connection `connection_id` waiting in the outbox, oldest first.
async fn queued(
    platform: &(impl Storage + ?Sized),
    connection_id: &str,
) -> Result<Vec<QueuedLine>, AppError> {
    let outbox = storage::load_outbox(platform).await?;
    Ok(outbox
        .entries
        .into_iter()
        .filter(|entry| entry.connection_id == connection_id)
        .map(|entry| QueuedLine {
            title: entry.report.title().to_owned(),
            id: entry.id,
            state: match entry.state {
                EntryState::Waiting { at_ms, last_error } => QueuedState::Waiting {
                    at_ms,
                    last_error: last_error.map(AppError::from),
                },
                EntryState::Sending => QueuedState::Sending,
                EntryState::NeedsSignIn { .. } => QueuedState::NeedsSignIn,
                EntryState::NeedsEdit { error } => QueuedState::NeedsEdit {
                    error: error.into(),
                },
                EntryState::Filed {
                    reference,
                    web_link,
                    ..
                } => QueuedState::Filed {
                    reference,
                    web_link,
                },
            },
        })
        .collect())
}
