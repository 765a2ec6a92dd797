//! The preview's table view of one FITS table HDU or a Parquet file: which
//! rows are shown, which pages of rows are read (or being read), which
//! columns are picked and scrolled to. Pure: the pages come in as reports of
//! range reads.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_schema::DataType;

use super::tree::RequestId;
use crate::columnar::describe::{arrow_schema_of, field_unit};
use crate::columnar::rows::column_names;
use crate::fits::table::Table;
use crate::fits::table::column::{AsciiForm, BinaryType, Layout};
use crate::preview::ParquetPreview;

/// Rows a page holds: one range read each.
pub const PAGE_ROWS: u64 = 64;
/// Pages kept in memory; those farthest from the shown rows go first.
const PAGES_KEPT: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Page {
    Loading(RequestId),
    /// Rows formatted for display (not yet escaped), in the picked columns' order.
    Ready(Vec<Vec<String>>),
    Failed(String),
}

/// What a table view shows the rows of.
#[derive(Debug, Clone, PartialEq)]
pub enum TableData {
    Fits(Arc<Table>),
    /// A Parquet file's top-level columns (its footer as the preview described it).
    Parquet(Box<ParquetPreview>),
}

/// A column as the view heads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub name: String,
    pub unit: Option<String>,
    /// Numbers are right-aligned, text left.
    pub right: bool,
}

impl TableData {
    pub fn rows(&self) -> u64 {
        match self {
            TableData::Fits(table) => table.rows,
            TableData::Parquet(parquet) => parquet.footer.metadata.file_metadata().num_rows().max(0) as u64,
        }
    }

    fn headings(&self) -> Vec<Heading> {
        match self {
            TableData::Fits(table) => table
                .columns
                .iter()
                .map(|c| Heading {
                    name: c.name.clone(),
                    unit: c.unit.clone(),
                    right: !matches!(&c.layout, Layout::Binary(f) if f.element == BinaryType::Char)
                        && !matches!(&c.layout, Layout::Ascii { form: AsciiForm::Text(_), .. }),
                })
                .collect(),
            TableData::Parquet(parquet) => parquet_headings(parquet),
        }
    }
}

