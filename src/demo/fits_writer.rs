//! A small FITS writer, enough to generate realistic demo files: fixed-format
//! cards, CONTINUE long strings, HIERARCH keywords, images and binary tables.

/// Bytes in a FITS block.
pub const BLOCK: usize = 2880;
/// Characters in a card.
pub const CARD: usize = 80;

/// A header being built, card by card.
#[derive(Debug, Clone, Default)]
pub struct Header {
    cards: Vec<String>,
}

/// Quotes a FITS string value: single quotes doubled, padded to 8 characters.
fn quote(text: &str) -> String {
    format!("'{:<8}'", text.replace('\'', "''"))
}

impl Header {
    pub fn new() -> Self {
        Self::default()
    }

    /// A card with a pre-formatted value field, fixed format.
    fn raw(&mut self, keyword: &str, value: &str, comment: &str) -> &mut Self {
        let mut card = format!("{keyword:<8}= {value:>20}");
        if !comment.is_empty() {
            card.push_str(" / ");
            card.push_str(comment);
        }
        self.push_card(card)
    }

    fn push_card(&mut self, mut card: String) -> &mut Self {
        card.truncate(CARD);
        self.cards.push(format!("{card:<80}"));
        self
    }

    pub fn logical(&mut self, keyword: &str, value: bool, comment: &str) -> &mut Self {
        self.raw(keyword, if value { "T" } else { "F" }, comment)
    }

    pub fn int(&mut self, keyword: &str, value: i64, comment: &str) -> &mut Self {
        self.raw(keyword, &value.to_string(), comment)
    }

    pub fn real(&mut self, keyword: &str, value: f64, comment: &str) -> &mut Self {
        let mut text = format!("{value:.10E}");
        if !text.contains('E') {
            text.push_str("E0");
        }
        self.raw(keyword, &text, comment)
    }

    /// A string value; strings longer than fit on one card use CONTINUE cards.
    pub fn string(&mut self, keyword: &str, value: &str, comment: &str) -> &mut Self {
        let quoted = quote(value);
        if 10 + quoted.len() <= CARD {
            let mut card = format!("{keyword:<8}= {quoted:<20}");
            if !comment.is_empty() {
                card.push_str(" / ");
                card.push_str(comment);
            }
            return self.push_card(card);
        }
        // Long string convention: pieces end in '&' and go on in CONTINUE cards.
        let chars: Vec<char> = value.chars().collect();
        let pieces: Vec<String> = chars.chunks(60).map(|c| c.iter().collect()).collect();
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            let text = if last { piece.clone() } else { format!("{piece}&") };
            let lead = if i == 0 { format!("{keyword:<8}= ") } else { "CONTINUE  ".to_string() };
            let mut card = format!("{lead}'{}'", text.replace('\'', "''"));
            if last && !comment.is_empty() {
                card.push_str(" / ");
                card.push_str(comment);
            }
            self.push_card(card);
        }
        self
    }

    /// An ESO HIERARCH card: `HIERARCH ESO DET CHIP NAME = 'CCD-44' / comment`.
    pub fn hierarch(&mut self, words: &str, value: &str, comment: &str) -> &mut Self {
        let mut card = format!("HIERARCH {words} = {value}");
        if !comment.is_empty() {
            card.push_str(" / ");
            card.push_str(comment);
        }
        self.push_card(card)
    }

    pub fn history(&mut self, text: &str) -> &mut Self {
        self.push_card(format!("HISTORY {text}"))
    }

    /// A card given verbatim (for deliberately odd headers).
    pub fn verbatim(&mut self, card: &str) -> &mut Self {
        self.push_card(card.to_string())
    }

    pub fn card_count(&self) -> usize {
        self.cards.len()
    }

    /// The header bytes: the cards, END, blank padding to a whole block.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.cards.iter().flat_map(|c| c.bytes()).collect();
        out.extend(format!("{:<80}", "END").bytes());
        pad_to_block(&mut out, b' ');
        out
    }
}

/// Pads `data` to a whole number of 2880-byte blocks with `fill`.
pub fn pad_to_block(data: &mut Vec<u8>, fill: u8) {
    let rem = data.len() % BLOCK;
    if rem != 0 {
        data.resize(data.len() + BLOCK - rem, fill);
    }
}

/// The cards that open a primary header.
pub fn primary_header(bitpix: i64, axes: &[usize]) -> Header {
    let mut h = Header::new();
    h.logical("SIMPLE", true, "conforms to FITS standard").int("BITPIX", bitpix, "array data type");
    axes_cards(&mut h, axes);
    if axes.is_empty() {
        h.logical("EXTEND", true, "file may contain extensions");
    }
    h
}

/// The cards that open an IMAGE extension.
pub fn image_header(bitpix: i64, axes: &[usize], extname: &str) -> Header {
    let mut h = Header::new();
    h.string("XTENSION", "IMAGE", "Image extension").int("BITPIX", bitpix, "array data type");
    axes_cards(&mut h, axes);
    h.int("PCOUNT", 0, "number of parameters").int("GCOUNT", 1, "number of groups");
    h.string("EXTNAME", extname, "extension name");
    h
}

fn axes_cards(h: &mut Header, axes: &[usize]) {
    h.int("NAXIS", axes.len() as i64, "number of array dimensions");
    for (i, n) in axes.iter().enumerate() {
        h.int(&format!("NAXIS{}", i + 1), *n as i64, "");
    }
}

