//! HTTPS for the servers (`--tls`): the certificate, made at start or read from PEM files; its
//! SPKI hash, in the form Chromium's `--ignore-certificate-errors-spki-list` takes; and a listener
//! that completes each TLS handshake in a task of its own, so that one slow client cannot hold up
//! the others.
//!
//! Requests that came in over TLS are marked ([`serve`]), so that the links in their answers
//! point at the origin the client used (`crate::common::server::Linked`): a browser that resolves
//! `acme.service-now.com` to the sandbox follows `https://acme.service-now.com/...` links back to
//! it, as it would on a real instance.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use base64::Engine;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::ParsedCertificate;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The names a certificate made at start is valid for: every ServiceNow instance and Zendesk
/// account name, and the loopback address under both of its names.
pub const SELF_SIGNED_NAMES: [&str; 4] = [
    "*.service-now.com",
    "*.zendesk.com",
    "localhost",
    "127.0.0.1",
];

/// A certificate chain and its private key, ready to serve. Cheap to clone.
#[derive(Clone)]
pub struct TlsIdentity {
    chain: Vec<CertificateDer<'static>>,
    spki_sha256: String,
    config: Arc<ServerConfig>,
}

/// Why the sandbox cannot serve https.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// Making the self-signed certificate failed.
    #[error("cannot make a self-signed certificate: {0}")]
    SelfSigned(String),
    /// A `--tls-cert` or `--tls-key` file cannot be read or holds no PEM item of its kind.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// rustls refuses the pair: a key of a kind it cannot sign with, or one that does not belong
    /// to the certificate.
    #[error("cannot serve this certificate and key: {0}")]
    Refused(String),
}

impl TlsIdentity {
    /// A new self-signed certificate for [`SELF_SIGNED_NAMES`], with a new ECDSA P-256 key.
    pub fn self_signed() -> Result<TlsIdentity, TlsError> {
        let failed = |error: rcgen::Error| TlsError::SelfSigned(error.to_string());
        let names = SELF_SIGNED_NAMES.map(str::to_owned).to_vec();
        let mut params = rcgen::CertificateParams::new(names).map_err(failed)?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Flare sandbox");
        let key = rcgen::KeyPair::generate().map_err(failed)?;
        let certificate = params.self_signed(&key).map_err(failed)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        TlsIdentity::new(vec![certificate.der().clone()], key)
    }

    /// The certificate chain (the server's own certificate first) and its private key from PEM
    /// files, as `--tls-cert` and `--tls-key` name them.
    pub fn from_pem_files(certificate: &Path, key: &Path) -> Result<TlsIdentity, TlsError> {
        let unreadable = |path: &Path| {
            let path = path.to_owned();
            move |error: pem::Error| TlsError::Read {
                path,
                reason: error.to_string(),
            }
        };
        let chain = CertificateDer::pem_file_iter(certificate)
            .map_err(unreadable(certificate))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable(certificate))?;
        if chain.is_empty() {
            return Err(TlsError::Read {
                path: certificate.to_owned(),
                reason: "no CERTIFICATE in it".to_owned(),
            });
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(unreadable(key))?;
        TlsIdentity::new(chain, key)
    }

    /// base64 of the SHA-256 of the certificate's DER SubjectPublicKeyInfo, as Chromium's
    /// `--ignore-certificate-errors-spki-list` takes it.
    pub fn spki_sha256(&self) -> &str {
        &self.spki_sha256
    }

    /// The certificate chain as PEM, for a client to trust exactly it.
    pub fn certificate_pem(&self) -> String {
        let base64 = base64::engine::general_purpose::STANDARD;
        let mut pem = String::new();
        for certificate in &self.chain {
            pem.push_str("-----BEGIN CERTIFICATE-----\n");
            let encoded = base64.encode(certificate);
            // PEM lines hold 64 characters (RFC 7468); base64 text is ASCII, so any split is
            // on a character boundary.
            for line in encoded.as_bytes().chunks(64) {
                pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                pem.push('\n');
            }
            pem.push_str("-----END CERTIFICATE-----\n");
        }
        pem
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<TlsIdentity, TlsError> {
        let refused = |error: tokio_rustls::rustls::Error| TlsError::Refused(error.to_string());
        let leaf = ParsedCertificate::try_from(&chain[0]).map_err(refused)?;
        let spki_sha256 = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(leaf.subject_public_key_info()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(refused)?
            .with_no_client_auth()
            .with_single_cert(chain.clone(), key)
            .map_err(refused)?;
        // axum serves HTTP/1.1 only (its `http2` feature is off).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsIdentity {
            chain,
            spki_sha256,
            config: Arc::new(config),
        })
    }
}

/// Serves `router` over TLS on `tcp` until `shutdown` resolves, marking every request as one that
/// came in over TLS.
pub async fn serve(
    tcp: TcpListener,
    router: Router,
    identity: &TlsIdentity,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let listener = TlsListener::new(tcp, identity)?;
    axum::serve(listener, router.layer(Extension(ServedOverTls)))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Marks a request that came in over TLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServedOverTls;

/// How long a client may take to complete its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait after a failed `accept`, which is mostly out of file descriptors: retrying at
/// once would spin (axum's own `TcpListener` loop waits a second too).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Connections whose handshake is complete, for `axum::serve`.
struct TlsListener {
    handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`; the accepting task ends when the listener is dropped.
    fn new(tcp: TcpListener, identity: &TlsIdentity) -> io::Result<TlsListener> {
        let local_addr = tcp.local_addr()?;
        let (sender, handshaken) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(Arc::clone(&identity.config));
        tokio::spawn(accept_connections(tcp, acceptor, sender));
        Ok(TlsListener {
            handshaken,
            local_addr,
        })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(connection) => connection,
            // The accepting task only ends once this receiver is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }
}

async fn accept_connections(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshaken: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let accepted = tokio::select! {
            () = handshaken.closed() => return,
            accepted = tcp.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let handshaken = handshaken.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    // A closed channel means the server is shutting down: drop the connection.
                    let _ = handshaken.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}
