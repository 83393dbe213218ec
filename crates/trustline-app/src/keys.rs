use std::sync::Arc;
use trustline_audit::ChainKeys;
use trustline_crypto::{CheckpointSigner, InstallationSecret, Keyring, MasterKey, SealError, Sealer, ValueMac};
use trustline_store::{InstallationRecord, LockedStore, Store, StoreError};

/// Every key the server uses: the keyring (wrapping tenant keys under the
/// master key) and the purpose-bound service keys derived from the
/// installation secret.
pub struct Keys {
    pub keyring: Arc<Keyring>,
    /// MACs of sensitive values written to the audit log.
    pub audit_values: ValueMac,
    /// MACs that key the failed sign-in counters.
    pub throttle: ValueMac,
    /// CSRF tokens are MACs of the session.
    pub csrf: ValueMac,
    /// Seals TOTP seeds in the database.
    pub totp: Sealer,
    /// Seals webhook signing secrets in the database.
    pub webhooks: Sealer,
    /// Seals SIP digest secrets in the database: trunks' passwords, desk phones' HA1s.
    pub trunks: Sealer,
    /// Seals the commands nodes hand one another in the database.
    pub node_commands: Sealer,
    pub checkpoint_signer: CheckpointSigner,
    /// Seals audit events; shared with the store, which links the chain.
    pub chain: Arc<ChainKeys>,
}

impl Keys {
    pub fn derive(keyring: Arc<Keyring>, secret: &InstallationSecret) -> Result<Self, SealError> {
        Ok(Self {
            keyring,
            audit_values: ValueMac::new(secret.derive("audit-values")),
            throttle: ValueMac::new(secret.derive("login-throttle")),
            csrf: ValueMac::new(secret.derive("csrf")),
            totp: Sealer::new(secret.derive("totp-seeds"))?,
            webhooks: Sealer::new(secret.derive("webhook-secrets"))?,
            trunks: Sealer::new(secret.derive("sip-trunk-passwords"))?,
            node_commands: Sealer::new(secret.derive("node-commands"))?,
            checkpoint_signer: CheckpointSigner::from_seed(secret.derive("audit-checkpoints")),
            chain: Arc::new(ChainKeys::new(ValueMac::new(secret.derive("audit-chain")))),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    #[error("the master key does not open this database (it was created or last rotated with another key)")]
    WrongMasterKey,
    #[error("this database belongs to another installation; restore into an empty database instead")]
    OtherInstallation,
    #[error("cannot set up the keys")]
    Keys(#[source] SealError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Opens the installation secret with the master key (creating it on first
/// use), derives the service keys and unlocks the store with them.
pub async fn unlock(locked: Box<dyn LockedStore>, master: &MasterKey) -> Result<(Arc<dyn Store>, Arc<Keys>), UnlockError> {
    let keyring = Arc::new(Keyring::new(master).map_err(UnlockError::Keys)?);
    let (_, fresh) = keyring.create_installation_secret().map_err(UnlockError::Keys)?;
    let record = locked.installation(InstallationRecord { wrapped_secret: fresh, master_fingerprint: keyring.fingerprint() }).await?;
    finish_unlock(locked, keyring, &record)
}

/// Unlocks the database as the installation whose stored secret is
/// `adopted` (taken from a backup): an empty database adopts it; a database
/// of another installation is refused.
pub async fn unlock_as(
    locked: Box<dyn LockedStore>,
    master: &MasterKey,
    adopted: InstallationRecord,
) -> Result<(Arc<dyn Store>, Arc<Keys>), UnlockError> {
    let keyring = Arc::new(Keyring::new(master).map_err(UnlockError::Keys)?);
    let record = locked.installation(adopted.clone()).await?;
    if record.master_fingerprint == adopted.master_fingerprint && record.wrapped_secret != adopted.wrapped_secret {
        return Err(UnlockError::OtherInstallation);
    }
    finish_unlock(locked, keyring, &record)
}

fn finish_unlock(
    locked: Box<dyn LockedStore>,
    keyring: Arc<Keyring>,
    record: &InstallationRecord,
) -> Result<(Arc<dyn Store>, Arc<Keys>), UnlockError> {
    if record.master_fingerprint != keyring.fingerprint() {
        return Err(UnlockError::WrongMasterKey);
    }
    let secret = keyring.open_installation_secret(&record.wrapped_secret).map_err(|_| UnlockError::WrongMasterKey)?;
    let keys = Arc::new(Keys::derive(keyring, &secret).map_err(UnlockError::Keys)?);
    Ok((locked.unlock(keys.chain.clone()), keys))
}
