//! `relay.toml`: where the relay listens, its public URL, and the sites that embed the widget.
//!
//! Secrets (desk passwords, identity secrets) are written in the file or, better, named as
//! environment variables: `password = { env = "DEMO_SN_PASSWORD" }`. They are read once at start
//! into [`Secret`], whose `Debug` never shows them, so no log line can carry one.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use flare_core::auth::Credentials;
use flare_core::chat::hours::BusinessHours;
use flare_core::instance::InstanceUrl;
use serde::Deserialize;

/// The whole configuration, checked.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Where to listen; port 0 picks a free one (printed at start).
    pub listen: SocketAddr,
    /// The origin visitors' browsers reach the relay on, for links it hands out.
    pub public_url: Option<String>,
    /// The sites by id.
    pub sites: BTreeMap<String, Site>,
    /// The bounds on what visitors send.
    pub limits: Limits,
}

/// One website embedding the widget.
#[derive(Debug, Clone)]
pub struct Site {
    /// Its id, as in `data-site`.
    pub id: String,
    /// The exact origins (`https://www.example.com`) the widget may be used from.
    pub origins: Vec<String>,
    /// The service desk behind it.
    pub desk: DeskConfig,
    /// Signs the host site's word for its signed-in users.
    pub identity_secret: Secret,
    /// How a visitor reaches a person; none: the assistant says nobody is connected.
    pub handoff: Option<Handoff>,
}

/// The hand-off to ServiceNow's live agents through the VA Bot Integration API.
#[derive(Debug, Clone)]
pub struct Handoff {
    /// `contextVariables` the instance routes to a queue by (seed 001, step 5).
    pub context: Vec<(String, String)>,
    /// How the instance's posts to the relay's webhook prove where they come from.
    pub webhook: WebhookAuth,
    /// A static token the instance expects in the `token` header, besides Basic.
    pub instance_token: Option<Secret>,
    /// The longest a visitor waits for a person before a ticket is offered instead.
    pub max_wait_secs: u64,
    /// When people answer; outside them a ticket is offered at once. None: always.
    pub hours: Option<BusinessHours>,
}

/// How a webhook post authenticates.
#[derive(Debug, Clone)]
pub enum WebhookAuth {
    /// The `token` header carries this value.
    Token(Secret),
    /// `x-b2b-signature` is the hex HMAC-SHA1 of the body with this secret.
    Hmac(Secret),
}

/// The service desk of a site.
#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The instance.
    pub instance: InstanceUrl,
    /// How the relay signs in to it.
    pub auth: DeskAuth,
    /// A certificate (PEM) to trust besides the system's roots: a company CA, or the sandbox's
    /// own from `--tls-cert-out`.
    pub trust: Option<PathBuf>,
    /// How often followed tickets are looked at, in seconds; 0: only when the customer's
    /// business rule posts a change.
    pub poll_secs: u64,
    /// The `token` header the customer's business rule sends with ticket changes; none: the
    /// ticket webhook is off and polling alone tells changes.
    pub ticket_webhook_token: Option<Secret>,
}

/// How the relay signs in to a desk.
#[derive(Debug, Clone)]
pub enum DeskAuth {
    /// An integration user's name and password.
    Basic(Credentials),
    /// An OAuth client ("Create an OAuth API endpoint for external clients") and a refresh token.
    OAuth {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
        /// The refresh token the admin generated; the relay keeps the newest it gets.
        refresh_token: Secret,
    },
}

/// Bounds per visitor and per address.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Frames one visitor may send per minute (sustained); bursts up to a fifth of it.
    #[serde(default = "default_frames_per_minute")]
    pub frames_per_minute: u32,
    /// Open sockets one IP address may hold.
    #[serde(default = "default_sockets_per_ip")]
    pub sockets_per_ip: u32,
    /// The first wait before a message the service desk did not take is tried again, in
    /// milliseconds; it doubles with each try, up to 30 s.
    #[serde(default = "default_outbound_retry_ms")]
    pub outbound_retry_ms: u64,
    /// The largest file a visitor may send, in bytes.
    #[serde(default = "default_upload_max_bytes")]
    pub upload_max_bytes: u64,
}

/// A secret from the config file or the environment; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not valid TOML for the relay.
    #[error("{path} is not a valid relay config: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A value is wrong.
    #[error("site {site}: {message}")]
    Site {
        /// The site.
        site: String,
        /// What is wrong.
        message: String,
    },
    /// A secret names an environment variable that is not set.
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelayFile {
    listen: SocketAddr,
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default, rename = "site")]
    sites: Vec<SiteFile>,
    #[serde(default)]
    limits: Option<Limits>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    id: String,
    origins: Vec<String>,
    identity_secret: SecretFile,
    desk: DeskFile,
    #[serde(default)]
    handoff: Option<HandoffFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "route", rename_all = "snake_case")]
