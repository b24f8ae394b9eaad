//! What a list of the user's tickets asks for, in the user's terms (whose tickets, words, open or
//! done, an order), and how each service desk is asked it.

use serde::{Deserialize, Serialize};

use crate::actions::Viewer;
use crate::providers::servicenow::{incident_states, Table, TicketFilter, TicketSort};
use crate::providers::zendesk::{StatusCondition, TicketSearch, TicketStatus, MAX_SHOW_MANY};
use crate::ticket::StatusCategory;

/// The list the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Whose tickets.
    #[serde(default)]
    pub whose: Whose,
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

/// Whose tickets a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Whose {
    /// Those the user reported: incidents they are the caller of, Zendesk tickets they requested.
    #[default]
    Mine,
    /// Those assigned to the user (agents).
    AssignedToMe,
    /// Those assigned to one of the user's groups (ServiceNow agents).
    MyGroups,
    /// The ServiceNow requests (`sc_request`) made for the user.
    MyRequests,
}

impl Whose {
    /// The lists a ServiceNow user is offered, in order: agents also work what is assigned to
    /// them and their groups.
    pub fn servicenow_lists(viewer: Viewer) -> Vec<Whose> {
        match viewer {
            Viewer::Requester => vec![Whose::Mine, Whose::MyRequests],
            Viewer::Agent | Viewer::Admin => vec![
                Whose::Mine,
                Whose::AssignedToMe,
                Whose::MyGroups,
                Whose::MyRequests,
            ],
        }
    }

    /// The lists a Zendesk user is offered, in order.
    pub fn zendesk_lists(viewer: Viewer) -> Vec<Whose> {
        match viewer {
            Viewer::Requester => vec![Whose::Mine],
            Viewer::Agent | Viewer::Admin => vec![Whose::Mine, Whose::AssignedToMe],
        }
    }
}

impl ListQuery {
    /// The ServiceNow table the list reads.
    pub fn servicenow_table(&self) -> Table {
        match self.whose {
            Whose::MyRequests => Table::Request,
            Whose::Mine | Whose::AssignedToMe | Whose::MyGroups => Table::Incident,
        }
    }

    /// The Table API filter for the tickets `caller_sys_id` reported (incidents they are the
    /// caller of; requests made for them when the list is [`Whose::MyRequests`]). By state, not by
    /// `active`: a resolved incident stays active until it is closed, yet nobody works on it.
    pub fn servicenow_filter(&self, caller_sys_id: &str) -> TicketFilter {
        let done = done_states(self.servicenow_table());
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

    /// The Table API filter for the list [`ListQuery::whose`] names, of the user `user_sys_id`, a
    /// member of `groups` (`sys_id`s, read only for [`Whose::MyGroups`]); `None` when it can
    /// hold nothing (no groups), rather than every incident.
    pub fn servicenow_list_filter(
        &self,
        user_sys_id: &str,
        groups: &[String],
    ) -> Option<TicketFilter> {
        let reported = self.servicenow_filter(user_sys_id);
        let user = Some(user_sys_id.to_owned());
        match self.whose {
            Whose::Mine | Whose::MyRequests => Some(reported),
            Whose::AssignedToMe => Some(TicketFilter {
                requester: None,
                assigned_to: user,
                ..reported
            }),
            Whose::MyGroups if groups.is_empty() => None,
            Whose::MyGroups => Some(TicketFilter {
                requester: None,
                assignment_groups: groups.to_vec(),
                ..reported
            }),
        }
    }

    /// The search for the Zendesk list of the user `user_id`; `None` when the plain list of
    /// requested tickets answers it (their own, no words, every status), which is exact where
    /// search is only eventually consistent.
    pub fn zendesk_search(&self, user_id: u64) -> Option<TicketSearch> {
        let status = match self.scope {
            Scope::All => None,
            Scope::Open => Some(StatusCondition::Below(TicketStatus::Solved)),
            Scope::Done => Some(StatusCondition::Above(TicketStatus::Hold)),
        };
        let assigned = self.whose == Whose::AssignedToMe;
        if status.is_none() && self.words().is_none() && !assigned {
            return None;
        }
        let user = Some(user_id.to_string());
        let (requester, assignee) = match assigned {
            true => (None, user),
            false => (user, None),
        };
        Some(TicketSearch {
            status,
            requester,
            assignee,
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

/// The `state` codes of `table` that mean nobody works on the ticket any more.
fn done_states(table: Table) -> Vec<String> {
    match table {
        Table::Incident => incident_states()
            .filter(|state| state.category == StatusCategory::Completed)
            .map(|state| state.code)
            .collect(),
        // The task states requests inherit (`Table::status`).
        _ => ["-5", "1", "2", "3", "4", "7"]
            .into_iter()
            .map(|code| table.status(code))
            .filter(|state| state.category == StatusCategory::Completed)
            .map(|state| state.code)
            .collect(),
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
            ..ListQuery::default()
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

    #[test]
    fn agents_are_offered_their_assignments_and_everyone_their_requests() {
        use Whose::*;
        assert_eq!(
            Whose::servicenow_lists(Viewer::Requester),
            [Mine, MyRequests]
        );
        assert_eq!(
            Whose::servicenow_lists(Viewer::Agent),
            [Mine, AssignedToMe, MyGroups, MyRequests]
        );
        assert_eq!(Whose::zendesk_lists(Viewer::Requester), [Mine]);
        assert_eq!(Whose::zendesk_lists(Viewer::Admin), [Mine, AssignedToMe]);
    }

    #[test]
    fn each_servicenow_list_filters_its_own_way() {
        let list = |whose: Whose, scope: Scope| ListQuery {
            whose,
            scope,
            ..ListQuery::default()
        };
        let groups = ["g1".to_owned(), "g2".to_owned()];
        let assigned = list(Whose::AssignedToMe, Scope::All)
            .servicenow_list_filter("me", &groups)
            .unwrap();
        assert_eq!(
            (assigned.requester, assigned.assigned_to.as_deref()),
            (None, Some("me"))
        );
        assert!(assigned.assignment_groups.is_empty());
        let mine_in_groups = list(Whose::MyGroups, Scope::Open)
            .servicenow_list_filter("me", &groups)
            .unwrap();
        assert_eq!(mine_in_groups.assignment_groups, groups);
        assert_eq!(mine_in_groups.assigned_to, None);
        assert_eq!(mine_in_groups.excluded_states, ["6", "7", "8"]);
        // No groups: nothing to list, rather than every incident.
        assert_eq!(
            list(Whose::MyGroups, Scope::All).servicenow_list_filter("me", &[]),
            None
        );

        let requests = list(Whose::MyRequests, Scope::Done);
        assert_eq!(requests.servicenow_table(), Table::Request);
        let filter = requests.servicenow_list_filter("me", &[]).unwrap();
        assert_eq!(filter.requester.as_deref(), Some("me"));
        assert_eq!(
            filter.states,
            ["3", "4", "7"],
            "closed complete, incomplete, skipped"
        );
        assert_eq!(
            list(Whose::Mine, Scope::All).servicenow_table(),
            Table::Incident
        );
    }

    #[test]
    fn a_zendesk_agents_assignments_are_a_search() {
        let assigned = ListQuery {
            whose: Whose::AssignedToMe,
            ..ListQuery::default()
        };
        assert_eq!(
            assigned.zendesk_search(7).unwrap().query(),
            "type:ticket assignee:7"
        );
    }
}
