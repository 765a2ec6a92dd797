//! A quick-look: sampled values turned into grey levels between the limits
//! of an interval, through a stretch, top row first (FITS rows run upward).

use super::scale::{Interval, Stretch, normalize, to_grey};

/// Grey levels of a sampled plane, ready to draw or save.
#[derive(Debug, Clone, PartialEq)]
pub struct Quicklook {
    pub width: usize,
    pub height: usize,
    /// Row-major, the top of the picture (the last FITS row) first.
    pub grey: Vec<u8>,
    /// The values shown black and white; `None` when no value is finite.
    pub limits: Option<(f64, f64)>,
}

impl Quicklook {
    pub fn new(rows: &[Vec<f64>], interval: Interval, stretch: Stretch) -> Self {
        let finite: Vec<f64> = rows.iter().flatten().copied().filter(|v| v.is_finite()).collect();
        let limits = interval.limits(&finite);
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut grey = Vec::with_capacity(width * rows.len());
        for row in rows.iter().rev() {
            for x in 0..width {
                let value = row.get(x).copied().unwrap_or(f64::NAN);
                let level = limits.and_then(|(lo, hi)| normalize(value, lo, hi, stretch));
                grey.push(to_grey(level));
            }
        }
        Self { width, height: rows.len(), grey, limits }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_is_flipped_and_spans_the_limits() {
        let rows = vec![vec![0.0, 1.0], vec![2.0, 3.0]];
        let look = Quicklook::new(&rows, Interval::MinMax, Stretch::Linear);
        assert_eq!((look.width, look.height, look.limits), (2, 2, Some((0.0, 3.0))));
        assert_eq!(look.grey[0], to_grey(Some(2.0 / 3.0)), "the top-left pixel is the last FITS row's first");
        assert_eq!((look.grey[1], look.grey[2]), (255, 0));
        assert_eq!(look.grey[3], to_grey(Some(1.0 / 3.0)));
    }

    #[test]
    fn nan_is_black_and_an_all_nan_plane_has_no_limits() {
        let look = Quicklook::new(&[vec![f64::NAN, f64::NAN]], Interval::ZScale, Stretch::Asinh);
        assert_eq!((look.limits, look.grey), (None, vec![0, 0]));
    }
}
