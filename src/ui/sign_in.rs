//! Starting the connect form from a known connection: one the user signed out of, or one their
//! organisation deployed.

use crate::api::{Provider, SignInPreset};
use crate::browser::{BrowserError, Random, Storage};
use crate::popup::connect::ConnectDraft;
use crate::storage::{self, CONNECT_DRAFT_KEY};

/// Makes `preset` the connect form's draft, which the form starts from when it next mounts.
pub async fn prefill_connect_form(
    storage: &(impl Storage + ?Sized),
    preset: &SignInPreset,
) -> Result<(), BrowserError> {
    let (username, email) = match preset.provider {
        Provider::ServiceNow => (preset.username.clone(), String::new()),
        Provider::Zendesk => (String::new(), preset.username.clone()),
    };
    let draft = ConnectDraft {
        provider: preset.provider,
        instance: preset.instance.base(),
        method: preset.method,
        username,
        email,
        client_id: preset.client_id.clone(),
    };
    let value = serde_json::to_value(&draft).expect("a draft always serialises");
    storage.save(CONNECT_DRAFT_KEY, value).await
}

/// On a first run in a company that deploys Flare: when nothing is signed in yet and the
/// administrator set up a connection, the connect form starts from it (unless the user already
/// typed something) and its name is returned to say so.
pub async fn prepare_first_sign_in(
    platform: &(impl Storage + Random + ?Sized),
) -> Result<Option<String>, BrowserError> {
    storage::open(platform).await?;
    let saved = storage::load_connections(platform).await?;
    if !saved.connections.is_empty() {
        return Ok(None);
    }
    let managed = storage::load_managed(platform).await?;
    let Some(deployed) = managed.waiting_for_sign_in(&saved).into_iter().next() else {
        return Ok(None);
    };
    if platform.load(CONNECT_DRAFT_KEY).await?.is_none() {
        prefill_connect_form(platform, &deployed.sign_in_preset()).await?;
    }
    Ok(Some(deployed.name.clone()))
}
