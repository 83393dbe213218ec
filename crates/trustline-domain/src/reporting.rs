//! Contact-center figures computed from calls: what supervisors watch and
//! export. Pure: the caller supplies the calls of the period.

use crate::dialing::DispositionOutcome;
use crate::routing::ServiceLevel;
use crate::{CallResult, UnixTime};
use serde::Serialize;

/// What a report needs of one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallFacts {
    /// Dialled (outbound) or arrived (inbound); a preview never dialled was not.
    pub placed: bool,
    pub answered_at: Option<UnixTime>,
    pub connected_at: Option<UnixTime>,
    pub ended_at: Option<UnixTime>,
    pub disposed_at: Option<UnixTime>,
    /// `abandoned`, `person`, `busy`, ...
    pub result: Option<CallResult>,
    /// The disposition's outcome.
    pub outcome: Option<DispositionOutcome>,
    /// Time the person spent on hold during the conversation.
    pub hold_seconds: i64,
}

/// Figures over a set of calls. Rates are fractions; absent when their
/// denominator is zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CallKpis {
    pub attempted: u64,
    /// Answered by a person.
    pub reached: u64,
    pub connected: u64,
    pub abandoned: u64,
    pub conversions: u64,
    pub contact_rate: Option<f64>,
    /// Abandoned over reached.
    pub abandonment_rate: Option<f64>,
    /// Conversions over connected calls.
    pub conversion_rate: Option<f64>,
    /// Talk (hold included) plus wrap-up, seconds, over calls with a disposition.
    pub average_handle_seconds: Option<f64>,
    /// Of that, time on hold.
    pub average_hold_seconds: Option<f64>,
    /// Talk plus wrap-up of all calls with a disposition: agents' time on
    /// this work, the basis of its share of the floor's occupancy.
    pub handle_seconds: i64,
    /// Connected within `service_level_seconds` of being answered, over reached.
    pub service_level: Option<f64>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The figures of `calls`; a call counts towards the service level when an
/// agent took it within `service_level_seconds` of the answer.
pub fn call_kpis<'a>(calls: impl IntoIterator<Item = &'a CallFacts>, service_level_seconds: i64) -> CallKpis {
    let mut k = CallKpis::default();
    let (mut handled, mut handle_seconds, mut hold_seconds, mut in_time) = (0u64, 0i64, 0i64, 0u64);
    for call in calls {
        if !call.placed {
            continue;
        }
        k.attempted += 1;
        if call.answered_at.is_some() {
            k.reached += 1;
        }
        if let Some(connected) = call.connected_at {
            k.connected += 1;
            if call.answered_at.is_some_and(|answered| connected - answered <= service_level_seconds) {
                in_time += 1;
            }
            if let Some(disposed) = call.disposed_at {
                handled += 1;
                handle_seconds += (disposed - connected).max(0);
                hold_seconds += call.hold_seconds.max(0);
            }
        }
        k.abandoned += u64::from(call.result == Some(CallResult::Abandoned));
        k.conversions += u64::from(call.outcome == Some(DispositionOutcome::Success));
    }
    k.contact_rate = ratio(k.reached, k.attempted);
    k.abandonment_rate = ratio(k.abandoned, k.reached);
    k.conversion_rate = ratio(k.conversions, k.connected);
    k.average_handle_seconds = (handled > 0).then(|| handle_seconds as f64 / handled as f64);
    k.average_hold_seconds = (handled > 0).then(|| hold_seconds as f64 / handled as f64);
    k.handle_seconds = handle_seconds;
    k.service_level = ratio(in_time, k.reached);
    k
}

/// An agent's calls over a period: those connected to them and closed
/// with a disposition, and their average handle time (talk, hold included,
/// plus wrap-up), as the campaign and queue figures count it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HandledCalls {
    pub calls_handled: u64,
    pub average_handle_seconds: Option<f64>,
}

