use trustline_domain::{LoginThrottle, PasswordPolicy, SessionPolicy};

/// The security policies in force, as this installation is configured; the
/// trust center reports them as facts.
#[derive(Clone, Copy, Debug)]
pub struct Policies {
    pub session: SessionPolicy,
    pub throttle: LoginThrottle,
    pub password: PasswordPolicy,
    /// How often the retention job runs: the trust center expects a run
    /// within twice this.
    pub retention_interval_seconds: i64,
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            session: SessionPolicy::default(),
            throttle: LoginThrottle::default(),
            password: PasswordPolicy::default(),
            retention_interval_seconds: 3_600,
        }
    }
}
