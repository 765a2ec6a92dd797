//! The preview of a prefix holding a catalog: its summary (what it is, rows,
//! partitions, RA/Dec, columns with units, properties), scrollable, with
//! what it cost on the last line.

use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use super::{dim, error_style, fit, spinner};
use crate::preview::PreviewBody;
use crate::tui::preview_state::PreviewContent;
use crate::tui::state::State;

/// Lines under the prefix's URI when a summary is read or being read
/// (`None`: the prefix is not known as a catalog). `height` is the pane's.
pub fn summary_lines<'a>(state: &State, width: usize, height: usize) -> Option<Vec<Line<'a>>> {
    let t = &state.config.theme;
    match state.preview.content() {
        PreviewContent::None => None,
        PreviewContent::Loading => Some(vec![Line::styled(
            format!("{} reading the catalog's small files…", spinner(state.tick)),
            Style::new().fg(t.busy),
        )]),
        PreviewContent::Failed(error) => {
            Some(vec![Line::styled(fit(&format!("✗ {}", t.escape(error)), width), error_style(t))])
        }
        PreviewContent::Ready(data) => {
            let PreviewBody::Recognized { format, .. } = &data.body else { return None };
            let mut lines =
                vec![Line::styled(fit(&t.escape(format), width), Style::new().add_modifier(Modifier::BOLD))];
            // The URI, the title and the cost line are always shown.
            let room = height.saturating_sub(3);
            let body = state.preview.body_lines();
            for line in body.iter().skip(state.preview.scroll).take(room) {
                let style = if line.starts_with("! ") {
                    error_style(t)
                } else if line.ends_with(':') && !line.starts_with(' ') {
                    dim(t)
                } else {
                    Style::new()
                };
                lines.push(Line::styled(fit(line, width), style));
            }
            let more = body.len().saturating_sub(state.preview.scroll + room);
            let more = if more > 0 { format!(" · {more} more lines") } else { String::new() };
            let cost = format!("{} requests, {} bytes read{more}", data.requests, data.bytes_read);
            lines.push(Line::styled(fit(&cost, width), dim(t)));
            Some(lines)
        }
    }
}
