//! A header: its cards in order, long strings joined, with lookups.

use super::card::{CARD_LEN, CardKind, Value, card_text, parse_card};

/// One logical card of a header, as the CLI contract presents it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderCard {
    pub keyword: String,
    /// For commentary cards (COMMENT, HISTORY, blank keyword), the text.
    pub value: Value,
    pub comment: Option<String>,
    pub commentary: bool,
}

/// The cards of one HDU's header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Header {
    pub cards: Vec<HeaderCard>,
    /// The physical 80-character cards, END excluded, as text.
    pub raw: Vec<String>,
    pub warnings: Vec<String>,
}

/// The index of the END card among the whole cards of `bytes`, if any.
pub fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes.chunks_exact(CARD_LEN).position(|card| card.starts_with(b"END") && card[3..].iter().all(|&b| b == b' '))
}

/// Parses the first `count` cards of `bytes` (the cards before END).
pub fn parse_header(bytes: &[u8], count: usize) -> Header {
    let mut header = Header::default();
    for (index, chunk) in bytes.chunks(CARD_LEN).take(count).enumerate() {
        header.raw.push(card_text(chunk));
        let card = parse_card(chunk);
        if let Some(warning) = &card.warning {
            header.warnings.push(format!("card {}: {warning}", index + 1));
        }
        match card.kind {
            CardKind::End => break,
            CardKind::Value { value, comment } => {
                header.cards.push(HeaderCard { keyword: card.keyword, value, comment, commentary: false })
            }
            CardKind::Commentary(text) => header.cards.push(HeaderCard {
                keyword: card.keyword,
                value: Value::String(text),
                comment: None,
                commentary: true,
            }),
            CardKind::Continue { value, comment } => {
                if !join_continuation(&mut header.cards, &value, comment.clone()) {
                    header.warnings.push(format!("card {}: CONTINUE without a long string before it", index + 1));
                    header.cards.push(HeaderCard {
                        keyword: card.keyword,
                        value: Value::String(value),
                        comment,
                        commentary: true,
                    });
                }
            }
        }
    }
    header
}

/// Appends a CONTINUE card's text to the previous string ending in `&`.
fn join_continuation(cards: &mut [HeaderCard], text: &str, comment: Option<String>) -> bool {
    let Some(HeaderCard { value: Value::String(previous), comment: previous_comment, commentary: false, .. }) =
        cards.last_mut()
    else {
        return false;
    };
    let Some(stem) = previous.strip_suffix('&') else { return false };
    *previous = format!("{stem}{text}");
    if let Some(more) = comment.filter(|c| !c.is_empty()) {
        *previous_comment = Some(match previous_comment.take().filter(|c| !c.is_empty()) {
            Some(first) => format!("{first} {more}"),
            None => more,
        });
    }
    true
}

impl Header {
    /// The value of the first card with this keyword.
    pub fn get(&self, keyword: &str) -> Option<&Value> {
        self.cards.iter().find(|c| !c.commentary && c.keyword == keyword).map(|c| &c.value)
    }

    /// An integer value (or a real without a fraction); `None` for one beyond 64 bits.
    pub fn int(&self, keyword: &str) -> Option<i64> {
        match self.get(keyword)? {
            Value::Integer(i) => Some(*i),
            Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => Some(*r as i64),
            _ => None,
        }
    }

    pub fn real(&self, keyword: &str) -> Option<f64> {
        match self.get(keyword)? {
            Value::Integer(i) => Some(*i as f64),
            Value::BigInteger(digits) => digits.parse().ok(),
            Value::Real(r) => Some(*r),
            _ => None,
        }
    }

    pub fn string(&self, keyword: &str) -> Option<&str> {
        match self.get(keyword)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn logical(&self, keyword: &str) -> Option<bool> {
        match self.get(keyword)? {
            Value::Logical(b) => Some(*b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_bytes(cards: &[&str]) -> Vec<u8> {
        let mut bytes: Vec<u8> = cards.iter().flat_map(|c| format!("{c:<80}").into_bytes()).collect();
        bytes.extend(format!("{:<80}", "END").bytes());
        bytes
    }

    #[test]
    fn finds_end_and_parses_cards_before_it() {
        let bytes = header_bytes(&["SIMPLE  = T", "BITPIX  = 16", "NAXIS   = 0", "COMMENT hello", "HISTORY done"]);
        let end = find_end(&bytes).unwrap();
        assert_eq!(end, 5);
        let header = parse_header(&bytes, end);
        assert_eq!(header.cards.len(), 5);
        assert_eq!(header.raw.len(), 5);
        assert_eq!(header.int("BITPIX"), Some(16));
        assert_eq!(header.logical("SIMPLE"), Some(true));
        assert_eq!(header.cards[3].value, Value::String("hello".into()));
        assert!(header.cards[3].commentary && header.cards[3].comment.is_none());
        assert!(header.get("COMMENT").is_none(), "commentary cards are not values");
    }

    #[test]
    fn continue_cards_join_the_long_string() {
        let bytes = header_bytes(&[
            "LONGSTRN= 'OGIP 1.0'",
            "TARGDESC= 'Globular cluster &'",
            "CONTINUE  'with white dwarfs &'",
            "CONTINUE  'and more' / target description",
            "CONTINUE  'orphan'",
        ]);
        let header = parse_header(&bytes, find_end(&bytes).unwrap());
        assert_eq!(header.string("TARGDESC"), Some("Globular cluster with white dwarfs and more"));
        assert_eq!(header.cards[1].comment.as_deref(), Some("target description"));
        assert_eq!(header.cards.len(), 3);
        assert_eq!(header.cards[2].keyword, "CONTINUE");
        assert!(header.warnings.iter().any(|w| w.contains("CONTINUE without")));
        assert_eq!(header.raw.len(), 5, "every physical card is kept for display");
    }

    #[test]
    fn integers_beyond_64_bits_do_not_wrap() {
        let bytes = header_bytes(&["NAXIS   = 18446744073709551618", "BIG     = -9223372036854775809", "OK      = 7"]);
        let header = parse_header(&bytes, find_end(&bytes).unwrap());
        assert_eq!(header.int("NAXIS"), None);
        assert_eq!(header.int("BIG"), None);
        assert_eq!(header.real("BIG"), Some(-9.223372036854776e18));
        assert_eq!(header.int("OK"), Some(7));
    }

    #[test]
    fn no_end_means_none() {
        assert_eq!(find_end(&header_bytes(&["SIMPLE  = T"])[..80]), None);
        assert_eq!(find_end(b"END      x"), None);
        assert_eq!(find_end(b"ENDING"), None);
    }
}
