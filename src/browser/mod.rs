//! Everything that touches the browser: extension APIs and the network.
//!
//! The app reaches these only through the [`Platform`] trait, handed down as context, so component
//! tests can use a fake; [`time::local_date_time`], which has nothing to fake, is a plain function.
//! No `JsValue` leaves this module, and no other module uses `js_sys` or `wasm_bindgen`.

mod crypto;
mod extension;
mod http;
pub mod language;
mod permissions;
mod storage;
mod tabs;
pub mod time;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use flare_core::http::{HttpRequest, HttpResponse};
use send_wrapper::SendWrapper;

/// A future that stays on the browser's one thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A failure inside the browser, before or instead of an answer from the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The request never got an answer (offline, refused, DNS, CORS, TLS).
    Network(String),
    /// An extension API threw or rejected.
    Api(String),
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
}

/// The browser services the app uses.
pub trait Platform {
    /// Sends an HTTP request without cookies and hands back whatever came back.
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>>;
    /// Reads a JSON value from extension storage.
    fn load(&self, key: &str) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>>;
    /// Writes a JSON value to extension storage.
    fn save(&self, key: &str, value: serde_json::Value) -> LocalFuture<Result<(), BrowserError>>;
    /// Deletes a key from extension storage.
    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>>;
    /// Asks the user for access to an origin pattern; must run inside a user gesture.
    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>>;
    /// The page the user was on when they opened Flare.
    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>>;
    /// Cryptographically random bytes.
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError>;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Resolves after `millis` milliseconds.
    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>>;
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

/// The real browser.
struct ExtensionPlatform;

impl Platform for ExtensionPlatform {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, BrowserError>> {
        Box::pin(http::send(request))
    }

    fn load(&self, key: &str) -> LocalFuture<Result<Option<serde_json::Value>, BrowserError>> {
        Box::pin(storage::load(key.to_owned()))
    }

    fn save(&self, key: &str, value: serde_json::Value) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::save(key.to_owned(), value))
    }

    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(storage::remove(key.to_owned()))
    }

    fn request_host_permission(&self, pattern: &str) -> LocalFuture<Result<bool, BrowserError>> {
        Box::pin(permissions::request_origin(pattern.to_owned()))
    }

    fn page_context(&self) -> LocalFuture<Result<PageContext, BrowserError>> {
        Box::pin(tabs::page_context())
    }

    fn random_bytes(&self) -> Result<[u8; 16], BrowserError> {
        crypto::random_bytes()
    }

    fn now_ms(&self) -> u64 {
        time::now_ms()
    }

    fn sleep(&self, millis: u64) -> LocalFuture<Result<(), BrowserError>> {
        Box::pin(time::sleep(millis))
    }
}
