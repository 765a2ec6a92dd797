//! The help overlay: every key, as the keymap binds it (config overrides
//! included); scrolls when the terminal is short.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{dim, draw_popup, fit, popup};
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::state::State;

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let help = state.config.keys.help();
    let popup = popup(area, 76, help.len() as u16 + 4);
    let key_width = help.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(8).clamp(8, 24);
    let rows = popup.height.saturating_sub(4) as usize;
    let scroll = state.help_scroll.min(help.len().saturating_sub(rows.max(1)));
    let text_width = (popup.width as usize).saturating_sub(key_width + 4);
    let mut lines: Vec<Line<'_>> = help
        .iter()
        .skip(scroll)
        .take(rows)
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {:<key_width$} ", fit(key, key_width)), Style::new().fg(t.accent)),
                Span::raw(fit(what, text_width)),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    let keys = &state.config.keys;
    let scroll = format!("{} {}", keys.hint(Layer::Help, &Intent::Down), keys.hint(Layer::Help, &Intent::Up));
    let more = if help.len() > rows { format!(" · {scroll} scroll") } else { String::new() };
    lines.push(Line::styled(format!(" any key closes this help{more}"), dim(t)));
    draw_popup(frame, popup, " Keys ".into(), lines, t);
}
