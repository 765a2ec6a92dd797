//! The preview: what is read for the selected row, reading on past a gzip
//! budget, scrolling and searching the cards, stepping through HDUs.

use std::sync::Arc;

use crate::preview::{PreviewBody, PreviewData};
use crate::tui::action::Intent;
use crate::tui::effect::Effect;
use crate::tui::keymap::Layer;
use crate::tui::mode::{Line, LineKind, Mode};
use crate::tui::preview_state::Preview;
use crate::tui::state::State;
use crate::tui::tree::{NodeId, RequestId, RowKind};

impl State {
    /// The preview's keys: its own when it has the keyboard (`focused`), the
    /// HDU keys from any pane (`None`: not a preview key).
    pub(super) fn on_preview_intent(&mut self, intent: &Intent, focused: bool) -> Option<Vec<Effect>> {
        let page = self.viewport().saturating_sub(4).max(1) as isize;
        match intent {
            Intent::NextHdu | Intent::PreviousHdu => {
                self.preview.step_hdu(if *intent == Intent::NextHdu { 1 } else { -1 });
                return Some(self.sync_views());
            }
            Intent::ReadOn => return Some(self.read_on()),
            Intent::CycleView => return Some(self.cycle_view()),
            Intent::CycleStretch | Intent::CycleInterval | Intent::NextPlane | Intent::PreviousPlane => {
                if let Some(effects) = self.on_image_intent(intent) {
                    return Some(effects);
                }
                let view = self.config.keys.hint(Layer::Normal, &Intent::CycleView);
                self.set_status(format!("that key works in an image view ({view} on an image HDU)"));
            }
            _ if !focused => return None,
            _ if self.preview.asdf.is_some() && self.preview.table.is_none() => return self.on_asdf_intent(intent),
            _ if self.preview.table.is_some() => {
                if let Some(effects) = self.on_table_intent(intent) {
                    return Some(effects);
                }
                return self.on_card_intent(intent, page);
            }
            Intent::PickColumns => {
                let view = self.config.keys.hint(Layer::Normal, &Intent::CycleView);
                self.set_status(format!("columns are picked in a table view ({view} on a table HDU)"));
            }
            _ => return self.on_card_intent(intent, page),
        }
        Some(Vec::new())
    }

    /// The cards' own keys: scrolling and searching.
    fn on_card_intent(&mut self, intent: &Intent, page: isize) -> Option<Vec<Effect>> {
        match intent {
            Intent::Up => self.preview.scroll_by(-1),
            Intent::Down => self.preview.scroll_by(1),
            Intent::PageUp => self.preview.scroll_by(-page),
            Intent::PageDown => self.preview.scroll_by(page),
            Intent::First => self.preview.scroll = 0,
            Intent::Last => self.preview.scroll_to_end(),
            Intent::StartFilter => self.mode = Mode::Line(Line::new(LineKind::Search, "")),
            Intent::NextMatch | Intent::PreviousMatch => {
                if !self.preview.find(*intent == Intent::NextMatch, false) {
                    self.set_status("no further match");
                }
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// The search line changed: find as typed.
    pub(super) fn search_for(&mut self, text: &str) {
        self.preview.search = Some(text.to_string());
        self.preview.find(true, true);
    }

    /// Enter on the search line: the text stays found.
    pub(super) fn keep_search(&mut self, text: &str) {
        if !text.is_empty() {
            let next = self.config.keys.hint_pair(&Intent::NextMatch, &Intent::PreviousMatch);
            self.set_status(format!("search '{text}' ({next} next/previous)"));
        }
    }

    /// Starts the preview of the selected row if it changed (from the cache
    /// when the listing's ETag matches a preview already read).
    pub(crate) fn update_preview(&mut self) -> Vec<Effect> {
        let selected = self.selected_row().filter(|r| r.kind == RowKind::Node).map(|r| r.node);
        if selected == self.preview.node {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let Some(request) = self.preview.request.take() {
            effects.push(Effect::Cancel(request));
        }
        if let Some(view) = &self.preview.table {
            effects.extend(view.requests().into_iter().map(Effect::Cancel));
        }
        effects.extend(self.preview.image.as_ref().and_then(|v| v.request).map(Effect::Cancel));
        self.preview = Preview::for_node(selected);
        let Some(node) = selected else { return effects };
        let Some(meta) = self.tree.node(node).object() else {
            effects.extend(self.preview_catalog(node));
            return effects;
        };
        let uri = self.tree.uri_of(node);
        if let Some(etag) = meta.etag.to_header()
            && let Some(cached) = self.cache.get(&(uri.bucket.clone(), uri.key.clone(), etag))
        {
            self.preview.show(cached, self.config.theme.ascii);
            return effects;
        }
        let request = self.request_id();
        self.preview.request = Some(request);
        self.preview.loading();
        let gzip_budget = self.config.preview_budget;
        effects.push(Effect::Preview { request, node, bucket: uri.bucket, key: uri.key, gzip_budget });
        effects
    }

    /// Reads a gzip preview that stopped at its budget on, with eight times the budget.
    fn read_on(&mut self) -> Vec<Effect> {
        let (Some(node), Some(data)) = (self.preview.node, self.preview.data()) else { return Vec::new() };
        let PreviewBody::Fits(headers) = &data.body else { return Vec::new() };
        if headers.stopped.is_none() {
            self.set_status("this preview is complete");
            return Vec::new();
        }
        let budget = self.preview.gzip_budget.max(self.config.preview_budget).saturating_mul(8);
        let request = self.request_id();
        let uri = self.tree.uri_of(node);
        self.set_status(format!("reading on, up to {} compressed", crate::format::human_size(budget)));
        self.preview.request = Some(request);
        self.preview.gzip_budget = budget;
        self.preview.loading();
        vec![Effect::Preview { request, node, bucket: uri.bucket, key: uri.key, gzip_budget: budget }]
    }

    pub(super) fn on_previewed(
        &mut self,
        request: RequestId,
        node: NodeId,
        result: Result<Arc<PreviewData>, String>,
    ) -> Vec<Effect> {
        if self.preview.request != Some(request) || self.preview.node != Some(node) {
            return Vec::new();
        }
        self.preview.request = None;
        match result {
            Ok(data) => {
                let uri = self.tree.uri_of(node);
                if let Some(etag) = data.details.etag.clone() {
                    self.cache.insert((uri.bucket, uri.key, etag), data.clone());
                }
                self.preview.show(data, self.config.theme.ascii);
                return self.sync_views();
            }
            Err(error) => {
                self.set_error(format!("reading {}: {error}", self.tree.uri_of(node)));
                self.preview.failed(error);
            }
        }
        Vec::new()
    }
}
