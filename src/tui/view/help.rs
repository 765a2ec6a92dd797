//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::keymap::HELP;

pub fn render(frame: &mut Frame<'_>, area: Rect) {
    let height = (HELP.len() as u16 + 4).min(area.height);
    let width = 70.min(area.width);
    let x = area.x + (area.width - width) / 2;
    let y = area.y + (area.height - height) / 2;
    let popup = Rect::new(x, y, width, height);
    let mut lines: Vec<Line<'_>> = HELP
        .iter()
        .map(|(key, what)| {
            Line::from(vec![Span::styled(format!(" {key:<14}"), Style::new().fg(Color::Cyan)), Span::raw(*what)])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(" any key closes this help", Style::new().fg(Color::DarkGray)));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Keys ")
        .title_style(Style::new().add_modifier(Modifier::BOLD))
        .border_style(Style::new().fg(Color::Cyan));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
