//! flare-core's Zendesk provider end to end over real HTTP against the sandbox's Zendesk account:
//! the core builds every request and reads every reply; this file only carries them (reqwest)
//! and owns the clock, as the extension does.

mod common;

use flare_core::error::CoreError;
use flare_core::http::Method;
use flare_core::instance::InstanceUrl;
use flare_core::providers::zendesk::{
    api_token_credentials, CursorPage, NewComment, NewTicket, OffsetPage, Paging, SafeCreate,
    StatusCondition, TicketPages, TicketPriority, TicketSearch, TicketStatus, TicketType,
    TicketUpdate, Zendesk,
};
use flare_core::retry::{Attempt, CreateStep, RetryDecision, RetryPolicy};
use flare_core::ticket::StatusCategory;

use crate::common::{
    must_send, send, Sandbox, ZENDESK_ADMIN, ZENDESK_ADMIN_ID, ZENDESK_AGENT_ID, ZENDESK_USER_ID,
};

fn client(sandbox: &Sandbox, email: &str) -> Zendesk {
    let instance = InstanceUrl::parse_zendesk(&sandbox.url).expect("the sandbox URL is an account");
    Zendesk::new(instance, api_token_credentials(email, "sandbox-token"))
}

fn ticket_id(ticket: &flare_core::ticket::Ticket) -> u64 {
    ticket.id.parse().expect("a numeric id")
}

