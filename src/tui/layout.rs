//! Where the panes go, as a pure function of the terminal size.
//!
//! At 100 columns and more the tree and the preview stand side by side;
//! below that they become tabs and Tab switches between them.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::Pane;

/// Narrower terminals show one pane at a time.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub tree: Option<Rect>,
    pub preview: Option<Rect>,
    pub status: Rect,
}

pub fn areas(area: Rect, focus: Pane) -> Areas {
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if area.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let [tree, preview] = Layout::horizontal([Constraint::Percentage(52), Constraint::Percentage(48)]).areas(body);
        return Areas { title, tree: Some(tree), preview: Some(preview), status };
    }
    let (tree, preview) = match focus {
        Pane::Tree => (Some(body), None),
        Pane::Preview => (None, Some(body)),
    };
    Areas { title, tree, preview, status }
}

/// Tree rows that fit (inside the pane's border), whichever pane is shown.
pub fn tree_rows(width: u16, height: u16, focus: Pane) -> usize {
    let areas = areas(Rect::new(0, 0, width, height), focus);
    let body = areas.tree.or(areas.preview).unwrap_or_default();
    body.height.saturating_sub(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_show_both_panes() {
        let a = areas(Rect::new(0, 0, 160, 48), Pane::Tree);
        assert!(a.tree.is_some() && a.preview.is_some());
        assert_eq!(a.status.y, 47);
        assert_eq!(tree_rows(160, 48, Pane::Tree), 44);
    }

    #[test]
    fn narrow_terminals_show_the_focused_pane_full_width() {
        let a = areas(Rect::new(0, 0, 80, 24), Pane::Tree);
        assert_eq!(a.tree.unwrap().width, 80);
        assert!(a.preview.is_none());
        let b = areas(Rect::new(0, 0, 80, 24), Pane::Preview);
        assert!(b.tree.is_none() && b.preview.unwrap().width == 80);
        assert_eq!(tree_rows(80, 24, Pane::Preview), 20);
    }
}
