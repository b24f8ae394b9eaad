//! Editing a ticket's fields on the detail view: what an agent may change (the title, ServiceNow's
//! urgency and impact, Zendesk's priority), what the form starts from, and what a save sends.
//!
//! Only what the agent changed is sent, so a save never overwrites a field someone else changed
//! in the meantime with the value the page happened to show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::providers::servicenow::Level;
use crate::providers::zendesk::{TicketPriority, TicketUpdate};
use crate::ticket::Ticket;

/// The longest title a fresh ServiceNow instance keeps (`incident.short_description` is a
/// 160-character string in its dictionary); longer ones are cut by the instance without a word.
pub const SERVICENOW_TITLE_MAX: usize = 160;

/// The editable fields of a ticket, as the form holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldEdit {
    /// The title (ServiceNow `short_description`, Zendesk `subject`).
    pub title: String,
    /// ServiceNow's urgency; `None` for Zendesk or when the record has none Flare knows.
    pub urgency: Option<Level>,
    /// ServiceNow's impact; `None` for Zendesk or when the record has none Flare knows.
    pub impact: Option<Level>,
    /// Zendesk's priority; `None` for ServiceNow or a ticket without one.
    pub priority: Option<TicketPriority>,
}

/// Why a save cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum EditProblem {
    /// The title is empty (or only spaces); both service desks need one.
    #[error("the title is empty")]
    TitleMissing,
    /// The title is longer than the service desk keeps.
    #[error("the title is longer than {max} characters")]
    TitleTooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// Nothing differs from the ticket as it was read.
    #[error("nothing was changed")]
    Unchanged,
}

impl FieldEdit {
    /// The form's starting values for a ServiceNow incident.
    pub fn from_servicenow(ticket: &Ticket) -> FieldEdit {
        FieldEdit {
            title: ticket.title.clone(),
            urgency: native_level(ticket, "urgency"),
            impact: native_level(ticket, "impact"),
            priority: None,
        }
    }

    /// The form's starting values for a Zendesk ticket.
    pub fn from_zendesk(ticket: &Ticket) -> FieldEdit {
        FieldEdit {
            title: ticket.title.clone(),
            urgency: None,
            impact: None,
            priority: ticket
                .priority
                .as_ref()
                .and_then(|priority| TicketPriority::from_code(&priority.code)),
        }
    }

    /// The incident fields to PATCH: only those that differ from `ticket`. The instance derives
    /// the priority from urgency and impact itself, so it is never sent.
    pub fn servicenow_fields(
        &self,
        ticket: &Ticket,
    ) -> Result<BTreeMap<String, String>, EditProblem> {
        let title = self.checked_title(Some(SERVICENOW_TITLE_MAX))?;
        let before = FieldEdit::from_servicenow(ticket);
        let mut fields = BTreeMap::new();
        if title != before.title {
            fields.insert("short_description".to_owned(), title.to_owned());
        }
        for (name, now, then) in [
            ("urgency", self.urgency, before.urgency),
            ("impact", self.impact, before.impact),
        ] {
            if let Some(level) = now.filter(|level| Some(*level) != then) {
                fields.insert(name.to_owned(), level.code().to_owned());
            }
        }
        match fields.is_empty() {
            true => Err(EditProblem::Unchanged),
            false => Ok(fields),
        }
    }

    /// The Zendesk ticket update: only what differs from `ticket`.
    pub fn zendesk_update(&self, ticket: &Ticket) -> Result<TicketUpdate, EditProblem> {
        let title = self.checked_title(None)?;
        let before = FieldEdit::from_zendesk(ticket);
        let update = TicketUpdate {
            subject: (title != before.title).then(|| title.to_owned()),
            priority: self.priority.filter(|_| self.priority != before.priority),
            ..TicketUpdate::default()
        };
        match update == TicketUpdate::default() {
            true => Err(EditProblem::Unchanged),
            false => Ok(update),
        }
    }

    /// The title without surrounding spaces, if the service desk would keep it whole.
    fn checked_title(&self, max: Option<usize>) -> Result<&str, EditProblem> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(EditProblem::TitleMissing);
        }
        match max {
            Some(max) if title.chars().count() > max => Err(EditProblem::TitleTooLong { max }),
            _ => Ok(title),
        }
    }
}

