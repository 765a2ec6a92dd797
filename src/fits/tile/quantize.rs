//! Quantized floating-point images: the integers a tile holds become
//! `(i - r + 0.5) * ZSCALE + ZZERO` with subtractive dithering, where `r`
//! walks cfitsio's fixed sequence of 10000 random numbers (fits_init_randoms),
//! or `i * ZSCALE + ZZERO` without.

use std::sync::OnceLock;

/// Length of the random sequence.
pub const N_RANDOM: usize = 10_000;
/// The integer that marks a blank (NaN) pixel when cfitsio quantizes.
pub const NULL_VALUE: i64 = -2_147_483_647;
/// The integer that marks an exact 0.0 under SUBTRACTIVE_DITHER_2.
pub const ZERO_VALUE: i64 = -2_147_483_646;
/// Integers kept free below the smallest quantized value, NULL_VALUE first.
const N_RESERVED: f64 = 10.0;

/// ZQUANTIZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    /// NO_DITHER (or no ZQUANTIZ): plain linear scaling.
    None,
    SubtractiveDither1,
    /// As 1, but the integer ZERO_VALUE stands for exactly 0.0.
    SubtractiveDither2,
}

/// Park and Miller's minimal standard generator, seeded with 1: the values
/// and the final seed (1043618065 when implemented right).
pub fn generate_randoms() -> (Vec<f32>, i64) {
    let (a, m) = (16807.0f64, 2147483647.0f64);
    let mut seed = 1.0f64;
    let values = (0..N_RANDOM)
        .map(|_| {
            let temp = a * seed;
            seed = temp - m * (temp / m).trunc();
            (seed / m) as f32
        })
        .collect();
    (values, seed as i64)
}

/// The shared random sequence.
pub fn randoms() -> &'static [f32] {
    static VALUES: OnceLock<Vec<f32>> = OnceLock::new();
    VALUES.get_or_init(|| generate_randoms().0)
}

/// Where a tile's walk through the sequence starts and goes on.
struct Walk {
    seed: usize,
    next: usize,
}

impl Walk {
    /// `row` is the tile's index (0-based) plus ZDITHER0.
    fn new(row: i64) -> Self {
        let seed = (i128::from(row) - 1).rem_euclid(N_RANDOM as i128) as usize;
        Self { seed, next: Self::start(seed) }
    }

    fn start(seed: usize) -> usize {
        ((randoms()[seed] * 500.0) as usize).min(N_RANDOM - 1)
    }

    fn value(&self) -> f64 {
        f64::from(randoms()[self.next])
    }

    fn advance(&mut self) {
        self.next += 1;
        if self.next == N_RANDOM {
            self.seed = (self.seed + 1) % N_RANDOM;
            self.next = Self::start(self.seed);
        }
    }
}

/// Restores the floating-point values of a quantized tile. Pixels equal to
/// `blank` become NaN.
pub fn unquantize(ints: &[i64], scale: f64, zero: f64, dither: Dither, row: i64, blank: Option<i64>) -> Vec<f64> {
    let mut walk = Walk::new(row);
    ints.iter()
        .map(|&i| {
            let value = if blank == Some(i) {
                f64::NAN
            } else {
                match dither {
                    Dither::None => i as f64 * scale + zero,
                    Dither::SubtractiveDither2 if i == ZERO_VALUE => 0.0,
                    _ => (i as f64 - walk.value() + 0.5) * scale + zero,
                }
            };
            if dither != Dither::None {
                walk.advance();
            }
            value
        })
        .collect()
}

/// A quantized tile: the integers and the scaling that restores them.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    pub ints: Vec<i32>,
    pub scale: f64,
    pub zero: f64,
}

/// cfitsio's NINT: rounds half away from zero.
fn nint(x: f64) -> i32 {
    if x >= 0.0 { (x + 0.5) as i32 } else { (x - 0.5) as i32 }
}

/// The noise of the values (NaN skipped): the median absolute difference of
/// neighbours, scaled to a Gaussian sigma.
fn noise(values: &[f32]) -> f64 {
    let good: Vec<f64> = values.iter().filter(|v| !v.is_nan()).map(|&v| f64::from(v)).collect();
    let mut diffs: Vec<f64> = good.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    if diffs.is_empty() {
        return 0.0;
    }
    diffs.sort_by(f64::total_cmp);
    diffs[diffs.len() / 2] * 1.4826 / std::f64::consts::SQRT_2
}

