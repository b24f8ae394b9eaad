//! Sends flare-core's request values with reqwest and runs its [`Driver`] to the end: the only
//! code here is the network, the clock and the sleeping; every rule of retrying is the core's.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flare_core::driver::{Driver, Fetch, Operation, Outcome, Poll};
use flare_core::error::CoreError;
use flare_core::http::{HttpRequest, HttpResponse, Method};
use flare_core::retry::RetryPolicy;

/// The longest one request may take before it counts as a network failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a desk's client cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The certificate to trust cannot be read.
    #[error("cannot read the certificate {path}: {message}")]
    Certificate {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A client for a service desk, trusting `trust` (PEM) besides the system's roots.
pub fn desk_client(trust: Option<&Path>) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder().timeout(REQUEST_TIMEOUT);
    if let Some(path) = trust {
        let certificate_error = |message: String| ClientError::Certificate {
            path: path.display().to_string(),
            message,
        };
        let pem = std::fs::read(path).map_err(|error| certificate_error(error.to_string()))?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .map_err(|error| certificate_error(error.to_string()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|error| ClientError::Certificate {
        path: String::new(),
        message: error.to_string(),
    })
}

/// Runs `operation` with flare-core's driver: a visitor is waiting, so a rate limit longer than
/// ten seconds is reported rather than waited out.
pub async fn drive<Op: Operation>(
    client: &reqwest::Client,
    operation: Op,
) -> Result<Op::Output, CoreError> {
    let policy = RetryPolicy {
        max_rate_limit_wait_ms: 10_000,
        ..RetryPolicy::default()
    };
    let mut driver = Driver::new(operation, policy);
    loop {
        let polled_ms = now_ms();
        match driver.poll(polled_ms) {
            Poll::Send(request) => {
                let outcome = send_once(client, request).await;
                driver.handle(outcome, now_ms(), jitter());
            }
            Poll::Wait { until_ms } => {
                tokio::time::sleep(Duration::from_millis(until_ms.saturating_sub(polled_ms))).await;
            }
            Poll::Done(output) => return Ok(output),
            Poll::Failed(error) => return Err(error),
        }
    }
}

/// One request, retried as its method allows; the last response, whatever its status.
pub async fn fetch(
    client: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, CoreError> {
    drive(client, Fetch::new(request)).await
}

/// Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or_default()
}

/// Sends `request` once.
pub async fn send_once(client: &reqwest::Client, request: HttpRequest) -> Outcome {
    let method = match request.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    };
    let mut builder = client.request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = request.body {
        builder = builder.body(body);
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(error) => return Outcome::NetworkError(error.to_string()),
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    match response.bytes().await {
        Ok(body) => Outcome::Response(HttpResponse {
            status,
            headers,
            body: body.to_vec(),
        }),
        Err(error) => Outcome::NetworkError(error.to_string()),
    }
}

/// A number in `[0, 1)` for back-off jitter.
fn jitter() -> f64 {
    let mut bytes = [0; 2];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    f64::from(u16::from_le_bytes(bytes)) / 65_536.0
}
