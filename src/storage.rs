//! Extension storage: every key Flare keeps, its layout version, and the way up from older layouts.
//!
//! Every surface (the popup, the options page, later the background worker) reads through
//! [`open`], which brings the stored layout up to [`SCHEMA_VERSION`] first, so a user who updates
//! Flare keeps their connections and drafts.
//!
//! Layout, version 2:
//! - `schema_version`: `2`.
//! - `connections`: [`SavedConnections`], every connection with its id and name, and which is the
//!   default. A connection's `user` names its service desk: `{"servicenow": {"sys_id", ...}}` or
//!   `{"zendesk": {"id", ...}}` ([`crate::api::AccountUser`]).
//! - `draft:connect`, `draft:incident`: what the user typed into a form and has not sent yet.
//! - `draft:screenshot`: the screenshot going with the next report ([`ScreenshotDraft`]): the
//!   captured PNG, the user's edits, and the PNG with them burned in, as `data:` URLs.
//! - `draft:comments`: comments typed on ticket detail pages and not sent yet, by
//!   `<connection id>/<ticket id>` (added in version 2 without a migration: absent is empty).
//! - `templates:<connection id>`: that connection's ticket templates (flare-core's `TemplateSet`);
//!   absent until the user edits them, when the provider's default applies.
//! - `settings:appearance`, `settings:privacy`, `settings:follow`: the options page's settings
//!   (`crate::settings`).
//! - `sync:<connection id>`: what the background worker knows of that connection's tickets
//!   (flare-core's `sync::Watch`: watermark, states, what the user has not looked at yet), written
//!   only by the worker; absent until its first sync.
//! - `outbox`: reports waiting to be filed (flare-core's `Outbox` over `api::NewTicket`), written
//!   only by the background worker.
//!
//! `storage.session` (memory only, gone when the browser quits or Flare is updated, so it has no
//! layout version and needs no migration) holds what must not reach the disk:
//! - `connect:secrets`: the password, API token or client secret typed into the connect form, so
//!   a popup closed half-way keeps them; removed once the connection is saved or the user cancels.
//! - `connect:pending`: the connect attempt the user started (the form's draft and when), kept
//!   until it ends in a popup that shows how, so one closed by the browser's permission prompt
//!   is continued when the popup opens again.
//! - `report:request`: what the user asked to report from a page's context menu
//!   ([`ReportRequest`]), written by the worker and taken by the popup it opens.
//!
//! Version 1 (Flare before Zendesk) had the same keys, with every connection a ServiceNow one and
//! its `user` the bare `sys_user` (`{"sys_id", "user_name", "name", "email"}`). Version 0 (Flare
//! 0.1, no `schema_version`) kept one such connection under `connection`.
//!
//! Version 1 is brought up by a migration rather than read through serde defaults ("a `user`
//! without a tag is a ServiceNow one"): then every later reader of a stored connection, and every
//! later provider, would have to know that rule, while after the migration the stored value says
//! what it is and [`crate::api::Connection`] has one shape.

use flare_core::annotate::Edits;
use flare_core::sync::Watch;
use flare_core::templates::TemplateSet;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::{Connection, SignInPreset};
use crate::browser::{BrowserError, Random, SessionStorage, Storage};
use crate::managed::ManagedSettings;
use crate::outbox::ReportOutbox;
use crate::settings::{Appearance, FollowEvery, PrivacySettings};

/// The layout this build reads and writes.
pub const SCHEMA_VERSION: u64 = 2;

/// Storage key of the layout version.
pub const SCHEMA_VERSION_KEY: &str = "schema_version";
/// Storage key of the connections.
pub const CONNECTIONS_KEY: &str = "connections";
/// Storage key of the connect form's unsent fields.
pub const CONNECT_DRAFT_KEY: &str = "draft:connect";
/// Storage key of the incident form's unsent fields.
pub const INCIDENT_DRAFT_KEY: &str = "draft:incident";
/// Storage key of the screenshot going with the next report.
pub const SCREENSHOT_DRAFT_KEY: &str = "draft:screenshot";

