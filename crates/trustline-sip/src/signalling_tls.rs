//! SIP over TLS with carriers: the certificate the edge presents on its
//! TLS port (to carriers calling in, and to those that ask a calling side
//! for one) and the authorities a carrier's certificate must chain to.
//! Everything is checked when the edge starts, so a key that does not fit
//! its certificate stops `serve` instead of failing the first call.

use crate::error::EdgeError;
use base64::Engine;
use rsipstack::transport::tls::TlsConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use zeroize::Zeroizing;

#[derive(Clone)]
pub struct SignallingTls {
    /// The TLS port on the SIP address: 5061 by convention, 0 for any free port.
    pub port: u16,
    /// PEM: the edge's certificate, then its chain.
    pub certificate: Vec<u8>,
    /// PEM: the certificate's private key.
    pub key: Zeroizing<Vec<u8>>,
    /// PEM: the authorities a carrier's certificate must chain to.
    pub carrier_authorities: Vec<u8>,
}

impl std::fmt::Debug for SignallingTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignallingTls").field("port", &self.port).field("key", &"<redacted>").finish_non_exhaustive()
    }
}

impl SignallingTls {
    /// Whether the three parts are usable together: certificates that
    /// parse, a key that parses and belongs to the first certificate, and
    /// at least one authority.
    pub fn check(&self) -> Result<(), EdgeError> {
        let bad = |what: &str| EdgeError::Tls(what.to_owned());
        let chain = CertificateDer::pem_slice_iter(&self.certificate)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&format!("the certificate file is not PEM certificates: {e}")))?;
        if chain.is_empty() {
            return Err(bad("the certificate file holds no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key).map_err(|_| bad("the key file holds no PEM private key"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let signing = provider.key_provider.load_private_key(key).map_err(|e| bad(&format!("the private key cannot sign: {e}")))?;
        rustls::sign::CertifiedKey::new(chain, signing)
            .keys_match()
            .map_err(|_| bad("the private key does not belong to the certificate"))?;
        let authorities = CertificateDer::pem_slice_iter(&self.carrier_authorities)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&format!("the carriers' authorities are not PEM certificates: {e}")))?;
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(authorities);
        if added == 0 {
            return Err(bad("no usable authority for carriers' certificates"));
        }
        Ok(())
    }

    /// What the stack uses for TLS: this certificate on both sides, and
    /// these authorities for carriers.
    pub(crate) fn stack_config(&self) -> TlsConfig {
        TlsConfig {
            cert: Some(self.certificate.clone()),
            key: Some(self.key.to_vec()),
            client_cert: Some(self.certificate.clone()),
            client_key: Some(self.key.to_vec()),
            ca_certs: Some(self.carrier_authorities.clone()),
            sni_hostname: None,
        }
    }

    /// The authorities this machine trusts (its CA bundle), in PEM: what a
    /// carrier's certificate must chain to unless the operator names others.
    pub fn system_authorities() -> Result<Vec<u8>, EdgeError> {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            return Err(EdgeError::Tls("this machine trusts no certificate authority; name the carriers' with --sip-tls-ca".into()));
        }
        Ok(found.certs.iter().map(|certificate| pem_block("CERTIFICATE", certificate.as_ref())).collect::<String>().into_bytes())
    }
}

/// `der` as one PEM block (RFC 7468): base64 in lines of 64 characters.
fn pem_block(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, KeyPair};

    /// A self-signed certificate for localhost and its key, in PEM.
    fn identity() -> (Vec<u8>, Vec<u8>) {
        let key = KeyPair::generate().unwrap();
        let certificate = CertificateParams::new(vec!["localhost".to_owned()]).unwrap().self_signed(&key).unwrap();
        (pem_block("CERTIFICATE", certificate.der()).into_bytes(), pem_block("PRIVATE KEY", &key.serialize_der()).into_bytes())
    }

    fn refusal(tls: &SignallingTls) -> String {
        tls.check().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_certificate_its_key_and_an_authority_are_checked_together() {
        let (certificate, key) = identity();
        let (other_certificate, other_key) = identity();
        let tls =
            SignallingTls { port: 0, certificate: certificate.clone(), key: Zeroizing::new(key), carrier_authorities: other_certificate };
        assert!(tls.check().is_ok());
        assert!(!format!("{tls:?}").contains("PRIVATE"), "the key stays out of debug output");

        let mismatched = SignallingTls { key: Zeroizing::new(other_key), ..tls.clone() };
        assert!(refusal(&mismatched).contains("does not belong to the certificate"));
        let no_certificate = SignallingTls { certificate: b"not a certificate".to_vec(), ..tls.clone() };
        assert!(refusal(&no_certificate).contains("holds no certificate"));
        let no_key = SignallingTls { key: Zeroizing::new(certificate), ..tls.clone() };
        assert!(refusal(&no_key).contains("no PEM private key"));
        let no_authority = SignallingTls { carrier_authorities: Vec::new(), ..tls };
        assert!(refusal(&no_authority).contains("no usable authority"));
    }
}
