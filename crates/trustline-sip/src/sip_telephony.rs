//! The telephony port over SIP: the dialer's and switchboard's calls go
//! to and come from a carrier trunk.

use crate::call_progress;
use crate::callback_offer;
use crate::edge::Edge;
use crate::edge_settings::EdgeSettings;
use crate::error::EdgeError;
use crate::locks::lock;
use crate::media_port::Guest;
use crate::outbound_call;
use crate::trunk_registration::{REPORT_BACKLOG, RegistrationReport};
use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use trustline_domain::{TenantId, UserId};
use trustline_softphone::SoftphoneError;
use trustline_telephony::{
    CallLeg, CallProgress, DialRequest, DtmfDigits, IncomingCall, LegId, MonitorMode, Party, PhonePutDown, Telephony, TelephonyError,
};

/// Calls waiting for the switchboard before the edge stops taking new ones.
const INCOMING_BACKLOG: usize = 256;

pub struct SipTelephony {
    edge: Arc<Edge>,
    incoming: Mutex<Option<mpsc::Receiver<IncomingCall>>>,
    registration_reports: Mutex<Option<mpsc::Receiver<RegistrationReport>>>,
    stop: CancellationToken,
}

impl SipTelephony {
    /// Listens on `settings.listen` and starts taking the trunk's calls.
    pub async fn start(settings: EdgeSettings) -> Result<Self, EdgeError> {
        let stop = CancellationToken::new();
        let (switchboard, incoming) = mpsc::channel(INCOMING_BACKLOG);
        let (reporter, reports) = mpsc::channel(REPORT_BACKLOG);
        let edge = Edge::start(settings, stop.clone(), switchboard, reporter).await?;
        Ok(Self { edge, incoming: Mutex::new(Some(incoming)), registration_reports: Mutex::new(Some(reports)), stop })
    }

    /// The address SIP listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.edge.local
    }

    /// Agents' desk phones may register from now on, signed in by `gate`.
    pub fn serve_desk_phones(&self, gate: Arc<dyn crate::DeskPhoneGate>) {
        self.edge.desk_phones.serve(gate);
    }

    /// Where `user`'s desk phone is registered now, if it is.
    pub fn desk_phone_of(&self, user: UserId) -> Option<crate::PhoneBinding> {
        self.edge.desk_phones.binding_of(user)
    }

    /// The address SIP over TLS listens on, when the edge has a certificate.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.edge.tls_local
    }

    /// Seats a virtual agent at `agent`'s desk: calls bridged to it hear a
    /// recorded greeting (the demo's floor agents).
    pub fn seat_virtual_agent(&self, tenant: TenantId, agent: UserId) {
        self.edge.desks.seat_virtual_agent(tenant, agent);
    }

    /// Closes `agent`'s desk: calls can no longer be bridged to it.
    pub fn unseat(&self, tenant: TenantId, agent: UserId) {
        self.edge.desks.unseat(tenant, agent);
    }

    /// Serves `trunks` (every tenant's, as stored) from now on, in place of
    /// those served so far.
    /// Trunks that register are registered, and unregistered when they go.
    pub fn serve_tenant_trunks(&self, trunks: Vec<crate::TenantTrunk>) {
        self.edge.registrations.follow(&self.edge, &trunks);
        self.edge.trunks.replace(trunks);
    }

    /// How trunks' registrations go, each time one is tried. The receiver
    /// is handed out once.
    pub fn registration_reports(&self) -> Option<mpsc::Receiver<RegistrationReport>> {
        lock(&self.registration_reports).take()
    }

    /// The UDP address agents' softphones connect to, if the edge serves them.
    pub fn softphone_addr(&self) -> Option<SocketAddr> {
        self.edge.softphones.as_ref().map(trustline_softphone::Softphones::local_addr)
    }

    /// Agents' softphones open now.
    pub fn softphones_open(&self) -> usize {
        self.edge.desks.softphones()
    }

    /// What calls' audio did so far: packets in and out, relay times.
    pub fn media_figures(&self) -> crate::MediaFigures {
        self.edge.media_counters.figures()
    }

    /// Calls in progress.
    pub fn calls_in_progress(&self) -> usize {
        self.edge.calls.len()
    }
}

impl Drop for SipTelephony {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[async_trait]
impl Telephony for SipTelephony {
    async fn dial(&self, request: DialRequest) -> Result<CallLeg, TelephonyError> {
        outbound_call::place(&self.edge, request).await
    }

    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError> {
        let call = self.edge.calls.remove(leg).ok_or(TelephonyError::UnknownCall)?;
        call.ended_here.cancel();
        // A CANCEL while it rings, a BYE once answered.
        call.dialog.hangup().await.map_err(|e| TelephonyError::Unavailable(e.to_string()))
    }

    fn incoming(&self) -> Option<mpsc::Receiver<IncomingCall>> {
        lock(&self.incoming).take()
    }

