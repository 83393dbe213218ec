//! Accepting connections: plain HTTP for local development, or TLS from
//! certificate and key files through rustls.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// PEM files for TLS.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot read TLS certificate {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("cannot read TLS key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("TLS configuration rejected: {0}")]
    Config(String),
    #[error("server stopped: {0}")]
    Io(#[from] std::io::Error),
}

fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, ServeError> {
    let certificate = |reason: String| ServeError::Certificate { path: files.certificate.display().to_string(), reason };
    let chain = CertificateDer::pem_file_iter(&files.certificate)
        .map_err(|e| certificate(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| certificate(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| ServeError::Key { path: files.key.display().to_string(), reason: e.to_string() })?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| ServeError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `router` until the process is stopped.
pub async fn serve(listener: TcpListener, router: Router, tls: Option<TlsFiles>) -> Result<(), ServeError> {
    let Some(files) = tls else {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await?;
        return Ok(());
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(&files)?));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(stream).await else { return };
            let service = router.map_request(move |request: axum::http::Request<hyper::body::Incoming>| {
                let mut request = request.map(axum::body::Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
            let connection = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            if let Err(error) = connection.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
}
