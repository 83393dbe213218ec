//! Kamailio as a carrier's registrar over TLS: it presents a certificate,
//! challenges every REGISTER for one password (digest, realm the To
//! domain), keeps the bindings it accepts, and logs each accepted one (the
//! login, the Expires header and the Contact) where the test reads them.
//! Calls sent to it over UDP for a registered login go to that login's
//! binding, as a carrier delivers calls to a registered trunk.

use super::baresip_phone::Identity;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct KamailioRegistrar {
    _child: Child,
    dir: tempfile::TempDir,
    /// Where it takes TLS.
    pub address: SocketAddr,
    /// Where it takes calls over UDP.
    pub calls: SocketAddr,
}

impl KamailioRegistrar {
    /// Listens for TLS on a free loopback port with `identity`, taking
    /// REGISTERs that prove `password`.
    pub async fn over_tls(binary: &Path, identity: &Identity, password: &str) -> Self {
        let dir = tempfile::tempdir().expect("a directory for Kamailio");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let file = |name: &str, text: &str| -> PathBuf {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let (certificate, key) = (file("cert.pem", &identity.certificate), file("key.pem", &identity.key));
        let tls = file(
            "tls.cfg",
            &format!(
                "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = {}\ncertificate = {}\n",
                key.display(),
                certificate.display()
            ),
        );
        let config = file(
            "kamailio.cfg",
            &format!(
                r#"#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
listen=tls:127.0.0.1:{port}
listen=udp:127.0.0.1:{udp}
enable_tls=yes
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "tls.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "rr.so"
loadmodule "siputils.so"
modparam("tls", "config", "{tls}")
request_route {{
    if (has_totag()) {{
        if (loose_route() || (is_method("ACK") && t_check_trans())) {{
            t_relay();
        }}
        exit;
    }}
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{
            t_relay();
        }}
        exit;
    }}
    if (is_method("INVITE")) {{
        if (!lookup("location")) {{
            sl_send_reply("404", "Not registered");
            exit;
        }}
        record_route();
        t_relay();
        exit;
    }}
    if (!is_method("REGISTER")) {{
        sl_send_reply("405", "Not here");
        exit;
    }}
    if (!pv_www_authenticate("$td", "{password}", "0")) {{
        www_challenge("$td", "0");
        exit;
    }}
    xlog("L_ALERT", "REGISTERED user=$au expires=$hdr(Expires) contact=$ct\n");
    save("location");
}}
"#,
                tls = tls.display(),
            ),
        );
        let log = std::fs::File::create(dir.path().join("kamailio.log")).unwrap();
        let child = Command::new(binary)
            .args(["-f"])
            .arg(&config)
            .args(["-DD", "-E", "-w"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("Kamailio starts");
        let address: SocketAddr = ([127, 0, 0, 1], port).into();
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(address).await.is_ok() {
                return Self { _child: child, dir, address, calls: ([127, 0, 0, 1], udp).into() };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("Kamailio did not listen: {}", std::fs::read_to_string(dir.path().join("kamailio.log")).unwrap_or_default());
    }

    /// The registrations it accepted so far, as it logged them.
    pub fn accepted(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.path().join("kamailio.log")).unwrap_or_default();
        log.lines().filter_map(|line| line.split_once("REGISTERED ").map(|(_, rest)| rest.to_owned())).collect()
    }
}
