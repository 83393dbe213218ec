//! The training gate at the edge: revealing or exporting personal data needs
//! every required security course to be current. Called by the guard, so it
//! holds for every route of those actions.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use trustline_app::training_standing;

pub(crate) async fn check(state: &AppState, principal: &Principal) -> Result<(), ApiError> {
    match training_standing(state.store.as_ref(), principal.tenant.id, principal.user.id, state.clock.now()).await? {
        Ok(()) => Ok(()),
        Err(lapse) => {
            Err(ApiError::new(ErrorCode::TrainingLapsed, format!("{lapse}: complete it before revealing or exporting personal data")))
        }
    }
}
