use super::E164;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A checked e-mail address: the domain is lower-cased; the whole address,
/// lower-cased, is what lookups compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

/// An address as the API document states it (with `maxLength` 254): 1 to
/// 64 characters before the @ that are not white space, control characters
/// or `@<>(),;"`, then an ASCII domain with a dot, not starting or ending
/// with a dot or hyphen (international domains in their xn-- form).
const EMAIL_PATTERN: &str = concat!(
    "^[^",
    crate::text::white_space_class!(),
    "\\u0000-\\u001f\\u007f-\\u009f@<>(),;\"]{1,64}@[A-Za-z0-9][A-Za-z0-9.-]*\\.[A-Za-z0-9.-]*[A-Za-z0-9]$"
);

static EMAIL_RULE: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(EMAIL_PATTERN);

impl EmailAddress {
    pub const PATTERN: &'static str = EMAIL_PATTERN;
    pub const MAX_CHARS: usize = 254;

    /// An address written exactly as [`EmailAddress::PATTERN`] says.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        if value.chars().count() > Self::MAX_CHARS {
            return Err("is longer than 254 characters");
        }
        if !EMAIL_RULE.accepts(value) {
            return Err("is not an address like name@example.com (ASCII domain, no spaces)");
        }
        let (local, domain) = value.rsplit_once('@').ok_or("has no @")?;
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form blind indexes are computed over.
    pub fn lookup_form(&self) -> String {
        self.0.to_lowercase()
    }
}

crate::text::text_schema!(EmailAddress, "EmailAddress", EmailAddress::PATTERN, EmailAddress::MAX_CHARS);

/// A BCP 47 language tag such as `en`, `fr-CA` or `zh-Hant-TW`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// What [`LanguageTag::parse`] accepts (with `maxLength` 35), as the
    /// API document's pattern; `_` may stand for `-`.
    pub const PATTERN: &'static str = "^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$";

    pub fn parse(value: &str) -> Result<Self, &'static str> {
        if value.chars().any(char::is_whitespace) {
            return Err("is not a language tag (e.g. en, fr-CA)");
        }
        let value = value.replace('_', "-");
        let mut parts = value.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err("is not a language tag (e.g. en, fr-CA)");
        }
        let mut tag = primary.to_ascii_lowercase();
        for part in parts {
            if !(2..=8).contains(&part.len()) || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err("is not a language tag (e.g. en, fr-CA)");
            }
            tag.push('-');
            // Region subtags are upper case by convention, scripts title case.
            match part.len() {
                2 => tag.push_str(&part.to_ascii_uppercase()),
                4 => {
                    let lower = part.to_ascii_lowercase();
                    let mut chars = lower.chars();
                    tag.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                    tag.extend(chars);
                }
                _ => tag.push_str(&part.to_ascii_lowercase()),
            }
        }
        if tag.len() > 35 {
            return Err("is too long for a language tag");
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_schema!(LanguageTag, "LanguageTag", LanguageTag::PATTERN, 35);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO 3166 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl PostalAddress {
    pub fn is_empty(&self) -> bool {
        self.street.is_none() && self.city.is_none() && self.postcode.is_none() && self.region.is_none() && self.country.is_none()
    }
}

/// Everything personal about a contact. Each field is encrypted on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContactDetails {
    pub name: Option<String>,
    /// The first is the number dialled by default.
    pub phones: Vec<E164>,
    pub email: Option<EmailAddress>,
    pub address: Option<PostalAddress>,
    pub language: Option<LanguageTag>,
    pub custom: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_their_domain_lower_cased() {
        assert_eq!(EmailAddress::parse("Ada@Example.ORG").unwrap().as_str(), "Ada@example.org");
        assert!(EmailAddress::parse(" ada@example.org").is_err(), "written exactly, no spaces");
        assert_eq!(EmailAddress::parse("Ada@Example.ORG").unwrap().lookup_form(), "ada@example.org");
        for bad in ["ada", "@example.org", "ada@", "ada@example", "ada lovelace@example.org", "ada@exa mple.org", "a@b@c.org", "ada@.org"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@example.org", "a".repeat(65))).is_err());
    }

    #[test]
    fn language_tags_are_normalised() {
        assert_eq!(LanguageTag::parse("EN").unwrap().as_str(), "en");
        assert_eq!(LanguageTag::parse("fr_ca").unwrap().as_str(), "fr-CA");
        assert_eq!(LanguageTag::parse("zh-hant-tw").unwrap().as_str(), "zh-Hant-TW");
        for bad in ["", "e", "english", "en-", "en-Ü", "12", " en"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_documented_patterns_are_the_rules(
            address in "[a-z@. \\-<\u{e9}\u{3000}\u{1c}]{0,3}[a-z]{0,3}@?[a-z0-9.\\-]{0,4}\\.?[a-z\u{e9}]{0,3}[ \\-.]?",
            tag in "[a-zA-Z]{1,4}([-_ ][a-zA-Z0-9\u{fc}]{1,9}){0,2}",
        ) {
            crate::schema_pattern::assert_agrees(EmailAddress::PATTERN, &address, EmailAddress::parse(&address).is_ok());
            let short = tag.chars().count() <= 35;
            crate::schema_pattern::assert_agrees(LanguageTag::PATTERN, &tag, LanguageTag::parse(&tag).is_ok() && short);
        }
    }
}
