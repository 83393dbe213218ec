//! What the served API document says that depends on this installation and
//! the hour; the document (`openapi`), the state and the handler serving it
//! all name it, so it sits below them.

/// What the document says that depends on this installation and the hour:
/// the rules written in it are the ones the server applies now.
pub struct Installation {
    /// The operator allows webhooks to private destinations (then a
    /// delivery URL is any URL the checks after the pattern accept).
    pub allow_private_webhooks: bool,
    /// The operator allows SIP trunks to private destinations (then a
    /// trunk's host is any DNS name or address).
    pub allow_private_trunks: bool,
    /// The SIP edge has a TLS certificate (otherwise a trunk's transport
    /// is `udp` or `tcp`).
    pub sip_tls: bool,
    /// The time the document is served (Unix seconds).
    pub now: i64,
}
