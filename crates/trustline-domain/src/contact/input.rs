use super::{ContactDetails, CustomFieldDef, EmailAddress, FieldError, LanguageTag, PhoneNormaliser, PostalAddress};
use crate::Words;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A contact as submitted (API JSON, or a CSV row through a column
/// mapping, which drops blank cells). Each field given must be valid as
/// written; a field left out (or null) is not set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [
    { "required": ["phones"], "properties": { "phones": { "minItems": 1 } } },
    { "required": ["email"], "properties": { "email": { "type": "string" } } },
]))]
pub struct ContactInput {
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_NAME>>")]
    pub name: Option<String>,
    /// Used when `name` is absent: joined as "first last".
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_NAME>>")]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_NAME>>")]
    pub last_name: Option<String>,
    /// Up to five numbers as people write them; without a country code they
    /// are read in the tenant's default region. Each must be a valid number
    /// in its country's numbering plan.
    #[serde(default)]
    #[schemars(length(max = MAX_PHONES), extend("items" = { "type": "string", "format": "phone", "maxLength": 64, "pattern": PHONE_AS_WRITTEN }))]
    pub phones: Vec<String>,
    #[serde(default)]
    #[schemars(length(max = EmailAddress::MAX_CHARS), pattern(EmailAddress::PATTERN))]
    pub email: Option<String>,
    #[serde(default)]
    pub address: AddressInput,
    /// A BCP 47 tag such as `en` or `fr-CA`.
    #[serde(default)]
    #[schemars(length(max = 35), pattern(LanguageTag::PATTERN))]
    pub language: Option<String>,
    /// An IANA time zone; overrides the zone derived from the first number.
    #[serde(default)]
    #[schemars(extend("format" = "time-zone"))]
    pub time_zone: Option<String>,
    /// Values of the tenant's custom fields, by name (`GET /api/custom-fields`).
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": CustomFieldDef::NAME_PATTERN }))]
    pub custom: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_ADDRESS_PART>>")]
    pub street: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_ADDRESS_PART>>")]
    pub city: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_ADDRESS_PART>>")]
    pub postcode: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Words<MAX_ADDRESS_PART>>")]
    pub region: Option<String>,
    /// ISO 3166 alpha-2, e.g. `GB`.
    #[serde(default)]
    #[schemars(pattern("^[A-Za-z]{2}$"))]
    pub country: Option<String>,
}

/// A contact whose every field passed its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedContact {
    pub details: ContactDetails,
    /// ISO 3166 region of the first number.
    pub region: Option<String>,
    /// Given, or derived from the first number when its country has one zone.
    pub time_zone: Option<String>,
}

pub const MAX_PHONES: usize = 5;
const MAX_NAME: usize = 200;
const MAX_ADDRESS_PART: usize = 200;

