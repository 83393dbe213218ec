//! A call's audio: one RTP port per call on the media address, what this
//! side says about it in SDP, where the other side's audio really comes
//! from, and where it goes. A bridged call's packets are relayed to its
//! partner (re-coded only when the two chose different G.711 laws); a call
//! on its own or on hold hears hold music made here; keys go both ways as
//! RFC 4733 events, or as tones when the other side takes no events. When
//! the SDP exchange settles on SRTP, every packet out is protected and
//! every packet in is authenticated before anything reads it.

use crate::audio_sdp::{Direction, G711, RemoteAudio, audio_answer, audio_offer};
use crate::call_mix::{CallMix, Voice};
use crate::desk_line::{DeskSound, Seat, SeatVoice};
use crate::g711::ulaw_frames;
use crate::media_counters::{MediaCounters, sequence_step};
use crate::rtp_packet::{KeyEvent, RtpPacket};
use crate::srtp::{MasterKey, SrtpReceiver, SrtpSender};
use crate::tone::{FRAME, HoldMusic, Tone, key_frequencies};
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use trustline_telephony::MonitorMode;

/// RTP's clock for G.711: 8,000 per second, 160 per 20 ms frame.
const FRAME_TICKS: u32 = FRAME as u32;
/// How long each key sounds, and the pause after it, in frames.
const KEY_FRAMES: usize = 5;
const KEY_GAP_FRAMES: usize = 3;
/// In-band key tones, each of the two waves (about -10 dBm0 together).
const KEY_AMPLITUDE: f64 = 6000.0;
/// Keys buffered for listeners that have not read them yet.
const KEYS_BUFFER: usize = 32;

pub(crate) struct MediaPort {
    socket: UdpSocket,
    /// The address the call's SIP comes from: a peer behind NAT sends its
    /// audio from there whatever its SDP says.
    signalling_ip: IpAddr,
    /// The address SDP names for this call's audio (the public one behind NAT).
    announced: SocketAddr,
    /// The SDP origin's session id (RFC 4566 §5.2); its version rises with
    /// each description this side sends.
    session_id: u64,
    sdp_version: AtomicU64,
    state: Mutex<MediaState>,
    keys: broadcast::Sender<char>,
    counters: Arc<MediaCounters>,
    /// The key this side sends SRTP under if the call's audio is SRTP.
    own_key: MasterKey,
    /// Whether this side offers SRTP, and so refuses an answer without it.
    offers_srtp: bool,
}

/// Why the other side's audio description cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MediaRefusal {
    #[error("SRTP was offered and the answer's audio is not SRTP")]
    SrtpRefused,
}

#[derive(Default)]
struct MediaState {
    remote: Option<RemoteAudio>,
    /// Where the other side's RTP actually comes from (symmetric RTP, for
    /// peers behind NAT); only packets from the SDP's address or the
    /// address the call's signalling comes from are taken.
    latched: Option<SocketAddr>,
    partner: Option<Partner>,
    /// A supervisor or a conference's guest on the call (joined to a
    /// desk): the voices are mixed every 20 ms instead of relayed.
    mixing: Option<Mixing>,
    held: bool,
    /// Whether the call is answered: before that the far network plays its
    /// own early media and nothing is sent.
    live: bool,
    music: HoldMusic,
    outgoing: Outgoing,
    /// Packets queued to go one per frame (keys being sent).
    queued: VecDeque<Queued>,
    last_key: Option<u32>,
    /// The newest sequence number the other side's stream reached.
    last_sequence: Option<u16>,
    /// Reads the other side's SRTP, when the audio is SRTP.
    unprotect: Option<SrtpReceiver>,
}

/// Our stream's identity and counters, and its SRTP when the audio is SRTP.
struct Outgoing {
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    protect: Option<SrtpSender>,
}

impl Default for Outgoing {
    fn default() -> Self {
        Self { ssrc: rand::random(), sequence: rand::random(), timestamp: rand::random(), protect: None }
    }
}

#[derive(Default)]
struct Mixing {
    supervisor: Option<Arc<Seat>>,
    /// The third party in a conference: the party the agent consulted.
    guest: Option<Guest>,
    mix: CallMix,
}

