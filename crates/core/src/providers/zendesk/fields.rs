//! Zendesk's fixed ticket vocabularies: status, priority and type, and how they map to Flare's model.
//!
//! The values are the ones Zendesk's Tickets API accepts and returns (`status`, `priority`, `type`);
//! the recordings in `shared/recorded/zendesk/` show `new`, `open`, `pending` and, in incremental
//! exports, `deleted`.

use serde::{Deserialize, Serialize};

use crate::ticket::{Priority, Status, StatusCategory};

/// A ticket status a caller can set or search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    /// `new`: nobody has looked at it yet.
    New,
    /// `open`: an agent is working on it.
    Open,
    /// `pending`: waiting for the requester.
    Pending,
    /// `hold`: waiting for a third party.
    Hold,
    /// `solved`: the agent considers it done.
    Solved,
    /// `closed`: solved and locked; it can no longer be updated.
    Closed,
}

/// A ticket priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketPriority {
    /// `low`
    Low,
    /// `normal`
    Normal,
    /// `high`
    High,
    /// `urgent`
    Urgent,
}

/// A ticket type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketType {
    /// `problem`: the cause behind one or more incidents.
    Problem,
    /// `incident`: one occurrence of a problem.
    Incident,
    /// `question`
    Question,
    /// `task`: work with a due date.
    Task,
}

impl TicketStatus {
    /// Every status, in Zendesk's own order (the order `status<solved` compares by).
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::Hold,
        TicketStatus::Solved,
        TicketStatus::Closed,
    ];

    /// The value on the wire.
    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Hold => "hold",
            TicketStatus::Solved => "solved",
            TicketStatus::Closed => "closed",
        }
    }

    /// The status for a wire value.
    pub fn from_code(code: &str) -> Option<TicketStatus> {
        TicketStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }
}

impl TicketPriority {
    /// Every priority, lowest first.
    pub const ALL: [TicketPriority; 4] = [
        TicketPriority::Low,
        TicketPriority::Normal,
        TicketPriority::High,
        TicketPriority::Urgent,
    ];

    /// The value on the wire.
    pub fn code(self) -> &'static str {
        match self {
            TicketPriority::Low => "low",
            TicketPriority::Normal => "normal",
            TicketPriority::High => "high",
            TicketPriority::Urgent => "urgent",
        }
    }

    /// The priority for a wire value.
    pub fn from_code(code: &str) -> Option<TicketPriority> {
        TicketPriority::ALL
            .into_iter()
            .find(|priority| priority.code() == code)
    }
}

impl TicketType {
    /// Every type.
    pub const ALL: [TicketType; 4] = [
        TicketType::Problem,
        TicketType::Incident,
        TicketType::Question,
        TicketType::Task,
    ];

    /// The value on the wire.
    pub fn code(self) -> &'static str {
        match self {
            TicketType::Problem => "problem",
            TicketType::Incident => "incident",
            TicketType::Question => "question",
            TicketType::Task => "task",
        }
    }

    /// The type for a wire value.
    pub fn from_code(code: &str) -> Option<TicketType> {
        TicketType::ALL
            .into_iter()
            .find(|ticket_type| ticket_type.code() == code)
    }
}

/// Flare's [`Status`] for a Zendesk status: new, open, pending and hold are open; solved and closed
/// are completed.
///
/// `deleted` (seen in incremental exports) counts as completed. Any other value stays open with the
/// value as its label, as ServiceNow's unknown states do, since custom statuses exist.
pub fn ticket_status(code: &str) -> Status {
    let (label, category) = match code {
        "new" => ("New", StatusCategory::Open),
        "open" => ("Open", StatusCategory::Open),
        "pending" => ("Pending", StatusCategory::Open),
        "hold" => ("On-hold", StatusCategory::Open),
        "solved" => ("Solved", StatusCategory::Completed),
        "closed" => ("Closed", StatusCategory::Completed),
        "deleted" => ("Deleted", StatusCategory::Completed),
        other => (other, StatusCategory::Open),
    };
    Status {
        code: code.to_owned(),
        label: label.to_owned(),
        category,
    }
}

/// Flare's [`Priority`] for a Zendesk priority; unknown values keep the value as their label.
pub fn ticket_priority(code: &str) -> Priority {
    let label = match code {
        "low" => "Low",
        "normal" => "Normal",
        "high" => "High",
        "urgent" => "Urgent",
        other => other,
    };
    Priority {
        code: code.to_owned(),
        label: label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_status(code: &str, label: &str, category: StatusCategory) {
        let status = ticket_status(code);
        assert_eq!(
            (status.code.as_str(), status.label.as_str(), status.category),
            (code, label, category),
            "status {code:?}"
        );
    }

    #[test]
    fn statuses_map_to_flare_categories() {
        check_status("new", "New", StatusCategory::Open);
        check_status("open", "Open", StatusCategory::Open);
        check_status("pending", "Pending", StatusCategory::Open);
        check_status("hold", "On-hold", StatusCategory::Open);
        check_status("solved", "Solved", StatusCategory::Completed);
        check_status("closed", "Closed", StatusCategory::Completed);
        check_status("deleted", "Deleted", StatusCategory::Completed);
        check_status("escalated", "escalated", StatusCategory::Open);
    }

    #[test]
    fn priorities_have_labels() {
        for (code, label) in [
            ("low", "Low"),
            ("normal", "Normal"),
            ("high", "High"),
            ("urgent", "Urgent"),
            ("p0", "p0"),
        ] {
            assert_eq!(ticket_priority(code).label, label, "priority {code:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::from_code(status.code()), Some(status));
            let json = serde_json::to_string(&status).expect("serialises");
            assert_eq!(json, format!("\"{}\"", status.code()));
        }
        for priority in TicketPriority::ALL {
            assert_eq!(TicketPriority::from_code(priority.code()), Some(priority));
        }
        for ticket_type in TicketType::ALL {
            assert_eq!(TicketType::from_code(ticket_type.code()), Some(ticket_type));
        }
        assert_eq!(TicketStatus::from_code("deleted"), None);
        assert_eq!(TicketType::Incident.code(), "incident");
        assert!(TicketStatus::Hold < TicketStatus::Solved);
    }
}
