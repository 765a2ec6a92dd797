//! The OSC 52 "set clipboard" escape sequence.
//!
//! `ESC ] 52 ; c ; <base64 of the text> BEL` asks the terminal to put the
//! text on the clipboard. tmux (with `set-clipboard on`) takes it as is and
//! passes it on; GNU screen swallows unknown sequences, so inside screen the
//! sequence travels in DCS passthrough strings (`ESC P … ESC \`), cut into
//! short pieces because screen limits the length of one string.

use std::fmt;

/// Base64 characters of the largest sequence sent. Terminals cap OSC 52
/// (xterm, tmux and most others at about 100 kB); beyond that they drop it
/// silently, so we refuse with a message instead.
pub const MAX_ENCODED: usize = 100_000;

/// The largest text that fits: 3 bytes of text per 4 base64 characters.
pub const MAX_TEXT: usize = MAX_ENCODED / 4 * 3;

/// Bytes of base64 per DCS string inside GNU screen.
const SCREEN_CHUNK: usize = 76;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong {
    pub bytes: usize,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is too long for OSC 52 (terminals take up to {}); copy fewer rows or set clipboard = \"system\"",
            crate::format::human_size(self.bytes as u64),
            crate::format::human_size(MAX_TEXT as u64)
        )
    }
}

/// The sequence that puts `text` on the clipboard, wrapped for screen when asked.
pub fn sequence(text: &str, inside_screen: bool) -> Result<String, TooLong> {
    if text.len() > MAX_TEXT {
        return Err(TooLong { bytes: text.len() });
    }
    let encoded = base64(text.as_bytes());
    if !inside_screen {
        return Ok(format!("\x1b]52;c;{encoded}\x07"));
    }
    // Every piece is one DCS string; the terminal sees their contents joined.
    let mut out = String::with_capacity(encoded.len() * 2 + 32);
    out.push_str("\x1bP\x1b]52;c;");
    for (i, piece) in encoded.as_bytes().chunks(SCREEN_CHUNK).enumerate() {
        if i > 0 {
            out.push_str("\x1b\\\x1bP");
        }
        out.push_str(std::str::from_utf8(piece).unwrap_or_default());
    }
    out.push_str("\x07\x1b\\");
    Ok(out)
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let vectors =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn plain_sequence_for_terminals_and_tmux() {
        let seq = sequence("s3://nasa-heasarc/a b.fits", false).unwrap();
        assert_eq!(seq, format!("\x1b]52;c;{}\x07", base64(b"s3://nasa-heasarc/a b.fits")));
    }

    #[test]
    fn screen_gets_short_dcs_pieces_that_join_to_the_same_sequence() {
        let text = "s3://stpubdata/".repeat(30);
        let seq = sequence(&text, true).unwrap();
        assert!(seq.starts_with("\x1bP\x1b]52;c;") && seq.ends_with("\x07\x1b\\"));
        let pieces: Vec<&str> = seq.split("\x1b\\\x1bP").collect();
        assert!(pieces.len() > 1);
        assert!(pieces.iter().all(|p| p.len() <= SCREEN_CHUNK + 12), "each DCS string stays short");
        // What the outer terminal receives once screen strips the DCS framing.
        let inner: String = seq.trim_start_matches("\x1bP").trim_end_matches("\x1b\\").split("\x1b\\\x1bP").collect();
        assert_eq!(inner, sequence(&text, false).unwrap());
    }

    #[test]
    fn text_past_the_limit_is_refused_with_its_size() {
        assert!(sequence(&"x".repeat(MAX_TEXT), false).is_ok());
        let err = sequence(&"x".repeat(MAX_TEXT + 1), false).unwrap_err();
        assert_eq!(err.bytes, MAX_TEXT + 1);
        assert!(err.to_string().contains("too long for OSC 52"), "{err}");
        assert!(sequence(&"x".repeat(MAX_TEXT), false).unwrap().len() <= MAX_ENCODED + 8);
    }
}