/// A conference's third party.
#[derive(Clone)]
pub(crate) enum Guest {
    /// Another call: an outside number.
    Call(Weak<MediaPort>),
    /// A colleague's desk.
    Desk(Arc<Seat>),
}

impl Guest {
    fn is_call(&self, call: &MediaPort) -> bool {
        matches!(self, Guest::Call(guest) if std::ptr::eq(guest.as_ptr(), call))
    }

    fn is_desk(&self, seat: &Arc<Seat>) -> bool {
        matches!(self, Guest::Desk(guest) if Arc::ptr_eq(guest, seat))
    }
}

/// Who a bridged call talks to.
#[derive(Clone)]
enum Partner {
    Leg(Weak<MediaPort>),
    Desk(Arc<Seat>),
    /// A desk phone's line: its audio is the agent's voice at their seat.
    Speaker(Arc<SeatVoice>),
}

impl Partner {
    fn present(&self) -> Option<Present> {
        match self {
            Partner::Leg(leg) => leg.upgrade().map(Present::Leg),
            Partner::Desk(desk) => Some(Present::Desk(desk.clone())),
            Partner::Speaker(voice) => Some(Present::Speaker(voice.clone())),
        }
    }
}

/// A partner that is still there.
enum Present {
    Leg(Arc<MediaPort>),
    Desk(Arc<Seat>),
    Speaker(Arc<SeatVoice>),
}

enum Queued {
    Event { event: KeyEvent, payload_type: u8, start: u32, first: bool },
    Frame(Box<[i16; FRAME]>),
    Silence,
}

impl MediaPort {
    /// Takes `socket` for a call with the peer signalling from
    /// `signalling_ip`, announced at `announced_ip`, offering SRTP if
    /// `offers_srtp`; its relay runs until `stop`.
    pub fn open(
        socket: UdpSocket,
        signalling_ip: IpAddr,
        announced_ip: IpAddr,
        offers_srtp: bool,
        counters: Arc<MediaCounters>,
        stop: CancellationToken,
    ) -> std::io::Result<Arc<Self>> {
        let announced = SocketAddr::new(announced_ip, socket.local_addr()?.port());
        let (keys, _) = broadcast::channel(KEYS_BUFFER);
        let port = Arc::new(Self {
            socket,
            signalling_ip: signalling_ip.to_canonical(),
            announced,
            session_id: rand::random::<u32>().into(),
            sdp_version: AtomicU64::new(0),
            state: Mutex::new(MediaState::default()),
            keys,
            counters,
            own_key: MasterKey::random(),
            offers_srtp,
        });
        tokio::spawn(relay(Arc::downgrade(&port), stop));
        Ok(port)
    }

    /// This side's SDP offer for the call.
    pub fn offer(&self) -> String {
        audio_offer(self.announced, self.session_id, self.next_sdp_version(), self.offers_srtp.then_some(&self.own_key))
    }

    /// This side's SDP answer to `offer`.
    pub fn answer(&self, offer: &RemoteAudio) -> String {
        audio_answer(self.announced, self.session_id, self.next_sdp_version(), offer, &self.own_key)
    }

