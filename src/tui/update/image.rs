//! The image view of an image HDU: reading a sampled plane sized to the
//! pane, stepping through planes, cycling the interval and the stretch.

use std::sync::Arc;

use ratatui::layout::Rect;

use crate::fits::image::read::{ImageData, Samples};
use crate::preview::PreviewBody;
use crate::tui::action::Intent;
use crate::tui::effect::{Effect, ImageJob};
use crate::tui::image_view::ImageView;
use crate::tui::layout;
use crate::tui::mode::Pane;
use crate::tui::state::State;
use crate::tui::tree::{NodeId, RequestId};

impl State {
    pub(super) fn close_image_view(&mut self) -> Vec<Effect> {
        self.preview.image.take().and_then(|view| view.request).map(Effect::Cancel).into_iter().collect()
    }

    /// Makes the image view match the shown HDU.
    pub(super) fn sync_image_view(&mut self) -> Vec<Effect> {
        let hdu = self.preview.hdu;
        if self.preview.image.as_ref().is_some_and(|v| v.hdu == hdu) {
            return Vec::new();
        }
        let mut effects = self.close_image_view();
        if !self.preview.image_hdus.contains(&hdu) {
            return effects;
        }
        let Some(PreviewBody::Fits(headers)) = self.preview.data().map(|d| &d.body) else { return effects };
        match headers.hdus.get(hdu).map(ImageData::from_hdu) {
            Some(Ok(data)) => {
                let planes = data.axes().iter().skip(2).product();
                self.preview.image = Some(ImageView::new(hdu, planes));
                if let Some(note) = self.config.graphics.note() {
                    self.set_status(note);
                }
                effects.extend(self.read_image());
            }
            Some(Err(why)) => self.set_status(format!("no image view: {why}")),
            None => {}
        }
        effects
    }

    /// The image view's keys, from any pane while it is shown.
    pub(super) fn on_image_intent(&mut self, intent: &Intent) -> Option<Vec<Effect>> {
        let view = self.preview.image.as_mut().filter(|v| v.hdu == self.preview.hdu)?;
        match intent {
            Intent::CycleStretch => view.cycle_stretch(),
            Intent::CycleInterval => view.cycle_interval(),
            Intent::NextPlane | Intent::PreviousPlane => {
                let delta = if *intent == Intent::NextPlane { 1 } else { -1 };
                if !view.step_plane(delta) {
                    self.set_status("this image has one plane");
                    return Some(Vec::new());
                }
                let mut effects: Vec<Effect> = view.request.take().map(Effect::Cancel).into_iter().collect();
                effects.extend(self.read_image());
                return Some(effects);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Samples as many pixels as the preview pane can show: its width in
    /// cells, twice its height (two half blocks a cell).
    fn image_budget(&self) -> (u64, u64) {
        let screen = Rect::new(0, 0, self.width, self.height);
        let pane = layout::areas(screen, Pane::Preview, !self.queue.jobs.is_empty()).preview.unwrap_or_default();
        let columns = pane.width.saturating_sub(2).max(8) as u64;
        // The pane's border, the object's lines above, the colour bar and the footer below.
        let rows = pane.height.saturating_sub(2 + 9 + 3).max(4) as u64;
        (columns, rows * 2)
    }

    /// Starts reading the shown plane.
    fn read_image(&mut self) -> Vec<Effect> {
        let max = self.image_budget();
        let Some(view) = self.preview.image.as_ref() else { return Vec::new() };
        let (Some(node), Some(source)) = (self.preview.node, self.hdu_source(view.hdu)) else { return Vec::new() };
        let plane = view.plane;
        let request = self.request_id();
        if let Some(view) = self.preview.image.as_mut() {
            view.reading(request);
        }
        vec![Effect::ReadImage(ImageJob { request, node, source, plane, max })]
    }

    pub(super) fn on_image_read(
        &mut self,
        request: RequestId,
        node: NodeId,
        hdu: usize,
        plane: u64,
        result: Result<Arc<Samples>, String>,
    ) {
        if self.preview.node != Some(node) {
            return;
        }
        let Some(view) = self.preview.image.as_mut().filter(|v| v.hdu == hdu) else { return };
        let error = result.as_ref().err().cloned();
        if view.read(request, plane, result)
            && let Some(why) = error
        {
            self.set_error(format!("reading the pixels of HDU {hdu}: {why}"));
        }
    }
}
