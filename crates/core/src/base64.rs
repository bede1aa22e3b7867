//! Standard Base64 (RFC 4648, `+` `/`, `=` padding) for image payloads.
//!
//! Kling takes pictures as raw Base64 with no `data:` prefix. The widget encodes files with
//! [`encode`]; validation and the proxy's local engine decode with [`decode`]. A few dozen
//! lines here cost the wasm less than a crate would.

use core::fmt;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encode bytes as standard Base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Where a Base64 text stops being valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Base64Error {
    /// Byte offset of the first offending character (or the text length for a bad ending).
    pub position: usize,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not valid Base64 at character {}", self.position)
    }
}

impl std::error::Error for Base64Error {}

fn value_of(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decode standard Base64. Padding is optional; whitespace and any other character is an
/// error at its position (a provider would refuse it too).
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let b = text.as_bytes();
    let unpadded = b
        .iter()
        .rposition(|&c| c != b'=')
        .map_or(0, |last| last + 1);
    let padding = b.len() - unpadded;
    let mut out = Vec::with_capacity(unpadded / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, &c) in b[..unpadded].iter().enumerate() {
        let v = value_of(c).ok_or(Base64Error { position: i })?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Every character is valid; now the length: a lone final character, or padding that
    // does not complete a group of four, cannot be decoded.
    if padding > 2 || (padding > 0 && !b.len().is_multiple_of(4)) || unpadded % 4 == 1 {
        return Err(Base64Error { position: unpadded });
    }
    Ok(out)
}

/// Number of bytes `text` decodes to, assuming it is valid, without decoding.
pub fn decoded_len(text: &str) -> u64 {
    let b = text.as_bytes();
    let unpadded = b.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1) as u64;
    unpadded / 4 * 3 + (unpadded % 4) * 3 / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in cases {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode(coded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
            assert_eq!(decoded_len(coded), plain.len() as u64);
        }
    }

    #[test]
    fn all_byte_values_round_trip() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
    }

    #[test]
    fn errors_point_at_the_character() {
        assert_eq!(decode("Zm9v YmFy"), Err(Base64Error { position: 4 }));
        assert_eq!(decode("data:image"), Err(Base64Error { position: 4 }));
        assert_eq!(decode("Zm9vY"), Err(Base64Error { position: 5 }));
        assert_eq!(decode("Zg==="), Err(Base64Error { position: 2 }));
    }
}
