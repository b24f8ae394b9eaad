//! The popup's components and its list page in a real browser (wasm-bindgen-test in headless Chromium), against a fake
//! platform whose replies are canned, so every failure path can be shown on demand.
#![cfg(target_arch = "wasm32")]

mod support;

use flare::api::{AppError, Provider};
use flare::browser::BrowserError;
use flare::messages::{WorkerReply, WorkerRequest};
use flare::popup::Popup;
use flare::tickets::TicketsPage;
use flare_core::http::{HttpResponse, Method};
use leptos::prelude::*;
use leptos::task::tick;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use crate::support::{
    abel, ada, fake, fake_network, json_response, mount_with, saved_connection, saved_connections,
    store_connection, store_saved_connection, tagged, zendesk_connection, FakePlatform, Mounted,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the popup in English, whatever language the test browser speaks.
fn mount(platform: FakePlatform) -> Mounted {
    mount_in(platform, "en")
}

fn mount_in(platform: FakePlatform, language: &str) -> Mounted {
    mount_with(platform, language, |platform, messages| {
        view! { <Popup platform messages/> }
    })
}

/// Follows the popup's tab named `tab` to the list page (`tickets.html`, in place of the popup):
/// mounts the list on `platform`, which gets the storage the popup left.
fn open_list(popup: Mounted, tab: &str, platform: FakePlatform, language: &str) -> Mounted {
    let tabs = popup.host.query_selector_all("[role=tab]").unwrap();
    let href = (0..tabs.length())
        .filter_map(|idx| tabs.get(idx))
        .map(|tab| tab.unchecked_into::<web_sys::Element>())
        .find(|link| link.text_content().as_deref() == Some(tab))
        .and_then(|link| link.get_attribute("href"));
    assert_eq!(
        href.as_deref(),
        Some("tickets.html"),
        "{tab} opens the list page"
    );
    *platform.storage.borrow_mut() = popup.platform.storage.borrow().clone();
    *platform.session.borrow_mut() = popup.platform.session.borrow().clone();
    drop(popup);
    mount_with(platform, language, |platform, messages| {
        view! { <TicketsPage platform messages/> }
    })
}

impl Mounted {
    /// The attribute `name` of the first element `selector` finds.
    fn attribute_of(&self, selector: &str, name: &str) -> Option<String> {
        self.find(selector)
            .and_then(|element| element.get_attribute(name))
    }

    /// Waits until the incident form shows, pre-filled from the fake page.
    async fn wait_for_prefilled_form(&self) {
        self.wait_for("the page title", |popup| {
            popup
                .find("[name=short_description]")
                .is_some_and(|_| popup.value("short_description") == "Payroll portal")
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn an_invalid_address_is_explained_before_anything_is_sent() {
    let popup = mount(fake(|_| {
        panic!("nothing may be sent for an invalid address")
    }));
    popup.fill_connect_form("ftp://acme").await;
    popup.click_button("Test connection");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert_eq!(
        popup.text_of("[role=alert]"),
        "Check the instance address: only https addresses are supported."
    );
    assert_eq!(
        popup.value("instance"),
        "ftp://acme",
        "the form keeps what was typed"
    );
}

#[wasm_bindgen_test]
async fn refused_credentials_are_explained_and_not_saved() {
    let popup = mount(fake(|_| {
        json_response(
            401,
            json!({"error": {"detail": "Required to provide Auth information", "message": "User Not Authenticated"}, "status": "failure"}),
        )
    }));
    popup.fill_connect_form("acme").await;
    popup.click_button("Save");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert!(popup
        .text_of("[role=alert]")
        .contains("did not accept this user name and password"));
    assert!(
        saved_connections(&popup.platform).is_empty(),
        "a failed connection is not saved"
    );
    let requests = popup.platform.requests.borrow();
    assert_eq!(requests.len(), 1);
    assert!(requests[0]
        .url
        .starts_with("https://acme.service-now.com/api/now/table/sys_user?"));
}

#[wasm_bindgen_test]
async fn a_declined_permission_is_explained() {
    let mut platform = fake(|_| panic!("nothing may be sent without permission"));
    platform.grant_permission = false;
    let popup = mount(platform);
    popup.fill_connect_form("acme").await;
    popup.click_button("Test connection");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert!(popup
        .text_of("[role=alert]")
        .contains("needs your permission to reach acme.service-now.com"));
}

#[wasm_bindgen_test]
async fn a_working_connection_is_saved_and_opens_the_incident_form() {
    let popup = mount(fake(|_| json_response(200, abel())));
    popup.fill_connect_form("acme").await;
    // As with a real instance, the typing is saved long before the connection test answers.
    popup
        .wait_for("the connect draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .contains_key("draft:connect")
        })
        .await;
    popup.click_button("Save");
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    let saved = saved_connections(&popup.platform);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["name"], "acme.service-now.com");
    let saved = &saved[0]["connection"];
    assert_eq!(saved["instance"], "https://acme.service-now.com");
    assert_eq!(
        saved["user"]["servicenow"]["sys_id"],
        "62826bf03710200044e0bfc8bcbe5df1"
    );
    assert!(
        popup
            .platform
            .storage
            .borrow()
            .get("draft:connect")
            .is_none(),
        "the connect draft is done with once the connection is saved"
    );
    popup
        .wait_for("the page title", |popup| {
            popup.value("short_description") == "Payroll portal"
        })
        .await;
    assert!(popup
        .value("page_details")
        .contains("Page: https://payroll.example.com/run"));
    assert!(popup
        .value("page_details")
        .contains("Browser: TestBrowser/1.0"));
}

#[wasm_bindgen_test]
async fn a_failed_create_keeps_the_form_and_the_draft() {
    let platform = fake(|request| match request.method {
        Method::Post => json_response(
            403,
            json!({"error": {"detail": "Error during insert of incident", "message": "Operation Failed"}, "status": "failure"}),
        ),
        _ => json_response(200, json!({"result": []})),
    });
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert!(popup
        .text_of("[role=alert]")
        .contains("not allowed to do this (Operation Failed: Error during insert of incident)"));
    assert_eq!(
        popup.value("short_description"),
        "Payroll run fails",
        "the form keeps what was typed"
    );
    let draft = popup
        .platform
        .storage
        .borrow()
        .get("draft:incident")
        .cloned()
        .expect("draft kept");
    assert_eq!(draft["short_description"], "Payroll run fails");
    let body: Value =
        serde_json::from_str(popup.platform.requests.borrow()[0].body_text().unwrap()).unwrap();
    assert_eq!(
        body["caller_id"], "62826bf03710200044e0bfc8bcbe5df1",
        "the caller is the connected user"
    );
}

#[wasm_bindgen_test]
async fn an_empty_title_is_refused_before_sending() {
    let platform = fake(|_| panic!("nothing may be sent without a title"));
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "   ");
    popup.click_button("Create incident");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert_eq!(
        popup.text_of("[role=alert]"),
        "Say in one line what is wrong."
    );
}

#[wasm_bindgen_test]
async fn a_hibernating_instance_is_named() {
    let platform = fake(|_| HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><head><title>Instance Hibernating page</title></head></html>".to_vec(),
    });
    let popup = mount(platform);
    popup.fill_connect_form("dev12345").await;
    popup.click_button("Test connection");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert!(popup
        .text_of("[role=alert]")
        .starts_with("The instance is hibernating."));
}

#[wasm_bindgen_test]
async fn a_create_whose_answer_was_lost_is_looked_up_not_filed_twice() {
    let n_posts = std::rc::Rc::new(std::cell::Cell::new(0));
    let posts = n_posts.clone();
    let platform = fake_network(move |request| match request.method {
        Method::Post => {
            posts.set(posts.get() + 1);
            Err(BrowserError::Network("Failed to fetch".into()))
        }
        // The lookup by correlation id finds what the lost create committed.
        _ if request.url.contains("correlation_id") => Ok(json_response(
            200,
            json!({"result": [{"sys_id": "a1", "number": "INC0010042", "short_description": "Payroll run fails",
                               "state": "1", "correlation_id": "flare-07070707070707070707070707070707"}]}),
        )),
        _ => Ok(json_response(200, json!({"result": []}))),
    });
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010042")
        })
        .await;
    assert_eq!(n_posts.get(), 1, "the create was sent once");
    let requests = popup.platform.requests.borrow();
    assert!(requests[0]
        .body_text()
        .unwrap_or_default()
        .contains("\"correlation_id\":\"flare-07070707070707070707070707070707\""));
    assert!(
        requests[1]
            .url
            .contains("sysparm_query=correlation_id%3Dflare-0707"),
        "{}",
        requests[1].url
    );
}

