//! HCOMPRESS_1 smoothing (SMOOTH = 1): during the inverse H-transform of a
//! lossy (SCALE > 1) tile, nudge the x, y and curvature differences toward
//! values that interpolate the neighbouring means, by at most SCALE / 2
//! (cfitsio's hsmooth64). Arithmetic wraps, for garbage input.

/// Divides by 2^shift rounding toward zero, as cfitsio does.
fn div_toward_zero(s: i64, shift: u32) -> i64 {
    if s >= 0 { s >> shift } else { s.wrapping_add((1 << shift) - 1) >> shift }
}

/// The change of coefficient `current` toward `diff` (`shift` scales it),
/// limited by the monotonic bounds and by `smax`; None when the bounds
/// leave no room.
fn nudge(diff: i64, dmin: i64, dmax: i64, current: i64, shift: u32, smax: i64) -> Option<i64> {
    (dmin < dmax).then(|| {
        let diff = diff.min(dmax).max(dmin);
        div_toward_zero(diff.wrapping_sub(current << shift), shift).clamp(-smax, smax)
    })
}

/// The slope bounds of a zone between means `hm`, `h0`, `hp`, times 4.
fn bounds(hm: i64, h0: i64, hp: i64) -> (i64, i64) {
    let (up, down) = (hp.wrapping_sub(h0), h0.wrapping_sub(hm));
    ((up.max(down).min(0)) << 2, (up.min(down).max(0)) << 2)
}

/// Smooths the `xtop` x `ytop` block of coefficients (rows `cols` apart).
pub fn smooth(a: &mut [i64], xtop: usize, ytop: usize, cols: usize, scale: i64) {
    let smax = scale >> 1;
    if smax <= 0 || a.len() < xtop * cols {
        return;
    }
    let cols2 = 2 * cols;
    // The x differences.
    for i in (2..xtop.saturating_sub(2)).step_by(2) {
        for j in (0..ytop).step_by(2) {
            let s00 = cols * i + j;
            let (hm, h0, hp) = (a[s00 - cols2], a[s00], a[s00 + cols2]);
            let (dmin, dmax) = bounds(hm, h0, hp);
            if let Some(s) = nudge(hp.wrapping_sub(hm), dmin, dmax, a[s00 + cols], 3, smax) {
                a[s00 + cols] = a[s00 + cols].wrapping_add(s);
            }
        }
    }
    // The y differences.
    for i in (0..xtop).step_by(2) {
        for j in (2..ytop.saturating_sub(2)).step_by(2) {
            let s00 = cols * i + j;
            let (hm, h0, hp) = (a[s00 - 2], a[s00], a[s00 + 2]);
            let (dmin, dmax) = bounds(hm, h0, hp);
            if let Some(s) = nudge(hp.wrapping_sub(hm), dmin, dmax, a[s00 + 1], 3, smax) {
                a[s00 + 1] = a[s00 + 1].wrapping_add(s);
            }
        }
    }
    // The curvature differences.
    for i in (2..xtop.saturating_sub(2)).step_by(2) {
        for j in (2..ytop.saturating_sub(2)).step_by(2) {
            let s00 = cols * i + j;
            let s10 = s00 + cols;
            let (hmm, hpm) = (a[s00 - cols2 - 2], a[s00 + cols2 - 2]);
            let (hmp, hpp) = (a[s00 - cols2 + 2], a[s00 + cols2 + 2]);
            let h0 = a[s00];
            let diff = hpp.wrapping_add(hmm).wrapping_sub(hmp).wrapping_sub(hpm);
            let (hx2, hy2) = (a[s10] << 1, a[s00 + 1] << 1);
            let d = |x: i64, y: i64| x.wrapping_sub(y);
            let (a1, a2) = (d(hpp, h0), d(h0, hpm));
            let (a3, a4) = (d(h0, hmp), d(hmm, h0));
            let m1 = d(d(a1.max(0), hx2), hy2).min(a2.max(0).wrapping_add(hx2).wrapping_sub(hy2));
            let m2 = d(a3.max(0), hx2).wrapping_add(hy2).min(a4.max(0).wrapping_add(hx2).wrapping_add(hy2));
            let dmax = m1.min(m2) << 4;
            let m1 = d(d(a1.min(0), hx2), hy2).max(a2.min(0).wrapping_add(hx2).wrapping_sub(hy2));
            let m2 = d(a3.min(0), hx2).wrapping_add(hy2).max(a4.min(0).wrapping_add(hx2).wrapping_add(hy2));
            let dmin = m1.max(m2) << 4;
            if let Some(s) = nudge(diff, dmin, dmax, a[s10 + 1], 6, smax) {
                a[s10 + 1] = a[s10 + 1].wrapping_add(s);
            }
        }
    }
}
