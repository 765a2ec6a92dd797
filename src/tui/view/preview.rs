//! The preview pane: metadata of the selected object, or what is known of
//! the selected prefix. (The FITS header view plugs in here.)

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{border_style, dim, error_style, spinner};
use crate::escape::escape_for_terminal;
use crate::format::{human_size, rfc3339};
use crate::tui::app::{Pane, PreviewContent, State};
use crate::tui::tree::{LoadState, NodeKind};

fn field<'a>(label: &str, value: String) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<14}"), dim()), Span::raw(value)])
}

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let focused = state.focus == Pane::Preview;
    let block = Block::new().borders(Borders::ALL).border_style(border_style(focused)).title(" Preview ");
    let lines = match state.preview.node {
        None => vec![Line::styled("Select a bucket, prefix or object.", dim())],
        Some(node) => describe(state, node),
    };
    let paragraph = Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((state.preview.scroll, 0));
    frame.render_widget(paragraph, area);
}

fn describe<'a>(state: &State, id: usize) -> Vec<Line<'a>> {
    let node = state.tree.node(id);
    let uri = escape_for_terminal(&state.tree.uri_of(id).to_string()).into_owned();
    let mut lines = vec![Line::styled(uri, Style::new().add_modifier(Modifier::BOLD)), Line::raw("")];
    match &node.kind {
        NodeKind::Object(meta) => match &state.preview.content {
            PreviewContent::Loading => {
                lines.push(field("Size", format!("{} ({} bytes)", human_size(meta.size), meta.size)));
                lines.push(Line::styled(
                    format!("{} reading metadata…", spinner(state.tick)),
                    Style::new().fg(Color::Yellow),
                ));
            }
            PreviewContent::Object(details) => {
                lines.push(field("Size", format!("{} ({} bytes)", human_size(details.size), details.size)));
                lines.push(field("Last modified", details.last_modified.map(rfc3339).unwrap_or_else(|| "—".into())));
                let text = |v: &Option<String>| {
                    v.as_deref().map(|s| escape_for_terminal(s).into_owned()).unwrap_or_else(|| "—".into())
                };
                lines.push(field("Content type", text(&details.content_type)));
                lines.push(field("ETag", text(&details.etag)));
                lines.push(field("Storage class", text(&details.storage_class)));
            }
            PreviewContent::Failed(error) => {
                lines.push(Line::styled(format!("✗ {}", escape_for_terminal(error)), error_style()));
                lines.push(Line::styled("r: try again", dim()));
            }
            PreviewContent::None => {}
        },
        NodeKind::Bucket { .. } | NodeKind::Prefix => {
            let summary = state.tree.summary(id);
            let load = match &node.load {
                LoadState::NotLoaded => "not listed yet (Enter or l to open)".to_string(),
                LoadState::Loading { pages, .. } => format!("{} listing… page {}", spinner(state.tick), pages + 1),
                LoadState::Partial { at_bound: true, .. } => "more on the server (Enter on the … row to load)".into(),
                LoadState::Partial { .. } => "listing paused (open to resume)".into(),
                LoadState::Loaded => "complete".into(),
                LoadState::Failed(e) => format!("failed: {}", escape_for_terminal(e)),
            };
            if let NodeKind::Bucket { archive: Some(archive) } = &node.kind {
                lines.push(field("Archive", archive.to_string()));
            }
            lines.push(field("Listing", load));
            if node.load != LoadState::NotLoaded {
                lines.push(field("Prefixes", summary.prefixes.to_string()));
                lines.push(field("Objects", summary.objects.to_string()));
                lines.push(field("Size", format!("{} in the objects listed", human_size(summary.bytes))));
            }
        }
    }
    lines
}