#[wasm_bindgen_test]
async fn a_lost_create_that_the_lookup_does_not_find_is_sent_again() {
    let n_posts = std::rc::Rc::new(std::cell::Cell::new(0));
    let posts = n_posts.clone();
    let platform = fake_network(move |request| match request.method {
        Method::Post => {
            posts.set(posts.get() + 1);
            match posts.get() {
                1 => Err(BrowserError::Network("Failed to fetch".into())),
                _ => Ok(created("INC0010043", "Payroll run fails")),
            }
        }
        // Nothing was committed: the lookup by correlation id finds nothing.
        _ => Ok(json_response(200, json!({"result": []}))),
    });
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010043")
                || popup.find("[role=alert]").is_some()
        })
        .await;
    assert_eq!(popup.text_of("[role=alert]"), "", "no error is shown");
    assert!(popup.text_of("[role=status]").contains("INC0010043"));
    assert_eq!(n_posts.get(), 2, "created again after the lookup, once");
    let methods: Vec<Method> = popup
        .platform
        .requests
        .borrow()
        .iter()
        .map(|request| request.method)
        .collect();
    assert_eq!(methods, [Method::Post, Method::Get, Method::Post]);
}

fn created(number: &str, title: &str) -> HttpResponse {
    json_response(
        201,
        json!({"result": {"sys_id": "a1", "number": number, "short_description": title,
                          "state": "1", "correlation_id": "flare-07070707070707070707070707070707"}}),
    )
}

#[wasm_bindgen_test]
async fn the_form_is_locked_while_filing_and_what_changed_meanwhile_is_kept() {
    let platform = fake(|request| match request.method {
        Method::Post => created("INC0010044", "Payroll run fails"),
        _ => json_response(200, json!({"result": []})),
    });
    store_saved_connection(&platform);
    platform.posts.close();
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("the pending create", |popup| {
            popup.text_of("[role=status]").contains("Creating")
        })
        .await;
    for name in ["short_description", "description", "urgency", "impact"] {
        assert!(popup.is_disabled(name), "{name} is locked while filing");
    }
    // Whatever still reaches the form meanwhile (a script, another view) is not wiped.
    popup.input("description", "Typed while filing");
    popup.platform.posts.open();
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010044")
        })
        .await;
    popup
        .wait_for("the form unlocked", |popup| {
            !popup.is_disabled("short_description")
        })
        .await;
    assert_eq!(popup.value("description"), "Typed while filing");
    popup
        .wait_for("the changed draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .get("draft:incident")
                .is_some_and(|draft| draft["description"] == "Typed while filing")
        })
        .await;
}

#[wasm_bindgen_test]
async fn a_filed_incident_clears_the_form_and_the_draft() {
    let platform = fake(|request| match request.method {
        Method::Post => created("INC0010045", "Payroll run fails"),
        _ => json_response(200, json!({"result": []})),
    });
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010045")
        })
        .await;
    popup
        .wait_for("the form blanked", |popup| {
            popup.value("short_description").is_empty()
        })
        .await;
    popup
        .wait_for("the draft removed", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .get("draft:incident")
                .is_none_or(|draft| draft["short_description"] == "")
        })
        .await;
}

#[wasm_bindgen_test]
async fn the_list_tab_waits_while_a_report_is_filed() {
    let platform = fake(|request| match request.method {
        Method::Post => created("INC0010046", "Payroll run fails"),
        _ => json_response(200, json!({"result": []})),
    });
    store_saved_connection(&platform);
    platform.posts.close();
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    let list_tab = "[role=tab][aria-selected=false]";
    assert_eq!(
        popup.attribute_of(list_tab, "href").as_deref(),
        Some("tickets.html")
    );
    popup.input("short_description", "Payroll run fails");
    popup.click_button("Create incident");
    popup
        .wait_for("the pending create", |popup| {
            popup.text_of("[role=status]").contains("Creating")
        })
        .await;
    // Leaving now would leave the draft behind, to be filed a second time.
    assert_eq!(popup.attribute_of(list_tab, "href"), None);
    assert_eq!(
        popup.attribute_of(list_tab, "aria-disabled").as_deref(),
        Some("true")
    );
    popup.platform.posts.open();
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010046")
        })
        .await;
    assert_eq!(
        popup.attribute_of(list_tab, "href").as_deref(),
        Some("tickets.html")
    );
    assert_eq!(popup.attribute_of(list_tab, "aria-disabled"), None);
}

