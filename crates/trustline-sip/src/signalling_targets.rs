//! Where SIP may be sent within a call. A carrier names where the rest of
//! a call's requests go (its Contact and Record-Route), and a tenant's
//! carrier is the tenant's to choose: without a rule, an answer naming an
//! address inside the installation's network would have the edge send its
//! ACK and BYE there. Every such target is held to the same rule as a
//! trunk's host (or is the installation's own carrier): names when the
//! stack resolves them, addresses when the stack picks a target, and the
//! route set a message names when it arrives, since a Route's address is
//! used as it is.

use crate::trunk_directory::TrunkDirectory;
use rsipstack::sip::{HeadersExt, Host, Uri};
use rsipstack::transaction::endpoint::TargetLocator;
use rsipstack::transport::SipAddr;
use rsipstack::transport::transport_layer::DomainResolver;
use std::sync::Arc;
use trustline_domain::trunks::SignallingTransport;

/// How the stack resolves the names it is handed (a TLS trunk's host, a
/// carrier's Contact or Record-Route given by name).
pub(crate) struct NamesUnderTheRule(pub Arc<TrunkDirectory>);

#[async_trait::async_trait]
impl DomainResolver for NamesUnderTheRule {
    async fn resolve(&self, target: &SipAddr) -> rsipstack::Result<SipAddr> {
        let Host::Domain(name) = &target.addr.host else { return Ok(target.clone()) };
        let secure = target.r#type == Some(rsipstack::sip::Transport::Tls);
        let default = if secure { SignallingTransport::Tls } else { SignallingTransport::Udp }.default_port();
        let port = target.addr.port.as_ref().map_or(default, |port| port.value());
        let directory = &self.0;
        let address = directory
            .allowed_address(&name.to_string(), port, |ip| directory.may_signal_to(ip))
            .await
            .map_err(|e| rsipstack::Error::DnsResolutionError(e.to_string()))?;
        Ok(SipAddr { r#type: target.r#type, addr: address.into() })
    }
}

/// How the stack picks where a request with no preset destination goes
/// (an ACK, a BYE to a Contact): the URI's address, if the rule allows it.
pub(crate) struct TargetsUnderTheRule(pub Arc<TrunkDirectory>);

#[async_trait::async_trait]
impl TargetLocator for TargetsUnderTheRule {
    async fn locate(&self, uri: &Uri) -> rsipstack::Result<SipAddr> {
        let target = SipAddr::try_from(uri)?;
        match target.addr.host {
            Host::IpAddr(ip) if !self.0.may_signal_to(ip) => {
                Err(rsipstack::Error::DnsResolutionError(format!("{ip} is an address no call may signal to")))
            }
            _ => Ok(target),
        }
    }
}

/// The first address `message` names for the rest of its call (its
/// Contact, or a Record-Route hop) that the rule refuses; a route that
/// cannot be read counts as refused, since the stack may read it otherwise.
pub(crate) fn refused_target(trunks: &TrunkDirectory, message: &impl HeadersExt) -> Option<String> {
    let routes = match message.typed_record_route_headers() {
        Ok(routes) => routes.into_iter().map(|route| route.uri),
        Err(_) => return Some("an unreadable Record-Route".into()),
    };
    let contacts = message.typed_contact_headers().unwrap_or_default().into_iter().map(|contact| contact.uri);
    routes.chain(contacts).find_map(|uri| match uri.host_with_port.host {
        Host::IpAddr(ip) if !trunks.may_signal_to(ip) => Some(ip.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge_settings::Trunk;
    use trustline_domain::destination::DestinationPolicy;

    fn directory(policy: DestinationPolicy) -> Arc<TrunkDirectory> {
        let installation = Trunk {
            proxy: Some("10.0.0.5:5060".parse::<std::net::SocketAddr>().unwrap().into()),
            sources: vec!["10.0.0.6".parse().unwrap()],
        };
        Arc::new(TrunkDirectory::new(installation, policy, false))
    }

    #[tokio::test]
    async fn names_the_stack_resolves_are_held_to_the_destination_rule() {
        let target = |host: &str, port: Option<u16>, transport| SipAddr {
            r#type: Some(transport),
            addr: rsipstack::sip::HostWithPort { host: Host::Domain(host.to_owned().into()), port: port.map(Into::into) },
        };
        let strict = NamesUnderTheRule(directory(DestinationPolicy::default()));
        let refused = strict.resolve(&target("localhost", Some(5060), rsipstack::sip::Transport::Udp)).await;
        assert!(refused.is_err(), "a carrier's Contact naming localhost is not followed");
        let open = NamesUnderTheRule(directory(DestinationPolicy { allow_private: true }));
        let found = open.resolve(&target("localhost", None, rsipstack::sip::Transport::Tls)).await.unwrap();
        assert_eq!((found.addr.to_string(), found.r#type), ("127.0.0.1:5061".to_owned(), Some(rsipstack::sip::Transport::Tls)));
        let found = open.resolve(&target("localhost", None, rsipstack::sip::Transport::Udp)).await.unwrap();
        assert_eq!(found.addr.to_string(), "127.0.0.1:5060");
    }

    #[tokio::test]
    async fn addresses_the_stack_picks_are_held_to_the_rule_or_are_the_installations_carrier() {
        let locator = TargetsUnderTheRule(directory(DestinationPolicy::default()));
        let locate = |uri: &str| {
            let uri = Uri::try_from(uri).unwrap();
            let locator = &locator;
            async move { locator.locate(&uri).await.map(|target| target.addr.to_string()) }
        };
        for refused in ["sip:x@127.0.0.1:5060", "sip:x@10.1.2.3", "sip:x@[::1]:5060", "sip:x@169.254.169.254"] {
            assert!(locate(refused).await.is_err(), "{refused}");
        }
        assert_eq!(locate("sip:x@93.184.216.34:5070").await.unwrap(), "93.184.216.34:5070");
        assert_eq!(locate("sip:x@10.0.0.5:5060").await.unwrap(), "10.0.0.5:5060", "the installation's proxy");
        assert_eq!(locate("sip:x@10.0.0.6").await.unwrap(), "10.0.0.6", "an address the installation's carrier calls from");
        assert_eq!(locate("sip:x@sbc.example:5060").await.unwrap(), "sbc.example:5060", "names are resolved under the rule later");
    }

    #[test]
    fn a_message_naming_an_address_the_rule_refuses_is_found_out() {
        let trunks = directory(DestinationPolicy::default());
        let answer = |headers: &str| {
            let text = format!(
                "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 93.184.216.34;branch=z9hG4bK1\r\nFrom: <sip:a@93.184.216.34>;tag=1\r\n\
                 To: <sip:b@93.184.216.34>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n{headers}Content-Length: 0\r\n\r\n"
            );
            rsipstack::sip::Response::try_from(text.as_str()).unwrap()
        };
        assert_eq!(refused_target(&trunks, &answer("Contact: <sip:b@93.184.216.34:5070>\r\n")), None);
        assert_eq!(refused_target(&trunks, &answer("Contact: <sip:b@sbc.example>\r\n")), None, "a name is resolved under the rule");
        assert_eq!(refused_target(&trunks, &answer("Contact: <sip:b@10.9.9.9:5060>\r\n")).as_deref(), Some("10.9.9.9"));
        let routed = answer("Record-Route: <sip:93.184.216.34;lr>, <sip:192.168.1.1;lr>\r\nContact: <sip:b@93.184.216.34>\r\n");
        assert_eq!(refused_target(&trunks, &routed).as_deref(), Some("192.168.1.1"), "every hop of the route");
        assert_eq!(refused_target(&trunks, &answer("Contact: <sip:b@10.0.0.6>\r\n")), None, "the installation's carrier");
    }
}
