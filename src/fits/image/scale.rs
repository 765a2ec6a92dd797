//! Display limits and stretches for an image plane, as astropy's
//! `astropy.visualization` computes them: an interval picks the values shown
//! as black and white (`ZScaleInterval`, `MinMaxInterval`,
//! `PercentileInterval(99.5)`), a stretch maps what lies between them
//! (`LinearStretch`, `SqrtStretch`, `AsinhStretch(a=0.1)`).
//!
//! Like astropy's intervals, every function here ignores non-finite values
//! (NaN and the infinities).

use std::fmt;

/// The parameters of IRAF's zscale, named and defaulted as astropy's
/// `ZScaleInterval` names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZScale {
    pub n_samples: usize,
    pub contrast: f64,
    pub max_reject: f64,
    pub min_npixels: usize,
    pub krej: f64,
    pub max_iterations: usize,
}

impl Default for ZScale {
    fn default() -> Self {
        Self { n_samples: 1000, contrast: 0.25, max_reject: 0.5, min_npixels: 5, krej: 2.5, max_iterations: 5 }
    }
}

/// astropy's `ZScaleInterval().get_limits(values)`; `None` without a finite value.
pub fn zscale(values: &[f64]) -> Option<(f64, f64)> {
    ZScale::default().limits(values)
}

impl ZScale {
    /// The limits of `values`: a line fitted to a sorted sample, with
    /// k-sigma rejection, its slope divided by the contrast around the median.
    pub fn limits(&self, values: &[f64]) -> Option<(f64, f64)> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            return None;
        }
        // Sample the image: every stride-th value, at most n_samples of them.
        let stride = ((finite.len() as f64 / self.n_samples as f64).max(1.0)) as usize;
        let mut samples: Vec<f64> = finite.iter().step_by(stride).take(self.n_samples).copied().collect();
        samples.sort_by(f64::total_cmp);
        let npix = samples.len();
        let (mut vmin, mut vmax) = (samples[0], samples[npix - 1]);

        let minpix = self.min_npixels.max((npix as f64 * self.max_reject) as usize);
        let mut ngoodpix = npix;
        let mut last_ngoodpix = npix + 1;
        let mut badpix = vec![false; npix];
        // Rejected pixels grow by this many neighbours.
        let ngrow = 1.max((npix as f64 * 0.01) as usize);
        let mut slope = None;
        for _ in 0..self.max_iterations {
            if ngoodpix >= last_ngoodpix || ngoodpix < minpix {
                break;
            }
            let (fit_slope, intercept) = fit_line(&samples, &badpix);
            slope = Some(fit_slope);
            let flat: Vec<f64> =
                samples.iter().enumerate().map(|(x, &y)| y - (fit_slope * x as f64 + intercept)).collect();
            let good: Vec<f64> = flat.iter().zip(&badpix).filter(|&(_, &bad)| !bad).map(|(&f, _)| f).collect();
            let threshold = self.krej * std_dev(&good);
            for (bad, &f) in badpix.iter_mut().zip(&flat) {
                if f < -threshold || f > threshold {
                    *bad = true;
                }
            }
            badpix = grow(&badpix, ngrow);
            last_ngoodpix = ngoodpix;
            ngoodpix = badpix.iter().filter(|&&bad| !bad).count();
        }
        if let Some(mut slope) = slope.filter(|_| ngoodpix >= minpix) {
            if self.contrast > 0.0 {
                slope /= self.contrast;
            }
            let center_pixel = ((npix - 1) / 2) as f64;
            let median = sorted_median(&samples);
            vmin = vmin.max(median - (center_pixel - 1.0) * slope);
            vmax = vmax.min(median + (npix as f64 - center_pixel) * slope);
        }
        Some((vmin, vmax))
    }
}

/// Least squares line through `(index, y)` over the points not marked bad,
/// as `np.polyfit(x, y, 1, w=~bad)` fits it: (slope, intercept).
fn fit_line(ys: &[f64], bad: &[bool]) -> (f64, f64) {
    let points = || ys.iter().enumerate().zip(bad).filter(|&(_, &b)| !b).map(|((x, &y), _)| (x as f64, y));
    let n = points().count() as f64;
    let mean_x = points().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = points().map(|(x, _)| (x - mean_x) * (x - mean_x)).sum();
    let sxy: f64 = points().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (slope, mean_y - slope * mean_x)
}

