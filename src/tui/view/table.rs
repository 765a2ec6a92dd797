//! The preview's table view: column names and units, then the rows read so
//! far, from the first shown row and column on, as many as fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::{dim, error_style, fit, spinner};
use crate::tui::action::Intent;
use crate::tui::keymap::Layer;
use crate::tui::state::State;
use crate::tui::table_view::{PAGE_ROWS, TableData, TableView};

/// No column is drawn wider than this.
const MAX_COLUMN: usize = 24;

/// A row's escaped cells: `Ok(None)` while its page is read.
type RowCells = Result<Option<Vec<String>>, String>;

/// A column that fits on screen.
struct Shown {
    /// Its index among the view's columns (and the row's cells).
    position: usize,
    name: String,
    unit: String,
    width: usize,
    /// Numbers are right-aligned, text left.
    right: bool,
}

/// `text` cut or padded to `width`, aligned.
fn pad(text: &str, width: usize, right: bool) -> String {
    let text = fit(text, width);
    let gap = " ".repeat(width.saturating_sub(text.width()));
    if right { format!("{gap}{text}") } else { format!("{text}{gap}") }
}

/// A heading line: the row-number gutter, then one part per column.
fn heading(shown: &[Shown], gutter: usize, part: impl Fn(&Shown) -> &str) -> String {
    let mut line = " ".repeat(gutter);
    for column in shown {
        line.push_str("  ");
        line.push_str(&pad(part(column), column.width, column.right));
    }
    line
}

/// Draws the column headings and the rows into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, view: &TableView) {
    let t = &state.config.theme;
    let width = area.width as usize;
    let visible = (area.height as u64).saturating_sub(2);
    view.shown_rows.set(visible.max(1));
    let last_row = (view.top + visible).min(view.rows());
    let number_width = view.rows().max(1).to_string().len();
    // Cells escaped once; widths from what is visible.
    let rows: Vec<(u64, RowCells)> = (view.top..last_row)
        .map(|r| {
            let row = view.row(r).map(|cells| cells.map(|c| c.iter().map(|s| t.escape(s).into_owned()).collect()));
            (r, row.map_err(str::to_string))
        })
        .collect();
    let mut shown = Vec::new();
    let mut used = number_width;
    for (position, &c) in view.columns.iter().enumerate().skip(view.first_column) {
        let column = &view.headings[c];
        let name = t.escape(&column.name).into_owned();
        let unit = column.unit.as_deref().map(|u| t.escape(u).into_owned()).unwrap_or_default();
        let cells = rows.iter().filter_map(|(_, r)| r.as_ref().ok().and_then(|c| c.as_ref()?.get(position)));
        let widest = cells.map(|s| s.width()).max().unwrap_or(0);
        let w = widest.max(name.width()).max(unit.width()).clamp(1, MAX_COLUMN);
        if used + 2 + w > width && !shown.is_empty() {
            break;
        }
        used += 2 + w;
        shown.push(Shown { position, name, unit, width: w, right: column.right });
    }
    let names = heading(&shown, number_width, |c| &c.name);
    let units = heading(&shown, number_width, |c| &c.unit);
    let mut lines = vec![
        Line::styled(fit(&names, width), Style::new().fg(t.keyword).add_modifier(Modifier::BOLD)),
        Line::styled(fit(&units, width), dim(t)),
    ];
    for (r, row) in &rows {
        let number = Span::styled(format!("{r:>number_width$}"), dim(t));
        let line = match row {
            Ok(Some(cells)) => {
                let mut spans = vec![number];
                for column in &shown {
                    let cell = cells.get(column.position).map(String::as_str).unwrap_or("");
                    let style = if cell == "--" { dim(t) } else { Style::new() };
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(pad(cell, column.width, column.right), style));
                }
                Line::from(spans)
            }
            Ok(None) => Line::from(vec![number, Span::styled(format!("  {} reading…", spinner(state.tick)), dim(t))]),
            // A failed page says why once, on its first row shown.
            Err(why) if *r == view.top || r % PAGE_ROWS == 0 => {
                Line::from(vec![number, Span::styled(format!("  ✗ {}", t.escape(why)), error_style(t))])
            }
            Err(_) => Line::from(vec![number]),
        };
        lines.push(line);
    }
    if view.rows() == 0 {
        lines.push(Line::styled("the table has no rows", dim(t)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The footer's words for the table view: where the view is, and its keys.
pub fn footer(state: &State, view: &TableView, height: u16) -> String {
    let keys = &state.config.keys;
    let visible = (height as u64).saturating_sub(2);
    let end = (view.top + visible).min(view.rows());
    let picked = view.pick.as_deref().map(|p| format!(" ('{p}')")).unwrap_or_default();
    format!(
        "rows {}-{end} of {} · col {}/{}{picked} · {} {} · {} columns · {} scroll",
        (view.top + 1).min(end),
        view.rows(),
        view.first_column + 1,
        view.columns.len(),
        keys.hint(Layer::Normal, &Intent::CycleView),
        if matches!(view.data, TableData::Parquet(_)) { "summary" } else { "cards" },
        keys.hint(Layer::Normal, &Intent::PickColumns),
        keys.hint_pair(&Intent::Close, &Intent::Open),
    )
}
