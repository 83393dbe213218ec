//! One shard of the softphone service: a task driving its share of the
//! sessions. Sessions are sans-IO (str0m): the shard feeds them the
//! datagrams the port's reader routed here and the time, and sends what
//! they have to send through the shared port. Shards run side by side, so
//! the encryption of every desk's audio is spread over the cores.

use crate::demux::Demux;
use crate::desk_peer::DeskPeer;
use crate::law::Law;
use crate::session::AgentVoice;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use str0m::media::{Frequency, MediaTime};
use str0m::{Event, IceConnectionState, Input, Output};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// How long a shard sleeps with nothing to do.
const IDLE: Duration = Duration::from_secs(1);

/// A datagram the port's reader routed to one of this shard's sessions.
pub(crate) struct Arrival {
    pub id: u64,
    pub source: SocketAddr,
    pub datagram: Box<[u8]>,
}

pub(crate) struct Play {
    pub id: u64,
    pub law: Law,
    pub payload: Box<[u8]>,
}

pub(crate) enum Control {
    /// Takes a negotiated session; `adopted` answers once it is driven.
    Open {
        id: u64,
        desk: Box<DeskPeer>,
        voice: Arc<dyn AgentVoice>,
        ended: CancellationToken,
        adopted: oneshot::Sender<()>,
    },
    Close {
        id: u64,
    },
}

/// What a shard's sessions count towards.
pub(crate) struct Counts {
    /// Sessions open on the whole service.
    pub service: Arc<AtomicUsize>,
    /// Sessions open on this shard.
    pub shard: Arc<AtomicUsize>,
}

/// One browser's session as the shard keeps it.
struct Peer {
    desk: Box<DeskPeer>,
    voice: Arc<dyn AgentVoice>,
    /// This side's RTP clock towards the browser, 8 kHz.
    sent: u64,
    wake_at: Instant,
    ended: CancellationToken,
}

pub(crate) struct Shard {
    pub socket: Arc<UdpSocket>,
    pub demux: Arc<Demux>,
    pub counts: Counts,
    peers: HashMap<u64, Peer>,
}

/// What a shard is given to do.
pub(crate) struct Inbox {
    pub arrivals: mpsc::Receiver<Arrival>,
    pub audio: mpsc::Receiver<Play>,
    pub control: mpsc::UnboundedReceiver<Control>,
}

impl Shard {
    pub fn new(socket: Arc<UdpSocket>, demux: Arc<Demux>, counts: Counts) -> Self {
        Self { socket, demux, counts, peers: HashMap::new() }
    }

    pub async fn run(mut self, mut inbox: Inbox, stop: CancellationToken) {
        loop {
            let wake_at = self.peers.values().map(|peer| peer.wake_at).min().unwrap_or_else(|| Instant::now() + IDLE);
            tokio::select! {
                () = stop.cancelled() => break,
                Some(arrival) = inbox.arrivals.recv() => self.receive(&arrival),
                Some(play) = inbox.audio.recv() => self.play(play),
                command = inbox.control.recv() => match command {
                    Some(Control::Open { id, desk, voice, ended, adopted }) => {
                        self.peers.insert(id, Peer { desk, voice, sent: rand_start(), wake_at: Instant::now(), ended });
                        // The opener may have given up waiting; the session then ends with the next sweep of its ICE.
                        let _ = adopted.send(());
                    }
                    Some(Control::Close { id }) => self.close(id),
                    None => break,
                },
                () = tokio::time::sleep_until(wake_at.into()) => self.timeouts(),
            }
        }
        for (id, peer) in self.peers.drain() {
            self.demux.remove(id);
            peer.ended.cancel();
        }
    }

    fn close(&mut self, id: u64) {
        if let Some(mut peer) = self.peers.remove(&id) {
            self.demux.remove(id);
            peer.desk.rtc.disconnect();
            peer.ended.cancel();
            self.counts.shard.fetch_sub(1, Ordering::Relaxed);
            self.counts.service.fetch_sub(1, Ordering::Relaxed);
        }
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

    fn receive(&mut self, arrival: &Arrival) {
        let now = Instant::now();
        let Some(peer) = self.peers.get_mut(&arrival.id) else { return };
        // The reader routed by name and address only; the session checks the rest (integrity, DTLS, SRTP).
        if !peer.desk.accepts(&arrival.datagram, arrival.source, now) || !peer.desk.take(&arrival.datagram, arrival.source, now) {
            tracing::debug!("a desk's datagram was refused");
            return;
        }
        self.drive(arrival.id);
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
