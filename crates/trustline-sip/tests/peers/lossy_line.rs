//! A UDP line between the edge and a peer that loses a share of the
//! datagrams each way, chosen by a seeded sequence so a run is repeatable.
//! The edge talks to the line's address; the peer answers whoever sent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::UdpSocket;

pub struct LossyLine {
    /// Where the edge sends: the line's end facing it.
    pub address: SocketAddr,
    dropped: Arc<AtomicU64>,
    carried: Arc<AtomicU64>,
}

impl LossyLine {
    /// A line to `peer` that loses `percent` % of datagrams in each direction.
    pub async fn to(peer: SocketAddr, percent: u64) -> Self {
        let near = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let far = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let address = near.local_addr().unwrap();
        let dropped = Arc::new(AtomicU64::new(0));
        let carried = Arc::new(AtomicU64::new(0));
        let edge = Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
        let counts = (dropped.clone(), carried.clone());
        let (near_in, far_out, edge_seen) = (near.clone(), far.clone(), edge.clone());
        let mut toward_peer = Losses::new(0x5eed_0001, percent, counts.clone());
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 65_536];
            while let Ok((n, from)) = near_in.recv_from(&mut buffer).await {
                *edge_seen.lock().unwrap() = Some(from);
                if toward_peer.carries() {
                    let _ = far_out.send_to(&buffer[..n], peer).await;
                }
            }
        });
        let mut toward_edge = Losses::new(0x5eed_0002, percent, counts);
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 65_536];
            while let Ok((n, _)) = far.recv_from(&mut buffer).await {
                let target = *edge.lock().unwrap();
                if let Some(target) = target.filter(|_| toward_edge.carries()) {
                    let _ = near.send_to(&buffer[..n], target).await;
                }
            }
        });
        Self { address, dropped, carried }
    }

    /// Datagrams lost and carried so far.
    pub fn tally(&self) -> (u64, u64) {
        (self.dropped.load(Ordering::Relaxed), self.carried.load(Ordering::Relaxed))
    }
}

struct Losses {
    state: u64,
    percent: u64,
    dropped: Arc<AtomicU64>,
    carried: Arc<AtomicU64>,
}

impl Losses {
    fn new(seed: u64, percent: u64, (dropped, carried): (Arc<AtomicU64>, Arc<AtomicU64>)) -> Self {
        Self { state: seed, percent, dropped, carried }
    }

    /// Whether the next datagram gets through (xorshift64).
    fn carries(&mut self) -> bool {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let lost = self.state % 100 < self.percent;
        let counter = if lost { &self.dropped } else { &self.carried };
        counter.fetch_add(1, Ordering::Relaxed);
        !lost
    }
}