/// The handled calls among `calls`, each as (connected, disposed) times.
pub fn handled_calls(calls: impl IntoIterator<Item = (Option<UnixTime>, Option<UnixTime>)>) -> HandledCalls {
    let (mut handled, mut seconds) = (0u64, 0i64);
    for (connected, disposed) in calls {
        if let (Some(connected), Some(disposed)) = (connected, disposed) {
            handled += 1;
            seconds += (disposed - connected).max(0);
        }
    }
    HandledCalls { calls_handled: handled, average_handle_seconds: (handled > 0).then(|| seconds as f64 / handled as f64) }
}

/// What a queue report needs of one inbound call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundFacts {
    pub arrived_at: UnixTime,
    /// When an agent took it.
    pub connected_at: Option<UnixTime>,
    /// When the caller left (hung up, accepted a callback) or the call ended.
    pub ended_at: Option<UnixTime>,
    pub disposed_at: Option<UnixTime>,
    /// The caller took the callback offer and left the line.
    pub callback_requested: bool,
    /// `person`, `abandoned`, `closed`, ...
    pub result: Option<CallResult>,
    pub outcome: Option<DispositionOutcome>,
    /// Time the caller spent on hold during the conversation.
    pub hold_seconds: i64,
}

/// A queue's figures. Rates are fractions; absent when their denominator
/// is zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct QueueKpis {
    /// Calls that arrived while the queue was open.
    pub offered: u64,
    pub answered: u64,
    /// Callers who hung up before an agent took the call.
    pub abandoned: u64,
    /// Callers who took the callback offer (their waits and answers are
    /// outside the service level).
    pub callbacks: u64,
    /// Calls that arrived while the queue was closed.
    pub closed: u64,
    pub conversions: u64,
    /// Answered within the goal, over answered plus abandoned after it.
    pub service_level: Option<f64>,
    pub abandonment_rate: Option<f64>,
    pub average_wait_seconds: Option<f64>,
    pub longest_wait_seconds: Option<i64>,
    /// Talk (hold included) plus wrap-up, over calls with a disposition.
    pub average_handle_seconds: Option<f64>,
    /// Of that, time on hold.
    pub average_hold_seconds: Option<f64>,
    /// Talk plus wrap-up of all calls with a disposition.
    pub handle_seconds: i64,
}

