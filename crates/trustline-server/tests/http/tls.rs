//! HTTPS from certificate files: HSTS and `Secure`, `__Host-` cookies.

use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trustline_app::SystemClock;
use trustline_crypto::PasswordHasher;
use trustline_server::{App, AppConfig, TlsFiles, serve};
use trustline_testkit::{Engine, TestDb};

fn self_signed(dir: &std::path::Path) -> TlsFiles {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is needed to make a test certificate");
    assert!(status.success());
    TlsFiles { certificate: cert, key }
}

async fn https_get(port: u16, cert: &std::path::Path, path: &str) -> String {
    use rustls_pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pki_types::CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response).to_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_sets_hsts_and_secure_cookies() {
    let db = TestDb::new(Engine::Sqlite).await;
    let files = self_signed(&db.data_dir);
    let cert = files.certificate.clone();
    let app = App::new(
        AppConfig { tls: true, ..AppConfig::default() },
        db.store.clone(),
        Arc::new(SystemClock),
        db.keys.clone(),
        Arc::new(PasswordHasher::new().unwrap()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(serve(listener, app.router(), Some(files)));
    let response = https_get(port, &cert, "/login").await;
    assert!(response.starts_with("http/1.1 200"), "{response}");
    assert!(response.contains("strict-transport-security: max-age=63072000"), "{response}");
    let cookie = response.lines().find(|l| l.starts_with("set-cookie:")).unwrap();
    assert!(cookie.contains("__host-tl_login=") && cookie.contains("; secure") && cookie.contains("httponly"), "{cookie}");
}
