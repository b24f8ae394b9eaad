//! The command line: `flare-sandbox [--servicenow ADDR] [--zendesk ADDR] ...`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::common::oauth::{self, OAuthClientConfig};
use crate::servicenow::oauth::DEFAULT_TOKEN_LIFETIME_SECS;

/// Where the ServiceNow instance listens unless `--servicenow` says otherwise.
pub const DEFAULT_SERVICENOW_ADDR: &str = "127.0.0.1:8300";

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The ServiceNow instance's listen address; port 0 picks a free port.
    pub servicenow: SocketAddr,
    /// `--seed-incidents N`: generated incidents to add to the demo data.
    pub seed_incidents: usize,
    /// `--rate-limit N`: REST API requests per user and hour.
    pub rate_limit: Option<u32>,
    /// `--data DIR`: keep the state in SQLite in this directory.
    pub data_dir: Option<PathBuf>,
    /// `--config FILE`: a JSON [`FileConfig`].
    pub config_file: Option<PathBuf>,
    /// `--zendesk ADDR`: also run a Zendesk account there.
    pub zendesk: Option<SocketAddr>,
    /// `--va-webhook URL`: where the Virtual Agent API posts its replies.
    pub va_webhook: Option<String>,
    /// `--tls`: serve https instead of http.
    pub tls: Option<TlsConfig>,
}

/// `--tls` and the flags that go with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// `--tls-cert FILE --tls-key FILE`: serve this certificate (PEM, the server's own first,
    /// then any intermediates) and its private key; `None` makes a self-signed one at start.
    pub pem_files: Option<TlsPemFiles>,
    /// `--tls-cert-out FILE`: write the certificate there as PEM, for a client to trust it.
    pub certificate_out: Option<PathBuf>,
}

/// The PEM files of `--tls-cert` and `--tls-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPemFiles {
    /// The certificate chain.
    pub certificate: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The `--config` file, JSON:
/// `{"oauth_clients": [{"client_id": "flare", "redirect_uris": ["https://*.chromiumapp.org/*"]},
/// {"client_id": "flare-relay", "client_secret": "flare-relay-secret", "redirect_uris": [...]}],
/// "token_lifetime_secs": 1800, "zendesk": {"oauth_clients": [...], "token_lifetime_secs": 7200}}`.
/// The top-level clients are registered on both servers; `zendesk.oauth_clients` replace them, by
/// client_id, on the Zendesk account only.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Clients to register; an entry for `flare` or `flare-relay` replaces the default one.
    #[serde(default)]
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Access token lifetime in seconds (default 1800).
    #[serde(default)]
    pub token_lifetime_secs: Option<i64>,
    /// The Zendesk account's OAuth settings.
    #[serde(default)]
    pub zendesk: ZendeskFileConfig,
}

/// The `zendesk` object of the `--config` file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZendeskFileConfig {
    /// Clients for the Zendesk account only, replacing top-level ones of the same client_id.
    #[serde(default)]
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Access token lifetime in seconds when a token request names no `expires_in`; absent, such
    /// tokens do not expire (Zendesk's default).
    #[serde(default)]
    pub token_lifetime_secs: Option<i64>,
}

impl FileConfig {
    /// The Zendesk account's clients: the top-level ones, then the Zendesk-only ones.
    pub fn zendesk_oauth_clients(&self) -> Vec<OAuthClientConfig> {
        let mut clients = self.oauth_clients.clone();
        clients.extend(self.zendesk.oauth_clients.iter().cloned());
        clients
    }

    /// Every client the ServiceNow instance registers: the defaults, replaced or joined by the
    /// configured ones, as `AppState` merges them.
    pub fn registered_servicenow_clients(&self) -> Vec<OAuthClientConfig> {
        oauth::clients_with(&self.oauth_clients)
    }

    /// Every client the Zendesk account registers, as `ZendeskState` merges them.
    pub fn registered_zendesk_clients(&self) -> Vec<OAuthClientConfig> {
        oauth::clients_with(&self.zendesk_oauth_clients())
    }

    /// The ServiceNow instance's access token lifetime in seconds.
    pub fn servicenow_token_lifetime_secs(&self) -> i64 {
        self.token_lifetime_secs
            .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS)
    }

    /// A lifetime of zero or less would issue tokens that are dead on arrival, with a negative
    /// `expires_in`.
    fn check_lifetimes(&self) -> Result<(), String> {
        let lifetimes = [
            ("token_lifetime_secs", self.token_lifetime_secs),
            (
                "zendesk.token_lifetime_secs",
                self.zendesk.token_lifetime_secs,
            ),
        ];
        for (name, lifetime) in lifetimes {
            if let Some(secs) = lifetime.filter(|secs| *secs < 1) {
                return Err(format!("{name} must be at least 1, not {secs}"));
            }
        }
        Ok(())
    }
}

