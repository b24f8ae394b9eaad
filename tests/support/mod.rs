//! The fake platform the component tests mount a surface on, and what they look at it with.
//!
//! Each `tests/*.rs` is a crate of its own and takes this in with `mod support;`; each uses a part
//! of it, so what one leaves unused is no dead code.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::task::{Poll, Waker};

use flare::api::AppError;
use flare::browser::{
    Alarms, BrowserError, Clock, Http, LocalFuture, Messaging, Notifications, PageContext,
    Permissions, PlatformHandle, Random, SessionStorage, Storage, Tabs,
};
use flare::i18n::Messages;
use flare::messages::{WorkerReply, WorkerRequest};
use flare_core::http::{HttpRequest, HttpResponse, Method};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;

/// What the fake network answers a request with.
pub type Responder = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, BrowserError>>;

/// The browser as a test wants it: canned network replies, storage in memory, and gates to hold
/// answers back.
pub struct FakePlatform {
    /// `storage.local`.
    pub storage: RefCell<HashMap<String, Value>>,
    /// `storage.session`.
    pub session: RefCell<HashMap<String, Value>>,
    /// Every request sent, in order.
    pub requests: RefCell<Vec<HttpRequest>>,
    /// Every wait asked for, in milliseconds.
    pub sleeps: RefCell<Vec<u64>>,
    /// The network.
    pub respond: Responder,
    /// Whether the user grants the host permissions asked for.
    pub grant_permission: bool,
    /// The host permissions held, by origin pattern.
    pub held_permissions: RefCell<Vec<String>>,
    /// The host permissions asked for, in order.
    pub requested_permissions: RefCell<Vec<String>>,
    /// While closed, the browser's permission prompt is open and the user has not answered.
    pub permission_prompt: Gate,
    /// The clock, in milliseconds since the Unix epoch.
    pub now_ms: Cell<u64>,
    /// While closed, creates (POSTs) get no answer yet.
    pub posts: Gate,
    /// While closed, the page the user is on is not known yet.
    pub page: Gate,
    /// While closed, writes of the saved connections have not finished yet.
    pub connection_writes: Gate,
    /// What the background worker was asked.
    pub asked_worker: RefCell<Vec<WorkerRequest>>,
    /// The host permissions given back.
    pub removed_permissions: RefCell<Vec<String>>,
    /// What it answers; when it signs in, it saves the connection as the real worker does.
    pub worker_reply: RefCell<Option<WorkerReply>>,
    /// How often the options page was opened.
    pub n_options_opened: RefCell<usize>,
    /// What the administrator deployed (`storage.managed`).
    pub managed: RefCell<Value>,
    /// The connection the worker saves when it signs in; the ServiceNow one unless set.
    pub worker_connection: RefCell<Option<Value>>,
    /// This fake, once mounted: the worker's answers to the forms (`flare::report`) run on it,
    /// as the real worker shares the browser's network and storage with the popup.
    pub me: RefCell<std::rc::Weak<FakePlatform>>,
}

/// Holds replies back until the test opens it, so a test can act while a request is pending.
#[derive(Clone, Default)]
pub struct Gate(Rc<RefCell<GateState>>);

#[derive(Default)]
struct GateState {
    closed: bool,
    /// How many may pass while it is closed.
    n_passes: usize,
    waiting: Vec<Waker>,
}

impl Gate {
    pub fn close(&self) {
        self.0.borrow_mut().closed = true;
    }