/// A binary-table column: name, TFORM, unit.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: &'static str,
    pub form: &'static str,
    pub unit: &'static str,
}

/// Bytes per row of a TFORM like `1D`, `20A`, `2E` (`P`/`Q` descriptors included).
pub fn form_width(form: &str) -> usize {
    let digits: String = form.chars().take_while(|c| c.is_ascii_digit()).collect();
    let repeat: usize = digits.parse().unwrap_or(1);
    let code = form[digits.len()..].chars().next().unwrap_or('J');
    let size = match code {
        'L' | 'B' | 'A' | 'X' => 1,
        'I' => 2,
        'J' | 'E' => 4,
        'K' | 'D' | 'C' => 8,
        'M' | 'Q' => 16,
        'P' => 8,
        _ => 4,
    };
    if code == 'X' {
        return repeat.div_ceil(8);
    }
    repeat * size
}

/// The cards of a BINTABLE extension with `rows` rows of `columns`.
pub fn bintable_header(columns: &[Column], rows: usize, extname: &str) -> Header {
    bintable_header_with_heap(columns, rows, 0, extname)
}

/// The same, with a heap of `heap` bytes after the rows (variable-length arrays).
pub fn bintable_header_with_heap(columns: &[Column], rows: usize, heap: usize, extname: &str) -> Header {
    let row_bytes: usize = columns.iter().map(|c| form_width(c.form)).sum();
    let mut h = Header::new();
    h.string("XTENSION", "BINTABLE", "binary table extension")
        .int("BITPIX", 8, "8-bit bytes")
        .int("NAXIS", 2, "2-dimensional binary table")
        .int("NAXIS1", row_bytes as i64, "width of table in bytes")
        .int("NAXIS2", rows as i64, "number of rows in table")
        .int("PCOUNT", heap as i64, "size of special data area")
        .int("GCOUNT", 1, "one data group")
        .int("TFIELDS", columns.len() as i64, "number of fields in each row");
    for (i, column) in columns.iter().enumerate() {
        let n = i + 1;
        h.string(&format!("TTYPE{n}"), column.name, "");
        h.string(&format!("TFORM{n}"), column.form, "");
        if !column.unit.is_empty() {
            h.string(&format!("TUNIT{n}"), column.unit, "");
        }
    }
    h.string("EXTNAME", extname, "name of this binary table extension");
    h
}

/// Appends a header and its data (padded with zeros) to a FITS stream.
pub fn push_hdu(out: &mut Vec<u8>, header: &Header, data: &[u8]) {
    out.extend(header.to_bytes());
    let start = out.len();
    out.extend_from_slice(data);
    if out.len() > start {
        pad_to_block(out, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_whole_blocks_of_80_column_cards_ending_in_end() {
        let mut h = primary_header(16, &[10, 20]);
        h.string("OBJECT", "M31", "target");
        let bytes = h.to_bytes();
        assert_eq!(bytes.len(), BLOCK);
        let cards: Vec<&[u8]> = bytes.chunks(CARD).collect();
        assert_eq!(&cards[0][..30], b"SIMPLE  =                    T");
        assert_eq!(&cards[1][..30], b"BITPIX  =                   16");
        assert_eq!(&cards[5][..20], b"OBJECT  = 'M31     '");
        assert_eq!(&cards[6][..8], b"END     ");
        assert!(bytes[6 * CARD + 3..].iter().all(|&b| b == b' '));
    }

    #[test]
    fn long_strings_continue_and_quotes_are_doubled() {
        let mut h = Header::new();
        let text = format!("it's {}", "x".repeat(150));
        h.string("NOTE", &text, "a long note");
        let bytes = h.to_bytes();
        let cards: Vec<String> = bytes.chunks(CARD).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        assert!(cards[0].starts_with("NOTE    = 'it''s "));
        assert!(cards[0].trim_end().ends_with("&'"));
        assert!(cards[1].starts_with("CONTINUE  '"));
        assert!(cards[2].contains("/ a long note"));
        let joined: String = cards[..3]
            .iter()
            .map(|c| {
                let inner = &c[c.find('\'').unwrap() + 1..c.rfind('\'').unwrap()];
                inner.trim_end_matches('&').replace("''", "'")
            })
            .collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn bintable_row_width_follows_tform() {
        assert_eq!(form_width("1D"), 8);
        assert_eq!(form_width("20A"), 20);
        assert_eq!(form_width("E"), 4);
        assert_eq!(form_width("1PE(5)"), 8);
        let cols = [Column { name: "TIME", form: "1D", unit: "s" }, Column { name: "PHA", form: "1J", unit: "" }];
        let h = bintable_header(&cols, 3, "EVENTS");
        let text = String::from_utf8(h.to_bytes()).unwrap();
        assert!(text.contains("NAXIS1  =                   12"));
        assert!(text.contains("TUNIT1  = 's       '"));
    }

    #[test]
    fn data_is_padded_with_zeros() {
        let mut out = Vec::new();
        push_hdu(&mut out, &primary_header(8, &[3]), &[1, 2, 3]);
        assert_eq!(out.len(), 2 * BLOCK);
        assert_eq!(&out[BLOCK..BLOCK + 4], &[1, 2, 3, 0]);
    }
}
