//! The softphone service: one UDP port for every desk and one task that
//! drives every session on it. Sessions are sans-IO (str0m): this task
//! feeds them datagrams and the time, and sends what they have to send.

use crate::error::SoftphoneError;
use crate::law::Law;
use crate::session::{AgentVoice, DeskSession};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use str0m::change::SdpOffer;
use str0m::config::CryptoProvider;
use str0m::media::{Frequency, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// The largest offer taken; a browser's audio offer is about 4 KiB.
const MAX_OFFER_BYTES: usize = 64 * 1024;
/// Audio packets waiting for the driver before new ones are dropped.
const AUDIO_BACKLOG: usize = 4096;
/// How long the driver sleeps with nothing to do.
const IDLE: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct SoftphoneSettings {
    /// Where the softphone port listens (every desk's media arrives there).
    pub listen: SocketAddr,
    /// The address browsers reach the port at, when it is not the one
    /// listened on (behind 1:1 NAT, or listening on every interface).
    pub announced: Option<IpAddr>,
    /// Sessions open at once, at most.
    pub max_desks: usize,
}

/// The running service. Dropping it ends every session.
pub struct Softphones {
    local: SocketAddr,
    audio: mpsc::Sender<Play>,
    control: mpsc::UnboundedSender<Control>,
    stop: CancellationToken,
}

pub(crate) struct Play {
    pub id: u64,
    pub law: Law,
    pub payload: Box<[u8]>,
}

pub(crate) enum Control {
    Open { offer: Box<SdpOffer>, voice: Arc<dyn AgentVoice>, reply: oneshot::Sender<Result<Opened, SoftphoneError>> },
    Close { id: u64 },
}

pub(crate) struct Opened {
    id: u64,
    answer: String,
    laws: Vec<Law>,
    ended: CancellationToken,
}

impl Softphones {
    pub async fn start(settings: SoftphoneSettings) -> Result<Self, SoftphoneError> {
        let socket = UdpSocket::bind(settings.listen).await.map_err(SoftphoneError::Bind)?;
        let local = socket.local_addr().map_err(SoftphoneError::Bind)?;
        let announced_ip = settings.announced.unwrap_or(local.ip());
        let candidate = Candidate::host(SocketAddr::new(announced_ip, local.port()), "udp")
            .map_err(|e| SoftphoneError::Bind(std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, e.to_string())))?;
        let (audio, audio_in) = mpsc::channel(AUDIO_BACKLOG);
        let (control, control_in) = mpsc::unbounded_channel();
        let stop = CancellationToken::new();
        let driver = Driver {
            socket,
            candidate,
            crypto: Arc::new(str0m::crypto::from_feature_flags()),
            max_desks: settings.max_desks,
            peers: HashMap::new(),
            routes: HashMap::new(),
            next_id: 0,
        };
        tokio::spawn(driver.run(audio_in, control_in, stop.clone()));
        Ok(Self { local, audio, control, stop })
    }

    /// The address the port listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Opens a session from a browser's SDP offer; the answer goes back
    /// to the browser. `voice` hears the agent from then on.
    pub async fn open(&self, offer: &str, voice: Arc<dyn AgentVoice>) -> Result<(DeskSession, String), SoftphoneError> {
        if offer.len() > MAX_OFFER_BYTES {
            return Err(SoftphoneError::BadOffer(format!("longer than {MAX_OFFER_BYTES} bytes")));
        }
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))?;
        let (reply, answer) = oneshot::channel();
        self.control.send(Control::Open { offer: Box::new(offer), voice, reply }).map_err(|_| SoftphoneError::Stopped)?;
        let opened = answer.await.map_err(|_| SoftphoneError::Stopped)??;
        let session =
            DeskSession { id: opened.id, laws: opened.laws, audio: self.audio.clone(), control: self.control.clone(), ended: opened.ended };
        Ok((session, opened.answer))
    }
}

