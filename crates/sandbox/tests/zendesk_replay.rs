//! Replays every request recorded from a real Zendesk account
//! (`crates/core/tests/fixtures/recorded/zendesk/`, zenpy's cassettes) against the sandbox and
//! checks the answer against the recorded one: the status, error bodies byte for byte, the headers
//! Flare reads (`Content-Type`, `location`, `x-rate-limit`, `x-zendesk-api-warn`), and for
//! successes the shape: the same keys in every object, recursively.
//!
//! Each recorded test case (a file, plus its `-tearDown` file) runs against a fresh sandbox. The
//! recorded account's ids differ from the sandbox's, so ids learned from replies (a created
//! ticket, a job's results, a job id, a page's cursors) are mapped, and later requests are
//! rewritten with them. The seeded tickets 1 to 12 stand in for the recorded account's first
//! tickets, which the recorded ticket cursors point at, and their audits for the recorded
//! account's first audits; the recorded group cursors name groups by name and recorded id, and
//! walk the seeded groups and those the case creates in the same name order. Every recorded
//! interaction is replayed: none is skipped, so a new recording of an endpoint the sandbox lacks
//! fails here.
//!
//! The account's brand, organization and custom roles are seeded alike in every fresh sandbox and
//! no case creates one, so their ids, once learned (`brand_id`, `organization_id`,
//! `custom_role_id`), carry over to the cases after: zenpy looked the admin's custom role up in
//! cases whose own replies never name it, its user being cached from an earlier case. Keys under
//! `user_fields` are the recorded account's own custom user fields and are not compared.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::Value;

use crate::common::{Reply, Sandbox, ZENDESK_ADMIN};

struct Interaction {
    method: String,
    path_and_query: String,
    body: Option<Value>,
    status: u16,
    headers: HashMap<String, String>,
    response_body: String,
}

/// Recorded ids, job ids and paging cursors, and what the sandbox answered in their place.
#[derive(Default)]
struct IdMap {
    numbers: HashMap<u64, u64>,
    texts: HashMap<String, String>,
    /// The part of `numbers` learned from [`SETTINGS_KEYS`], which later cases keep.
    settings: HashMap<u64, u64>,
}

/// Keys naming the account's brand, organizations and custom roles.
const SETTINGS_KEYS: [&str; 3] = ["brand_id", "organization_id", "custom_role_id"];

/// Objects whose keys each account defines for itself.
const ACCOUNT_DEFINED_KEYS: [&str; 1] = ["user_fields"];

fn recorded_cases() -> BTreeMap<String, Vec<PathBuf>> {
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/recorded/zendesk");
    let mut cases: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the recorded folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    paths.sort();
    for path in paths {
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("a file name")
            .to_owned();
        let case = stem.split('-').next().unwrap_or(&stem).to_owned();
        let files = cases.entry(case).or_default();
        // The recorded test before its tear-down.
        match stem.ends_with("-tearDown") {
            true => files.push(path),
            false => files.insert(0, path),
        }
    }
    cases
}