/// Reads a `--config` file.
pub fn read_file_config(path: &Path) -> Result<FileConfig, CliError> {
    let invalid = |reason: String| CliError::Config {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|error| invalid(error.to_string()))?;
    let config: FileConfig =
        serde_json::from_str(&text).map_err(|error| invalid(error.to_string()))?;
    config.check_lifetimes().map_err(invalid)?;
    Ok(config)
}

/// The start-up banner's lines for `clients`: each client_id (with its secret for a confidential
/// client, as the demo users show their passwords), what kind of client it is, and its redirect
/// URIs.
pub fn oauth_client_lines(clients: &[OAuthClientConfig]) -> String {
    let mut lines = String::new();
    for client in clients {
        let described = match &client.client_secret {
            None => format!("{} (public: PKCE S256, no secret)", client.client_id),
            Some(secret) => format!(
                "{} / {secret} (confidential: client secret, PKCE optional)",
                client.client_id
            ),
        };
        let redirect_uris = match client.redirect_uris.is_empty() {
            true => "none, so no authorization code grant".to_owned(),
            false => client.redirect_uris.join(", "),
        };
        lines.push_str(&format!(
            "  {described}\n    redirect URIs: {redirect_uris}\n"
        ));
    }
    lines
}

/// What is wrong with a command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// A flag the sandbox does not know.
    #[error("unknown argument `{0}`")]
    UnknownArgument(String),
    /// A flag given without its value.
    #[error("missing value for `{0}`")]
    MissingValue(String),
    /// A count that is not a number.
    #[error("invalid number `{value}` for `{flag}`")]
    InvalidNumber {
        /// The flag.
        flag: String,
        /// What was given.
        value: String,
    },
    /// The `--config` file cannot be read or is not a valid configuration.
    #[error("cannot use config file {path}: {reason}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A flag that only goes with `--tls`, given without it.
    #[error("`{0}` needs `--tls`")]
    NeedsTls(String),
    /// `--tls-cert` without `--tls-key`, or the other way round.
    #[error("`--tls-cert` and `--tls-key` go together")]
    UnpairedTlsFile,
    /// A listen address that is not `IP:PORT`.
    #[error("invalid listen address `{0}`, expected IP:PORT such as 127.0.0.1:8300")]
    InvalidAddress(String),
    /// `--help`: not an error, but nothing to run.
    #[error("{USAGE}")]
    HelpRequested,
}

