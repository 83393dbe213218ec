//! What can stop the SIP edge from starting.

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error("the SIP edge cannot listen on {address}: {why}")]
    Listen { address: std::net::SocketAddr, why: String },
    #[error("a public address needs a fixed SIP port (not 0)")]
    PublicNeedsPort,
    #[error("SIP over TLS cannot start: {0}")]
    Tls(String),
    #[error("the SIP stack refused to start: {0}")]
    Stack(String),
}
