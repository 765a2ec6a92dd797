//! Drawing the state. Every function takes `&State` and draws; nothing here
//! changes state. Keys and header values pass through `escape_for_terminal`.

mod asdf;
mod catalog;
mod copy_menu;
mod help;
mod image;
mod preview;
mod queue;
mod status;
mod table;
mod tree;

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::layout::areas;
use super::mode::Mode;
use super::state::State;
use super::theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(tick: u64) -> &'static str {
    SPINNER[(tick % SPINNER.len() as u64) as usize]
}

pub fn render(frame: &mut Frame<'_>, state: &State) {
    let areas = areas(frame.area(), state.focus, !state.queue.jobs.is_empty());
    status::title(frame, areas.title, state);
    if let Some(area) = areas.tree {
        tree::render(frame, area, state);
    }
    if let Some(area) = areas.preview {
        preview::render(frame, area, state);
    }
    if let Some(area) = areas.queue {
        queue::render(frame, area, state);
    }
    status::status_bar(frame, areas.status, state);
    match &state.mode {
        Mode::Help => help::render(frame, frame.area(), state),
        Mode::CopyMenu(menu) => copy_menu::render(frame, frame.area(), state, menu),
        _ => {}
    }
    state.config.theme.adapt(frame.buffer_mut());
}

/// Cuts `text` to `width` display columns, ending in `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

pub fn border_style(t: &Theme, focused: bool) -> Style {
    Style::new().fg(if focused { t.accent } else { t.muted })
}

pub fn dim(t: &Theme) -> Style {
    Style::new().fg(t.muted)
}

pub fn error_style(t: &Theme) -> Style {
    Style::new().fg(t.error).add_modifier(Modifier::BOLD)
}

/// Draws `lines` in a framed box with a bold `title` over whatever is below.
pub fn draw_popup(frame: &mut Frame<'_>, area: ratatui::layout::Rect, title: String, lines: Vec<Line<'_>>, t: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .title_style(Style::new().add_modifier(Modifier::BOLD))
        .border_style(Style::new().fg(t.accent));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A centred box of at most `width` x `height` inside `area`.
pub fn popup(area: ratatui::layout::Rect, width: u16, height: u16) -> ratatui::layout::Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    ratatui::layout::Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("星星星", 4), "星…");
        assert_eq!(fit("abc", 0), "");
    }
}