/// The population standard deviation (numpy's `std`, ddof 0).
fn std_dev(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// `np.convolve(bad, np.ones(width, bool), mode="same")`: each bad pixel
/// also marks the `(width - 1) / 2` pixels before it and the `width / 2`
/// after it.
fn grow(bad: &[bool], width: usize) -> Vec<bool> {
    // Pixel i is bad when one of i - after ..= i + before was.
    let (before, after) = ((width - 1) / 2, width / 2);
    (0..bad.len()).map(|i| bad[i.saturating_sub(after)..=(i + before).min(bad.len() - 1)].contains(&true)).collect()
}

/// The median of sorted values (the mean of the middle two for an even count).
fn sorted_median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

/// The smallest and largest finite values.
pub fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    values.iter().copied().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The `lower_pct` and `upper_pct` percentiles (0 to 100) of the finite
/// values, interpolated linearly as `np.percentile` does.
pub fn percentile(values: &[f64], lower_pct: f64, upper_pct: f64) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    Some((percentile_of_sorted(&sorted, lower_pct), percentile_of_sorted(&sorted, upper_pct)))
}

fn percentile_of_sorted(sorted: &[f64], pct: f64) -> f64 {
    let position = (sorted.len() - 1) as f64 * (pct.clamp(0.0, 100.0) / 100.0);
    let below = position.floor();
    let t = position - below;
    let a = sorted[below as usize];
    let b = sorted[(below as usize + 1).min(sorted.len() - 1)];
    // numpy's `_lerp`: from the nearer end, so that t = 1 gives b exactly.
    let diff = b - a;
    if t >= 0.5 { b - diff * (1.0 - t) } else { a + diff * t }
}

/// Which values are shown as black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interval {
    #[default]
    ZScale,
    MinMax,
    /// The central 99.5 % of the values (percentiles 0.25 and 99.75).
    Percentile99_5,
}

impl Interval {
    /// The next interval, in a cycle.
    pub fn next(self) -> Self {
        match self {
            Interval::ZScale => Interval::MinMax,
            Interval::MinMax => Interval::Percentile99_5,
            Interval::Percentile99_5 => Interval::ZScale,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Interval::ZScale => "zscale",
            Interval::MinMax => "minmax",
            Interval::Percentile99_5 => "99.5%",
        }
    }

    /// The limits of `values`; `None` without a finite value.
    pub fn limits(self, values: &[f64]) -> Option<(f64, f64)> {
        match self {
            Interval::ZScale => zscale(values),
            Interval::MinMax => min_max(values),
            Interval::Percentile99_5 => percentile(values, 0.25, 99.75),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How values between the limits map to grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stretch {
    #[default]
    Linear,
    Sqrt,
    /// `asinh(x / a) / asinh(1 / a)` with a = 0.1.
    Asinh,
}

/// astropy's `AsinhStretch` default.
const ASINH_A: f64 = 0.1;

impl Stretch {
    /// The next stretch, in a cycle.
    pub fn next(self) -> Self {
        match self {
            Stretch::Linear => Stretch::Sqrt,
            Stretch::Sqrt => Stretch::Asinh,
            Stretch::Asinh => Stretch::Linear,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stretch::Linear => "linear",
            Stretch::Sqrt => "sqrt",
            Stretch::Asinh => "asinh",
        }
    }

    /// Applies the stretch to `x` in 0..=1.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Stretch::Linear => x,
            Stretch::Sqrt => x.sqrt(),
            Stretch::Asinh => (x / ASINH_A).asinh() / (1.0 / ASINH_A).asinh(),
        }
    }
}

impl fmt::Display for Stretch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `value` scaled into 0..=1 between `lo` and `hi` (clipped), then
/// stretched, as astropy's `ImageNormalize(vmin=lo, vmax=hi, stretch,
/// clip=True)`: equal limits give 0. `None` for NaN or limits out of order.
pub fn normalize(value: f64, lo: f64, hi: f64, stretch: Stretch) -> Option<f64> {
    if value.is_nan() || lo.is_nan() || hi.is_nan() || lo > hi {
        return None;
    }
    if lo == hi {
        return Some(0.0);
    }
    let x = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    Some(stretch.apply(x).clamp(0.0, 1.0))
}

/// A grey level 0..=255 for a normalized value; no value is black.
pub fn to_grey(v: Option<f64>) -> u8 {
    v.map_or(0, |v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn percentile_matches_numpy_on_hand_checked_arrays() {
        // np.percentile([1, 2, 3, 4], (25, 75)) == (1.75, 3.25)
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 25.0, 75.0), Some((1.75, 3.25)));
        // np.percentile([10, 0, 5], (0, 100)) == (0, 10); (50, 90) == (5, 9)
        assert_eq!(percentile(&[10.0, 0.0, 5.0], 0.0, 100.0), Some((0.0, 10.0)));
        assert_eq!(percentile(&[10.0, 0.0, 5.0], 50.0, 90.0), Some((5.0, 9.0)));
        // np.nanpercentile([nan, 1, 2, nan, 3, 4, 5], (0.25, 99.75)) == (1.01, 4.99)
        let (lo, hi) = percentile(&[f64::NAN, 1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0], 0.25, 99.75).unwrap();
        assert!(close(lo, 1.01) && close(hi, 4.99), "{lo} {hi}");
        assert_eq!(percentile(&[7.0], 10.0, 90.0), Some((7.0, 7.0)));
        assert_eq!(percentile(&[f64::NAN, f64::INFINITY], 10.0, 90.0), None);
        assert_eq!(percentile(&[], 10.0, 90.0), None);
    }