/// A Parquet file's top-level columns: a flat column's unit as the preview
/// found it (the dataset's `_common_metadata` included), a nested one's from
/// its own field; numbers right-aligned.
fn parquet_headings(parquet: &ParquetPreview) -> Vec<Heading> {
    let metadata = &parquet.footer.metadata;
    let schema = arrow_schema_of(metadata);
    column_names(metadata)
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let field = schema.as_ref().and_then(|s| s.fields().get(i).cloned());
            let own = field.as_deref().and_then(field_unit);
            let leaf = parquet.description.columns.iter().find(|c| c.name == name);
            let kind = field.as_ref().map(|f| f.data_type().clone());
            Heading {
                unit: leaf.and_then(|c| c.unit.clone()).or(own),
                right: kind.is_some_and(|k| k.is_numeric() || k == DataType::Boolean),
                name,
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    pub hdu: usize,
    pub data: TableData,
    /// Every column's heading, in the file's order.
    pub headings: Arc<Vec<Heading>>,
    rows: u64,
    /// The columns shown (indices into `headings`), in order.
    pub columns: Vec<usize>,
    /// What picked them (`None`: all columns).
    pub pick: Option<String>,
    /// The first shown column, as an index into `columns`.
    pub first_column: usize,
    /// The first shown row.
    pub top: u64,
    /// Rows the last drawing had room for (0 before the first): the page
    /// that PgDn turns and `G` fills. The view writes it as it draws.
    pub shown_rows: Cell<u64>,
    pages: BTreeMap<u64, Page>,
}

impl TableView {
    pub fn new(hdu: usize, data: TableData) -> Self {
        let headings = data.headings();
        let columns = (0..headings.len()).collect();
        Self {
            hdu,
            rows: data.rows(),
            data,
            headings: Arc::new(headings),
            columns,
            pick: None,
            first_column: 0,
            top: 0,
            shown_rows: Cell::new(0),
            pages: BTreeMap::new(),
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Pages that rows `top .. top + height` and one page beyond need and nobody reads yet.
    pub fn missing_pages(&self, height: u64) -> Vec<u64> {
        if self.rows == 0 || self.columns.is_empty() {
            return Vec::new();
        }
        let first = self.top / PAGE_ROWS;
        let last = ((self.top + height.max(1)).min(self.rows - 1) / PAGE_ROWS + 1).min(self.last_page());
        (first..=last).filter(|p| !self.pages.contains_key(p)).collect()
    }

    fn last_page(&self) -> u64 {
        self.rows.saturating_sub(1) / PAGE_ROWS
    }

    /// The rows of `page`.
    pub fn page_range(&self, page: u64) -> std::ops::Range<u64> {
        page * PAGE_ROWS..((page + 1) * PAGE_ROWS).min(self.rows)
    }

    pub fn loading(&mut self, page: u64, request: RequestId) {
        self.pages.insert(page, Page::Loading(request));
    }

    /// A read came back: kept if it is the one this view waits for.
    pub fn loaded(&mut self, page: u64, request: RequestId, result: Result<Vec<Vec<String>>, String>) -> bool {
        if self.pages.get(&page) != Some(&Page::Loading(request)) {
            return false;
        }
        self.pages.insert(page, result.map_or_else(Page::Failed, Page::Ready));
        self.evict();
        true
    }

    /// Requests still running (to cancel when the view goes).
    pub fn requests(&self) -> Vec<RequestId> {
        self.pages.values().filter_map(|p| if let Page::Loading(r) = p { Some(*r) } else { None }).collect()
    }

    fn evict(&mut self) {
        let shown = self.top / PAGE_ROWS;
        while self.pages.len() > PAGES_KEPT {
            let far = self.pages.keys().copied().max_by_key(|p| p.abs_diff(shown));
            match far {
                Some(page) if page.abs_diff(shown) > 1 => {
                    self.pages.remove(&page);
                }
                _ => break,
            }
        }
    }

    /// Row `row`'s cells: `Ok(None)` while its page is read, `Err` if reading it failed.
    pub fn row(&self, row: u64) -> Result<Option<&[String]>, &str> {
        match self.pages.get(&(row / PAGE_ROWS)) {
            Some(Page::Ready(rows)) => Ok(rows.get((row % PAGE_ROWS) as usize).map(Vec::as_slice)),
            Some(Page::Failed(why)) => Err(why),
            _ => Ok(None),
        }
    }

    pub fn scroll_by(&mut self, delta: i64) {
        let last = self.rows.saturating_sub(1) as i64;
        self.top = (self.top as i64 + delta).clamp(0, last.max(0)) as u64;
    }

    pub fn scroll_to_end(&mut self, height: u64) {
        self.top = self.rows.saturating_sub(height.max(1));
    }

    pub fn shift_columns(&mut self, delta: isize) {
        let last = self.columns.len().saturating_sub(1) as isize;
        self.first_column = (self.first_column as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Shows only the columns picked by the comma-separated words
    /// (case-insensitive): a word that is a column's whole name picks that
    /// column, any other word every column whose name holds it; an empty pick
    /// shows them all. The pages read for the old columns are dropped. False
    /// if nothing matches.
    pub fn pick_columns(&mut self, pick: &str) -> bool {
        let words: Vec<String> = pick.split(',').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect();
        let names: Vec<String> = self.headings.iter().map(|c| c.name.to_lowercase()).collect();
        let picks = |name: &String, word: &String| {
            if names.contains(word) { name == word } else { name.contains(word.as_str()) }
        };
        let columns: Vec<usize> =
            (0..names.len()).filter(|&c| words.is_empty() || words.iter().any(|w| picks(&names[c], w))).collect();
        if columns.is_empty() {
            return false;
        }
        self.columns = columns;
        self.pick = (!words.is_empty()).then(|| words.join(","));
        self.first_column = 0;
        self.pages.clear();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fits::table::column::{BinaryForm, Column, Layout};

    fn table(rows: u64, names: &[&str]) -> Arc<Table> {
        let columns = names
            .iter()
            .enumerate()
            .map(|(i, name)| Column {
                number: i + 1,
                name: name.to_string(),
                format: "1J".into(),
                unit: None,
                dim: None,
                shape: vec![],
                display: None,
                scale: 1.0,
                zero: 0.0,
                null: None,
                layout: Layout::Binary(BinaryForm::parse("1J").unwrap()),
                offset: 4 * i as u64,
            })
            .collect();
        Arc::new(Table { ascii: false, row_len: 4 * names.len() as u64, rows, columns, heap_start: 0, heap_size: 0 })
    }

    #[test]
    fn the_rows_shown_and_one_page_ahead_are_read_once() {
        let mut view = TableView::new(1, TableData::Fits(table(1000, &["A"])));
        assert_eq!(view.missing_pages(20), vec![0, 1]);
        view.loading(0, 7);
        view.loading(1, 8);
        assert!(view.missing_pages(20).is_empty());
        assert_eq!(view.row(3), Ok(None));
        assert!(!view.loaded(0, 99, Ok(vec![])), "a stale answer is dropped");
        assert!(view.loaded(0, 7, Ok((0..64).map(|r| vec![r.to_string()]).collect())));
        assert_eq!(view.row(3).unwrap().unwrap(), ["3".to_string()]);
        view.scroll_to_end(20);
        assert_eq!(view.top, 980);
        assert_eq!(view.missing_pages(20), vec![15], "the last page, nothing beyond");
        assert_eq!(view.page_range(15), 960..1000);
        assert!(view.loaded(1, 8, Err("boom".into())));
        assert_eq!(view.row(70), Err("boom"));
    }

    #[test]
    fn scrolling_stays_inside_the_table() {
        let mut view = TableView::new(1, TableData::Fits(table(10, &["A", "B", "C"])));
        view.scroll_by(-5);
        assert_eq!(view.top, 0);
        view.scroll_by(50);
        assert_eq!(view.top, 9);
        view.shift_columns(5);
        assert_eq!(view.first_column, 2);
        let empty = TableView::new(1, TableData::Fits(table(0, &["A"])));
        assert!(empty.missing_pages(20).is_empty());
    }

    #[test]
    fn picking_columns_by_words() {
        let mut view =
            TableView::new(1, TableData::Fits(table(100, &["RA", "DEC", "FLUX_G", "FLUX_R", "MAG_G", "X", "CHIPX"])));
        view.loading(0, 1);
        assert!(view.pick_columns("flux, mag"));
        assert_eq!(view.columns, vec![2, 3, 4]);
        assert!(view.pick_columns("x"));
        assert_eq!(view.columns, vec![5], "a whole name picks that column alone");
        assert!(view.pick_columns("flux, mag"));
        assert_eq!(view.missing_pages(10), vec![0, 1], "pages of the old columns are dropped");
        assert!(!view.pick_columns("nothing"));
        assert_eq!(view.columns, vec![2, 3, 4], "a pick that matches nothing changes nothing");
        assert!(view.pick_columns(""));
        assert_eq!(view.columns.len(), 7);
        assert_eq!(view.pick, None);
    }

    #[test]
    fn far_pages_are_evicted() {
        let mut view = TableView::new(1, TableData::Fits(table(100_000, &["A"])));
        for page in 0..80 {
            view.loading(page, page);
            view.loaded(page, page, Ok(vec![]));
        }
        assert!(view.pages.len() <= PAGES_KEPT);
        assert!(view.pages.contains_key(&0) && view.pages.contains_key(&1));
    }
}