    async fn bridge(&self, leg: LegId, to: Party) -> Result<(), TelephonyError> {
        let call = self.edge.calls.get(leg)?;
        match to {
            Party::Leg(other) if other == leg => Err(TelephonyError::UnknownCall),
            Party::Leg(other) => {
                let other = self.edge.calls.get(other)?;
                call.media.join(&other.media);
                Ok(())
            }
            Party::Desk { tenant, agent } => {
                let seat = self.edge.desks.seated(tenant, agent).ok_or(TelephonyError::DeskOffline)?;
                call.media.join_desk(seat);
                Ok(())
            }
        }
    }

    async fn unbridge(&self, leg: LegId) -> Result<(), TelephonyError> {
        self.edge.calls.get(leg)?.media.part();
        Ok(())
    }

    async fn offer_callback(&self, leg: LegId) -> Result<bool, TelephonyError> {
        let call = self.edge.calls.get(leg)?;
        Ok(callback_offer::ask(&call.media).await)
    }

    async fn hold(&self, leg: LegId, on: bool) -> Result<(), TelephonyError> {
        self.edge.calls.get(leg)?.media.hold(on);
        Ok(())
    }

    async fn transfer(&self, leg: LegId, to: DialRequest) -> Result<CallLeg, TelephonyError> {
        let caller = self.edge.calls.get(leg)?;
        let mut placed = outbound_call::place(&self.edge, to).await?;
        let (progress_in, progress) = call_progress::channel();
        let (edge, id) = (self.edge.clone(), placed.id);
        tokio::spawn(async move {
            while let Some(event) = placed.progress.recv().await {
                if event == CallProgress::Answered {
                    match edge.calls.get(id) {
                        Ok(called) => caller.media.join(&called.media),
                        Err(_) => break,
                    }
                }
                if progress_in.send(event).await.is_err() {
                    break;
                }
            }
        });
        Ok(CallLeg { id, progress })
    }

    async fn send_dtmf(&self, leg: LegId, keys: &DtmfDigits) -> Result<(), TelephonyError> {
        if self.edge.calls.get(leg)?.media.send_keys(keys.as_str()) { Ok(()) } else { Err(TelephonyError::NoAudioYet) }
    }

    async fn monitor(&self, leg: LegId, tenant: TenantId, supervisor: UserId, mode: Option<MonitorMode>) -> Result<(), TelephonyError> {
        let call = self.edge.calls.get(leg)?;
        let supervisor = match mode {
            Some(mode) => Some((self.edge.desks.seated(tenant, supervisor).ok_or(TelephonyError::DeskOffline)?, mode)),
            None => None,
        };
        if call.media.monitor(supervisor) { Ok(()) } else { Err(TelephonyError::NotAtDesk) }
    }

    async fn conference(&self, leg: LegId, guest: Party) -> Result<(), TelephonyError> {
        let call = self.edge.calls.get(leg)?;
        let guest = match guest {
            Party::Leg(other) if other == leg => return Err(TelephonyError::UnknownCall),
            Party::Leg(other) => Guest::Call(Arc::downgrade(&self.edge.calls.get(other)?.media)),
            Party::Desk { tenant, agent } => Guest::Desk(self.edge.desks.seated(tenant, agent).ok_or(TelephonyError::DeskOffline)?),
        };
        if call.media.conference(guest) { Ok(()) } else { Err(TelephonyError::NotAtDesk) }
    }

    async fn link_desks(&self, tenant: TenantId, agent: UserId, colleague: UserId) -> Result<(), TelephonyError> {
        if self.edge.desks.link(tenant, agent, colleague) { Ok(()) } else { Err(TelephonyError::DeskOffline) }
    }

    async fn unlink_desk(&self, tenant: TenantId, agent: UserId) {
        self.edge.desks.unlink(tenant, agent);
    }

    async fn open_softphone(&self, tenant: TenantId, agent: UserId, offer: &str) -> Result<String, TelephonyError> {
        let softphones = self.edge.softphones.as_ref().ok_or(TelephonyError::NoSoftphone)?;
        let voice = Arc::new(self.edge.desks.voice_of(tenant, agent));
        let replacing = self.edge.desks.softphone_of(tenant, agent);
        let (session, answer) = softphones.open(offer, voice, replacing.as_deref()).await.map_err(|error| match error {
            SoftphoneError::BadOffer(_) | SoftphoneError::NoAudio => TelephonyError::BadOffer(error.to_string()),
            SoftphoneError::Full(_) => TelephonyError::SoftphonesFull,
            SoftphoneError::Bind(_) | SoftphoneError::Stopped => TelephonyError::Unavailable(error.to_string()),
        })?;
        self.edge.desks.seat_softphone(tenant, agent, session);
        Ok(answer)
    }

    async fn close_softphone(&self, tenant: TenantId, agent: UserId) {
        self.edge.desks.unseat(tenant, agent);
    }

    fn serves_softphones(&self) -> bool {
        self.edge.softphones.is_some()
    }

    async fn ring_desk_phone(&self, tenant: TenantId, agent: UserId) -> Result<PhonePutDown, TelephonyError> {
        crate::desk_phone_line::ring(&self.edge, tenant, agent).await
    }
}
