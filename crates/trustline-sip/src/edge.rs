//! The SIP endpoint itself: one UDP socket, the transaction and dialog
//! layers of the SIP stack, and the loop that hands each request that
//! starts no transaction of ours to the right place.

use crate::call_table::{Call, CallTable};
use crate::desk_line::Desks;
use crate::edge_settings::EdgeSettings;
use crate::error::EdgeError;
use crate::inbound_call;
use crate::media_port::MediaPort;
use rsipstack::EndpointBuilder;
use rsipstack::dialog::dialog::Dialog;
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::sip::{HeadersExt, Host, Method, StatusCode, Uri};
use rsipstack::transaction::TransactionReceiver;
use rsipstack::transaction::endpoint::EndpointOption;
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::TransportLayer;
use rsipstack::transport::connection::SipConnection;
use rsipstack::transport::udp::UdpConnection;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use trustline_telephony::{IncomingCall, LegId};

/// What every call of the edge shares.
pub(crate) struct Edge {
    pub layer: Arc<DialogLayer>,
    pub settings: EdgeSettings,
    /// The address SIP actually listens on (the port chosen when 0 was asked).
    pub local: SocketAddr,
    pub contact: Uri,
    pub calls: CallTable,
    pub desks: Desks,
    /// Cancelled when the edge stops; every call's audio stops with it.
    pub stop: CancellationToken,
}

impl Edge {
    /// Starts the endpoint; calls coming in from the trunk go to
    /// `switchboard`. Everything stops when `stop` is cancelled.
    pub async fn start(
        settings: EdgeSettings,
        stop: CancellationToken,
        switchboard: mpsc::Sender<IncomingCall>,
    ) -> Result<Arc<Self>, EdgeError> {
        let listen = settings.listen;
        let transport = TransportLayer::new(stop.child_token());
        let udp = UdpConnection::create_connection(listen, None, Some(stop.child_token()))
            .await
            .map_err(|e| EdgeError::Listen { address: listen, why: e.to_string() })?;
        let local = udp.get_addr().get_socketaddr().map_err(|e| EdgeError::Stack(e.to_string()))?;
        let local = SocketAddr::new(listen.ip(), local.port());
        transport.add_transport(udp.into());
        let option = EndpointOption { t1: settings.t1, t1x64: settings.t1 * 64, ..EndpointOption::default() };
        let endpoint = EndpointBuilder::new()
            .with_cancel_token(stop.clone())
            .with_transport_layer(transport)
            .with_user_agent("Trustline")
            .with_option(option)
            .build();
        let requests = endpoint.incoming_transactions().map_err(|e| EdgeError::Stack(e.to_string()))?;
        let layer = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let contact = Uri::try_from(format!("sip:trustline@{local}").as_str()).map_err(|e| EdgeError::Stack(e.to_string()))?;
        let edge =
            Arc::new(Self { layer, settings, local, contact, calls: CallTable::default(), desks: Desks::default(), stop: stop.clone() });
        tokio::spawn(async move { endpoint.serve().await });
        tokio::spawn(answer_requests(edge.clone(), requests, switchboard));
        Ok(edge)
    }

    /// A new call's audio port, stopping with the edge at the latest.
    pub async fn open_media(&self) -> std::io::Result<(Arc<MediaPort>, CancellationToken)> {
        let over = self.stop.child_token();
        let media = MediaPort::open(self.settings.media_ip, over.clone()).await?;
        Ok((media, over))
    }

    /// Forgets a call that is over and stops its audio.
    pub fn forget(&self, id: LegId, call: &Call) {
        self.calls.remove(id);
        self.layer.remove_dialog(&call.dialog.id());
        call.over.cancel();
    }
}

/// Requests that open no transaction of ours: in-dialog requests go to
/// their dialog, INVITEs become calls (from the trunk only), OPTIONS are
/// answered, anything else is refused.
async fn answer_requests(edge: Arc<Edge>, mut requests: TransactionReceiver, switchboard: mpsc::Sender<IncomingCall>) {
    while let Some(mut tx) = requests.recv().await {
        if let Some(Dialog::Invite(mut dialog)) = edge.layer.match_dialog(&tx) {
            tokio::spawn(async move {
                if let Err(error) = dialog.handle(&mut tx).await {
                    tracing::debug!(%error, "an in-dialog request failed");
                }
            });
            continue;
        }
        let from_trunk = source_ip(&tx).is_some_and(|ip| edge.settings.trunk.admits(ip));
        let answer = match tx.original.method {
            Method::Ack => continue,
            // Nothing is said to anyone but the carrier, so nothing can be learnt.
            _ if !from_trunk => StatusCode::Forbidden,
            Method::Invite => {
                tokio::spawn(inbound_call::admit(edge.clone(), tx, switchboard.clone()));
                continue;
            }
            Method::Options => StatusCode::OK,
            Method::Bye | Method::Cancel => StatusCode::CallTransactionDoesNotExist,
            _ => StatusCode::MethodNotAllowed,
        };
        tokio::spawn(async move {
            if let Err(error) = tx.reply(answer).await {
                tracing::debug!(%error, "a SIP answer could not be sent");
            }
        });
    }
}

/// The address a request really came from: the top Via as the transport
/// layer corrected it (`received`, RFC 3261 §18.2.1), so a forged Via host
/// does not pass for the carrier's.
fn source_ip(tx: &Transaction) -> Option<IpAddr> {
    let via = tx.original.via_header().ok()?;
    let (_, target) = SipConnection::parse_target_from_via(via).ok()?;
    match target.host {
        Host::IpAddr(ip) => Some(ip),
        Host::Domain(_) => None,
    }
}
