//! The softphone service: one UDP port for every desk. One task reads the
//! port and routes each datagram by the session it names or the address
//! it comes from; shards, one per core, drive the sessions. Reading does
//! nothing else, so the port's receive buffer drains however busy the
//! shards are.

use crate::demux::{Demux, Place};
use crate::desk_peer::DeskPeer;
use crate::error::SoftphoneError;
use crate::session::{AgentVoice, DeskSession};
use crate::shard::{Arrival, Control, Counts, Inbox, Play, Shard};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Audio packets waiting for a shard before new ones are dropped.
const AUDIO_BACKLOG: usize = 4096;
/// Datagrams waiting for a shard before new ones are dropped.
const ARRIVAL_BACKLOG: usize = 4096;
/// Shards at most, whatever the core count.
const MAX_SHARDS: usize = 8;

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
    /// Where browsers reach the port.
    at: SocketAddr,
    max_desks: usize,
    open_sessions: Arc<AtomicUsize>,
    shards: Vec<ShardLine>,
    demux: Arc<Demux>,
    next_id: AtomicU64,
    refused: Arc<AtomicU64>,
    stop: CancellationToken,
}

/// How the service reaches one shard.
struct ShardLine {
    audio: mpsc::Sender<Play>,
    control: mpsc::UnboundedSender<Control>,
    load: Arc<AtomicUsize>,
}

/// Room in the port's receive buffer: every desk's audio arrives on this
/// one socket (15,000 packets a second at 300 desks). The kernel caps it
/// at `net.core.rmem_max`.
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
        let socket = Arc::new(bind(settings.listen).map_err(SoftphoneError::Bind)?);
        let local = socket.local_addr().map_err(SoftphoneError::Bind)?;
        let at = SocketAddr::new(settings.announced.unwrap_or(local.ip()), local.port());
        let stop = CancellationToken::new();
        let demux = Arc::new(Demux::default());
        let open_sessions = Arc::new(AtomicUsize::new(0));
        let count = std::thread::available_parallelism().map_or(1, NonZeroUsize::get).min(MAX_SHARDS);
        let mut shards = Vec::with_capacity(count);
        let mut arrivals = Vec::with_capacity(count);
        for _ in 0..count {
            let (audio, audio_in) = mpsc::channel(AUDIO_BACKLOG);
            let (control, control_in) = mpsc::unbounded_channel();
            let (arrival, arrivals_in) = mpsc::channel(ARRIVAL_BACKLOG);
            let load = Arc::new(AtomicUsize::new(0));
            let counts = Counts { service: open_sessions.clone(), shard: load.clone() };
            let shard = Shard::new(socket.clone(), demux.clone(), counts);
            tokio::spawn(shard.run(Inbox { arrivals: arrivals_in, audio: audio_in, control: control_in }, stop.clone()));
            shards.push(ShardLine { audio, control, load });
            arrivals.push(arrival);
        }
        let refused = Arc::new(AtomicU64::new(0));
        tokio::spawn(read(socket, demux.clone(), arrivals, refused.clone(), stop.clone()));
        Ok(Self { local, at, max_desks: settings.max_desks, open_sessions, shards, demux, next_id: AtomicU64::new(0), refused, stop })
    }

    /// Datagrams dropped unread so far: from addresses no session knows,
    /// naming no session.
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
        // A bad offer is told so, whether or not there is room.
        let desk = DeskPeer::answer_offer(offer, self.at, Instant::now())?;
        let freed = usize::from(replacing.is_some_and(|session| !session.is_ended()));
        self.open_sessions
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| (open < self.max_desks + freed).then_some(open + 1))
            .map_err(|_| SoftphoneError::Full(self.max_desks))?;
        let (shard, line) =
            self.shards.iter().enumerate().min_by_key(|(_, line)| line.load.load(Ordering::Relaxed)).ok_or(SoftphoneError::Stopped)?;
        line.load.fetch_add(1, Ordering::Relaxed);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (answer, laws) = (desk.answer().to_owned(), desk.laws.clone());
        self.demux.add(desk.ufrag().to_owned(), Place { shard, id });
        let ended = CancellationToken::new();
        let (adopted, is_adopted) = oneshot::channel();
        line.control
            .send(Control::Open { id, desk: Box::new(desk), voice, ended: ended.clone(), adopted })
            .map_err(|_| SoftphoneError::Stopped)?;
        is_adopted.await.map_err(|_| SoftphoneError::Stopped)?;
        let session = DeskSession { id, laws, audio: line.audio.clone(), control: line.control.clone(), ended };
        Ok((session, answer))
    }
}

impl Drop for Softphones {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Reads the port and hands each datagram to its session's shard, or
/// drops it unread.
async fn read(
    socket: Arc<UdpSocket>,
    demux: Arc<Demux>,
    shards: Vec<mpsc::Sender<Arrival>>,
    refused: Arc<AtomicU64>,
    stop: CancellationToken,
) {
    let mut buffer = vec![0u8; 2048];
    loop {
        let received = tokio::select! {
            () = stop.cancelled() => break,
            received = socket.recv_from(&mut buffer) => received,
        };
        let Ok((length, source)) = received else { continue };
        let Some(datagram) = buffer.get(..length) else { continue };
        let Some(place) = demux.place_of(datagram, source) else {
            refused.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        if let Some(shard) = shards.get(place.shard) {
            // A shard that is this far behind loses the datagram; SRTP and ICE recover.
            let _ = shard.try_send(Arrival { id: place.id, source, datagram: datagram.into() });
        }
    }
}
