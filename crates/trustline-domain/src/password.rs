//! Password rules: length over composition, common and guessable ones refused
//! (NIST SP 800-63B). The check runs before hashing, never on stored hashes.

/// Why a new password was refused. Never carries the password itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    #[error("password must be at least {min} characters long")]
    TooShort { min: usize },
    #[error("password must be at most {max} characters long")]
    TooLong { max: usize },
    #[error("password is too easy to guess{hint}")]
    Guessable { hint: String },
}

/// The tenant-independent password policy.
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    /// Bounds hashing cost and stops pathological inputs to the strength estimator.
    pub max_chars: usize,
    /// zxcvbn score (0-4) a password must reach.
    pub min_strength: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_chars: 12, max_chars: 128, min_strength: 3 }
    }
}

impl PasswordPolicy {
    /// `context` holds words an attacker would try first: username, tenant name.
    pub fn check(&self, password: &str, context: &[&str]) -> Result<(), PasswordRejection> {
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(PasswordRejection::TooShort { min: self.min_chars });
        }
        if chars > self.max_chars {
            return Err(PasswordRejection::TooLong { max: self.max_chars });
        }
        let estimate = zxcvbn::zxcvbn(password, context);
        if u8::from(estimate.score()) < self.min_strength {
            let hint = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(": {w}")).unwrap_or_default();
            return Err(PasswordRejection::Guessable { hint });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_required_and_common_passwords_are_refused() {
        let policy = PasswordPolicy::default();
        assert_eq!(policy.check("short", &[]), Err(PasswordRejection::TooShort { min: 12 }));
        assert!(matches!(policy.check("password1234", &[]), Err(PasswordRejection::Guessable { .. })));
        assert!(matches!(policy.check("qwertyuiop123", &[]), Err(PasswordRejection::Guessable { .. })));
        assert!(matches!(policy.check("alice.martin2026", &["alice.martin"]), Err(PasswordRejection::Guessable { .. })));
        assert!(policy.check(&"x".repeat(129), &[]).is_err());
        // No composition rules: a long lowercase passphrase is fine.
        assert_eq!(policy.check("correct violet tractor lagoon", &[]), Ok(()));
    }
}
