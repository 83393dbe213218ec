//! Each security control's check history: after every assessment, whether
//! a person looked or housekeeping checked, the results worth keeping (see
//! `trustline_domain::control_checks`) are stored.

use trustline_domain::TenantId;
use trustline_domain::control_checks::{ControlCheck, worth_keeping};
use trustline_store::{Store, StoreError};
use trustline_trust::Assessment;

pub async fn keep(store: &dyn Store, tenant: TenantId, assessment: &Assessment) -> Result<(), StoreError> {
    let current = assessment
        .controls
        .iter()
        .map(|c| ControlCheck {
            control_id: c.id.to_owned(),
            status: c.status.as_str().to_owned(),
            evidence: c.evidence.clone(),
            checked_at: c.checked_at,
        })
        .collect();
    let kept = worth_keeping(current, &store.latest_control_checks(tenant).await?);
    if kept.is_empty() {
        return Ok(());
    }
    store.record_control_checks(tenant, &kept).await
}
