#![no_main]
// The Authorization header of a desk phone's REGISTER: read as written, or
// refused with a reason, whatever it holds.
libfuzzer_sys::fuzz_target!(|header: &str| {
    let _ = trustline_sip::DigestCredentials::parse(header);
});