#[wasm_bindgen_test]
async fn the_form_cannot_be_typed_in_before_the_draft_is_in() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    store_saved_connection(&platform);
    platform.page.close();
    let popup = mount(platform);
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    for _ in 0..20 {
        tick().await;
    }
    for name in ["short_description", "description", "urgency", "impact"] {
        assert!(
            popup.is_disabled(name),
            "{name} waits for the draft, or what is typed is overwritten"
        );
    }
    popup.platform.page.open();
    popup.wait_for_prefilled_form().await;
    popup
        .wait_for("the form unlocked", |popup| {
            !popup.is_disabled("short_description")
        })
        .await;
}

/// A page of my incidents numbered from `first`, with the `X-Total-Count` the instance sent.
fn incident_page(first: u64, n_incidents: u64, total: u64) -> HttpResponse {
    let records: Vec<Value> = (first..first + n_incidents)
        .map(|idx| {
            json!({"sys_id": format!("s{idx}"), "number": format!("INC{idx:07}"),
                   "short_description": format!("Incident {idx}"), "state": "1"})
        })
        .collect();
    let mut response = json_response(200, json!({ "result": records }));
    response
        .headers
        .push(("X-Total-Count".into(), total.to_string()));
    response
}

/// Opens the list page, whose first page has 20 of 25, and goes to the older page, which `older`
/// answers (the instance changed in between).
async fn open_older_page(older: impl Fn() -> HttpResponse + 'static) -> Mounted {
    let platform = fake(
        move |request| match request.url.contains("sysparm_offset=20") {
            true => older(),
            false => incident_page(0, 20, 25),
        },
    );
    store_saved_connection(&platform);
    let popup = mount_with(platform, "en", |platform, messages| {
        view! { <TicketsPage platform messages/> }
    });
    popup
        .wait_for("the first page", |popup| {
            popup.text_of(".pager").contains("1–20 of 25")
        })
        .await;
    popup.click_button("Older");
    popup
}

#[wasm_bindgen_test]
async fn an_older_page_behind_its_total_count_is_shown() {
    let popup = open_older_page(|| incident_page(20, 1, 5)).await;
    popup
        .wait_for("the older page", |popup| {
            popup.text_of(".tickets").contains("INC0000020")
        })
        .await;
    assert_eq!(popup.text_of(".pager span"), "21–21 of 21");
}

#[wasm_bindgen_test]
async fn an_empty_older_page_offers_the_way_back() {
    let popup = open_older_page(|| incident_page(20, 0, 20)).await;
    popup
        .wait_for("the empty page", |popup| {
            popup
                .text_of(".my-incidents")
                .contains("No more incidents here")
        })
        .await;
    popup.click_button("Back to the first page");
    popup
        .wait_for("the first page again", |popup| {
            popup.text_of(".tickets").contains("INC0000000")
        })
        .await;
}

#[wasm_bindgen_test]
async fn a_double_click_on_disconnect_disconnects_once() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    store_saved_connection(&platform);
    platform.connection_writes.close();
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    // Both clicks land before the button can show that it is busy.
    popup.click_button("Disconnect");
    popup.click_button("Disconnect");
    popup.platform.connection_writes.let_one_through();
    popup
        .wait_for("the connect form", |popup| {
            popup.find("[name=instance]").is_some()
        })
        .await;
    popup.platform.connection_writes.let_one_through();
    for _ in 0..20 {
        tick().await;
    }
    assert!(popup.find("[name=instance]").is_some());
    assert!(saved_connections(&popup.platform).is_empty());
}

#[wasm_bindgen_test]
async fn the_connect_form_keeps_address_and_user_name_but_never_the_password() {
    let popup = mount(fake(|_| panic!("nothing is sent while typing")));
    popup.fill_connect_form("acme").await;
    popup
        .wait_for("the connect draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .get("draft:connect")
                .is_some_and(|draft| {
                    draft["instance"] == "acme" && draft["username"] == "abel.tuter"
                })
        })
        .await;
    let stored = Value::Object(
        popup
            .platform
            .storage
            .borrow()
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    );
    assert!(
        !stored.to_string().contains("pw"),
        "the password is never stored: {stored}"
    );

    // The browser restarted (`storage.session` is gone); the next popup finds the fields as they
    // were, and no password.
    let reopened = fake(|_| panic!("nothing is sent while restoring"));
    *reopened.storage.borrow_mut() = popup.platform.storage.borrow().clone();
    let reopened = mount(reopened);
    reopened
        .wait_for("the restored fields", |popup| {
            popup.find("[name=instance]").is_some() && popup.value("instance") == "acme"
        })
        .await;
    assert_eq!(reopened.value("username"), "abel.tuter");
    assert_eq!(reopened.value("password"), "");
}

#[wasm_bindgen_test]
async fn rate_limited_reads_wait_and_retry() {
    let n_calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let calls = n_calls.clone();
    let platform = fake(move |_| {
        calls.set(calls.get() + 1);
        match calls.get() {
            1 => HttpResponse::new(
                429,
                vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("Retry-After".into(), "3".into()),
                ],
                r#"{"error":{"message":"Rate limit exceeded","detail":"x"},"status":"failure"}"#,
            ),
            _ => json_response(200, abel()),
        }
    });
    let popup = mount(platform);
    popup.fill_connect_form("acme").await;
    popup.click_button("Test connection");
    popup
        .wait_for("the outcome", |popup| {
            popup.text_of("[role=status]").contains("Connection works")
        })
        .await;
    assert_eq!(
        *popup.platform.sleeps.borrow(),
        [3_000],
        "waited as Retry-After said"
    );
    assert_eq!(n_calls.get(), 2);
}

