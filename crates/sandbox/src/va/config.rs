//! How the Virtual Agent API is set up: where replies go and how both directions authenticate.
//! On a real instance these are records (`configure-send-request.md`,
//! `set-up-message-auth-va-api.md`, `configure-response-endpoint-auth-va-api.md`); here they are
//! one JSON document, set with `--va-webhook` and `PUT /sandbox/va/config`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::va::conversation::flow::{Channel, IdleTimeout};
use crate::va::conversation::HistoryFormat;

/// The whole configuration; every field has a default, so `{}` is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct VaConfig {
    /// The response endpoint the VA posts replies to ("Connection URL"); `None` records every
    /// reply as undelivered.
    pub(crate) webhook_url: Option<WebhookUrl>,
    /// How inbound requests authenticate.
    pub(crate) inbound_auth: InboundAuth,
    /// How replies authenticate to the response endpoint.
    pub(crate) outbound_auth: OutboundAuth,
    /// Attempts per reply before it is recorded as undelivered.
    pub(crate) max_attempts: u32,
    /// The wait before the second attempt; it doubles for each further one.
    pub(crate) retry_backoff_millis: u64,
    /// How long one attempt may take; the documented default "Connection timeout" is 5000 ms
    /// (`configure-response-endpoint-auth-va-api.md`).
    pub(crate) timeout_millis: u64,
    /// The Bot to Bot channel's Synchronous check box
    /// (`virtual-agent-api-enable-synchronous-support.md`): replies come back in the HTTP
    /// response instead of being posted. The documented set-up also excludes the channel from
    /// Agent Chat and clears Enable Notifications and Support typing indicator, so a
    /// synchronous channel has no live agent.
    pub(crate) synchronous: bool,
    /// `com.glide.cs.b2b_conversation_idle_timeout`: seconds a bot-to-bot conversation stays
    /// open after the requester's last request; 3600 by default (`va-b2b-open-conversation.md`).
    pub(crate) idle_timeout_secs: i64,
    /// How often the Time Out Abandoned B2B Conversations job runs on the VA clock: "This job
    /// runs hourly each day", and admins may change its Repeat Interval.
    pub(crate) idle_job_interval_secs: i64,
    /// The "trusted domains" of `sys_cs_provider`: the hosts (and their subdomains) attachments
    /// may be downloaded from ("You must also ensure that URL domain is present in the trusted
    /// domains", `bot-api.md`, `message.attachment.url`). None by default.
    pub(crate) trusted_attachment_domains: Vec<String>,
    /// The Provider Identity Properties (custom adapter properties) of the VA Bot to Bot
    /// Provider Application.
    pub(crate) adapter_properties: AdapterProperties,
    /// The system property `va.bot.to.bot.take.control_times`: "Number of times that Virtual
    /// Agent tries to get a response, after which control is returned to the primary bot"
    /// (`bot2bot.md`, default 2). 0, which the document does not mention, never hands it back.
    pub(crate) take_control_times: u32,
}

/// Custom adapter properties; a fresh instance has none of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct AdapterProperties {
    /// `third_party_chat`: keeps `clientSessionId` on the Interaction record and allows
    /// `UPDATE_MESSAGES` (`va-api-interaction-record-third-party-chat.md`, `bot-api.md`).
    pub(crate) third_party_chat: bool,
    /// `store_history_as`: `multi-text`, `text` or `html`, how the live agent sees the primary
    /// bot's chat history (`va-api-support-chat-history.md`).
    pub(crate) store_history_as: Option<HistoryFormat>,
}

/// Inbound authentication ("Set up Provider Authentication using any of these methods: Basic,
/// OAuth, Hash, or Static Token", `configure-send-request.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum InboundAuth {
    /// Basic credentials of an instance user are required.
    Basic,
    /// A static token in the `token` header or the body's `token`; Basic is then optional.
    Token { token: String },
    /// An `x-b2b-signature` HmacSHA1 of the payload; Basic is then optional.
    Hmac { secret: String },
}

/// Outbound authentication of the replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum OutboundAuth {
    None,
    /// A `token` header with a static value (a "Bot Interconnect Static Token Credential" with
    /// header `Token`, `create-connection-credential-two-sn-instances.md`).
    Token {
        token: String,
    },
    /// An `x-b2b-signature` header: hex HmacSHA1 of the exact body (a "Bot Interconnect Hash
    /// Token Credential").
    Hmac {
        secret: String,
    },
    /// A Basic auth profile (`configure-response-endpoint-va-api.md`).
    Basic {
        user_name: String,
        password: String,
    },
}

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(reqwest::Url);

/// A webhook URL that is not an absolute `http`/`https` URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid webhook URL `{0}`, expected an absolute http or https URL")]
pub struct InvalidWebhookUrl(String);

/// What a secret looks like when the configuration is read back.
const REDACTED: &str = "********";