    fn next_sdp_version(&self) -> u64 {
        self.sdp_version.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn remote(&self) -> Option<RemoteAudio> {
        self.lock().remote.clone()
    }

    /// Takes the other side's description of its audio (an offer, an
    /// answer, or a new offer mid-call): where it goes, and over SRTP under
    /// which keys (kept as they are while the other side's key stays).
    pub fn set_remote(&self, audio: RemoteAudio) -> Result<(), MediaRefusal> {
        if self.offers_srtp && audio.crypto.is_none() {
            return Err(MediaRefusal::SrtpRefused);
        }
        let mut state = self.lock();
        if state.remote.as_ref().is_some_and(|old| old.rtp != audio.rtp) {
            state.latched = None;
        }
        if state.remote.as_ref().and_then(|old| old.crypto.as_ref()) != audio.crypto.as_ref() {
            state.outgoing.protect = audio.crypto.as_ref().map(|theirs| SrtpSender::new(theirs.suite, &self.own_key));
            state.unprotect = audio.crypto.as_ref().map(|theirs| SrtpReceiver::new(theirs.suite, &theirs.key));
        }
        state.remote = Some(audio);
        Ok(())
    }

    /// The call is answered: audio flows from now on.
    pub fn go_live(&self) {
        self.lock().live = true;
    }

    /// Keys the other side presses, as they end.
    pub fn keys(&self) -> broadcast::Receiver<char> {
        self.keys.subscribe()
    }

    /// Joins this call and `other`: each hears the other. Their previous
    /// partners are let go (they hear hold music).
    pub fn join(self: &Arc<Self>, other: &Arc<Self>) {
        for (port, partner) in [(self, other), (other, self)] {
            if let Some(Present::Leg(previous)) = port.replace_partner(Some(Partner::Leg(Arc::downgrade(partner))))
                && !Arc::ptr_eq(&previous, self)
                && !Arc::ptr_eq(&previous, other)
            {
                previous.replace_partner(None);
            }
        }
    }

    /// Joins this call to an agent's desk; a call it was joined to is let go.
    pub fn join_desk(self: &Arc<Self>, seat: Arc<Seat>) {
        seat.connect(self);
        if let Some(Present::Leg(previous)) = self.replace_partner(Some(Partner::Desk(seat))) {
            previous.replace_partner(None);
        }
    }

    /// Makes this call an agent's desk phone line: what the phone says is
    /// the agent's voice at their seat.
    pub fn speak_for(&self, voice: SeatVoice) {
        self.replace_partner(Some(Partner::Speaker(Arc::new(voice))));
    }

    /// Sends what the agent hears to their desk phone (this call's other
    /// side). It is sent from the task of the call heard, so it waits on
    /// nothing: a full socket buffer loses the packet.
    pub fn play_heard(&self, codec: G711, payload: &[u8]) {
        let datagram = {
            let mut state = self.lock();
            let Some(target) = state.sendable().filter(|_| !state.held) else { return };
            let payload = codec.recode(payload, target.codec);
            (state.outgoing.packet(target.payload_type, false, &payload), target.to)
        };
        self.send_now(&datagram.0, datagram.1);
    }

    /// Takes the call out of its bridge; both it and a partner call hear hold music.
    pub fn part(&self) {
        if let Some(Present::Leg(partner)) = self.replace_partner(None) {
            partner.replace_partner(None);
        }
    }

    fn replace_partner(&self, partner: Option<Partner>) -> Option<Present> {
        let mut state = self.lock();
        // A supervisor monitors, and a guest confers on, a call with the desk it was joined to, not wherever it goes next.
        state.mixing = None;
        std::mem::replace(&mut state.partner, partner).and_then(|old| old.present())
    }

    /// Puts the supervisor at `seat` on this call as `mode` says, or takes
    /// them off (`None`). `false` when the call is not joined to a desk.
    pub fn monitor(self: &Arc<Self>, supervisor: Option<(Arc<Seat>, MonitorMode)>) -> bool {
        let mut state = self.lock();
        if !matches!(state.partner, Some(Partner::Desk(_))) {
            return false;
        }
        let mixing = state.mixing.get_or_insert_with(Mixing::default);
        mixing.mix.set_supervisor(supervisor.as_ref().map(|(_, mode)| *mode));
        mixing.supervisor = supervisor.map(|(seat, _)| {
            seat.connect(self);
            seat
        });
        if mixing.mix.is_pair() {
            state.mixing = None;
        }
        true
    }

    /// Joins `guest` (another call, or a colleague's desk) to this call,
    /// which is joined to an agent's desk: the person, the agent and the
    /// guest each hear the other two, and a supervisor on the call stays on
    /// it. The conference ends when this call is joined elsewhere or
    /// parted. `false` when this call is not joined to a desk, or the guest
    /// is this call or its agent's desk.
    pub fn conference(self: &Arc<Self>, guest: Guest) -> bool {
        let agent = {
            let mut state = self.lock();
            let Some(Partner::Desk(agent)) = state.partner.clone() else { return false };
            if guest.is_call(self) || guest.is_desk(&agent) {
                return false;
            }
            let mixing = state.mixing.get_or_insert_with(Mixing::default);
            mixing.mix.set_guest(true);
            mixing.guest = Some(guest.clone());
            agent
        };
        // The agent's voice comes to this call again (a consultation took it elsewhere).
        agent.connect(self);
        // The guest's voice comes here to be mixed; it hears what the mix gives it.
        match guest {
            Guest::Call(call) => {
                if let Some(call) = call.upgrade() {
                    call.replace_partner(Some(Partner::Leg(Arc::downgrade(self))));
                }
            }
            Guest::Desk(seat) => seat.connect(self),
        }
        true
    }

    /// On hold the other side hears music and its audio goes nowhere.
    pub fn hold(&self, on: bool) {
        self.lock().held = on;
    }

    /// Queues `keys` for the other side: RFC 4733 events if it takes them,
    /// tones otherwise. `false` when the call has no audio yet.
    pub fn send_keys(&self, keys: &str) -> bool {
        let mut state = self.lock();
        let Some(telephone_event) = state.remote.as_ref().filter(|_| state.live).map(|remote| remote.telephone_event) else { return false };
        for key in keys.chars() {
            match telephone_event {
                Some(payload_type) => {
                    let start = state.outgoing.timestamp.wrapping_add(FRAME_TICKS * state.queued.len() as u32);
                    for frame in 1..=KEY_FRAMES {
                        let end = frame == KEY_FRAMES;
                        let event = KeyEvent { key, end, duration: (frame * FRAME) as u16 };
                        state.queued.push_back(Queued::Event { event, payload_type, start, first: frame == 1 });
                    }
                }
                None => {
                    let Some(pair) = key_frequencies(key) else { continue };
                    let mut tone = Tone::new(pair, KEY_AMPLITUDE);
                    state.queued.extend((0..KEY_FRAMES).map(|_| Queued::Frame(Box::new(tone.next_frame()))));
                }
            }
            state.queued.extend((0..KEY_GAP_FRAMES).map(|_| Queued::Silence));
        }
        true
    }

    /// Queues a recording (µ-law, 8 kHz) for the other side, ahead of
    /// anything it would otherwise hear. How long it plays.
    pub fn play(&self, ulaw: &[u8]) -> Duration {
        let mut state = self.lock();
        state.queued.extend(ulaw_frames(ulaw).into_iter().map(|frame| Queued::Frame(Box::new(frame))));
        Duration::from_millis(20 * state.queued.len() as u64)
    }

    /// Drops whatever was queued to play (a prompt the caller has answered).
    pub fn stop_playing(&self) {
        self.lock().queued.clear();
    }

    fn lock(&self) -> MutexGuard<'_, MediaState> {
        // Every change to the state is one assignment: a panic elsewhere cannot leave it half-changed.
        crate::locks::lock(&self.state)
    }

