#![no_main]
// SDP bodies carriers answer an INVITE with.
libfuzzer_sys::fuzz_target!(|sdp: &str| {
    let _ = trustline_sip::RemoteAudio::parse(sdp);
});