/// A screenshot waiting to go with the next report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenshotDraft {
    /// The captured picture, as a PNG `data:` URL, kept so edits can be changed.
    pub original: String,
    /// What the user did to it.
    pub edits: Edits,
    /// The picture with the edits burned in: what is sent.
    pub result: String,
}

/// Storage key of the unsent comments on ticket pages.
pub const COMMENT_DRAFTS_KEY: &str = "draft:comments";

/// `storage.session` key of the secrets typed into the connect form; never a `storage.local` key.
pub const CONNECT_SECRETS_KEY: &str = "connect:secrets";
/// `storage.session` key of the connect attempt the user started and no popup has seen end.
pub const PENDING_CONNECT_KEY: &str = "connect:pending";
/// `storage.session` key of what the user asked to report from a page's context menu.
pub const REPORT_REQUEST_KEY: &str = "report:request";

/// A report the user started from a page's context menu, for the popup that opens next. In
/// `storage.session`: the selected text is the page's, and should not outlive the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// The page it was asked on.
    pub page_url: String,
    /// The text selected there; empty for "Report this page".
    pub selection: String,
}

/// Storage key of the reports waiting to be filed (`crate::outbox`); only the background worker
/// writes it.
pub const OUTBOX_KEY: &str = "outbox";

/// Storage key of the appearance setting.
pub const APPEARANCE_KEY: &str = "settings:appearance";
/// Storage key of the privacy settings.
pub const PRIVACY_KEY: &str = "settings:privacy";
/// Storage key of how often the worker looks for changes on the user's tickets.
pub const FOLLOW_KEY: &str = "settings:follow";

/// Version 0's one connection.
const V0_CONNECTION_KEY: &str = "connection";

/// The tag of a ServiceNow user in a version 2 connection.
const SERVICENOW_TAG: &str = "servicenow";

/// The saved connections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedConnections {
    /// In the order they were added.
    pub connections: Vec<SavedConnection>,
    /// The id of the one the popup opens with; the first one when unset or gone.
    pub default_id: Option<String>,
    /// Connections the user signed out of, kept (with their templates) to sign in again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signed_out: Vec<SignedOutConnection>,
}

/// A connection without its credentials: the user signed out, and may sign in again to find its
/// name and templates where they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedOutConnection {
    /// The id it had, which its templates are kept under.
    pub id: String,
    /// What the user called it.
    pub name: String,
    /// Where and how it signed in.
    pub sign_in: SignInPreset,
}

/// One saved connection with the name the user knows it by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedConnection {
    /// Stable and unique among the saved connections.
    pub id: String,
    /// What the user calls it; the instance's host unless they renamed it.
    pub name: String,
    /// The instance, credentials and signed-in user.
    pub connection: Connection,
}

impl SavedConnections {
    /// The connection the popup opens with.
    pub fn default_connection(&self) -> Option<&SavedConnection> {
        let chosen = self.default_id.as_deref().and_then(|id| self.find(id));
        chosen.or(self.connections.first())
    }

    /// The connection with `id`.
    pub fn find(&self, id: &str) -> Option<&SavedConnection> {
        self.connections.iter().find(|saved| saved.id == id)
    }

    /// Adds `connection` and makes it the default. A connection to the same instance or account
    /// as the same user (the same ServiceNow `sys_id`, the same Zendesk id) replaces the earlier
    /// one (signing in again), keeping its id and name.
    pub fn upsert(&mut self, connection: Connection, new_id: String) -> &SavedConnection {
        let idx = match self.position_of(&connection) {
            Some(idx) => {
                self.connections[idx].connection = connection;
                idx
            }
            None if self.signed_out_as(&connection).is_some() => {
                // Signing in again where the user signed out: the same id (and so the same
                // templates) and the same name.
                let idx = self.signed_out_as(&connection).unwrap_or_default();
                let signed_out = self.signed_out.remove(idx);
                self.connections.push(SavedConnection {
                    id: signed_out.id,
                    name: signed_out.name,
                    connection,
                });
                self.connections.len() - 1
            }
            None => {
                // The host names a connection, unless another one has it too (two users of one
                // instance): then the user's name tells them apart.
                let host = connection.host().to_owned();
                let host_taken = self
                    .connections
                    .iter()
                    .any(|saved| saved.connection.host() == host);
                let name = match host_taken {
                    true => format!("{host} ({})", connection.user_display_name()),
                    false => host,
                };
                self.connections.push(SavedConnection {
                    id: new_id,
                    name,
                    connection,
                });
                self.connections.len() - 1
            }
        };
        self.default_id = Some(self.connections[idx].id.clone());
        &self.connections[idx]
    }

