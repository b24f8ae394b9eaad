//! flare-sandbox: reads the command line, sets up tracing, binds, prints where it listens, serves
//! (over TLS with `--tls`).

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use flare_sandbox::cli::{self, CliError, TlsConfig};
use flare_sandbox::common::tls::{self, TlsIdentity};
use flare_sandbox::{zendesk, AppState, InstanceOptions, DEMO_CREDENTIALS};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = match cli::parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(CliError::HelpRequested) => {
            println!("{}", cli::USAGE);
            return Ok(());
        }
        Err(error) => anyhow::bail!("{error}\n{}", cli::USAGE),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("flare_sandbox=info,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let file_config = match &config.config_file {
        Some(path) => cli::read_file_config(path)?,
        None => cli::FileConfig::default(),
    };
    let identity = match &config.tls {
        Some(tls_config) => Some(tls_identity(tls_config)?),
        None => None,
    };
    let scheme = match identity {
        Some(_) => "https",
        None => "http",
    };
    let listener = tokio::net::TcpListener::bind(config.servicenow)
        .await
        .with_context(|| format!("cannot listen on {}", config.servicenow))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let instance_url = format!("{scheme}://{address}");
    let options = InstanceOptions {
        rate_limit_per_hour: config.rate_limit,
        extra_incidents: config.seed_incidents,
        data_dir: config.data_dir.clone(),
        max_attachment_bytes: None,
        oauth_clients: file_config.oauth_clients.clone(),
        token_lifetime_secs: file_config.token_lifetime_secs,
    };
    let state = AppState::with_options(&instance_url, &options)?;
    if let Some(url) = &config.va_webhook {
        flare_sandbox::va::set_webhook(&state, url).context("--va-webhook")?;
    }

    // Tests read the URL from this exact line, so it comes first, and the banner goes out in one
    // write, flushed at once.
    let mut banner = format!("ServiceNow instance: {instance_url}\n");
    banner.push_str("Demo users (user name / password):\n");
    for credential in DEMO_CREDENTIALS {
        banner.push_str(&format!(
            "  {} / {}  ({})\n",
            credential.user_name, credential.password, credential.description
        ));
    }
    tracing::info!(%instance_url, "ServiceNow instance listening");
    // The OAuth clients come after every server's demo users, so that the blocks scripts read
    // (the URL lines and the sign-ins under them) keep their shape.
    let mut oauth_banner = format!(
        "ServiceNow OAuth: {instance_url}/oauth_auth.do and /oauth_token.do, access tokens live {} s\n",
        file_config.servicenow_token_lifetime_secs()
    );
    oauth_banner.push_str(&cli::oauth_client_lines(
        &file_config.registered_servicenow_clients(),
    ));
    let zendesk = match config.zendesk {
        Some(addr) => {
            let zendesk_listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let zendesk_address = zendesk_listener
                .local_addr()
                .context("cannot read the bound address")?;
            let zendesk_url = format!("{scheme}://{zendesk_address}");
            banner.push_str(&format!("Zendesk account: {zendesk_url}\n"));
            banner.push_str("Zendesk demo users (email / API token):\n");
            for login in zendesk::DEMO_LOGINS {
                banner.push_str(&format!(
                    "  {} / {}  ({})\n",
                    login.email, login.api_token, login.description
                ));
            }
            let zendesk_lifetime = match file_config.zendesk.token_lifetime_secs {
                Some(secs) => format!("access tokens live {secs} s"),
                None => "access tokens do not expire".to_owned(),
            };
            oauth_banner.push_str(&format!(
                "Zendesk OAuth: {zendesk_url}/oauth/authorizations/new and /oauth/tokens, \
                 {zendesk_lifetime} unless a token request sets expires_in\n"
            ));
            oauth_banner.push_str(&cli::oauth_client_lines(
                &file_config.registered_zendesk_clients(),
            ));
            tracing::info!(%zendesk_url, "Zendesk account listening");
            let zendesk_options = zendesk::ZendeskOptions {
                oauth_clients: file_config.zendesk_oauth_clients(),
                token_lifetime_secs: file_config.zendesk.token_lifetime_secs,
                data_dir: config.data_dir.clone(),
                ..zendesk::ZendeskOptions::default()
            };
            let zendesk_state =
                zendesk::ZendeskState::with_options(&zendesk_url, &zendesk_options)?;
            Some((zendesk_listener, zendesk_state))
        }
        None => None,
    };
    banner.push_str(&oauth_banner);
    if let Some(identity) = &identity {
        let zendesk_address = zendesk
            .as_ref()
            .and_then(|(zendesk_listener, _)| zendesk_listener.local_addr().ok());
        banner.push_str(&tls_lines(identity, address, zendesk_address));
    }
    // A parent that closed the pipe must not take the servers down: the banner is news for
    // whoever watches, and the URLs are in the log above as well.
    if let Err(error) = print_banner(&banner) {
        tracing::warn!(%error, "cannot write the start-up banner to stdout; serving anyway");
    }

    // One signal stops every server.
    let (stop_sender, stop) = tokio::sync::watch::channel(());
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_sender.send(());
    });
    let stopped = |mut stop: tokio::sync::watch::Receiver<()>| async move {
        let _ = stop.changed().await;
    };
    let servicenow = serve(
        listener,
        flare_sandbox::app(state),
        identity.as_ref(),
        stopped(stop.clone()),
    );
    match zendesk {
        None => servicenow.await.context("server error")?,
        Some((zendesk_listener, zendesk_state)) => {
            let zendesk = serve(
                zendesk_listener,
                zendesk::app(zendesk_state),
                identity.as_ref(),
                stopped(stop),
            );
            tokio::try_join!(servicenow, zendesk).context("server error")?;
        }
    }
    Ok(())
}

