//! Walks the HDUs of a FITS byte stream fed to it in order, keeping only
//! header bytes. It says what it needs next (more header bytes, or nothing
//! until a given offset), so the same logic serves random access over range
//! requests (skip the data) and a gzip stream (inflate and drop the data).

use super::hdu::{BLOCK, Hdu, data_size, kind_and_name, padded};
use super::header::{find_end, parse_header};

/// A header that grows past this without END is not a header.
pub const MAX_HEADER_BYTES: u64 = 1000 * BLOCK;
/// The warning of an HDU whose header the file ends in.
pub const NO_END: &str = "the file ends in the header: no END card";
/// More HDUs than this are not walked.
pub const MAX_HDUS: usize = 10_000;

/// Why a stream cannot be read as FITS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// The first card is not SIMPLE (nor XTENSION).
    NotFits(String),
    /// The structure is broken beyond repair (no END, no BITPIX, ...).
    Corrupt(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::NotFits(why) => write!(f, "not a FITS file ({why})"),
            ScanError::Corrupt(why) => write!(f, "corrupt FITS: {why}"),
        }
    }
}

/// What the scanner needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Header bytes from `from` on; at least `at_least` more to make progress.
    Bytes {
        from: u64,
        at_least: u64,
    },
    /// Nothing before `to`: seek there (random access) or feed and drop (streams).
    Skip {
        to: u64,
    },
    Done,
}

#[derive(Debug)]
enum State {
    Header { start: u64, buf: Vec<u8> },
    Data { end: u64 },
    Done,
}

/// Where reading headers may stop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Stop {
    /// Read every HDU.
    #[default]
    AtEnd,
    /// Stop after this HDU.
    After(usize),
    /// Stop after the first table (BINTABLE or TABLE) extension.
    AtFirstTable,
    /// Stop after the first HDU with this EXTNAME (case-insensitive).
    AtName(String),
    /// Stop after the first image with data: a primary array, an IMAGE
    /// extension or a tile-compressed image.
    AtFirstImage,
}

impl Stop {
    /// Whether `hdu` is the last one wanted.
    pub fn is_last(&self, hdu: &Hdu) -> bool {
        match self {
            Stop::AtEnd => false,
            Stop::After(last) => hdu.index >= *last,
            Stop::AtFirstTable => hdu.index > 0 && matches!(hdu.kind.as_str(), "BINTABLE" | "TABLE"),
            Stop::AtName(name) => hdu.name.eq_ignore_ascii_case(name.trim()),
            Stop::AtFirstImage => {
                let h = &hdu.header;
                let array = hdu.index == 0 && h.logical("GROUPS") != Some(true) || hdu.kind == "IMAGE";
                hdu.data_size > 0 && (array || h.logical("ZIMAGE") == Some(true))
            }
        }
    }
}

#[derive(Debug)]
pub struct Scanner {
    /// Stream offset of the next byte fed.
    pos: u64,
    state: State,
    pub hdus: Vec<Hdu>,
    /// Warnings about the file as a whole (trailing bytes, truncation).
    pub warnings: Vec<String>,
    /// The stream ended inside a header, before its END card: where. The
    /// cards read are kept (as an HDU when there was a whole card) and the
    /// same words are among the warnings; astropy refuses such a file
    /// ("Header missing END card"), so callers that must be strict can.
    pub truncated_header: Option<String>,
    stop: Stop,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new(Stop::AtEnd)
    }
}

impl Scanner {
    /// A scanner that stops where `stop` says.
    pub fn new(stop: Stop) -> Self {
        Self {
            pos: 0,
            state: State::Header { start: 0, buf: Vec::new() },
            hdus: Vec::new(),
            warnings: Vec::new(),
            truncated_header: None,
            stop,
        }
    }

    /// Bytes of the header being read that are already in.
    pub fn buffered_header(&self) -> u64 {
        match &self.state {
            State::Header { buf, .. } => buf.len() as u64,
            _ => 0,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    pub fn want(&self) -> Want {
        match &self.state {
            State::Header { buf, .. } => {
                let have = buf.len() as u64;
                // Up to the end of the current block, at least one block.
                let at_least = if have.is_multiple_of(BLOCK) { BLOCK } else { BLOCK - have % BLOCK };
                Want::Bytes { from: self.pos, at_least }
            }
            State::Data { end } => Want::Skip { to: *end },
            State::Done => Want::Done,
        }
    }

    /// Jumps over data to the next header (random access only).
    pub fn skip_to(&mut self, to: u64) {
        if let State::Data { end } = self.state
            && to == end
        {
            self.pos = end;
            self.state = State::Header { start: end, buf: Vec::new() };
        }
    }

    /// Feeds the next bytes of the stream (at `position()`).
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ScanError> {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Done => return Ok(()),
                State::Data { end } => {
                    let end = *end;
                    let take = (end - self.pos).min(bytes.len() as u64) as usize;
                    self.pos += take as u64;
                    bytes = &bytes[take..];
                    self.normalize();
                }
                State::Header { start, buf } => {
                    let start = *start;
                    let before = buf.len();
                    buf.extend_from_slice(bytes);
                    self.pos += bytes.len() as u64;
                    bytes = &[];
                    if before < 80 && buf.len() >= 80 {
                        let first_card = buf[..80].to_vec();
                        if self.hdus.is_empty() {
                            check_primary(&first_card)?;
                        } else if !first_card.starts_with(b"XTENSION") {
                            self.trailing_bytes(start, &first_card);
                            return Ok(());
                        }
                    }
                    // END may straddle what came before: search from the last whole card.
                    let from_card = (before / 80).saturating_sub(1);
                    let Some(end_card) = find_end(&buf[from_card * 80..]).map(|i| i + from_card) else {
                        if buf.len() as u64 > MAX_HEADER_BYTES {
                            return Err(ScanError::Corrupt(format!(
                                "HDU {} has no END card in its first {MAX_HEADER_BYTES} bytes",
                                self.hdus.len()
                            )));
                        }
                        continue;
                    };
                    let buf = std::mem::take(buf);
                    let header_len = padded(((end_card + 1) * 80) as u64);
                    // Bytes past the header belong to the data or the next header.
                    let consumed = (buf.len() as u64).min(header_len);
                    self.pos = start + consumed;
                    self.finish_header(start, &buf, end_card, header_len, Vec::new())?;
                    self.feed(&buf[consumed as usize..])?;
                }
            }
        }
        Ok(())
    }

