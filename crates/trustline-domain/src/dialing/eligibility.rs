//! The one gate every dialled call passes, whatever the dialing mode: a
//! contact on the do-not-contact list, restricted, past its attempts, not
//! yet due, or outside its calling window is never dialled.

use super::{AttemptHistory, CallingWindow, RetryRule, WindowClosed};
use crate::UnixTime;

/// What the gate needs to know about the contact, besides its attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactStanding {
    /// On the tenant's do-not-contact list (by flag or by number).
    pub do_not_contact: bool,
    /// Processing restricted at the person's request.
    pub restricted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotDiallable {
    #[error("the contact is on the do-not-contact list")]
    DoNotContact,
    #[error("processing of the contact is restricted")]
    Restricted,
    #[error("the contact is done in this campaign (final outcome or all attempts used)")]
    Finished,
    #[error("the next attempt is due at {0}")]
    NotDue(UnixTime),
    #[error(transparent)]
    Window(#[from] WindowClosed),
}

/// Whether the contact may be dialled at `now`; the first reason it may not.
pub fn may_dial(
    standing: ContactStanding,
    history: &AttemptHistory,
    rule: RetryRule,
    window: &CallingWindow,
    zones: &[&str],
    now: UnixTime,
) -> Result<(), NotDiallable> {
    record_allows(standing, history, rule, now)?;
    window.check(zones, now)?;
    Ok(())
}

/// Whether the person may be called at all, whoever calls: not on the
/// do-not-contact list, not restricted.
pub fn standing_allows(standing: ContactStanding) -> Result<(), NotDiallable> {
    if standing.do_not_contact {
        return Err(NotDiallable::DoNotContact);
    }
    if standing.restricted {
        return Err(NotDiallable::Restricted);
    }
    Ok(())
}

/// Whether the contact's own record lets it be dialled at `now`: every
/// check of [`may_dial`] but the calling window, which depends only on
/// where the contact is and may be shared by many contacts.
pub fn record_allows(standing: ContactStanding, history: &AttemptHistory, rule: RetryRule, now: UnixTime) -> Result<(), NotDiallable> {
    standing_allows(standing)?;
    let due = history.next_attempt_at(rule).ok_or(NotDiallable::Finished)?;
    if due > now {
        return Err(NotDiallable::NotDue(due));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::DispositionOutcome;
    use super::*;
    use proptest::prelude::*;

    const LONDON: [&str; 1] = ["Europe/London"];
    /// Monday 15 June 2026, 10:00 in London.
    const OPEN: UnixTime = 1_781_514_000;

    fn fine() -> ContactStanding {
        ContactStanding { do_not_contact: false, restricted: false }
    }

    #[test]
    fn each_reason_stops_the_call() {
        let window = CallingWindow::new(Some("GB"), None);
        let rule = RetryRule { delay_seconds: 3600, max_attempts: 3 };
        let fresh = AttemptHistory::default();
        assert_eq!(may_dial(fine(), &fresh, rule, &window, &LONDON, OPEN), Ok(()));
        let dnc = ContactStanding { do_not_contact: true, ..fine() };
        assert_eq!(may_dial(dnc, &fresh, rule, &window, &LONDON, OPEN), Err(NotDiallable::DoNotContact));
        let restricted = ContactStanding { restricted: true, ..fine() };
        assert_eq!(may_dial(restricted, &fresh, rule, &window, &LONDON, OPEN), Err(NotDiallable::Restricted));
        let spent = AttemptHistory {
            attempts: 3,
            last_attempt_at: Some(OPEN - 7200),
            last_outcome: Some(DispositionOutcome::RetryLater),
            callback_at: None,
        };
        assert_eq!(may_dial(fine(), &spent, rule, &window, &LONDON, OPEN), Err(NotDiallable::Finished));
        let recent = AttemptHistory { attempts: 1, last_attempt_at: Some(OPEN - 60), ..spent };
        assert_eq!(may_dial(fine(), &recent, rule, &window, &LONDON, OPEN), Err(NotDiallable::NotDue(OPEN + 3540)));
        let night = OPEN + 12 * 3600;
        assert!(matches!(may_dial(fine(), &fresh, rule, &window, &LONDON, night), Err(NotDiallable::Window(_))));
        let callback = AttemptHistory {
            attempts: 1,
            last_attempt_at: Some(OPEN - 60),
            last_outcome: Some(DispositionOutcome::Callback),
            callback_at: Some(OPEN + 600),
        };
        assert_eq!(may_dial(fine(), &callback, rule, &window, &LONDON, OPEN), Err(NotDiallable::NotDue(OPEN + 600)));
        assert_eq!(may_dial(fine(), &callback, rule, &window, &LONDON, OPEN + 600), Ok(()));
        for closed in
            [DispositionOutcome::Success, DispositionOutcome::DoNotCall, DispositionOutcome::WrongNumber, DispositionOutcome::Final]
        {
            let done = AttemptHistory { last_outcome: Some(closed), ..recent };
            assert_eq!(may_dial(fine(), &done, rule, &window, &LONDON, OPEN + 86_400), Err(NotDiallable::Finished), "{closed:?}");
        }
    }

    fn outcome() -> impl Strategy<Value = Option<DispositionOutcome>> {
        prop_oneof![
            Just(None),
            Just(Some(DispositionOutcome::Success)),
            Just(Some(DispositionOutcome::Callback)),
            Just(Some(DispositionOutcome::RetryLater)),
            Just(Some(DispositionOutcome::DoNotCall)),
            Just(Some(DispositionOutcome::WrongNumber)),
            Just(Some(DispositionOutcome::Final)),
        ]
    }

    proptest! {
        /// Whatever the history and the hour: a call the gate lets through
        /// is within the window, off the do-not-contact list and within the
        /// attempts.
        #[test]
        fn a_permitted_call_breaks_no_rule(
            dnc in any::<bool>(), restricted in any::<bool>(), attempts in 0u32..8, last in proptest::option::of(0i64..2_000_000_000),
            last_outcome in outcome(), callback in proptest::option::of(0i64..2_000_000_000), now in 0i64..2_000_000_000,
            max_attempts in 1u32..6, delay in 0u32..86_400,
        ) {
            let window = CallingWindow::new(Some("US"), None);
            let zones = ["America/Chicago", "America/Denver"];
            let history = AttemptHistory { attempts, last_attempt_at: last, last_outcome, callback_at: callback };
            let rule = RetryRule { delay_seconds: delay, max_attempts };
            let standing = ContactStanding { do_not_contact: dnc, restricted };
            if may_dial(standing, &history, rule, &window, &zones, now).is_ok() {
                prop_assert!(!dnc && !restricted);
                prop_assert!(attempts < max_attempts);
                prop_assert!(!last_outcome.is_some_and(DispositionOutcome::closes_contact));
                prop_assert!(window.check(&zones, now).is_ok());
                if let (Some(DispositionOutcome::RetryLater), Some(at)) = (last_outcome, last) {
                    prop_assert!(now >= at + i64::from(delay));
                }
            }
        }
    }
}
