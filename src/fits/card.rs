//! One 80-character header card: keyword, typed value, comment.
//!
//! Parsing is tolerant the way astropy is: lowercase keywords, a value
//! indicator without its blank, values out of their fixed columns. What is
//! odd is reported as a warning, never a failure.

use std::fmt;

/// Characters in a card.
pub const CARD_LEN: usize = 80;

/// A typed card value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Logical(bool),
    Integer(i64),
    /// An integer beyond 64 bits, exact: its decimal digits, with a `-` if
    /// negative, without a `+` or leading zeros.
    BigInteger(String),
    Real(f64),
    Complex(f64, f64),
    /// Doubled quotes unescaped, trailing blanks stripped.
    String(String),
    /// A value card with an empty value field.
    Undefined,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Logical(b) => f.write_str(if *b { "T" } else { "F" }),
            Value::Integer(i) => write!(f, "{i}"),
            Value::BigInteger(digits) => f.write_str(digits),
            Value::Real(r) => write!(f, "{r}"),
            Value::Complex(re, im) => write!(f, "({re}, {im})"),
            Value::String(s) => f.write_str(s),
            Value::Undefined => Ok(()),
        }
    }
}

/// What a card is.
#[derive(Debug, Clone, PartialEq)]
pub enum CardKind {
    /// `KEYWORD = value / comment`
    Value {
        value: Value,
        comment: Option<String>,
    },
    /// COMMENT, HISTORY, blank keyword, or any card without a value indicator.
    Commentary(String),
    /// `CONTINUE  'more&' / comment`: the rest of a long string.
    Continue {
        value: String,
        comment: Option<String>,
    },
    End,
}

/// One parsed card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Upper case; for HIERARCH cards the words after `HIERARCH`.
    pub keyword: String,
    pub kind: CardKind,
    /// Something was not as the standard says.
    pub warning: Option<String>,
}

/// The text of a card's bytes: ASCII as is, anything else as `?`, so that
/// character positions stay byte positions (FITS headers are ASCII).
pub fn card_text(raw: &[u8]) -> String {
    raw.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect()
}

/// Parses one card (up to 80 bytes; shorter input is padded with blanks).
pub fn parse_card(raw: &[u8]) -> Card {
    let text = card_text(&raw[..raw.len().min(CARD_LEN)]);
    let text = format!("{text:<80}");
    let mut warnings = Vec::new();
    if raw.iter().take(CARD_LEN).any(|&b| !(0x20..0x7f).contains(&b)) {
        warnings.push("card holds characters outside printable ASCII".to_string());
    }
    let raw_keyword = &text[..8];
    let keyword_trimmed = raw_keyword.trim_end();
    if keyword_trimmed == "END" && text[8..].trim().is_empty() {
        return Card { keyword: "END".into(), kind: CardKind::End, warning: None };
    }
    if raw_keyword.starts_with("HIERARCH") && text[8..].contains('=') {
        return hierarch(&text);
    }
    let keyword = keyword_trimmed.trim_start().to_ascii_uppercase();
    if keyword != keyword_trimmed {
        warnings.push(format!("keyword '{keyword_trimmed}' is not upper case"));
    }
    let finish = |kind, warnings: Vec<String>| Card {
        keyword: keyword.clone(),
        kind,
        warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
    };
    if keyword == "CONTINUE" {
        let (value, comment) = match parse_value(&text[8..]) {
            (Value::String(s), comment, _) => (s, comment),
            (other, comment, _) => {
                warnings.push("CONTINUE card without a string".into());
                (other.to_string(), comment)
            }
        };
        return finish(CardKind::Continue { value, comment }, warnings);
    }
    let commentary = matches!(keyword.as_str(), "COMMENT" | "HISTORY" | "");
    let indicator = &text[8..10];
    if !commentary && indicator == "= " {
        let (value, comment, warning) = parse_value(&text[10..]);
        warnings.extend(warning);
        // astropy's pattern wants printable ASCII to the end; END is never a record.
        let printable = raw.iter().take(CARD_LEN).skip(10).all(|b| (0x20..0x7f).contains(b));
        if let Some((field, number)) = record_value(&text[10..]).filter(|_| printable && keyword != "END") {
            let mut card = finish(CardKind::Value { value: number, comment }, warnings);
            card.keyword = format!("{keyword}.{field}");
            return card;
        }
        return finish(CardKind::Value { value, comment }, warnings);
    }
    if !commentary && text.as_bytes()[8] == b'=' {
        warnings.push("value indicator '=' without the blank in column 10".into());
        let (value, comment, warning) = parse_value(&text[9..]);
        warnings.extend(warning);
        return finish(CardKind::Value { value, comment }, warnings);
    }
    finish(CardKind::Commentary(text[8..].trim_end().to_string()), warnings)
}

