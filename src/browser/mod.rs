//! Everything that touches the browser: extension APIs and the network.
//!
//! The app reaches these only through the [`Platform`] trait, handed down as context, so component
//! tests can use a fake; what has nothing to fake ([`time::local_date_time`], the page's
//! [`document`]) is plain functions.
//! No `JsValue` leaves this module, and no other module uses `js_sys` or `wasm_bindgen`.

mod alarms;
pub mod canvas;
mod crypto;
pub mod document;
mod extension;
mod global;
mod http;
mod identity;
pub mod language;
mod menus;
mod messaging;
mod permissions;
mod scripting;
mod storage;
mod tabs;
pub mod time;
#[cfg(feature = "worker")]
mod worker_port;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use flare_core::http::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use send_wrapper::SendWrapper;

use crate::browser::storage::Area;
use crate::messages::{WorkerReply, WorkerRequest};

/// A future that stays on the browser's one thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A failure inside the browser, before or instead of an answer from the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The request never got an answer (offline, refused, DNS, CORS, TLS).
    Network(String),
    /// An extension API threw or rejected.
    Api(String),
    /// The OAuth sign-in window closed (or failed to load) before the user signed in.
    SignInClosed(String),
}

/// What the page the user is on says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageContext {
    /// The tab's title.
    pub title: String,
    /// The tab's URL.
    pub url: String,
    /// The browser's user agent string.
    pub user_agent: String,
    /// The tab's width and height in CSS pixels, when the browser says.
    pub viewport: Option<(u32, u32)>,
    /// The browser's language (`en-US`).
    pub language: String,
    /// The system's time zone (`Europe/Berlin`).
    pub time_zone: String,
    /// The tab's id, for reading what the console capture kept there.
    pub tab_id: Option<u32>,
}

/// One thing the opt-in console capture kept in a tab (`static/console-capture.js`); the worker
/// takes secrets out before handing it to a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleEntry {
    /// What it is.
    pub kind: ConsoleKind,
    /// The error's message, the console.error arguments, or the request and its outcome.
    pub text: String,
}

/// What the console capture keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsoleKind {
    /// An uncaught error or unhandled promise rejection.
    Error,
    /// A `console.error` call.
    Console,
    /// A fetch or XHR that failed or answered 4xx/5xx.
    Request,
}

/// Sending HTTP requests.
pub trait Http {
    /// Sends an HTTP request without cookies and hands back whatever came back.
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>>;
}

/// Extension storage: `storage.local`, where everything that must outlive a surface lives, and the
/// administrator's read-only `storage.managed`.
///
/// Here and in [`SessionStorage`], a call reaches the browser when it is made, not when its
/// future is awaited: writes land in the order they are asked for.
pub trait Storage {
    /// Reads a JSON value.
    fn load(&self, key: &str) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>>;
    /// Writes a JSON value.
    fn save(&self, key: &str, value: serde_json::Value) -> LocalFuture<Result<(), BrowserError>>;
    /// Deletes a key.
    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>>;
    /// Everything the administrator set through policy (`storage.managed`, read-only); an empty
    /// object when nothing is.
    fn load_managed(&self) -> LocalFuture<Result<serde_json::Value, BrowserError>>;
}

/// `storage.session`: kept in memory while the browser runs, never written to disk, cleared when
/// the browser quits or the extension is updated, and out of content scripts' reach (its default
/// access level). Where secrets typed into a form wait; nothing else may hold them.
pub trait SessionStorage {
    /// Reads a JSON value.
    fn load_session(
        &self,
        key: &str,
    ) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>>;
    /// Writes a JSON value.
    fn save_session(
        &self,
        key: &str,
        value: serde_json::Value,
    ) -> LocalFuture<Result<(), BrowserError>>;
    /// Deletes a key.
    fn remove_session(&self, key: &str) -> LocalFuture<Result<(), BrowserError>>;
}

