//! The title line and the status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{dim, error_style, fit};
use crate::preview::PreviewBody;
use crate::s3::Signing;
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::layout::SIDE_BY_SIDE_MIN_WIDTH;
use crate::tui::mode::{LineKind, Mode, Pane};
use crate::tui::state::State;

pub fn title(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let uri = state.selected_node().map(|n| state.tree.uri_of(n));
    let location = uri.as_ref().map(ToString::to_string).unwrap_or_default();
    let narrow = area.width < SIDE_BY_SIDE_MIN_WIDTH;
    // How the bucket under the cursor is reached: its signing, region and server.
    let right = match uri.map(|u| state.route(&u.bucket)) {
        Some(route) => {
            let signing = if route.signing == Signing::Anonymous { "anon" } else { "signed" };
            match &route.endpoint {
                Some(endpoint) if !narrow => format!("{signing} {} · {endpoint} ", route.region),
                _ => format!("{signing} {} ", route.region),
            }
        }
        None => String::new(),
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
    let location = fit(&t.escape(&location), left_width);
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

/// The main keys of the focused pane, as the keymap binds them.
fn pane_hints(state: &State) -> String {
    let hints: &[(Layer, Intent, &str)] = match state.focus {
        Pane::Tree => &[
            (Layer::Normal, Intent::Help, "help"),
            (Layer::Normal, Intent::StartFilter, "filter"),
            (Layer::Normal, Intent::StartJump, "jump"),
            (Layer::Normal, Intent::Copy, "copy"),
            (Layer::Normal, Intent::Download, "get"),
            (Layer::Normal, Intent::Quit, "quit"),
        ],
        Pane::Preview if state.preview.data().is_some_and(|d| matches!(d.body, PreviewBody::Parquet(_))) => &[
            (Layer::Normal, Intent::NextPane, "next pane"),
            (Layer::Normal, Intent::CycleView, "table"),
            (Layer::Normal, Intent::Copy, "copy"),
            (Layer::Normal, Intent::Help, "help"),
            (Layer::Normal, Intent::Quit, "quit"),
        ],
        Pane::Preview => &[
            (Layer::Normal, Intent::NextPane, "next pane"),
            (Layer::Normal, Intent::NextHdu, "next HDU"),
            (Layer::Normal, Intent::Copy, "copy"),
            (Layer::Normal, Intent::Help, "help"),
            (Layer::Normal, Intent::Quit, "quit"),
        ],
        Pane::Queue => &[
            (Layer::Queue, Intent::TogglePause, "pause"),
            (Layer::Queue, Intent::CancelJob, "cancel"),
            (Layer::Queue, Intent::RetryJob, "retry"),
            (Layer::Queue, Intent::ClearFinished, "clear done"),
            (Layer::Normal, Intent::NextPane, "next"),
        ],
    };
    keys_line(state, hints)
}

/// `key what · key what`, from the keys as bound (unbound ones left out).
fn keys_line(state: &State, hints: &[(Layer, Intent, &str)]) -> String {
    let keys: Vec<String> = hints
        .iter()
        .map(|(layer, intent, what)| (state.config.keys.hint(*layer, intent), what))
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, what)| format!("{key} {what}"))
        .collect();
    keys.join(" · ")
}

pub fn status_bar(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let input = |submit: &'static str, cancel: &'static str| {
        keys_line(state, &[(Layer::Input, Intent::Submit, submit), (Layer::Input, Intent::Escape, cancel)])
    };
    let question = |yes: &'static str, no: &'static str| {
        keys_line(state, &[(Layer::Confirm, Intent::Submit, yes), (Layer::Confirm, Intent::Escape, no)])
    };
    let (left, left_style, keys) = match &state.mode {
        Mode::Line(line) => {
            let text = t.escape(&line.text);
            let (left, keys) = match line.kind {
                LineKind::Filter => (format!("/{text}▏"), input("search server", "clear")),
                LineKind::Jump => (format!(":{text}▏"), input("go", "cancel")),
                LineKind::Search => (format!("find /{text}▏"), input("keep", "clear")),
                LineKind::Columns => (format!("columns (words, comma-separated): {text}▏"), input("pick", "cancel")),
            };
            (left, Style::new().fg(t.busy), keys)
        }
        Mode::ConfirmDownload(pending) => {
            let bytes: u64 = pending.objects.iter().map(|o| o.size).sum();
            let question_text = format!(
                "download {} objects, {}, from s3://{}/{}?",
                pending.objects.len(),
                crate::format::human_size(bytes),
                t.escape(&pending.bucket),
                t.escape(&pending.prefix)
            );
            (question_text, Style::new().fg(t.busy), question("yes", "no"))
        }
        Mode::ConfirmQuit => {
            (t.escape(&state.status.text).into_owned(), Style::new().fg(t.busy), question("quit", "stay"))
        }
        _ => {
            let style = if state.status.is_error { error_style(t) } else { Style::new() };
            (t.escape(&state.status.text).into_owned(), style, pane_hints(state))
        }
    };
    let width = area.width as usize;
    let keys = if width >= left.width() + keys.width() + 4 { keys } else { String::new() };
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
