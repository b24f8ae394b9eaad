use super::*;

fn context() -> TicketContext {
    TicketContext {
        title: "Cannot log in to payroll".into(),
        description: "Error 500 after the SSO step".into(),
        page_title: "Payroll".into(),
        page_url: "https://payroll.example.com/login?next=/".into(),
        user_id: "62826bf0".into(),
        user_email: "abel.tuter@example.com".into(),
        browser: "Chromium 156".into(),
        category: "Software".into(),
        priority: "2".into(),
        ..TicketContext::default()
    }
}

fn template(name: &str, conditions: Vec<Condition>) -> Template {
    Template {
        name: name.into(),
        provider: ProviderKind::ServiceNow,
        table: "incident".into(),
        conditions,
        fields: [(
            "short_description".to_owned(),
            FieldValue::From(ContextField::Title),
        )]
        .into_iter()
        .collect(),
        allow_private: false,
    }
}

fn routed_template(set: &TemplateSet, context: &TicketContext) -> Option<String> {
    match set.route(context) {
        Routing::File { template, .. } => Some(template),
        Routing::Skip => None,
    }
}

#[test]
fn the_default_template_follows_seed_004() {
    let Routing::File {
        provider,
        table,
        fields,
        ..
    } = TemplateSet::servicenow_default().route(&context())
    else {
        panic!("the default template always files");
    };
    assert_eq!(
        (provider, table.as_str()),
        (ProviderKind::ServiceNow, "incident")
    );
    let expected: BTreeMap<String, String> = [
        ("short_description", "Cannot log in to payroll"),
        ("description", "Error 500 after the SSO step"),
        ("state", "1"),
        ("urgency", "2"),
        ("impact", "2"),
        ("caller_id", "62826bf0"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    assert_eq!(fields, expected);
}

#[test]
fn a_template_prefills_what_the_page_says() {
    let mut set = TemplateSet::servicenow_default();
    set.templates[0].fields.insert(
        "description".into(),
        FieldValue::Text("{description}\n\nPage: {page_url}\nBrowser: {browser}".into()),
    );
    let fallback = set.fallback().expect("the default set has a fallback");
    let check = |page_url: &str, browser: &str, expected: &str| {
        let page = TicketContext {
            page_title: "Payroll".into(),
            page_url: page_url.into(),
            browser: browser.into(),
            ..TicketContext::default()
        };
        assert_eq!(
            fallback.prefill("description", &page).as_deref(),
            Some(expected),
            "{page_url:?} {browser:?}"
        );
    };
    check(
        "https://payroll.example.com/run",
        "Chromium 156",
        "Page: https://payroll.example.com/run\nBrowser: Chromium 156\n",
    );
    check("", "Chromium 156", "Browser: Chromium 156\n");
    check(
        "https://payroll.example.com/run",
        "",
        "Page: https://payroll.example.com/run\n",
    );
    check("", "", "");
    assert_eq!(
        fallback
            .prefill("urgency", &TicketContext::default())
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        fallback.prefill("assigned_to", &TicketContext::default()),
        None
    );
}

#[test]
fn the_fallback_is_the_unconditional_or_the_named_template() {
    let payroll = || {
        template(
            "Payroll",
            vec![Condition::UrlMatches("https://payroll/*".into())],
        )
    };
    let fallback_name = |set: TemplateSet| set.fallback().map(|template| template.name.clone());
    let named = TemplateSet {
        templates: vec![
            payroll(),
            template(
                "Security",
                vec![Condition::KeywordsAny(vec!["phishing".into()])],
            ),
        ],
        no_match: NoMatch::UseTemplate("Security".into()),
    };
    assert_eq!(fallback_name(named).as_deref(), Some("Security"));
    let unconditional = TemplateSet {
        templates: vec![payroll(), template("Everything else", vec![])],
        no_match: NoMatch::UseTemplate("Payroll".into()),
    };
    assert_eq!(
        fallback_name(unconditional).as_deref(),
        Some("Everything else")
    );
    let none = TemplateSet {
        templates: vec![payroll()],
        no_match: NoMatch::Skip,
    };
    assert_eq!(fallback_name(none), None);
}

#[test]
fn the_first_matching_template_wins() {
    let set = TemplateSet {
        templates: vec![
            template(
                "Security",
                vec![Condition::KeywordsAny(vec![
                    "phishing".into(),
                    "malware".into(),
                ])],
            ),
            template(
                "Payroll",
                vec![Condition::UrlMatches(
                    "https://payroll.example.com/*".into(),
                )],
            ),
            template(
                "Urgent software",
                vec![
                    Condition::CategoryIn(vec!["software".into()]),
                    Condition::PriorityIn(vec!["1".into()]),
                ],
            ),
            template("Everything else", vec![]),
        ],
        no_match: NoMatch::Skip,
    };
    assert_eq!(
        routed_template(&set, &context()).as_deref(),
        Some("Payroll")
    );
    let phishing = TicketContext {
        description: "A PHISHING mail asked for my password".into(),
        ..context()
    };
    assert_eq!(
        routed_template(&set, &phishing).as_deref(),
        Some("Security")
    );
    let urgent = TicketContext {
        page_url: "https://crm.example.com/".into(),
        priority: "1".into(),
        ..context()
    };
    assert_eq!(
        routed_template(&set, &urgent).as_deref(),
        Some("Urgent software")
    );
    let other = TicketContext {
        page_url: "https://crm.example.com/".into(),
        ..context()
    };
    assert_eq!(
        routed_template(&set, &other).as_deref(),
        Some("Everything else")
    );
}

#[test]
fn no_match_skips_or_falls_back() {
    let only_security = vec![template(
        "Security",
        vec![Condition::KeywordsAny(vec!["phishing".into()])],
    )];
    let skip = TemplateSet {
        templates: only_security.clone(),
        no_match: NoMatch::Skip,
    };
    assert_eq!(skip.route(&context()), Routing::Skip);
    let fallback = TemplateSet {
        templates: only_security.clone(),
        no_match: NoMatch::UseTemplate("Security".into()),
    };
    assert_eq!(
        routed_template(&fallback, &context()).as_deref(),
        Some("Security")
    );
    let dangling = TemplateSet {
        templates: only_security,
        no_match: NoMatch::UseTemplate("Gone".into()),
    };
    assert_eq!(dangling.route(&context()), Routing::Skip);
}

#[test]
fn private_tickets_need_a_template_that_allows_them() {
    let private = TicketContext {
        private: true,
        ..context()
    };
    let mut set = TemplateSet {
        templates: vec![template("Any", vec![])],
        no_match: NoMatch::Skip,
    };
    assert_eq!(set.route(&private), Routing::Skip);
    set.templates[0].allow_private = true;
    assert_eq!(routed_template(&set, &private).as_deref(), Some("Any"));
}

#[test]
fn empty_values_are_left_to_the_instance() {
    let mut fields = BTreeMap::new();
    fields.insert(
        "u_selection".to_owned(),
        FieldValue::From(ContextField::Selection),
    );
    fields.insert(
        "short_description".to_owned(),
        FieldValue::Text("[{category}] {title}".into()),
    );
    let template = Template {
        fields,
        ..template("T", vec![])
    };
    let resolved = template.resolve(&context());
    assert_eq!(resolved.get("u_selection"), None);
    assert_eq!(
        resolved["short_description"],
        "[Software] Cannot log in to payroll"
    );
}

#[test]
fn globs_match_whole_urls() {
    for (pattern, url, expected) in [
        (
            "https://*.example.com/*",
            "https://payroll.example.com/login",
            true,
        ),
        (
            "https://*.example.com/*",
            "https://example.com.evil.org/",
            false,
        ),
        ("*", "", true),
        ("https://a/", "https://a/", true),
        ("https://a/", "https://a/b", false),
        ("*/admin*", "https://x/admin/users", true),
        ("*.pdf", "https://x/a.pdf", true),
        ("*.pdf", "https://x/a.pdf?x", false),
        ("HTTPS://A/*", "https://a/b", true),
        ("a*b*c", "abbc", true),
        ("a*b*c", "acb", false),
    ] {
        assert_eq!(glob_matches(pattern, url), expected, "{pattern} vs {url}");
    }
}

#[test]
fn state_mappings_and_follow_ups() {
    let servicenow = StateMapping::servicenow_incident();
    for (code, category) in [
        ("1", StatusCategory::Open),
        ("5", StatusCategory::Open),
        ("6", StatusCategory::Completed),
        ("7", StatusCategory::Completed),
        ("8", StatusCategory::Completed),
    ] {
        assert_eq!(servicenow.category(code), category, "{code}");
    }
    assert_eq!(
        StateMapping::zendesk().category("pending"),
        StatusCategory::Open
    );
    assert_eq!(
        StateMapping::zendesk().category("solved"),
        StatusCategory::Completed
    );
    let follow_up = follow_up_fields("a1", "Rotate the keys", "After the leak");
    assert_eq!(follow_up["parent"], "a1");
    assert_eq!(follow_up["state"], "1");
}

#[test]
fn templates_round_trip_through_json() {
    let set = TemplateSet {
        templates: vec![template(
            "Payroll",
            vec![Condition::UrlMatches("https://payroll/*".into())],
        )],
        no_match: NoMatch::UseTemplate("Payroll".into()),
    };
    let json = serde_json::to_string(&set).expect("serialises");
    assert!(json.contains(r#""kind":"url_matches""#), "{json}");
    let back: TemplateSet = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, set);
}

#[test]
fn choose_names_the_template_a_form_starts_from() {
    let set = TemplateSet {
        templates: vec![
            template(
                "Payroll",
                vec![Condition::UrlMatches(
                    "https://payroll.example.com/*".into(),
                )],
            ),
            template("Other", vec![Condition::KeywordsAny(vec!["vpn".into()])]),
        ],
        no_match: NoMatch::UseTemplate("Other".into()),
    };
    let name = |context: &TicketContext| set.choose(context).map(|template| template.name.clone());
    assert_eq!(name(&context()).as_deref(), Some("Payroll"));
    let elsewhere = TicketContext {
        page_url: "https://intranet.example.com/".into(),
        ..context()
    };
    assert_eq!(name(&elsewhere).as_deref(), Some("Other"));
    let skipping = TemplateSet {
        no_match: NoMatch::Skip,
        ..set.clone()
    };
    assert_eq!(skipping.choose(&elsewhere), None);
    // Choosing looks at conditions only; whether a private ticket may be filed is routing's call.
    let private = TicketContext {
        private: true,
        ..context()
    };
    assert_eq!(name(&private).as_deref(), Some("Payroll"));
    assert_eq!(routed_template(&set, &private), None);
}

#[test]
fn fixed_values_are_the_ones_a_template_always_sets() {
    let fixed = TemplateSet::servicenow_default().templates[0].fixed_values();
    let names: Vec<&str> = fixed.keys().map(String::as_str).collect();
    assert_eq!(names, ["impact", "state", "urgency"]);
    assert!(TemplateSet::zendesk_default().templates[0]
        .fixed_values()
        .is_empty());
}

#[test]
fn the_zendesk_default_fills_subject_and_description() {
    let Routing::File {
        provider, fields, ..
    } = TemplateSet::zendesk_default().route(&context())
    else {
        panic!("the default template always files");
    };
    assert_eq!(provider, ProviderKind::Zendesk);
    assert_eq!(fields["subject"], "Cannot log in to payroll");
    assert_eq!(fields["description"], "Error 500 after the SSO step");
}
