//! What keys currently mean: the mode (a line being typed, a question, a
//! popup) and the pane that has the keyboard.

use super::action::Intent;
use crate::copy_format::CopyFormat;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Preview,
    Queue,
}

/// What a line being typed is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A filter for the prefix under the cursor.
    Filter,
    /// An `s3://` path (or URL) to jump to.
    Jump,
    /// A text to find among the previewed header cards.
    Search,
    /// Words picking the columns of a table view.
    Columns,
}

/// A line being typed: its text, and what was put there before any key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
    prefill: String,
}

impl Line {
    pub fn new(kind: LineKind, prefill: impl Into<String>) -> Self {
        let prefill = prefill.into();
        Self { kind, text: prefill.clone(), prefill }
    }

    /// Applies a line-editing intent; false for any other intent. A location
    /// typed or pasted right after a jump's prefill (`s3://a/b/` then
    /// `s3://c/d`) replaces it; a name typed there extends it.
    pub fn edit(&mut self, intent: &Intent) -> bool {
        match intent {
            Intent::Input(c) => self.text.push(*c),
            Intent::Backspace => {
                self.text.pop();
            }
            Intent::ClearInput => self.text.clear(),
            _ => return false,
        }
        if self.kind == LineKind::Jump
            && let Some(typed) = self.text.strip_prefix(self.prefill.as_str()).filter(|_| !self.prefill.is_empty())
            && ["s3://", "S3://", "https://", "http://"].iter().any(|s| typed.starts_with(s))
        {
            self.text = typed.to_string();
            self.prefill.clear();
        }
        if !self.text.starts_with(self.prefill.as_str()) {
            self.prefill.clear();
        }
        true
    }
}

/// The formats offered for the selection (or the marked rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyMenu {
    pub formats: Vec<CopyFormat>,
    pub selected: usize,
    /// How many rows the texts cover.
    pub targets: usize,
}

/// A prefix counted and waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDownload {
    pub bucket: String,
    pub prefix: String,
    pub objects: Vec<crate::queue::job::Listed>,
}

/// What keys currently mean.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing a filter, a jump or a search.
    Line(Line),
    /// Asking before downloading a whole prefix.
    ConfirmDownload(PendingDownload),
    /// Asking before quitting while downloads run.
    ConfirmQuit,
    Help,
    /// The copy menu (`Y`) is open.
    CopyMenu(CopyMenu),
}

impl Mode {
    /// The line being typed, if any.
    pub fn line(&self) -> Option<&Line> {
        match self {
            Mode::Line(line) => Some(line),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(line: &mut Line, text: &str) {
        for c in text.chars() {
            assert!(line.edit(&Intent::Input(c)));
        }
    }

    #[test]
    fn a_location_typed_after_the_prefill_replaces_it_and_a_name_extends_it() {
        let mut line = Line::new(LineKind::Jump, "s3://nasa-heasarc/");
        typed(&mut line, "chandra/");
        assert_eq!(line.text, "s3://nasa-heasarc/chandra/");
        let mut line = Line::new(LineKind::Jump, "s3://nasa-heasarc/");
        typed(&mut line, "s3://stpubdata/x");
        assert_eq!(line.text, "s3://stpubdata/x");
        let mut empty = Line::new(LineKind::Jump, "");
        typed(&mut empty, "s3://b/backup/s3://old/x");
        assert_eq!(empty.text, "s3://b/backup/s3://old/x", "a key holding a scheme stays whole");
        let mut filter = Line::new(LineKind::Filter, "");
        typed(&mut filter, "ab");
        assert!(filter.edit(&Intent::Backspace) && filter.text == "a");
        assert!(filter.edit(&Intent::ClearInput) && filter.text.is_empty());
        assert!(!filter.edit(&Intent::Submit));
    }
}