enum HandoffFile {
    Va {
        #[serde(default)]
        context: BTreeMap<String, String>,
        #[serde(default)]
        webhook_token: Option<SecretFile>,
        #[serde(default)]
        webhook_hmac_secret: Option<SecretFile>,
        #[serde(default)]
        instance_token: Option<SecretFile>,
        #[serde(default = "default_max_wait_secs")]
        max_wait_secs: u64,
        #[serde(default)]
        hours: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
enum DeskFile {
    #[serde(rename = "servicenow")]
    ServiceNow {
        instance: String,
        #[serde(default)]
        user: Option<String>,
        #[serde(default)]
        password: Option<SecretFile>,
        #[serde(default)]
        oauth: Option<OAuthFile>,
        #[serde(default)]
        trust: Option<PathBuf>,
        #[serde(default = "default_poll_secs")]
        poll_secs: u64,
        #[serde(default)]
        ticket_webhook_token: Option<SecretFile>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthFile {
    client_id: String,
    client_secret: SecretFile,
    refresh_token: SecretFile,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SecretFile {
    Value(String),
    Env { env: String },
}

impl RelayConfig {
    /// Reads and checks `path`, with secrets from the environment.
    pub fn load(path: &Path) -> Result<RelayConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        RelayConfig::parse(&text, &|name| std::env::var(name).ok()).map_err(|error| match error {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Checks a config's text; `env` reads an environment variable.
    pub fn parse(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RelayConfig, ConfigError> {
        let file: RelayFile = toml::from_str(text).map_err(|error| ConfigError::Syntax {
            path: String::new(),
            message: error.message().to_owned(),
        })?;
        let mut sites = BTreeMap::new();
        for site in file.sites {
            let site = site.check(env)?;
            sites.insert(site.id.clone(), site);
        }
        Ok(RelayConfig {
            listen: file.listen,
            public_url: file.public_url,
            sites,
            limits: file.limits.unwrap_or_default(),
        })
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            frames_per_minute: default_frames_per_minute(),
            sockets_per_ip: default_sockets_per_ip(),
            outbound_retry_ms: default_outbound_retry_ms(),
            upload_max_bytes: default_upload_max_bytes(),
        }
    }
}

impl Secret {
    /// The secret's value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(…)")
    }
}

impl SiteFile {
    fn check(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Site, ConfigError> {
        let site_error = |message: String| ConfigError::Site {
            site: self.id.clone(),
            message,
        };
        if self.origins.is_empty() {
            return Err(site_error("lists no origins".to_owned()));
        }
        if let Some(origin) = self.origins.iter().find(|origin| !is_origin(origin)) {
            return Err(site_error(format!(
                "{origin:?} is not an origin (scheme://host[:port], nothing after)"
            )));
        }
        let identity_secret = self.identity_secret.resolve(env)?;
        if identity_secret.0.len() < 16 {
            return Err(site_error(
                "identity_secret is shorter than 16 characters".to_owned(),
            ));
        }
        let desk = match self.desk {
            DeskFile::ServiceNow {
                instance,
                user,
                password,
                oauth,
                trust,
                poll_secs,
                ticket_webhook_token,
            } => DeskConfig {
                instance: InstanceUrl::parse_servicenow(&instance)
                    .map_err(|error| site_error(format!("desk instance: {error}")))?,
                auth: match (user, password, oauth) {
                    (Some(username), Some(password), None) => DeskAuth::Basic(Credentials::Basic {
                        username,
                        password: password.resolve(env)?.0,
                    }),
                    (None, None, Some(oauth)) => DeskAuth::OAuth {
                        client_id: oauth.client_id,
                        client_secret: oauth.client_secret.resolve(env)?,
                        refresh_token: oauth.refresh_token.resolve(env)?,
                    },
                    _ => {
                        return Err(site_error(
                            "the desk needs either user and password, or oauth".to_owned(),
                        ))
                    }
                },
                trust,
                poll_secs,
                ticket_webhook_token: ticket_webhook_token
                    .map(|token| token.resolve(env))
                    .transpose()?,
            },
        };
        let handoff = match self.handoff {
            Some(handoff) => Some(handoff.check(&self.id, env)?),
            None => None,
        };
        Ok(Site {
            id: self.id,
            origins: self.origins,
            desk,
            identity_secret,
            handoff,
        })
    }
}

impl HandoffFile {
    fn check(
        self,
        site: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Handoff, ConfigError> {
        let site_error = |message: String| ConfigError::Site {
            site: site.to_owned(),
            message,
        };
        let HandoffFile::Va {
            context,
            webhook_token,
            webhook_hmac_secret,
            instance_token,
            max_wait_secs,
            hours,
        } = self;
        let webhook = match (webhook_token, webhook_hmac_secret) {
            (Some(token), None) => WebhookAuth::Token(token.resolve(env)?),
            (None, Some(secret)) => WebhookAuth::Hmac(secret.resolve(env)?),
            _ => {
                return Err(site_error(
                    "handoff needs exactly one of webhook_token and webhook_hmac_secret".to_owned(),
                ))
            }
        };
        let hours = match hours {
            Some(hours) => Some(
                BusinessHours::parse(&hours)
                    .map_err(|error| site_error(format!("handoff hours: {error}")))?,
            ),
            None => None,
        };
        Ok(Handoff {
            context: context.into_iter().collect(),
            webhook,
            instance_token: instance_token.map(|token| token.resolve(env)).transpose()?,
            max_wait_secs,
            hours,
        })
    }
}

impl SecretFile {
    fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Secret, ConfigError> {
        match self {
            SecretFile::Value(value) => Ok(Secret(value)),
            SecretFile::Env { env: name } => {
                env(&name).map(Secret).ok_or(ConfigError::MissingEnv(name))
            }
        }
    }
}

fn default_frames_per_minute() -> u32 {
    120
}

fn default_sockets_per_ip() -> u32 {
    20
}

fn default_upload_max_bytes() -> u64 {
    10 * 1024 * 1024
}

fn default_poll_secs() -> u64 {
    60
}

fn default_max_wait_secs() -> u64 {
    300
}

fn default_outbound_retry_ms() -> u64 {
    1000
}

/// `scheme://host[:port]` with nothing after: what a browser sends as `Origin`.
fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

#[cfg(test)]
mod tests;
