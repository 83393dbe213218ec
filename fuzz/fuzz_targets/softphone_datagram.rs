#![no_main]
// Datagrams arriving on the softphone port (STUN, DTLS, SRTP and SRTCP),
// taken by a session opened from a browser's real offer.
const OFFER: &str = include_str!("../../crates/trustline-softphone/tests/offers/chromium.sdp");

libfuzzer_sys::fuzz_target!(|datagram: &[u8]| {
    let at = std::net::SocketAddr::from(([192, 0, 2, 1], 3478));
    let from = std::net::SocketAddr::from(([198, 51, 100, 7], 50_000));
    let now = std::time::Instant::now();
    // What the port reads of every datagram before any session does.
    let _ = trustline_softphone::addressed_ufrag(datagram);
    let Ok(mut peer) = trustline_softphone::DeskPeer::answer_offer(OFFER, at, now) else { return };
    if peer.accepts(datagram, from, now) {
        let _ = peer.take(datagram, from, now);
    }
});
