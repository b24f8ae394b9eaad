//! The page's details a report starts with: one readable block the user sees, edits or leaves out
//! before sending, within what the privacy settings allow.

use crate::browser::{ConsoleEntry, ConsoleKind, PageContext};
use crate::i18n::Messages;
use crate::settings::PrivacySettings;

/// The block for `page`, one line per detail the privacy settings allow; empty when none is.
pub fn page_details(page: &PageContext, privacy: &PrivacySettings, messages: &Messages) -> String {
    let mut lines = Vec::new();
    if privacy.page_url && !page.url.is_empty() {
        lines.push(messages.format("page_details_page", &[&page.url]));
    }
    if privacy.page_title && !page.title.is_empty() {
        lines.push(messages.format("page_details_title", &[&page.title]));
    }
    if privacy.browser && !page.user_agent.is_empty() {
        let (browser, os) = browser_and_os(&page.user_agent);
        lines.push(messages.format("page_details_browser", &[&browser, &os]));
    }
    if let (true, Some((width, height))) = (privacy.viewport, page.viewport) {
        lines.push(messages.format(
            "page_details_window",
            &[&width.to_string(), &height.to_string()],
        ));
    }
    if privacy.locale && !page.language.is_empty() {
        lines.push(messages.format("page_details_locale", &[&page.language, &page.time_zone]));
    }
    lines.join("\n")
}

/// The console capture's entries (already redacted by the worker) as one readable block, one
/// line each, oldest first.
pub fn console_details(entries: &[ConsoleEntry], messages: &Messages) -> String {
    entries
        .iter()
        .map(|entry| {
            let text = entry.text.replace(['\r', '\n'], " ");
            match entry.kind {
                ConsoleKind::Error => messages.format("console_entry_error", &[&text]),
                ConsoleKind::Console => messages.format("console_entry_console", &[&text]),
                ConsoleKind::Request => messages.format("console_entry_request", &[&text]),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `description` with the text the user reported from the page quoted above it, one `> ` line per
/// line of the selection, so the agent tells the page's words from the user's.
pub fn with_quoted_selection(selection: &str, description: &str) -> String {
    let quoted: Vec<String> = selection
        .trim()
        .lines()
        .map(|line| format!("> {}", line.trim_end()).trim_end().to_owned())
        .collect();
    match (quoted.is_empty(), description.trim().is_empty()) {
        (true, _) => description.to_owned(),
        (false, true) => format!("{}\n", quoted.join("\n")),
        (false, false) => format!("{}\n\n{description}", quoted.join("\n")),
    }
}

/// The browser with its major version, and the operating system, from a user agent string, as an
/// agent would say them ("Firefox 142", "Windows"). Unknown parts are named as such, not guessed.
pub fn browser_and_os(user_agent: &str) -> (String, String) {
    // Most specific first: Edge and Opera also say Chrome, Chrome also says Safari.
    let browsers = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    let browser = browsers
        .iter()
        .find_map(|(token, name)| {
            let version = user_agent.split(token).nth(1)?;
            let major = version.split(['.', ' ']).next().unwrap_or_default();
            Some(format!("{name} {major}"))
        })
        .unwrap_or_else(|| user_agent.split(' ').next().unwrap_or_default().to_owned());
    let systems = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let os = systems
        .iter()
        .find(|(token, _)| user_agent.contains(token))
        .map_or("?", |(_, name)| name);
    (browser, os.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_is_quoted_above_what_the_user_wrote() {
        assert_eq!(with_quoted_selection("", "Broken."), "Broken.");
        assert_eq!(
            with_quoted_selection("  Error 503\n\nTry later  ", ""),
            "> Error 503\n>\n> Try later\n"
        );
        assert_eq!(
            with_quoted_selection("Error 503", "It says:\n"),
            "> Error 503\n\nIt says:\n"
        );
    }

    const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.129 Safari/537.36";

    fn page() -> PageContext {
        PageContext {
            title: "Payroll portal".to_owned(),
            url: "https://payroll.example.com/run".to_owned(),
            user_agent: CHROME_LINUX.to_owned(),
            viewport: Some((1280, 720)),
            language: "de-DE".to_owned(),
            time_zone: "Europe/Berlin".to_owned(),
            tab_id: None,
        }
    }

    #[test]
    fn every_detail_allowed_is_one_line() {
        let details = page_details(
            &page(),
            &PrivacySettings::default(),
            &Messages::for_language("en"),
        );
        assert_eq!(
            details,
            "Page: https://payroll.example.com/run\nTitle: Payroll portal\n\
             Browser: Chrome 156 on Linux\nWindow: 1280 × 720\n\
             Language: de-DE; time zone: Europe/Berlin"
        );
    }

    #[test]
    fn the_privacy_settings_leave_details_out() {
        let privacy = PrivacySettings {
            page_url: false,
            page_title: false,
            viewport: false,
            locale: false,
            ..PrivacySettings::default()
        };
        let details = page_details(&page(), &privacy, &Messages::for_language("en"));
        assert_eq!(details, "Browser: Chrome 156 on Linux");
        let nothing = PrivacySettings {
            browser: false,
            ..privacy
        };
        assert_eq!(
            page_details(&page(), &nothing, &Messages::for_language("en")),
            ""
        );
    }

    #[test]
    fn browsers_and_systems_are_named_from_their_user_agents() {
        let cases = [
            (CHROME_LINUX, ("Chrome 156", "Linux")),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:142.0) Gecko/20100101 Firefox/142.0",
                ("Firefox 142", "Windows"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                ("Edge 131", "macOS"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                ("Safari 17", "macOS"),
            ),
            ("TestBrowser/1.0", ("TestBrowser/1.0", "?")),
        ];
        for (user_agent, (browser, os)) in cases {
            assert_eq!(
                browser_and_os(user_agent),
                (browser.to_owned(), os.to_owned()),
                "{user_agent}"
            );
        }
    }
}
