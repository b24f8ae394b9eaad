//! Options page components in a real browser (wasm-bindgen-test in headless Chromium), against
//! the same fake platform as the popup's tests.
#![cfg(target_arch = "wasm32")]

mod support;

use flare::options::Options;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use crate::support::{
    abel, fake, json_response, mount_with, saved_connections, store_saved_connection,
    zendesk_connection, FakePlatform, Mounted,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the options page in English, whatever language the test browser speaks.
fn mount(platform: FakePlatform) -> Mounted {
    mount_with(platform, "en", |platform, messages| {
        view! { <Options platform messages/> }.into_any()
    })
}

/// A fake with Abel's ServiceNow connection and Ada's Zendesk one (the default), as storage
/// keeps them.
fn two_connections() -> FakePlatform {
    let platform = fake(|_| json_response(200, abel()));
    store_saved_connection(&platform);
    let mut storage = platform.storage.borrow_mut();
    let mut saved = storage["connections"].clone();
    saved["connections"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "z1", "name": "Support", "connection": zendesk_connection()}));
    saved["default_id"] = json!("z1");
    storage.insert("connections".into(), saved);
    drop(storage);
    platform
}

impl OptionsView for Mounted {
    fn card(&self, name: &str) -> Option<web_sys::HtmlElement> {
        let cards = self.host.query_selector_all("article").unwrap();
        (0..cards.length())
            .filter_map(|idx| cards.get(idx))
            .map(JsCast::unchecked_into::<web_sys::HtmlElement>)
            .find(|card| self.text_in(card, "h3") == name)
    }

    fn click_in(&self, card: &str, label: &str) {
        let card = self.card(card).unwrap_or_else(|| panic!("no card {card}"));
        let buttons = card.query_selector_all("button").unwrap();
        let button = (0..buttons.length())
            .filter_map(|idx| buttons.get(idx))
            .map(JsCast::unchecked_into::<web_sys::HtmlElement>)
            .find(|button| button.inner_text().trim() == label)
            .unwrap_or_else(|| panic!("no button {label} in the card"));
        button.click();
    }

    fn text_in(&self, element: &web_sys::HtmlElement, selector: &str) -> String {
        element
            .query_selector(selector)
            .unwrap()
            .map(|found| found.unchecked_into::<web_sys::HtmlElement>().inner_text())
            .unwrap_or_default()
    }
}

/// What the tests look at on the options page.
trait OptionsView {
    /// The connection card whose heading is `name`.
    fn card(&self, name: &str) -> Option<web_sys::HtmlElement>;
    /// Clicks the button `label` in the card `card`.
    fn click_in(&self, card: &str, label: &str);
    /// The text of the first `selector` inside `element`.
    fn text_in(&self, element: &web_sys::HtmlElement, selector: &str) -> String;
}

fn stored(platform: &FakePlatform, key: &str) -> Option<Value> {
    platform.storage.borrow().get(key).cloned()
}

#[wasm_bindgen_test]
async fn connections_are_listed_with_the_default_marked_and_can_be_renamed() {
    let page = mount(two_connections());
    page.wait_for("both cards", |page| page.card("Support").is_some())
        .await;
    let support = page.card("Support").unwrap();
    assert!(support.inner_text().contains("Default"));
    assert!(support
        .inner_text()
        .contains("acme.zendesk.com, signed in as Ada Admin"));

    page.click_in("acme.service-now.com", "Rename");
    page.wait_for("the name field", |page| {
        page.find("form.rename input").is_some()
    })
    .await;
    let field = page.find("form.rename input").unwrap();
    js_sys::Reflect::set(&field, &"value".into(), &"Acme IT".into()).unwrap();
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    page.click_in("acme.service-now.com", "Save name");
    page.wait_for("the new name", |page| page.card("Acme IT").is_some())
        .await;
    let names: Vec<Value> = saved_connections(&page.platform)
        .iter()
        .map(|saved| saved["name"].clone())
        .collect();
    assert_eq!(names, [json!("Acme IT"), json!("Support")]);
}

#[wasm_bindgen_test]
async fn removing_asks_first_and_takes_the_templates_and_permission_with_it() {
    let platform = two_connections();
    platform.storage.borrow_mut().insert(
        "templates:c1".into(),
        json!({"templates": [], "no_match": {"kind": "skip"}}),
    );
    let page = mount(platform);
    page.wait_for("the cards", |page| {
        page.card("acme.service-now.com").is_some()
    })
    .await;
    page.click_in("acme.service-now.com", "Remove");
    page.wait_for("the question", |page| {
        page.text_of(".confirm")
            .contains("Remove acme.service-now.com?")
    })
    .await;
    page.click_in("acme.service-now.com", "Keep");
    page.wait_for("the question gone", |page| page.find(".confirm").is_none())
        .await;
    assert_eq!(saved_connections(&page.platform).len(), 2, "kept");

    page.click_in("acme.service-now.com", "Remove");
    page.wait_for("the question", |page| page.find(".confirm").is_some())
        .await;
    page.click_in("acme.service-now.com", "Remove");
    page.wait_for("the card gone", |page| {
        page.card("acme.service-now.com").is_none()
    })
    .await;
    assert_eq!(saved_connections(&page.platform).len(), 1);
    assert_eq!(stored(&page.platform, "templates:c1"), None);
    assert_eq!(
        *page.platform.removed_permissions.borrow(),
        ["https://acme.service-now.com/*"]
    );
}