#[tokio::test]
async fn an_agent_files_reads_comments_on_and_deletes_a_ticket() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "admin@example.com");
    let me = zendesk
        .parse_user(&must_send(&zendesk.me_request()).await)
        .expect("the admin signs in");
    assert_eq!((me.id, me.role.as_str()), (ZENDESK_ADMIN_ID, "admin"));

    // A screenshot, uploaded first and attached to the first comment.
    let upload = zendesk
        .parse_upload(
            &must_send(&zendesk.upload_request("page.png", "image/png", vec![1, 2, 3, 4])).await,
        )
        .expect("an upload");
    assert_eq!(upload.attachments[0].file_name, "page.png");
    let new_ticket = NewTicket {
        subject: "Checkout page is blank".into(),
        body: "Nothing renders after login.\n\nBrowser: Firefox".into(),
        priority: Some(TicketPriority::High),
        ticket_type: Some(TicketType::Incident),
        tags: vec!["flare".into()],
        uploads: vec![upload.token.clone()],
        ..NewTicket::default()
    };
    let created = zendesk
        .parse_ticket(&must_send(&zendesk.create_ticket_request(&new_ticket)).await)
        .expect("a created ticket");
    let id = ticket_id(&created);
    assert_eq!(created.title, "Checkout page is blank");
    assert_eq!(created.status.code, "new");
    assert_eq!(
        created
            .priority
            .as_ref()
            .map(|priority| priority.code.as_str()),
        Some("high")
    );
    assert_eq!(
        created.web_link,
        format!("{}/agent/tickets/{id}", sandbox.url)
    );

    let shown = zendesk
        .parse_ticket(&must_send(&zendesk.show_ticket_request(id)).await)
        .expect("the ticket");
    assert_eq!(
        shown.description,
        "Nothing renders after login.\n\nBrowser: Firefox"
    );
    let many = zendesk
        .parse_tickets(&must_send(&zendesk.show_many_request(&[id, 1]).expect("ids")).await)
        .expect("two tickets");
    assert_eq!(many.iter().map(ticket_id).collect::<Vec<_>>(), vec![1, id]);

    // An internal note and a status change, then the comments as the core reads them.
    let update = TicketUpdate {
        status: Some(TicketStatus::Pending),
        comment: Some(NewComment {
            body: "Reproduced on staging".into(),
            public: false,
            uploads: Vec::new(),
        }),
        ..TicketUpdate::default()
    };
    let updated = zendesk
        .parse_ticket(&must_send(&zendesk.update_ticket_request(id, &update)).await)
        .expect("an updated ticket");
    assert_eq!(updated.status.code, "pending");
    let paging = Paging::Offset(OffsetPage::default());
    let comments = zendesk
        .parse_comment_page(
            &must_send(
                &zendesk
                    .list_comments_request(id, &paging)
                    .expect("a request"),
            )
            .await,
            &paging,
        )
        .expect("comments");
    let visibility: Vec<(&str, bool)> = comments
        .items
        .iter()
        .map(|comment| (comment.body.as_str(), comment.public))
        .collect();
    assert_eq!(
        visibility,
        vec![
            ("Nothing renders after login.\n\nBrowser: Firefox", true),
            ("Reproduced on staging", false),
        ]
    );
    let attachments = zendesk
        .parse_attachment_page(
            &must_send(
                &zendesk
                    .list_comments_request(id, &paging)
                    .expect("a request"),
            )
            .await,
            &paging,
        )
        .expect("attachments");
    let attachment = &attachments.items[0];
    assert_eq!(
        (attachment.file_name.as_str(), attachment.size_bytes),
        ("page.png", Some(4))
    );
    let download = zendesk
        .download_attachment_request(attachment)
        .expect("an instance URL");
    assert_eq!(
        zendesk.parse_download(&must_send(&download).await),
        Ok(vec![1, 2, 3, 4])
    );

    zendesk
        .parse_deleted(&must_send(&zendesk.delete_ticket_request(id)).await)
        .expect("deleted");
    assert!(matches!(
        zendesk.parse_ticket(&must_send(&zendesk.show_ticket_request(id)).await),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        zendesk.parse_deleted(&must_send(&zendesk.delete_ticket_request(id)).await),
        Err(CoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn lists_walk_by_offset_and_by_cursor() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "agent@example.com");

    let mut paging = Some(Paging::Offset(OffsetPage {
        page: 1,
        per_page: 5,
    }));
    let mut offset_ids = Vec::new();
    while let Some(current) = paging {
        let request = zendesk.list_tickets_request(&current).expect("a request");
        let page = zendesk
            .parse_ticket_page(&must_send(&request).await, &current)
            .expect("a page");
        assert_eq!(page.total, Some(12));
        offset_ids.extend(page.items.iter().map(ticket_id));
        paging = page.next;
    }
    assert_eq!(offset_ids, (1..=12).collect::<Vec<_>>());

    let mut pages = TicketPages::all(zendesk.clone(), 5);
    let mut cursor_ids = Vec::new();
    let mut n_requests = 0;
    while let Some(request) = pages.next_request() {
        n_requests += 1;
        let items = pages.handle(&must_send(&request).await).expect("a page");
        cursor_ids.extend(items.iter().map(ticket_id));
    }
    assert_eq!(cursor_ids, (1..=12).collect::<Vec<_>>());
    assert_eq!(n_requests, 3);

    let mut requested = TicketPages::requested_by(zendesk.clone(), ZENDESK_USER_ID, 100);
    let request = requested.next_request().expect("a first page");
    let items = requested
        .handle(&must_send(&request).await)
        .expect("a page");
    assert_eq!(
        items.iter().map(ticket_id).collect::<Vec<_>>(),
        vec![1, 3, 5, 7, 9, 11]
    );
    assert_eq!(requested.next_request(), None);

    // A cursor the account never issued is refused, not silently restarted.
    let bogus = Paging::Cursor(CursorPage {
        size: 5,
        after: Some("bm90IGEgY3Vyc29y".into()),
    });
    let request = zendesk.list_tickets_request(&bogus).expect("a request");
    assert!(matches!(
        zendesk.parse_ticket_page(&must_send(&request).await, &bogus),
        Err(CoreError::Validation { .. })
    ));
}

#[tokio::test]
async fn search_finds_tickets_and_stops_at_the_result_limit() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "agent@example.com");
    let search = |search: TicketSearch| {
        let zendesk = zendesk.clone();
        async move {
            let page = OffsetPage::default();
            let request = zendesk
                .search_tickets_request(&search, page)
                .expect("a request");
            let mut ids: Vec<u64> = zendesk
                .parse_search_page(&must_send(&request).await, page)
                .expect("results")
                .items
                .iter()
                .map(ticket_id)
                .collect();
            ids.sort_unstable();
            ids
        }
    };
    let unsolved = search(TicketSearch {
        status: Some(StatusCondition::Below(TicketStatus::Solved)),
        ..TicketSearch::default()
    })
    .await;
    assert_eq!(unsolved, (1..=8).collect::<Vec<_>>());
    let cases: [(TicketSearch, &[u64]); 5] = [
        (
            TicketSearch {
                priority: Some(TicketPriority::Urgent),
                ..TicketSearch::default()
            },
            &[1],
        ),
        (
            TicketSearch {
                requester: Some("erik@example.com".into()),
                status: Some(StatusCondition::Is(TicketStatus::Open)),
                ..TicketSearch::default()
            },
            &[4],
        ),
        (
            TicketSearch {
                subject: Some("printer toner".into()),
                ..TicketSearch::default()
            },
            &[12],
        ),
        (
            TicketSearch {
                text: "vpn certificate".into(),
                ..TicketSearch::default()
            },
            &[2],
        ),
        (
            TicketSearch {
                text: "status:closed".into(),
                ..TicketSearch::default()
            },
            &[],
        ),
    ];
    for (query, expected) in cases {
        let described = format!("{query:?}");
        assert_eq!(search(query).await, expected.to_vec(), "{described}");
    }

    // Page 11 of 100 is past the 1000-result limit: the core refuses to send it, and the account
    // answers 422 to a client that sends it anyway, which the core reads as a validation error.
    let past_limit = OffsetPage {
        page: 11,
        per_page: 100,
    };
    assert!(zendesk
        .search_tickets_request(&TicketSearch::default(), past_limit)
        .is_err());
    let mut request = zendesk
        .search_tickets_request(&TicketSearch::default(), OffsetPage::default())
        .expect("a request");
    request.url = request.url.replace("page=1&", "page=11&");
    let error = zendesk
        .parse_search_page(&must_send(&request).await, past_limit)
        .expect_err("past the limit");
    assert!(
        matches!(&error, CoreError::Validation { field: Some(field), .. } if field == "page"),
        "{error:?}"
    );

    let users = zendesk
        .parse_users(&must_send(&zendesk.search_users_request("user@example.com")).await)
        .expect("users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].id, ZENDESK_USER_ID);
    assert_eq!(users[0].email.as_deref(), Some("user@example.com"));
}