    /// Takes a datagram from the network: audio for the partner, or a key.
    async fn take(&self, datagram: &[u8], from: SocketAddr, arrived: Instant) {
        let (relay, key) = {
            let mut state = self.lock();
            let Some(remote) = state.remote.as_ref() else { return };
            let (sdp_ip, telephone_event, remote_payload_type, remote_codec) =
                (remote.rtp.ip().to_canonical(), remote.telephone_event, remote.payload_type, remote.codec);
            let source = from.ip().to_canonical();
            if source != sdp_ip && source != self.signalling_ip {
                return;
            }
            let unprotected;
            let datagram = match state.unprotect.as_mut() {
                Some(srtp) => match srtp.unprotect(datagram) {
                    Ok(plain) => {
                        unprotected = plain;
                        unprotected.as_slice()
                    }
                    // A forged or replayed packet moves nothing, not even where audio goes.
                    Err(_) => return,
                },
                None => datagram,
            };
            state.latched = Some(from);
            let Ok(packet) = RtpPacket::parse(datagram) else { return };
            self.counters.received();
            let (lost, newest) = sequence_step(state.last_sequence, packet.sequence);
            if lost > 0 {
                self.counters.lost(lost);
            }
            if newest {
                state.last_sequence = Some(packet.sequence);
            }
            if Some(packet.payload_type) == telephone_event {
                let key = KeyEvent::parse(packet.payload).filter(|event| event.end);
                let fresh = key.is_some() && state.last_key != Some(packet.timestamp);
                if fresh {
                    state.last_key = Some(packet.timestamp);
                }
                (None, key.filter(|_| fresh).map(|event| event.key))
            } else {
                let audio = if packet.payload_type == remote_payload_type {
                    Some(remote_codec)
                } else {
                    G711::of_payload_type(packet.payload_type)
                };
                let (held, live) = (state.held, state.live);
                match state.mixing.as_mut() {
                    Some(mixing) => {
                        if let Some(codec) = audio.filter(|_| !held && live) {
                            mixing.mix.push(Voice::Person, &codec.decode_all(packet.payload));
                        }
                        (None, None)
                    }
                    None => {
                        let partner = state.partner.as_ref().and_then(Partner::present).filter(|_| !held && live);
                        (partner.zip(audio).map(|(partner, codec)| (partner, codec, packet.payload.to_vec())), None)
                    }
                }
            }
        };
        if let Some(key) = key {
            // Nobody listening is fine: keys matter only to whoever asked.
            let _ = self.keys.send(key);
        }
        match relay {
            Some((Present::Leg(partner), codec, payload)) => {
                let sent = partner.play_relayed(self, codec, &payload).await;
                if sent {
                    self.counters.relayed_in(arrived.elapsed());
                }
            }
            Some((Present::Desk(seat), codec, payload)) => seat.hear(codec, &payload),
            Some((Present::Speaker(voice), codec, payload)) => voice.spoke_in(codec, &payload),
            None => {}
        }
    }

