//! Agents' desk phone logins: a made-up SIP username and a random password,
//! shown once; what is kept is the password's digest secrets (HA1s), sealed
//! under the installation's SIP key and bound to the tenant, the user and
//! the username, so secrets copied to another row do not open.

use crate::Keys;
use trustline_crypto::{DigestSecrets, SealError, base32_encode, random_bytes, random_password};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::DeskPhoneLogin;
use zeroize::Zeroizing;

/// The digest realm desk phones authenticate in.
pub const DESK_PHONE_REALM: &str = "trustline";

/// A login just made: what the phone is configured with, shown once.
pub struct IssuedDeskPhoneLogin {
    pub stored: DeskPhoneLogin,
    pub password: Zeroizing<String>,
}

fn place(tenant: TenantId, user: UserId, username: &str) -> String {
    format!("desk-phone:{}:{}:{username}", tenant.0, user.0)
}

/// A new login for `user`: `d` and 16 random base32 characters (nothing
/// about the person or the tenant), and a random password.
pub fn issue_desk_phone_login(keys: &Keys, tenant: TenantId, user: UserId, now: UnixTime) -> Result<IssuedDeskPhoneLogin, SealError> {
    let username = format!("d{}", base32_encode(&*random_bytes::<10>()).to_ascii_lowercase());
    let password = random_password();
    let secrets = DigestSecrets::new(&username, DESK_PHONE_REALM, &password);
    let sealed_secrets = keys.trunks.seal(secrets.to_text().as_bytes(), &place(tenant, user, &username))?;
    let stored = DeskPhoneLogin { user_id: user, tenant_id: tenant, username, sealed_secrets, created_at: now };
    Ok(IssuedDeskPhoneLogin { stored, password })
}

/// The login's digest secrets, for checking a phone's answer.
pub fn open_desk_phone_login(keys: &Keys, login: &DeskPhoneLogin) -> Result<DigestSecrets, SealError> {
    let opened = keys.trunks.open(&login.sealed_secrets, &place(login.tenant_id, login.user_id, &login.username))?;
    let text = std::str::from_utf8(&opened).map_err(|_| SealError::Open)?;
    DigestSecrets::from_text(text).ok_or(SealError::Open)
}