impl Default for VaConfig {
    fn default() -> VaConfig {
        VaConfig {
            webhook_url: None,
            inbound_auth: InboundAuth::Basic,
            outbound_auth: OutboundAuth::None,
            max_attempts: 3,
            retry_backoff_millis: 500,
            timeout_millis: 5000,
            synchronous: false,
            idle_timeout_secs: 3600,
            idle_job_interval_secs: 3600,
            trusted_attachment_domains: Vec::new(),
            adapter_properties: AdapterProperties::default(),
            take_control_times: 2,
        }
    }
}

impl VaConfig {
    /// The limits that keep a misbehaving test from stalling deliveries for long.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=10).contains(&self.max_attempts) {
            return Err("max_attempts must be between 1 and 10".to_owned());
        }
        if self.retry_backoff_millis > 60_000 {
            return Err("retry_backoff_millis must be at most 60000".to_owned());
        }
        if !(1..=60_000).contains(&self.timeout_millis) {
            return Err("timeout_millis must be between 1 and 60000".to_owned());
        }
        if self.idle_timeout_secs < 0 {
            return Err("idle_timeout_secs must not be negative".to_owned());
        }
        if self.idle_job_interval_secs < 1 {
            return Err("idle_job_interval_secs must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The configuration with secrets replaced, for reading back.
    pub(crate) fn redacted(&self) -> VaConfig {
        let mut config = self.clone();
        config.inbound_auth = match config.inbound_auth {
            InboundAuth::Basic => InboundAuth::Basic,
            InboundAuth::Token { .. } => InboundAuth::Token {
                token: REDACTED.to_owned(),
            },
            InboundAuth::Hmac { .. } => InboundAuth::Hmac {
                secret: REDACTED.to_owned(),
            },
        };
        config.outbound_auth = match config.outbound_auth {
            OutboundAuth::None => OutboundAuth::None,
            OutboundAuth::Token { .. } => OutboundAuth::Token {
                token: REDACTED.to_owned(),
            },
            OutboundAuth::Hmac { .. } => OutboundAuth::Hmac {
                secret: REDACTED.to_owned(),
            },
            OutboundAuth::Basic { user_name, .. } => OutboundAuth::Basic {
                user_name,
                password: REDACTED.to_owned(),
            },
        };
        config
    }

    /// The channel requests come through, as configured.
    pub(crate) fn channel(&self) -> Channel {
        Channel {
            synchronous: self.synchronous,
            third_party_chat: self.adapter_properties.third_party_chat,
            store_history_as: self.adapter_properties.store_history_as,
            take_control_times: self.take_control_times,
        }
    }

    /// The idle time-out job as configured.
    pub(crate) fn idle_timeout(&self) -> IdleTimeout {
        IdleTimeout {
            timeout_secs: self.idle_timeout_secs,
            job_interval_secs: self.idle_job_interval_secs,
        }
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(16);
        Duration::from_millis(self.retry_backoff_millis.saturating_mul(factor))
    }
}

impl WebhookUrl {
    pub(crate) fn as_url(&self) -> &reqwest::Url {
        &self.0
    }
}

impl FromStr for WebhookUrl {
    type Err = InvalidWebhookUrl;

    fn from_str(text: &str) -> Result<WebhookUrl, InvalidWebhookUrl> {
        let invalid = || InvalidWebhookUrl(text.to_owned());
        let url = reqwest::Url::parse(text).map_err(|_| invalid())?;
        let supported = matches!(url.scheme(), "http" | "https") && url.has_host();
        match supported {
            true => Ok(WebhookUrl(url)),
            false => Err(invalid()),
        }
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl Serialize for WebhookUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_http_urls() {
        assert!("http://127.0.0.1:9000/va".parse::<WebhookUrl>().is_ok());
        assert!("https://relay.example/va".parse::<WebhookUrl>().is_ok());
        for bad in [
            "",
            "relay.example/va",
            "ftp://relay.example/",
            "file:///tmp/x",
        ] {
            assert_eq!(
                bad.parse::<WebhookUrl>(),
                Err(InvalidWebhookUrl(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_partial_configs_and_hides_secrets() {
        let config: VaConfig = serde_json::from_str(
            r#"{"webhook_url": "http://127.0.0.1:1/x", "outbound_auth": {"kind": "hmac", "secret": "s3cret"}}"#,
        )
        .unwrap();
        assert_eq!(config.max_attempts, 3);
        assert_eq!(config.inbound_auth, InboundAuth::Basic);
        let shown = serde_json::to_string(&config.redacted()).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(serde_json::from_str::<VaConfig>(r#"{"webhook": "x"}"#).is_err());
    }

    #[test]
    fn doubles_the_backoff() {
        let config = VaConfig {
            retry_backoff_millis: 100,
            ..VaConfig::default()
        };
        assert_eq!(config.backoff(1), Duration::from_millis(100));
        assert_eq!(config.backoff(3), Duration::from_millis(400));
    }
}
