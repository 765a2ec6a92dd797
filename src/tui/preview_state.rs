//! The preview pane's state: what was read for the selected object, which
//! HDU is shown, the scroll position and the card search. Pure.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

use super::asdf_view::{AsdfView, shown_tree};
use super::image_view::ImageView;
use super::table_view::TableView;
use super::tree::{NodeId, RequestId};
use crate::columnar::summary::summary_lines;
use crate::escape::escape_for_display;
use crate::preview::{PreviewBody, PreviewData};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum PreviewContent {
    /// Nothing requested: a prefix (described from the tree) or nothing selected.
    #[default]
    None,
    Loading,
    Ready(Arc<PreviewData>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preview {
    pub node: Option<NodeId>,
    pub request: Option<RequestId>,
    /// Set by `show`, `loading` and `failed`, which keep the lines in step.
    content: PreviewContent,
    /// The HDU whose cards are shown.
    pub hdu: usize,
    /// First line of the scrollable body shown.
    pub scroll: usize,
    /// Text searched among the body lines (n / N step through matches).
    pub search: Option<String>,
    /// Compressed bytes the last read of a gzip preview might take (0: the default).
    pub gzip_budget: u64,
    /// The shown HDU's lines (or the text head, or the hex dump), escaped for
    /// the terminal: made once when the content or the HDU changes.
    lines: Vec<String>,
    /// Escape characters beyond ASCII too (a terminal without Unicode).
    ascii: bool,
    /// The table view of the shown HDU, when it is on.
    pub table: Option<TableView>,
    /// HDUs shown as tables (kept while stepping through the HDUs).
    pub table_hdus: BTreeSet<usize>,
    /// The image view of the shown HDU, when it is on.
    pub image: Option<ImageView>,
    /// HDUs shown as images.
    pub image_hdus: BTreeSet<usize>,
    /// The folding tree of an ASDF preview.
    pub asdf: Option<AsdfView>,
}

/// A hex dump line: offset, 16 bytes, their printable ASCII.
pub fn hex_line(offset: usize, bytes: &[u8]) -> String {
    let mut line = format!("{offset:08x} ");
    for (i, b) in bytes.iter().enumerate() {
        if i == 8 {
            line.push(' ');
        }
        let _ = write!(line, " {b:02x}");
    }
    let pad = (16 - bytes.len()) * 3 + usize::from(bytes.len() <= 8);
    line.push_str(&" ".repeat(pad));
    line.push_str("  |");
    line.extend(bytes.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }));
    line.push('|');
    line
}

impl Preview {
    /// Nothing read yet for `node`.
    pub fn for_node(node: Option<NodeId>) -> Self {
        Self { node, ..Self::default() }
    }

    pub fn data(&self) -> Option<&PreviewData> {
        match &self.content {
            PreviewContent::Ready(data) => Some(data),
            _ => None,
        }
    }

    /// The data shown, shared (to read it while changing the preview).
    pub fn data_arc(&self) -> Option<Arc<PreviewData>> {
        match &self.content {
            PreviewContent::Ready(data) => Some(data.clone()),
            _ => None,
        }
    }

    pub fn content(&self) -> &PreviewContent {
        &self.content
    }

    /// A read is under way.
    pub fn loading(&mut self) {
        self.content = PreviewContent::Loading;
        self.lines.clear();
    }

    /// The read failed.
    pub fn failed(&mut self, error: String) {
        self.content = PreviewContent::Failed(error);
        self.lines.clear();
    }

    /// Shows `data`, read for the selected object.
    pub fn show(&mut self, data: Arc<PreviewData>, ascii: bool) {
        self.asdf = shown_tree(&data, self.hdu).map(|tree| AsdfView::new(&tree.lines));
        self.content = PreviewContent::Ready(data);
        self.ascii = ascii;
        self.lines = self.make_lines();
    }

    /// The scrollable lines: the shown HDU's cards, a text head, or a hex dump.
    /// Already escaped for the terminal.
    pub fn body_lines(&self) -> &[String] {
        &self.lines
    }

    fn make_lines(&self) -> Vec<String> {
        let Some(data) = self.data() else { return Vec::new() };
        self.body_text(&data.body)
    }

