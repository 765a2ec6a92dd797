//! The preview's image view of one HDU: which plane is shown, with which
//! interval and stretch, the sampled pixels read for it and the grey
//! picture made from them. Pure: the samples come in as a report.

use std::cell::RefCell;
use std::sync::Arc;

use ratatui::layout::Size;
use ratatui_image::protocol::Protocol;

use super::tree::RequestId;
use crate::fits::image::quicklook::Quicklook;
use crate::fits::image::read::Samples;
use crate::fits::image::scale::{Interval, Stretch};

#[derive(Debug, Clone, PartialEq)]
pub struct ImageView {
    pub hdu: usize,
    pub plane: u64,
    pub planes: u64,
    pub interval: Interval,
    pub stretch: Stretch,
    /// The read under way, if any.
    pub request: Option<RequestId>,
    /// What the last read gave: the samples, or why there are none.
    pub samples: Option<Result<Arc<Samples>, String>>,
    /// The grey picture of the samples under the interval and stretch.
    pub look: Option<Arc<Quicklook>>,
    /// The picture encoded for the terminal, kept while its size and picture stay.
    pub drawn: DrawnCache,
}

impl ImageView {
    pub fn new(hdu: usize, planes: u64) -> Self {
        Self {
            hdu,
            plane: 0,
            planes: planes.max(1),
            interval: Interval::default(),
            stretch: Stretch::default(),
            request: None,
            samples: None,
            look: None,
            drawn: DrawnCache::default(),
        }
    }

    /// A read of the shown plane started.
    pub fn reading(&mut self, request: RequestId) {
        self.request = Some(request);
    }

    /// The read came back: kept if it is the one waited for.
    pub fn read(&mut self, request: RequestId, plane: u64, result: Result<Arc<Samples>, String>) -> bool {
        if self.request != Some(request) || self.plane != plane {
            return false;
        }
        self.request = None;
        self.samples = Some(result);
        self.redraw();
        true
    }

    /// Steps to another plane (wrapping); true if it changed.
    pub fn step_plane(&mut self, delta: i64) -> bool {
        let next = (self.plane as i64 + delta).rem_euclid(self.planes as i64) as u64;
        let changed = next != self.plane;
        self.plane = next;
        changed
    }

    pub fn cycle_interval(&mut self) {
        self.interval = self.interval.next();
        self.redraw();
    }

    pub fn cycle_stretch(&mut self) {
        self.stretch = self.stretch.next();
        self.redraw();
    }

    fn redraw(&mut self) {
        self.look = match &self.samples {
            Some(Ok(samples)) => Some(Arc::new(Quicklook::new(&samples.values, self.interval, self.stretch))),
            _ => None,
        };
    }
}

/// The last encoding of the picture for the terminal, by the size it was
/// made for (drawing does not change the state the explorer compares).
#[derive(Default, Clone)]
pub struct DrawnCache(pub RefCell<Option<(Size, Arc<Quicklook>, Protocol)>>);

impl std::fmt::Debug for DrawnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DrawnCache")
    }
}

impl PartialEq for DrawnCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(values: Vec<Vec<f64>>) -> Arc<Samples> {
        Arc::new(Samples { values, integral: false })
    }

    #[test]
    fn only_the_awaited_read_is_kept_and_the_picture_follows_the_settings() {
        let mut view = ImageView::new(1, 4);
        view.reading(7);
        assert!(!view.read(6, 0, Ok(samples(vec![vec![1.0]]))), "a stale read");
        assert!(view.read(7, 0, Ok(samples(vec![vec![0.0, 10.0], vec![5.0, f64::NAN]]))));
        let first = view.look.clone().unwrap();
        view.cycle_stretch();
        assert_ne!(view.look.as_ref().unwrap().grey, first.grey, "sqrt brightens the middle");
        view.cycle_interval();
        assert_eq!(view.interval, Interval::MinMax);
        assert_eq!(view.look.as_ref().unwrap().limits, Some((0.0, 10.0)));
    }

    #[test]
    fn planes_wrap_and_a_failed_read_has_no_picture() {
        let mut view = ImageView::new(1, 3);
        assert!(view.step_plane(-1));
        assert_eq!(view.plane, 2);
        assert!(view.step_plane(1));
        assert_eq!(view.plane, 0);
        let mut flat = ImageView::new(1, 1);
        assert!(!flat.step_plane(1), "one plane: nothing to step to");
        flat.reading(1);
        assert!(flat.read(1, 0, Err("tile 3: broken".into())));
        assert!(flat.look.is_none());
    }
}
