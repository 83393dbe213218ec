//! The training gate: revealing or exporting personal data needs every
//! required security course to be current. Called by the guard, so it
//! holds for every route of those actions.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use trustline_domain::training::{TrainingLapsed, training_current};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{Store, StoreError};

/// Whether `user`'s required training is current at `now`.
pub(crate) async fn standing(
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

pub(crate) async fn check(state: &AppState, principal: &Principal) -> Result<(), ApiError> {
    match standing(state.store.as_ref(), principal.tenant.id, principal.user.id, state.clock.now()).await? {
        Ok(()) => Ok(()),
        Err(lapse) => {
            Err(ApiError::new(ErrorCode::TrainingLapsed, format!("{lapse}: complete it before revealing or exporting personal data")))
        }
    }
}
