//! The title line and the status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{dim, error_style, fit};
use crate::escape::escape_for_terminal;
use crate::tui::app::{Mode, Pane, State};
use crate::tui::layout::SIDE_BY_SIDE_MIN_WIDTH;

pub fn title(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.theme;
    let location = state.selected_node().map(|n| state.tree.uri_of(n).to_string()).unwrap_or_default();
    let signing = if state.settings.anonymous { "anon" } else { "signed" };
    let narrow = area.width < SIDE_BY_SIDE_MIN_WIDTH;
    let right = if narrow {
        format!("{signing} {} ", state.settings.region)
    } else {
        format!("{signing} {} · {} ", state.settings.region, state.settings.endpoint)
    };
    let tabs = if narrow {
        match state.focus {
            Pane::Tree => " [Tree] Preview Queue ",
            Pane::Preview => " Tree [Preview] Queue ",
            Pane::Queue => " Tree Preview [Queue] ",
        }
    } else {
        ""
    };
    let left_width = (area.width as usize).saturating_sub(right.width() + tabs.width() + 10);
    let location = fit(&escape_for_terminal(&location), left_width);
    let used = 10 + location.width() + tabs.width() + right.width();
    let pad = (area.width as usize).saturating_sub(used);
    let line = Line::from(vec![
        Span::styled(" s3scope ", Style::new().fg(Color::Black).bg(t.accent).add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        Span::styled(location, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(tabs, Style::new().fg(t.busy)),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, dim(t)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

pub fn status_bar(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.theme;
    let (left, left_style, keys) = match &state.mode {
        Mode::Filter(text) => {
            (format!("/{}▏", escape_for_terminal(text)), Style::new().fg(t.busy), "Enter search server · Esc clear")
        }
        Mode::Jump(text) => {
            (format!(":{}▏", escape_for_terminal(text)), Style::new().fg(t.busy), "Enter go · Esc cancel")
        }
        Mode::ConfirmDownload(pending) => {
            let bytes: u64 = pending.objects.iter().map(|(_, size)| size).sum();
            let question = format!(
                "download {} objects, {}, from s3://{}/{}?",
                pending.objects.len(),
                crate::format::human_size(bytes),
                escape_for_terminal(&pending.bucket),
                escape_for_terminal(&pending.prefix)
            );
            (question, Style::new().fg(t.busy), "y yes · n no")
        }
        Mode::ConfirmQuit => {
            (escape_for_terminal(&state.status.text).into_owned(), Style::new().fg(t.busy), "y quit · Esc stay")
        }
        Mode::Search(text) => {
            (format!("find /{}▏", escape_for_terminal(text)), Style::new().fg(t.busy), "Enter keep · Esc clear")
        }
        _ => {
            let style = if state.status.is_error { error_style(t) } else { Style::new() };
            let keys = match state.focus {
                Pane::Tree => "? help · / filter · : jump · d get · q quit",
                Pane::Preview => "Tab next pane · [ ] HDU · ? help · q quit",
                Pane::Queue => "p pause · c cancel · r retry · x clear done · Tab next",
            };
            (escape_for_terminal(&state.status.text).into_owned(), style, keys)
        }
    };
    let width = area.width as usize;
    let keys = if width >= left.width() + keys.width() + 4 { keys } else { "" };
    let left = fit(&left, width.saturating_sub(keys.width() + 2));
    let pad = width.saturating_sub(left.width() + keys.width() + 1);
    let line = Line::from(vec![
        Span::raw(" "),
        Span::styled(left, left_style),
        Span::raw(" ".repeat(pad)),
        Span::styled(keys, dim(t)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