fn hierarch(text: &str) -> Card {
    let rest = &text[8..];
    let equals = rest.find('=').unwrap_or(rest.len());
    let keyword = rest[..equals].split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    let (value, comment, warning) = parse_value(rest.get(equals + 1..).unwrap_or(""));
    Card { keyword, kind: CardKind::Value { value, comment }, warning }
}

/// Parses a value field: the value, the comment after `/`, and a warning.
fn parse_value(field: &str) -> (Value, Option<String>, Option<String>) {
    let trimmed = field.trim_start();
    if let Some(after_quote) = trimmed.strip_prefix('\'') {
        let (string, rest, closed) = read_string(after_quote);
        let comment = rest.find('/').map(|i| rest[i + 1..].trim().to_string());
        let warning = (!closed).then(|| "string value without its closing quote".to_string());
        return (Value::String(string), comment, warning);
    }
    let (value_text, comment) = match field.find('/') {
        Some(i) => (&field[..i], Some(field[i + 1..].trim().to_string())),
        None => (field, None),
    };
    let value_text = value_text.trim();
    if value_text.is_empty() {
        return (Value::Undefined, comment, None);
    }
    match parse_scalar(value_text) {
        Some(value) => (value, comment, None),
        None => (Value::String(value_text.to_string()), comment, Some(format!("unparsable value '{value_text}'"))),
    }
}

/// Reads a quoted string (after its opening quote): the text with doubled
/// quotes unescaped and trailing blanks stripped, what follows the closing
/// quote, and whether the quote was closed.
fn read_string(text: &str) -> (String, &str, bool) {
    let mut out = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                out.push('\'');
                chars.next();
                continue;
            }
            return (out.trim_end().to_string(), &text[i + 1..], true);
        }
        out.push(c);
    }
    (out.trim_end().to_string(), "", false)
}

fn parse_scalar(text: &str) -> Option<Value> {
    match text {
        "T" => return Some(Value::Logical(true)),
        "F" => return Some(Value::Logical(false)),
        _ => {}
    }
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let (re, im) = inner.split_once(',')?;
        return Some(Value::Complex(parse_real(re.trim())?, parse_real(im.trim())?));
    }
    integer(text).or_else(|| parse_real(text).map(Value::Real))
}

/// An integer (`[+-]digits`), exact whatever its length.
fn integer(text: &str) -> Option<Value> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(i) => Value::Integer(i),
        // Beyond 64 bits (so not zero): the digits as they are.
        Err(_) => {
            let digits = digits.trim_start_matches('0');
            Value::BigInteger(if negative { format!("-{digits}") } else { digits.to_string() })
        }
    })
}

/// The value field of a record-valued keyword card (the convention of the
/// FITS distortion paper, `DP1     = 'AXIS.1: 1'`): the field specifier
/// (`AXIS.1`) and the number, when the field holds nothing but such a string
/// and a comment. astropy's pattern: `'<specifier>: +<number>'`, the
/// specifier dot-separated identifiers each optionally followed by `.digits`,
/// the number a fixed-format integer or real (upper-case `E` exponent; astropy
/// fails on a `D` exponent there, so such a string stays a string). The value
/// is a real, integers too, as astropy's `Card.value` gives it.
pub fn record_value(field: &str) -> Option<(&str, Value)> {
    let inner = field.trim_start().strip_prefix('\'')?;
    let (body, after) = inner.split_once('\'')?;
    let after = after.trim_start_matches(' ');
    if !(after.is_empty() || after.starts_with('/')) {
        return None;
    }
    let (specifier, number) = body.split_once(':')?;
    let number = number.strip_prefix(' ')?.trim_start_matches(' ');
    if !is_field_specifier(specifier) || !is_fixed_number(number) {
        return None;
    }
    Some((specifier, Value::Real(number.parse().ok()?)))
}

