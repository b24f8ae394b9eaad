use flare_core::templates::{Condition, FieldValue, NoMatch};

use super::*;

fn page() -> PageContext {
    PageContext {
        title: "Payroll portal".to_owned(),
        url: "https://payroll.example.com/run".to_owned(),
        user_agent: "TestBrowser/1.0".to_owned(),
        viewport: Some((1280, 720)),
        language: "en-US".to_owned(),
        time_zone: "Europe/Berlin".to_owned(),
        tab_id: None,
    }
}

fn english() -> Messages {
    Messages::for_language("en")
}

/// The default incident template, and a payroll one tried first that fixes the urgency.
fn templates() -> TemplateSet {
    let mut set = TemplateSet::servicenow_default();
    let mut payroll = set.templates[0].clone();
    payroll.name = "Payroll".to_owned();
    payroll.conditions = vec![Condition::UrlMatches(
        "https://payroll.example.com/*".to_owned(),
    )];
    payroll
        .fields
        .insert("urgency".to_owned(), FieldValue::Fixed("1".to_owned()));
    payroll.fields.insert(
        "assignment_group".to_owned(),
        FieldValue::Fixed("Payroll team".to_owned()),
    );
    set.templates.insert(0, payroll);
    set
}

#[test]
fn a_new_draft_starts_from_the_template_for_the_page() {
    let draft = IncidentDraft::from_page(
        &page(),
        &templates(),
        &PrivacySettings::default(),
        &english(),
    );
    assert_eq!(draft.template.as_deref(), Some("Payroll"));
    assert_eq!(draft.short_description, "Payroll portal");
    assert_eq!(draft.urgency, "1", "the template fixes the urgency");
    assert_eq!(draft.impact, "2");
    assert_eq!(
        draft.description, "",
        "the default template starts with what the user writes"
    );
    assert_eq!(
        draft.page_details,
        "Page: https://payroll.example.com/run\nTitle: Payroll portal\n\
         Browser: TestBrowser/1.0 on ?\nWindow: 1280 × 720\n\
         Language: en-US; time zone: Europe/Berlin"
    );
}

#[test]
fn privacy_settings_keep_the_page_out_of_the_report_but_not_out_of_routing() {
    let privacy = PrivacySettings {
        page_url: false,
        page_title: false,
        ..PrivacySettings::default()
    };
    let draft = IncidentDraft::from_page(&page(), &templates(), &privacy, &english());
    assert_eq!(
        draft.template.as_deref(),
        Some("Payroll"),
        "chosen by the page's address"
    );
    assert_eq!(draft.short_description, "");
    assert!(
        draft.page_details.starts_with("Browser: TestBrowser/1.0"),
        "{}",
        draft.page_details
    );
}

#[test]
fn no_template_for_the_page_leaves_the_form_plain() {
    let set = TemplateSet {
        templates: vec![templates().templates[0].clone()],
        no_match: NoMatch::Skip,
    };
    let elsewhere = PageContext {
        url: "https://intranet.example.com/".to_owned(),
        ..page()
    };
    let draft = IncidentDraft::from_page(&elsewhere, &set, &PrivacySettings::default(), &english());
    assert_eq!(draft.template, None);
    assert_eq!(draft.description, "");
    assert!(draft
        .page_details
        .starts_with("Page: https://intranet.example.com/"));
}

#[test]
fn the_template_fixed_values_go_with_the_incident_and_the_form_wins() {
    let set = templates();
    let draft = IncidentDraft {
        urgency: "3".to_owned(),
        ..IncidentDraft::from_page(&page(), &set, &PrivacySettings::default(), &english())
    };
    let NewTicket::Incident { incident, fixed } = draft.new_ticket(
        Provider::ServiceNow,
        "Payslips missing".to_owned(),
        Some(&set.templates[0]),
    ) else {
        panic!("a ServiceNow connection files an incident");
    };
    assert_eq!(fixed["assignment_group"], "Payroll team");
    assert_eq!(
        incident.urgency,
        Level::Low,
        "what the user chose, not the template's 1"
    );
    assert!(incident
        .description
        .starts_with("Page: https://payroll.example.com/run\n"));
}

#[test]
fn the_page_details_follow_the_description_as_the_user_left_them() {
    let draft = IncidentDraft {
        description: "Payslips are missing.\n\n".to_owned(),
        page_details: "Page: https://payroll.example.com/run".to_owned(),
        ..IncidentDraft::default()
    };
    assert_eq!(
        draft.description_with_details(),
        "Payslips are missing.\n\nPage: https://payroll.example.com/run"
    );
    let left_out = IncidentDraft {
        page_details: "  ".to_owned(),
        ..draft
    };
    assert_eq!(left_out.description_with_details(), "Payslips are missing.");
}

#[test]
fn a_request_carries_the_title_and_the_description_and_no_incident_fields() {
    let draft = IncidentDraft {
        kind: ServiceNowKind::Request,
        description: "For the new starter on Monday.".to_owned(),
        page_details: "Page: https://intranet.example.com/".to_owned(),
        ..IncidentDraft::default()
    };
    let NewTicket::Request { request } =
        draft.new_ticket(Provider::ServiceNow, "A laptop".to_owned(), None)
    else {
        panic!("a request");
    };
    assert_eq!(request.short_description, "A laptop");
    assert_eq!(
        request.description,
        "For the new starter on Monday.\n\nPage: https://intranet.example.com/"
    );
    // Zendesk has no requests: the same draft files a ticket there.
    assert!(matches!(
        draft.new_ticket(Provider::Zendesk, "A laptop".to_owned(), None),
        NewTicket::Zendesk(_)
    ));
    // A draft saved before requests existed is an incident.
    let old: IncidentDraft = serde_json::from_str(
        r#"{"short_description":"","description":"","urgency":"2","impact":"2"}"#,
    )
    .unwrap();
    assert_eq!(old.kind, ServiceNowKind::Incident);
}

#[test]
fn a_follow_up_comes_from_the_address_the_ticket_page_links_and_names_its_parent() {
    let parent = FollowUp::from_fragment("follow-up=a1b2,INC0010001").unwrap();
    assert_eq!(
        (parent.sys_id.as_str(), parent.number.as_str()),
        ("a1b2", "INC0010001")
    );
    for odd in [
        "tickets",
        "follow-up=a1b2",
        "follow-up=,INC1",
        "follow-up=a1<b,INC1",
    ] {
        assert_eq!(FollowUp::from_fragment(odd), None, "{odd}");
    }
    let draft = IncidentDraft {
        follow_up: Some(parent),
        ..IncidentDraft::default()
    };
    let NewTicket::Incident { incident, .. } =
        draft.new_ticket(Provider::ServiceNow, "Still broken".to_owned(), None)
    else {
        panic!("an incident");
    };
    assert_eq!(incident.parent_incident.as_deref(), Some("a1b2"));
}
