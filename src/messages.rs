//! What the extension's pages ask the background worker, and what it answers: one enum each,
//! serialised with serde across `runtime.sendMessage`, never a raw JS value.

use flare_core::auth::Credentials;
use flare_core::instance::InstanceUrl;
use serde::{Deserialize, Serialize};

use crate::api::{AppError, Connection, NewTicket, Provider};
use crate::browser::ConsoleEntry;

/// A request to the background worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerRequest {
    /// Sign in to a ServiceNow instance or Zendesk account through its OAuth consent page
    /// (authorization code with PKCE) and save the connection. The page asks for the instance's
    /// host permission first, while it still has the user's click.
    #[serde(rename = "sign_in_with_oauth")]
    SignInWithOAuth {
        /// Which service desk the address is of.
        provider: Provider,
        /// The instance or account address as the user typed it.
        instance: String,
        /// The client id of the customer's OAuth application for Flare.
        client_id: String,
        /// The client secret, only if the customer's application requires one.
        client_secret: Option<String>,
    },
    /// Check an address and credentials for the connect form by looking the user up; with
    /// `save`, also keep the connection and make it the default. The page holds the host
    /// permission already (asked for while it had the user's click); the worker does the rest so
    /// that the popup carries neither the providers' requests nor their parsers.
    TestConnection {
        /// Which service desk the address is of.
        provider: Provider,
        /// The instance or account.
        instance: InstanceUrl,
        /// What the user signs in with.
        credentials: Credentials,
        /// Whether to save the connection once it works.
        save: bool,
    },
    /// File a report from the popup's form through the safe create, with its screenshot; what
    /// cannot be filed yet goes to the outbox.
    FileReport {
        /// The saved connection to file it in.
        connection_id: String,
        /// The report.
        ticket: NewTicket,
        /// The screenshot that goes with it, a PNG `data:` URL.
        screenshot: Option<String>,
    },
    /// The reports of the saved connection `connection_id` waiting in the outbox, as the popup
    /// lists them (it does not read the outbox itself: the reports' deserialiser would cost it
    /// more than the list).
    ListQueued {
        /// The saved connection.
        connection_id: String,
    },
    /// Keep a report the page could not file, and file it when possible.
    QueueReport {
        /// The saved connection to file it in.
        connection_id: String,
        /// The report.
        ticket: NewTicket,
        /// The correlation id the page's tries used, so a create they committed is found.
        correlation_id: String,
    },
    /// File the queued reports that are due, or with `now` every waiting one.
    SendQueued {
        /// Try every waiting report now, not only those due (the user asked).
        now: bool,
    },
    /// Drop a queued report.
    RemoveQueued {
        /// Its id.
        id: String,
    },
    /// Look for changes on the user's tickets now.
    Sync,
    /// The user opted in to (`on`) or out of the console capture on the options page, which
    /// already holds the permission it needs: register its content script, or unregister it.
    CaptureConsole {
        /// Whether to capture from now on.
        on: bool,
    },
    /// What the console capture kept in tab `tab_id`, with secrets taken out; asked by the report
    /// form only when the user opted in. The worker does it so that the popup carries neither
    /// the reading nor the redaction.
    ReadConsole {
        /// The tab the report is about.
        tab_id: u32,
    },
    /// The user looked at a connection's tickets (its list) or at one of them (its page).
    MarkSeen {
        /// The saved connection.
        connection_id: String,
        /// The ticket looked at; `None` for the whole list.
        ticket_id: Option<String>,
    },
}

/// The background worker's answer. Externally tagged (serde's default), because the pages read it
/// and an internally tagged enum costs several times the wasm to deserialise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerReply {
    /// Signed in; the connection is saved and is now the default.
    Connected {
        /// The instance's host.
        host: String,
        /// The signed-in user's display name.
        user_name: String,
    },
    /// The connection the credentials give, saved if that was asked.
    Tested {
        /// The connection.
        connection: Box<Connection>,
    },
    /// The report is filed. Only what the form shows of the ticket: a whole `Ticket` would
    /// cost the popup its deserialiser.
    Filed {
        /// Its number (`INC0010001`, `#42`).
        reference: String,
        /// Its title.
        title: String,
        /// The ticket on the service desk.
        web_link: String,
        /// Why the screenshot could not be attached to it, if it could not.
        screenshot_error: Option<AppError>,
    },
    /// The report cannot be filed now and waits in the outbox.
    Queued,
    /// The reports waiting in the outbox, oldest first.
    QueuedReports {
        /// Each one as the popup lists it.
        entries: Vec<QueuedLine>,
    },
    /// Done as asked.
    Done,
    /// What the console capture kept in a tab, redacted, oldest first.
    Console {
        /// The entries.
        entries: Vec<ConsoleEntry>,
    },
    /// It failed; the page says why.
    Failed {
        /// What went wrong.
        error: AppError,
    },
}

/// A report waiting in the outbox, as the popup lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedLine {
    /// Its id in the outbox.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub state: QueuedState,
}

/// Where a queued report stands (flare-core's `EntryState`, with only what the popup shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuedState {
    /// To be tried at `at_ms` (Unix milliseconds); why the last try failed, if one did.
    Waiting {
        /// When to try next.
        at_ms: u64,
        /// Why the last try failed.
        last_error: Option<AppError>,
    },
    /// Being filed now.
    Sending,
    /// Waits for the user to sign in to its connection again.
    NeedsSignIn,
    /// The service desk refused it as it is.
    NeedsEdit {
        /// What the service desk said.
        error: AppError,
    },
    /// Filed.
    Filed {
        /// The ticket's number.
        reference: String,
        /// The ticket on the service desk.
        web_link: String,
    },
}
