//! The incident table's choice lists, as shipped with a fresh ServiceNow instance.

use serde::{Deserialize, Serialize};

use crate::ticket::{Priority, Status, StatusCategory, Ticket};

/// Urgency and impact share one three-step scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// `1 - High`
    High,
    /// `2 - Medium`
    Medium,
    /// `3 - Low`
    Low,
}

impl Level {
    /// Every level, highest first, as a picker lists them.
    pub const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    /// The choice value stored in the record.
    pub fn code(self) -> &'static str {
        match self {
            Level::High => "1",
            Level::Medium => "2",
            Level::Low => "3",
        }
    }

    /// The choice label ServiceNow shows.
    pub fn label(self) -> &'static str {
        match self {
            Level::High => "1 - High",
            Level::Medium => "2 - Medium",
            Level::Low => "3 - Low",
        }
    }

    /// The level for a stored choice value.
    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.code() == code)
    }
}

/// The incident `ticket` follows up (its `parent_incident`): the parent's `sys_id` and number.
pub fn parent_incident(ticket: &Ticket) -> Option<(String, String)> {
    let field = ticket.native.get("parent_incident")?;
    let (sys_id, number) = match field {
        serde_json::Value::Object(pair) => (
            pair.get("value")?.as_str()?,
            pair.get("display_value")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default(),
        ),
        serde_json::Value::String(sys_id) => (sys_id.as_str(), ""),
        _ => return None,
    };
    (!sys_id.is_empty()).then(|| (sys_id.to_owned(), number.to_owned()))
}

/// The priority ServiceNow derives from urgency and impact with its default priority lookup rules:
/// the sum of the two levels picks Critical (2) through Planning (6).
pub fn priority_for(urgency: Level, impact: Level) -> Priority {
    let rank = |level: Level| match level {
        Level::High => 1,
        Level::Medium => 2,
        Level::Low => 3,
    };
    let code = (rank(urgency) + rank(impact) - 1).to_string();
    let label = priority_label(&code).expect("urgency and impact sum to a priority from 1 to 5");
    Priority {
        code,
        label: label.to_owned(),
    }
}

/// The incident `state` choice for a code; unknown codes (customised instances) stay open with
/// the code as their label, since an instance may add states Flare has never heard of.
pub fn incident_state(code: &str) -> Status {
    let (label, category) = INCIDENT_STATES
        .iter()
        .find(|(known, _, _)| *known == code)
        .map_or((code, StatusCategory::Open), |(_, label, category)| {
            (*label, *category)
        });
    Status {
        code: code.to_owned(),
        label: label.to_owned(),
        category,
    }
}

/// Every incident `state` choice of a fresh instance, in its order.
pub fn incident_states() -> impl Iterator<Item = Status> {
    INCIDENT_STATES
        .iter()
        .map(|(code, _, _)| incident_state(code))
}

/// The label of a priority code, as the default choice list has it.
pub(crate) fn priority_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "1" => "1 - Critical",
        "2" => "2 - High",
        "3" => "3 - Moderate",
        "4" => "4 - Low",
        "5" => "5 - Planning",
        _ => return None,
    })
}

/// The incident states of a fresh instance: code, label, and what each means to Flare. This is
/// the one place that says which states are done; seed 004 counts 6 (Resolved) and 7 (Closed) as
/// completed, and Flare adds 8 (Canceled), which a fresh instance also has.
const INCIDENT_STATES: [(&str, &str, StatusCategory); 6] = [
    ("1", "New", StatusCategory::Open),
    ("2", "In Progress", StatusCategory::Open),
    ("3", "On Hold", StatusCategory::Open),
    ("6", "Resolved", StatusCategory::Completed),
    ("7", "Closed", StatusCategory::Completed),
    ("8", "Canceled", StatusCategory::Completed),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_matrix_matches_servicenow_defaults() {
        use Level::{High, Low, Medium};
        let expected = [
            (High, High, "1"),
            (High, Medium, "2"),
            (Medium, High, "2"),
            (High, Low, "3"),
            (Medium, Medium, "3"),
            (Low, High, "3"),
            (Medium, Low, "4"),
            (Low, Medium, "4"),
            (Low, Low, "5"),
        ];
        for (urgency, impact, code) in expected {
            let priority = priority_for(urgency, impact);
            assert_eq!(priority.code, code, "{urgency:?} x {impact:?}");
            assert_eq!(Some(priority.label.as_str()), priority_label(code));
        }
    }

    #[test]
    fn states_have_words_and_categories() {
        assert_eq!(incident_state("1").label, "New");
        assert_eq!(incident_state("2").category, StatusCategory::Open);
        assert_eq!(incident_state("6").category, StatusCategory::Completed);
        assert_eq!(incident_state("8").label, "Canceled");
        assert_eq!(incident_state("42").label, "42");
        assert_eq!(Level::from_code("2"), Some(Level::Medium));
        assert_eq!(Level::from_code("4"), None);
    }
}
