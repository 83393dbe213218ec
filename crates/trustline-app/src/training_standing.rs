//! Whether a person's required security training is current: revealing or
//! exporting personal data needs it (the edge's guard asks before every such
//! action), and the training page shows it.

use trustline_domain::training::{TrainingLapsed, training_current};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{Store, StoreError};

/// `Err(lapse)` inside names the first required course that is missing or
/// out of date at `now`.
pub async fn training_standing(
    store: &dyn Store,
    tenant: TenantId,
    user: UserId,
    now: UnixTime,
) -> Result<Result<(), TrainingLapsed>, StoreError> {
    let courses = store.courses(tenant).await?;
    if !courses.iter().any(|c| c.required) {
        return Ok(Ok(()));
    }
    let completions: Vec<(i64, UnixTime)> =
        store.completions(tenant, Some(user)).await?.into_iter().map(|(_, course, at)| (course, at)).collect();
    Ok(training_current(&courses, &completions, now))
}
