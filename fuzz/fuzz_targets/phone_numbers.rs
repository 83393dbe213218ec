#![no_main]
// Phone numbers as people type them: whatever is accepted is E.164 and
// normalises to itself; masking never shows more than two digits.
libfuzzer_sys::fuzz_target!(|text: &str| {
    let region = trustline_phone::DefaultRegion::parse("GB").ok();
    if let Ok(phone) = trustline_phone::normalise(text, region) {
        let again = trustline_phone::normalise(phone.number.as_str(), None).map(|p| p.number);
        assert_eq!(again, Ok(phone.number.clone()));
        let masked = trustline_phone::mask(&phone.number);
        assert!(masked.chars().filter(char::is_ascii_digit).count() <= 5);
    }
});
