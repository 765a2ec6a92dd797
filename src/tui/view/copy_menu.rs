//! The copy menu (`Y`): each format with a number and the start of its text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::{dim, draw_popup, fit, popup};
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::mode::CopyMenu;
use crate::tui::state::State;

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, menu: &CopyMenu) {
    let t = &state.config.theme;
    let popup = popup(area, 100, menu.formats.len() as u16 + 4);
    let inner_width = popup.width.saturating_sub(2) as usize;
    let label_width = menu.formats.iter().map(|f| f.label.len()).max().unwrap_or(10).min(20);
    let mut lines: Vec<Line<'_>> = menu
        .formats
        .iter()
        .enumerate()
        .map(|(i, format)| {
            let first = format.text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let lines = format.text.lines().count();
            let more = if lines > 1 { format!(" (+{} lines)", lines - 1) } else { String::new() };
            let head = format!(" {} {:<label_width$}  ", i + 1, format.label);
            let room = inner_width.saturating_sub(head.chars().count() + more.chars().count());
            let line = Line::from(vec![
                Span::styled(head, Style::new().fg(t.accent)),
                Span::raw(fit(&t.escape(first), room)),
                Span::styled(more, dim(t)),
            ]);
            if i == menu.selected {
                line.style(Style::new().bg(t.selection).add_modifier(Modifier::BOLD))
            } else {
                line
            }
        })
        .collect();
    lines.push(Line::raw(""));
    let keys = &state.config.keys;
    let copy = keys.hint(Layer::CopyMenu, &Intent::Submit);
    let moves = format!("{} {}", keys.hint(Layer::CopyMenu, &Intent::Down), keys.hint(Layer::CopyMenu, &Intent::Up));
    let close = keys.hint(Layer::CopyMenu, &Intent::Escape);
    lines.push(Line::styled(format!(" {copy} or 1-9 copies · {moves} move · {close} closes"), dim(t)));
    let title = if menu.targets == 1 { " Copy as ".to_string() } else { format!(" Copy {} rows as ", menu.targets) };
    draw_popup(frame, popup, title, lines, t);
}
