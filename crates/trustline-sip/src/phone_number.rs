//! Numbers as they appear in SIP URIs: this edge speaks E.164 (`+` and up
//! to 15 digits) and nothing else, so no outside text reaches a header.

/// `number` if it is E.164, for the user part of a SIP URI.
pub(crate) fn e164_user(number: &str) -> Option<&str> {
    let digits = number.strip_prefix('+')?;
    let is_e164 = (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    is_e164.then_some(number)
}

/// The E.164 number a URI's user part names, accepting the `+` left out
/// (some carriers send `442079460990`).
pub(crate) fn number_of_user(user: &str) -> Option<String> {
    let digits = user.strip_prefix('+').unwrap_or(user);
    let is_number = (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    is_number.then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_e164_goes_out_and_the_plus_is_restored_coming_in() {
        assert_eq!(e164_user("+442079460990"), Some("+442079460990"));
        for bad in ["442079460990", "+", "+44 20", "+4420794609901234", "+44;x=1", "sip:+44@h"] {
            assert_eq!(e164_user(bad), None, "{bad}");
        }
        assert_eq!(number_of_user("442079460990").as_deref(), Some("+442079460990"));
        assert_eq!(number_of_user("+442079460990").as_deref(), Some("+442079460990"));
        for bad in ["alice", "", "+", "1234567890123456", "44%20"] {
            assert_eq!(number_of_user(bad), None, "{bad}");
        }
    }
}
