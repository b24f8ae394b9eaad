//! What a list of the user's tickets asks for, in the user's terms (words, open or done, an
//! order), and how each service desk is asked it.

use serde::{Deserialize, Serialize};

use crate::providers::servicenow::{incident_states, TicketFilter, TicketSort};
use crate::providers::zendesk::{StatusCondition, TicketSearch, TicketStatus, MAX_SHOW_MANY};
use crate::ticket::StatusCategory;

/// The list the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Words to find (in the number, title or description); blank finds everything.
    pub text: String,
    /// Which tickets by where they are in their life.
    pub scope: Scope,
    /// The order (ServiceNow; Zendesk lists in its own order).
    pub sort: TicketSort,
}

/// Tickets by where they are in their life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Every ticket.
    #[default]
    All,
    /// Those someone still works on.
    Open,
    /// Resolved, closed or cancelled ones.
    Done,
}

impl ListQuery {
    /// The Table API filter for the incidents `caller_sys_id` reported. By state, not by
    /// `active`: a resolved incident stays active until it is closed, yet nobody works on it.
    pub fn servicenow_filter(&self, caller_sys_id: &str) -> TicketFilter {
        let done: Vec<String> = incident_states()
            .filter(|state| state.category == StatusCategory::Completed)
            .map(|state| state.code)
            .collect();
        let (states, excluded_states) = match self.scope {
            Scope::All => (Vec::new(), Vec::new()),
            Scope::Open => (Vec::new(), done),
            Scope::Done => (done, Vec::new()),
        };
        TicketFilter {
            requester: Some(caller_sys_id.to_owned()),
            text: self.words().map(str::to_owned),
            states,
            excluded_states,
            sort: self.sort,
            ..TicketFilter::default()
        }
    }

    /// The search for the Zendesk tickets `requester_id` requested; `None` when the plain list of
    /// requested tickets answers it (no words, every status), which is exact where search is
    /// only eventually consistent.
    pub fn zendesk_search(&self, requester_id: u64) -> Option<TicketSearch> {
        let status = match self.scope {
            Scope::All => None,
            Scope::Open => Some(StatusCondition::Below(TicketStatus::Solved)),
            Scope::Done => Some(StatusCondition::Above(TicketStatus::Hold)),
        };
        if status.is_none() && self.words().is_none() {
            return None;
        }
        Some(TicketSearch {
            status,
            requester: Some(requester_id.to_string()),
            text: self.words().unwrap_or_default().to_owned(),
            ..TicketSearch::default()
        })
    }

    /// The Zendesk ticket ids the words are, when they are nothing else (`#12 #15, 20`): the
    /// tickets to show side by side, up to Zendesk's `show_many` limit.
    pub fn zendesk_ids(&self) -> Option<Vec<u64>> {
        let ids: Vec<u64> = self
            .words()?
            .split([' ', ','])
            .filter(|word| !word.is_empty())
            .map(|word| word.trim_start_matches('#').parse().ok())
            .collect::<Option<_>>()?;
        (!ids.is_empty() && ids.len() <= MAX_SHOW_MANY).then_some(ids)
    }

    fn words(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|text| !text.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_list_is_every_ticket_newest_change_first() {
        let query = ListQuery::default();
        let filter = query.servicenow_filter("abc");
        assert_eq!(filter.requester.as_deref(), Some("abc"));
        assert!(filter.states.is_empty() && filter.excluded_states.is_empty());
        assert_eq!(
            (filter.text, filter.sort),
            (None, TicketSort::UpdatedNewest)
        );
        assert_eq!(
            query.zendesk_search(7),
            None,
            "the requested list answers it"
        );
    }

    #[test]
    fn words_that_are_only_ticket_ids_name_zendesk_tickets() {
        let ids = |text: &str| {
            ListQuery {
                text: text.to_owned(),
                ..ListQuery::default()
            }
            .zendesk_ids()
        };
        assert_eq!(ids("#12 #15, 20"), Some(vec![12, 15, 20]));
        assert_eq!(ids("42"), Some(vec![42]));
        assert_eq!(ids("printer 12"), None, "words are a search");
        assert_eq!(ids("  "), None);
        let many = (1..=101)
            .map(|id| id.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(ids(&many), None, "more than show_many takes is a search");
    }

    #[test]
    fn words_and_scope_narrow_both_service_desks() {
        let query = ListQuery {
            text: "  printer ".to_owned(),
            scope: Scope::Open,
            sort: TicketSort::Priority,
        };
        let filter = query.servicenow_filter("abc");
        // Resolved incidents stay active in ServiceNow; open means not resolved, closed or cancelled.
        assert_eq!(filter.excluded_states, ["6", "7", "8"]);
        assert_eq!(filter.text.as_deref(), Some("printer"));
        assert_eq!(filter.sort, TicketSort::Priority);
        let search = query.zendesk_search(7).unwrap();
        assert_eq!(
            search.query(),
            "type:ticket status<solved requester:7 printer"
        );
        let done = ListQuery {
            scope: Scope::Done,
            ..ListQuery::default()
        };
        assert_eq!(done.servicenow_filter("abc").states, ["6", "7", "8"]);
        assert_eq!(
            done.zendesk_search(7).unwrap().query(),
            "type:ticket status>hold requester:7"
        );
    }
}