#[tokio::test]
async fn the_pickers_read_assignable_groups_and_agents() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "agent@example.com");
    // Two per page, so the pickers must follow `next` the way they must past 100 on a real account.
    let first_page = Paging::Cursor(CursorPage {
        size: 2,
        after: None,
    });
    let all_group_names = || async {
        let mut names = Vec::new();
        let mut paging = Some(first_page.clone());
        while let Some(current) = paging {
            let request = zendesk
                .assignable_groups_request(&current)
                .expect("a request");
            let page = zendesk
                .parse_group_page(&must_send(&request).await, &current)
                .expect("groups");
            names.extend(page.items.into_iter().map(|group| group.name));
            paging = page.next;
        }
        names
    };
    assert_eq!(
        all_group_names().await,
        ["Database", "Hardware", "Network", "Software", "Support"]
    );

    // An admin adds a group and deletes one; the picker follows.
    let created = sandbox
        .post(
            Some(ZENDESK_ADMIN),
            "/api/v2/groups.json",
            &serde_json::json!({"group": {"name": "Escalations"}}),
        )
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let request = sandbox
        .client()
        .delete(format!("{}/api/v2/groups/40005.json", sandbox.url));
    let deleted = sandbox.send(request, Some(ZENDESK_ADMIN)).await;
    assert_eq!(deleted.status.as_u16(), 204, "{}", deleted.text);
    assert_eq!(
        all_group_names().await,
        ["Escalations", "Hardware", "Network", "Software", "Support"]
    );

    let request = zendesk
        .assignable_agents_request(&first_page)
        .expect("a request");
    let agents = zendesk
        .parse_agent_page(&must_send(&request).await, &first_page)
        .expect("agents");
    let roles: Vec<(u64, &str)> = agents
        .items
        .iter()
        .map(|user| (user.id, user.role.as_str()))
        .collect();
    assert_eq!(
        roles,
        [(ZENDESK_ADMIN_ID, "admin"), (ZENDESK_AGENT_ID, "agent")]
    );

    let end_user = client(&sandbox, "user@example.com");
    let groups = end_user
        .assignable_groups_request(&first_page)
        .expect("a request");
    assert!(matches!(
        end_user.parse_group_page(&must_send(&groups).await, &first_page),
        Err(CoreError::Forbidden { .. })
    ));
    let agents = end_user
        .assignable_agents_request(&first_page)
        .expect("a request");
    assert!(matches!(
        end_user.parse_agent_page(&must_send(&agents).await, &first_page),
        Err(CoreError::Forbidden { .. })
    ));
}