    /// The saved connection to the same instance as the same user as `connection`.
    pub fn same_as(&self, connection: &Connection) -> Option<&SavedConnection> {
        self.position_of(connection)
            .map(|idx| &self.connections[idx])
    }

    /// Puts `connection` in place of the saved one to the same instance as the same user (its
    /// tokens were renewed), leaving the default as it is; `false` if there is none.
    pub fn replace(&mut self, connection: Connection) -> bool {
        match self.position_of(&connection) {
            Some(idx) => {
                self.connections[idx].connection = connection;
                true
            }
            None => false,
        }
    }

    /// Gives the connection `id` the name `name` (trimmed); `false` when it is gone or the name is
    /// blank, which would leave the user nothing to tell it by.
    pub fn rename(&mut self, id: &str, name: &str) -> bool {
        let name = name.trim();
        match self.connections.iter_mut().find(|saved| saved.id == id) {
            Some(saved) if !name.is_empty() => {
                saved.name = name.to_owned();
                true
            }
            _ => false,
        }
    }

    /// Forgets the credentials of the connection `id` but keeps its id, name and how it signed in,
    /// so signing in again finds its templates; `false` when it is gone.
    pub fn sign_out(&mut self, id: &str) -> bool {
        let Some(idx) = self.connections.iter().position(|saved| saved.id == id) else {
            return false;
        };
        let saved = self.connections.remove(idx);
        self.signed_out.push(SignedOutConnection {
            sign_in: saved.connection.sign_in_preset(),
            id: saved.id,
            name: saved.name,
        });
        if self.default_id.as_deref() == Some(id) {
            self.default_id = self.connections.first().map(|saved| saved.id.clone());
        }
        true
    }

    /// Removes the connection with `id`, signed in or out; the default moves to the first one left.
    pub fn remove(&mut self, id: &str) {
        self.connections.retain(|saved| saved.id != id);
        self.signed_out.retain(|signed_out| signed_out.id != id);
        if self.default_id.as_deref() == Some(id) {
            self.default_id = self.connections.first().map(|saved| saved.id.clone());
        }
    }
}

impl SavedConnections {
    /// The signed-out connection `connection` signs in to again: the same service desk and
    /// instance, and the same user name where the user signed in with one.
    fn signed_out_as(&self, connection: &Connection) -> Option<usize> {
        let preset = connection.sign_in_preset();
        self.signed_out.iter().position(|signed_out| {
            let earlier = &signed_out.sign_in;
            earlier.provider == preset.provider
                && earlier.instance == preset.instance
                && (earlier.username.is_empty() || earlier.username == preset.username)
        })
    }

    fn position_of(&self, connection: &Connection) -> Option<usize> {
        self.connections
            .iter()
            .position(|saved| saved.connection.is_same_account(connection))
    }
}

/// The value under `key`; a value that no longer parses counts as none (it was unusable anyway,
/// and the user sets it again).
async fn load_typed<T: DeserializeOwned>(
    storage: &(impl Storage + ?Sized),
    key: &str,
) -> Result<Option<T>, BrowserError> {
    let stored = storage.load(key).await?;
    Ok(stored.and_then(|value| serde_json::from_value(value).ok()))
}

async fn save_typed<T: Serialize>(
    storage: &(impl Storage + ?Sized),
    key: &str,
    value: &T,
) -> Result<(), BrowserError> {
    let value = serde_json::to_value(value).expect("stored values always serialise");
    storage.save(key, value).await
}