impl Drop for Softphones {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// One browser's session as the driver keeps it.
struct Peer {
    rtc: Rtc,
    audio: Mid,
    voice: Arc<dyn AgentVoice>,
    /// This side's RTP clock towards the browser, 8 kHz.
    sent: u64,
    wake_at: Instant,
    ended: CancellationToken,
}

struct Driver {
    socket: UdpSocket,
    candidate: Candidate,
    crypto: Arc<CryptoProvider>,
    max_desks: usize,
    peers: HashMap<u64, Peer>,
    /// Which session a source address belongs to, once one took it.
    routes: HashMap<SocketAddr, u64>,
    next_id: u64,
}

impl Driver {
    async fn run(mut self, mut audio: mpsc::Receiver<Play>, mut control: mpsc::UnboundedReceiver<Control>, stop: CancellationToken) {
        let mut buffer = vec![0u8; 2048];
        loop {
            let wake_at = self.peers.values().map(|peer| peer.wake_at).min().unwrap_or_else(|| Instant::now() + IDLE);
            tokio::select! {
                () = stop.cancelled() => break,
                Some(play) = audio.recv() => self.play(play),
                command = control.recv() => match command {
                    Some(Control::Open { offer, voice, reply }) => {
                        // The caller may have given up waiting; the session then ends with the next sweep of its ICE.
                        let _ = reply.send(self.open(*offer, voice));
                    }
                    Some(Control::Close { id }) => self.close(id),
                    None => break,
                },
                received = self.socket.recv_from(&mut buffer) => {
                    if let Ok((length, source)) = received
                        && let Some(datagram) = buffer.get(..length)
                    {
                        self.receive(datagram, source);
                    }
                }
                () = tokio::time::sleep_until(wake_at.into()) => self.timeouts(),
            }
        }
        for (_, peer) in self.peers.drain() {
            peer.ended.cancel();
        }
    }