    /// Sends audio `from` the partner call to this call's other side, or
    /// mixes it in if `from` is this call's guest; whether it went. Audio
    /// from a call that is neither goes nowhere: a call that was let go may
    /// still name this one.
    async fn play_relayed(&self, from: &MediaPort, codec: G711, payload: &[u8]) -> bool {
        let (datagram, to) = {
            let mut state = self.lock();
            if let Some(mixing) = state.mixing.as_mut().filter(|mixing| mixing.guest.as_ref().is_some_and(|guest| guest.is_call(from))) {
                mixing.mix.push(Voice::Guest, &codec.decode_all(payload));
                return true;
            }
            let partnered = matches!(&state.partner, Some(Partner::Leg(partner)) if std::ptr::eq(partner.as_ptr(), from));
            let Some(target) = state.sendable().filter(|_| partnered) else { return false };
            if state.held || !state.queued.is_empty() {
                return false;
            }
            let payload = codec.recode(payload, target.codec);
            (state.outgoing.packet(target.payload_type, false, &payload), target.to)
        };
        self.send(&datagram, to).await
    }

    /// What this call sends on its own every 20 ms: queued keys, hold
    /// music when it has no partner or is held, a virtual agent's voice,
    /// or, with a supervisor or a guest on the call, what the mix gives
    /// each party.
    async fn tick(&self) {
        let mut heard_at_desks: Vec<(Arc<Seat>, [i16; FRAME])> = Vec::new();
        let mut heard_on_calls: Vec<(Arc<MediaPort>, [i16; FRAME])> = Vec::new();
        let datagram = {
            let mut state = self.lock();
            let Some(Target { to, codec, payload_type }) = state.sendable() else { return };
            let state = &mut *state;
            let mixed = state.mixing.as_mut().map(|mixing| {
                if let Some(Partner::Desk(agent)) = &state.partner
                    && let DeskSound::Recorded(frame) = agent.next_sound()
                {
                    mixing.mix.push(Voice::Agent, &*frame);
                }
                let mixed = mixing.mix.mix();
                if let Some(Partner::Desk(agent)) = &state.partner {
                    heard_at_desks.push((agent.clone(), mixed.to_agent));
                }
                if let (Some(supervisor), Some(frame)) = (&mixing.supervisor, mixed.to_supervisor) {
                    heard_at_desks.push((supervisor.clone(), frame));
                }
                match (&mixing.guest, mixed.to_guest) {
                    (Some(Guest::Call(call)), Some(frame)) => {
                        if let Some(call) = call.upgrade() {
                            heard_on_calls.push((call, frame));
                        }
                    }
                    (Some(Guest::Desk(seat)), Some(frame)) => heard_at_desks.push((seat.clone(), frame)),
                    _ => {}
                }
                mixed.to_person
            });
            match state.queued.pop_front() {
                Some(Queued::Event { event, payload_type, start, first }) => {
                    let Some(payload) = event.to_bytes() else { return };
                    // The end packet goes three times (RFC 4733 §2.5.1.4).
                    let copies = if event.end { 3 } else { 1 };
                    let packets: Vec<Vec<u8>> =
                        (0..copies).map(|_| state.outgoing.event_packet(payload_type, first, start, &payload)).collect();
                    state.outgoing.timestamp = state.outgoing.timestamp.wrapping_add(FRAME_TICKS);
                    Some((packets, to))
                }
                Some(Queued::Frame(frame)) => Some((vec![state.outgoing.audio(codec, payload_type, &frame)], to)),
                Some(Queued::Silence) => Some((vec![state.outgoing.audio(codec, payload_type, &[0; FRAME])], to)),
                None => {
                    let frame = match (state.partner.as_ref().and_then(Partner::present), mixed) {
                        _ if state.held => state.music.next_frame(),
                        (_, Some(mixed)) => mixed,
                        (None, None) => state.music.next_frame(),
                        (Some(Present::Desk(seat)), None) => match seat.next_sound() {
                            DeskSound::Recorded(frame) => *frame,
                            DeskSound::Away => state.music.next_frame(),
                            // The agent's voice is relayed as it comes.
                            DeskSound::Live => return,
                        },
                        // The partner call's packets are relayed as they come.
                        (Some(Present::Leg(_)), None) => return,
                        // A desk phone hears the agent's call as it comes, and silence between calls.
                        (Some(Present::Speaker(voice)), None) if voice.has_call() => return,
                        (Some(Present::Speaker(_)), None) => [0; FRAME],
                    };
                    Some((vec![state.outgoing.audio(codec, payload_type, &frame)], to))
                }
            }
        };
        for (seat, frame) in heard_at_desks {
            let payload: Vec<u8> = frame.iter().map(|sample| G711::Pcmu.encode(*sample)).collect();
            seat.hear(G711::Pcmu, &payload);
        }
        for (call, frame) in heard_on_calls {
            call.play_mixed(&frame).await;
        }
        if let Some((packets, to)) = datagram {
            for packet in packets {
                self.send(&packet, to).await;
            }
        }
    }

