#![no_main]
// TOTP keys typed or pasted by people.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Some(bytes) = trustline_crypto::base32_decode(text) {
        let again = trustline_crypto::base32_encode(&bytes);
        assert_eq!(trustline_crypto::base32_decode(&again), Some(bytes));
    }
});
