//! The softphone service: one UDP port for every desk and one task that
//! drives every session on it. Sessions are sans-IO (str0m): this task
//! feeds them datagrams and the time, and sends what they have to send.

use crate::desk_peer::DeskPeer;
use crate::error::SoftphoneError;
use crate::law::Law;
use crate::session::{AgentVoice, DeskSession};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use str0m::media::{Frequency, MediaTime};
use str0m::{Event, IceConnectionState, Input, Output};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use trustline_domain::source_windows::SourceWindows;

/// Audio packets waiting for the driver before new ones are dropped.
const AUDIO_BACKLOG: usize = 4096;
/// How long the driver sleeps with nothing to do.
const IDLE: Duration = Duration::from_secs(1);
/// Datagrams an address no session knows yet may send per window before
/// the rest are dropped unread. Each is tried against every session, so a
/// flood is bounded; the share is wide because a whole office's browsers
/// may come from one address.
const STRANGER_LIMIT: u32 = 2_000;
const STRANGER_WINDOW: Duration = Duration::from_secs(10);
const MAX_STRANGERS: usize = 65_536;

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
    refused: Arc<AtomicU64>,
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
    Open { offer: String, voice: Arc<dyn AgentVoice>, replacing: Option<u64>, reply: oneshot::Sender<Result<Opened, SoftphoneError>> },
    Close { id: u64 },
}

pub(crate) struct Opened {
    id: u64,
    answer: String,
    laws: Vec<Law>,
    ended: CancellationToken,
}

/// Room in the port's receive buffer: every desk's audio arrives on this
/// one socket (15,000 packets a second at 300 desks), and the kernel's
/// default of about 200 KiB overflowed in a busy moment of the driver. The
/// kernel caps it at `net.core.rmem_max`.
const RECEIVE_BUFFER: usize = 4 << 20;

fn bind(at: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(at), socket2::Type::DGRAM, Some(socket2::Protocol::UDP))?;
    // A smaller buffer still works: audio is lost only under load.
    let _sized = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&at.into())?;
    UdpSocket::from_std(socket.into())
}

impl Softphones {
    pub async fn start(settings: SoftphoneSettings) -> Result<Self, SoftphoneError> {
        let socket = bind(settings.listen).map_err(SoftphoneError::Bind)?;
        let local = socket.local_addr().map_err(SoftphoneError::Bind)?;
        let at = SocketAddr::new(settings.announced.unwrap_or(local.ip()), local.port());
        let (audio, audio_in) = mpsc::channel(AUDIO_BACKLOG);
        let (control, control_in) = mpsc::unbounded_channel();
        let stop = CancellationToken::new();
        let refused = Arc::new(AtomicU64::new(0));
        let driver = Driver {
            socket,
            at,
            max_desks: settings.max_desks,
            peers: HashMap::new(),
            routes: HashMap::new(),
            strangers: SourceWindows::new(STRANGER_LIMIT, STRANGER_WINDOW, MAX_STRANGERS),
            refused: refused.clone(),
            next_id: 0,
        };
        tokio::spawn(driver.run(audio_in, control_in, stop.clone()));
        Ok(Self { local, refused, audio, control, stop })
    }

