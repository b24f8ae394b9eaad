//! The words the app shows, in the user's language, from the extension's own `_locales`.
//!
//! The full pages, the worker and the tests have both languages compiled in; the popup, whose
//! wasm must stay small, reads the one the browser speaks from the extension's files instead
//! ([`Messages::from_catalog`]). Either way it is parsed once, when a surface starts; the surface
//! hands it down through context. We do not call `chrome.i18n.getMessage`:
//! it cannot be faked in component tests, and it cannot show German in a test whose browser
//! speaks English. Messages use chrome.i18n's numbered substitutions (`$1` to `$9`, `$$` for a
//! dollar sign), so the same `messages.json` serves the browser's manifest strings and the app.

use std::sync::Arc;

use serde_json::{Map, Value};

/// The languages Flare speaks; the first is the fallback.
const LANGUAGES: [&str; 2] = ["en", "de"];

/// Each language's `messages.json`, in the order of [`LANGUAGES`].
const CATALOGS: [&str; 2] = [
    include_str!("../static/_locales/en/messages.json"),
    include_str!("../static/_locales/de/messages.json"),
];

/// The messages of one language, cheap to clone and share through Leptos context.
#[derive(Clone, Debug)]
pub struct Messages(Arc<Catalog>);

/// A message cut at its substitutions, for views that wrap a substituted value in markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Words to show as they are.
    Text(&'a str),
    /// The substitution with this index (0 for `$1`).
    Arg(usize),
}

impl Messages {
    /// The messages for a language tag such as `de`, `de-AT` or `en-US`; English when Flare does
    /// not speak the language.
    pub fn for_language(tag: &str) -> Messages {
        let language = spoken_language(tag);
        let catalog_idx = LANGUAGES
            .iter()
            .position(|spoken| *spoken == language)
            .unwrap_or_default();
        Messages::from_catalog(language, CATALOGS[catalog_idx])
            .expect("a bundled messages.json is valid (tests/locales.rs)")
    }

    /// The messages of `language` (one of [`spoken_language`]'s answers) from the text of its
    /// `messages.json`; `None` when the text is not a catalog.
    pub fn from_catalog(language: &'static str, json: &str) -> Option<Messages> {
        // Parsed as a `Value`, whose parser the app has anyway: a typed map costs wasm bytes.
        let entries = serde_json::from_str(json).ok()?;
        Some(Messages(Arc::new(Catalog { language, entries })))
    }

    /// The messages for the language the browser's UI speaks.
    pub fn for_ui_language() -> Messages {
        Messages::for_language(&crate::browser::language::ui_language())
    }

    /// The language these messages are in (`en`, `de`), for the `lang` attribute.
    pub fn language(&self) -> &'static str {
        self.0.language
    }

    /// The message `key`, which takes no substitutions.
    pub fn text(&self, key: &str) -> String {
        self.format(key, &[])
    }

    /// The message `key` with `$1`, `$2`, … replaced by `args`.
    pub fn format(&self, key: &str, args: &[&str]) -> String {
        self.pieces(key)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text,
                Piece::Arg(arg_idx) => args.get(arg_idx).copied().unwrap_or_default(),
            })
            .collect()
    }

    /// The message `key` cut into words and substitutions, in the order the language puts them.
    pub fn pieces<'a>(&'a self, key: &'a str) -> Vec<Piece<'a>> {
        // Every key the code uses is in every language (tests/locales.rs); showing the key beats
        // taking the popup down should one slip through anyway.
        let message = self
            .0
            .entries
            .get(key)
            .and_then(|entry| entry["message"].as_str());
        let message = message.unwrap_or(key);
        split(message)
    }
}

/// The language Flare speaks for a tag such as `de`, `de-AT` or `en-US` (`en`, `de`); English
/// when Flare does not speak the language.
pub fn spoken_language(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    LANGUAGES
        .into_iter()
        .find(|language| language.eq_ignore_ascii_case(primary))
        .unwrap_or(LANGUAGES[0])
}

#[derive(Debug)]
struct Catalog {
    language: &'static str,
    /// Each key's `{"message": …, "description": …}`; the description is for translators.
    entries: Map<String, Value>,
}

/// Cuts a message at `$1`…`$9`; `$$` is a dollar sign, and any other `$` stays as it is.
fn split(message: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = message;
    while let Some(dollar_idx) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(dollar_idx);
        let after_dollar = &from_dollar[1..];
        let (piece, consumed) = match after_dollar.chars().next() {
            Some(digit @ '1'..='9') => {
                (Piece::Arg(digit as usize - '1' as usize), before.len() + 2)
            }
            Some('$') => (Piece::Text("$"), before.len() + 2),
            _ => (Piece::Text("$"), before.len() + 1),
        };
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        pieces.push(piece);
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_split(message: &str, expected: &[Piece<'_>]) {
        assert_eq!(split(message), expected, "message {message:?}");
    }

    #[test]
    fn splits_at_numbered_substitutions() {
        check_split("", &[]);
        check_split("Save", &[Piece::Text("Save")]);
        check_split(
            "Signed in to $1 as $2",
            &[
                Piece::Text("Signed in to "),
                Piece::Arg(0),
                Piece::Text(" as "),
                Piece::Arg(1),
            ],
        );
        check_split(
            "$2 von $1",
            &[Piece::Arg(1), Piece::Text(" von "), Piece::Arg(0)],
        );
        check_split("$$5", &[Piece::Text("$"), Piece::Text("5")]);
        check_split(
            "costs $ 5",
            &[Piece::Text("costs "), Piece::Text("$"), Piece::Text(" 5")],
        );
        check_split("ends in $", &[Piece::Text("ends in "), Piece::Text("$")]);
    }

    #[test]
    fn picks_the_language_by_its_primary_tag() {
        for (tag, expected) in [
            ("de", "de"),
            ("de-AT", "de"),
            ("DE_ch", "de"),
            ("en-US", "en"),
            ("fr-FR", "en"),
            ("", "en"),
        ] {
            assert_eq!(
                Messages::for_language(tag).language(),
                expected,
                "tag {tag:?}"
            );
        }
    }

    #[test]
    fn substitutes_in_the_order_the_language_wants() {
        let english = Messages::for_language("en");
        let german = Messages::for_language("de");
        assert_eq!(
            english.format("incidents_range", &["1", "20", "25"]),
            "1–20 of 25"
        );
        assert_eq!(
            german.format("incidents_range", &["1", "20", "25"]),
            "1–20 von 25"
        );
        assert_eq!(german.text("connect_save"), "Speichern");
    }

    #[test]
    fn an_unknown_key_shows_as_itself() {
        // Not a literal: tests/locales.rs would rightly report it as missing from the catalogs.
        let unknown_key = String::from("no_such_key");
        assert_eq!(
            Messages::for_language("de").text(&unknown_key),
            "no_such_key"
        );
    }
}
