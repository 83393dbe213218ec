//! Phone numbers as people type them, turned into what the dialer and the
//! blind indexes need: E.164, the country, and the time zone when the country
//! has only one. Parsing and validation use libphonenumber's metadata.

mod zones;

use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, Region};
use trustline_domain::contact::{E164, NormalisedPhone, PhoneNormaliser};

/// Longer input is refused before parsing: no real number comes close.
const MAX_INPUT: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_INPUT} characters")]
    TooLong,
    #[error("is not a phone number")]
    NotANumber,
    #[error("has no country code (+...) and no default region was given")]
    NoCountry,
    #[error("has an unknown country code")]
    UnknownCountry,
    #[error("is too short")]
    TooShort,
    #[error("is too long for its country")]
    TooLongForCountry,
    #[error("is not a valid number in its country")]
    Invalid,
}

/// The region assumed for numbers written without a country code (ISO 3166,
/// e.g. `GB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultRegion(Region);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?}; expected an ISO 3166 code such as GB, FR or US")]
pub struct UnknownRegion(pub String);

impl DefaultRegion {
    /// Every code [`DefaultRegion::parse`] accepts, upper case, in order:
    /// the regions with a calling code and known time zones.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        zones::regions().filter(|code| Region::from_code(code).is_ok())
    }

    /// One of [`DefaultRegion::codes`], exactly as listed.
    pub fn parse(code: &str) -> Result<Self, UnknownRegion> {
        match Region::from_code(code) {
            Ok(region) if zones::zones_of(code).is_some() => Ok(Self(region)),
            _ => Err(UnknownRegion(code.to_owned())),
        }
    }
}

/// The numbering rules of a tenant or an import: which region a number
/// without a country code belongs to.
#[derive(Clone, Copy, Debug, Default)]
pub struct PhoneRules {
    pub default_region: Option<DefaultRegion>,
}

impl PhoneNormaliser for PhoneRules {
    fn normalise(&self, raw: &str) -> Result<NormalisedPhone, String> {
        normalise(raw, self.default_region).map_err(|e| e.to_string())
    }
}

/// Parses, validates and normalises one number.
pub fn normalise(input: &str, default_region: Option<DefaultRegion>) -> Result<NormalisedPhone, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    if trimmed.len() > MAX_INPUT {
        return Err(PhoneError::TooLong);
    }
    // Spreadsheets separate digit groups with tabs and thin or no-break
    // spaces; the numbering-plan parser knows some of them only.
    let spaced: String = trimmed.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    let parsed = PhoneNumber::parse(&spaced, default_region.map(|r| r.0)).map_err(|e| match e {
        rlibphonenumber::ParseError::InvalidCountryCode if default_region.is_none() && !trimmed.starts_with('+') => PhoneError::NoCountry,
        rlibphonenumber::ParseError::InvalidCountryCode => PhoneError::UnknownCountry,
        rlibphonenumber::ParseError::NotANumber(_) => PhoneError::NotANumber,
        rlibphonenumber::ParseError::TooShortAfterIdd | rlibphonenumber::ParseError::TooShortNsn => PhoneError::TooShort,
        rlibphonenumber::ParseError::TooLongNsn => PhoneError::TooLongForCountry,
    })?;
    if !parsed.is_valid() {
        return Err(PhoneError::Invalid);
    }
    let number = E164::parse(&parsed.format_as(PhoneNumberFormat::E164)).map_err(|_| PhoneError::Invalid)?;
    let region = parsed.get_region_code().map(|r| r.as_region_str().as_str().to_owned());
    let time_zone = region.as_deref().and_then(exact_zone).map(str::to_owned);
    Ok(NormalisedPhone { number, region, time_zone })
}

/// Every IANA zone of a region (ISO 3166), if the region is known.
pub fn zones_of(region: &str) -> Option<&'static [&'static str]> {
    zones::zones_of(region)
}

/// The zone of a region that has only one.
pub fn exact_zone(region: &str) -> Option<&'static str> {
    match zones::zones_of(region) {
        Some([only]) => Some(only),
        _ => None,
    }
}

