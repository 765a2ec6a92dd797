//! The tree pane: a window of the flattened rows handed to tui-tree-widget.
//!
//! Only the rows in the viewport become widget items (each a leaf, indented
//! and marked by us), so drawing costs the same for 100 or 100,000 rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use tui_tree_widget::{Tree, TreeItem, TreeState};
use unicode_width::UnicodeWidthStr;

use super::{border_style, dim, error_style, fit, spinner};
use crate::format::{date_time, human_size};
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::mode::Pane;
use crate::tui::state::State;
use crate::tui::tree::{LoadState, NodeKind, Row, RowKind};

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let focused = state.focus == Pane::Tree;
    let title = match &state.filter {
        Some(filter) => format!(" Tree · filter '{}' ", t.escape(&filter.text)),
        None => format!(" Tree · sorted by {} ", state.sort.label()),
    };
    let block = Block::new().borders(Borders::ALL).border_style(border_style(t, focused)).title(title);
    let inner = block.inner(area);
    let width = inner.width.saturating_sub(1) as usize;
    let visible = state.rows.iter().enumerate().skip(state.offset).take(inner.height as usize);
    let items: Vec<TreeItem<'_, usize>> =
        visible.map(|(index, row)| TreeItem::new_leaf(index, row_line(state, row, width))).collect();
    let Ok(tree) = Tree::new(&items) else { return };
    let tree = tree
        .block(block)
        .node_no_children_symbol("")
        .highlight_symbol("")
        .highlight_style(Style::new().bg(if focused { t.selection } else { t.muted }).add_modifier(Modifier::BOLD));
    let mut tree_state = TreeState::default();
    tree_state.select(vec![state.selected]);
    frame.render_stateful_widget(tree, area, &mut tree_state);
}

/// One row: indentation, marker, name, and right-aligned details.
fn row_line<'a>(state: &State, row: &Row, width: usize) -> Line<'a> {
    let t = &state.config.theme;
    let indent = "  ".repeat(row.depth as usize);
    let node = state.tree.node(row.node);
    match row.kind {
        RowKind::Node => {}
        RowKind::Loading => {
            let pages = match node.load {
                LoadState::Loading { pages, .. } if pages > 0 => {
                    format!(" ({} rows, page {})", node.children.len(), pages + 1)
                }
                _ => String::new(),
            };
            return Line::from(vec![
                Span::raw(indent),
                Span::styled(format!("{} loading…{pages}", spinner(state.tick)), Style::new().fg(t.busy)),
            ]);
        }
        RowKind::Failed => {
            let reason = match &node.load {
                LoadState::Failed(e) => t.escape(e).into_owned(),
                _ => String::new(),
            };
            let retry = state.config.keys.hint(Layer::Normal, &Intent::Refresh);
            let text = fit(&format!("✗ {reason} ({retry} to retry)"), width.saturating_sub(indent.len()));
            return Line::from(vec![Span::raw(indent), Span::styled(text, error_style(t))]);
        }
        RowKind::More => {
            let load = state.config.keys.hint(Layer::Normal, &Intent::Toggle);
            let text = format!("… {} loaded, more on the server ({load} to load)", node.children.len());
            return Line::from(vec![Span::raw(indent), Span::styled(text, Style::new().fg(t.more))]);
        }
        RowKind::Empty => return Line::from(vec![Span::raw(indent), Span::styled("(empty)", dim(t))]),
    }
    let marker = match (node.is_container(), node.expanded) {
        (true, true) => "▾",
        (true, false) => "▸",
        (false, _) => " ",
    };
    let marked = !state.marks.is_empty() && state.is_marked(&state.tree.uri_of(row.node));
    let mark = if marked { "*" } else { " " };
    let (name, name_style) = match &node.kind {
        NodeKind::Bucket { .. } => {
            (format!("{}/", t.escape(&node.name)), Style::new().fg(t.accent).add_modifier(Modifier::BOLD))
        }
        NodeKind::Prefix => (t.escape(&node.name).into_owned(), Style::new().fg(t.accent)),
        NodeKind::Object(_) if node.name.is_empty() => ("(directory marker)".to_string(), dim(t)),
        NodeKind::Object(_) => (t.escape(&node.name).into_owned(), Style::new()),
    };
    let details = match &node.kind {
        NodeKind::Bucket { archive } => archive.as_deref().unwrap_or("").to_string(),
        NodeKind::Prefix => match node.load {
            LoadState::Loaded | LoadState::Partial { .. } if !node.children.is_empty() => {
                let more = if matches!(node.load, LoadState::Partial { .. }) { "+" } else { "" };
                format!("{}{more}", node.children.len())
            }
            _ => String::new(),
        },
        NodeKind::Object(meta) => {
            let size = human_size(meta.size);
            match meta.modified {
                Some(t) if width >= 70 => format!("{size:>9}  {}", &date_time(t)[..10]),
                _ => format!("{size:>9}"),
            }
        }
    };
    let used = indent.len() + 2 + details.width() + 1;
    let name = fit(&name, width.saturating_sub(used));
    let pad = width.saturating_sub(indent.len() + 2 + name.width() + details.width());
    let name_style = if marked { name_style.add_modifier(Modifier::BOLD) } else { name_style };
    Line::from(vec![
        Span::raw(indent),
        Span::styled(marker, dim(t)),
        Span::styled(mark, Style::new().fg(t.busy).add_modifier(Modifier::BOLD)),
        Span::styled(name, name_style),
        Span::raw(" ".repeat(pad)),
        Span::styled(details, dim(t)),
    ])
}