/// A ServiceNow choice field of `ticket` read as a [`Level`]: the raw value of a
/// `display_value=all` pair, or the plain string of a record read without display values.
fn native_level(ticket: &Ticket, field: &str) -> Option<Level> {
    let code = match ticket.native.get(field)? {
        serde_json::Value::Object(pair) => pair.get("value")?.as_str()?,
        serde_json::Value::String(code) => code.as_str(),
        _ => return None,
    };
    Level::from_code(code)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ticket::{Priority, Status, StatusCategory};

    fn ticket(native: serde_json::Value, priority: Option<&str>) -> Ticket {
        Ticket {
            id: "1".to_owned(),
            reference: "INC0010001".to_owned(),
            title: "VPN drops".to_owned(),
            description: String::new(),
            status: Status {
                code: "1".to_owned(),
                label: "New".to_owned(),
                category: StatusCategory::Open,
            },
            priority: priority.map(|code| Priority {
                code: code.to_owned(),
                label: code.to_owned(),
            }),
            assignee: None,
            requester: None,
            created: None,
            updated: None,
            web_link: String::new(),
            native: serde_json::from_value(native).unwrap(),
        }
    }

    fn incident() -> Ticket {
        ticket(
            json!({
                "urgency": { "value": "2", "display_value": "2 - Medium" },
                "impact": "3",
            }),
            Some("4"),
        )
    }

    fn check_servicenow(
        edit: impl FnOnce(&mut FieldEdit),
        expected: Result<&[(&str, &str)], EditProblem>,
    ) {
        let incident = incident();
        let mut form = FieldEdit::from_servicenow(&incident);
        edit(&mut form);
        let expected = expected.map(|fields| {
            fields
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect::<BTreeMap<_, _>>()
        });
        assert_eq!(form.servicenow_fields(&incident), expected);
    }

    #[test]
    fn a_servicenow_form_starts_from_the_record_with_or_without_display_values() {
        let form = FieldEdit::from_servicenow(&incident());
        assert_eq!(
            form,
            FieldEdit {
                title: "VPN drops".to_owned(),
                urgency: Some(Level::Medium),
                impact: Some(Level::Low),
                priority: None,
            }
        );
        let unknown = ticket(json!({ "urgency": "9", "impact": 3 }), None);
        let form = FieldEdit::from_servicenow(&unknown);
        assert_eq!((form.urgency, form.impact), (None, None));
    }

    #[test]
    fn a_servicenow_save_sends_only_what_changed() {
        check_servicenow(
            |form| form.urgency = Some(Level::High),
            Ok(&[("urgency", "1")]),
        );
        check_servicenow(
            |form| {
                form.title = "  VPN drops at noon ".to_owned();
                form.impact = Some(Level::High);
            },
            Ok(&[("impact", "1"), ("short_description", "VPN drops at noon")]),
        );
        // Spaces around the same title change nothing.
        check_servicenow(
            |form| form.title = " VPN drops ".to_owned(),
            Err(EditProblem::Unchanged),
        );
        check_servicenow(|_| {}, Err(EditProblem::Unchanged));
    }

    #[test]
    fn a_title_must_be_there_and_fit() {
        check_servicenow(
            |form| form.title = "   ".to_owned(),
            Err(EditProblem::TitleMissing),
        );
        check_servicenow(
            |form| form.title = "é".repeat(SERVICENOW_TITLE_MAX + 1),
            Err(EditProblem::TitleTooLong {
                max: SERVICENOW_TITLE_MAX,
            }),
        );
        let fits = "é".repeat(SERVICENOW_TITLE_MAX);
        let expected = [("short_description", fits.as_str())];
        check_servicenow(|form| form.title = fits.clone(), Ok(&expected));
    }

    #[test]
    fn a_zendesk_save_sends_only_what_changed() {
        let ticket = ticket(json!({}), Some("normal"));
        let form = FieldEdit::from_zendesk(&ticket);
        assert_eq!(form.priority, Some(TicketPriority::Normal));
        assert_eq!(form.zendesk_update(&ticket), Err(EditProblem::Unchanged));

        let raised = FieldEdit {
            priority: Some(TicketPriority::Urgent),
            ..form.clone()
        };
        assert_eq!(
            raised.zendesk_update(&ticket),
            Ok(TicketUpdate {
                priority: Some(TicketPriority::Urgent),
                ..TicketUpdate::default()
            })
        );
        let renamed = FieldEdit {
            title: "VPN drops at noon".to_owned(),
            ..form.clone()
        };
        let update = renamed.zendesk_update(&ticket).unwrap();
        assert_eq!(
            (update.subject.as_deref(), update.priority),
            (Some("VPN drops at noon"), None)
        );
        let emptied = FieldEdit {
            title: String::new(),
            ..form
        };
        assert_eq!(
            emptied.zendesk_update(&ticket),
            Err(EditProblem::TitleMissing)
        );
    }
}
