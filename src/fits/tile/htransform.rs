//! The H-transform of HCOMPRESS_1 (R. White's Haar-like wavelet), forward and
//! inverse, on a `rows` x `cols` array stored row by row (`cols` fastest).
//! Arithmetic wraps, so garbage input cannot overflow.

use super::hsmooth::smooth;

/// log2 of `n` rounded up (0 for 0 and 1).
pub(crate) fn ceil_log2(n: usize) -> u32 {
    if n <= 1 { 0 } else { usize::BITS - (n - 1).leading_zeros() }
}

/// Rounds `v` to a multiple of a power of two, ties as cfitsio rounds them.
fn round(v: i64, positive: i64, negative: i64, mask: i64) -> i64 {
    v.wrapping_add(if v >= 0 { positive } else { negative }) & mask
}

/// The `n` elements `base + k * stride`: first half to the even places,
/// second half to the odd ones.
fn unshuffle(a: &mut [i64], base: usize, n: usize, stride: usize, tmp: &mut Vec<i64>) {
    let half = n.div_ceil(2);
    tmp.clear();
    tmp.extend((half..n).map(|i| a[base + i * stride]));
    for i in (0..half).rev() {
        a[base + 2 * i * stride] = a[base + i * stride];
    }
    for (t, i) in (1..n).step_by(2).enumerate() {
        a[base + i * stride] = tmp[t];
    }
}

/// The inverse of [`unshuffle`]: even places to the first half.
fn shuffle(a: &mut [i64], base: usize, n: usize, stride: usize, tmp: &mut Vec<i64>) {
    tmp.clear();
    tmp.extend((1..n).step_by(2).map(|i| a[base + i * stride]));
    for i in (0..n).step_by(2) {
        a[base + (i / 2) * stride] = a[base + i * stride];
    }
    let half = n.div_ceil(2);
    for (t, &v) in tmp.iter().enumerate() {
        a[base + (half + t) * stride] = v;
    }
}

/// The larger side of a `rows` x `cols` array held in `a`, when there is
/// something to transform: a stream may claim a zero or overflowing shape.
fn larger_side(a: &[i64], rows: usize, cols: usize) -> Option<usize> {
    let count = rows.checked_mul(cols).filter(|&n| n > 0)?;
    let nmax = rows.max(cols);
    (nmax > 1 && a.len() >= count).then_some(nmax)
}

/// The inverse H-transform (cfitsio's hinv64), smoothing with the stream's
/// SCALE when `smooth_scale` is above 1. `a` must hold `rows * cols` values.
pub fn inverse(a: &mut [i64], rows: usize, cols: usize, smooth_scale: i64) {
    let Some(nmax) = larger_side(a, rows, cols) else { return };
    let log2n = ceil_log2(nmax);
    let mut tmp = Vec::with_capacity(nmax.div_ceil(2));
    let mut shift = 1;
    let mut bit0: i64 = 1 << (log2n - 1);
    let mut bit1 = bit0 << 1;
    let mut mask0 = -bit0;
    let mut mask1 = mask0 << 1;
    let mask2 = mask0 << 2;
    let mut prnd0 = bit0 >> 1;
    let mut prnd1 = bit1 >> 1;
    let prnd2 = bit1;
    let mut nrnd0 = prnd0 - 1;
    let mut nrnd1 = prnd1 - 1;
    a[0] = round(a[0], prnd2, prnd2 - 1, mask2);
    let (mut xtop, mut ytop, mut xf, mut yf) = (1usize, 1usize, rows, cols);
    let mut c = 1usize << log2n;
    for k in (0..log2n).rev() {
        c >>= 1;
        xtop <<= 1;
        ytop <<= 1;
        if xf <= c {
            xtop -= 1
        } else {
            xf -= c
        }
        if yf <= c {
            ytop -= 1
        } else {
            yf -= c
        }
        if k == 0 {
            nrnd0 = 0;
            shift = 2;
        }
        for i in 0..xtop {
            unshuffle(a, cols * i, ytop, 1, &mut tmp);
        }
        for j in 0..ytop {
            unshuffle(a, j, xtop, cols, &mut tmp);
        }
        if smooth_scale > 1 {
            smooth(a, xtop, ytop, cols, smooth_scale);
        }
        let (oddx, oddy) = (xtop % 2, ytop % 2);
        let mut i = 0;
        while i < xtop - oddx {
            let mut s00 = cols * i;
            let mut s10 = s00 + cols;
            let mut j = 0;
            while j < ytop - oddy {
                let h0 = a[s00];
                let hx = round(a[s10], prnd1, nrnd1, mask1);
                let hy = round(a[s00 + 1], prnd1, nrnd1, mask1);
                let hc = round(a[s10 + 1], prnd0, nrnd0, mask0);
                let low0 = hc & bit0;
                let hx = if hx >= 0 { hx.wrapping_sub(low0) } else { hx.wrapping_add(low0) };
                let hy = if hy >= 0 { hy.wrapping_sub(low0) } else { hy.wrapping_add(low0) };
                let low1 = (hc ^ hx ^ hy) & bit1;
                let h0 = if h0 >= 0 {
                    h0.wrapping_add(low0).wrapping_sub(low1)
                } else {
                    h0.wrapping_add(if low0 == 0 { low1 } else { low0.wrapping_sub(low1) })
                };
                a[s10 + 1] = h0.wrapping_add(hx).wrapping_add(hy).wrapping_add(hc) >> shift;
                a[s10] = h0.wrapping_add(hx).wrapping_sub(hy).wrapping_sub(hc) >> shift;
                a[s00 + 1] = h0.wrapping_sub(hx).wrapping_add(hy).wrapping_sub(hc) >> shift;
                a[s00] = h0.wrapping_sub(hx).wrapping_sub(hy).wrapping_add(hc) >> shift;
                s00 += 2;
                s10 += 2;
                j += 2;
            }
            if oddy == 1 {
                let h0 = a[s00];
                let hx = round(a[s10], prnd1, nrnd1, mask1);
                let low1 = hx & bit1;
                let h0 = if h0 >= 0 { h0.wrapping_sub(low1) } else { h0.wrapping_add(low1) };
                a[s10] = h0.wrapping_add(hx) >> shift;
                a[s00] = h0.wrapping_sub(hx) >> shift;
            }
            i += 2;
        }
        if oddx == 1 {
            let mut s00 = cols * i;
            let mut j = 0;
            while j < ytop - oddy {
                let h0 = a[s00];
                let hy = round(a[s00 + 1], prnd1, nrnd1, mask1);
                let low1 = hy & bit1;
                let h0 = if h0 >= 0 { h0.wrapping_sub(low1) } else { h0.wrapping_add(low1) };
                a[s00 + 1] = h0.wrapping_add(hy) >> shift;
                a[s00] = h0.wrapping_sub(hy) >> shift;
                s00 += 2;
                j += 2;
            }
            if oddy == 1 {
                a[s00] >>= shift;
            }
        }
        bit1 = bit0;
        bit0 >>= 1;
        mask1 = mask0;
        mask0 >>= 1;
        prnd1 = prnd0;
        prnd0 >>= 1;
        nrnd1 = nrnd0;
        nrnd0 = prnd0 - 1;
    }
}