/// The figures of a queue's `calls` against a service-level threshold.
pub fn queue_kpis<'a>(calls: impl IntoIterator<Item = &'a InboundFacts>, service_level_seconds: u32) -> QueueKpis {
    let mut k = QueueKpis::default();
    let mut level = ServiceLevel::new(u64::from(service_level_seconds) * 1000);
    let (mut waited, mut handled, mut handle_seconds, mut hold_seconds) = (0i64, 0u64, 0i64, 0i64);
    let ms = |seconds: i64| u64::try_from(seconds.max(0)).unwrap_or(0).saturating_mul(1000);
    for call in calls {
        let result = call.result;
        if result == Some(CallResult::Closed) {
            k.closed += 1;
            continue;
        }
        k.offered += 1;
        k.conversions += u64::from(call.outcome == Some(DispositionOutcome::Success));
        if let (Some(connected), Some(disposed)) = (call.connected_at, call.disposed_at) {
            handled += 1;
            handle_seconds += (disposed - connected).max(0);
            hold_seconds += call.hold_seconds.max(0);
        }
        if call.callback_requested {
            k.callbacks += 1;
            continue;
        }
        if let Some(connected) = call.connected_at {
            let wait = (connected - call.arrived_at).max(0);
            k.answered += 1;
            waited += wait;
            k.longest_wait_seconds = k.longest_wait_seconds.max(Some(wait));
            level.answered(ms(wait));
        } else if result == Some(CallResult::Abandoned) {
            k.abandoned += 1;
            let wait = call.ended_at.map_or(0, |ended| (ended - call.arrived_at).max(0));
            k.longest_wait_seconds = k.longest_wait_seconds.max(Some(wait));
            level.abandoned(ms(wait));
        }
    }
    k.service_level = level.share();
    k.abandonment_rate = ratio(k.abandoned, k.offered);
    k.average_wait_seconds = (k.answered > 0).then(|| waited as f64 / k.answered as f64);
    k.average_handle_seconds = (handled > 0).then(|| handle_seconds as f64 / handled as f64);
    k.average_hold_seconds = (handled > 0).then(|| hold_seconds as f64 / handled as f64);
    k.handle_seconds = handle_seconds;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handled_calls_are_those_connected_and_disposed() {
        let calls = [(Some(100), Some(160)), (Some(200), None), (None, None), (Some(300), Some(420)), (Some(500), Some(490))];
        assert_eq!(handled_calls(calls), HandledCalls { calls_handled: 3, average_handle_seconds: Some(60.0) });
        assert_eq!(handled_calls([]), HandledCalls::default());
    }

    fn call(answered: Option<i64>, connected: Option<i64>, disposed: Option<i64>, result: &str, outcome: Option<&str>) -> CallFacts {
        CallFacts {
            placed: true,
            answered_at: answered,
            connected_at: connected,
            ended_at: connected.map(|c| c + 60),
            disposed_at: disposed,
            result: Some(CallResult::parse(result).unwrap()),
            outcome: outcome.map(|o| DispositionOutcome::parse(o).unwrap()),
            hold_seconds: 0,
        }
    }

    #[test]
    fn figures_count_what_they_say() {
        let calls = [
            CallFacts { hold_seconds: 30, ..call(Some(10), Some(10), Some(130), "person", Some("success")) },
            call(Some(20), Some(50), Some(110), "person", Some("final")),
            call(Some(30), None, None, "abandoned", None),
            call(None, None, None, "busy", None),
            CallFacts { placed: false, ..call(None, None, None, "skipped", None) },
        ];
        let k = call_kpis(&calls, 20);
        assert_eq!((k.attempted, k.reached, k.connected, k.abandoned, k.conversions), (4, 3, 2, 1, 1));
        assert_eq!(k.contact_rate, Some(0.75));
        assert_eq!(k.abandonment_rate, Some(1.0 / 3.0));
        assert_eq!(k.conversion_rate, Some(0.5));
        assert_eq!(k.average_handle_seconds, Some(90.0));
        assert_eq!(k.average_hold_seconds, Some(15.0), "30 s on hold over two handled calls");
        assert_eq!(k.handle_seconds, 180);
        assert_eq!(k.service_level, Some(1.0 / 3.0), "one of three answered calls reached an agent within 20 s");
        assert_eq!(call_kpis(&[], 20).contact_rate, None);
    }

    fn inbound(arrived: i64, connected: Option<i64>, ended: Option<i64>, result: &str) -> InboundFacts {
        InboundFacts {
            arrived_at: arrived,
            connected_at: connected,
            ended_at: ended,
            disposed_at: connected.map(|c| c + 100),
            callback_requested: result == "callback",
            // A caller who took a callback has no result yet.
            result: CallResult::parse(result).ok(),
            outcome: connected.map(|_| DispositionOutcome::Success),
            hold_seconds: connected.map_or(0, |_| 10),
        }
    }

    #[test]
    fn queue_figures_hold_late_abandons_against_the_service_level() {
        let calls = [
            inbound(0, Some(5), Some(60), "person"),
            inbound(0, Some(30), Some(90), "person"),
            inbound(0, None, Some(3), "abandoned"),
            inbound(0, None, Some(45), "abandoned"),
            inbound(0, Some(600), Some(10), "callback"),
            inbound(0, None, Some(0), "closed"),
        ];
        let k = queue_kpis(&calls, 20);
        assert_eq!((k.offered, k.answered, k.abandoned, k.callbacks, k.closed, k.conversions), (5, 2, 2, 1, 1, 3));
        assert_eq!(k.service_level, Some(1.0 / 3.0), "5 s in time; 30 s late; the 45 s abandon counts, the 3 s one does not");
        assert_eq!(k.abandonment_rate, Some(0.4));
        assert_eq!(k.average_wait_seconds, Some(17.5));
        assert_eq!(k.longest_wait_seconds, Some(45));
        assert_eq!(k.average_handle_seconds, Some(100.0), "the called-back caller's conversation counts too");
        assert_eq!(k.average_hold_seconds, Some(10.0));
        assert_eq!(k.handle_seconds, 300);
        assert_eq!(queue_kpis(&[], 20), QueueKpis::default());
    }
}