#[wasm_bindgen_test]
async fn an_upgrade_keeps_the_connection_and_the_draft() {
    // Flare 0.1 kept one connection under `connection` and had no layout version.
    let platform = fake(|_| panic!("nothing is sent before the user acts"));
    {
        let mut storage = platform.storage.borrow_mut();
        storage.insert("connection".into(), saved_connection());
        storage.insert(
            "draft:incident".into(),
            json!({"short_description": "Payroll run fails", "description": "Since 9:00",
                   "urgency": "2", "impact": "2"}),
        );
    }
    let popup = mount(platform);
    popup
        .wait_for("the draft in the form", |popup| {
            popup.find("[name=short_description]").is_some()
                && popup.value("short_description") == "Payroll run fails"
        })
        .await;
    assert!(popup.text_of(".account").contains("acme.service-now.com"));
    let storage = popup.platform.storage.borrow();
    assert_eq!(storage.get("schema_version"), Some(&json!(2)));
    assert!(storage.get("connection").is_none(), "the old key is gone");
    let saved = saved_connections(&popup.platform);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["connection"], tagged(saved_connection()));
}

#[wasm_bindgen_test]
async fn a_german_browser_gets_german_words() {
    let platform = fake(|_| {
        json_response(
            401,
            json!({"error": {"detail": "Required to provide Auth information", "message": "User Not Authenticated"}, "status": "failure"}),
        )
    });
    let popup = mount_in(platform, "de");
    popup.fill_connect_form("acme").await;
    assert_eq!(popup.text_of("h2"), "Mit ServiceNow verbinden");
    assert!(
        popup.find("main[lang=de]").is_some(),
        "screen readers speak it as German"
    );
    let placeholder = popup
        .find("[name=instance]")
        .and_then(|input| input.get_attribute("placeholder"));
    assert_eq!(
        placeholder.as_deref(),
        Some("acme oder acme.service-now.com")
    );
    popup.click_button("Verbindung testen");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert_eq!(
        popup.text_of("[role=alert]"),
        "Die Instanz hat diesen Benutzernamen und dieses Passwort nicht akzeptiert. \
         Prüfen Sie beides und versuchen Sie es erneut."
    );
}

#[wasm_bindgen_test]
async fn german_words_wrap_the_values_where_german_puts_them() {
    let platform = fake(|request| match request.method {
        Method::Post => created("INC0010047", "Lohnlauf schlägt fehl"),
        _ => json_response(200, json!({"result": []})),
    });
    store_saved_connection(&platform);
    let popup = mount_in(platform, "de");
    popup.wait_for_prefilled_form().await;
    assert_eq!(
        popup.text_of(".account span"),
        "Angemeldet bei acme.service-now.com als Abel Tuter"
    );
    assert_eq!(popup.text_of(".priority"), "Priorität: 3 - Mäßig");
    assert_eq!(popup.text_of("select[name=urgency] option"), "1 - Hoch");
    popup.input("short_description", "Lohnlauf schlägt fehl");
    popup.click_button("Meldung erstellen");
    popup
        .wait_for("the created incident", |popup| {
            popup.text_of("[role=status]").contains("INC0010047")
        })
        .await;
    assert_eq!(
        popup.text_of("[role=status]"),
        "Meldung INC0010047 erstellt: Lohnlauf schlägt fehl"
    );
    assert_eq!(popup.text_of("[role=status] a"), "INC0010047");
}

#[wasm_bindgen_test]
async fn an_oauth_sign_in_runs_in_the_worker_and_opens_the_saved_connection() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    *platform.worker_reply.borrow_mut() = Some(WorkerReply::Connected {
        host: "acme.service-now.com".into(),
        user_name: "Abel Tuter".into(),
    });
    let popup = mount(platform);
    popup
        .wait_for("the connect form", |popup| {
            popup.find("[name=method]").is_some() && !popup.is_disabled("instance")
        })
        .await;
    popup.choose("method", "oauth");
    popup
        .wait_for("the client id field", |popup| {
            popup.find("[name=client_id]").is_some()
        })
        .await;
    assert!(
        popup.find("[name=password]").is_none(),
        "no password is asked for"
    );
    popup.input("instance", "acme");
    popup.input("client_id", " flare-app ");
    popup.click_button("Sign in");
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    assert_eq!(
        *popup.platform.asked_worker.borrow(),
        [WorkerRequest::SignInWithOAuth {
            provider: Provider::ServiceNow,
            instance: "acme".into(),
            client_id: "flare-app".into(),
            client_secret: None,
        }]
    );
    assert!(popup.text_of(".account").contains("acme.service-now.com"));
}

#[wasm_bindgen_test]
async fn a_closed_sign_in_window_is_explained_and_the_form_kept() {
    let platform = fake(|_| panic!("the worker does the sign-in"));
    *platform.worker_reply.borrow_mut() = Some(WorkerReply::Failed {
        error: AppError::SignInClosed,
    });
    let popup = mount(platform);
    popup
        .wait_for("the connect form", |popup| {
            popup.find("[name=method]").is_some() && !popup.is_disabled("instance")
        })
        .await;
    popup.choose("method", "oauth");
    popup
        .wait_for("the client id field", |popup| {
            popup.find("[name=client_id]").is_some()
        })
        .await;
    popup.input("instance", "acme");
    popup.input("client_id", "flare-app");
    popup.click_button("Sign in");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert!(popup
        .text_of("[role=alert]")
        .contains("The sign-in window closed before you signed in"));
    assert_eq!(popup.value("client_id"), "flare-app");
}

