//! Trunks' digest passwords: sealed under the installation's trunk key,
//! bound to their tenant and login name, so a sealed password copied to
//! another tenant's row (or another login) does not open.

use crate::Keys;
use trustline_crypto::SealError;
use trustline_domain::TenantId;
use trustline_domain::trunks::DigestLogin;
use trustline_store::SealedLogin;
use zeroize::Zeroizing;

fn place(tenant: TenantId, username: &str) -> String {
    format!("sip-trunk:{}:{username}", tenant.0)
}

pub fn seal_login(keys: &Keys, tenant: TenantId, login: &DigestLogin) -> Result<SealedLogin, SealError> {
    let sealed_password = keys.trunks.seal(login.password.as_bytes(), &place(tenant, &login.username))?;
    Ok(SealedLogin { username: login.username.clone(), sealed_password, register: login.register })
}

/// The password in the clear, for answering a carrier's challenge.
pub fn open_login(keys: &Keys, tenant: TenantId, login: &SealedLogin) -> Result<Zeroizing<String>, SealError> {
    let opened = keys.trunks.open(&login.sealed_password, &place(tenant, &login.username))?;
    let text = std::str::from_utf8(&opened).map_err(|_| SealError::Open)?;
    Ok(Zeroizing::new(text.to_owned()))
}