/// Host permissions, granted by the user at runtime.
pub trait Permissions {
    /// Asks the user for access to an origin pattern; must run inside a user gesture.
    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>>;
    /// Whether access to an origin pattern is held; asks nothing, so it needs no user gesture.
    fn has_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>>;
    /// Gives access to an origin pattern back.
    fn remove_host_permission(&self, pattern: &str) -> LocalFuture<Result<(), BrowserError>>;
    /// Asks the user for what the console capture needs (`scripting` on every site); must run
    /// inside a user gesture.
    fn request_console_access(&self) -> LocalFuture<Result<bool, BrowserError>>;
    /// Gives the console capture's `scripting` back.
    fn give_back_console_access(&self) -> LocalFuture<Result<(), BrowserError>>;
}

/// The browser's tabs.
pub trait Tabs {
    /// The page the user was on when they opened Flare.
    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>>;
    /// Opens the options page in a tab (or brings it to the front).
    fn open_options_page(&self) -> LocalFuture<Result<(), BrowserError>>;
    /// A PNG of what the current window shows of the page (`tabs.captureVisibleTab`), as a
    /// `data:` URL.
    fn capture_visible_tab(&self) -> LocalFuture<Result<String, BrowserError>>;
    /// Opens the extension's page `path` in a new tab.
    fn open_tab(&self, path: &str) -> LocalFuture<Result<(), BrowserError>>;
}

/// Content scripts registered at runtime (the worker's).
pub trait ContentScripts {
    /// Registers the console capture in every page from now on (`on`), or unregisters it.
    fn capture_console(&self, on: bool) -> LocalFuture<Result<(), BrowserError>>;
    /// Takes what the console capture kept in tab `tab_id`, as the page said it (the tab's
    /// buffer is emptied); call it only when the user opted in, since reading injects a script
    /// into the tab.
    fn read_console(&self, tab_id: u32) -> LocalFuture<Result<Vec<ConsoleEntry>, BrowserError>>;
}

/// The clock and timers, which the core never reads itself.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Resolves after `millis` milliseconds.
    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>>;
}

/// Randomness for correlation ids, OAuth `state` and PKCE.
pub trait Random {
    /// Cryptographically random bytes.
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError>;
}

/// The browser's OAuth sign-in window.
pub trait Identity {
    /// Where the sign-in window sends the browser back; the OAuth client's redirect URI.
    fn redirect_url(&self) -> LocalFuture<Result<String, BrowserError>>;
    /// Opens `url` in a sign-in window and resolves with the address it was sent back to.
    fn launch_web_auth_flow(&self, url: String) -> LocalFuture<Result<String, BrowserError>>;
}

/// Waking the background worker later (`alarms`), which MV3 stops when idle.
pub trait Alarms {
    /// Wakes the worker at `at_ms` (Unix milliseconds) with the alarm `name`, replacing one of
    /// that name.
    fn set_alarm(&self, name: &str, at_ms: u64) -> LocalFuture<Result<(), BrowserError>>;
    /// Cancels the alarm `name`, if set.
    fn clear_alarm(&self, name: &str) -> LocalFuture<Result<(), BrowserError>>;
}

/// How the background worker tells the user: the system's notifications, the toolbar badge, and
/// the page a clicked notification opens.
pub trait Notifications {
    /// Shows a notification; a later one with the same `id` replaces it.
    fn notify(&self, id: &str, title: &str, message: &str)
        -> LocalFuture<Result<(), BrowserError>>;
    /// Removes the notification `id`.
    fn clear_notification(&self, id: &str) -> LocalFuture<Result<(), BrowserError>>;
    /// Sets the toolbar button's badge; empty hides it.
    fn set_badge(&self, text: &str) -> LocalFuture<Result<(), BrowserError>>;
    /// Opens the extension's page `path` (`ticket.html?ticket=…`) in a new tab.
    fn open_page(&self, path: &str) -> LocalFuture<Result<(), BrowserError>>;
}

