//! The table view of a FITS table HDU or a Parquet file: switching to it, scrolling its rows
//! and columns, reading the pages of rows it shows, picking columns.

use std::sync::Arc;

use crate::fits::image::read::ImageData;
use crate::fits::table::Table;
use crate::preview::PreviewBody;
use crate::tui::action::Intent;
use crate::tui::effect::{Effect, HduSource, RowsJob, RowsSource};
use crate::tui::mode::{Line, LineKind, Mode};
use crate::tui::state::State;
use crate::tui::table_view::{TableData, TableView};
use crate::tui::tree::{NodeId, RequestId};

impl State {
    /// `v`: the shown HDU between its cards and its table (a table HDU) or
    /// its quick-look (an image, tile-compressed ones included).
    pub(super) fn cycle_view(&mut self) -> Vec<Effect> {
        let hdu = self.preview.hdu;
        if self.preview.table_hdus.remove(&hdu) {
            return self.close_table_view();
        }
        if self.preview.image_hdus.remove(&hdu) {
            return self.close_image_view();
        }
        let headers = match self.preview.data().map(|d| &d.body) {
            Some(PreviewBody::Fits(headers)) => headers,
            Some(PreviewBody::Parquet(_)) => {
                self.preview.table_hdus.insert(hdu);
                return self.sync_views();
            }
            _ => {
                self.set_status("no FITS HDU or Parquet file to show as a table or an image");
                return Vec::new();
            }
        };
        let Some(shown) = headers.hdus.get(hdu) else { return Vec::new() };
        let compressed = shown.header.logical("ZIMAGE") == Some(true);
        let table = if compressed { None } else { Some(Table::from_hdu(shown)) };
        match (table, ImageData::from_hdu(shown)) {
            (Some(Ok(_)), _) => {
                self.preview.table_hdus.insert(hdu);
            }
            (_, Ok(_)) => {
                self.preview.image_hdus.insert(hdu);
            }
            (_, Err(why)) => {
                self.set_status(format!("no table or image view: {why}"));
                return Vec::new();
            }
        }
        self.sync_views()
    }

    /// The table and image views made to match the shown HDU.
    pub(super) fn sync_views(&mut self) -> Vec<Effect> {
        let mut effects = self.sync_table_view();
        effects.extend(self.sync_image_view());
        effects
    }

    fn close_table_view(&mut self) -> Vec<Effect> {
        self.preview
            .table
            .take()
            .map(|view| view.requests().into_iter().map(Effect::Cancel).collect())
            .unwrap_or_default()
    }

    /// Makes the table view match the shown HDU (after stepping HDUs or reading the preview).
    pub(super) fn sync_table_view(&mut self) -> Vec<Effect> {
        let hdu = self.preview.hdu;
        if self.preview.table.as_ref().is_some_and(|v| v.hdu == hdu) {
            return self.table_pages();
        }
        let mut effects = self.close_table_view();
        if !self.preview.table_hdus.contains(&hdu) {
            return effects;
        }
        let data = match self.preview.data().map(|d| &d.body) {
            Some(PreviewBody::Fits(headers)) => {
                headers.hdus.get(hdu).map(|h| Table::from_hdu(h).map(|t| TableData::Fits(Arc::new(t))))
            }
            Some(PreviewBody::Parquet(parquet)) => Some(Ok(TableData::Parquet(parquet.clone()))),
            _ => None,
        };
        match data {
            Some(Ok(data)) => {
                self.preview.table = Some(TableView::new(hdu, data));
                effects.extend(self.table_pages());
            }
            Some(Err(why)) => self.set_status(format!("no table view: {why}")),
            None => {}
        }
        effects
    }

    /// The table view's keys, while it is shown and the preview has the keyboard.
    pub(super) fn on_table_intent(&mut self, intent: &Intent) -> Option<Vec<Effect>> {
        let height = self.table_height() as i64;
        let view = self.preview.table.as_mut().filter(|v| v.hdu == self.preview.hdu)?;
        match intent {
            Intent::Up => view.scroll_by(-1),
            Intent::Down => view.scroll_by(1),
            Intent::PageUp => view.scroll_by(-height),
            Intent::PageDown => view.scroll_by(height),
            Intent::First => view.top = 0,
            Intent::Last => view.scroll_to_end(height as u64),
            Intent::Open => view.shift_columns(1),
            Intent::Close => view.shift_columns(-1),
            Intent::PickColumns => {
                let prefill = view.pick.clone().unwrap_or_default();
                self.mode = Mode::Line(Line::new(LineKind::Columns, prefill));
                return Some(Vec::new());
            }
            _ => return None,
        }
        Some(self.table_pages())
    }

