//! How the SIP edge signs desk phones in: through the installation's own
//! sign-in rules (throttle, audit, the sealed secrets), where the keys are.

use trustline_app::{AppError, DESK_PHONE_REALM, DeskPhoneAttempt, SignIn};
use trustline_sip::{DeskPhoneGate, PhoneAttempt, PhoneHolder};

pub struct DeskPhoneSignIn(pub SignIn);

#[async_trait::async_trait]
impl DeskPhoneGate for DeskPhoneSignIn {
    fn realm(&self) -> &str {
        DESK_PHONE_REALM
    }

    async fn sign_in(&self, attempt: PhoneAttempt) -> Option<PhoneHolder> {
        let source = attempt.source.to_string();
        let checked = DeskPhoneAttempt {
            username: &attempt.username,
            answer: &attempt.answer,
            source: &source,
            over_tls: attempt.over_tls,
            renewal: attempt.renewal,
        };
        match self.0.sign_in_desk_phone(checked).await {
            Ok(holder) => Some(PhoneHolder { tenant: holder.tenant, user: holder.user }),
            Err(AppError::InvalidCredentials | AppError::TooManyGuesses) => None,
            Err(error) => {
                tracing::warn!(%error, "a desk phone's sign-in could not be checked; it is refused");
                None
            }
        }
    }
}
