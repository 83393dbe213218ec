#![no_main]
// SRTP packets from a carrier whose audio is encrypted: each is
// authenticated before anything reads it, whatever it holds.
use std::sync::{LazyLock, Mutex};
use trustline_sip::{MasterKey, SrtpReceiver, SrtpSuite};

static RECEIVER: LazyLock<Mutex<SrtpReceiver>> = LazyLock::new(|| {
    let key = MasterKey::from_bytes(&[7; 30]).expect("30 bytes are a key and a salt");
    Mutex::new(SrtpReceiver::new(SrtpSuite::AesCm128HmacSha1_80, &key))
});

libfuzzer_sys::fuzz_target!(|datagram: &[u8]| {
    if let Ok(mut receiver) = RECEIVER.lock() {
        let _ = receiver.unprotect(datagram);
    }
});
