#![no_main]
// SDP offers agents' browsers send to open their softphone.
libfuzzer_sys::fuzz_target!(|offer: &str| {
    let at = std::net::SocketAddr::from(([192, 0, 2, 1], 3478));
    let _ = trustline_softphone::DeskPeer::answer_offer(offer, at, std::time::Instant::now());
});