    pub fn open(&self) {
        let waiting = {
            let mut state = self.0.borrow_mut();
            state.closed = false;
            std::mem::take(&mut state.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    }

    /// Lets the first waiter (or the next one to come) through; the gate stays closed.
    pub fn let_one_through(&self) {
        let waiting = {
            let mut state = self.0.borrow_mut();
            state.n_passes += 1;
            std::mem::take(&mut state.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    }

    pub async fn passed(&self) {
        std::future::poll_fn(|context| {
            let mut state = self.0.borrow_mut();
            if state.closed && state.n_passes > 0 {
                state.n_passes -= 1;
                return Poll::Ready(());
            }
            if state.closed {
                state.waiting.push(context.waker().clone());
                return Poll::Pending;
            }
            Poll::Ready(())
        })
        .await
    }
}

impl Http for FakePlatform {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>> {
        let response = (self.respond)(&request);
        let gate = (request.method == Method::Post).then(|| self.posts.clone());
        self.requests.borrow_mut().push(request);
        Box::pin(async move {
            if let Some(gate) = gate {
                gate.passed().await;
            }
            response
        })
    }
}

impl Storage for FakePlatform {
    fn load(&self, key: &str) -> LocalFuture<Result<Option<Value>, BrowserError>> {
        let value = self.storage.borrow().get(key).cloned();
        Box::pin(async move { Ok(value) })
    }

    fn save(&self, key: &str, value: Value) -> LocalFuture<Result<(), BrowserError>> {
        self.storage.borrow_mut().insert(key.to_owned(), value);
        let gate = (key == "connections").then(|| self.connection_writes.clone());
        Box::pin(async move {
            if let Some(gate) = gate {
                gate.passed().await;
            }
            Ok(())
        })
    }

    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        self.storage.borrow_mut().remove(key);
        Box::pin(async { Ok(()) })
    }

    fn load_managed(&self) -> LocalFuture<Result<Value, BrowserError>> {
        let policy = self.managed.borrow().clone();
        Box::pin(async move { Ok(policy) })
    }
}

impl SessionStorage for FakePlatform {
    fn load_session(&self, key: &str) -> LocalFuture<Result<Option<Value>, BrowserError>> {
        let value = self.session.borrow().get(key).cloned();
        Box::pin(async move { Ok(value) })
    }

    fn save_session(&self, key: &str, value: Value) -> LocalFuture<Result<(), BrowserError>> {
        self.session.borrow_mut().insert(key.to_owned(), value);
        Box::pin(async { Ok(()) })
    }

    fn remove_session(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        self.session.borrow_mut().remove(key);
        Box::pin(async { Ok(()) })
    }
}

impl Permissions for FakePlatform {
    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        self.requested_permissions
            .borrow_mut()
            .push(pattern.to_owned());
        let granted = self.grant_permission;
        if granted {
            self.held_permissions.borrow_mut().push(pattern.to_owned());
        }
        let prompt = self.permission_prompt.clone();
        Box::pin(async move {
            prompt.passed().await;
            Ok(granted)
        })
    }

    fn has_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        let held = self
            .held_permissions
            .borrow()
            .iter()
            .any(|held| held == pattern);
        Box::pin(async move { Ok(held) })
    }

    fn remove_host_permission(&self, pattern: &str) -> LocalFuture<Result<(), BrowserError>> {
        self.removed_permissions
            .borrow_mut()
            .push(pattern.to_owned());
        Box::pin(async { Ok(()) })
    }

    fn request_console_access(&self) -> LocalFuture<Result<bool, BrowserError>> {
        Box::pin(async { Ok(false) })
    }

    fn give_back_console_access(&self) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }
}

impl Random for FakePlatform {
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError> {
        Ok([7; 16])
    }
}

impl Clock for FakePlatform {
    fn now_ms(&self) -> u64 {
        self.now_ms.get()
    }

    /// Waits are recorded, not waited: the fake's clock is the test's.
    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>> {
        self.sleeps.borrow_mut().push(millis);
        Box::pin(async { Ok(()) })
    }
}

impl Messaging for FakePlatform {
    fn ask_worker(&self, request: WorkerRequest) -> LocalFuture<Result<WorkerReply, BrowserError>> {
        self.asked_worker.borrow_mut().push(request.clone());
        if matches!(
            request,
            WorkerRequest::TestConnection { .. }
                | WorkerRequest::FileReport { .. }
                | WorkerRequest::ListQueued { .. }
        ) {
            let worker = self.me.borrow().upgrade().expect("the fake is mounted");
            return Box::pin(async move { Ok(flare::report::answer(&*worker, request).await) });
        }
        let reply = self
            .worker_reply
            .borrow()
            .clone()
            .unwrap_or(WorkerReply::Failed {
                error: AppError::Browser("no worker in this test".into()),
            });
        if matches!(reply, WorkerReply::Connected { .. }) {
            let connection = self.worker_connection.borrow().clone();
            store_connection(
                self,
                2,
                connection.unwrap_or_else(|| tagged(saved_connection())),
            );
        }
        Box::pin(async move { Ok(reply) })
    }
}

/// The outbox's wake-ups; a test runs its sends itself.
impl Alarms for FakePlatform {
    fn set_alarm(&self, _name: &str, _at_ms: u64) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }

    fn clear_alarm(&self, _name: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }
}

/// What the worker tells the user once the outbox files a report; the popup's tests do not look.
impl Notifications for FakePlatform {
    fn notify(
        &self,
        _id: &str,
        _title: &str,
        _message: &str,
    ) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }

    fn clear_notification(&self, _id: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }

    fn set_badge(&self, _text: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }

    fn open_page(&self, _path: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }
}

impl Tabs for FakePlatform {
    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>> {
        let gate = self.page.clone();
        Box::pin(async move {
            gate.passed().await;
            Ok(PageContext {
                title: "Payroll portal".to_owned(),
                url: "https://payroll.example.com/run".to_owned(),
                user_agent: "TestBrowser/1.0".to_owned(),
                viewport: Some((1280, 720)),
                language: "en-US".to_owned(),
                time_zone: "Europe/Berlin".to_owned(),
                tab_id: None,
            })
        })
    }