/// A name or address part by the [`Words`] rule; `None` and an error for
/// `field` if it breaks the rule.
fn line<const MAX: usize>(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    match Words::<MAX>::parse(value?) {
        Ok(words) => Some(words.into_string()),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

/// The characters a phone number is written with: digits, white space and
/// `+ - . ( ) /`. A number in letters (1-800-FLOWERS) or with an extension
/// is refused: only digits can be dialled, and a masked number (`•`) is not
/// a number.
pub const PHONE_AS_WRITTEN: &str =
    concat!("^[0-9+()./", crate::text::white_space_class!(), "-]*[0-9][0-9+()./", crate::text::white_space_class!(), "-]*$");

static PHONE_RULE: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(PHONE_AS_WRITTEN);

impl ContactInput {
    /// Checks every field against its rule and the tenant's custom fields;
    /// all problems are returned together.
    pub fn validate(&self, custom_fields: &[CustomFieldDef], phones: &dyn PhoneNormaliser) -> Result<ValidatedContact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut details = ContactDetails::default();
        let mut region = None;
        let mut derived_zone = None;

        let name = line::<MAX_NAME>("name", self.name.as_deref(), &mut errors);
        let first = line::<MAX_NAME>("first_name", self.first_name.as_deref(), &mut errors);
        let last = line::<MAX_NAME>("last_name", self.last_name.as_deref(), &mut errors);
        details.name = name.or_else(|| {
            let joined = [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ");
            (!joined.is_empty()).then_some(joined)
        });

        if self.phones.len() > MAX_PHONES {
            errors.push(FieldError::new("phones", format!("a contact has at most {MAX_PHONES} numbers")));
        }
        for (index, raw) in self.phones.iter().enumerate().take(MAX_PHONES) {
            if !PHONE_RULE.accepts(raw) {
                // What a numbering plan says of letters and symbols.
                errors.push(FieldError::new(format!("phones.{index}"), "is not a phone number"));
                continue;
            }
            match phones.normalise(raw) {
                Ok(phone) => {
                    if details.phones.is_empty() {
                        region = phone.region.clone();
                        derived_zone = phone.time_zone.clone();
                    }
                    if !details.phones.contains(&phone.number) {
                        details.phones.push(phone.number);
                    }
                }
                Err(reason) => errors.push(FieldError::new(format!("phones.{index}"), reason)),
            }
        }

        if let Some(email) = self.email.as_deref() {
            match EmailAddress::parse(email) {
                Ok(email) => details.email = Some(email),
                Err(reason) => errors.push(FieldError::new("email", reason)),
            }
        }
        if self.phones.is_empty() && self.email.is_none() {
            errors.push(FieldError::new("phones", "a contact needs a phone number or an e-mail address"));
        }

        let address = self.address(&mut errors);
        details.address = (!address.is_empty()).then_some(address);

        if let Some(language) = self.language.as_deref() {
            match LanguageTag::parse(language) {
                Ok(tag) => details.language = Some(tag),
                Err(reason) => errors.push(FieldError::new("language", reason)),
            }
        }

        let time_zone = match self.time_zone.as_deref() {
            // The zone database the calling windows use decides.
            Some(zone) if jiff::tz::TimeZone::get(zone).is_ok() => Some(zone.to_owned()),
            Some(_) => {
                errors.push(FieldError::new("time_zone", "is not a known IANA time zone (e.g. Europe/London)"));
                None
            }
            None => derived_zone,
        };

        details.custom = self.custom(custom_fields, &mut errors);

        if errors.is_empty() { Ok(ValidatedContact { details, region, time_zone }) } else { Err(errors) }
    }

    fn address(&self, errors: &mut Vec<FieldError>) -> PostalAddress {
        let parts = &self.address;
        let mut address = PostalAddress {
            street: line::<MAX_ADDRESS_PART>("address.street", parts.street.as_deref(), errors),
            city: line::<MAX_ADDRESS_PART>("address.city", parts.city.as_deref(), errors),
            postcode: line::<MAX_ADDRESS_PART>("address.postcode", parts.postcode.as_deref(), errors),
            region: line::<MAX_ADDRESS_PART>("address.region", parts.region.as_deref(), errors),
            country: None,
        };
        if let Some(country) = parts.country.as_deref() {
            if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) {
                address.country = Some(country.to_ascii_uppercase());
            } else {
                errors.push(FieldError::new("address.country", "is not an ISO 3166 country code (e.g. GB)"));
            }
        }
        address
    }

    fn custom(&self, definitions: &[CustomFieldDef], errors: &mut Vec<FieldError>) -> BTreeMap<String, String> {
        let mut values = BTreeMap::new();
        for (name, value) in &self.custom {
            let field = format!("custom.{name}");
            match definitions.iter().find(|d| &d.name == name) {
                None => errors.push(FieldError::new(field, "is not a custom field of this tenant")),
                Some(_) if value.trim().is_empty() => {}
                Some(def) => match def.normalise(value) {
                    Ok(v) => {
                        values.insert(name.clone(), v);
                    }
                    Err(reason) => errors.push(FieldError::new(field, reason)),
                },
            }
        }
        for def in definitions.iter().filter(|d| d.required && !values.contains_key(&d.name)) {
            if !errors.iter().any(|e| e.field == format!("custom.{}", def.name)) {
                errors.push(FieldError::new(format!("custom.{}", def.name), "is required"));
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{CustomFieldKind, E164, NormalisedPhone};

    /// Accepts `+44…` numbers of 13 characters, nothing else: enough to test
    /// the rules here without a numbering plan.
    struct Uk;
    impl PhoneNormaliser for Uk {
        fn normalise(&self, raw: &str) -> Result<NormalisedPhone, String> {
            let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            match E164::parse(&compact) {
                Ok(number) if compact.starts_with("+44") && compact.len() == 13 => {
                    Ok(NormalisedPhone { number, region: Some("GB".into()), time_zone: Some("Europe/London".into()) })
                }
                _ => Err("is not a valid number in its country".into()),
            }
        }
    }

    fn plan() -> CustomFieldDef {
        CustomFieldDef { name: "plan".into(), label: "Plan".into(), kind: CustomFieldKind::Choice(vec!["Gold".into()]), required: true }
    }

    #[test]
    fn a_good_contact_is_normalised() {
        let input = ContactInput {
            first_name: Some(" Ada ".into()),
            last_name: Some("Lovelace".into()),
            phones: vec!["+44 20 7183 8750".into(), "+442071838750".into()],
            email: Some("Ada@Example.org".into()),
            address: AddressInput { city: Some("  London  Town ".into()), country: Some("gb".into()), ..AddressInput::default() },
            language: Some("en_gb".into()),
            custom: [("plan".to_owned(), "gold".to_owned())].into(),
            ..ContactInput::default()
        };
        let valid = input.validate(&[plan()], &Uk).unwrap();
        assert_eq!(valid.details.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(valid.details.phones.len(), 1, "the same number twice is kept once");
        assert_eq!(valid.details.email.unwrap().as_str(), "Ada@example.org");
        let address = valid.details.address.unwrap();
        assert_eq!((address.city.as_deref(), address.country.as_deref()), (Some("London Town"), Some("GB")));
        assert_eq!(valid.details.language.unwrap().as_str(), "en-GB");
        assert_eq!(valid.details.custom.get("plan").map(String::as_str), Some("Gold"));
        assert_eq!((valid.region.as_deref(), valid.time_zone.as_deref()), (Some("GB"), Some("Europe/London")));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let input = ContactInput {
            name: Some("x".repeat(201)),
            phones: vec!["12".into(), "+442071838750".into()],
            email: Some("not-an-address".into()),
            address: AddressInput { country: Some("Britain".into()), ..AddressInput::default() },
            language: Some("english".into()),
            time_zone: Some("Mars/Olympus".into()),
            custom: [("colour".to_owned(), "red".to_owned())].into(),
            ..ContactInput::default()
        };
        let errors = input.validate(&[plan()], &Uk).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "phones.0", "email", "address.country", "language", "time_zone", "custom.colour", "custom.plan"],
            "{errors:?}"
        );
    }

    #[test]
    fn a_field_given_must_be_valid_as_written() {
        let input = ContactInput {
            name: Some(" ".into()),
            phones: vec!["".into()],
            email: Some(" ada@example.org".into()),
            language: Some(" en".into()),
            address: AddressInput { city: Some("Lon\u{7}don".into()), country: Some(" GB".into()), ..AddressInput::default() },
            ..ContactInput::default()
        };
        let errors = input.validate(&[], &Uk).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "phones.0", "email", "address.city", "address.country", "language"], "{errors:?}");
    }

    #[test]
    fn a_contact_needs_a_way_to_reach_them() {
        let errors = ContactInput { name: Some("Ada".into()), ..ContactInput::default() }.validate(&[], &Uk).unwrap_err();
        assert_eq!(errors, vec![FieldError::new("phones", "a contact needs a phone number or an e-mail address")]);
        let too_many = ContactInput { phones: vec!["+442071838750".into(); 6], ..ContactInput::default() };
        assert_eq!(too_many.validate(&[], &Uk).unwrap_err().first().map(|e| e.field.as_str()), Some("phones"));
    }

    #[test]
    fn a_number_is_written_with_digits_and_dialling_punctuation_only() {
        for written in ["+44 20 7183 8750", "+44 (0)20-7183.8750", "020/7183\u{a0}8750", " +442071838750 "] {
            assert!(PHONE_RULE.accepts(written), "{written}");
        }
        for written in ["+44 •••• ••50", "1-800-FLOWERS", "+44 20 7183 8750 ext. 12", "+４４２０７１８３８７５０", "()", ""]
        {
            assert!(!PHONE_RULE.accepts(written), "{written}");
            let input = ContactInput { phones: vec![written.into()], ..ContactInput::default() };
            let errors = input.validate(&[], &Uk).unwrap_err();
            assert_eq!(errors.first().map(|e| e.field.as_str()), Some("phones.0"), "{written}");
        }
    }

    #[test]
    fn unknown_json_fields_are_refused() {
        assert!(serde_json::from_str::<ContactInput>(r#"{"name":"Ada","phone":"+44"}"#).is_err());
    }
}
