use super::*;
use crate::providers::servicenow::incident_state;
use crate::ticket::Status;

fn ticket(status: Status) -> Ticket {
    Ticket {
        id: "1".to_owned(),
        reference: "INC0010001".to_owned(),
        title: "VPN drops".to_owned(),
        description: String::new(),
        status,
        priority: None,
        assignee: None,
        requester: None,
        created: None,
        updated: None,
        web_link: String::new(),
        native: BTreeMap::new(),
    }
}

fn incident(state: &str) -> Ticket {
    ticket(incident_state(state))
}

fn zendesk(status: &str) -> Ticket {
    ticket(Status {
        code: status.to_owned(),
        label: status.to_owned(),
        category: match status {
            "solved" | "closed" => StatusCategory::Completed,
            _ => StatusCategory::Open,
        },
    })
}

use TicketAction::*;

#[test]
fn roles_give_the_highest_standing_they_hold() {
    assert_eq!(Viewer::from_servicenow_roles([]), Viewer::Requester);
    assert_eq!(
        Viewer::from_servicenow_roles(["catalog"]),
        Viewer::Requester
    );
    assert_eq!(
        Viewer::from_servicenow_roles(["catalog", " itil"]),
        Viewer::Agent
    );
    assert_eq!(
        Viewer::from_servicenow_roles(["itil", "admin"]),
        Viewer::Admin
    );
    assert_eq!(Viewer::from_zendesk_role("end-user"), Viewer::Requester);
    assert_eq!(Viewer::from_zendesk_role("agent"), Viewer::Agent);
    assert_eq!(Viewer::from_zendesk_role("admin"), Viewer::Admin);
}

#[test]
fn a_caller_only_comments_and_never_on_a_closed_incident() {
    assert_eq!(
        servicenow_incident_actions(Viewer::Requester, &incident("1")),
        [Comment]
    );
    assert_eq!(
        servicenow_incident_actions(Viewer::Requester, &incident("6")),
        [Comment]
    );
    assert!(servicenow_incident_actions(Viewer::Requester, &incident("7")).is_empty());
    assert!(servicenow_incident_actions(Viewer::Requester, &incident("8")).is_empty());
}

#[test]
fn an_agent_resolves_open_incidents_and_reopens_resolved_ones() {
    assert_eq!(
        servicenow_incident_actions(Viewer::Agent, &incident("2")),
        [Comment, WorkNote, Edit, Resolve, Cancel]
    );
    assert_eq!(
        servicenow_incident_actions(Viewer::Agent, &incident("6")),
        [Comment, WorkNote, Edit, Reopen]
    );
    assert_eq!(
        servicenow_incident_actions(Viewer::Agent, &incident("7")),
        [WorkNote]
    );
    // A state a customised instance added is treated as open.
    assert_eq!(
        servicenow_incident_actions(Viewer::Agent, &incident("42")),
        [Comment, WorkNote, Edit, Resolve, Cancel]
    );
}

#[test]
fn a_request_takes_comments_while_open_and_only_an_admin_deletes_it() {
    let request = |state: &str| ticket(crate::providers::servicenow::Table::Request.status(state));
    assert_eq!(
        servicenow_request_actions(Viewer::Requester, &request("1")),
        [Comment]
    );
    assert_eq!(
        servicenow_request_actions(Viewer::Agent, &request("2")),
        [Comment, WorkNote]
    );
    assert!(servicenow_request_actions(Viewer::Agent, &request("3")).is_empty());
    assert_eq!(
        servicenow_request_actions(Viewer::Admin, &request("3")),
        [Delete]
    );
}

#[test]
fn only_an_admin_deletes_an_incident() {
    assert!(!servicenow_incident_actions(Viewer::Agent, &incident("1")).contains(&Delete));
    assert_eq!(
        servicenow_incident_actions(Viewer::Admin, &incident("7")),
        [WorkNote, Delete]
    );
}

#[test]
fn zendesk_tickets_are_worked_by_agents_and_closed_ones_only_deleted() {
    assert!(zendesk_ticket_actions(Viewer::Requester, &zendesk("open")).is_empty());
    assert_eq!(
        zendesk_ticket_actions(Viewer::Agent, &zendesk("pending")),
        [Comment, WorkNote, Edit, Resolve, Delete]
    );
    assert_eq!(
        zendesk_ticket_actions(Viewer::Agent, &zendesk("solved")),
        [Comment, WorkNote, Edit, Reopen, Delete]
    );
    assert_eq!(
        zendesk_ticket_actions(Viewer::Admin, &zendesk("closed")),
        [Delete]
    );
}

#[test]
fn resolving_an_incident_sets_the_state_the_code_and_the_notes() {
    let resolve = StateChange::Resolve {
        close_code: "Solution provided".to_owned(),
        notes: "Replaced the cable.".to_owned(),
    };
    let fields = resolve.servicenow_fields();
    assert_eq!(fields["state"], "6");
    assert_eq!(fields["close_code"], "Solution provided");
    assert_eq!(fields["close_notes"], "Replaced the cable.");
    assert_eq!(StateChange::Reopen.servicenow_fields()["state"], "2");
    assert_eq!(StateChange::Cancel.servicenow_fields()["state"], "8");
    assert!(SERVICENOW_CLOSE_CODES.contains(&"Solution provided"));
}

#[test]
fn solving_a_zendesk_ticket_says_why_in_a_public_comment() {
    let unassigned = zendesk("open");
    let resolve = |notes: &str| StateChange::Resolve {
        close_code: String::new(),
        notes: notes.to_owned(),
    };
    let solve = resolve("Replaced the cable.")
        .zendesk_update(&unassigned, 7)
        .unwrap();
    assert_eq!(solve.status, Some(TicketStatus::Solved));
    let comment = solve.comment.unwrap();
    assert_eq!(
        (comment.body.as_str(), comment.public),
        ("Replaced the cable.", true)
    );
    assert_eq!(
        resolve(" ").zendesk_update(&unassigned, 7).unwrap().comment,
        None
    );
    let reopen = StateChange::Reopen.zendesk_update(&unassigned, 7).unwrap();
    assert_eq!(
        (reopen.status, reopen.assignee_id),
        (Some(TicketStatus::Open), None)
    );
    assert_eq!(StateChange::Cancel.zendesk_update(&unassigned, 7), None);
}

#[test]
fn an_unassigned_zendesk_ticket_is_solved_by_the_agent_who_solves_it() {
    let resolve = StateChange::Resolve {
        close_code: String::new(),
        notes: String::new(),
    };
    assert_eq!(
        resolve
            .zendesk_update(&zendesk("open"), 7)
            .unwrap()
            .assignee_id,
        Some(7)
    );
    let assigned = Ticket {
        assignee: Some(crate::ticket::PersonRef {
            id: "9".to_owned(),
            name: None,
        }),
        ..zendesk("open")
    };
    assert_eq!(
        resolve.zendesk_update(&assigned, 7).unwrap().assignee_id,
        None
    );
}