    /// The agent at `seat` spoke: their voice goes to this call's other
    /// side if the call is still joined to that desk and not on hold. It
    /// is sent from the softphone's task, so it waits on nothing: a full
    /// socket buffer loses the packet.
    pub fn desk_spoke(&self, seat: &Arc<Seat>, codec: G711, payload: &[u8]) {
        let datagram = {
            let mut state = self.lock();
            let joined = matches!(&state.partner, Some(Partner::Desk(joined)) if Arc::ptr_eq(joined, seat));
            if let Some(mixing) = state.mixing.as_mut() {
                let voice = if joined {
                    Voice::Agent
                } else if mixing.supervisor.as_ref().is_some_and(|supervisor| Arc::ptr_eq(supervisor, seat)) {
                    Voice::Supervisor
                } else if mixing.guest.as_ref().is_some_and(|guest| guest.is_desk(seat)) {
                    Voice::Guest
                } else {
                    return;
                };
                mixing.mix.push(voice, &codec.decode_all(payload));
                return;
            }
            let Some(target) = state.sendable().filter(|_| joined && !state.held && state.queued.is_empty()) else { return };
            let payload = codec.recode(payload, target.codec);
            (state.outgoing.packet(target.payload_type, false, &payload), target.to)
        };
        self.send_now(&datagram.0, datagram.1);
    }

