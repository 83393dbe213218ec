use serde::Serialize;

/// Why a tenant slug or username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {reason}")]
pub struct InvalidName {
    pub field: &'static str,
    pub reason: &'static str,
}

fn check(field: &'static str, value: &str, min: usize, max: usize, extra: &[char]) -> Result<String, InvalidName> {
    let value = value.trim().to_ascii_lowercase();
    if value.len() < min {
        return Err(InvalidName { field, reason: "is too short" });
    }
    if value.len() > max {
        return Err(InvalidName { field, reason: "is too long" });
    }
    if !value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c)) {
        return Err(InvalidName { field, reason: "may only contain letters, digits and the characters . _ -" });
    }
    if !value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
        return Err(InvalidName { field, reason: "must start with a letter or digit" });
    }
    Ok(value)
}

/// The short, URL-safe name of a tenant, typed at sign-in (e.g. `acme`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        check("tenant", value, 2, 40, &['-']).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sign-in name, unique within a tenant, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// What [`Username::parse`] accepts, as the API document's pattern.
    pub const PATTERN: &'static str =
        concat!("^[", crate::text::white_space_class!(), "]*[A-Za-z0-9][A-Za-z0-9._@-]{1,63}[", crate::text::white_space_class!(), "]*$");

    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        check("username", value, 2, 64, &['.', '_', '-', '@']).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_checked() {
        assert_eq!(Username::parse(" Alice.B ").map(|u| u.0), Ok("alice.b".into()));
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("-alice").is_err());
        assert!(TenantSlug::parse("acme_co").is_err());
        assert!(Username::parse("\u{e9}mile").is_err(), "ASCII only");
        assert_eq!(TenantSlug::parse("Acme-Co").map(|t| t.0), Ok("acme-co".into()));
    }

    proptest::proptest! {
        #[test]
        fn the_documented_pattern_is_the_username_rule(text in "[ -~\t\u{3000}\u{e9}\u{1c}]{0,70}") {
            crate::schema_pattern::assert_agrees(Username::PATTERN, &text, Username::parse(&text).is_ok());
        }
    }
}
