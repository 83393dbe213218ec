#![no_main]
// New passwords: the strength estimator sees arbitrary text.
libfuzzer_sys::fuzz_target!(|input: (&str, &str)| {
    let _ = trustline_domain::PasswordPolicy::default().check(input.0, &[input.1]);
});
