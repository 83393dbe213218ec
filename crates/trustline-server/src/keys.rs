use std::sync::Arc;
use trustline_audit::ChainKeys;
use trustline_crypto::{CheckpointSigner, MasterKey, SealError, Sealer, ValueMac};

/// Every purpose-bound key the server uses, derived from the master key.
pub struct Keys {
    /// MACs of sensitive values written to the audit log.
    pub audit_values: ValueMac,
    /// MACs that key the failed sign-in counters.
    pub throttle: ValueMac,
    /// CSRF tokens are MACs of the session.
    pub csrf: ValueMac,
    /// Seals TOTP seeds in the database.
    pub totp: Sealer,
    pub checkpoint_signer: CheckpointSigner,
    /// Seals audit events; shared with the store, which links the chain.
    pub chain: Arc<ChainKeys>,
}

impl Keys {
    pub fn derive(master: &MasterKey) -> Result<Self, SealError> {
        Ok(Self {
            audit_values: ValueMac::new(master.derive("audit-values")),
            throttle: ValueMac::new(master.derive("login-throttle")),
            csrf: ValueMac::new(master.derive("csrf")),
            totp: Sealer::new(master.derive("totp-seeds"))?,
            checkpoint_signer: CheckpointSigner::from_seed(master.derive("audit-checkpoints")),
            chain: Arc::new(ChainKeys::new(ValueMac::new(master.derive("audit-chain")))),
        })
    }
}
