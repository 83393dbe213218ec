//! A tenant's evidence bundle for a period: the controls report as assessed
//! now, and the audit log covering the period between two signed
//! checkpoints (the head is checkpointed first, so the period's end is
//! always pinned).

use crate::Keys;
use trustline_audit::Checkpoint;
use trustline_domain::{PeriodError, TenantId, UnixTime};
use trustline_evidence::{BundleContents, BundleError, Period};
use trustline_store::{Store, StoreError};
use trustline_trust::Assessment;

const PAGE: u32 = 5_000;
/// The longest period a bundle covers: a year, and a day for leap years.
pub const MAX_EVIDENCE_PERIOD_SECONDS: i64 = 366 * 86_400;

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the bundle could not be written: {0}")]
    Bundle(#[from] BundleError),
}

/// Checks a period given by a caller as `seconds` from `from`.
pub fn evidence_period_lasting(from: UnixTime, seconds: i64) -> Result<Period, EvidenceError> {
    let period = trustline_domain::Period::lasting(from, seconds, MAX_EVIDENCE_PERIOD_SECONDS)?;
    Ok(Period { from: period.from, to: period.to })
}

/// Checks a period given by a caller.
pub fn evidence_period(from: UnixTime, to: UnixTime) -> Result<Period, EvidenceError> {
    let period = trustline_domain::Period::new(from, to, MAX_EVIDENCE_PERIOD_SECONDS)?;
    Ok(Period { from: period.from, to: period.to })
}

/// The positions `lo..=hi` of the events in `period` up to `head`: `lo` is
/// the first at or after its start, `hi` the last before its end.
async fn period_positions(store: &dyn Store, tenant: TenantId, period: Period, head: i64) -> Result<(i64, i64), StoreError> {
    let (mut lo, mut hi) = (None, 0);
    let mut after = 0;
    while after < head {
        let page = store.audit_events(tenant, after, PAGE).await?;
        let Some(last) = page.last().map(|e| e.body.seq) else { break };
        for event in page.iter().filter(|e| e.body.seq <= head) {
            if event.body.at >= period.from && lo.is_none() {
                lo = Some(event.body.seq);
            }
            if event.body.at < period.to {
                hi = event.body.seq;
            }
        }
        after = last;
    }
    Ok((lo.unwrap_or(head + 1), hi))
}

/// The bundle's bytes, signed with the installation's audit signing key.
pub async fn evidence_bundle(
    store: &dyn Store,
    keys: &Keys,
    tenant: TenantId,
    assessment: &Assessment,
    period: Period,
    now: UnixTime,
) -> Result<Vec<u8>, EvidenceError> {
    crate::checkpoints::write_checkpoint(store, &keys.checkpoint_signer, tenant, now).await?;
    let signed = store.checkpoints(tenant).await?;
    // Events appended since are after the bundle's end.
    let head = signed.iter().map(|c| c.seq).max().unwrap_or(0);
    let (lo, hi) = period_positions(store, tenant, period, head).await?;
    let (events, checkpoints) = if head == 0 {
        (Vec::new(), Vec::new())
    } else {
        // From just after the last checkpoint before the period (or the
        // chain's start) to the first checkpoint at or after its end; at
        // least one event, so that a quiet period is still pinned.
        let target_lo = lo.min(head);
        let target_hi = hi.max(target_lo).min(head);
        let start = signed.iter().map(|c| c.seq).filter(|seq| *seq < target_lo).max().unwrap_or(0);
        let end = signed.iter().map(|c| c.seq).filter(|seq| *seq >= target_hi).min().unwrap_or(head);
        let mut events = Vec::new();
        let mut after = start;
        while after < end {
            let page = store.audit_events(tenant, after, PAGE.min(u32::try_from(end - after).unwrap_or(PAGE))).await?;
            let Some(last) = page.last().map(|e| e.body.seq) else { break };
            events.extend(page);
            after = last;
        }
        let checkpoints: Vec<Checkpoint> = signed.into_iter().filter(|c| c.seq >= start && c.seq <= end && c.seq > 0).collect();
        (events, checkpoints)
    };
    let contents =
        BundleContents { tenant_id: tenant.0, period, generated_at: now, assessment, events: &events, checkpoints: &checkpoints };
    Ok(trustline_evidence::write_bundle(&contents, &keys.checkpoint_signer)?)
}
