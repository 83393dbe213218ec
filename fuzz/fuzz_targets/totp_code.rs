#![no_main]
// Codes typed at sign-in.
libfuzzer_sys::fuzz_target!(|input: (&str, i64, Option<i64>)| {
    let (code, now, last) = input;
    let seed = trustline_crypto::TotpSecret::from_bytes(zeroize::Zeroizing::new(b"12345678901234567890".to_vec()));
    let _ = trustline_crypto::Totp::verify(&seed, code, now, last);
});
