//! Which session a connectivity check is for, read from the check itself:
//! a STUN binding request's USERNAME is "receiver:sender" (RFC 8445
//! §7.2.2), and the receiver's part is the ufrag this side gave one
//! session in its answer. This is the only thing the port reads before a
//! datagram reaches a session, so it is all that a stranger's datagrams cost.

const HEADER: usize = 20;
const BINDING_REQUEST: u16 = 0x0001;
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const USERNAME: u16 = 0x0006;

/// The ufrag a binding request names as its receiver's, if `datagram` is
/// one; anything else (DTLS, SRTP, a malformed message) names none.
pub fn addressed_ufrag(datagram: &[u8]) -> Option<&str> {
    if u16_at(datagram, 0)? != BINDING_REQUEST || datagram.get(4..8)? != MAGIC_COOKIE {
        return None;
    }
    let length = usize::from(u16_at(datagram, 2)?);
    let mut attributes = datagram.get(HEADER..HEADER.checked_add(length)?)?;
    while !attributes.is_empty() {
        let kind = u16_at(attributes, 0)?;
        let size = usize::from(u16_at(attributes, 2)?);
        let value = attributes.get(4..4 + size)?;
        if kind == USERNAME {
            let (receiver, _sender) = std::str::from_utf8(value).ok()?.split_once(':')?;
            return Some(receiver).filter(|ufrag| !ufrag.is_empty());
        }
        // Attributes are padded to four bytes; the last one may end the message unpadded.
        attributes = attributes.get((4 + size.div_ceil(4) * 4).min(attributes.len())..)?;
    }
    None
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let pair = bytes.get(at..at + 2)?;
    Some(u16::from_be_bytes([*pair.first()?, *pair.get(1)?]))
}

#[cfg(test)]
mod tests {
    use super::addressed_ufrag;

    fn request(attributes: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (kind, value) in attributes {
            body.extend_from_slice(&kind.to_be_bytes());
            body.extend_from_slice(&(value.len() as u16).to_be_bytes());
            body.extend_from_slice(value);
            body.resize(body.len().div_ceil(4) * 4, 0);
        }
        let mut message = vec![0x00, 0x01];
        message.extend_from_slice(&(body.len() as u16).to_be_bytes());
        message.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
        message.extend_from_slice(&[9; 12]);
        message.extend_from_slice(&body);
        message
    }

    #[test]
    fn a_binding_request_names_its_receiver() {
        let check = request(&[(0x0024, &[0, 0, 0, 1]), (0x0006, b"Ab3d:xyz9"), (0x0008, &[0; 20])]);
        assert_eq!(addressed_ufrag(&check), Some("Ab3d"));
        // Unpadded odd-length name, last in the message.
        assert_eq!(addressed_ufrag(&request(&[(0x0006, b"abc:de")])), Some("abc"));
    }

    #[test]
    fn anything_else_names_no_session() {
        assert_eq!(addressed_ufrag(&request(&[(0x0024, &[0, 0, 0, 1])])), None, "no USERNAME");
        assert_eq!(addressed_ufrag(&request(&[(0x0006, b"nocolon")])), None);
        assert_eq!(addressed_ufrag(&request(&[(0x0006, b":sender")])), None, "an empty receiver");
        assert_eq!(addressed_ufrag(&request(&[(0x0006, &[0xff, b':', b'a'])])), None, "not UTF-8");
        let mut response = request(&[(0x0006, b"a:b")]);
        response[0..2].copy_from_slice(&[0x01, 0x01]);
        assert_eq!(addressed_ufrag(&response), None, "a response, not a request");
        let mut cookieless = request(&[(0x0006, b"a:b")]);
        cookieless[4] = 0;
        assert_eq!(addressed_ufrag(&cookieless), None);
        let mut overlong = request(&[(0x0006, b"a:b")]);
        overlong[3] = 0xff;
        assert_eq!(addressed_ufrag(&overlong), None, "a length past the datagram");
        let mut cut = request(&[(0x0006, b"abcd:efgh")]);
        cut[23] = 40;
        assert_eq!(addressed_ufrag(&cut), None, "an attribute past the message");
        // DTLS and RTP.
        assert_eq!(addressed_ufrag(&[22, 254, 253, 0, 0]), None);
        assert_eq!(addressed_ufrag(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), None);
        assert_eq!(addressed_ufrag(&[]), None);
    }
}
