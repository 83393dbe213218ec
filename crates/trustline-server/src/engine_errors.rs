//! How the call engine's refusals reach API clients: each error to its code.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use trustline_dialer::{CallError, DeskError, DispositionError, MoveError};
use trustline_telephony::TelephonyError;

impl From<MoveError> for ApiError {
    fn from(error: MoveError) -> Self {
        match error {
            MoveError::Illegal(e) => ApiError::new(ErrorCode::IllegalTransition, e.to_string()),
            MoveError::Store(e) => ApiError::from(e),
        }
    }
}

impl From<CallError> for ApiError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Store(e) => e.into(),
            CallError::Move(e) => e.into(),
            CallError::Contact(e) => e.into(),
        }
    }
}

impl From<DeskError> for ApiError {
    fn from(error: DeskError) -> Self {
        match error {
            DeskError::NotFound => ApiError::not_found(),
            DeskError::WrongState(..) | DeskError::Preview | DeskError::Incoming | DeskError::LineGone => {
                ApiError::new(ErrorCode::WrongCallState, error.to_string())
            }
            DeskError::NotDiallable(_) => ApiError::new(ErrorCode::NotDiallable, error.to_string()),
            DeskError::NoTelephony => ApiError::new(ErrorCode::NoTelephony, error.to_string()),
            DeskError::NoSuch(_) => ApiError::new(ErrorCode::UnknownReference, error.to_string()),
            DeskError::TargetUnavailable(_) => ApiError::new(ErrorCode::TransferUnavailable, error.to_string()),
            DeskError::Call(e) => e.into(),
            DeskError::Telephony(e) => e.into(),
        }
    }
}

impl From<DispositionError> for ApiError {
    fn from(error: DispositionError) -> Self {
        match error {
            DispositionError::Unknown(..) => {
                ApiError::unknown_references(vec![trustline_domain::contact::FieldError::new("disposition", error.to_string())])
            }
            DispositionError::Callback(e) => ApiError::new(ErrorCode::InvalidCallback, e.to_string()),
            DispositionError::Desk(e) => e.into(),
        }
    }
}

impl From<TelephonyError> for ApiError {
    fn from(error: TelephonyError) -> Self {
        let code = match error {
            TelephonyError::BadOffer(_) => ErrorCode::InvalidOffer,
            TelephonyError::BadDigits(_) => ErrorCode::InvalidKeys,
            TelephonyError::NoAudioYet | TelephonyError::NotAtDesk => ErrorCode::WrongCallState,
            TelephonyError::DeskOffline => ErrorCode::DeskOffline,
            TelephonyError::NoSoftphone => ErrorCode::NoSoftphone,
            TelephonyError::SoftphonesFull => ErrorCode::SoftphonesFull,
            TelephonyError::NoDeskPhone => ErrorCode::NoDeskPhone,
            TelephonyError::DeskPhoneUnanswered(_) => ErrorCode::DeskPhoneUnanswered,
            TelephonyError::Unavailable(_) | TelephonyError::UnknownCall | TelephonyError::BadNumber(_) | TelephonyError::NoTrunk => {
                ErrorCode::NoTelephony
            }
        };
        ApiError::new(code, error.to_string())
    }
}
