//! The folding tree of an ASDF preview: which nodes are folded, the line
//! under the cursor and the first line shown. Pure.

use crate::asdf::outline::{Line, visible};
use crate::preview::asdf::AsdfPreview;
use crate::preview::{PreviewBody, PreviewData};

/// The tree shown now: an ASDF file's, or that of the shown HDU when it is
/// a FITS file's `ASDF` extension.
pub fn shown_tree(data: &PreviewData, hdu: usize) -> Option<&AsdfPreview> {
    match &data.body {
        PreviewBody::Asdf(tree) => Some(tree),
        _ => data.asdf_hdu.as_ref().filter(|(at, _)| *at == hdu).map(|(_, tree)| tree.as_ref()),
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AsdfView {
    /// Per line of the outline: folded (only lines with children fold).
    folded: Vec<bool>,
    /// The outline's lines shown, as indices: made again when folds change.
    shown: Vec<usize>,
    /// Index into `shown` of the line under the cursor.
    pub cursor: usize,
    /// Index into `shown` of the first line on screen.
    pub top: usize,
}

impl AsdfView {
    /// The tree as it first shows: ndarrays and long lists folded.
    pub fn new(lines: &[Line]) -> Self {
        let folded = lines.iter().map(|l| l.folded_at_first && l.children > 0).collect();
        let mut view = Self { folded, ..Self::default() };
        view.refresh(lines);
        view
    }

    fn refresh(&mut self, lines: &[Line]) {
        let folded = &self.folded;
        self.shown = visible(lines, |i| folded.get(i).copied().unwrap_or(false));
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    /// The lines shown, as indices into the outline.
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    /// The outline line under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.shown.get(self.cursor).copied()
    }

    pub fn is_folded(&self, line: usize) -> bool {
        self.folded.get(line).copied().unwrap_or(false)
    }

    /// Moves the cursor by `delta` lines, keeping it within `height` lines of the top.
    pub fn move_by(&mut self, delta: isize, height: usize) {
        let last = self.shown.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last.max(0)) as usize;
        self.keep_visible(height);
    }

    pub fn move_to_end(&mut self, height: usize) {
        self.cursor = self.shown.len().saturating_sub(1);
        self.keep_visible(height);
    }

    /// Scrolls so that the cursor is on screen.
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + height {
            self.top = self.cursor + 1 - height;
        }
    }

    /// Folds or unfolds the node under the cursor; false when it has no children.
    pub fn toggle(&mut self, lines: &[Line]) -> bool {
        let Some(line) = self.current().filter(|&l| lines.get(l).is_some_and(|l| l.children > 0)) else {
            return false;
        };
        self.folded[line] = !self.folded[line];
        self.refresh(lines);
        true
    }

    /// Unfolds the node under the cursor, or steps onto its first child when it is open.
    pub fn open(&mut self, lines: &[Line], height: usize) {
        let Some(line) = self.current() else { return };
        if self.is_folded(line) {
            self.toggle(lines);
        } else if lines.get(line).is_some_and(|l| l.children > 0) {
            self.move_by(1, height);
        }
    }

    /// Folds the node under the cursor, or steps onto its parent when it is folded or a leaf.
    pub fn close(&mut self, lines: &[Line], height: usize) {
        let Some(line) = self.current() else { return };
        if lines.get(line).is_some_and(|l| l.children > 0) && !self.is_folded(line) {
            self.toggle(lines);
            return;
        }
        let depth = lines.get(line).map_or(0, |l| l.depth);
        if let Some(parent) =
            (0..self.cursor).rev().find(|&i| lines.get(self.shown[i]).is_some_and(|l| l.depth < depth))
        {
            self.cursor = parent;
            self.keep_visible(height);
        }
    }

    /// Finds the next (or previous) line holding `needle` in the whole tree,
    /// folded parts included, unfolds its parents and moves there. False if none.
    pub fn find(&mut self, lines: &[Line], needle: &str, forward: bool, inclusive: bool, height: usize) -> bool {
        let needle = needle.to_lowercase();
        if needle.is_empty() {
            return false;
        }
        let here = self.current().unwrap_or(0);
        let matches = |i: &usize| lines[*i].text().to_lowercase().contains(&needle);
        let found = if forward {
            let start = if inclusive { here } else { here + 1 };
            (start..lines.len()).find(matches)
        } else {
            (0..here).rev().find(matches)
        };
        let Some(target) = found else { return false };
        // Unfold every ancestor: the lines before it whose subtree holds it.
        for (line, folded) in lines.iter().zip(self.folded.iter_mut()).take(target) {
            if line.end > target {
                *folded = false;
            }
        }
        self.refresh(lines);
        self.cursor = self.shown.iter().position(|&l| l == target).unwrap_or(self.cursor);
        self.keep_visible(height);
        true
    }
}

impl super::preview_state::Preview {
    /// The search of an ASDF preview: over its whole tree (`None` for other previews).
    pub(super) fn find_in_asdf(&mut self, needle: &str, forward: bool, inclusive: bool) -> Option<bool> {
        let data = self.data_arc()?;
        let tree = shown_tree(&data, self.hdu)?;
        let view = self.asdf.as_mut()?;
        // The screen's height is not known here; the view keeps the cursor on screen when drawn.
        Some(view.find(&tree.lines, needle, forward, inclusive, usize::MAX / 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asdf::outline::outline;
    use crate::asdf::tree::parse_tree;

    fn lines() -> Vec<Line> {
        let yaml = "%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\nmeta:\n  a: 1\n  deep: {x: needle}\ndata: !core/ndarray-1.0.0 {source: 0, datatype: float32, shape: [2, 2]}\nlast: 2\n...\n";
        outline(&parse_tree(yaml).unwrap().unwrap())
    }

    #[test]
    fn folds_and_unfolds_under_the_cursor() {
        let lines = lines();
        let mut view = AsdfView::new(&lines);
        // root, meta, a, deep, x, data (folded), last
        assert_eq!(view.shown().len(), 7);
        view.move_by(5, 10);
        assert_eq!(lines[view.current().unwrap()].key, "data");
        view.open(&lines, 10);
        assert_eq!(view.shown().len(), 12, "data's source, datatype, shape and its two items");
        view.close(&lines, 10);
        assert_eq!(view.shown().len(), 7);
        view.close(&lines, 10);
        assert_eq!(view.cursor, 0, "a folded node's close goes to its parent");
        view.move_by(1, 10);
        assert!(view.toggle(&lines));
        assert_eq!(view.shown().len(), 4, "meta folded");
        view.move_by(-1, 10);
        view.close(&lines, 10);
        assert_eq!(view.shown().len(), 1, "the root folded");
    }

    #[test]
    fn search_unfolds_to_the_match() {
        let lines = lines();
        let mut view = AsdfView::new(&lines);
        view.move_by(1, 10);
        view.toggle(&lines);
        assert!(view.find(&lines, "NEEDLE", true, true, 2));
        assert_eq!(lines[view.current().unwrap()].text(), "x: needle");
        assert_eq!(view.top, view.cursor - 1, "kept on a 2-line screen");
        assert!(!view.find(&lines, "needle", true, false, 2));
        assert!(view.find(&lines, "meta", false, false, 2));
    }
}
