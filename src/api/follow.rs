//! What changed on the user's tickets since a sync's watermark, for the background worker to
//! tell them (flare-core's `sync` decides what is worth telling).

use flare_core::actions::Viewer;
use flare_core::sync::Findings;
use flare_core::ticket::Timestamp;

use crate::api::session::authorized;
use crate::api::{servicenow, zendesk, AccountUser, AppError, Connection};
use crate::browser::{Clock, Http, Random, Storage};

/// The user's tickets changed after `since` (the newest ones on a first sync, `None`) with the
/// journal entries or comments written on them since.
pub async fn changes_since(
    platform: &(impl Http + Storage + Clock + Random + ?Sized),
    connection: &Connection,
    since: Option<Timestamp>,
) -> Result<Findings, AppError> {
    authorized(platform, connection, |connection| async move {
        match &connection.user {
            AccountUser::ServiceNow(user) => {
                servicenow::changes_since(platform, &connection, user, since).await
            }
            // Zendesk refuses end users its Tickets and Search APIs: nothing to ask for.
            AccountUser::Zendesk(user)
                if Viewer::from_zendesk_role(&user.role) == Viewer::Requester =>
            {
                Ok(Findings::default())
            }
            AccountUser::Zendesk(user) => {
                zendesk::changes_since(platform, &connection, user, since).await
            }
        }
    })
    .await
}

/// How comments name the connection's user: a ServiceNow user name, a Zendesk user id.
pub fn comment_author_id(connection: &Connection) -> String {
    match &connection.user {
        AccountUser::ServiceNow(user) => user.user_name.clone(),
        AccountUser::Zendesk(user) => user.id.to_string(),
    }
}