    #[test]
    fn min_max_ignores_non_finite_values() {
        assert_eq!(min_max(&[3.0, f64::NAN, -1.0, f64::INFINITY, 2.0, f64::NEG_INFINITY]), Some((-1.0, 3.0)));
        assert_eq!(min_max(&[f64::NAN]), None);
    }

    #[test]
    fn zscale_of_nothing_finite_is_none_and_of_few_pixels_min_max() {
        assert_eq!(zscale(&[]), None);
        assert_eq!(zscale(&[f64::NAN; 10]), None);
        assert_eq!(zscale(&[5.0, f64::NAN, 1.0, 3.0]), Some((1.0, 5.0)));
        assert_eq!(zscale(&[2.0; 100]), Some((2.0, 2.0)));
    }

    /// A ramp with a little deterministic noise. (On an exactly straight
    /// line astropy's result hangs on the rounding noise of `np.polyfit`,
    /// which rejects pixels 1e-13 off the line: not a case to compare.)
    fn noisy_ramp(n: usize, noise: f64) -> Vec<f64> {
        (0..n).map(|i| i as f64 + noise * (i as f64 * 12.9898).sin()).collect()
    }

    #[test]
    fn zscale_of_a_ramp_is_the_median_plus_minus_the_slope_over_the_contrast() {
        // Expected values from astropy 8.0.2's ZScaleInterval on the same arrays.
        let ramp = noisy_ramp(1000, 0.3);
        // Slope about 1, contrast 1: from the median about 499.5, 498 pixels down, 501 up (clipped).
        let (lo, hi) = ZScale { contrast: 1.0, ..ZScale::default() }.limits(&ramp).unwrap();
        assert!(close(lo, 1.2513947596266348) && close(hi, 999.2685830204939), "{lo} {hi}");
        // With contrast 0.25 the line runs past both ends: the data's extremes.
        assert_eq!(zscale(&ramp), Some((0.0, 999.2685830204939)));
    }

    #[test]
    fn zscale_rejects_outliers() {
        let mut values = noisy_ramp(1000, 0.3);
        values[0] = -1e6;
        values[999] = 1e6;
        let (lo, hi) = zscale(&values).unwrap();
        // About 499.5 -/+ (498, 501) x 1 / 0.25, not pulled towards the outliers.
        assert!(close(lo, -1492.7539372959018) && close(hi, 2503.2552641296265), "{lo} {hi}");
        assert_eq!(min_max(&values), Some((-1e6, 1e6)));
    }

    #[test]
    fn zscale_samples_large_inputs_with_a_stride() {
        // 10,000 values: every 10th is sampled; the stray values in between are never seen.
        let values: Vec<f64> = (0..10_000)
            .map(|i| if i % 10 == 0 { f64::from(i) + 3.0 * (f64::from(i) * 12.9898).sin() } else { 1e9 })
            .collect();
        let (lo, hi) = ZScale { contrast: 1.0, ..ZScale::default() }.limits(&values).unwrap();
        assert!(close(lo, 16.04118987691163) && close(hi, 9992.986488181048), "{lo} {hi}");
    }