    fn open_options_page(&self) -> LocalFuture<Result<(), BrowserError>> {
        *self.n_options_opened.borrow_mut() += 1;
        Box::pin(async { Ok(()) })
    }

    fn capture_visible_tab(&self) -> LocalFuture<Result<String, BrowserError>> {
        Box::pin(async { Err(BrowserError::Api("no screenshots in this test".to_owned())) })
    }

    fn open_tab(&self, _path: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(async { Ok(()) })
    }
}

/// A JSON reply, as ServiceNow and Zendesk send them.
pub fn json_response(status: u16, body: Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        )],
        body: body.to_string().into_bytes(),
    }
}

/// Abel, as `sys_user` describes him.
pub fn abel() -> Value {
    json!({"result": [{"sys_id": "62826bf03710200044e0bfc8bcbe5df1", "user_name": "abel.tuter",
                       "name": "Abel Tuter", "email": "abel.tuter@example.com"}]})
}

/// Stores one saved connection in today's layout, as a user who connected before has it.
pub fn store_saved_connection(platform: &FakePlatform) {
    store_connection(platform, 2, tagged(saved_connection()));
}

/// Stores `connection` as the one saved connection, in layout `version`.
pub fn store_connection(platform: &FakePlatform, version: u64, connection: Value) {
    let mut storage = platform.storage.borrow_mut();
    storage.insert("schema_version".into(), json!(version));
    storage.insert(
        "connections".into(),
        json!({
            "connections": [
                {"id": "c1", "name": connection["instance"].as_str().unwrap_or_default()
                    .trim_start_matches("https://"), "connection": connection}
            ],
            "default_id": "c1"
        }),
    );
}

/// The saved connections, from storage.
pub fn saved_connections(platform: &FakePlatform) -> Vec<Value> {
    let storage = platform.storage.borrow();
    let saved = storage.get("connections").cloned().unwrap_or_default();
    saved["connections"].as_array().cloned().unwrap_or_default()
}

/// A ServiceNow connection in the layout of version 1 (and 0), before Zendesk.
pub fn saved_connection() -> Value {
    json!({
        "instance": "https://acme.service-now.com",
        "credentials": {"kind": "basic", "username": "abel.tuter", "password": "pw"},
        "user": {"sys_id": "62826bf03710200044e0bfc8bcbe5df1", "user_name": "abel.tuter",
                 "name": "Abel Tuter", "email": ""}
    })
}

/// A connection as `saved_connection` is once the layout is at version 2: the user names its
/// service desk.
pub fn tagged(mut connection: Value) -> Value {
    connection["user"] = json!({"servicenow": connection["user"].take()});
    connection
}

/// Ada, an admin of the Zendesk account, as `/users/me` describes her.
pub fn ada() -> Value {
    json!({"user": {"id": 10001, "name": "Ada Admin", "email": "admin@example.com",
                    "role": "admin", "active": true}})
}

/// A Zendesk connection with an API token, as version 2 stores it.
pub fn zendesk_connection() -> Value {
    json!({
        "instance": "https://acme.zendesk.com",
        "credentials": {"kind": "basic", "username": "admin@example.com/token", "password": "tok"},
        "user": {"zendesk": {"id": 10001, "name": "Ada Admin", "email": "admin@example.com",
                             "role": "admin"}}
    })
}

/// A surface mounted on a fake platform, and what a test does with it.
pub struct Mounted {
    /// The element the surface is mounted in.
    pub host: web_sys::HtmlElement,
    /// The fake it runs on, for the test to look at.
    pub platform: Rc<FakePlatform>,
    /// Dropping the handle unmounts the surface, so it lives as long as the test.
    _handle: Box<dyn std::any::Any>,
}

/// Mounts the surface `root` makes (given the fake's handle and the words of `language`) into a
/// fresh element of the test page.
pub fn mount_with<View: IntoView + 'static>(
    platform: FakePlatform,
    language: &str,
    root: impl FnOnce(PlatformHandle, Messages) -> View + 'static,
) -> Mounted {
    let platform = Rc::new(platform);
    *platform.me.borrow_mut() = Rc::downgrade(&platform);
    let messages = Messages::for_language(language);
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = PlatformHandle::new(platform.clone());
    let mounted = mount_to(host.clone(), move || root(handle, messages));
    Mounted {
        host,
        platform,
        _handle: Box::new(mounted),
    }
}

/// A fake whose network answers every request with `respond`.
pub fn fake(respond: impl Fn(&HttpRequest) -> HttpResponse + 'static) -> FakePlatform {
    fake_network(move |request| Ok(respond(request)))
}

