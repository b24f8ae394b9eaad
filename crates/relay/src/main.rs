//! `flare-relay --config relay.toml [--data DIR]`: prints `flare-relay listening on http://ADDR`
//! once it accepts connections (port 0 in the config picks a free port).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use flare_relay::config::RelayConfig;
use flare_relay::store::{SqliteStore, Store};
use flare_relay::{serve, Relay};

const USAGE: &str = "usage: flare-relay --config relay.toml [--data DIR]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "flare_relay=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let (config_path, data_dir) = parse_args(std::env::args().skip(1))?;
    let config = RelayConfig::load(&config_path)?;
    let (store, files_dir): (Arc<dyn Store>, PathBuf) = match &data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            (Arc::new(SqliteStore::open(dir)?), dir.join("files"))
        }
        // Without --data nothing outlives the process, files included.
        None => (
            Arc::new(SqliteStore::in_memory()?),
            std::env::temp_dir().join(format!("flare-relay-files-{}", std::process::id())),
        ),
    };
    std::fs::create_dir_all(&files_dir)
        .with_context(|| format!("creating {}", files_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let address = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    println!("flare-relay listening on http://{address}");
    serve(Relay::new(config, store, files_dir, public_url)?, listener).await?;
    Ok(())
}

fn parse_args(
    mut args: impl Iterator<Item = String>,
) -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    let (mut config, mut data) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config = args.next().map(PathBuf::from),
            "--data" => data = args.next().map(PathBuf::from),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let Some(config) = config else {
        bail!("--config is required\n{USAGE}");
    };
    Ok((config, data))
}
