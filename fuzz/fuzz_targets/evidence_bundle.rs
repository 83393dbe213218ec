#![no_main]
// Evidence bundles handed to `trustline audit verify --bundle`: any bytes
// are refused with an error, never a panic, unless signed with the key.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = [7u8; 32];
    assert!(trustline_evidence::verify_bundle(data, Some(&key)).is_err(), "accepted a bundle nobody signed");
    let _ = trustline_evidence::verify_bundle(data, None);
});
