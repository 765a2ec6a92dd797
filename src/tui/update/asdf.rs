//! The keys of an ASDF preview's folding tree (while the preview has the
//! keyboard): move, fold and unfold, search.

use std::sync::Arc;

use crate::preview::PreviewData;
use crate::tui::action::Intent;
use crate::tui::asdf_view::shown_tree;
use crate::tui::effect::Effect;
use crate::tui::mode::{Line, LineKind, Mode};
use crate::tui::preview_state::PreviewContent;
use crate::tui::state::State;

impl State {
    /// Lines of the preview's body for the tree (the pane less its top lines and footer).
    pub(crate) fn asdf_height(&self) -> usize {
        self.viewport().saturating_sub(6).max(1)
    }

    /// A folding-tree key; `None` when the key is not the tree's.
    pub(super) fn on_asdf_intent(&mut self, intent: &Intent) -> Option<Vec<Effect>> {
        let data: Arc<PreviewData> = match self.preview.content() {
            PreviewContent::Ready(data) => data.clone(),
            _ => return None,
        };
        let tree = shown_tree(&data, self.preview.hdu)?;
        let lines = &tree.lines;
        let height = self.asdf_height();
        let page = height.saturating_sub(1).max(1) as isize;
        let view = self.preview.asdf.as_mut()?;
        match intent {
            Intent::Up => view.move_by(-1, height),
            Intent::Down => view.move_by(1, height),
            Intent::PageUp => view.move_by(-page, height),
            Intent::PageDown => view.move_by(page, height),
            Intent::First => view.move_by(isize::MIN / 2, height),
            Intent::Last => view.move_to_end(height),
            Intent::Open => view.open(lines, height),
            Intent::Close => view.close(lines, height),
            Intent::Toggle => {
                if !view.toggle(lines) {
                    self.set_status("a value: nothing to fold");
                }
            }
            Intent::StartFilter => self.mode = Mode::Line(Line::new(LineKind::Search, "")),
            Intent::NextMatch | Intent::PreviousMatch => {
                let needle = self.preview.search.clone().unwrap_or_default();
                let forward = *intent == Intent::NextMatch;
                let found = self.preview.asdf.as_mut().is_some_and(|v| v.find(lines, &needle, forward, false, height));
                if !found {
                    self.set_status("no further match");
                }
            }
            _ => return None,
        }
        Some(Vec::new())
    }
}
