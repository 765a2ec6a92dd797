//! The preview pane: for an object, its metadata and FITS headers (HDU list,
//! key cards, WCS, the shown HDU's cards coloured by kind), a text head or a
//! hex view; for a prefix, what is known of it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{border_style, dim, error_style, fit, spinner};
use crate::fits::card::record_value;
use crate::fits::reader::FitsHeaders;
use crate::fits::summary;
use crate::format::{date_time, human_size, rfc3339};
use crate::preview::{ObjectDetails, PreviewBody, PreviewData};
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::mode::Pane;
use crate::tui::preview_state::PreviewContent;
use crate::tui::state::State;
use crate::tui::table_view::TableData;
use crate::tui::theme::Theme;
use crate::tui::tree::{LoadState, NodeKind};

fn field<'a>(t: &Theme, label: &str, value: String) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<14}"), dim(t)), Span::raw(value)])
}

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let focused = state.focus == Pane::Preview;
    let block = Block::new().borders(Borders::ALL).border_style(border_style(t, focused)).title(" Preview ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(node) = state.preview.node else {
        frame.render_widget(Paragraph::new(Line::styled("Select a bucket, prefix or object.", dim(t))), inner);
        return;
    };
    let width = inner.width as usize;
    let uri = t.escape(&state.tree.uri_of(node).to_string()).into_owned();
    let mut top = vec![Line::styled(fit(&uri, width), Style::new().add_modifier(Modifier::BOLD))];
    let tree_node = state.tree.node(node);
    match (&tree_node.kind, state.preview.content()) {
        (NodeKind::Object(meta), PreviewContent::Loading) => {
            top.push(field(t, "Size", format!("{} ({} bytes)", human_size(meta.size), meta.size)));
            top.push(Line::styled(format!("{} reading…", spinner(state.tick)), Style::new().fg(t.busy)));
            frame.render_widget(Paragraph::new(top), inner);
        }
        (NodeKind::Object(_), PreviewContent::Failed(error)) => {
            top.push(Line::styled(format!("✗ {}", t.escape(error)), error_style(t)));
            top.push(Line::styled("r: try again", dim(t)));
            frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), inner);
        }
        (NodeKind::Object(_), PreviewContent::Ready(data)) => object(frame, inner, state, top, data),
        (NodeKind::Object(_), PreviewContent::None) => frame.render_widget(Paragraph::new(top), inner),
        _ => {
            if let Some(summary) = super::catalog::summary_lines(state, width, inner.height as usize) {
                top.extend(summary);
                frame.render_widget(Paragraph::new(top), inner);
                return;
            }
            top.extend(prefix_lines(state, node));
            frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), inner);
        }
    }
}

fn metadata_lines<'a>(t: &Theme, details: &ObjectDetails, width: usize) -> Vec<Line<'a>> {
    let text = |v: &Option<String>| v.as_deref().map(|s| t.escape(s).into_owned()).unwrap_or_else(|| "—".into());
    let modified = details.last_modified.map(date_time).unwrap_or_else(|| "—".into());
    vec![
        Line::from(vec![
            Span::styled(
                fit(&format!("{} ({} bytes)", human_size(details.size), details.size), width / 2),
                Style::new(),
            ),
            Span::styled(" · ", dim(t)),
            Span::raw(format!("{modified} UTC")),
        ]),
        Line::styled(
            fit(
                &format!(
                    "{} · {} · ETag {}",
                    text(&details.content_type),
                    text(&details.storage_class),
                    text(&details.etag)
                ),
                width,
            ),
            dim(t),
        ),
    ]
}

