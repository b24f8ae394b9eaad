//! What the user sets on the options page, beside their connections: how Flare looks, what a
//! report may tell about the page it was filed from, and how often Flare looks for changes on
//! their tickets. Plain data; `storage` keeps it.

use serde::{Deserialize, Serialize};

/// Light or dark, or whatever the system uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Appearance {
    /// Follow the system (`prefers-color-scheme`).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Appearance {
    /// Every choice, in the order the options page lists them.
    pub const ALL: [Appearance; 3] = [Appearance::System, Appearance::Light, Appearance::Dark];

    /// The `data-theme` a page gets: none follows the system.
    pub fn theme(self) -> Option<&'static str> {
        match self {
            Appearance::System => None,
            Appearance::Light => Some("light"),
            Appearance::Dark => Some("dark"),
        }
    }

    /// The value it has in a form and in storage.
    pub fn value(self) -> &'static str {
        match self {
            Appearance::System => "system",
            Appearance::Light => "light",
            Appearance::Dark => "dark",
        }
    }

    /// The choice with `value`; the system's for anything else.
    pub fn from_value(value: &str) -> Appearance {
        Appearance::ALL
            .into_iter()
            .find(|appearance| appearance.value() == value)
            .unwrap_or_default()
    }
}

/// How often the background worker looks for changes on the user's tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowEvery {
    /// Every minute.
    Minute,
    /// Every five minutes.
    #[default]
    FiveMinutes,
    /// Every quarter of an hour.
    QuarterHour,
    /// Every hour.
    Hour,
    /// Never: no badge and no notifications.
    Never,
}

impl FollowEvery {
    /// Every choice, in the order the options page lists them.
    pub const ALL: [FollowEvery; 5] = [
        FollowEvery::Minute,
        FollowEvery::FiveMinutes,
        FollowEvery::QuarterHour,
        FollowEvery::Hour,
        FollowEvery::Never,
    ];

    /// The time between two looks; `None` for never.
    pub fn period_ms(self) -> Option<u64> {
        const MINUTE_MS: u64 = 60_000;
        match self {
            FollowEvery::Minute => Some(MINUTE_MS),
            FollowEvery::FiveMinutes => Some(5 * MINUTE_MS),
            FollowEvery::QuarterHour => Some(15 * MINUTE_MS),
            FollowEvery::Hour => Some(60 * MINUTE_MS),
            FollowEvery::Never => None,
        }
    }

    /// The value it has in a form.
    pub fn value(self) -> &'static str {
        match self {
            FollowEvery::Minute => "minute",
            FollowEvery::FiveMinutes => "five_minutes",
            FollowEvery::QuarterHour => "quarter_hour",
            FollowEvery::Hour => "hour",
            FollowEvery::Never => "never",
        }
    }
}

/// Which details about the page a new report starts with. The user still sees them in the form and
/// may edit or remove them before sending; these decide what is there to begin with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivacySettings {
    /// The page's address.
    pub page_url: bool,
    /// The page's title.
    pub page_title: bool,
    /// The browser, its version and the operating system.
    pub browser: bool,
    /// The window's size.
    pub viewport: bool,
    /// The browser's language and time zone.
    pub locale: bool,
    /// Errors from the page's console and its failed requests; off until the user opts in, since
    /// they can carry what the page shows.
    pub console_errors: bool,
}

/// Everything a service desk needs to reproduce a problem, and nothing from inside the page.
impl Default for PrivacySettings {
    fn default() -> PrivacySettings {
        PrivacySettings {
            page_url: true,
            page_title: true,
            browser: true,
            viewport: true,
            locale: true,
            console_errors: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appearance_round_trips_through_its_form_value() {
        for appearance in Appearance::ALL {
            assert_eq!(Appearance::from_value(appearance.value()), appearance);
        }
        assert_eq!(Appearance::from_value("sepia"), Appearance::System);
    }

    #[test]
    fn following_has_a_period_unless_it_is_off() {
        assert_eq!(FollowEvery::default().period_ms(), Some(300_000));
        assert_eq!(FollowEvery::Never.period_ms(), None);
        let saved: FollowEvery = serde_json::from_str(r#""quarter_hour""#).unwrap();
        assert_eq!(saved, FollowEvery::QuarterHour);
        assert_eq!(serde_json::to_value(saved).unwrap(), saved.value());
    }

    #[test]
    fn privacy_settings_saved_before_a_setting_existed_get_its_default() {
        let saved: PrivacySettings = serde_json::from_str(r#"{"page_url": false}"#).unwrap();
        assert_eq!(
            saved,
            PrivacySettings {
                page_url: false,
                ..PrivacySettings::default()
            }
        );
    }
}