/// The forward H-transform (cfitsio's htrans64).
pub fn forward(a: &mut [i64], rows: usize, cols: usize) {
    let Some(nmax) = larger_side(a, rows, cols) else { return };
    let log2n = ceil_log2(nmax);
    let mut tmp = Vec::with_capacity(nmax.div_ceil(2));
    let mut shift = 0;
    let mut mask: i64 = -2;
    let mut mask2 = mask << 1;
    let mut prnd: i64 = 1;
    let mut prnd2 = prnd << 1;
    let (mut xtop, mut ytop) = (rows, cols);
    let keep = |v: i64, p: i64, m: i64| (if v >= 0 { v.wrapping_add(p) } else { v }) & m;
    for _ in 0..log2n {
        let (oddx, oddy) = (xtop % 2, ytop % 2);
        let mut i = 0;
        while i < xtop - oddx {
            let mut s00 = i * cols;
            let mut s10 = s00 + cols;
            let mut j = 0;
            while j < ytop - oddy {
                let (p00, p01, p10, p11) = (a[s00], a[s00 + 1], a[s10], a[s10 + 1]);
                let h0 = p11.wrapping_add(p10).wrapping_add(p01).wrapping_add(p00) >> shift;
                let hx = p11.wrapping_add(p10).wrapping_sub(p01).wrapping_sub(p00) >> shift;
                let hy = p11.wrapping_sub(p10).wrapping_add(p01).wrapping_sub(p00) >> shift;
                let hc = p11.wrapping_sub(p10).wrapping_sub(p01).wrapping_add(p00) >> shift;
                a[s10 + 1] = hc;
                a[s10] = keep(hx, prnd, mask);
                a[s00 + 1] = keep(hy, prnd, mask);
                a[s00] = round(h0, prnd2, prnd2 - 1, mask2);
                s00 += 2;
                s10 += 2;
                j += 2;
            }
            if oddy == 1 {
                let h0 = a[s10].wrapping_add(a[s00]) << (1 - shift);
                let hx = a[s10].wrapping_sub(a[s00]) << (1 - shift);
                a[s10] = keep(hx, prnd, mask);
                a[s00] = round(h0, prnd2, prnd2 - 1, mask2);
            }
            i += 2;
        }
        if oddx == 1 {
            let mut s00 = i * cols;
            let mut j = 0;
            while j < ytop - oddy {
                let h0 = a[s00 + 1].wrapping_add(a[s00]) << (1 - shift);
                let hy = a[s00 + 1].wrapping_sub(a[s00]) << (1 - shift);
                a[s00 + 1] = keep(hy, prnd, mask);
                a[s00] = round(h0, prnd2, prnd2 - 1, mask2);
                s00 += 2;
                j += 2;
            }
            if oddy == 1 {
                let h0 = a[s00] << (2 - shift);
                a[s00] = round(h0, prnd2, prnd2 - 1, mask2);
            }
        }
        for i in 0..xtop {
            shuffle(a, cols * i, ytop, 1, &mut tmp);
        }
        for j in 0..ytop {
            shuffle(a, j, xtop, cols, &mut tmp);
        }
        xtop = xtop.div_ceil(2);
        ytop = ytop.div_ceil(2);
        shift = 1;
        mask = mask2;
        prnd = prnd2;
        mask2 <<= 1;
        prnd2 <<= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    #[test]
    fn log2_rounds_up() {
        let cases = [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4), (1 << 20, 20)];
        for (n, log) in cases {
            assert_eq!(ceil_log2(n), log, "{n}");
        }
    }

    #[test]
    fn inverse_undoes_forward() {
        let mut rng = Rng::new(11);
        for (rows, cols) in [(1, 1), (1, 7), (7, 1), (2, 2), (3, 5), (16, 16), (13, 29), (64, 3)] {
            let values: Vec<i64> = (0..rows * cols).map(|_| rng.below(1 << 20) as i64 - (1 << 19)).collect();
            let mut a = values.clone();
            forward(&mut a, rows, cols);
            inverse(&mut a, rows, cols, 0);
            assert_eq!(a, values, "{rows} x {cols}");
        }
    }
}