fn interactions(path: &Path) -> Vec<Interaction> {
    let text = std::fs::read_to_string(path).expect("a recording");
    let recording: Value = serde_json::from_str(&text).expect("recorded JSON");
    recording["interactions"]
        .as_array()
        .expect("interactions")
        .iter()
        .map(|interaction| {
            let request = &interaction["request"];
            let response = &interaction["response"];
            let uri = request["uri"].as_str().expect("a uri");
            let path_start = uri.find("/api/").expect("an API path");
            let body = request["body"]
                .as_str()
                .filter(|body| !body.is_empty())
                .map(|body| serde_json::from_str(body).expect("a JSON request body"));
            let headers = response["headers"]
                .as_object()
                .expect("headers")
                .iter()
                .map(|(name, value)| {
                    (
                        name.to_ascii_lowercase(),
                        value.as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            Interaction {
                method: request["method"].as_str().expect("a method").to_owned(),
                path_and_query: uri[path_start..].to_owned(),
                body,
                status: response["status"].as_u64().expect("a status") as u16,
                headers,
                response_body: response["body"].as_str().unwrap_or_default().to_owned(),
            }
        })
        .collect()
}

impl IdMap {
    /// The map the next case starts with: the settings ids learned so far.
    fn for_next_case(&self) -> IdMap {
        IdMap {
            numbers: self.settings.clone(),
            texts: HashMap::new(),
            settings: self.settings.clone(),
        }
    }

    /// The request with recorded ids replaced: in path segments, in `ids=`, and in `id` fields.
    fn rewrite_path(&self, path_and_query: &str) -> String {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let segments: Vec<String> = path
            .split('/')
            .map(|segment| {
                let (stem, suffix) = match segment.strip_suffix(".json") {
                    Some(stem) => (stem, ".json"),
                    None => (segment, ""),
                };
                let mapped = match stem.parse::<u64>() {
                    Ok(id) => self.number(id).to_string(),
                    Err(_) => self
                        .texts
                        .get(stem)
                        .cloned()
                        .unwrap_or_else(|| stem.to_owned()),
                };
                format!("{mapped}{suffix}")
            })
            .collect();
        let mut rewritten = segments.join("/");
        if let Some(query) = query {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("ids", ids)) => {
                        let ids: Vec<String> = ids
                            .split(',')
                            .map(|id| match id.parse::<u64>() {
                                Ok(id) => self.number(id).to_string(),
                                Err(_) => id.to_owned(),
                            })
                            .collect();
                        format!("ids={}", ids.join(","))
                    }
                    Some((name @ ("page%5Bafter%5D" | "page%5Bbefore%5D"), cursor)) => {
                        let cursor = percent_decode(cursor);
                        let mapped = self.texts.get(&cursor).unwrap_or(&cursor);
                        format!("{name}={}", percent_encode(mapped))
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            rewritten = format!("{rewritten}?{}", pairs.join("&"));
        }
        rewritten
    }

    fn rewrite_body(&self, body: &mut Value) {
        match body {
            Value::Object(object) => {
                for (key, value) in object.iter_mut() {
                    match (key.as_str(), value.as_u64()) {
                        ("id", Some(id)) => *value = Value::from(self.number(id)),
                        _ => self.rewrite_body(value),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.rewrite_body(item)),
            _ => {}
        }
    }

    fn number(&self, id: u64) -> u64 {
        self.numbers.get(&id).copied().unwrap_or(id)
    }

    /// Learns ids from a recorded reply and the sandbox's, walked side by side.
    fn learn(&mut self, recorded: &Value, actual: &Value) {
        match (recorded, actual) {
            (Value::Object(recorded), Value::Object(actual)) => {
                for (key, recorded_value) in recorded {
                    let Some(actual_value) = actual.get(key) else {
                        continue;
                    };
                    let is_id = key == "id" || key.ends_with("_id");
                    let is_cursor = key == "after_cursor" || key == "before_cursor";
                    match (recorded_value, actual_value) {
                        (Value::Number(from), Value::Number(to)) if is_id => {
                            if let (Some(from), Some(to)) = (from.as_u64(), to.as_u64()) {
                                self.numbers.entry(from).or_insert(to);
                                if SETTINGS_KEYS.contains(&key.as_str()) {
                                    self.settings.entry(from).or_insert(to);
                                }
                            }
                        }
                        (Value::String(from), Value::String(to)) if key == "id" || is_cursor => {
                            self.texts.entry(from.clone()).or_insert_with(|| to.clone());
                        }
                        _ => self.learn(recorded_value, actual_value),
                    }
                }
            }
            (Value::Array(recorded), Value::Array(actual)) => {
                for (recorded_item, actual_item) in recorded.iter().zip(actual) {
                    self.learn(recorded_item, actual_item);
                }
            }
            _ => {}
        }
    }
}

/// A recorded query value as text: cursors are base64, sent with `%3D`, `%2B` and `%2F`.
fn percent_decode(value: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = value.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = (byte == b'%')
            .then(|| tail.get(..2))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(decoded) => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            None => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).expect("a UTF-8 query value")
}

/// A cursor as a query value again.
fn percent_encode(cursor: &str) -> String {
    cursor
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// Keys the sandbox sends that only some recordings have: `job_type` is in the 2024 cassettes and
/// not in the 2023 ones, and the sandbox answers like the newer account.
const NEWER_KEYS: [&str; 1] = ["job_type"];

/// Differences in shape: keys one side has and the other has not, in objects found at the same
/// place on both sides. Values may differ; nulls and missing array items are not compared.
fn shape_differences(recorded: &Value, actual: &Value, at: &str, differences: &mut Vec<String>) {
    match (recorded, actual) {
        (Value::Object(recorded), Value::Object(actual)) => {
            for key in recorded.keys().filter(|key| !actual.contains_key(*key)) {
                differences.push(format!("{at}/{key} missing"));
            }
            let added = actual
                .keys()
                .filter(|key| !recorded.contains_key(*key) && !NEWER_KEYS.contains(&key.as_str()));
            for key in added {
                differences.push(format!("{at}/{key} not recorded"));
            }
            let compared = recorded
                .iter()
                .filter(|(key, _)| !ACCOUNT_DEFINED_KEYS.contains(&key.as_str()));
            for (key, value) in compared {
                if let Some(actual_value) = actual.get(key) {
                    shape_differences(value, actual_value, &format!("{at}/{key}"), differences);
                }
            }
        }
        (Value::Array(recorded), Value::Array(actual)) => {
            for (index, (recorded_item, actual_item)) in recorded.iter().zip(actual).enumerate() {
                shape_differences(
                    recorded_item,
                    actual_item,
                    &format!("{at}/{index}"),
                    differences,
                );
            }
        }
        _ => {}
    }
}

/// What differs between the recorded reply and the sandbox's; empty when they agree.
fn compare(recorded: &Interaction, actual: &Reply) -> Vec<String> {
    let mut differences = Vec::new();
    if actual.status.as_u16() != recorded.status {
        differences.push(format!(
            "status {} recorded, {} answered: {}",
            recorded.status, actual.status, actual.text
        ));
        return differences;
    }
    for name in ["content-type", "x-zendesk-api-warn"] {
        if let Some(recorded_value) = recorded.headers.get(name) {
            if actual.header(name) != Some(recorded_value.as_str()) {
                differences.push(format!(
                    "{name}: {recorded_value:?} recorded, {:?} answered",
                    actual.header(name)
                ));
            }
        }
    }
    for name in [
        "location",
        "x-rate-limit",
        "x-rate-limit-remaining",
        "rate-limit-reset",
    ] {
        if recorded.headers.contains_key(name) && actual.header(name).is_none() {
            differences.push(format!("{name} missing"));
        }
    }
    if recorded.response_body.is_empty() {
        if !actual.text.is_empty() {
            differences.push(format!(
                "an empty body recorded, {:?} answered",
                actual.text
            ));
        }
        return differences;
    }
    let recorded_json: Value =
        serde_json::from_str(&recorded.response_body).expect("a recorded JSON body");
    let actual_json: Value = match serde_json::from_str(&actual.text) {
        Ok(json) => json,
        Err(error) => {
            differences.push(format!("not JSON ({error}): {}", actual.text));
            return differences;
        }
    };
    // Error bodies byte for byte (key order included); successes by shape.
    match recorded.status >= 400 {
        true if actual.text != recorded.response_body => {
            differences.push(format!(
                "error body {} recorded, {} answered",
                recorded.response_body, actual.text
            ));
        }
        true => {}
        false => shape_differences(&recorded_json, &actual_json, "", &mut differences),
    }
    differences
}

#[tokio::test]
async fn the_sandbox_answers_like_the_recorded_account() {
    let mut n_compared = 0;
    let mut failures = Vec::new();
    let mut ids = IdMap::default();
    for files in recorded_cases().values() {
        let sandbox = Sandbox::start_zendesk().await;
        ids = ids.for_next_case();
        for file in files {
            let file_name = file
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            for (interaction_idx, recorded) in interactions(file).into_iter().enumerate() {
                let method = Method::from_bytes(recorded.method.as_bytes()).expect("a method");
                let path = ids.rewrite_path(&recorded.path_and_query);
                let mut request = sandbox
                    .client()
                    .request(method, format!("{}{path}", sandbox.url));
                if let Some(mut body) = recorded.body.clone() {
                    ids.rewrite_body(&mut body);
                    request = request.json(&body);
                }
                let reply = sandbox.send(request, Some(ZENDESK_ADMIN)).await;
                let differences = compare(&recorded, &reply);
                if !differences.is_empty() {
                    failures.push(format!(
                        "{file_name} #{interaction_idx} {} {path}:\n    {}",
                        recorded.method,
                        differences.join("\n    ")
                    ));
                }
                if let (Ok(recorded_json), Ok(actual_json)) = (
                    serde_json::from_str::<Value>(&recorded.response_body),
                    serde_json::from_str::<Value>(&reply.text),
                ) {
                    ids.learn(&recorded_json, &actual_json);
                }
                n_compared += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let n_recorded: usize = recorded_cases()
        .values()
        .flatten()
        .map(|file| interactions(file).len())
        .sum();
    assert_eq!(n_compared, n_recorded);
    assert!(n_compared >= 625, "only {n_compared} interactions compared");
}