/// The page's context menu and the toolbar popup, as the background worker uses them.
pub trait Menus {
    /// Replaces Flare's context menu items with `items`: id, title, and the context each shows
    /// in (`page`, `selection`).
    fn set_menu(
        &self,
        items: Vec<(String, String, &'static str)>,
    ) -> LocalFuture<Result<(), BrowserError>>;
    /// Opens the toolbar popup (or, where the browser will not, its page in a tab).
    fn open_popup(&self) -> LocalFuture<Result<(), BrowserError>>;
}

/// Asking the background worker to do what outlives a page (an OAuth sign-in).
pub trait Messaging {
    /// Sends `request` to the background worker and waits for its reply.
    fn ask_worker(&self, request: WorkerRequest) -> LocalFuture<Result<WorkerReply, BrowserError>>;
}

/// Everything the popup uses. Code that needs less takes only the capabilities it uses (say
/// `&(impl Http + Clock + ?Sized)`), so another surface or a test fake can serve it.
pub trait Platform:
    Http + Storage + SessionStorage + Permissions + Tabs + Messaging + Clock + Random
{
}

impl<T> Platform for T where
    T: Http + Storage + SessionStorage + Permissions + Tabs + Messaging + Clock + Random + ?Sized
{
}

/// The platform, shareable through Leptos context (which wants `Send + Sync`; we only ever run on
/// the one browser thread, which `SendWrapper` checks).
#[derive(Clone)]
pub struct PlatformHandle(SendWrapper<Rc<dyn Platform>>);

impl PlatformHandle {
    /// Wraps a platform implementation.
    pub fn new(platform: Rc<dyn Platform>) -> PlatformHandle {
        PlatformHandle(SendWrapper::new(platform))
    }

    /// The platform of the running extension: `chrome.*` or `browser.*` and `fetch`.
    pub fn extension() -> PlatformHandle {
        PlatformHandle::new(Rc::new(ExtensionPlatform))
    }
}

impl std::ops::Deref for PlatformHandle {
    type Target = dyn Platform;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

// The handle serves every capability of the platform it holds, so it can be passed wherever one
// is asked for.
impl Http for PlatformHandle {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>> {
        (**self).send(request)
    }
}

impl Storage for PlatformHandle {
    fn load(&self, key: &str) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>> {
        (**self).load(key)
    }

    fn save(&self, key: &str, value: serde_json::Value) -> LocalFuture<Result<(), BrowserError>> {
        (**self).save(key, value)
    }

    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        (**self).remove(key)
    }

    fn load_managed(&self) -> LocalFuture<Result<serde_json::Value, BrowserError>> {
        (**self).load_managed()
    }
}

impl SessionStorage for PlatformHandle {
    fn load_session(
        &self,
        key: &str,
    ) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>> {
        (**self).load_session(key)
    }

    fn save_session(
        &self,
        key: &str,
        value: serde_json::Value,
    ) -> LocalFuture<Result<(), BrowserError>> {
        (**self).save_session(key, value)
    }

    fn remove_session(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        (**self).remove_session(key)
    }
}

impl Permissions for PlatformHandle {
    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        (**self).request_host_permission(pattern)
    }

    fn has_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        (**self).has_host_permission(pattern)
    }

    fn remove_host_permission(&self, pattern: &str) -> LocalFuture<Result<(), BrowserError>> {
        (**self).remove_host_permission(pattern)
    }

    fn request_console_access(&self) -> LocalFuture<Result<bool, BrowserError>> {
        (**self).request_console_access()
    }

    fn give_back_console_access(&self) -> LocalFuture<Result<(), BrowserError>> {
        (**self).give_back_console_access()
    }
}

impl Tabs for PlatformHandle {
    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>> {
        (**self).page_context()
    }

    fn open_options_page(&self) -> LocalFuture<Result<(), BrowserError>> {
        (**self).open_options_page()
    }

    fn capture_visible_tab(&self) -> LocalFuture<Result<String, BrowserError>> {
        (**self).capture_visible_tab()
    }

    fn open_tab(&self, path: &str) -> LocalFuture<Result<(), BrowserError>> {
        (**self).open_tab(path)
    }
}

impl Messaging for PlatformHandle {
    fn ask_worker(&self, request: WorkerRequest) -> LocalFuture<Result<WorkerReply, BrowserError>> {
        (**self).ask_worker(request)
    }
}

impl Clock for PlatformHandle {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }

    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>> {
        (**self).sleep(millis)
    }
}

impl Random for PlatformHandle {
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError> {
        (**self).random_bytes()
    }
}

/// The real browser.
struct ExtensionPlatform;

impl Http for ExtensionPlatform {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>> {
        Box::pin(http::send(request))
    }
}