/// A fake whose network can fail, as `fetch` does when a connection drops.
pub fn fake_network(
    respond: impl Fn(&HttpRequest) -> Result<HttpResponse, BrowserError> + 'static,
) -> FakePlatform {
    FakePlatform {
        storage: RefCell::default(),
        session: RefCell::default(),
        requests: RefCell::default(),
        sleeps: RefCell::default(),
        respond: Box::new(respond),
        grant_permission: true,
        held_permissions: RefCell::default(),
        requested_permissions: RefCell::default(),
        permission_prompt: Gate::default(),
        now_ms: Cell::new(1_700_000_000_000),
        posts: Gate::default(),
        page: Gate::default(),
        connection_writes: Gate::default(),
        asked_worker: RefCell::default(),
        removed_permissions: RefCell::default(),
        worker_reply: RefCell::default(),
        n_options_opened: RefCell::default(),
        managed: RefCell::new(json!({})),
        worker_connection: RefCell::default(),
        me: RefCell::default(),
    }
}

impl Mounted {
    /// Lets queued work run until `condition` holds; fails after a bounded number of ticks.
    pub async fn wait_for(&self, what: &str, condition: impl Fn(&Mounted) -> bool) {
        for _ in 0..200 {
            if condition(self) {
                return;
            }
            tick().await;
        }
        panic!(
            "timed out waiting for {what}; the page shows: {}",
            self.host.inner_text()
        );
    }

    /// The first element matching `selector`.
    pub fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        self.host
            .query_selector(selector)
            .unwrap()
            .map(JsCast::unchecked_into)
    }

    /// The text of the first element matching `selector`; empty when there is none.
    pub fn text_of(&self, selector: &str) -> String {
        self.find(selector)
            .map(|element| element.inner_text())
            .unwrap_or_default()
    }

    /// Types `value` into the field `name`, as a user does.
    pub fn input(&self, name: &str, value: &str) {
        let element = self
            .find(&format!("[name={name}]"))
            .unwrap_or_else(|| panic!("no field {name}"));
        js_sys::Reflect::set(&element, &"value".into(), &value.into()).unwrap();
        let event = web_sys::Event::new("input").unwrap();
        element.dispatch_event(&event).unwrap();
    }

    /// What the field `name` holds.
    pub fn value(&self, name: &str) -> String {
        let element = self
            .find(&format!("[name={name}]"))
            .unwrap_or_else(|| panic!("no field {name}"));
        js_sys::Reflect::get(&element, &"value".into())
            .unwrap()
            .as_string()
            .unwrap_or_default()
    }

    /// Whether the field `name` is locked.
    pub fn is_disabled(&self, name: &str) -> bool {
        self.find(&format!("[name={name}]"))
            .unwrap_or_else(|| panic!("no field {name}"))
            .matches(":disabled")
            .unwrap()
    }

    /// Clicks the button whose words are `label`.
    pub fn click_button(&self, label: &str) {
        let buttons = self.host.query_selector_all("button").unwrap();
        let button = (0..buttons.length())
            .filter_map(|idx| buttons.get(idx))
            .map(JsCast::unchecked_into::<web_sys::HtmlElement>)
            .find(|button| button.inner_text().trim() == label)
            .unwrap_or_else(|| panic!("no button {label}"));
        button.click();
    }

    /// The `name` of the element that has the focus.
    pub fn focused_name(&self) -> Option<String> {
        document()
            .active_element()
            .and_then(|element| element.get_attribute("name"))
    }

    /// An attribute of the field `name`.
    pub fn attribute(&self, name: &str, attribute: &str) -> Option<String> {
        self.find(&format!("[name={name}]"))
            .unwrap_or_else(|| panic!("no field {name}"))
            .get_attribute(attribute)
    }

    /// Chooses Zendesk on the connect form and waits for its fields.
    pub async fn choose_zendesk(&self) {
        self.wait_for("the connect form", |popup| {
            popup.find("[name=provider]").is_some() && !popup.is_disabled("instance")
        })
        .await;
        self.choose("provider", "zendesk");
        self.wait_for("the Zendesk fields", |popup| {
            popup.find("[name=email]").is_some()
        })
        .await;
    }

    /// Picks `value` in the select `name`, as a user does.
    pub fn choose(&self, name: &str, value: &str) {
        let element = self
            .find(&format!("[name={name}]"))
            .unwrap_or_else(|| panic!("no field {name}"));
        js_sys::Reflect::set(&element, &"value".into(), &value.into()).unwrap();
        element
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    }

    /// Fills the connect form (the popup's and the options page's) with a ServiceNow address and
    /// a user name and password.
    pub async fn fill_connect_form(&self, instance: &str) {
        self.wait_for("the connect form", |popup| {
            popup.find("[name=instance]").is_some() && !popup.is_disabled("instance")
        })
        .await;
        self.input("instance", instance);
        self.input("username", "abel.tuter");
        self.input("password", "pw");
    }
}
