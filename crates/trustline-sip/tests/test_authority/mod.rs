//! A certificate authority made for one test, and the certificates it
//! issues, in PEM as servers and the edge read them.

use crate::peers::Identity;
use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

pub struct TestAuthority {
    issuer: Issuer<'static, KeyPair>,
    /// The authority's own certificate, to be trusted.
    pub pem: String,
}

impl TestAuthority {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("a key for the authority");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("authority parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let certificate = params.self_signed(&key).expect("the authority signs itself");
        Self { pem: pem("CERTIFICATE", certificate.der()), issuer: Issuer::new(params, key) }
    }

    /// A certificate for `names` (DNS names or IP addresses).
    pub fn issue(&self, names: &[&str]) -> Identity {
        let key = KeyPair::generate().expect("a key");
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let certificate = CertificateParams::new(names).expect("certificate parameters").signed_by(&key, &self.issuer).expect("issued");
        Identity { certificate: pem("CERTIFICATE", certificate.der()), key: pem("PRIVATE KEY", &key.serialize_der()) }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}
