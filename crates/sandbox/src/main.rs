//! flare-sandbox: reads the command line, sets up tracing, binds, prints where it listens, serves.

use std::io::Write;

use anyhow::Context;
use flare_sandbox::cli::{self, CliError};
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
    let listener = tokio::net::TcpListener::bind(config.servicenow)
        .await
        .with_context(|| format!("cannot listen on {}", config.servicenow))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let instance_url = format!("http://{address}");
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
            let zendesk_url = format!("http://{zendesk_address}");
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
    let servicenow = axum::serve(listener, flare_sandbox::app(state))
        .with_graceful_shutdown(stopped(stop.clone()));
    match zendesk {
        None => servicenow.await.context("server error")?,
        Some((zendesk_listener, zendesk_state)) => {
            let zendesk = axum::serve(zendesk_listener, zendesk::app(zendesk_state))
                .with_graceful_shutdown(stopped(stop));
            tokio::try_join!(async { servicenow.await }, async { zendesk.await })
                .context("server error")?;
        }
    }
    Ok(())
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