    /// Rows the table view shows at once: as last drawn, else a guess (the pane's height).
    fn table_height(&self) -> u64 {
        let drawn = self.preview.table.as_ref().map_or(0, |v| v.shown_rows.get());
        if drawn > 0 { drawn } else { self.viewport().max(1) as u64 }
    }

    /// Starts reading the pages the table view shows (and one ahead) that nobody reads yet.
    fn table_pages(&mut self) -> Vec<Effect> {
        let height = self.table_height();
        let Some(view) = self.preview.table.as_ref() else { return Vec::new() };
        let (Some(node), Some(source)) = (self.preview.node, self.rows_source(view)) else { return Vec::new() };
        let missing = view.missing_pages(height);
        let mut effects = Vec::new();
        for page in missing {
            let request = self.request_id();
            let Some(view) = self.preview.table.as_mut() else { break };
            view.loading(page, request);
            effects.push(Effect::ReadRows(RowsJob {
                request,
                node,
                hdu: view.hdu,
                source: source.clone(),
                page,
                rows: view.page_range(page),
                columns: view.columns.clone(),
            }));
        }
        effects
    }

    /// Where the table view's rows are read from.
    fn rows_source(&self, view: &TableView) -> Option<RowsSource> {
        match &view.data {
            TableData::Fits(table) => Some(RowsSource::Fits { hdu: self.hdu_source(view.hdu)?, table: table.clone() }),
            TableData::Parquet(parquet) => {
                let footer = &parquet.footer;
                let (node, data) = (self.preview.node?, self.preview.data()?);
                let uri = self.tree.uri_of(node);
                let etag = data.details.etag.clone();
                Some(RowsSource::Parquet { bucket: uri.bucket, key: uri.key, etag, footer: footer.clone() })
            }
        }
    }

    /// Where HDU `hdu` of the previewed object is read from.
    pub(super) fn hdu_source(&self, hdu: usize) -> Option<HduSource> {
        let (node, data) = (self.preview.node?, self.preview.data()?);
        let PreviewBody::Fits(headers) = &data.body else { return None };
        let uri = self.tree.uri_of(node);
        Some(HduSource {
            bucket: uri.bucket,
            key: uri.key,
            etag: data.details.etag.clone(),
            size: data.details.size,
            compressed: headers.compression.is_compressed(),
            hdu: Arc::new(headers.hdus.get(hdu)?.clone()),
        })
    }

    pub(super) fn on_rows_read(
        &mut self,
        request: RequestId,
        node: NodeId,
        hdu: usize,
        page: u64,
        result: Result<Vec<Vec<String>>, String>,
    ) -> Vec<Effect> {
        if self.preview.node != Some(node) {
            return Vec::new();
        }
        let Some(view) = self.preview.table.as_mut().filter(|v| v.hdu == hdu) else { return Vec::new() };
        let error = result.as_ref().err().cloned();
        if view.loaded(page, request, result)
            && let Some(why) = error
        {
            self.set_error(format!("reading rows of HDU {hdu}: {why}"));
        }
        Vec::new()
    }

    /// The columns line was submitted.
    pub(super) fn pick_columns(&mut self, words: &str) -> Vec<Effect> {
        let Some(view) = self.preview.table.as_mut() else { return Vec::new() };
        let requests = view.requests();
        if !view.pick_columns(words) {
            self.set_status(format!("no column name holds any of '{words}'"));
            return Vec::new();
        }
        let shown = view.columns.len();
        let mut effects: Vec<Effect> = requests.into_iter().map(Effect::Cancel).collect();
        self.set_status(format!("{shown} columns shown"));
        effects.extend(self.table_pages());
        effects
    }
}
