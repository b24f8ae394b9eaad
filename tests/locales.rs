//! Every word the app shows is in every language: the keys the code asks `Messages` for, the
//! keys `manifest.json` names as `__MSG_key__`, and the keys of each `_locales/*/messages.json`
//! are one and the same set, and each message takes the same substitutions in each language.
//!
//! Keys are found where the code passes a string literal straight to `.text(`, `.format(` or
//! `.pieces(`; `Messages` is never handed a key built at run time, so nothing escapes this scan.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const LANGUAGES: [&str; 2] = ["en", "de"];

#[test]
fn every_key_is_used_and_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeMap::<String, String>::new();
    for file in rust_files(&root.join("src")) {
        let source = fs::read_to_string(&file).expect("a source file is readable");
        for key in keys_in_code(&source) {
            let place = file.strip_prefix(root).unwrap_or(&file);
            used.entry(key)
                .or_insert_with(|| place.display().to_string());
        }
    }
    let manifest = fs::read_to_string(root.join("manifest.json")).expect("manifest.json");
    for key in keys_in_manifest(&manifest) {
        used.entry(key)
            .or_insert_with(|| "manifest.json".to_owned());
    }
    assert!(used.contains_key("connect_heading"), "the scan finds keys");

    let mut problems = Vec::new();
    let english = messages(root, "en");
    for language in LANGUAGES {
        let catalog = messages(root, language);
        for (key, place) in &used {
            if !catalog.contains_key(key) {
                problems.push(format!(
                    "{key} (used in {place}) is missing from {language}"
                ));
            }
        }
        for key in catalog.keys().filter(|key| !used.contains_key(*key)) {
            problems.push(format!("{key} in {language} is not used anywhere"));
        }
        for (key, message) in &catalog {
            match english.get(key) {
                None => problems.push(format!("{key} is in {language} but not in en")),
                Some(source) if substitutions(source) != substitutions(message) => problems.push(
                    format!("{key} takes other substitutions in {language} than in en"),
                ),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_finds_keys_however_the_call_is_formatted() {
    let source = r#"
        messages.text("a_key");
        messages.format(
            "b_key",
            &[x],
        );
        rich_text(messages.pieces("c_key"), |_| ());
        response.text().await;
        format!("{not_a_key}");
    "#;
    let mut keys = keys_in_code(source);
    keys.sort();
    assert_eq!(keys, ["a_key", "b_key", "c_key"]);
    assert_eq!(
        keys_in_manifest(r#"{"name": "__MSG_extension_name__", "x": "__MSG_b__"}"#),
        ["extension_name", "b"]
    );
}

/// The string literals passed first to `.text(`, `.format(` or `.pieces(`.
fn keys_in_code(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for call in [".text(", ".format(", ".pieces("] {
        for (idx, _) in source.match_indices(call) {
            let argument = source[idx + call.len()..].trim_start();
            if let Some(literal) = argument.strip_prefix('"') {
                let end = literal.find('"').expect("a string literal ends");
                keys.push(literal[..end].to_owned());
            }
        }
    }
    keys
}

fn keys_in_manifest(manifest: &str) -> Vec<String> {
    manifest
        .split("__MSG_")
        .skip(1)
        .filter_map(|rest| rest.split_once("__").map(|(key, _)| key.to_owned()))
        .collect()
}

/// Each key's message in one language.
fn messages(root: &Path, language: &str) -> BTreeMap<String, String> {
    let path = root.join(format!("static/_locales/{language}/messages.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    let entries: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path:?}: {error}"));
    entries
        .into_iter()
        .map(|(key, entry)| {
            let message = entry["message"]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {language} has no message"));
            (key, message.to_owned())
        })
        .collect()
}

/// The `$1`…`$9` a message uses.
fn substitutions(message: &str) -> BTreeSet<char> {
    message
        .split('$')
        .skip(1)
        .filter_map(|rest| rest.chars().next().filter(char::is_ascii_digit))
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}