/// `+44 •••• ••89`: the country code and the last two digits, no more (not
/// even the length of the number).
pub fn mask(number: &E164) -> String {
    let digits = number.as_str().trim_start_matches('+');
    let country = PhoneNumber::parse(number.as_str(), None).map_or_else(|_| String::new(), |n| n.country_code.to_string());
    let tail = digits.get(digits.len().saturating_sub(2)..).unwrap_or_default();
    format!("+{country} •••• ••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Option<DefaultRegion> {
        Some(DefaultRegion::parse("GB").unwrap())
    }

    /// Calling windows are checked in the zones numbers are given; each must
    /// be one the time-zone database knows, or the contact is never called.
    #[test]
    fn every_zone_of_a_number_is_known_to_calling_windows() {
        let window = trustline_domain::dialing::CallingWindow::new(None, None);
        for zone in zones::all() {
            let verdict = window.check(&[zone], 1_781_514_000);
            assert!(!matches!(verdict, Err(trustline_domain::dialing::WindowClosed::UnknownZone(_))), "{zone}");
        }
    }

    #[test]
    fn national_and_international_forms_normalise_to_the_same_e164() {
        for input in [
            "020 7183 8750",
            "+44 20 7183 8750",
            "0044 20 7183 8750",
            "(020) 7183-8750",
            " +442071838750 ",
            "+44\t20\u{2009}7183\u{a0}8750",
        ] {
            let phone = normalise(input, gb()).unwrap();
            assert_eq!(phone.number.as_str(), "+442071838750", "{input}");
            assert_eq!(phone.region.as_deref(), Some("GB"));
            assert_eq!(phone.time_zone.as_deref(), Some("Europe/London"));
        }
        let paris = normalise("+33 1 42 68 53 00", gb()).unwrap();
        assert_eq!(
            (paris.number.as_str(), paris.region.as_deref(), paris.time_zone.as_deref()),
            ("+33142685300", Some("FR"), Some("Europe/Paris"))
        );
    }

    #[test]
    fn a_country_with_several_zones_gives_no_single_zone() {
        let us = normalise("+1 650 253 0000", None).unwrap();
        assert_eq!(us.region.as_deref(), Some("US"));
        assert_eq!(us.time_zone, None);
        assert!(zones_of("US").unwrap().contains(&"America/New_York"));
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(normalise("", gb()), Err(PhoneError::Empty));
        assert_eq!(normalise("   ", gb()), Err(PhoneError::Empty));
        assert_eq!(normalise(&"1".repeat(65), gb()), Err(PhoneError::TooLong));
        assert_eq!(normalise("hello", gb()), Err(PhoneError::NotANumber));
        assert_eq!(normalise("020 7183 8750", None), Err(PhoneError::NoCountry));
        assert_eq!(normalise("+999 1234 5678", None), Err(PhoneError::UnknownCountry));
        assert_eq!(normalise("+44 1", None), Err(PhoneError::TooShort));
        assert_eq!(normalise("+44 20 7183 8750 1234 5678 9", None), Err(PhoneError::TooLongForCountry));
        assert_eq!(normalise("+44 00 0000 0000", None), Err(PhoneError::Invalid));
        assert!(DefaultRegion::parse("XX").is_err());
        assert!(DefaultRegion::parse("").is_err());
        assert!(DefaultRegion::parse("gb").is_err() && DefaultRegion::parse(" GB").is_err(), "exactly as listed");
        let codes: Vec<&str> = DefaultRegion::codes().collect();
        assert!(codes.contains(&"GB") && codes.contains(&"US") && codes.len() > 200, "{}", codes.len());
        assert!(codes.iter().all(|c| DefaultRegion::parse(c).is_ok()));
    }

    #[test]
    fn masks_keep_the_country_and_two_digits() {
        let gb = normalise("+442071838750", None).unwrap();
        assert_eq!(mask(&gb.number), "+44 •••• ••50");
        let us = normalise("+16502530012", None).unwrap();
        assert_eq!(mask(&us.number), "+1 •••• ••12");
    }

    /// The API fuzzer (scripts/api-fuzz-hooks.py) sends these numbers as
    /// valid ones: they must be, by the same numbering plans.
    #[test]
    fn the_api_fuzzers_numbers_are_valid() {
        let hooks = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/api-fuzz-hooks.py")).unwrap();
        let block = hooks.split("E164_NUMBERS = [").nth(1).and_then(|rest| rest.split(']').next()).unwrap();
        let numbers: Vec<&str> = block.split('"').skip(1).step_by(2).collect();
        assert!(numbers.len() >= 10, "{numbers:?}");
        for number in numbers {
            let parsed = normalise(number, None);
            assert_eq!(parsed.as_ref().map(|p| p.number.as_str()), Ok(number), "{number}");
        }
    }

    #[test]
    fn zones_are_known() {
        assert_eq!(exact_zone("DE"), None, "Germany lists two zones (Berlin, Busingen)");
        assert_eq!(exact_zone("GB"), Some("Europe/London"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_what_it_accepts_is_stable(input in "\\PC{0,80}") {
            if let Ok(phone) = normalise(&input, gb()) {
                let again = normalise(phone.number.as_str(), None).unwrap();
                proptest::prop_assert_eq!(again.number, phone.number);
            }
        }
    }
}
