#![no_main]
// Cookie headers and form bodies as browsers (or attackers) send them.
libfuzzer_sys::fuzz_target!(|input: (&str, &[u8])| {
    let _ = trustline_server::parse::cookie(input.0, "tl_session");
    let _ = trustline_server::parse::form_field(input.1, b"csrf");
});
