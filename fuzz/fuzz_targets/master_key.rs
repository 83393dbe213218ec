#![no_main]
// The master key file and TRUSTLINE_MASTER_KEY.
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = trustline_crypto::MasterKey::from_base64(text);
});
