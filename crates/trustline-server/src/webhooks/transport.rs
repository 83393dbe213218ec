//! Posting one delivery. The connection is made here rather than by a
//! general HTTP client so that the address connected to is the very one
//! checked: the host is resolved, every address the policy refuses
//! (private, local, reserved) is dropped, and only then is a socket opened;
//! a name re-pointed at an internal address between two deliveries (DNS
//! rebinding) is caught the same way. No redirects are followed. HTTPS is
//! verified against the machine's trusted roots.

use axum::body::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use trustline_domain::destination::{DestinationPolicy, address_allowed};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a delivery did not get an answer. Never names the URL's path or
/// query, which may carry the receiver's own token.
#[derive(Debug, thiserror::Error)]
pub(super) enum TransportError {
    #[error("not a deliverable URL")]
    BadUrl,
    #[error("{0} cannot be resolved: {1}")]
    Resolve(String, std::io::Error),
    #[error("{0} resolves only to private, local or reserved addresses")]
    Refused(String),
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    #[error("TLS with {0} failed: {1}")]
    Tls(String, std::io::Error),
    #[error("HTTP exchange failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

pub(super) struct Transport {
    tls: tokio_rustls::TlsConnector,
    policy: DestinationPolicy,
}

impl Transport {
    /// HTTPS trusts the roots installed on this machine.
    pub fn new(policy: DestinationPolicy) -> Result<Self, rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _unusable) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!("no trusted root certificates found on this machine; HTTPS webhooks will fail");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self { tls: tokio_rustls::TlsConnector::from(Arc::new(config)), policy })
    }

    /// The addresses of `host` a delivery may connect to.
    pub async fn allowed_addresses(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, TransportError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((bare, port)).await.map_err(|e| TransportError::Resolve(host.to_owned(), e))?.collect(),
        };
        let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| address_allowed(a.ip(), self.policy)).collect();
        if allowed.is_empty() {
            return Err(TransportError::Refused(host.to_owned()));
        }
        Ok(allowed)
    }

    /// Posts `body` to `url` with `headers`; the answer's status.
    pub async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> Result<u16, TransportError> {
        let url = url::Url::parse(url).map_err(|_| TransportError::BadUrl)?;
        let host = url.host_str().ok_or(TransportError::BadUrl)?.to_owned();
        let port = url.port_or_known_default().ok_or(TransportError::BadUrl)?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let mut request = hyper::Request::post(target).header(hyper::header::HOST, authority);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|_| TransportError::BadUrl)?;
        let tcp = self.connect(&host, port).await?;
        let exchange = async {
            if url.scheme() == "https" {
                let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())
                    .map_err(|_| TransportError::BadUrl)?;
                let tls = self.tls.connect(name, tcp).await.map_err(|e| TransportError::Tls(host.clone(), e))?;
                exchange(tls, request).await
            } else {
                exchange(tcp, request).await
            }
        };
        tokio::time::timeout(EXCHANGE_TIMEOUT, exchange).await.map_err(|_| TransportError::Timeout(EXCHANGE_TIMEOUT))?
    }

    async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, TransportError> {
        let mut last = String::from("no address");
        for address in self.allowed_addresses(host, port).await? {
            match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(error)) => last = error.to_string(),
                Err(_) => last = format!("no connection within {CONNECT_TIMEOUT:?}"),
            }
        }
        Err(TransportError::Connect(host.to_owned(), last))
    }
}

async fn exchange<S>(stream: S, request: hyper::Request<Full<Bytes>>) -> Result<u16, TransportError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _closed = connection.await;
    });
    let response = sender.send_request(request).await?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_resolving_to_local_addresses_are_not_connected_to() {
        let strict = Transport::new(DestinationPolicy { allow_private: false }).map_err(|e| e.to_string());
        let strict = strict.unwrap_or_else(|e| panic!("{e}"));
        for host in ["localhost", "127.0.0.1", "[::1]", "169.254.169.254"] {
            let refused = strict.allowed_addresses(host, 443).await.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(refused.contains("resolves only to private"), "{host}: {refused}");
        }
        let refused = strict.post("http://localhost:9/hook?token=crm-secret", &[], String::new()).await;
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("localhost") && !message.contains("crm-secret"), "{message}");
        let open = Transport::new(DestinationPolicy { allow_private: true }).unwrap_or_else(|e| panic!("{e}"));
        let found = open.allowed_addresses("localhost", 80).await.unwrap_or_default();
        assert!(found.iter().any(|a| a.ip().is_loopback()), "{found:?}");
    }
}
