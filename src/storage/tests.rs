use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use flare_core::auth::Credentials;
use flare_core::instance::InstanceUrl;
use flare_core::providers::zendesk;

use super::*;
use crate::api::{AccountUser, SignInMethod};
use crate::browser::LocalFuture;

/// Extension storage in memory; every call is ready at once.
#[derive(Default)]
struct Memory(RefCell<HashMap<String, Value>>);

impl Storage for Memory {
    fn load(&self, key: &str) -> LocalFuture<Result<Option<Value>, BrowserError>> {
        let value = self.0.borrow().get(key).cloned();
        Box::pin(async move { Ok(value) })
    }

    fn save(&self, key: &str, value: Value) -> LocalFuture<Result<(), BrowserError>> {
        self.0.borrow_mut().insert(key.to_owned(), value);
        Box::pin(async { Ok(()) })
    }

    fn remove(&self, key: &str) -> LocalFuture<Result<(), BrowserError>> {
        self.0.borrow_mut().remove(key);
        Box::pin(async { Ok(()) })
    }

    fn load_managed(&self) -> LocalFuture<Result<Value, BrowserError>> {
        Box::pin(async { Ok(json!({})) })
    }
}

impl Random for Memory {
    fn random_bytes(&self) -> Result<[u8; 16], BrowserError> {
        Ok([0xab; 16])
    }
}

impl Memory {
    fn with(entries: &[(&str, Value)]) -> Memory {
        let memory = Memory::default();
        for (key, value) in entries {
            memory
                .0
                .borrow_mut()
                .insert((*key).to_owned(), value.clone());
        }
        memory
    }

    fn get(&self, key: &str) -> Option<Value> {
        self.0.borrow().get(key).cloned()
    }
}

/// Runs a future whose every await is ready at once, as all of [`Memory`]'s are.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-memory storage never waits"),
    }
}

/// A ServiceNow connection as version 1 (and version 0) stored it.
fn v1_connection() -> Value {
    json!({
        "instance": "https://acme.service-now.com",
        "credentials": {"kind": "basic", "username": "abel.tuter", "password": "pw"},
        "user": {"sys_id": "6282", "user_name": "abel.tuter", "name": "Abel Tuter", "email": ""}
    })
}

fn v1_connections() -> Value {
    json!({
        "connections": [{"id": "c1", "name": "acme", "connection": v1_connection()}],
        "default_id": "c1"
    })
}

/// What version 2 keeps of [`v1_connection`]: everything, with the user tagged.
fn v2_connection() -> Value {
    let mut connection = v1_connection();
    connection["user"] = json!({"servicenow": v1_connection()["user"]});
    connection
}

fn zendesk_connection(user_id: u64, name: &str) -> Connection {
    Connection {
        instance: InstanceUrl::parse_zendesk("acme").expect("valid"),
        credentials: zendesk::api_token_credentials("ada@example.com", "token"),
        user: AccountUser::Zendesk(zendesk::User {
            id: user_id,
            name: name.to_owned(),
            email: Some("ada@example.com".to_owned()),
            role: "admin".to_owned(),
        }),
        oauth: None,
    }
}

#[test]
fn a_v1_servicenow_connection_loads_unchanged() {
    let storage = Memory::with(&[
        (SCHEMA_VERSION_KEY, json!(1)),
        (CONNECTIONS_KEY, v1_connections()),
    ]);
    ready(open(&storage)).expect("opens");
    assert_eq!(storage.get(SCHEMA_VERSION_KEY), Some(json!(2)));
    let stored = storage.get(CONNECTIONS_KEY).expect("kept");
    assert_eq!(stored["connections"][0]["connection"], v2_connection());
    assert_eq!(stored["default_id"], "c1");

    let saved = ready(load_connections(&storage)).expect("loads");
    let default = saved.default_connection().expect("the connection is there");
    assert_eq!((default.id.as_str(), default.name.as_str()), ("c1", "acme"));
    let connection = &default.connection;
    assert_eq!(connection.provider(), crate::api::Provider::ServiceNow);
    assert_eq!(connection.host(), "acme.service-now.com");
    assert_eq!(connection.user_display_name(), "Abel Tuter");
    assert_eq!(
        connection.credentials,
        Credentials::Basic {
            username: "abel.tuter".into(),
            password: "pw".into()
        }
    );
    assert_eq!(connection.oauth, None);
}