/// Brings storage up to [`SCHEMA_VERSION`]; does nothing when it is there already. Safe to run
/// from several surfaces at once: each step writes the same result, and running a step on what
/// another surface already upgraded changes nothing.
pub async fn open(storage: &(impl Storage + Random + ?Sized)) -> Result<(), BrowserError> {
    let version = storage
        .load(SCHEMA_VERSION_KEY)
        .await?
        .and_then(|value| value.as_u64())
        .unwrap_or(0);
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    if version == 0 {
        // Version 0 to 2: the one connection (shaped as in version 1) becomes the first and
        // default of a list. A value that no longer parses was unusable before too and is dropped.
        let old = storage.load(V0_CONNECTION_KEY).await?;
        let mut saved = SavedConnections::default();
        let upgraded = old.map(|mut connection| {
            tag_servicenow_user(&mut connection);
            connection
        });
        if let Some(connection) = upgraded.and_then(|value| serde_json::from_value(value).ok()) {
            saved.upsert(connection, new_connection_id(storage)?);
        }
        save_connections(storage, &saved).await?;
    } else if let Some(mut saved) = storage.load(CONNECTIONS_KEY).await? {
        // Version 1 to 2: every user gets its provider's tag. What does not look like version 1
        // is left as it was.
        let connections = saved.get_mut("connections").and_then(Value::as_array_mut);
        for saved_connection in connections.into_iter().flatten() {
            if let Some(connection) = saved_connection.get_mut("connection") {
                tag_servicenow_user(connection);
            }
        }
        storage.save(CONNECTIONS_KEY, saved).await?;
    }
    storage
        .save(SCHEMA_VERSION_KEY, SCHEMA_VERSION.into())
        .await?;
    storage.remove(V0_CONNECTION_KEY).await
}

/// The saved connections (after [`open`]); a value that no longer parses counts as none.
pub async fn load_connections(
    storage: &(impl Storage + ?Sized),
) -> Result<SavedConnections, BrowserError> {
    Ok(load_typed(storage, CONNECTIONS_KEY)
        .await?
        .unwrap_or_default())
}

/// Writes the saved connections.
pub async fn save_connections(
    storage: &(impl Storage + ?Sized),
    saved: &SavedConnections,
) -> Result<(), BrowserError> {
    save_typed(storage, CONNECTIONS_KEY, saved).await
}

/// Storage key of a connection's ticket templates.
pub fn templates_key(connection_id: &str) -> String {
    format!("templates:{connection_id}")
}

/// The ticket templates of the connection `connection_id`; `None` until the user edits them.
pub async fn load_templates(
    storage: &(impl Storage + ?Sized),
    connection_id: &str,
) -> Result<Option<TemplateSet>, BrowserError> {
    load_typed(storage, &templates_key(connection_id)).await
}

/// Writes the ticket templates of the connection `connection_id`.
pub async fn save_templates(
    storage: &(impl Storage + ?Sized),
    connection_id: &str,
    templates: &TemplateSet,
) -> Result<(), BrowserError> {
    save_typed(storage, &templates_key(connection_id), templates).await
}

/// The templates a saved connection files with, and whether its organisation set them (then the
/// user may not edit them): the administrator's for a deployed connection that names some, else
/// the user's, else the provider's default.
pub async fn templates_for(
    storage: &(impl Storage + ?Sized),
    saved: &SavedConnection,
) -> Result<(TemplateSet, bool), BrowserError> {
    let managed = load_managed(storage).await?;
    let deployed = managed
        .deployed_as(&saved.connection)
        .and_then(|deployed| deployed.templates.clone());
    if let Some(templates) = deployed {
        return Ok((templates, true));
    }
    let own = load_templates(storage, &saved.id).await?;
    let default = || saved.connection.provider().default_templates();
    Ok((own.unwrap_or_else(default), false))
}

/// What the administrator deployed (`storage.managed`); nothing when there is no policy.
pub async fn load_managed(
    storage: &(impl Storage + ?Sized),
) -> Result<ManagedSettings, BrowserError> {
    Ok(ManagedSettings::from_policy(&storage.load_managed().await?))
}

/// The reports waiting to be filed; none when nothing readable is stored.
pub async fn load_outbox(storage: &(impl Storage + ?Sized)) -> Result<ReportOutbox, BrowserError> {
    Ok(load_typed(storage, OUTBOX_KEY).await?.unwrap_or_default())
}

/// The storage key of what the worker knows of the connection `connection_id`'s tickets.
pub fn watch_key(connection_id: &str) -> String {
    format!("sync:{connection_id}")
}

