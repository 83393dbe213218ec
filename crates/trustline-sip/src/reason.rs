//! The `Reason` header (RFC 3326): why a call ended, as a SIP status or an
//! ISDN (Q.850) cause, e.g. `Q.850;cause=17;text="User busy"`. A header may
//! hold several, separated by commas. Outside input: parsed strictly, with
//! a bounded size, and never trusted beyond its numbers.

/// Longest header value read; carriers send a few dozen bytes.
const MAX_LEN: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonProtocol {
    Sip,
    Q850,
}

/// One reason: its protocol and cause. The free text is not kept (it is the
/// carrier's wording and may carry anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason {
    pub protocol: ReasonProtocol,
    pub cause: u16,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("the Reason header is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("reason {index} of the Reason header has no `cause` parameter")]
    NoCause { index: usize },
    #[error("reason {index} of the Reason header has a cause that is not a number from 0 to 999")]
    BadCause { index: usize },
}

impl Reason {
    /// The reasons of one `Reason` header value, in order. Protocols other
    /// than SIP and Q.850 (RFC 3326 allows others) are passed over.
    pub fn parse_all(value: &str) -> Result<Vec<Reason>, ReasonError> {
        if value.len() > MAX_LEN {
            return Err(ReasonError::TooLong);
        }
        let mut reasons = Vec::new();
        for (index, one) in split_outside_quotes(value).into_iter().enumerate() {
            let mut parts = one.split(';').map(str::trim);
            let protocol = match parts.next().map(str::to_ascii_uppercase).as_deref() {
                Some("SIP") => ReasonProtocol::Sip,
                Some("Q.850") => ReasonProtocol::Q850,
                _ => continue,
            };
            let cause = parts
                .filter_map(|p| p.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("cause"))
                .map(|(_, v)| v.trim())
                .ok_or(ReasonError::NoCause { index })?;
            let cause = Some(cause)
                .filter(|c| (1..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or(ReasonError::BadCause { index })?;
            reasons.push(Reason { protocol, cause });
        }
        Ok(reasons)
    }
}

/// Splits at commas that are not inside a quoted `text`.
fn split_outside_quotes(value: &str) -> Vec<&str> {
    let (mut pieces, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (at, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                pieces.push(value.get(start..at).unwrap_or_default());
                start = at + 1;
            }
            _ => {}
        }
    }
    pieces.push(value.get(start..).unwrap_or_default());
    pieces.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn carriers_reasons_are_read() {
        let q850 = |cause| Reason { protocol: ReasonProtocol::Q850, cause };
        assert_eq!(Reason::parse_all(r#"Q.850;cause=17;text="User busy""#), Ok(vec![q850(17)]));
        assert_eq!(Reason::parse_all("q.850 ; CAUSE = 34"), Ok(vec![q850(34)]));
        assert_eq!(
            Reason::parse_all(r#"SIP;cause=486;text="Busy, here", Q.850;cause=17"#),
            Ok(vec![Reason { protocol: ReasonProtocol::Sip, cause: 486 }, q850(17)]),
            "a comma inside the quoted text does not split"
        );
        assert_eq!(Reason::parse_all("preemption;cause=1, Q.850;cause=1"), Ok(vec![q850(1)]), "other protocols passed over");
        assert_eq!(Reason::parse_all(""), Ok(vec![]));
    }

    #[test]
    fn bad_reasons_say_which_and_why() {
        assert_eq!(Reason::parse_all("Q.850;text=\"x\""), Err(ReasonError::NoCause { index: 0 }));
        assert_eq!(Reason::parse_all("SIP;cause=200, Q.850;cause=abc"), Err(ReasonError::BadCause { index: 1 }));
        assert_eq!(Reason::parse_all("Q.850;cause=1000"), Err(ReasonError::BadCause { index: 0 }));
        assert_eq!(Reason::parse_all("Q.850;cause=+17"), Err(ReasonError::BadCause { index: 0 }));
        assert_eq!(Reason::parse_all(&"Q.850;cause=17,".repeat(100)), Err(ReasonError::TooLong));
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panic(value in ".{0,300}") {
            if let Ok(reasons) = Reason::parse_all(&value) {
                prop_assert!(reasons.iter().all(|r| r.cause <= 999));
            }
        }
    }
}
