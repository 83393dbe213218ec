/// RFC 4648 base32 without padding, as authenticator apps expect TOTP secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let symbol = |index: u32| ALPHABET.get(index as usize & 31).map_or('A', |b| char::from(*b));
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(symbol(buffer >> bits));
        }
    }
    if bits > 0 {
        out.push(symbol(buffer << (5 - bits)));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc4648_vectors() {
        assert_eq!(super::base32_encode(b""), "");
        assert_eq!(super::base32_encode(b"f"), "MY");
        assert_eq!(super::base32_encode(b"foobar"), "MZXW6YTBOI");
    }
}

/// Decodes RFC 4648 base32 (upper or lower case, padding and spaces ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !matches!(c, b'=' | b' ')) {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod decode_tests {
    #[test]
    fn round_trips() {
        for input in [&b""[..], b"f", b"fo", b"foobar", &[0xff; 20]] {
            assert_eq!(super::base32_decode(&super::base32_encode(input)).as_deref(), Some(input));
        }
        assert_eq!(super::base32_decode("mzxw6ytboi"), Some(b"foobar".to_vec()));
        assert_eq!(super::base32_decode("MZ1"), None);
    }
}