/// Quantizes a tile to steps of noise / `levels`, dithered like cfitsio's
/// fits_quantize_float (NaN pixels become [`NULL_VALUE`]). None when the
/// tile cannot be quantized (no noise, or a range too wide for 32 bits).
pub fn quantize(values: &[f32], levels: f64, dither: Dither, row: i64) -> Option<Quantized> {
    let delta = noise(values) / levels;
    let good = values.iter().filter(|v| !v.is_nan()).map(|&v| f64::from(v));
    let (min, max) = good.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if delta.is_nan() || delta <= 0.0 || min > max || (max - min) / delta > 2.0 * 2147483647.0 - N_RESERVED {
        return None;
    }
    let has_nan = values.iter().any(|v| v.is_nan());
    let zero = if has_nan || dither == Dither::SubtractiveDither2 {
        min - delta * (NULL_VALUE as f64 + N_RESERVED)
    } else if (max - min) / delta < 2147483647.0 - N_RESERVED {
        ((min / delta + 0.5) as i64) as f64 * delta
    } else {
        (min + max) / 2.0
    };
    let mut walk = Walk::new(row);
    let ints = values
        .iter()
        .map(|&v| {
            let i = if v.is_nan() {
                NULL_VALUE as i32
            } else if dither == Dither::SubtractiveDither2 && v == 0.0 {
                ZERO_VALUE as i32
            } else if dither == Dither::None {
                nint((f64::from(v) - zero) / delta)
            } else {
                nint((f64::from(v) - zero) / delta + walk.value() - 0.5)
            };
            if dither != Dither::None {
                walk.advance();
            }
            i
        })
        .collect();
    Some(Quantized { ints, scale: delta, zero })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    #[test]
    fn the_sequence_passes_cfitsios_check() {
        let (values, last_seed) = generate_randoms();
        assert_eq!(last_seed, 1_043_618_065);
        assert_eq!(values.len(), N_RANDOM);
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        // The first value is 16807 / (2^31 - 1).
        assert_eq!(values[0], (16807.0f64 / 2147483647.0) as f32);
        // The quantizer multiplies in double, the reader in float: same start.
        assert!(values.iter().all(|&v| (v * 500.0) as usize == (f64::from(v) * 500.0) as usize));
    }

    fn noisy(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|i| 100.0 + (i % 17) as f32 + (rng.below(1000) as f32 - 500.0) / 50.0).collect()
    }

    #[test]
    fn quantized_round_trip_is_within_half_a_step() {
        let mut rng = Rng::new(3);
        for dither in [Dither::None, Dither::SubtractiveDither1, Dither::SubtractiveDither2] {
            for row in [1i64, 17, 9_999, 10_000, 123_456] {
                let mut values = noisy(&mut rng, 700);
                values[5] = 0.0;
                values[9] = f32::NAN;
                let q = quantize(&values, 4.0, dither, row).unwrap();
                let ints: Vec<i64> = q.ints.iter().map(|&i| i64::from(i)).collect();
                let back = unquantize(&ints, q.scale, q.zero, dither, row, Some(NULL_VALUE));
                for (v, b) in values.iter().zip(&back) {
                    if v.is_nan() {
                        assert!(b.is_nan());
                    } else {
                        assert!((f64::from(*v) - b).abs() <= q.scale * 0.5 + 1e-9, "{v} {b} {dither:?}");
                    }
                }
                if dither == Dither::SubtractiveDither2 {
                    assert_eq!(back[5], 0.0, "zero stays exactly zero");
                }
            }
        }
    }

    #[test]
    fn flat_tiles_do_not_quantize() {
        assert_eq!(quantize(&[3.0; 50], 4.0, Dither::SubtractiveDither1, 1), None);
        assert_eq!(quantize(&[f32::NAN; 5], 4.0, Dither::SubtractiveDither1, 1), None);
        assert_eq!(quantize(&[], 4.0, Dither::None, 1), None);
    }

    #[test]
    fn dithered_values_follow_the_sequence() {
        // Row 1 starts at index (randoms[0] * 500) = 3.
        let r = randoms();
        let start = (r[0] * 500.0) as usize;
        let back = unquantize(&[10, 10], 2.0, 1.0, Dither::SubtractiveDither1, 1, None);
        assert_eq!(back[0], (10.0 - f64::from(r[start]) + 0.5) * 2.0 + 1.0);
        assert_eq!(back[1], (10.0 - f64::from(r[start + 1]) + 0.5) * 2.0 + 1.0);
        // ZDITHER0 <= 0 does not index out of the sequence.
        assert_eq!(unquantize(&[1; 3], 1.0, 0.0, Dither::SubtractiveDither1, -20_000, None).len(), 3);
        assert_eq!(unquantize(&[1; 3], 1.0, 0.0, Dither::SubtractiveDither1, i64::MIN, None).len(), 3);
    }
}
