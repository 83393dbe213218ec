//! What the detection rules look at, read from audit events.

use crate::{AuditAction, UnixTime};

/// The fields of an audit event the rules need.
#[derive(Clone, Copy, Debug)]
pub struct AuditFields<'a> {
    pub at: UnixTime,
    pub actor: &'a str,
    pub action: &'a str,
    /// What the event is about (`user:7`).
    pub target: &'a str,
    pub outcome: &'a str,
    /// The client address.
    pub source: &'a str,
    /// The event's details (JSON).
    pub details: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// A sign-in, or a confirmation of one's current password, refused for
    /// wrong credentials or throttling; `account` is the MAC of the username.
    SignInFailure { at: UnixTime, account: String, source: String },
    /// A second-factor code refused (wrong, or the second factor locked)
    /// after a correct password; `account` is the account's audit target.
    SecondFactorFailure { at: UnixTime, account: String, source: String },
    /// An authenticated caller refused by the permission check.
    AccessDenied { at: UnixTime, actor: String, source: String },
    /// A full view or export of one person's data.
    PersonalDataRead { at: UnixTime, actor: String, source: String },
}

fn detail(details: &str, key: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(details).ok()?.get(key)?.as_str().map(str::to_owned)
}

/// The signal an audit event carries, if any.
pub fn signal_of(event: AuditFields<'_>) -> Option<Signal> {
    let (at, source) = (event.at, event.source.to_owned());
    use AuditAction::{AccessDenied, ContactReveal, DeskPhoneRegister, SessionLogin, SessionMfa, SubjectExport, UserPasswordChange};
    match (AuditAction::from_name(event.action), event.outcome) {
        // Confirming one's current password, or a desk phone's digest answer, is a password guess too.
        (Some(SessionLogin | UserPasswordChange | DeskPhoneRegister), "failure" | "denied") => {
            Some(Signal::SignInFailure { at, account: detail(event.details, "username_mac").unwrap_or_default(), source })
        }
        (Some(SessionMfa), "failure" | "denied") => Some(Signal::SecondFactorFailure { at, account: event.target.to_owned(), source }),
        (Some(AccessDenied), _) => Some(Signal::AccessDenied { at, actor: event.actor.to_owned(), source }),
        (Some(ContactReveal | SubjectExport), "success") => Some(Signal::PersonalDataRead { at, actor: event.actor.to_owned(), source }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(action: AuditAction, outcome: &'a str, details: &'a str) -> AuditFields<'a> {
        AuditFields { at: 10, actor: "user:7", action: action.name(), target: "user:7", outcome, source: "203.0.113.9", details }
    }

    #[test]
    fn events_become_signals() {
        let failed = signal_of(event(AuditAction::SessionLogin, "failure", r#"{"username_mac":"ab12","reason":"invalid_credentials"}"#));
        assert_eq!(failed, Some(Signal::SignInFailure { at: 10, account: "ab12".into(), source: "203.0.113.9".into() }));
        assert!(matches!(signal_of(event(AuditAction::AccessDenied, "denied", "{}")), Some(Signal::AccessDenied { .. })));
        let code = signal_of(event(AuditAction::SessionMfa, "failure", "{}"));
        assert_eq!(code, Some(Signal::SecondFactorFailure { at: 10, account: "user:7".into(), source: "203.0.113.9".into() }));
        assert!(matches!(signal_of(event(AuditAction::SessionMfa, "denied", "{}")), Some(Signal::SecondFactorFailure { .. })));
        assert_eq!(signal_of(event(AuditAction::SessionMfa, "success", "{}")), None);
        assert!(matches!(signal_of(event(AuditAction::ContactReveal, "success", "{}")), Some(Signal::PersonalDataRead { .. })));
        assert_eq!(signal_of(event(AuditAction::SessionLogin, "success", "{}")), None);
        let changed = signal_of(event(AuditAction::UserPasswordChange, "failure", r#"{"username_mac":"cd34"}"#));
        assert_eq!(changed, Some(Signal::SignInFailure { at: 10, account: "cd34".into(), source: "203.0.113.9".into() }));
        assert_eq!(signal_of(event(AuditAction::UserPasswordChange, "success", "{}")), None);
        assert_eq!(signal_of(event(AuditAction::ContactView, "success", "{}")), None);
    }
}