/// `identifier(.digits)?(.identifier(.digits)?)*`, identifiers `[A-Za-z_]\w*`.
fn is_field_specifier(text: &str) -> bool {
    let identifier = |part: &str| {
        part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mut after_identifier = false;
    for (i, part) in text.split('.').enumerate() {
        after_identifier = if identifier(part) {
            true
        } else if i > 0 && after_identifier && digits(part) {
            false
        } else {
            return false;
        };
    }
    true
}

/// `[+-]?(\.\d+|\d+(\.\d*)?)(E[+-]?\d+)?`: a number in fixed format, without
/// the `D` exponent (see [`record_value`]).
fn is_fixed_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once('E') {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(whole) && all_digits(fraction) && (!whole.is_empty() || !fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

/// A FITS real: digits, optional point, optional E or D exponent.
fn parse_real(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['E', 'e', 'D', 'd']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().any(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.replace(['D', 'd'], "E").parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(card: &str) -> (Value, Option<String>) {
        match parse_card(card.as_bytes()).kind {
            CardKind::Value { value, comment } => (value, comment),
            other => panic!("not a value card: {other:?}"),
        }
    }

    #[test]
    fn logical_integer_real_and_complex_values() {
        assert_eq!(
            value_of("SIMPLE  =                    T / conforms"),
            (Value::Logical(true), Some("conforms".into()))
        );
        assert_eq!(value_of("EXTEND  =                    F").0, Value::Logical(false));
        assert_eq!(value_of("BITPIX  =                  -32 / type").0, Value::Integer(-32));
        assert_eq!(value_of("NAXIS1  = +2048").0, Value::Integer(2048));
        assert_eq!(value_of("EXPTIME =               402.93").0, Value::Real(402.93));
        assert_eq!(value_of("CRVAL1  = 1.25D+03").0, Value::Real(1250.0));
        assert_eq!(value_of("CDELT1  = -1.366E-4").0, Value::Real(-1.366e-4));
        assert_eq!(value_of("X       = .5").0, Value::Real(0.5));
        assert_eq!(value_of("Z       = (1.5, -2E1) / complex").0, Value::Complex(1.5, -20.0));
        assert_eq!(value_of("INT64   = -9223372036854775808").0, Value::Integer(i64::MIN));
    }

    #[test]
    fn strings_unescape_doubled_quotes_and_strip_trailing_blanks() {
        assert_eq!(value_of("OBJECT  = 'M31     '           / target").0, Value::String("M31".into()));
        assert_eq!(value_of("OBSERVER= 'O''Hara  '").0, Value::String("O'Hara".into()));
        assert_eq!(value_of("LEAD    = '  lead'").0, Value::String("  lead".into()));
        assert_eq!(value_of("EMPTY   = ''").0, Value::String(String::new()));
        assert_eq!(value_of("SLASH   = 'a/b' / c/d"), (Value::String("a/b".into()), Some("c/d".into())));
        let card = parse_card(b"OPEN    = 'no end");
        assert!(card.warning.unwrap().contains("closing quote"));
    }

    #[test]
    fn undefined_values_and_missing_comments() {
        assert_eq!(value_of("UNDEF   =                      / nothing"), (Value::Undefined, Some("nothing".into())));
        assert_eq!(value_of("UNDEF2  ="), (Value::Undefined, None));
    }

    #[test]
    fn commentary_cards_keep_their_text() {
        let card = parse_card(b"COMMENT   FITS (Flexible Image Transport System) format");
        assert_eq!(card.keyword, "COMMENT");
        assert_eq!(card.kind, CardKind::Commentary("  FITS (Flexible Image Transport System) format".into()));
        let history = parse_card(b"HISTORY = not a value");
        assert_eq!(history.kind, CardKind::Commentary("= not a value".into()));
        let blank = parse_card(b"          just text");
        assert_eq!((blank.keyword.as_str(), blank.kind), ("", CardKind::Commentary("  just text".into())));
    }

    #[test]
    fn continue_and_end_cards() {
        let card = parse_card(b"CONTINUE  'more text&'  / and more");
        assert_eq!(card.kind, CardKind::Continue { value: "more text&".into(), comment: Some("and more".into()) });
        assert_eq!(parse_card(b"END").kind, CardKind::End);
        assert_eq!(parse_card(format!("{:<80}", "END").as_bytes()).kind, CardKind::End);
    }

    #[test]
    fn hierarch_keywords() {
        let card = parse_card(b"HIERARCH ESO DET CHIP NAME = 'CCD-44' / detector chip");
        assert_eq!(card.keyword, "ESO DET CHIP NAME");
        assert_eq!(
            card.kind,
            CardKind::Value { value: Value::String("CCD-44".into()), comment: Some("detector chip".into()) }
        );
        let card = parse_card(b"HIERARCH ESO TEL AIRM START = 1.000");
        assert_eq!(card.kind, CardKind::Value { value: Value::Real(1.0), comment: None });
    }

    #[test]
    fn real_world_flaws_become_warnings() {
        let card = parse_card(b"date-obs= '2019-08-14'");
        assert_eq!(card.keyword, "DATE-OBS");
        assert!(card.warning.unwrap().contains("upper case"));
        let card = parse_card(b"NAXIS   =2");
        assert_eq!(card.kind, CardKind::Value { value: Value::Integer(2), comment: None });
        assert!(card.warning.is_some());
        let card = parse_card(b"BAD     = 12abc / x");
        assert_eq!(card.kind, CardKind::Value { value: Value::String("12abc".into()), comment: Some("x".into()) });
        assert!(card.warning.unwrap().contains("unparsable"));
        let card = parse_card(b"ESC     = 'a\x1b[31m' / \xff");
        assert!(card.warning.unwrap().contains("printable ASCII"));
    }

    #[test]
    fn integers_beyond_64_bits_keep_every_digit() {
        let big = |digits: &str| Value::BigInteger(digits.into());
        assert_eq!(value_of("BIG     = 99999999999999999999").0, big("99999999999999999999"));
        assert_eq!(value_of("NEG     = -9223372036854775809").0, big("-9223372036854775809"));
        assert_eq!(value_of("POS     = +9223372036854775808").0, big("9223372036854775808"));
        assert_eq!(
            value_of("ZEROS   = -000123456789012345678901234567890 / c"),
            (big("-123456789012345678901234567890"), Some("c".into()))
        );
        assert_eq!(value_of("SMALL   = -0000000000000000000000000042").0, Value::Integer(-42));
        assert_eq!(big("-123456789012345678901234567890").to_string(), "-123456789012345678901234567890");
    }

    #[test]
    fn record_valued_cards_are_named_by_their_field() {
        let card = parse_card(b"DP1     = 'AXIS.1: 1' / distortion axis");
        assert_eq!(card.keyword, "DP1.AXIS.1");
        assert_eq!(card.kind, CardKind::Value { value: Value::Real(1.0), comment: Some("distortion axis".into()) });
        let card = parse_card(b"D2IM1   = 'EXTVER: 1'");
        assert_eq!(
            (card.keyword.as_str(), card.kind),
            ("D2IM1.EXTVER", CardKind::Value { value: Value::Real(1.0), comment: None })
        );
        let record = |card: &str| {
            let card = parse_card(card.as_bytes());
            match card.kind {
                CardKind::Value { value, .. } => (card.keyword, value),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(record("DP1     = 'NAXES:  2'"), ("DP1.NAXES".into(), Value::Real(2.0)));
        assert_eq!(record("dp1     = 'Lookup.2.x_3: -1.5E2'"), ("DP1.Lookup.2.x_3".into(), Value::Real(-150.0)));
        assert_eq!(record("DP1     = 'AXIS.1: .5'"), ("DP1.AXIS.1".into(), Value::Real(0.5)));
        assert_eq!(record("DP1     = 'AXIS.1: 7.'"), ("DP1.AXIS.1".into(), Value::Real(7.0)));
        // A real even when it is a big integer, as astropy's value is.
        assert_eq!(
            record("DP1     = 'BIG: -123456789012345678901234567890'"),
            ("DP1.BIG".into(), Value::Real(-1.2345678901234568e29))
        );
        // Strings that are not records stay strings.
        for (card, text) in [
            ("DP1     = 'AXIS.1:1'", "AXIS.1:1"),
            ("DP1     = 'AXIS.1: 1 '", "AXIS.1: 1"),
            ("DP1     = 'AXIS.1.2: 1'", "AXIS.1.2: 1"),
            ("DP1     = '1AXIS: 1'", "1AXIS: 1"),
            ("DP1     = 'AXIS: 1.5D3'", "AXIS: 1.5D3"),
            ("DP1     = 'AXIS: 1e3'", "AXIS: 1e3"),
            ("DP1     = 'AXIS: x'", "AXIS: x"),
            ("DATE-OBS= 'TIME: 12:00'", "TIME: 12:00"),
        ] {
            assert_eq!(record(card), (card[..8].trim_end().to_string(), Value::String(text.into())), "{card}");
        }
        assert_eq!(record("DP1     = 'AXIS: 1' junk"), ("DP1".into(), Value::String("AXIS: 1".into())));
        assert_eq!(parse_card(b"COMMENT = 'AXIS: 1'").keyword, "COMMENT");
        assert_eq!(parse_card(b"END     = 'AXIS: 1'").keyword, "END");
        assert_eq!(record("DP1     = 'AXIS: 1' / caf\u{e9}"), ("DP1".into(), Value::String("AXIS: 1".into())));
        assert_eq!(parse_card(b"HIERARCH DP1 = 'AXIS: 1'").keyword, "DP1");
        assert_eq!(record("DP1     ='AXIS: 1'"), ("DP1".into(), Value::String("AXIS: 1".into())));
    }

    #[test]
    fn never_panics_on_short_or_binary_input() {
        for raw in [
            &b""[..],
            b"=",
            b"HIERARCH=",
            b"HIERARCH ",
            b"A       = '",
            b"\xff\xfe\x00",
            b"X       = (1,",
            b"X       = (,)",
        ] {
            let _ = parse_card(raw);
        }
    }
}