#[wasm_bindgen_test]
async fn a_second_connection_is_added_and_the_popup_switches_between_them() {
    let platform = fake(|request| {
        let user = match request.url.contains("globex") {
            true => json!({"result": [{"sys_id": "u2", "user_name": "abel.tuter",
                                       "name": "Abel at Globex", "email": ""}]}),
            false => abel(),
        };
        json_response(200, user)
    });
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup
        .wait_for("the signed-in view", |popup| {
            popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    assert!(
        popup.find("[name=connection]").is_none(),
        "one connection needs no switcher"
    );

    popup.click_button("Add connection");
    popup.fill_connect_form("globex").await;
    popup
        .wait_for("the connect draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .contains_key("draft:connect")
        })
        .await;
    popup.click_button("Save");
    popup
        .wait_for("the new connection shown", |popup| {
            popup.text_of(".account").contains("globex.service-now.com")
        })
        .await;
    assert_eq!(saved_connections(&popup.platform).len(), 2);

    popup
        .wait_for("the switcher", |popup| {
            popup.find("[name=connection]").is_some()
        })
        .await;
    popup.choose("connection", "c1");
    popup
        .wait_for("the first connection again", |popup| {
            popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    assert_eq!(
        popup.platform.storage.borrow()["connections"]["default_id"],
        "c1",
        "the choice is remembered"
    );

    // Disconnecting moves on to the connection left, and gives back only the unused host.
    popup
        .wait_for("the switcher", |popup| {
            popup.find("[name=connection]").is_some()
        })
        .await;
    popup.choose("connection", "070707070707");
    popup
        .wait_for("globex again", |popup| {
            popup.text_of(".account").contains("globex.service-now.com")
        })
        .await;
    popup.click_button("Disconnect");
    popup
        .wait_for("acme after the disconnect", |popup| {
            popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    assert_eq!(
        *popup.platform.removed_permissions.borrow(),
        ["https://globex.service-now.com/*"]
    );
    assert_eq!(saved_connections(&popup.platform).len(), 1);
}

fn zendesk_ticket(id: u64, subject: &str, status: &str) -> Value {
    json!({"id": id, "subject": subject, "description": "It jams", "status": status,
           "priority": "high", "requester_id": 10001, "external_id": "flare-07",
           "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:30:00Z"})
}

#[wasm_bindgen_test]
async fn a_connection_saved_before_zendesk_still_opens() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    store_connection(&platform, 1, saved_connection());
    let popup = mount(platform);
    popup.wait_for_prefilled_form().await;
    assert_eq!(
        popup.text_of(".account span"),
        "Signed in to acme.service-now.com as Abel Tuter"
    );
    assert!(popup.find("[name=urgency]").is_some(), "the incident form");
    let storage = popup.platform.storage.borrow();
    assert_eq!(storage["schema_version"], json!(2));
    assert_eq!(
        storage["connections"]["connections"][0]["connection"],
        tagged(saved_connection()),
        "kept as it was, its user now tagged as ServiceNow's"
    );
}

#[wasm_bindgen_test]
async fn a_zendesk_account_connects_with_an_email_and_api_token() {
    let popup = mount(fake(|request| {
        assert_eq!(request.url, "https://acme.zendesk.com/api/v2/users/me.json");
        json_response(200, ada())
    }));
    popup.choose_zendesk().await;
    assert_eq!(popup.text_of("h2"), "Connect to Zendesk");
    assert_eq!(
        popup.attribute("instance", "placeholder").as_deref(),
        Some("acme or acme.zendesk.com")
    );
    assert_eq!(
        popup.text_of("select[name=method]"),
        "Email address and API token\nZendesk sign-in (OAuth)"
    );
    assert!(popup.find("[name=password]").is_none(), "no password");
    popup.input("instance", "acme");
    popup.input("email", "admin@example.com");
    popup.input("api_token", "tok");
    popup
        .wait_for("the connect draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .get("draft:connect")
                .is_some_and(|draft| draft["email"] == "admin@example.com")
        })
        .await;
    let draft = popup.platform.storage.borrow()["draft:connect"].clone();
    assert_eq!(draft["provider"], "zendesk");
    assert_eq!(draft["method"], "api_token");
    assert!(
        !draft.to_string().contains("tok\""),
        "the token is never a draft: {draft}"
    );
    popup.click_button("Save");
    popup
        .wait_for("the ticket form", |popup| {
            popup.find("[name=subject]").is_some()
        })
        .await;
    let requests = popup.platform.requests.borrow();
    // `admin@example.com/token:tok`, Zendesk's API token sign-in.
    assert_eq!(
        requests[0].header("Authorization"),
        Some("Basic YWRtaW5AZXhhbXBsZS5jb20vdG9rZW46dG9r")
    );
    let saved = saved_connections(&popup.platform);
    assert_eq!(saved[0]["name"], "acme.zendesk.com");
    assert_eq!(saved[0]["connection"], zendesk_connection());
    assert_eq!(
        popup.text_of(".account span"),
        "Signed in to acme.zendesk.com as Ada Admin"
    );
    assert_eq!(popup.text_of("[role=tab]"), "New ticket");
}

#[wasm_bindgen_test]
async fn a_zendesk_oauth_sign_in_runs_in_the_worker() {
    let platform = fake(|_| json_response(200, json!({"tickets": [], "count": 0})));
    *platform.worker_reply.borrow_mut() = Some(WorkerReply::Connected {
        host: "acme.zendesk.com".into(),
        user_name: "Ada Admin".into(),
    });
    *platform.worker_connection.borrow_mut() = Some(zendesk_connection());
    let popup = mount(platform);
    popup.choose_zendesk().await;
    popup.choose("method", "oauth");
    popup
        .wait_for("the client id field", |popup| {
            popup.find("[name=client_id]").is_some()
        })
        .await;
    assert!(popup.find("[name=api_token]").is_none());
    popup.input("instance", "https://acme.zendesk.com/agent/tickets/7");
    popup.input("client_id", "flare");
    popup.click_button("Sign in");
    popup
        .wait_for("the ticket form", |popup| {
            popup.find("[name=subject]").is_some()
        })
        .await;
    assert_eq!(
        *popup.platform.asked_worker.borrow(),
        [WorkerRequest::SignInWithOAuth {
            provider: Provider::Zendesk,
            instance: "https://acme.zendesk.com/agent/tickets/7".into(),
            client_id: "flare".into(),
            client_secret: None,
        }]
    );
    assert!(popup.text_of(".account").contains("acme.zendesk.com"));
}

#[wasm_bindgen_test]
async fn refused_zendesk_credentials_show_under_them_and_take_the_focus() {
    let popup = mount(fake(|_| {
        json_response(401, json!({"error": "Couldn't authenticate you"}))
    }));
    popup.choose_zendesk().await;
    popup.input("instance", "acme");
    popup.input("email", "admin@example.com");
    popup.input("api_token", "wrong");
    popup.click_button("Test connection");
    popup
        .wait_for("the focus on the e-mail address", |popup| {
            popup.focused_name().as_deref() == Some("email")
        })
        .await;
    assert_eq!(
        popup.text_of("#connect-credentials-error"),
        "Zendesk did not accept this email address and API token. Check them and try again."
    );
    assert_eq!(
        popup.attribute("api_token", "aria-describedby").as_deref(),
        Some("connect-credentials-error")
    );
    for field in ["email", "api_token"] {
        assert_eq!(
            popup.attribute(field, "aria-invalid").as_deref(),
            Some("true")
        );
    }
    assert_eq!(popup.attribute("instance", "aria-invalid"), None);
    assert!(popup.find("#connect-address-error").is_none());
    assert_eq!(
        popup
            .host
            .query_selector_all("[role=alert]")
            .unwrap()
            .length(),
        1,
        "said once, where it applies"
    );
}

#[wasm_bindgen_test]
async fn a_wrong_address_shows_under_the_address_and_takes_the_focus() {
    let popup = mount(fake(|_| panic!("nothing is sent for an invalid address")));
    popup.fill_connect_form("ftp://acme").await;
    popup.click_button("Save");
    popup
        .wait_for("the focus on the address", |popup| {
            popup.focused_name().as_deref() == Some("instance")
        })
        .await;
    assert_eq!(
        popup.text_of("#connect-address-error"),
        "Check the instance address: only https addresses are supported."
    );
    assert_eq!(
        popup.attribute("instance", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        popup.attribute("instance", "aria-describedby").as_deref(),
        Some("connect-address-error")
    );
    assert_eq!(popup.attribute("username", "aria-invalid"), None);
    assert_eq!(popup.attribute("username", "aria-describedby"), None);
}

#[wasm_bindgen_test]
async fn a_closed_zendesk_sign_in_window_shows_under_the_client_id() {
    let platform = fake(|_| panic!("the worker does the sign-in"));
    *platform.worker_reply.borrow_mut() = Some(WorkerReply::Failed {
        error: AppError::SignInClosed,
    });
    let popup = mount(platform);
    popup.choose_zendesk().await;
    popup.choose("method", "oauth");
    popup
        .wait_for("the client id field", |popup| {
            popup.find("[name=client_id]").is_some()
        })
        .await;
    popup.input("instance", "acme");
    popup.input("client_id", "nobody-knows-me");
    popup.click_button("Sign in");
    popup
        .wait_for("the focus on the client id", |popup| {
            popup.focused_name().as_deref() == Some("client_id")
        })
        .await;
    assert!(popup
        .text_of("#connect-credentials-error")
        .starts_with("The sign-in window closed before you signed in."));
    assert_eq!(
        popup.attribute("client_id", "aria-describedby").as_deref(),
        Some("connect-credentials-error")
    );
    assert_eq!(popup.attribute("client_secret", "aria-invalid"), None);
}

#[wasm_bindgen_test]
async fn being_offline_shows_in_the_form_alert_not_under_a_field() {
    let popup = mount(fake_network(|_| {
        Err(BrowserError::Network("Failed to fetch".into()))
    }));
    popup.fill_connect_form("acme").await;
    popup.click_button("Test connection");
    popup
        .wait_for("an alert", |popup| popup.find("[role=alert]").is_some())
        .await;
    assert_eq!(
        popup.text_of("[aria-live] [role=alert]"),
        "Could not reach the instance. Check the address and your network connection."
    );
    assert!(
        popup.find("[aria-invalid]").is_none(),
        "no field is at fault"
    );
    assert!(popup.find(".field-error").is_none());
}

#[wasm_bindgen_test]
async fn a_zendesk_ticket_is_filed_and_listed_as_a_ticket() {
    let platform = fake(|request| match request.method {
        Method::Post => json_response(
            201,
            json!({"ticket": zendesk_ticket(42, "Payroll portal", "new"), "audit": {}}),
        ),
        _ => json_response(
            200,
            json!({"tickets": [zendesk_ticket(42, "Payroll portal", "open")],
                   "next_page": null, "count": 1}),
        ),
    });
    store_connection(&platform, 2, zendesk_connection());
    let popup = mount(platform);
    popup
        .wait_for("the subject from the page", |popup| {
            popup.find("[name=subject]").is_some() && popup.value("subject") == "Payroll portal"
        })
        .await;
    let tabs = popup.host.query_selector_all("[role=tab]").unwrap();
    let tab_names: Vec<String> = (0..tabs.length())
        .filter_map(|idx| tabs.get(idx))
        .map(|tab| tab.text_content().unwrap_or_default())
        .collect();
    assert_eq!(tab_names, ["New ticket", "My tickets"]);
    assert!(
        popup.find("[name=urgency]").is_none(),
        "Zendesk has no urgency"
    );
    assert_eq!(popup.value("priority"), "normal");
    popup.choose("priority", "high");
    popup.click_button("Create ticket");
    popup
        .wait_for("the created ticket", |popup| {
            popup.text_of("[role=status]").contains("#42")
        })
        .await;
    assert_eq!(
        popup.text_of("[role=status]"),
        "Created ticket #42: Payroll portal"
    );
    assert_eq!(
        popup
            .find("[role=status] a")
            .and_then(|link| link.get_attribute("href"))
            .as_deref(),
        Some("https://acme.zendesk.com/agent/tickets/42")
    );
    {
        let requests = popup.platform.requests.borrow();
        let create = &requests[0];
        assert_eq!(create.url, "https://acme.zendesk.com/api/v2/tickets.json");
        let body: Value = serde_json::from_str(create.body_text().unwrap()).unwrap();
        let ticket = &body["ticket"];
        assert_eq!(ticket["subject"], "Payroll portal");
        assert_eq!(ticket["priority"], "high");
        assert!(ticket["comment"]["body"]
            .as_str()
            .unwrap()
            .contains("Page: https://payroll.example.com/run"));
        assert!(ticket["external_id"]
            .as_str()
            .unwrap()
            .starts_with("flare-"));
        assert!(
            ticket.get("requester_id").is_none(),
            "the signed-in user asks"
        );
    }

    let listed = fake(|_| {
        json_response(
            200,
            json!({"tickets": [zendesk_ticket(42, "Payroll portal", "open")],
                   "next_page": null, "count": 1}),
        )
    });
    let popup = open_list(popup, "My tickets", listed, "en");
    popup
        .wait_for("the list", |popup| popup.find(".ticket").is_some())
        .await;
    assert_eq!(
        popup
            .find("ul.tickets")
            .and_then(|list| list.get_attribute("aria-label"))
            .as_deref(),
        Some("My tickets")
    );
    assert_eq!(popup.text_of(".ticket-head a"), "#42");
    assert_eq!(popup.text_of(".state"), "Open");
    assert_eq!(popup.text_of(".pager span"), "1–1 of 1");
    let pager = popup.host.query_selector_all(".pager button").unwrap();
    let pager_labels: Vec<String> = (0..pager.length())
        .filter_map(|idx| pager.get(idx))
        .map(|button| button.text_content().unwrap_or_default())
        .collect();
    assert_eq!(
        pager_labels,
        ["Previous", "Next"],
        "Zendesk lists oldest first"
    );
    let requests = popup.platform.requests.borrow();
    assert_eq!(
        requests.last().map(|request| request.url.as_str()),
        Some(
            "https://acme.zendesk.com/api/v2/users/10001/tickets/requested.json?page=1&per_page=20"
        )
    );
}

#[wasm_bindgen_test]
async fn zendesk_statuses_and_priorities_are_german_for_a_german_user() {
    let platform = fake(|_| {
        json_response(
            200,
            json!({"tickets": [zendesk_ticket(7, "Drucker", "pending")], "next_page": null,
                   "count": 1}),
        )
    });
    store_connection(&platform, 2, zendesk_connection());
    let popup = mount_in(platform, "de");
    popup
        .wait_for("the ticket form", |popup| {
            popup.find("[name=subject]").is_some() && !popup.is_disabled("subject")
        })
        .await;
    assert_eq!(popup.text_of("select[name=priority] option"), "Niedrig");
    assert_eq!(popup.text_of("button[type=submit]"), "Ticket erstellen");
    let listed = fake(|_| {
        json_response(
            200,
            json!({"tickets": [zendesk_ticket(7, "Drucker", "pending")], "next_page": null,
                   "count": 1}),
        )
    });
    let popup = open_list(popup, "Meine Tickets", listed, "de");
    popup
        .wait_for("the list", |popup| popup.find(".ticket").is_some())
        .await;
    assert_eq!(popup.text_of(".state"), "Wartend");
}

/// The instance's origin pattern, as the connect form asks for it.
const ACME_ORIGINS: &str = "https://acme.service-now.com/*";

/// The popup closed (the browser's permission prompt took it, or the user clicked away) and the
/// user opens it again: a new page on `platform`, which has kept `storage.local` and
/// `storage.session` as the browser does while it runs.
fn reopen(closed: Mounted, platform: FakePlatform) -> Mounted {
    *platform.storage.borrow_mut() = closed.platform.storage.borrow().clone();
    *platform.session.borrow_mut() = closed.platform.session.borrow().clone();
    drop(closed);
    mount(platform)
}

/// Fills the connect form for acme and clicks Save; the browser's permission prompt opens and
/// stays unanswered.
async fn save_into_the_permission_prompt() -> Mounted {
    let platform = fake(|_| panic!("nothing is sent before access is granted"));
    platform.permission_prompt.close();
    let popup = mount(platform);
    popup.fill_connect_form("acme").await;
    popup.click_button("Save");
    popup
        .wait_for("the permission prompt", |popup| {
            !popup.platform.requested_permissions.borrow().is_empty()
        })
        .await;
    assert!(
        popup
            .platform
            .session
            .borrow()
            .contains_key("connect:pending"),
        "recorded before the prompt opens"
    );
    assert_eq!(
        *popup.platform.requested_permissions.borrow(),
        [ACME_ORIGINS]
    );
    popup
}

/// A fake on which the user has allowed Flare to reach acme.
fn granted(platform: FakePlatform) -> FakePlatform {
    platform
        .held_permissions
        .borrow_mut()
        .push(ACME_ORIGINS.to_owned());
    platform
}

#[wasm_bindgen_test]
async fn the_secrets_typed_are_kept_for_the_session_only_and_go_once_saved() {
    let popup = mount(fake(|_| panic!("nothing is sent while typing")));
    popup.fill_connect_form("acme").await;
    popup
        .wait_for("the password kept for the session", |popup| {
            popup
                .platform
                .session
                .borrow()
                .get("connect:secrets")
                .is_some_and(|secrets| secrets["password"] == "pw")
        })
        .await;
    popup
        .wait_for("the connect draft saved", |popup| {
            popup
                .platform
                .storage
                .borrow()
                .get("draft:connect")
                .is_some_and(|draft| draft["username"] == "abel.tuter")
        })
        .await;
    let local = Value::Object(
        popup
            .platform
            .storage
            .borrow()
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    );
    assert!(
        !local.to_string().contains("pw"),
        "the password never reaches storage.local: {local}"
    );

    // Reopened while the browser runs, the form has everything that was typed.
    let popup = reopen(popup, fake(|_| json_response(200, abel())));
    popup
        .wait_for("the password back", |popup| {
            popup.find("[name=password]").is_some() && popup.value("password") == "pw"
        })
        .await;
    assert_eq!(popup.value("instance"), "acme");
    assert_eq!(popup.value("username"), "abel.tuter");
    popup.click_button("Save");
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    let session = popup.platform.session.borrow();
    assert!(
        session.is_empty(),
        "secrets and attempt are done with: {session:?}"
    );
}

#[wasm_bindgen_test]
async fn cancelling_forgets_the_secrets_typed() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    store_saved_connection(&platform);
    let popup = mount(platform);
    popup
        .wait_for("the signed-in view", |popup| {
            popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    popup.click_button("Add connection");
    popup.fill_connect_form("globex").await;
    popup
        .wait_for("the password kept for the session", |popup| {
            popup
                .platform
                .session
                .borrow()
                .get("connect:secrets")
                .is_some_and(|secrets| secrets["password"] == "pw")
        })
        .await;
    popup.click_button("Cancel");
    popup
        .wait_for("the saved connection again", |popup| {
            popup.find("[name=instance]").is_none()
                && popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    let session = popup.platform.session.borrow();
    assert!(session.is_empty(), "the secrets are forgotten: {session:?}");
}

#[wasm_bindgen_test]
async fn an_attempt_the_permission_prompt_cut_short_goes_on_when_reopened_with_access() {
    let popup = save_into_the_permission_prompt().await;
    // The prompt closed the popup; the user allowed, and opens Flare again.
    let popup = reopen(popup, granted(fake(|_| json_response(200, abel()))));
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    assert!(
        popup.platform.requested_permissions.borrow().is_empty(),
        "nothing is asked without a click"
    );
    {
        let requests = popup.platform.requests.borrow();
        assert_eq!(
            requests[0].header("Authorization"),
            Some("Basic YWJlbC50dXRlcjpwdw=="),
            "signed in with the password typed before the popup closed"
        );
    }
    let saved = saved_connections(&popup.platform);
    assert_eq!(saved.len(), 1);
    assert_eq!(
        saved[0]["connection"]["instance"],
        "https://acme.service-now.com"
    );
    assert!(popup.platform.session.borrow().is_empty());
    assert!(popup
        .platform
        .storage
        .borrow()
        .get("draft:connect")
        .is_none());
}

#[wasm_bindgen_test]
async fn an_attempt_without_access_yet_shows_the_form_as_it_was_and_asks_to_click_again() {
    let popup = save_into_the_permission_prompt().await;
    // The prompt closed the popup, and the user did not allow.
    let popup = reopen(popup, fake(|_| json_response(200, abel())));
    popup
        .wait_for("the form as it was, explained", |popup| {
            popup.text_of("[role=status]").contains("not granted")
                && popup.value("instance") == "acme"
                && !popup.is_disabled("instance")
        })
        .await;
    assert_eq!(
        popup.text_of("[role=status]"),
        "Access to acme.service-now.com was not granted yet. Click Save again to allow it."
    );
    assert_eq!(popup.value("instance"), "acme");
    assert_eq!(popup.value("username"), "abel.tuter");
    assert_eq!(popup.value("password"), "pw");
    assert!(popup.platform.requests.borrow().is_empty());
    assert!(popup.platform.requested_permissions.borrow().is_empty());
    assert!(
        !popup
            .platform
            .session
            .borrow()
            .contains_key("connect:pending"),
        "said once, the attempt is over"
    );

    popup.click_button("Save");
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    assert_eq!(
        *popup.platform.requested_permissions.borrow(),
        [ACME_ORIGINS]
    );
}

#[wasm_bindgen_test]
async fn a_pending_attempt_older_than_five_minutes_is_dropped() {
    let popup = save_into_the_permission_prompt().await;
    let later = granted(fake(|_| panic!("an old attempt is not continued")));
    later.now_ms.set(later.now_ms.get() + 5 * 60 * 1000 + 1);
    let popup = reopen(popup, later);
    popup
        .wait_for("the attempt dropped", |popup| {
            popup.find("[name=instance]").is_some()
                && !popup.is_disabled("instance")
                && !popup
                    .platform
                    .session
                    .borrow()
                    .contains_key("connect:pending")
        })
        .await;
    for _ in 0..20 {
        tick().await;
    }
    assert!(popup.platform.requests.borrow().is_empty());
    assert_eq!(popup.text_of("[role=status]"), "", "nothing to say");
    assert_eq!(popup.value("instance"), "acme", "the draft stays");
    assert_eq!(popup.value("password"), "pw", "and so do the secrets");
}

#[wasm_bindgen_test]
async fn a_sign_in_the_permission_prompt_cut_short_asks_the_worker_when_reopened() {
    let platform = fake(|_| panic!("the worker does the sign-in"));
    platform.permission_prompt.close();
    let popup = mount(platform);
    popup
        .wait_for("the connect form", |popup| {
            popup.find("[name=method]").is_some() && !popup.is_disabled("instance")
        })
        .await;
    popup.choose("method", "oauth");
    popup
        .wait_for("the client id field", |popup| {
            popup.find("[name=client_id]").is_some()
        })
        .await;
    popup.input("instance", "acme");
    popup.input("client_id", "flare-app");
    popup.input("client_secret", "s3cret");
    popup.click_button("Sign in");
    popup
        .wait_for("the attempt recorded", |popup| {
            popup
                .platform
                .session
                .borrow()
                .contains_key("connect:pending")
        })
        .await;

    let reopened = granted(fake(|_| json_response(200, json!({"result": []}))));
    *reopened.worker_reply.borrow_mut() = Some(WorkerReply::Connected {
        host: "acme.service-now.com".into(),
        user_name: "Abel Tuter".into(),
    });
    let popup = reopen(popup, reopened);
    popup
        .wait_for("the incident form", |popup| {
            popup.find("[name=short_description]").is_some()
        })
        .await;
    assert_eq!(
        *popup.platform.asked_worker.borrow(),
        [WorkerRequest::SignInWithOAuth {
            provider: Provider::ServiceNow,
            instance: "acme".into(),
            client_id: "flare-app".into(),
            client_secret: Some("s3cret".into()),
        }]
    );
    assert!(popup.platform.requested_permissions.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn a_further_connection_cut_short_goes_on_over_the_saved_one() {
    let platform = fake(|_| json_response(200, json!({"result": []})));
    store_saved_connection(&platform);
    platform.permission_prompt.close();
    let popup = mount(platform);
    popup
        .wait_for("the signed-in view", |popup| {
            popup.text_of(".account").contains("acme.service-now.com")
        })
        .await;
    popup.click_button("Add connection");
    popup.fill_connect_form("globex").await;
    popup.click_button("Save");
    popup
        .wait_for("the attempt recorded", |popup| {
            popup
                .platform
                .session
                .borrow()
                .contains_key("connect:pending")
        })
        .await;

    let reopened = fake(|_| {
        json_response(
            200,
            json!({"result": [{"sys_id": "u2", "user_name": "abel.tuter",
                               "name": "Abel at Globex", "email": ""}]}),
        )
    });
    reopened
        .held_permissions
        .borrow_mut()
        .push("https://globex.service-now.com/*".to_owned());
    let popup = reopen(popup, reopened);
    popup
        .wait_for("the new connection shown", |popup| {
            popup.text_of(".account").contains("globex.service-now.com")
        })
        .await;
    assert_eq!(saved_connections(&popup.platform).len(), 2);
}