    #[test]
    fn growing_the_rejection_matches_numpy_convolve_same() {
        let bad = [false, false, false, true, false, false, false, false];
        // np.convolve(bad, np.ones(4, bool), mode="same") marks 1 before and 2 after.
        assert_eq!(grow(&bad, 4), [false, false, true, true, true, true, false, false]);
        assert_eq!(grow(&bad, 1), bad);
        assert_eq!(grow(&[true], 3), [true]);
    }

    #[test]
    fn normalize_clips_and_keeps_the_endpoints() {
        for stretch in [Stretch::Linear, Stretch::Sqrt, Stretch::Asinh] {
            assert_eq!(normalize(0.0, 0.0, 10.0, stretch), Some(0.0), "{stretch}");
            assert!(close(normalize(10.0, 0.0, 10.0, stretch).unwrap(), 1.0), "{stretch}");
            assert_eq!(normalize(-5.0, 0.0, 10.0, stretch), Some(0.0), "{stretch}");
            assert!(close(normalize(50.0, 0.0, 10.0, stretch).unwrap(), 1.0), "{stretch}");
            assert_eq!(normalize(f64::INFINITY, 0.0, 10.0, stretch), Some(1.0));
            assert_eq!(normalize(f64::NEG_INFINITY, 0.0, 10.0, stretch), Some(0.0));
            assert_eq!(normalize(f64::NAN, 0.0, 10.0, stretch), None);
            assert_eq!(normalize(3.0, 3.0, 3.0, stretch), Some(0.0), "equal limits give 0 as astropy does");
            assert_eq!(normalize(3.0, 4.0, 3.0, stretch), None);
        }
        assert_eq!(normalize(2.5, 0.0, 10.0, Stretch::Linear), Some(0.25));
        assert_eq!(normalize(2.5, 0.0, 10.0, Stretch::Sqrt), Some(0.5));
        // asinh(0.25 / 0.1) / asinh(10)
        let asinh = normalize(2.5, 0.0, 10.0, Stretch::Asinh).unwrap();
        assert!(close(asinh, 1.6472311463710958 / 2.99822295029797), "{asinh}");
    }

    #[test]
    fn stretches_are_monotonic_and_brighten_the_faint_end() {
        for stretch in [Stretch::Linear, Stretch::Sqrt, Stretch::Asinh] {
            let levels: Vec<f64> = (0..=1000).map(|i| normalize(f64::from(i), 0.0, 1000.0, stretch).unwrap()).collect();
            assert!(levels.windows(2).all(|w| w[0] < w[1]), "{stretch} is not increasing");
            let greys: Vec<u8> = levels.iter().map(|&v| to_grey(Some(v))).collect();
            assert!(greys.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!((greys[0], greys[1000]), (0, 255));
        }
        let at = |s| normalize(100.0, 0.0, 1000.0, s).unwrap();
        assert!(at(Stretch::Linear) < at(Stretch::Sqrt) && at(Stretch::Linear) < at(Stretch::Asinh));
        assert_eq!(to_grey(None), 0);
        assert_eq!(to_grey(Some(0.5)), 128);
    }

    #[test]
    fn intervals_and_stretches_cycle_with_names() {
        let intervals = std::iter::successors(Some(Interval::default()), |i| Some(i.next()));
        let names: Vec<&str> = intervals.take(4).map(Interval::name).collect();
        assert_eq!(names, ["zscale", "minmax", "99.5%", "zscale"]);
        let stretches = std::iter::successors(Some(Stretch::default()), |s| Some(s.next()));
        let names: Vec<String> = stretches.take(4).map(|s| s.to_string()).collect();
        assert_eq!(names, ["linear", "sqrt", "asinh", "linear"]);
        let values = [f64::NAN, 0.0, 1.0, 2.0, 3.0, 400.0];
        assert_eq!(Interval::MinMax.limits(&values), Some((0.0, 400.0)));
        assert_eq!(Interval::Percentile99_5.limits(&values), percentile(&values, 0.25, 99.75));
        assert_eq!(Interval::ZScale.limits(&values), zscale(&values));
    }
}