fn object(frame: &mut Frame<'_>, area: Rect, state: &State, mut top: Vec<Line<'_>>, data: &PreviewData) {
    let t = &state.config.theme;
    let width = area.width as usize;
    top.extend(metadata_lines(t, &data.details, width));
    let (title, body_style) = match &data.body {
        PreviewBody::Fits(headers) => {
            top.extend(fits_overview(state, headers, width));
            let hdu = headers.hdus.get(state.preview.hdu);
            let title = hdu
                .map(|h| format!(" HDU {} {} · {} cards ", h.index, t.escape(&h.name), h.header.raw.len()))
                .unwrap_or_default();
            (title, BodyStyle::Cards)
        }
        PreviewBody::Text { inflated, truncated, .. } => {
            let what = format!(
                " text{}{} ",
                if *inflated { ", inflated from gzip" } else { "" },
                if *truncated { ", first 4 KiB" } else { "" }
            );
            (what, BodyStyle::Plain)
        }
        PreviewBody::Binary(bytes) => (format!(" binary, first {} bytes ", bytes.len()), BodyStyle::Plain),
        PreviewBody::Empty => (" empty object ".into(), BodyStyle::Plain),
        PreviewBody::Parquet(parquet) => (format!(" Parquet · {} rows ", parquet.description.rows), BodyStyle::Plain),
        PreviewBody::Recognized { format, .. } => (format!(" {} ", t.escape(format)), BodyStyle::Plain),
        PreviewBody::Asdf(tree) => {
            top.extend(super::asdf::overview(t, tree, width));
            (String::new(), BodyStyle::Plain)
        }
    };
    let top_height = (top.len() as u16 + 1).min(area.height.saturating_sub(3).max(1));
    let [top_area, body_area, footer_area] =
        Layout::vertical([Constraint::Length(top_height), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(top), top_area);
    if let Some(tree) = crate::tui::asdf_view::shown_tree(data, state.preview.hdu)
        && state.preview.table.as_ref().is_none_or(|v| v.hdu != state.preview.hdu)
    {
        return super::asdf::render(frame, body_area, footer_area, state, data, tree);
    }
    if let Some(view) = state.preview.image.as_ref().filter(|v| v.hdu == state.preview.hdu) {
        let title = format!(" HDU {} · quick-look ", view.hdu);
        let rule = format!("─{title}{}", "─".repeat(width.saturating_sub(title.chars().count() + 1)));
        let [rule_area, picture_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body_area);
        frame.render_widget(Paragraph::new(Line::styled(fit(&rule, width), dim(t))), rule_area);
        super::image::render(frame, picture_area, state, view);
        let footer = super::image::footer(state, view);
        frame.render_widget(Paragraph::new(Line::styled(fit(&footer, width), dim(t))), footer_area);
        return;
    }
    if let Some(view) = state.preview.table.as_ref().filter(|v| v.hdu == state.preview.hdu) {
        let parquet = matches!(view.data, TableData::Parquet(_));
        let title = if parquet {
            format!(" Parquet · table, {} rows ", view.rows())
        } else {
            format!(" HDU {} · table, {} rows ", view.hdu, view.rows())
        };
        let rule = format!("─{title}{}", "─".repeat(width.saturating_sub(title.chars().count() + 1)));
        let [rule_area, rows_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body_area);
        frame.render_widget(Paragraph::new(Line::styled(fit(&rule, width), dim(t))), rule_area);
        super::table::render(frame, rows_area, state, view);
        let footer = format!(
            "{} · {}: {} requests, {} read",
            super::table::footer(state, view, rows_area.height),
            if parquet { "footer" } else { "headers" },
            data.requests,
            human_size(data.bytes_read)
        );
        frame.render_widget(Paragraph::new(Line::styled(fit(&footer, width), dim(t))), footer_area);
        return;
    }
    let rule = format!("─{title}{}", "─".repeat(width.saturating_sub(title.chars().count() + 1)));
    let lines = state.preview.body_lines();
    let search = state.preview.search.as_deref().filter(|s| !s.is_empty()).map(str::to_lowercase);
    let mut body = vec![Line::styled(fit(&rule, width), dim(t))];
    body.extend(lines.iter().skip(state.preview.scroll).take(body_area.height as usize).map(|line| {
        let styled = match body_style {
            BodyStyle::Cards => card_line(t, line),
            BodyStyle::Plain => Line::raw(line.clone()),
        };
        match &search {
            Some(needle) if line.to_lowercase().contains(needle) => {
                styled.style(Style::new().bg(t.busy).fg(Color::Black))
            }
            _ => styled,
        }
    }));
    frame.render_widget(Paragraph::new(body), body_area);
    let shown = if lines.is_empty() { 0 } else { state.preview.scroll + 1 };
    let mut footer =
        format!("{} requests, {} read · line {shown}/{}", data.requests, human_size(data.bytes_read), lines.len());
    if let PreviewBody::Parquet(_) = &data.body {
        let keys = &state.config.keys;
        let view = keys.hint(Layer::Normal, &Intent::CycleView);
        footer.push_str(&format!(" · {view} table · {} search", keys.hint(Layer::Normal, &Intent::StartFilter)));
    }
    if let PreviewBody::Fits(headers) = &data.body {
        let keys = &state.config.keys;
        let hdu = keys.hint_pair(&Intent::PreviousHdu, &Intent::NextHdu);
        footer.push_str(&format!(" · {hdu} HDU · {} search", keys.hint(Layer::Normal, &Intent::StartFilter)));
        let view = keys.hint(Layer::Normal, &Intent::CycleView);
        match headers.hdus.get(state.preview.hdu) {
            Some(h)
                if h.header.logical("ZIMAGE") == Some(true)
                    || h.data_size > 0 && (h.index == 0 || h.kind == "IMAGE") =>
            {
                footer.push_str(&format!(" · {view} image"));
            }
            Some(h) if matches!(h.kind.as_str(), "BINTABLE" | "TABLE") => footer.push_str(&format!(" · {view} table")),
            _ => {}
        }
        if headers.stopped.is_some() {
            footer.push_str(&format!(" · {} read on", keys.hint(Layer::Normal, &Intent::ReadOn)));
        }
    }
    frame.render_widget(Paragraph::new(Line::styled(fit(&footer, width), dim(t))), footer_area);
}

#[derive(Clone, Copy)]
enum BodyStyle {
    Cards,
    Plain,
}

/// The HDU list, the key cards and WCS of the shown HDU, and what went wrong.
fn fits_overview<'a>(state: &State, headers: &FitsHeaders, width: usize) -> Vec<Line<'a>> {
    let t = &state.config.theme;
    let mut lines = Vec::new();
    let shown = state.preview.hdu;
    // A window of at most 8 HDUs around the shown one.
    let first = shown.saturating_sub(3).min(headers.hdus.len().saturating_sub(8));
    for hdu in headers.hdus.iter().skip(first).take(8) {
        let marker = if hdu.index == shown { "▶" } else { " " };
        let name = t.escape(&hdu.name).into_owned();
        let text = fit(&format!("{marker}{:>3} {name:<10} {}", hdu.index, t.escape(&summary::describe(hdu))), width);
        let style =
            if hdu.index == shown { Style::new().fg(t.accent).add_modifier(Modifier::BOLD) } else { Style::new() };
        lines.push(Line::styled(text, style));
    }
    if headers.hdus.len() > 8 {
        lines.push(Line::styled(format!("  ({} HDUs)", headers.hdus.len()), dim(t)));
    }
    if let Some(hdu) = headers.hdus.get(shown) {
        let keys = summary::key_cards(&hdu.header);
        if !keys.is_empty() {
            let text = keys.iter().map(|(k, v)| format!("{k} {}", t.escape(v))).collect::<Vec<_>>().join(" · ");
            lines.push(Line::styled(fit(&text, width), Style::new().fg(t.busy)));
        }
        if let Some(wcs) = summary::wcs(&hdu.header) {
            lines.push(Line::styled(fit(&t.escape(&wcs), width), Style::new().fg(t.ok)));
        }
        for warning in hdu.warnings.iter().take(2) {
            lines.push(Line::styled(fit(&format!("! {}", t.escape(warning)), width), Style::new().fg(t.error)));
        }
    }
    for note in headers.warnings.iter().chain(headers.stopped.iter()).take(2) {
        lines.push(Line::styled(fit(&format!("! {}", t.escape(note)), width), Style::new().fg(t.more)));
    }
    lines
}

/// A header card coloured by part: keyword, value by type, comment.
fn card_line<'a>(t: &Theme, card: &str) -> Line<'a> {
    let keyword_style = Style::new().fg(t.keyword);
    if card.len() < 10
        || &card[8..10] != "= "
        || card.starts_with("HIERARCH")
        || card.starts_with("COMMENT")
        || card.starts_with("HISTORY")
    {
        let split = if card.starts_with("HIERARCH") { card.find('=').unwrap_or(card.len()) } else { card.len().min(8) };
        if card.starts_with("HIERARCH") && split < card.len() {
            let (value, comment) = split_comment(&card[split + 1..]);
            return Line::from(vec![
                Span::styled(card[..split].to_string(), keyword_style),
                Span::raw("="),
                Span::styled(value.to_string(), value_style(t, value)),
                Span::styled(comment.to_string(), dim(t)),
            ]);
        }
        return Line::from(vec![
            Span::styled(card[..split].to_string(), keyword_style),
            Span::styled(card[split..].to_string(), dim(t)),
        ]);
    }
    let (value, comment) = split_comment(&card[10..]);
    let mut spans = vec![Span::styled(card[..8].to_string(), keyword_style), Span::raw("= ")];
    match record_value(value) {
        // A record-valued card (`DP1 = 'AXIS.1: 1'`): its field is part of its keyword, its value a number.
        Some((field, _)) if let Some((before, number)) = value.split_once(field) => spans.extend([
            Span::raw(before.to_string()),
            Span::styled(field.to_string(), keyword_style),
            Span::styled(number.to_string(), Style::new().fg(t.number)),
        ]),
        _ => spans.push(Span::styled(value.to_string(), value_style(t, value))),
    }
    spans.push(Span::styled(comment.to_string(), dim(t)));
    Line::from(spans)
}

/// Splits a value field at the `/` that starts its comment (outside quotes).
fn split_comment(field: &str) -> (&str, &str) {
    let mut in_string = false;
    for (i, c) in field.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '/' if !in_string => return (&field[..i], &field[i..]),
            _ => {}
        }
    }
    (field, "")
}