#[wasm_bindgen_test]
async fn testing_a_connection_says_who_it_signs_in_as() {
    let page = mount(two_connections());
    page.wait_for("the cards", |page| {
        page.card("acme.service-now.com").is_some()
    })
    .await;
    page.click_in("acme.service-now.com", "Test");
    page.wait_for("the answer", |page| {
        page.text_of("article [role=status]")
            .contains("It works: signed in as Abel Tuter.")
    })
    .await;
}

#[wasm_bindgen_test]
async fn signing_out_forgets_the_password_and_offers_to_sign_in_again() {
    let page = mount(two_connections());
    page.wait_for("the cards", |page| {
        page.card("acme.service-now.com").is_some()
    })
    .await;
    page.click_in("acme.service-now.com", "Sign out");
    page.wait_for("the signed-out card", |page| {
        page.card("acme.service-now.com")
            .is_some_and(|card| card.inner_text().contains("signed out"))
    })
    .await;
    let connections = stored(&page.platform, "connections").unwrap();
    assert!(!connections.to_string().contains("\"pw\""), "{connections}");
    assert_eq!(
        connections["signed_out"][0]["sign_in"]["username"],
        "abel.tuter"
    );

    page.click_in("acme.service-now.com", "Sign in");
    page.wait_for("the connect form, filled in", |page| {
        page.find("[name=username]").is_some() && page.value("username") == "abel.tuter"
    })
    .await;
    assert_eq!(page.value("instance"), "https://acme.service-now.com");
    assert!(page
        .text_of(".add-connection h3")
        .contains("Sign in to acme.service-now.com"));
}

#[wasm_bindgen_test]
async fn a_template_without_a_name_is_refused_next_to_its_field() {
    let page = mount(two_connections());
    page.wait_for("the template editor", |page| {
        page.find("#template-name").is_some() && !page.is_disabled("allow_private")
    })
    .await;
    let name = page.find("#template-name").unwrap();
    js_sys::Reflect::set(&name, &"value".into(), &"".into()).unwrap();
    name.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    page.click_button("Save templates");
    page.wait_for("the problem", |page| {
        page.text_of("#template-name-problem") == "Give the template a name."
    })
    .await;
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        stored(&page.platform, "templates:z1"),
        None,
        "nothing saved"
    );

    js_sys::Reflect::set(&name, &"value".into(), &"Website bugs".into()).unwrap();
    name.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    page.click_button("Save templates");
    page.wait_for("saved", |page| {
        page.text_of("[role=status]").contains("Saved.")
    })
    .await;
    let saved = stored(&page.platform, "templates:z1").expect("saved for the default connection");
    assert_eq!(saved["templates"][0]["name"], "Website bugs");
    assert_eq!(
        saved["templates"][0]["provider"], "zendesk",
        "a Zendesk connection starts from Zendesk's template"
    );
}

#[wasm_bindgen_test]
async fn a_deployed_connection_is_marked_kept_and_its_problems_named() {
    let platform = two_connections();
    *platform.managed.borrow_mut() = json!({"connections": [
        {"id": "acme-it", "name": "Acme IT", "service": "servicenow", "instance": "acme",
         "sign_in": "password"},
        {"id": "hr", "name": "HR desk", "service": "zendesk", "instance": "acme-hr",
         "sign_in": "oauth", "client_id": "flare"},
        {"id": "typo", "service": "servicenow", "instance": "acme", "sign_in": "api_token"}
    ]});
    let page = mount(platform);
    page.wait_for("the cards", |page| page.card("HR desk").is_some())
        .await;
    let acme = page.card("acme.service-now.com").unwrap();
    assert!(acme.inner_text().contains("Set up by your organisation"));
    let labels = acme.inner_text();
    assert!(
        !labels.contains("Remove") && !labels.contains("Rename"),
        "{labels}"
    );
    let hr = page.card("HR desk").unwrap();
    assert!(hr
        .inner_text()
        .contains("acme-hr.zendesk.com, set up by your organisation: sign in to use it"));
    assert!(page
        .text_of(".managed-problems")
        .contains("typo: ServiceNow connections sign in with password or oauth"));
}

#[wasm_bindgen_test]
async fn the_chosen_theme_applies_at_once_and_is_kept() {
    let page = mount(two_connections());
    page.wait_for("the theme choices", |page| {
        page.find("input[value=dark]")
            .is_some_and(|dark| !dark.matches(":disabled").unwrap())
    })
    .await;
    page.find("input[value=dark]").unwrap().click();
    page.wait_for("the saved choice", |page| {
        stored(&page.platform, "settings:appearance") == Some(json!("dark"))
    })
    .await;
    let root = document().document_element().unwrap();
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    page.find("input[value=system]").unwrap().click();
    page.wait_for("the system's theme", |_| {
        document()
            .document_element()
            .unwrap()
            .get_attribute("data-theme")
            .is_none()
    })
    .await;
}