    /// A body's lines, escaped for the terminal.
    fn body_text(&self, body: &PreviewBody) -> Vec<String> {
        let escape = |text: &str| escape_for_display(text, self.ascii).into_owned();
        match body {
            PreviewBody::Fits(headers) => headers
                .hdus
                .get(self.hdu)
                .map(|hdu| hdu.header.raw.iter().map(|card| escape(card.trim_end())).collect())
                .unwrap_or_default(),
            PreviewBody::Text { lines, .. } => lines.iter().map(|l| escape(l)).collect(),
            PreviewBody::Binary(bytes) => {
                bytes.chunks(16).enumerate().map(|(i, chunk)| hex_line(i * 16, chunk)).collect()
            }
            PreviewBody::Empty => Vec::new(),
            PreviewBody::Parquet(parquet) => {
                let lines = summary_lines(&parquet.description, parquet.footer.length);
                lines.iter().map(|l| escape(l)).collect()
            }
            // Drawn as a folding tree from the outline (tui::view::asdf).
            PreviewBody::Asdf(_) => Vec::new(),
            PreviewBody::Recognized { facts, head, .. } => {
                let mut lines: Vec<String> = facts.iter().map(|f| escape(f)).collect();
                lines.extend(self.body_text(head));
                lines
            }
        }
    }

    fn hdu_count(&self) -> usize {
        match self.data().map(|d| &d.body) {
            Some(PreviewBody::Fits(headers)) => headers.hdus.len(),
            _ => 0,
        }
    }

    /// Shows the next (+1) or previous (-1) HDU.
    pub fn step_hdu(&mut self, delta: isize) {
        let count = self.hdu_count();
        if count == 0 {
            return;
        }
        let next = (self.hdu as isize + delta).clamp(0, count as isize - 1) as usize;
        if next != self.hdu {
            self.hdu = next;
            self.scroll = 0;
            self.lines = self.make_lines();
            self.asdf = self.data().and_then(|d| shown_tree(d, next)).map(|tree| AsdfView::new(&tree.lines));
        }
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let last = self.body_lines().len().saturating_sub(1);
        self.scroll = (self.scroll as isize + delta).clamp(0, last as isize) as usize;
    }

    pub fn scroll_to_end(&mut self) {
        self.scroll = self.body_lines().len().saturating_sub(1);
    }

    /// Moves to the next line holding the search text (from the current
    /// line when `inclusive`), or the previous one. False if there is none.
    pub fn find(&mut self, forward: bool, inclusive: bool) -> bool {
        let Some(needle) = self.search.as_ref().map(|s| s.to_lowercase()).filter(|s| !s.is_empty()) else {
            return false;
        };
        if let Some(found) = self.find_in_asdf(&needle, forward, inclusive) {
            return found;
        }
        let lines = self.body_lines();
        let matches = |i: &usize| lines[*i].to_lowercase().contains(&needle);
        let found = if forward {
            let start = if inclusive { self.scroll } else { self.scroll + 1 };
            (start..lines.len()).find(matches)
        } else {
            (0..self.scroll).rev().find(matches)
        };
        if let Some(line) = found {
            self.scroll = line;
        }
        found.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_lines_are_aligned() {
        let full = hex_line(0, &[0x1f, 0x8b, 8, 0, b'A', b'B', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f]);
        assert_eq!(full, "00000000  1f 8b 08 00 41 42 00 00  00 00 00 00 00 00 00 7f  |....AB..........|");
        let short = hex_line(16, b"hi");
        assert_eq!(short.len(), full.len() - 14);
        assert!(short.starts_with("00000010  68 69 ") && short.ends_with("|hi|"));
    }

    #[test]
    fn a_recognized_format_shows_its_facts_then_its_head() {
        let data = PreviewData {
            details: Default::default(),
            body: PreviewBody::Recognized {
                format: "Parquet".into(),
                facts: vec!["footer: 120 bytes".into()],
                head: Box::new(PreviewBody::Binary(b"PAR1\x1b".to_vec())),
            },
            requests: 2,
            bytes_read: 4104,
            asdf_hdu: None,
        };
        let mut preview = Preview::default();
        preview.show(Arc::new(data), false);
        let lines = preview.body_lines();
        assert_eq!(lines[0], "footer: 120 bytes");
        assert!(lines[1].starts_with("00000000  50 41 52 31 1b") && lines[1].ends_with("|PAR1.|"), "{}", lines[1]);
    }

    #[test]
    fn search_steps_through_matching_lines() {
        let data = PreviewData {
            details: Default::default(),
            body: PreviewBody::Text {
                lines: vec!["alpha".into(), "beta".into(), "ALPHA two".into(), "gamma".into()],
                inflated: false,
                truncated: false,
            },
            requests: 1,
            bytes_read: 10,
            asdf_hdu: None,
        };
        let mut preview = Preview::default();
        preview.show(Arc::new(data), false);
        preview.search = Some("alpha".into());
        assert!(preview.find(true, true));
        assert_eq!(preview.scroll, 0);
        assert!(preview.find(true, false));
        assert_eq!(preview.scroll, 2);
        assert!(!preview.find(true, false));
        assert!(preview.find(false, false));
        assert_eq!(preview.scroll, 0);
        preview.scroll_by(100);
        assert_eq!(preview.scroll, 3);
    }
}