/// What the worker knows of the connection `connection_id`'s tickets; empty before its first sync.
pub async fn load_watch(
    storage: &(impl Storage + ?Sized),
    connection_id: &str,
) -> Result<Watch, BrowserError> {
    Ok(load_typed(storage, &watch_key(connection_id))
        .await?
        .unwrap_or_default())
}

/// Writes what the worker knows of the connection `connection_id`'s tickets.
pub async fn save_watch(
    storage: &(impl Storage + ?Sized),
    connection_id: &str,
    watch: &Watch,
) -> Result<(), BrowserError> {
    save_typed(storage, &watch_key(connection_id), watch).await
}

/// Writes the reports waiting to be filed.
pub async fn save_outbox(
    storage: &(impl Storage + ?Sized),
    outbox: &ReportOutbox,
) -> Result<(), BrowserError> {
    save_typed(storage, OUTBOX_KEY, outbox).await
}

/// The appearance setting; the system's until the user picks one.
pub async fn load_appearance(
    storage: &(impl Storage + ?Sized),
) -> Result<Appearance, BrowserError> {
    Ok(load_typed(storage, APPEARANCE_KEY)
        .await?
        .unwrap_or_default())
}

/// Writes the appearance setting.
pub async fn save_appearance(
    storage: &(impl Storage + ?Sized),
    appearance: Appearance,
) -> Result<(), BrowserError> {
    save_typed(storage, APPEARANCE_KEY, &appearance).await
}

/// The privacy settings; the defaults until the user changes one.
pub async fn load_privacy(
    storage: &(impl Storage + ?Sized),
) -> Result<PrivacySettings, BrowserError> {
    Ok(load_typed(storage, PRIVACY_KEY).await?.unwrap_or_default())
}

/// Writes the privacy settings.
pub async fn save_privacy(
    storage: &(impl Storage + ?Sized),
    privacy: PrivacySettings,
) -> Result<(), BrowserError> {
    save_typed(storage, PRIVACY_KEY, &privacy).await
}

/// How often the worker looks for changes; every five minutes until the user picks another.
pub async fn load_follow(storage: &(impl Storage + ?Sized)) -> Result<FollowEvery, BrowserError> {
    Ok(load_typed(storage, FOLLOW_KEY).await?.unwrap_or_default())
}

/// Writes how often the worker looks for changes.
pub async fn save_follow(
    storage: &(impl Storage + ?Sized),
    every: FollowEvery,
) -> Result<(), BrowserError> {
    save_typed(storage, FOLLOW_KEY, &every).await
}

/// Takes the report the context menu asked for, if any: it is read once.
pub async fn take_report_request(
    storage: &(impl SessionStorage + ?Sized),
) -> Result<Option<ReportRequest>, BrowserError> {
    let Some(value) = storage.load_session(REPORT_REQUEST_KEY).await? else {
        return Ok(None);
    };
    storage.remove_session(REPORT_REQUEST_KEY).await?;
    Ok(serde_json::from_value(value).ok())
}

/// The screenshot going with the next report, if any.
pub async fn load_screenshot(
    storage: &(impl Storage + ?Sized),
) -> Result<Option<ScreenshotDraft>, BrowserError> {
    load_typed(storage, SCREENSHOT_DRAFT_KEY).await
}

/// Keeps `screenshot` for the next report.
pub async fn save_screenshot(
    storage: &(impl Storage + ?Sized),
    screenshot: &ScreenshotDraft,
) -> Result<(), BrowserError> {
    save_typed(storage, SCREENSHOT_DRAFT_KEY, screenshot).await
}

/// A fresh connection id.
pub fn new_connection_id(random: &(impl Random + ?Sized)) -> Result<String, BrowserError> {
    let bytes = random.random_bytes()?;
    Ok(bytes[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Wraps a version 1 connection's bare ServiceNow user as `{"servicenow": user}`. A user that is
/// tagged already (another surface upgraded it first) has no `sys_id` of its own and stays.
fn tag_servicenow_user(connection: &mut Value) {
    let Some(user) = connection.get_mut("user") else {
        return;
    };
    if user.get("sys_id").is_some() {
        *user = json!({ SERVICENOW_TAG: user.take() });
    }
}

#[cfg(test)]
mod tests;
