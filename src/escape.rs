//! Making untrusted text (object keys, header values) safe to print on a terminal.
//!
//! Keys are arbitrary UTF-8 and may hold ESC, CSI, bidi overrides and other
//! control characters. Printing them raw lets a bucket change colours, set the
//! window title or reorder text. Everything that is not a printable character
//! is replaced by a visible escape (`\e`, `\x07`, `\u{202e}`).

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must never reach a terminal as-is.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // bidirectional embeddings, overrides and isolates
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            // line and paragraph separators
            | '\u{2028}' | '\u{2029}'
            // byte order mark / zero width no-break space
            | '\u{FEFF}')
}

/// Returns `text` with every unsafe character replaced by a visible escape,
/// and backslashes doubled so that escapes cannot be forged.
pub fn escape_for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe_char(c) || c == '\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// As [`escape_for_terminal`]; with `ascii` (a terminal without Unicode)
/// every other character beyond ASCII becomes `\u{…}` too, so a name stays
/// readable and distinct instead of a row of `?`.
pub fn escape_for_display(text: &str, ascii: bool) -> Cow<'_, str> {
    let escaped = escape_for_terminal(text);
    if !ascii || escaped.is_ascii() {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 8);
    for c in escaped.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_unicode_names_stay_readable_and_distinct() {
        assert_eq!(escape_for_display("café-☃.fits", true), "caf\\u{e9}-\\u{2603}.fits");
        assert_eq!(escape_for_display("café", false), "café");
        assert_eq!(escape_for_display("\u{1b}[31m", true), "\\e[31m");
        assert!(matches!(escape_for_display("plain.fits", true), Cow::Borrowed(_)));
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(escape_for_terminal("hst/public/icde/x.fits"), Cow::Borrowed(_)));
        assert_eq!(escape_for_terminal("naïve ☃ +%=.fits"), "naïve ☃ +%=.fits");
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(escape_for_terminal("a\x1b[31mred"), "a\\e[31mred");
        assert_eq!(escape_for_terminal("bell\x07"), "bell\\x07");
        assert_eq!(escape_for_terminal("del\x7f"), "del\\x7f");
        assert_eq!(escape_for_terminal("c1\u{9b}"), "c1\\x9b");
        assert_eq!(escape_for_terminal("tab\tnl\n"), "tab\\tnl\\n");
    }

    #[test]
    fn bidi_override_is_escaped() {
        assert_eq!(escape_for_terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn backslash_is_doubled_so_escapes_cannot_be_forged() {
        assert_eq!(escape_for_terminal("a\\e"), "a\\\\e");
    }

    #[test]
    fn output_never_holds_unsafe_characters() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let escaped = escape_for_terminal(&all);
        assert!(!escaped.chars().any(is_unsafe_char));
    }
}