    /// Datagrams dropped unread so far: from addresses no session knows,
    /// past their share.
    pub fn strangers_refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The address the port listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Opens a session from a browser's SDP offer; the answer goes back
    /// to the browser. `voice` hears the agent from then on. A session the
    /// new one is `replacing` (the same desk's) leaves a place for it.
    pub async fn open(
        &self,
        offer: &str,
        voice: Arc<dyn AgentVoice>,
        replacing: Option<&DeskSession>,
    ) -> Result<(DeskSession, String), SoftphoneError> {
        let (reply, answer) = oneshot::channel();
        self.control
            .send(Control::Open { offer: offer.to_owned(), voice, replacing: replacing.map(|session| session.id), reply })
            .map_err(|_| SoftphoneError::Stopped)?;
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
    desk: DeskPeer,
    voice: Arc<dyn AgentVoice>,
    /// This side's RTP clock towards the browser, 8 kHz.
    sent: u64,
    wake_at: Instant,
    ended: CancellationToken,
}

struct Driver {
    socket: UdpSocket,
    /// Where browsers reach the port.
    at: SocketAddr,
    max_desks: usize,
    peers: HashMap<u64, Peer>,
    /// Which session a source address belongs to, once one took it.
    routes: HashMap<SocketAddr, u64>,
    strangers: SourceWindows,
    refused: Arc<AtomicU64>,
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
                    Some(Control::Open { offer, voice, replacing, reply }) => {
                        // The caller may have given up waiting; the session then ends with the next sweep of its ICE.
                        let _ = reply.send(self.open(&offer, voice, replacing));
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

    fn open(&mut self, offer: &str, voice: Arc<dyn AgentVoice>, replacing: Option<u64>) -> Result<Opened, SoftphoneError> {
        let now = Instant::now();
        // A bad offer is told so, whether or not there is room.
        let desk = DeskPeer::answer_offer(offer, self.at, now)?;
        let freed = replacing.is_some_and(|id| self.peers.contains_key(&id));
        if self.peers.len() - usize::from(freed) >= self.max_desks {
            return Err(SoftphoneError::Full(self.max_desks));
        }
        self.next_id += 1;
        let id = self.next_id;
        let ended = CancellationToken::new();
        let (answer, laws) = (desk.answer().to_owned(), desk.laws.clone());
        self.peers.insert(id, Peer { desk, voice, sent: rand_start(), wake_at: now, ended: ended.clone() });
        Ok(Opened { id, answer, laws, ended })
    }

    fn close(&mut self, id: u64) {
        if let Some(mut peer) = self.peers.remove(&id) {
            peer.desk.rtc.disconnect();
            peer.ended.cancel();
        }
        self.routes.retain(|_, owner| *owner != id);
    }

    fn play(&mut self, play: Play) {
        let Some(peer) = self.peers.get_mut(&play.id) else { return };
        let Some(writer) = peer.desk.rtc.writer(peer.desk.audio) else { return };
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
        let now = Instant::now();
        if !self.routes.contains_key(&source) && !self.strangers.admits(source.ip(), now) {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let routed =
            self.routes.get(&source).copied().filter(|id| self.peers.get(id).is_some_and(|peer| peer.desk.accepts(datagram, source, now)));
        let owner = routed.or_else(|| self.peers.iter().find(|(_, peer)| peer.desk.accepts(datagram, source, now)).map(|(id, _)| *id));
        let Some(id) = owner else { return };
        self.routes.insert(source, id);
        let Some(peer) = self.peers.get_mut(&id) else { return };
        if !peer.desk.take(datagram, source, now) {
            tracing::debug!("a desk's datagram was refused");
        }
        self.drive(id);
    }

    fn timeouts(&mut self) {
        let now = Instant::now();
        let due: Vec<u64> = self.peers.iter().filter(|(_, peer)| peer.wake_at <= now).map(|(id, _)| *id).collect();
        for id in due {
            if let Some(peer) = self.peers.get_mut(&id)
                && let Err(error) = peer.desk.rtc.handle_input(Input::Timeout(now))
            {
                tracing::debug!(%error, "a desk's session failed");
            }
            self.drive(id);
        }
    }

    /// Takes everything a session has to say: datagrams to send, the
    /// agent's voice, and whether it is over.
    fn drive(&mut self, id: u64) {
        let mut over = false;
        // The socket and the sessions are apart: datagrams go out as the session gives them, uncopied.
        let socket = &self.socket;
        let Some(peer) = self.peers.get_mut(&id) else { return };
        loop {
            match peer.desk.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    peer.wake_at = at;
                    break;
                }
                Ok(Output::Transmit(transmit)) => send(socket, &transmit.contents, transmit.destination),
                Ok(Output::Event(Event::MediaData(data))) if data.mid == peer.desk.audio => {
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
        over |= !peer.desk.rtc.is_alive();
        if over {
            self.close(id);
        }
    }
}

fn send(socket: &UdpSocket, datagram: &[u8], to: SocketAddr) {
    // A full socket buffer loses this datagram; SRTP and ICE recover.
    if let Err(error) = socket.try_send_to(datagram, to) {
        tracing::debug!(%error, "a desk's datagram could not be sent");
    }
}

/// RTP clocks start anywhere (RFC 3550 §5.1).
fn rand_start() -> u64 {
    u64::from(rand::random::<u32>())
}
