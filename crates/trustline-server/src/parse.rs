//! Small parsers of client input, kept separate so they can be fuzzed.

/// The value of cookie `name` in one `Cookie` header value.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The raw (still URL-encoded) value of field `name` in a form body; the last
/// one wins if it repeats.
pub fn form_field<'a>(body: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    body.split(|b| *b == b'&').filter_map(|pair| pair.strip_prefix(name)?.strip_prefix(b"=")).next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies() {
        assert_eq!(cookie("a=1; tl_session=xyz; b=2", "tl_session"), Some("xyz"));
        assert_eq!(cookie("tl_session_old=1", "tl_session"), None);
        assert_eq!(cookie("", "tl_session"), None);
        assert_eq!(cookie(";;=;tl_session", "tl_session"), None);
    }

    #[test]
    fn form_fields() {
        assert_eq!(form_field(b"code=1&csrf=abc", b"csrf"), Some(&b"abc"[..]));
        assert_eq!(form_field(b"csrfx=1", b"csrf"), None);
        assert_eq!(form_field(b"csrf=a&csrf=b", b"csrf"), Some(&b"b"[..]));
        assert_eq!(form_field(b"", b"csrf"), None);
    }
}
