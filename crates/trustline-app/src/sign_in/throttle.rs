//! The sign-in throttle as signing in and confirming one's own password
//! share it: which counters a guess counts against, and whether they allow
//! another try.

use super::SignIn;
use trustline_domain::ThrottleVerdict;
use trustline_store::StoreError;

impl SignIn {
    /// Throttling keys of a password guess (signing in, or confirming one's
    /// current password): the account as typed (whether or not it exists)
    /// and the address.
    pub(super) fn password_guess_keys(&self, tenant: &str, username: &str, source: &str) -> [String; 2] {
        let typed = format!("{}\n{}", tenant.trim().to_ascii_lowercase(), username.trim().to_ascii_lowercase());
        [format!("account:{}", self.keys.throttle.mac_hex(typed.as_bytes())), format!("address:{source}")]
    }

    /// Whether the counters under `keys` allow another guess now.
    pub(super) async fn may_guess(&self, keys: &[String; 2]) -> Result<bool, StoreError> {
        let since = self.throttle.window_start(self.clock.now());
        let [account, address] = keys;
        let account = self.store.login_failures(account, since).await?;
        let address = self.store.login_failures(address, since).await?;
        Ok(!matches!(self.throttle.verdict(account, address), ThrottleVerdict::Refuse { .. }))
    }

    /// The MAC incident detection groups password guesses by.
    pub(super) fn username_mac(&self, username: &str) -> String {
        self.keys.audit_values.mac_hex(username.trim().to_ascii_lowercase().as_bytes())
    }
}
