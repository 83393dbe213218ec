//! Contact-center figures computed from calls: what supervisors watch and
//! export. Pure: the caller supplies the calls of the period.

use crate::UnixTime;
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
    pub result: Option<String>,
    /// The disposition's outcome, e.g. `success`.
    pub outcome: Option<String>,
}

/// Figures over a set of calls. Rates are fractions; absent when their
/// denominator is zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    /// Talk plus wrap-up, seconds, over calls with a disposition.
    pub average_handle_seconds: Option<f64>,
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
    let (mut handled, mut handle_seconds, mut in_time) = (0u64, 0i64, 0u64);
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
            }
        }
        k.abandoned += u64::from(call.result.as_deref() == Some("abandoned"));
        k.conversions += u64::from(call.outcome.as_deref() == Some("success"));
    }
    k.contact_rate = ratio(k.reached, k.attempted);
    k.abandonment_rate = ratio(k.abandoned, k.reached);
    k.conversion_rate = ratio(k.conversions, k.connected);
    k.average_handle_seconds = (handled > 0).then(|| handle_seconds as f64 / handled as f64);
    k.service_level = ratio(in_time, k.reached);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(answered: Option<i64>, connected: Option<i64>, disposed: Option<i64>, result: &str, outcome: Option<&str>) -> CallFacts {
        CallFacts {
            placed: true,
            answered_at: answered,
            connected_at: connected,
            ended_at: connected.map(|c| c + 60),
            disposed_at: disposed,
            result: Some(result.into()),
            outcome: outcome.map(str::to_owned),
        }
    }

    #[test]
    fn figures_count_what_they_say() {
        let calls = [
            call(Some(10), Some(10), Some(130), "person", Some("success")),
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
        assert_eq!(k.service_level, Some(1.0 / 3.0), "one of three answered calls reached an agent within 20 s");
        assert_eq!(call_kpis(&[], 20).contact_rate, None);
    }
}