#[tokio::test]
async fn a_create_whose_reply_was_lost_is_found_not_repeated() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "admin@example.com");
    let ticket = NewTicket {
        subject: "Printer jams".into(),
        body: "Every third page".into(),
        ..NewTicket::default()
    };
    let mut create = SafeCreate::new(zendesk.clone(), ticket, "flare-3f2a");
    // The create reaches the account, but the reply is lost on the way back.
    let first = create.request();
    assert_eq!(first.method, Method::Post);
    must_send(&first).await;
    assert_eq!(create.handle(Attempt::NetworkError), CreateStep::Again);
    let lookup = create.request();
    assert_eq!(lookup.method, Method::Get);
    let found = match create.handle(Attempt::Response(&must_send(&lookup).await)) {
        CreateStep::Done(ticket) => ticket,
        other => panic!("expected the ticket, got {other:?}"),
    };
    assert_eq!(found.title, "Printer jams");
    let all = Paging::Offset(OffsetPage::default());
    let page = zendesk
        .parse_ticket_page(
            &must_send(&zendesk.list_tickets_request(&all).expect("a request")).await,
            &all,
        )
        .expect("a page");
    assert_eq!(page.total, Some(13), "one ticket made, not two");
}

#[tokio::test]
async fn a_create_retried_after_a_dropped_connection_makes_exactly_one_ticket() {
    let sandbox = Sandbox::start_zendesk().await;
    let fault = serde_json::json!({"kind": "drop_after_commit", "count": 1});
    let added = sandbox.post(None, "/sandbox/faults", &fault).await;
    assert!(added.status.is_success(), "{}", added.text);
    let zendesk = client(&sandbox, "admin@example.com");
    let correlation_id = "flare-5d0c9a7e-1b2f-4c3d-8e9f-0a1b2c3d4e5f";
    let ticket = NewTicket {
        subject: "Badge reader dead".into(),
        body: "The reader at the east door does not beep".into(),
        ..NewTicket::default()
    };
    let mut create = SafeCreate::new(zendesk.clone(), ticket, correlation_id);
    let mut steps = Vec::new();
    let created = loop {
        let request = create.request();
        steps.push(request.method);
        let response = send(&request).await;
        let outcome = match &response {
            Some(response) => Attempt::Response(response),
            None => Attempt::NetworkError,
        };
        match create.handle(outcome) {
            CreateStep::Done(ticket) => break ticket,
            CreateStep::Again => assert!(steps.len() < 5, "too many rounds: {steps:?}"),
            CreateStep::Failed(error) => panic!("create failed: {error}"),
        }
    };
    assert_eq!(
        steps,
        [Method::Post, Method::Get],
        "the drop is followed by a lookup, not a second create"
    );
    let matching = zendesk
        .parse_tickets(&must_send(&zendesk.find_by_external_id_request(correlation_id)).await)
        .expect("a list");
    assert_eq!(matching.len(), 1, "exactly one ticket");
    assert_eq!(matching[0].id, created.id);
    let all = Paging::Offset(OffsetPage::default());
    let page = zendesk
        .parse_ticket_page(
            &must_send(&zendesk.list_tickets_request(&all).expect("a request")).await,
            &all,
        )
        .expect("a page");
    assert_eq!(page.total, Some(13));
}

