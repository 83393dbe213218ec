//! Numbers as they appear in SIP URIs. The edge speaks E.164 only, by the
//! domain's one rule (`E164`), so no outside text reaches a header; coming
//! in, the `+` some carriers leave out is put back.

use trustline_domain::contact::E164;

/// The E.164 number a URI's user part names (`+442079460990`, or
/// `442079460990` as some carriers send it).
pub(crate) fn number_of_user(user: &str) -> Option<E164> {
    let digits = user.strip_prefix('+').unwrap_or(user);
    E164::parse(&format!("+{digits}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plus_is_restored_coming_in_and_nothing_else_passes() {
        assert_eq!(number_of_user("442079460990").map(String::from).as_deref(), Some("+442079460990"));
        assert_eq!(number_of_user("+442079460990").map(String::from).as_deref(), Some("+442079460990"));
        for bad in ["alice", "", "+", "1234567890123456", "44%20", "++442079460990", "44;x=1"] {
            assert_eq!(number_of_user(bad), None, "{bad}");
        }
    }
}
