//! A ticket's status in words: ServiceNow names its states itself, in the instance's language;
//! Zendesk's statuses are a fixed list, named here in the user's.

use flare_core::providers::zendesk::TicketStatus;
use flare_core::ticket::Status;

use crate::api::Provider;
use crate::i18n::Messages;

/// The status as the user reads it; a Zendesk status added later keeps core's label.
pub fn status_label(status: &Status, provider: Provider, messages: &Messages) -> String {
    match (provider, TicketStatus::from_code(&status.code)) {
        (Provider::ServiceNow, _) | (Provider::Zendesk, None) => status.label.clone(),
        (Provider::Zendesk, Some(TicketStatus::New)) => messages.text("zendesk_status_new"),
        (Provider::Zendesk, Some(TicketStatus::Open)) => messages.text("zendesk_status_open"),
        (Provider::Zendesk, Some(TicketStatus::Pending)) => messages.text("zendesk_status_pending"),
        (Provider::Zendesk, Some(TicketStatus::Hold)) => messages.text("zendesk_status_hold"),
        (Provider::Zendesk, Some(TicketStatus::Solved)) => messages.text("zendesk_status_solved"),
        (Provider::Zendesk, Some(TicketStatus::Closed)) => messages.text("zendesk_status_closed"),
    }
}