    /// Leaves the data state once its end is reached.
    fn normalize(&mut self) {
        if let State::Data { end } = self.state
            && self.pos >= end
        {
            self.state = State::Header { start: end, buf: Vec::new() };
        }
    }

    /// Records bytes after the last HDU that do not start an extension, and stops.
    fn trailing_bytes(&mut self, offset: u64, card: &[u8]) {
        let blank = card.iter().all(|&b| b == 0 || b == b' ');
        self.warnings.push(if blank {
            format!("blank padding after the last HDU, from offset {offset}")
        } else {
            format!("bytes that are not an extension header after the last HDU, from offset {offset}")
        });
        self.state = State::Done;
    }

    fn finish_header(
        &mut self,
        start: u64,
        buf: &[u8],
        end_card: usize,
        header_len: u64,
        mut warnings: Vec<String>,
    ) -> Result<(), ScanError> {
        let index = self.hdus.len();
        if index == 0 {
            check_primary(buf)?;
        }
        let header = parse_header(buf, end_card);
        warnings.extend(header.warnings.iter().cloned());
        let (kind, name) = kind_and_name(&header, index);
        let data_size =
            data_size(&header, index == 0).map_err(|why| ScanError::Corrupt(format!("HDU {index}: {why}")))?;
        let data_start = start + header_len;
        let hdu = Hdu { index, kind, name, header_start: start, data_start, data_size, header, warnings };
        let next = hdu.next_start();
        let last = self.stop.is_last(&hdu);
        self.hdus.push(hdu);
        if last {
            self.state = State::Done;
        } else if self.hdus.len() >= MAX_HDUS {
            self.warnings.push(format!("stopped after {MAX_HDUS} HDUs"));
            self.state = State::Done;
        } else {
            self.state = State::Data { end: next };
            self.normalize();
        }
        Ok(())
    }

    /// The stream ends at `size` (random access: data skipped over counts as
    /// present up to there). Whatever is incomplete becomes a warning.
    pub fn finish_at(&mut self, size: u64) -> Result<(), ScanError> {
        if let State::Data { end } = self.state
            && size > self.pos
        {
            self.pos = size.min(end);
        }
        self.finish()
    }

    /// The stream ended at `position()`. Whatever is incomplete becomes a warning.
    pub fn finish(&mut self) -> Result<(), ScanError> {
        let state = std::mem::replace(&mut self.state, State::Done);
        match state {
            State::Done => {}
            State::Header { start, buf } => {
                if buf.is_empty() {
                    return Ok(());
                }
                if !self.hdus.is_empty() && !buf.starts_with(b"XTENSION") {
                    self.trailing_bytes(start, &buf[..buf.len().min(80)]);
                    return Ok(());
                }
                let cards = buf.len() / 80;
                let index = self.hdus.len();
                if cards == 0 {
                    if self.hdus.is_empty() {
                        check_primary(&buf)?;
                    }
                    let why = format!("the file ends {} bytes into the header of HDU {index}", buf.len());
                    self.warnings.push(why.clone());
                    self.truncated_header = Some(why);
                    return Ok(());
                }
                let warning = NO_END.to_string();
                let header_len = (cards * 80) as u64;
                // Without END, what follows the cards is unknown: no data is claimed present.
                self.finish_header(start, &buf, cards, header_len, vec![warning])?;
                self.truncated_header = Some(format!("HDU {index}: {NO_END}"));
                self.state = State::Done;
            }
            State::Data { .. } => self.note_truncated_data(),
        }
        Ok(())
    }

    fn note_truncated_data(&mut self) {
        let pos = self.pos;
        if let Some(last) = self.hdus.last_mut() {
            let data_end = last.data_start + last.data_size;
            if pos < data_end {
                let have = pos.saturating_sub(last.data_start);
                last.warnings.push(format!("the file is truncated: {have} of {} data bytes present", last.data_size));
            }
        }
    }
}

/// HDU 0 must start with `SIMPLE =` (an XTENSION first is tolerated).
fn check_primary(buf: &[u8]) -> Result<(), ScanError> {
    let first = &buf[..buf.len().min(80)];
    let keyword = std::str::from_utf8(&first[..first.len().min(8)]).unwrap_or("").trim_end().to_ascii_uppercase();
    // A short first card is judged on what there is.
    if keyword == "SIMPLE" && first.get(8).is_none_or(|&b| b == b'=') {
        return Ok(());
    }
    let shown: String =
        first.iter().take(30).map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
    Err(ScanError::NotFits(format!("it starts with '{}'", shown.trim_end())))
}
