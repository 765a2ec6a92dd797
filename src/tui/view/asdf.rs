//! The preview of an ASDF file: its tree as a folding tree (tags, ndarray
//! summaries), its blocks, and the keys that work on it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{dim, fit};
use crate::asdf::outline;
use crate::format::human_size;
use crate::preview::PreviewData;
use crate::preview::asdf::AsdfPreview;
use crate::tui::action::Intent;
use crate::tui::asdf_view::AsdfView;
use crate::tui::keymap::Layer;
use crate::tui::mode::Pane;
use crate::tui::state::State;
use crate::tui::theme::Theme;

/// Lines under the metadata: the blocks and what went wrong.
pub fn overview<'a>(t: &Theme, tree: &AsdfPreview, width: usize) -> Vec<Line<'a>> {
    let bytes: u64 = tree.blocks.iter().map(|b| b.size).sum();
    let nodes = tree.lines.len();
    let text = format!("tree of {nodes} nodes · {} blocks, {}", tree.blocks.len(), human_size(bytes));
    let mut lines = vec![Line::styled(fit(&text, width), Style::new().fg(t.busy))];
    for warning in tree.warnings.iter().take(2) {
        lines.push(Line::styled(fit(&format!("! {}", t.escape(warning)), width), Style::new().fg(t.more)));
    }
    lines
}

/// The tree in `body`, the footer in `footer`.
pub fn render(frame: &mut Frame<'_>, body: Rect, footer: Rect, state: &State, data: &PreviewData, tree: &AsdfPreview) {
    let t = &state.config.theme;
    let width = body.width as usize;
    let focused = state.focus == Pane::Preview;
    let fallback = AsdfView::new(&tree.lines);
    let view = state.preview.asdf.as_ref().unwrap_or(&fallback);
    let title = format!(" {} · tree ", t.escape(&tree.format));
    let rule = format!("─{title}{}", "─".repeat(width.saturating_sub(title.chars().count() + 1)));
    let mut shown = vec![Line::styled(fit(&rule, width), dim(t))];
    let height = (body.height as usize).saturating_sub(1).max(1);
    // The cursor stays on screen whatever the pane's height.
    let mut top = view.top.min(view.cursor);
    if view.cursor >= top + height {
        top = view.cursor + 1 - height;
    }
    for (row, &at) in view.shown().iter().enumerate().skip(top).take(height) {
        let Some(line) = tree.lines.get(at) else { break };
        let mut styled = tree_line(t, line, view.is_folded(at));
        if row == view.cursor {
            let cursor = if focused {
                Style::new().bg(t.selection).add_modifier(Modifier::BOLD)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            };
            styled = styled.style(cursor);
        }
        shown.push(styled);
    }
    frame.render_widget(Paragraph::new(shown), body);
    let keys = &state.config.keys;
    let place = format!("node {}/{}", view.cursor + usize::from(!view.shown().is_empty()), view.shown().len());
    let hints = if focused {
        format!(
            "{}/{} unfold/fold · {} toggle · {} find",
            keys.hint(Layer::Normal, &Intent::Open),
            keys.hint(Layer::Normal, &Intent::Close),
            keys.hint(Layer::Normal, &Intent::Toggle),
            keys.hint(Layer::Normal, &Intent::StartFilter)
        )
    } else {
        format!("{} to fold and unfold", keys.hint(Layer::Normal, &Intent::NextPane))
    };
    let text = format!("{} requests, {} · {place} · {hints}", data.requests, human_size(data.bytes_read));
    frame.render_widget(Paragraph::new(Line::styled(fit(&text, width), dim(t))), footer);
}

/// One node: indentation, a fold marker, the key, the tag, the value.
fn tree_line<'a>(t: &Theme, line: &outline::Line, folded: bool) -> Line<'a> {
    let text = |s: &str| if t.ascii { ascii_only(s) } else { s.to_string() };
    let marker = match (line.children > 0, folded, t.ascii) {
        (false, _, _) => "  ",
        (true, true, false) => "▸ ",
        (true, false, false) => "▾ ",
        (true, true, true) => "+ ",
        (true, false, true) => "- ",
    };
    let mut spans = vec![Span::raw(format!("{}{marker}", "  ".repeat(line.depth as usize)))];
    if !line.key.is_empty() {
        let separator = if line.key == "-" { " " } else { ": " };
        spans.push(Span::styled(format!("{}{separator}", text(&line.key)), Style::new().fg(t.keyword)));
    }
    if let Some(tag) = &line.tag {
        spans.push(Span::styled(format!("!{} ", text(tag)), Style::new().fg(t.accent)));
    }
    let value_style = if line.summarized {
        Style::new().fg(t.ok)
    } else if line.children > 0 {
        dim(t)
    } else {
        Style::new().fg(t.string)
    };
    spans.push(Span::styled(text(&line.value), value_style));
    Line::from(spans)
}

/// Text already escaped for the terminal, with what is beyond ASCII escaped too.
fn ascii_only(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii() { c.to_string() } else { format!("\\u{{{:x}}}", c as u32) }).collect()
}
