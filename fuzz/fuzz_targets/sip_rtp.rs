#![no_main]
// RTP datagrams arriving on a call's audio port, and the telephone events
// (RFC 4733) they may carry.
libfuzzer_sys::fuzz_target!(|datagram: &[u8]| {
    if let Ok(packet) = trustline_sip::RtpPacket::parse(datagram) {
        let _ = trustline_sip::KeyEvent::parse(packet.payload);
        let _ = packet.to_bytes();
    }
});
