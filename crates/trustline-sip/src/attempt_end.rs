//! How a dialled call that nobody answered ended, and what the dialer makes
//! of it. A Q.850 cause in the carrier's `Reason` header wins over the SIP
//! answer: carriers map ISDN causes to SIP answers in different ways
//! (RFC 3398 is only advice), while the cause is what the far network said.

use crate::reason::{Reason, ReasonProtocol};
use trustline_telephony::CallFailure;

/// How a SIP call attempt ended before anyone answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptEnd {
    /// A final answer from the carrier (3xx to 6xx), with the reasons of
    /// its `Reason` header.
    Refused { status: u16, reasons: Vec<Reason> },
    /// This side cancelled the INVITE when the ring timeout ran out.
    RingTimeout,
    /// The carrier never answered the INVITE (Timer B: 64 × T1).
    NoResponse,
}

impl AttemptEnd {
    /// What the dialer records for this ending.
    pub fn failure(&self) -> CallFailure {
        match self {
            AttemptEnd::RingTimeout => CallFailure::NoAnswer,
            AttemptEnd::NoResponse => CallFailure::CarrierFailure,
            AttemptEnd::Refused { status, reasons } => reasons
                .iter()
                .filter(|r| r.protocol == ReasonProtocol::Q850)
                .find_map(|r| q850_failure(r.cause))
                .unwrap_or_else(|| status_failure(*status)),
        }
    }
}

/// The Q.850 causes that say something about the called number or person;
/// the rest (normal clearing, unspecified) leave it to the SIP answer.
fn q850_failure(cause: u16) -> Option<CallFailure> {
    Some(match cause {
        // User busy.
        17 => CallFailure::Busy,
        // Call rejected by the called person: tried again later, like busy;
        // the number itself is fine.
        21 => CallFailure::Busy,
        // No user responding; no answer from the user (alerted).
        18 | 19 => CallFailure::NoAnswer,
        // Unallocated number, no route to destination, number changed,
        // invalid number format.
        1 | 3 | 22 | 28 => CallFailure::Rejected,
        // No circuit, network out of order, temporary failure, switching
        // equipment congestion, resource unavailable, and the 50s-100s
        // (service, bearer and protocol errors).
        34 | 38 | 41 | 42 | 47 | 50..=127 => CallFailure::CarrierFailure,
        _ => return None,
    })
}

fn status_failure(status: u16) -> CallFailure {
    match status {
        486 | 600 => CallFailure::Busy,
        // Declined by the person at the phone: retried later, like busy.
        603 => CallFailure::Busy,
        408 | 480 | 487 => CallFailure::NoAnswer,
        404 | 410 | 484 | 604 => CallFailure::Rejected,
        // 403, 5xx, redirects not followed, our own request refused (401,
        // 407 after the credentials, 488, 606): the carrier did not carry it.
        _ => CallFailure::CarrierFailure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answer(status: u16) -> CallFailure {
        AttemptEnd::Refused { status, reasons: Vec::new() }.failure()
    }

    fn with_cause(status: u16, header: &str) -> CallFailure {
        let reasons = Reason::parse_all(header).unwrap_or_default();
        AttemptEnd::Refused { status, reasons }.failure()
    }

    #[test]
    fn busy() {
        assert_eq!(answer(486), CallFailure::Busy);
        assert_eq!(answer(600), CallFailure::Busy);
        assert_eq!(answer(603), CallFailure::Busy, "declined at the phone");
        assert_eq!(with_cause(480, "Q.850;cause=17"), CallFailure::Busy, "the cause wins over the answer");
    }

    #[test]
    fn no_answer() {
        assert_eq!(answer(408), CallFailure::NoAnswer);
        assert_eq!(answer(480), CallFailure::NoAnswer);
        assert_eq!(AttemptEnd::RingTimeout.failure(), CallFailure::NoAnswer, "our CANCEL after the ring timeout");
        assert_eq!(with_cause(503, "Q.850;cause=19"), CallFailure::NoAnswer);
    }

    #[test]
    fn rejected() {
        assert_eq!(answer(404), CallFailure::Rejected);
        assert_eq!(answer(484), CallFailure::Rejected);
        assert_eq!(answer(604), CallFailure::Rejected);
        assert_eq!(with_cause(503, "Q.850;cause=1;text=\"Unallocated number\""), CallFailure::Rejected);
    }

    #[test]
    fn carrier_failure() {
        assert_eq!(answer(403), CallFailure::CarrierFailure);
        for status in [500, 502, 503, 504, 580] {
            assert_eq!(answer(status), CallFailure::CarrierFailure, "{status}");
        }
        assert_eq!(with_cause(486, "Q.850;cause=34"), CallFailure::CarrierFailure, "no circuit, whatever the answer");
        assert_eq!(AttemptEnd::NoResponse.failure(), CallFailure::CarrierFailure, "Timer B");
    }

    #[test]
    fn a_cause_that_says_nothing_leaves_it_to_the_answer_and_sip_reasons_do_not_override() {
        assert_eq!(with_cause(486, "Q.850;cause=16"), CallFailure::Busy, "normal clearing");
        assert_eq!(with_cause(404, "SIP;cause=486"), CallFailure::Rejected, "a SIP reason restates an answer");
        assert_eq!(with_cause(404, "SIP;cause=486, Q.850;cause=17"), CallFailure::Busy, "the Q.850 one wins");
    }

    proptest! {
        #[test]
        fn every_answer_and_cause_has_a_failure_and_the_cause_decides_when_it_says_something(
            status in 300u16..700, cause in 0u16..1000,
        ) {
            let reasons = vec![Reason { protocol: ReasonProtocol::Q850, cause }];
            let failure = AttemptEnd::Refused { status, reasons }.failure();
            match q850_failure(cause) {
                Some(by_cause) => prop_assert_eq!(failure, by_cause),
                None => prop_assert_eq!(failure, status_failure(status)),
            }
        }
    }
}