impl Storage for ExtensionPlatform {
    fn load(&self, key: &str) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>> {
        Box::pin(storage::load(Area::Local, key.to_owned()))
    }

    fn save(&self, key: &str, value: serde_json::Value) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::save(Area::Local, key.to_owned(), value))
    }

    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::remove(Area::Local, key.to_owned()))
    }

    fn load_managed(&self) -> LocalFuture<Result<serde_json::Value, BrowserError>> {
        Box::pin(storage::load_managed())
    }
}

impl SessionStorage for ExtensionPlatform {
    fn load_session(
        &self,
        key: &str,
    ) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>> {
        Box::pin(storage::load(Area::Session, key.to_owned()))
    }

    fn save_session(
        &self,
        key: &str,
        value: serde_json::Value,
    ) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::save(Area::Session, key.to_owned(), value))
    }

    fn remove_session(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::remove(Area::Session, key.to_owned()))
    }
}

impl Permissions for ExtensionPlatform {
    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        Box::pin(permissions::request_origin(pattern.to_owned()))
    }

    fn has_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        Box::pin(permissions::holds_origin(pattern.to_owned()))
    }

    fn remove_host_permission(&self, pattern: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(permissions::remove_origin(pattern.to_owned()))
    }

    fn request_console_access(&self) -> LocalFuture<Result<bool, BrowserError>> {
        Box::pin(scripting::request_access())
    }

    fn give_back_console_access(&self) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(scripting::give_back_access())
    }
}

impl Tabs for ExtensionPlatform {
    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>> {
        Box::pin(tabs::page_context())
    }

    fn open_options_page(&self) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(tabs::open_options_page())
    }

    fn capture_visible_tab(&self) -> LocalFuture<Result<String, BrowserError>> {
        Box::pin(tabs::capture_visible_tab())
    }

    fn open_tab(&self, path: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::open_page(path.to_owned()))
    }
}

impl ContentScripts for ExtensionPlatform {
    fn capture_console(&self, on: bool) -> LocalFuture<Result<(), BrowserError>> {
        match on {
            true => Box::pin(scripting::register_capture()),
            false => Box::pin(scripting::unregister_capture()),
        }
    }

    fn read_console(&self, tab_id: u32) -> LocalFuture<Result<Vec<ConsoleEntry>, BrowserError>> {
        Box::pin(scripting::read_capture(tab_id))
    }
}

impl Identity for ExtensionPlatform {
    fn redirect_url(&self) -> LocalFuture<Result<String, BrowserError>> {
        Box::pin(identity::redirect_url())
    }

    fn launch_web_auth_flow(&self, url: String) -> LocalFuture<Result<String, BrowserError>> {
        Box::pin(identity::launch_web_auth_flow(url))
    }
}

impl Messaging for ExtensionPlatform {
    fn ask_worker(&self, request: WorkerRequest) -> LocalFuture<Result<WorkerReply, BrowserError>> {
        Box::pin(async move { messaging::send_to_worker(&request).await })
    }
}

impl Clock for ExtensionPlatform {
    fn now_ms(&self) -> u64 {
        time::now_ms()
    }

    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(time::sleep(millis))
    }
}

impl Random for ExtensionPlatform {
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError> {
        crypto::random_bytes()
    }
}

impl Alarms for ExtensionPlatform {
    fn set_alarm(&self, name: &str, at_ms: u64) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::set(name.to_owned(), at_ms))
    }

    fn clear_alarm(&self, name: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::clear(name.to_owned()))
    }
}

impl Notifications for ExtensionPlatform {
    fn notify(
        &self,
        id: &str,
        title: &str,
        message: &str,
    ) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::notify(
            id.to_owned(),
            title.to_owned(),
            message.to_owned(),
        ))
    }

    fn clear_notification(&self, id: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::clear_notification(id.to_owned()))
    }

    fn set_badge(&self, text: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::set_badge(text.to_owned()))
    }

    fn open_page(&self, path: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(alarms::open_page(path.to_owned()))
    }
}

impl Menus for ExtensionPlatform {
    fn set_menu(
        &self,
        items: Vec<(String, String, &'static str)>,
    ) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(menus::set_menu(items))
    }

    fn open_popup(&self) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(menus::open_popup())
    }
}
