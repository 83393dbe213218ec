#![no_main]
// `Reason` headers carriers send when a call attempt ends.
libfuzzer_sys::fuzz_target!(|value: &str| {
    if let Ok(reasons) = trustline_sip::Reason::parse_all(value) {
        let _ = trustline_sip::AttemptEnd::Refused { status: 486, reasons }.failure();
    }
});
