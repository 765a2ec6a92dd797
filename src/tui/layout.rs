//! Where the panes go, as a pure function of the terminal size.
//!
//! At 100 columns and more the tree and the preview stand side by side;
//! below that they become tabs and Tab switches between them.

use ratatui::layout::{Constraint, Layout, Rect};

use super::mode::Pane;

/// Narrower terminals show one pane at a time.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub tree: Option<Rect>,
    pub preview: Option<Rect>,
    pub queue: Option<Rect>,
    pub status: Rect,
}

/// The panes for a terminal area. `queue` says whether there are downloads
/// to show (side by side, the queue takes the lower part of the right column).
pub fn areas(area: Rect, focus: Pane, queue: bool) -> Areas {
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if area.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let [tree, right] = Layout::horizontal([Constraint::Percentage(52), Constraint::Percentage(48)]).areas(body);
        if !queue {
            return Areas { title, tree: Some(tree), preview: Some(right), queue: None, status };
        }
        let [preview, queue] = Layout::vertical([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(right);
        return Areas { title, tree: Some(tree), preview: Some(preview), queue: Some(queue), status };
    }
    let mut areas = Areas { title, tree: None, preview: None, queue: None, status };
    match focus {
        Pane::Tree => areas.tree = Some(body),
        Pane::Preview => areas.preview = Some(body),
        Pane::Queue => areas.queue = Some(body),
    }
    areas
}

/// Tree rows that fit (inside the pane's border), whichever pane is shown.
pub fn tree_rows(width: u16, height: u16, focus: Pane) -> usize {
    let areas = areas(Rect::new(0, 0, width, height), focus, false);
    let body = areas.tree.or(areas.preview).or(areas.queue).unwrap_or_default();
    body.height.saturating_sub(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_show_both_panes() {
        let a = areas(Rect::new(0, 0, 160, 48), Pane::Tree, false);
        assert!(a.tree.is_some() && a.preview.is_some());
        assert_eq!(a.status.y, 47);
        assert_eq!(tree_rows(160, 48, Pane::Tree), 44);
        let with_queue = areas(Rect::new(0, 0, 160, 48), Pane::Tree, true);
        let (preview, queue) = (with_queue.preview.unwrap(), with_queue.queue.unwrap());
        assert_eq!((preview.x, queue.x), (with_queue.tree.unwrap().width, preview.x));
        assert_eq!(queue.y, preview.y + preview.height);
    }

    #[test]
    fn narrow_terminals_show_the_focused_pane_full_width() {
        let a = areas(Rect::new(0, 0, 80, 24), Pane::Tree, false);
        assert_eq!(a.tree.unwrap().width, 80);
        assert!(a.preview.is_none());
        let b = areas(Rect::new(0, 0, 80, 24), Pane::Preview, false);
        assert!(b.tree.is_none() && b.preview.unwrap().width == 80);
        assert_eq!(tree_rows(80, 24, Pane::Preview), 20);
    }
}