/// The usage text.
pub const USAGE: &str = "usage: flare-sandbox [--servicenow IP:PORT] [--zendesk IP:PORT] [--tls [--tls-cert FILE --tls-key FILE] [--tls-cert-out FILE]] [--data DIR] [--config FILE] [--seed-incidents N] [--rate-limit N] [--va-webhook URL]\n\
    \n  --servicenow IP:PORT  where the ServiceNow instance listens (default 127.0.0.1:8300; port 0 picks a free port)\
    \n  --zendesk IP:PORT     also run a Zendesk account there (port 0 picks a free port)\
    \n  --tls                 serve https, answering any host name (acme.service-now.com, acme.zendesk.com):\
    \n                        links in answers name the host the client asked for\
    \n  --tls-cert FILE       with --tls-key FILE: the certificate chain and key to serve, PEM\
    \n                        (default: a new self-signed one for *.service-now.com, *.zendesk.com,\
    \n                        localhost and 127.0.0.1)\
    \n  --tls-cert-out FILE   write the certificate served to FILE, PEM, for clients to trust\
    \n  --data DIR            keep the state in SQLite in DIR, so it survives restarts\
    \n  --config FILE         JSON: OAuth clients and their redirect URIs, token lifetimes\
    \n  --seed-incidents N    add N generated incidents to the demo data when the state is created\
    \n                        (a --data DIR that already holds a state is used as it is)\
    \n  --rate-limit N        allow each user N REST API requests per hour (default: no limit)\
    \n  --va-webhook URL      where the Virtual Agent API posts its replies (also PUT /sandbox/va/config)";

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Config, CliError> {
    let mut servicenow = DEFAULT_SERVICENOW_ADDR.to_owned();
    let mut seed_incidents = 0;
    let mut rate_limit = None;
    let mut data_dir = None;
    let mut config_file = None;
    let mut va_webhook = None;
    let mut zendesk = None;
    let mut tls = false;
    let mut tls_certificate = None;
    let mut tls_key = None;
    let mut tls_certificate_out = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        match flag.as_str() {
            "--servicenow" => {
                servicenow = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
            }
            "--seed-incidents" | "--rate-limit" => {
                let value = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                let invalid = || CliError::InvalidNumber {
                    flag: flag.clone(),
                    value: value.clone(),
                };
                match flag.as_str() {
                    "--seed-incidents" => seed_incidents = value.parse().map_err(|_| invalid())?,
                    _ => rate_limit = Some(value.parse().map_err(|_| invalid())?),
                }
            }
            "--data" | "--config" => {
                let path = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                match flag.as_str() {
                    "--data" => data_dir = Some(PathBuf::from(path)),
                    _ => config_file = Some(PathBuf::from(path)),
                }
            }
            "--va-webhook" => {
                let url = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                va_webhook = Some(url);
            }
            "--zendesk" => {
                let addr = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                let parsed = addr
                    .parse()
                    .map_err(|_| CliError::InvalidAddress(addr.clone()))?;
                zendesk = Some(parsed);
            }
            "--tls" => tls = true,
            "--tls-cert" | "--tls-key" | "--tls-cert-out" => {
                let path = inline_value
                    .or_else(|| args.next())
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                let path = Some(PathBuf::from(path));
                match flag.as_str() {
                    "--tls-cert" => tls_certificate = path,
                    "--tls-key" => tls_key = path,
                    _ => tls_certificate_out = path,
                }
            }
            "-h" | "--help" => return Err(CliError::HelpRequested),
            _ => return Err(CliError::UnknownArgument(arg)),
        }
    }
    let servicenow = servicenow
        .parse()
        .map_err(|_| CliError::InvalidAddress(servicenow.clone()))?;
    let tls_flags = [
        ("--tls-cert", tls_certificate.is_some()),
        ("--tls-key", tls_key.is_some()),
        ("--tls-cert-out", tls_certificate_out.is_some()),
    ];
    if let Some((flag, _)) = tls_flags.iter().find(|(_, given)| *given && !tls) {
        return Err(CliError::NeedsTls((*flag).to_owned()));
    }
    let pem_files = match (tls_certificate, tls_key) {
        (Some(certificate), Some(key)) => Some(TlsPemFiles { certificate, key }),
        (None, None) => None,
        _ => return Err(CliError::UnpairedTlsFile),
    };
    let tls = tls.then_some(TlsConfig {
        pem_files,
        certificate_out: tls_certificate_out,
    });
    Ok(Config {
        servicenow,
        seed_incidents,
        rate_limit,
        data_dir,
        config_file,
        va_webhook,
        zendesk,
        tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], expected: Result<&str, CliError>) {
        let parsed = parse_args(args.iter().map(|arg| (*arg).to_owned()));
        let expected = expected.map(|addr| Config {
            servicenow: addr.parse().unwrap(),
            seed_incidents: 0,
            rate_limit: None,
            data_dir: None,
            config_file: None,
            va_webhook: None,
            zendesk: None,
            tls: None,
        });
        assert_eq!(parsed, expected, "{args:?}");
    }

    #[test]
    fn parses_the_command_line() {
        check(&[], Ok("127.0.0.1:8300"));
        check(&["--servicenow", "127.0.0.1:0"], Ok("127.0.0.1:0"));
        check(&["--servicenow=127.0.0.1:9000"], Ok("127.0.0.1:9000"));
        check(
            &["--servicenow"],
            Err(CliError::MissingValue("--servicenow".to_owned())),
        );
        check(
            &["--servicenow", "localhost"],
            Err(CliError::InvalidAddress("localhost".to_owned())),
        );
        check(
            &["--zen"],
            Err(CliError::UnknownArgument("--zen".to_owned())),
        );
    }

    #[test]
    fn parses_counts() {
        let config =
            parse_args(["--seed-incidents=100000", "--rate-limit", "50"].map(str::to_owned));
        assert_eq!(
            config,
            Ok(Config {
                servicenow: DEFAULT_SERVICENOW_ADDR.parse().unwrap(),
                seed_incidents: 100_000,
                rate_limit: Some(50),
                data_dir: None,
                config_file: None,
                va_webhook: None,
                zendesk: None,
                tls: None,
            })
        );
        assert_eq!(
            parse_args(["--seed-incidents", "many"].map(str::to_owned)),
            Err(CliError::InvalidNumber {
                flag: "--seed-incidents".to_owned(),
                value: "many".to_owned(),
            })
        );
    }

    #[test]
    fn reads_a_config_file_with_zendesk_settings() {
        let text = r#"{"oauth_clients": [{"client_id": "flare", "redirect_uris": ["https://x.chromiumapp.org/*"]}],
            "zendesk": {"oauth_clients": [{"client_id": "flare-relay", "client_secret": "s", "redirect_uris": []}], "token_lifetime_secs": 7200}}"#;
        let config: FileConfig = serde_json::from_str(text).expect("a valid config");
        assert_eq!(config.token_lifetime_secs, None);
        assert_eq!(config.zendesk.token_lifetime_secs, Some(7200));
        let clients: Vec<(&str, Option<&str>)> = config
            .zendesk
            .oauth_clients
            .iter()
            .chain(&config.oauth_clients)
            .map(|client| (client.client_id.as_str(), client.client_secret.as_deref()))
            .collect();
        assert_eq!(clients, [("flare-relay", Some("s")), ("flare", None)]);
        let merged: Vec<String> = config
            .zendesk_oauth_clients()
            .into_iter()
            .map(|client| client.client_id)
            .collect();
        assert_eq!(merged, ["flare", "flare-relay"]);
        let unknown: Result<FileConfig, _> = serde_json::from_str(r#"{"zendesk": {"tokens": 1}}"#);
        assert!(unknown.is_err());
    }

    #[test]
    fn refuses_lifetimes_below_one_second() {
        let dir = std::env::temp_dir().join(format!("flare-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            (r#"{"token_lifetime_secs": 1}"#, Ok(())),
            (
                r#"{"token_lifetime_secs": 0}"#,
                Err("token_lifetime_secs must be at least 1, not 0"),
            ),
            (
                r#"{"zendesk": {"token_lifetime_secs": -5}}"#,
                Err("zendesk.token_lifetime_secs must be at least 1, not -5"),
            ),
        ];
        for (case_idx, (text, expected)) in cases.into_iter().enumerate() {
            let path = dir.join(format!("config-{case_idx}.json"));
            std::fs::write(&path, text).unwrap();
            let read = read_file_config(&path).map(|_| ());
            let expected = expected.map_err(|reason| CliError::Config {
                path: path.display().to_string(),
                reason: reason.to_owned(),
            });
            assert_eq!(read, expected, "{text}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lists_oauth_clients_for_the_banner() {
        let config: FileConfig = serde_json::from_str(
            r#"{"oauth_clients": [{"client_id": "flare-relay", "client_secret": "s", "redirect_uris": ["https://relay.example/cb"]}],
                "zendesk": {"oauth_clients": [{"client_id": "zd-only", "redirect_uris": []}]}}"#,
        )
        .unwrap();
        let servicenow = oauth_client_lines(&config.registered_servicenow_clients());
        assert_eq!(
            servicenow,
            "  flare (public: PKCE S256, no secret)\n    \
             redirect URIs: https://*.chromiumapp.org/*, https://*.extensions.allizom.org/*, http://127.0.0.1:*, http://localhost:*\n  \
             flare-relay / s (confidential: client secret, PKCE optional)\n    \
             redirect URIs: https://relay.example/cb\n"
        );
        let zendesk = oauth_client_lines(&config.registered_zendesk_clients());
        assert!(
            zendesk.ends_with(
                "  flare-relay / s (confidential: client secret, PKCE optional)\n    \
                 redirect URIs: https://relay.example/cb\n  \
                 zd-only (public: PKCE S256, no secret)\n    \
                 redirect URIs: none, so no authorization code grant\n"
            ),
            "{zendesk}"
        );
        assert_eq!(config.servicenow_token_lifetime_secs(), 1800);
    }

    #[test]
    fn parses_the_va_webhook() {
        let config = parse_args(["--va-webhook", "http://127.0.0.1:9000/va"].map(str::to_owned));
        assert_eq!(
            config.map(|config| config.va_webhook),
            Ok(Some("http://127.0.0.1:9000/va".to_owned()))
        );
        assert_eq!(
            parse_args(["--va-webhook"].map(str::to_owned)),
            Err(CliError::MissingValue("--va-webhook".to_owned()))
        );
    }

    #[test]
    fn parses_the_tls_flags() {
        let tls = |args: &[&str]| {
            parse_args(args.iter().map(|arg| (*arg).to_owned())).map(|config| config.tls)
        };
        assert_eq!(tls(&[]), Ok(None));
        assert_eq!(tls(&["--tls"]), Ok(Some(TlsConfig::default())));
        assert_eq!(
            tls(&[
                "--tls",
                "--tls-cert",
                "c.pem",
                "--tls-key=k.pem",
                "--tls-cert-out",
                "out.pem"
            ]),
            Ok(Some(TlsConfig {
                pem_files: Some(TlsPemFiles {
                    certificate: PathBuf::from("c.pem"),
                    key: PathBuf::from("k.pem"),
                }),
                certificate_out: Some(PathBuf::from("out.pem")),
            }))
        );
        assert_eq!(
            tls(&["--tls-cert-out", "out.pem"]),
            Err(CliError::NeedsTls("--tls-cert-out".to_owned()))
        );
        assert_eq!(
            tls(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]),
            Err(CliError::NeedsTls("--tls-cert".to_owned()))
        );
        assert_eq!(
            tls(&["--tls", "--tls-key", "k.pem"]),
            Err(CliError::UnpairedTlsFile)
        );
        assert_eq!(
            tls(&["--tls", "--tls-cert"]),
            Err(CliError::MissingValue("--tls-cert".to_owned()))
        );
    }
}