#[tokio::test]
async fn injected_outages_and_rate_limits_are_typed() {
    let sandbox = Sandbox::start_zendesk().await;
    let zendesk = client(&sandbox, "agent@example.com");
    for status in [503, 429] {
        let fault = serde_json::json!({"kind": "status", "status": status});
        let added = sandbox.post(None, "/sandbox/faults", &fault).await;
        assert!(added.status.is_success(), "{}", added.text);
    }
    assert_eq!(
        zendesk.parse_ticket(&must_send(&zendesk.show_ticket_request(1)).await),
        Err(CoreError::Server { status: 503 })
    );
    assert_eq!(
        zendesk.parse_ticket(&must_send(&zendesk.show_ticket_request(1)).await),
        Err(CoreError::RateLimited {
            retry_after_secs: Some(60)
        })
    );
    zendesk
        .parse_ticket(&must_send(&zendesk.show_ticket_request(1)).await)
        .expect("the faults are used up");
}

#[tokio::test]
async fn end_users_and_bad_credentials_get_typed_errors() {
    let sandbox = Sandbox::start_zendesk().await;
    let end_user = client(&sandbox, "user@example.com");
    let me = end_user
        .parse_user(&must_send(&end_user.me_request()).await)
        .expect("the end user signs in");
    assert_eq!((me.id, me.role.as_str()), (ZENDESK_USER_ID, "end-user"));
    let paging = Paging::Cursor(CursorPage::default());
    let request = end_user.list_tickets_request(&paging).expect("a request");
    assert!(matches!(
        end_user.parse_ticket_page(&must_send(&request).await, &paging),
        Err(CoreError::Forbidden { .. })
    ));

    let instance = InstanceUrl::parse_zendesk(&sandbox.url).expect("an account");
    let wrong = Zendesk::new(instance, api_token_credentials("user@example.com", "guess"));
    assert_eq!(
        wrong.parse_user(&must_send(&wrong.me_request()).await),
        Err(CoreError::Unauthorized {
            message: "Couldn't authenticate you".into()
        })
    );

    let admin = client(&sandbox, "admin@example.com");
    let closed = TicketUpdate {
        comment: Some(NewComment {
            body: "One more thing".into(),
            public: true,
            uploads: Vec::new(),
        }),
        ..TicketUpdate::default()
    };
    assert_eq!(
        admin.parse_ticket(&must_send(&admin.update_ticket_request(11, &closed)).await),
        Err(CoreError::Validation {
            field: Some("status".into()),
            message: "Status closed prevents ticket update".into()
        })
    );
    let solved = admin
        .parse_ticket(&must_send(&admin.show_ticket_request(9)).await)
        .expect("a solved ticket");
    assert_eq!(solved.status.category, StatusCategory::Completed);
}

