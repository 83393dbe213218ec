use serde::{Deserialize, Serialize};

/// A phone number in E.164: `+`, a country code and the subscriber number,
/// 8 to 15 digits in all. Only a numbering plan can say whether it is valid;
/// this type only guarantees the shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an E.164 number (+ followed by 8 to 15 digits)")]
pub struct InvalidE164;

impl E164 {
    /// What [`E164::parse`] accepts, as the API document's pattern.
    pub const PATTERN: &'static str = "^\\+[1-9][0-9]{7,14}$";

    pub fn parse(value: &str) -> Result<Self, InvalidE164> {
        let digits = value.strip_prefix('+').ok_or(InvalidE164)?;
        let shaped = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if shaped { Ok(Self(value.to_owned())) } else { Err(InvalidE164) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_schema!(E164, "E164", E164::PATTERN, 16);

impl TryFrom<String> for E164 {
    type Error = InvalidE164;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<E164> for String {
    fn from(value: E164) -> Self {
        value.0
    }
}

/// A number checked against a numbering plan, with what the plan tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalisedPhone {
    pub number: E164,
    /// ISO 3166 region the number belongs to.
    pub region: Option<String>,
    /// IANA zone, when the number pins one down.
    pub time_zone: Option<String>,
}

/// Turns typed numbers into E.164 (implemented with real numbering-plan
/// metadata outside this crate). The error is the reason, in words.
pub trait PhoneNormaliser {
    fn normalise(&self, raw: &str) -> Result<NormalisedPhone, String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_e164_shape_is_accepted() {
        assert!(E164::parse("+442071838750").is_ok());
        for bad in ["442071838750", "+4420718", "+0442071838750", "+44 20 7183 8750", "+4420718387501234", ""] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<E164>("\"+1234\"").is_err());
    }
}