    fn open(&mut self, offer: SdpOffer, voice: Arc<dyn AgentVoice>) -> Result<Opened, SoftphoneError> {
        if self.peers.len() >= self.max_desks {
            return Err(SoftphoneError::Full(self.max_desks));
        }
        let now = Instant::now();
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(self.crypto.clone())
            .set_ice_lite(true)
            .clear_codecs()
            .enable_pcmu(true, false)
            .enable_pcma(true, false)
            .build(now);
        rtc.add_local_candidate(self.candidate.clone());
        let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))?;
        let answer = answer.to_sdp_string();
        // Media events come only once DTLS is up; the answer already says which line is audio.
        let audio = answered_audio(&answer).ok_or(SoftphoneError::NoAudio)?;
        let laws: Vec<Law> = rtc
            .writer(audio)
            .map(|writer| writer.payload_params().filter_map(|params| Law::of_codec(params.spec().codec)).collect())
            .unwrap_or_default();
        if laws.is_empty() {
            return Err(SoftphoneError::NoAudio);
        }
        self.next_id += 1;
        let id = self.next_id;
        let ended = CancellationToken::new();
        self.peers.insert(id, Peer { rtc, audio, voice, sent: rand_start(), wake_at: now, ended: ended.clone() });
        Ok(Opened { id, answer, laws, ended })
    }

    fn close(&mut self, id: u64) {
        if let Some(mut peer) = self.peers.remove(&id) {
            peer.rtc.disconnect();
            peer.ended.cancel();
        }
        self.routes.retain(|_, owner| *owner != id);
    }

    fn play(&mut self, play: Play) {
        let Some(peer) = self.peers.get_mut(&play.id) else { return };
        let Some(writer) = peer.rtc.writer(peer.audio) else { return };
        let Some(pt) =
            writer.payload_params().find(|params| Law::of_codec(params.spec().codec) == Some(play.law)).map(|params| params.pt())
        else {
            return;
        };
        let ticks = play.payload.len() as u64;
        let at = MediaTime::new(peer.sent, Frequency::EIGHT_KHZ);
        if let Err(error) = writer.write(pt, Instant::now(), at, play.payload) {
            tracing::debug!(%error, "audio could not be written to a desk");
        }
        peer.sent = peer.sent.wrapping_add(ticks);
        self.drive(play.id);
    }

    fn receive(&mut self, datagram: &[u8], source: SocketAddr) {
        let Ok(contents) = datagram.try_into() else { return };
        let destination = self.candidate.addr();
        let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination, contents });
        let owner = self.routes.get(&source).copied().filter(|id| self.peers.get(id).is_some_and(|peer| peer.rtc.accepts(&input)));
        let owner = owner.or_else(|| self.peers.iter().find(|(_, peer)| peer.rtc.accepts(&input)).map(|(id, _)| *id));
        let Some(id) = owner else { return };
        self.routes.insert(source, id);
        let Some(peer) = self.peers.get_mut(&id) else { return };
        if let Err(error) = peer.rtc.handle_input(input) {
            tracing::debug!(%error, "a desk's datagram was refused");
        }
        self.drive(id);
    }

    fn timeouts(&mut self) {
        let now = Instant::now();
        let due: Vec<u64> = self.peers.iter().filter(|(_, peer)| peer.wake_at <= now).map(|(id, _)| *id).collect();
        for id in due {
            if let Some(peer) = self.peers.get_mut(&id)
                && let Err(error) = peer.rtc.handle_input(Input::Timeout(now))
            {
                tracing::debug!(%error, "a desk's session failed");
            }
            self.drive(id);
        }
    }

    /// Takes everything a session has to say: datagrams to send, the
    /// agent's voice, and whether it is over.
    fn drive(&mut self, id: u64) {
        let mut outgoing = Vec::new();
        let mut over = false;
        let Some(peer) = self.peers.get_mut(&id) else { return };
        loop {
            match peer.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    peer.wake_at = at;
                    break;
                }
                Ok(Output::Transmit(transmit)) => outgoing.push((transmit.contents.to_vec(), transmit.destination)),
                Ok(Output::Event(Event::MediaData(data))) if data.mid == peer.audio => {
                    if let Some(law) = Law::of_codec(data.params.spec().codec) {
                        peer.voice.spoke(law, &data.data);
                    }
                }
                Ok(Output::Event(Event::IceConnectionStateChange(IceConnectionState::Disconnected))) => {
                    over = true;
                    break;
                }
                Ok(Output::Event(_)) => {}
                Err(error) => {
                    tracing::debug!(%error, "a desk's session failed");
                    over = true;
                    break;
                }
            }
        }
        over |= !peer.rtc.is_alive();
        for (datagram, to) in outgoing {
            self.send(&datagram, to);
        }
        if over {
            self.close(id);
        }
    }

    fn send(&self, datagram: &[u8], to: SocketAddr) {
        // A full socket buffer loses this datagram; SRTP and ICE recover.
        if let Err(error) = self.socket.try_send_to(datagram, to) {
            tracing::debug!(%error, "a desk's datagram could not be sent");
        }
    }
}

/// RTP clocks start anywhere (RFC 3550 §5.1).
fn rand_start() -> u64 {
    u64::from(rand::random::<u32>())
}

/// The media id of the audio line an SDP answer takes (a rejected line has port 0).
fn answered_audio(answer: &str) -> Option<Mid> {
    let mut in_audio = false;
    for line in answer.lines() {
        if let Some(media) = line.strip_prefix("m=") {
            let mut fields = media.split(' ');
            in_audio = fields.next() == Some("audio") && fields.next().is_some_and(|port| port != "0");
        } else if in_audio && let Some(mid) = line.strip_prefix("a=mid:") {
            return Some(Mid::from(mid.trim()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::answered_audio;

    #[test]
    fn the_answered_audio_line_is_the_first_taken_one() {
        let answer = "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\na=mid:1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:2\r\n";
        assert_eq!(answered_audio(answer).map(|mid| mid.to_string()), Some("2".to_owned()));
        assert_eq!(answered_audio("v=0\r\nm=audio 0 RTP/AVP 0\r\na=mid:0\r\n"), None);
        assert_eq!(answered_audio("a=mid:0\r\n"), None);
    }
}