#[test]
fn a_v0_connection_becomes_the_default_of_the_list() {
    let storage = Memory::with(&[(V0_CONNECTION_KEY, v1_connection())]);
    ready(open(&storage)).expect("opens");
    assert_eq!(storage.get(V0_CONNECTION_KEY), None, "the old key is gone");
    let stored = storage.get(CONNECTIONS_KEY).expect("written");
    assert_eq!(
        stored,
        json!({
            "connections": [{"id": "abababababab", "name": "acme.service-now.com",
                             "connection": v2_connection()}],
            "default_id": "abababababab"
        })
    );
}

#[test]
fn opening_again_or_from_a_second_surface_changes_nothing() {
    let storage = Memory::with(&[
        (SCHEMA_VERSION_KEY, json!(1)),
        (CONNECTIONS_KEY, v1_connections()),
    ]);
    ready(open(&storage)).expect("opens");
    let upgraded = storage.get(CONNECTIONS_KEY);
    ready(open(&storage)).expect("opens again");
    assert_eq!(storage.get(CONNECTIONS_KEY), upgraded);

    // A second surface read version 1 before the first wrote version 2, and upgrades again.
    storage
        .0
        .borrow_mut()
        .insert(SCHEMA_VERSION_KEY.to_owned(), json!(1));
    ready(open(&storage)).expect("opens");
    assert_eq!(storage.get(CONNECTIONS_KEY), upgraded, "tagged once only");
}

#[test]
fn a_connection_stores_its_provider_with_its_user() {
    let connection = zendesk_connection(10_001, "Ada Admin");
    let stored = serde_json::to_value(&connection).expect("serialises");
    assert_eq!(
        stored["user"],
        json!({"zendesk": {"id": 10_001, "name": "Ada Admin", "email": "ada@example.com",
                           "role": "admin"}})
    );
    assert_eq!(stored["instance"], "https://acme.zendesk.com");
    let loaded: Connection = serde_json::from_value(stored).expect("reads back");
    assert_eq!(loaded, connection);
}

#[test]
fn signing_in_again_as_the_same_zendesk_user_replaces_the_connection() {
    let mut saved = SavedConnections::default();
    saved.upsert(zendesk_connection(10_001, "Ada Admin"), "z1".to_owned());
    let renamed = zendesk_connection(10_001, "Ada A. Admin");
    saved.upsert(renamed.clone(), "z2".to_owned());
    assert_eq!(saved.connections.len(), 1, "the same user signed in again");
    assert_eq!(saved.connections[0].id, "z1");
    assert_eq!(saved.connections[0].connection, renamed);

    saved.upsert(zendesk_connection(10_002, "Aiden Agent"), "z3".to_owned());
    let names: Vec<&str> = saved
        .connections
        .iter()
        .map(|saved| saved.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["acme.zendesk.com", "acme.zendesk.com (Aiden Agent)"],
        "another user of the account is told apart"
    );
    assert_eq!(saved.default_id.as_deref(), Some("z3"));
}

#[test]
fn signing_out_keeps_the_name_and_id_for_signing_in_again() {
    let mut saved = SavedConnections::default();
    saved.upsert(zendesk_connection(10_001, "Ada Admin"), "z1".to_owned());
    saved.upsert(zendesk_connection(10_002, "Aiden Agent"), "z2".to_owned());
    assert!(saved.rename("z1", "Support"));
    assert!(saved.sign_out("z1"));
    assert_eq!(saved.find("z1"), None, "no credentials are left");
    assert_eq!(saved.signed_out.len(), 1);
    let preset = &saved.signed_out[0].sign_in;
    assert_eq!(
        preset.username, "ada@example.com",
        "the e-mail, not Zendesk's email/token"
    );
    assert_eq!(preset.method, SignInMethod::ApiToken);
    let stored = serde_json::to_string(&saved.signed_out).unwrap();
    assert!(
        !stored.contains("\"token\""),
        "the API token is gone: {stored}"
    );

    saved.upsert(zendesk_connection(10_001, "Ada Admin"), "z3".to_owned());
    assert!(saved.signed_out.is_empty());
    let again = saved
        .find("z1")
        .expect("the same id, so the same templates");
    assert_eq!(again.name, "Support");
    assert_eq!(saved.default_id.as_deref(), Some("z1"));
}

#[test]
fn removing_a_signed_out_connection_forgets_it() {
    let mut saved = SavedConnections::default();
    saved.upsert(zendesk_connection(10_001, "Ada Admin"), "z1".to_owned());
    saved.sign_out("z1");
    saved.remove("z1");
    assert_eq!(saved, SavedConnections::default());
    assert!(!saved.sign_out("z1"));
}