fn value_style(t: &Theme, value: &str) -> Style {
    let v = value.trim();
    if v.starts_with('\'') {
        Style::new().fg(t.string)
    } else if v == "T" || v == "F" {
        Style::new().fg(t.logical)
    } else if v.is_empty() {
        dim(t)
    } else {
        Style::new().fg(t.number)
    }
}

fn prefix_lines<'a>(state: &State, id: usize) -> Vec<Line<'a>> {
    let t = &state.config.theme;
    let node = state.tree.node(id);
    let summary = state.tree.summary(id);
    let mut lines = vec![Line::raw("")];
    let keys = &state.config.keys;
    let toggle = keys.hint(Layer::Normal, &Intent::Toggle);
    let load = match &node.load {
        LoadState::NotLoaded => {
            format!(
                "not listed yet ({} to open)",
                keys.hint_either(Layer::Normal, &Intent::Toggle, Layer::Normal, &Intent::Open)
            )
        }
        LoadState::Loading { pages, .. } => format!("{} listing… page {}", spinner(state.tick), pages + 1),
        LoadState::Partial { at_bound: true, .. } => format!("more on the server ({toggle} on the … row to load)"),
        LoadState::Partial { .. } => "listing paused (open to resume)".into(),
        LoadState::Loaded => "complete".into(),
        LoadState::Failed(e) => format!("failed: {}", t.escape(e)),
    };
    if let NodeKind::Bucket { archive: Some(archive) } = &node.kind {
        lines.push(field(t, "Archive", archive.to_string()));
    }
    lines.push(field(t, "Listing", load));
    if node.load != LoadState::NotLoaded {
        lines.push(field(t, "Prefixes", summary.prefixes.to_string()));
        lines.push(field(t, "Objects", summary.objects.to_string()));
        lines.push(field(t, "Size", format!("{} in the objects listed", human_size(summary.bytes))));
    }
    if let Some(newest) =
        node.children.iter().filter_map(|&c| state.tree.node(c).object().and_then(|m| m.modified)).max()
    {
        lines.push(field(t, "Newest", rfc3339(newest)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_split_outside_strings() {
        assert_eq!(split_comment(" 'a/b'  / c"), (" 'a/b'  ", "/ c"));
        assert_eq!(split_comment("   12"), ("   12", ""));
    }

    #[test]
    fn card_parts_are_coloured() {
        let line = card_line(&Theme::default(), "OBJECT  = 'M31     '           / target");
        assert_eq!(line.spans.len(), 4);
        assert_eq!(line.spans[2].style.fg, Some(Color::Green));
        let line = card_line(&Theme::default(), "NAXIS   =                    2");
        assert_eq!(line.spans[2].style.fg, Some(Color::Magenta));
        let history = card_line(&Theme::default(), "HISTORY step one");
        assert_eq!(history.spans[0].content, "HISTORY ");
    }

    #[test]
    fn record_valued_cards_show_their_field_as_keyword_and_their_value_as_a_number() {
        let t = Theme::default();
        let line = card_line(&t, "DP1     = 'AXIS.1: 1'          / axis");
        let parts: Vec<&str> = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(parts, ["DP1     ", "= ", "'", "AXIS.1", ": 1'          ", "/ axis"]);
        assert_eq!((line.spans[3].style.fg, line.spans[4].style.fg), (Some(t.keyword), Some(t.number)));
        let plain = card_line(&t, "DP1     = 'AXIS.1:1'");
        assert_eq!(plain.spans[2].style.fg, Some(t.string));
    }
}