/// The certificate `--tls` serves, read or made, and written out when `--tls-cert-out` asks.
fn tls_identity(tls_config: &TlsConfig) -> anyhow::Result<TlsIdentity> {
    let identity = match &tls_config.pem_files {
        Some(files) => TlsIdentity::from_pem_files(&files.certificate, &files.key)?,
        None => TlsIdentity::self_signed()?,
    };
    if let Some(path) = &tls_config.certificate_out {
        std::fs::write(path, identity.certificate_pem())
            .with_context(|| format!("cannot write the certificate to {}", path.display()))?;
    }
    Ok(identity)
}

/// The banner's last lines under `--tls`: the certificate's SPKI hash (tests read this line) and
/// the Chromium flags that reach the servers by real instance names and trust exactly it.
fn tls_lines(
    identity: &TlsIdentity,
    servicenow: SocketAddr,
    zendesk: Option<SocketAddr>,
) -> String {
    let spki = identity.spki_sha256();
    let mut rules = format!("MAP *.service-now.com {servicenow}");
    if let Some(zendesk) = zendesk {
        rules.push_str(&format!(", MAP *.zendesk.com {zendesk}"));
    }
    format!(
        "TLS certificate SPKI sha256: {spki}\n\
         Chromium flags to reach the sandbox as https://<name>.service-now.com and trust only this certificate:\n  \
         --host-resolver-rules=\"{rules}\" --ignore-certificate-errors-spki-list={spki}\n"
    )
}

/// Serves `router` on `listener`, over TLS when there is an identity, until `shutdown`.
async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    identity: Option<&TlsIdentity>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    match identity {
        Some(identity) => tls::serve(listener, router, identity, shutdown).await,
        None => {
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        }
    }
}

/// Writes the banner to stdout in one go and flushes it.
fn print_banner(banner: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(banner.as_bytes())?;
    stdout.flush()
}

/// Resolves on Ctrl-C or SIGTERM (axum `examples/graceful-shutdown`).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