    /// Sends a frame another call's mix made for this call's other side
    /// (a guest in that call's conference).
    async fn play_mixed(&self, frame: &[i16; FRAME]) {
        let (datagram, to) = {
            let mut state = self.lock();
            let Some(target) = state.sendable() else { return };
            if state.held || !state.queued.is_empty() {
                return;
            }
            (state.outgoing.audio(target.codec, target.payload_type, frame), target.to)
        };
        self.send(&datagram, to).await;
    }

    /// Sends without waiting (from another call's or a desk's task): a
    /// full socket buffer loses the packet.
    fn send_now(&self, datagram: &[u8], to: SocketAddr) {
        match self.socket.try_send_to(datagram, to) {
            Ok(_) => self.counters.sent(),
            Err(error) => tracing::debug!(%error, "an RTP packet could not be sent"),
        }
    }

    async fn send(&self, datagram: &[u8], to: SocketAddr) -> bool {
        match self.socket.send_to(datagram, to).await {
            Ok(_) => {
                self.counters.sent();
                true
            }
            Err(error) => {
                tracing::debug!(%error, "an RTP packet could not be sent");
                false
            }
        }
    }
}

/// Where a call's audio goes, in which law and under which payload type.
struct Target {
    to: SocketAddr,
    codec: G711,
    payload_type: u8,
}

impl MediaState {
    /// Where to send, once the call is answered and the other side takes audio.
    fn sendable(&self) -> Option<Target> {
        let remote = self.remote.as_ref().filter(|r| self.live && r.rtp.port() != 0)?;
        if matches!(remote.direction, Direction::SendOnly | Direction::Inactive) {
            return None;
        }
        Some(Target { to: self.latched.unwrap_or(remote.rtp), codec: remote.codec, payload_type: remote.payload_type })
    }
}

impl Outgoing {
    fn packet(&mut self, payload_type: u8, marker: bool, payload: &[u8]) -> Vec<u8> {
        let packet = RtpPacket { marker, payload_type, sequence: self.sequence, timestamp: self.timestamp, ssrc: self.ssrc, payload };
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(payload.len() as u32);
        self.sealed(packet.to_bytes())
    }

    /// What goes on the wire: the packet itself, or protected over SRTP.
    fn sealed(&mut self, packet: Vec<u8>) -> Vec<u8> {
        match self.protect.as_mut() {
            Some(srtp) => srtp.protect(packet),
            None => packet,
        }
    }

    fn audio(&mut self, codec: G711, payload_type: u8, frame: &[i16; FRAME]) -> Vec<u8> {
        let payload: Vec<u8> = frame.iter().map(|s| codec.encode(*s)).collect();
        self.packet(payload_type, false, &payload)
    }

    /// An event packet keeps the event's start as its timestamp.
    fn event_packet(&mut self, payload_type: u8, first: bool, start: u32, payload: &[u8]) -> Vec<u8> {
        let packet = RtpPacket { marker: first, payload_type, sequence: self.sequence, timestamp: start, ssrc: self.ssrc, payload };
        self.sequence = self.sequence.wrapping_add(1);
        self.sealed(packet.to_bytes())
    }
}

/// The port's loop: packets in, and a 20 ms clock for what it plays. It
/// ends with the call (`stop`) or when the port is dropped.
async fn relay(port: Weak<MediaPort>, stop: CancellationToken) {
    let mut clock = tokio::time::interval(Duration::from_millis(20));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut buffer = vec![0u8; 2048];
    loop {
        let Some(strong) = port.upgrade() else { return };
        tokio::select! {
            () = stop.cancelled() => {
                strong.part();
                return;
            }
            received = strong.socket.recv_from(&mut buffer) => {
                if let Some((datagram, from)) = received.ok().and_then(|(length, from)| Some((buffer.get(..length)?, from))) {
                    strong.take(datagram, from, Instant::now()).await;
                }
            }
            _ = clock.tick() => strong.tick().await,
        }
    }
}