#[tokio::test]
async fn rate_limits_are_read_and_waited_out() {
    let options = flare_sandbox::zendesk::ZendeskOptions {
        requests_per_minute: Some(2),
        ..Default::default()
    };
    let sandbox = Sandbox::start_zendesk_with(&options).await;
    let zendesk = client(&sandbox, "admin@example.com");
    for _ in 0..2 {
        zendesk
            .parse_ticket(&must_send(&zendesk.show_ticket_request(1)).await)
            .expect("within the limit");
    }
    let request = zendesk.show_ticket_request(1);
    let limited = must_send(&request).await;
    let error = zendesk.parse_ticket(&limited).expect_err("past the limit");
    let CoreError::RateLimited {
        retry_after_secs: Some(retry_after),
    } = error
    else {
        panic!("expected a rate limit, got {error:?}");
    };
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // The caller owns the clock: the policy says how long to wait, and the test does not sleep.
    let decision =
        RetryPolicy::default().decide(request.method, 1, Attempt::Response(&limited), 0, 0.5);
    assert_eq!(decision, RetryDecision::RetryAfter(retry_after * 1000));
}

#[tokio::test]
async fn an_admin_keeps_tickets_and_users_in_sync_by_incremental_export() {
    use flare_core::providers::zendesk::{SyncPoint, ZendeskDirectory};

    let sandbox = Sandbox::start_zendesk().await;
    let admin = client(&sandbox, "admin@example.com");

    // The directory fills from the user export, following the cursor page by page.
    let mut directory = ZendeskDirectory::default();
    let mut n_pages = 0;
    loop {
        n_pages += 1;
        let more = directory
            .handle_refresh(&must_send(&directory.refresh_request(&admin, 0)).await)
            .expect("a user export page");
        if !more {
            break;
        }
    }
    assert!(directory
        .users
        .values()
        .any(|user| user.email.as_deref() == Some("user@example.com")));
    assert!(n_pages >= 1);

    // A full ticket sync, then a change, then a sync from the stored cursor brings the change.
    let mut from = SyncPoint::Since(0);
    let mut all = Vec::new();
    loop {
        let page = admin
            .parse_export_page(&must_send(&admin.export_tickets_request(&from)).await)
            .expect("an export page");
        all.extend(page.tickets.into_iter().map(|ticket| ticket.id));
        from = page.next.expect("a cursor, even at the end");
        if page.end_of_stream {
            break;
        }
    }
    let listed = admin
        .parse_ticket_page(
            &must_send(
                &admin
                    .list_tickets_request(&Paging::Offset(OffsetPage {
                        page: 1,
                        per_page: 100,
                    }))
                    .expect("a request"),
            )
            .await,
            &Paging::Offset(OffsetPage {
                page: 1,
                per_page: 100,
            }),
        )
        .expect("the ticket list");
    let mut listed_ids: Vec<String> = listed
        .items
        .iter()
        .map(|ticket| ticket.id.clone())
        .collect();
    listed_ids.sort();
    all.sort();
    assert_eq!(all, listed_ids, "the export holds every ticket once");

    let changed_id: u64 = listed_ids[0].parse().expect("a numeric id");
    let update = TicketUpdate {
        subject: Some("Renamed during sync".into()),
        ..TicketUpdate::default()
    };
    admin
        .parse_ticket(&must_send(&admin.update_ticket_request(changed_id, &update)).await)
        .expect("updated");
    let delta = admin
        .parse_export_page(&must_send(&admin.export_tickets_request(&from)).await)
        .expect("a delta");
    assert!(delta.end_of_stream);
    let titles: Vec<(String, String)> = delta
        .tickets
        .iter()
        .map(|ticket| (ticket.id.clone(), ticket.title.clone()))
        .collect();
    assert!(
        titles.contains(&(changed_id.to_string(), "Renamed during sync".to_owned())),
        "{titles:?}"
    );
    assert!(
        delta.tickets.len() < listed_ids.len(),
        "only recent changes come back: {titles:?}"
    );

    // Exports are for admins.
    let agent = client(&sandbox, "agent@example.com");
    let refused = agent
        .parse_export_page(&must_send(&agent.export_tickets_request(&SyncPoint::Since(0))).await);
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
}
