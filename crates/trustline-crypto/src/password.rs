use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};

#[derive(Debug, thiserror::Error)]
pub enum PasswordHashError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Argon2id with the OWASP-recommended parameters: 19 MiB, 2 passes, 1 lane.
/// Stored as a PHC string so parameters can be raised later without a migration.
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    /// Hash of a random password, verified against when the account does not
    /// exist so that timing does not reveal which usernames are real.
    dummy: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasher(argon2id)")
    }
}

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

impl PasswordHasher {
    pub fn new() -> Result<Self, PasswordHashError> {
        let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| PasswordHashError::Hashing(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hasher = Self { argon2, dummy: String::new() };
        hasher.dummy = hasher.hash(&crate::random_password())?;
        Ok(hasher)
    }

    pub fn hash(&self, password: &str) -> Result<String, PasswordHashError> {
        let salt = crate::random_bytes::<16>();
        self.argon2
            .hash_password_with_salt(password.as_bytes(), salt.as_ref())
            .map(|h| h.to_string())
            .map_err(|e| PasswordHashError::Hashing(e.to_string()))
    }

    /// `stored` is `None` when the account does not exist; the same work is
    /// done either way and the answer is then always `false`.
    pub fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let target = stored.unwrap_or(&self.dummy);
        let ok = self.argon2.verify_password(password.as_bytes(), target).is_ok();
        ok && stored.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_owasp_parameters() {
        let hasher = PasswordHasher::new().unwrap();
        let hash = hasher.hash("correct violet tractor").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("correct violet tractor", Some(&hash)));
        assert!(!hasher.verify("correct violet tractors", Some(&hash)));
        assert!(!hasher.verify("anything", None));
        assert!(!hasher.verify("anything", Some("not a phc string")));
    }
}
