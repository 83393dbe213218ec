use super::{E164, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A checked e-mail address: the domain is lower-cased; the whole address,
/// lower-cased, is what lookups compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        if value.len() > 254 {
            return Err("is longer than 254 characters");
        }
        let (local, domain) = value.rsplit_once('@').ok_or("has no @")?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err("has an invalid part before the @");
        }
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !domain_ok {
            return Err("has an invalid domain");
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"')) {
            return Err("contains characters an address cannot have");
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form blind indexes are computed over.
    pub fn lookup_form(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A BCP 47 language tag such as `en`, `fr-CA` or `zh-Hant-TW`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim().replace('_', "-");
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: Option<String>,
    /// The first is the number dialled by default.
    pub phones: Vec<E164>,
    pub email: Option<EmailAddress>,
    pub address: Option<PostalAddress>,
    pub language: Option<LanguageTag>,
    pub custom: BTreeMap<String, String>,
}

/// A person's name as entered: trimmed, inner whitespace collapsed.
pub(crate) fn clean_name(field: &str, value: &str, max: usize) -> Result<Option<String>, FieldError> {
    let cleaned = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Ok(None);
    }
    if cleaned.chars().count() > max {
        return Err(FieldError::new(field, format!("is longer than {max} characters")));
    }
    if cleaned.chars().any(char::is_control) {
        return Err(FieldError::new(field, "contains control characters"));
    }
    Ok(Some(cleaned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_their_domain_lower_cased() {
        assert_eq!(EmailAddress::parse(" Ada@Example.ORG ").unwrap().as_str(), "Ada@example.org");
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
        for bad in ["", "e", "english", "en-", "en-Ü", "12"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }
}
