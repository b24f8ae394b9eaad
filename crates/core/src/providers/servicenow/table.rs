//! The ticket tables Flare works with and their state choice lists.

use serde::{Deserialize, Serialize};

use crate::providers::servicenow::incident::incident_state;
use crate::ticket::{Status, StatusCategory};

/// A ServiceNow table holding tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Table {
    /// `incident`: something is broken.
    Incident,
    /// `sc_request`: a service catalog request (the order).
    Request,
    /// `sc_req_item`: one item of a request (RITM).
    RequestItem,
    /// `change_request`: a planned change (read only for Flare).
    ChangeRequest,
}

impl Table {
    /// The table's name in URLs and queries.
    pub fn name(self) -> &'static str {
        match self {
            Table::Incident => "incident",
            Table::Request => "sc_request",
            Table::RequestItem => "sc_req_item",
            Table::ChangeRequest => "change_request",
        }
    }

    /// The table for a name, if Flare knows it.
    pub fn from_name(name: &str) -> Option<Table> {
        [
            Table::Incident,
            Table::Request,
            Table::RequestItem,
            Table::ChangeRequest,
        ]
        .into_iter()
        .find(|table| table.name() == name)
    }

    /// The field holding the person the ticket is for.
    pub fn requester_field(self) -> &'static str {
        match self {
            Table::Incident => "caller_id",
            Table::Request | Table::RequestItem => "requested_for",
            Table::ChangeRequest => "requested_by",
        }
    }

    /// The `state` choice for a code on this table. Codes an instance added itself stay open,
    /// labelled with their code, since Flare cannot know what they mean.
    pub fn status(self, code: &str) -> Status {
        let known = match self {
            Table::Incident => return incident_state(code),
            // Task states, which sc_request and sc_req_item inherit.
            Table::Request | Table::RequestItem => match code {
                "-5" => Some(("Pending", StatusCategory::Open)),
                "1" => Some(("Open", StatusCategory::Open)),
                "2" => Some(("Work in Progress", StatusCategory::Open)),
                "3" => Some(("Closed Complete", StatusCategory::Completed)),
                "4" => Some(("Closed Incomplete", StatusCategory::Completed)),
                "7" => Some(("Closed Skipped", StatusCategory::Completed)),
                _ => None,
            },
            Table::ChangeRequest => match code {
                "-5" => Some(("New", StatusCategory::Open)),
                "-4" => Some(("Assess", StatusCategory::Open)),
                "-3" => Some(("Authorize", StatusCategory::Open)),
                "-2" => Some(("Scheduled", StatusCategory::Open)),
                "-1" => Some(("Implement", StatusCategory::Open)),
                "0" => Some(("Review", StatusCategory::Open)),
                "3" => Some(("Closed", StatusCategory::Completed)),
                "4" => Some(("Canceled", StatusCategory::Completed)),
                _ => None,
            },
        };
        let (label, category) = known.unwrap_or((code, StatusCategory::Open));
        Status {
            code: code.to_owned(),
            label: label.to_owned(),
            category,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_names_its_states() {
        for (table, code, label, category) in [
            (Table::Incident, "7", "Closed", StatusCategory::Completed),
            (Table::Request, "1", "Open", StatusCategory::Open),
            (
                Table::RequestItem,
                "3",
                "Closed Complete",
                StatusCategory::Completed,
            ),
            (
                Table::ChangeRequest,
                "-1",
                "Implement",
                StatusCategory::Open,
            ),
            (
                Table::ChangeRequest,
                "4",
                "Canceled",
                StatusCategory::Completed,
            ),
            (Table::Request, "99", "99", StatusCategory::Open),
        ] {
            let status = table.status(code);
            assert_eq!(
                (status.label.as_str(), status.category),
                (label, category),
                "{table:?} {code}"
            );
        }
        assert_eq!(Table::from_name("sc_req_item"), Some(Table::RequestItem));
        assert_eq!(Table::from_name("problem"), None);
    }
}
