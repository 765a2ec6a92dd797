//! Synthetic skies: star fields and cubes with structure worth looking at.

use super::Rng;

/// A `width` x `height` field: a sky level with noise, a faint gradient and
/// `stars` Gaussian stars (brightness spread over a few magnitudes), row by
/// row from the bottom (FITS order).
pub fn star_field(rng: &mut Rng, width: usize, height: usize, stars: usize, sky: f32, noise: f32) -> Vec<f32> {
    let mut pixels: Vec<f32> = (0..width * height)
        .map(|i| {
            let (x, y) = ((i % width) as f32, (i / width) as f32);
            let gradient = 0.1 * sky * (x + y) / (width + height).max(1) as f32;
            sky + gradient + noise * gaussian(rng) as f32
        })
        .collect();
    for _ in 0..stars {
        let (cx, cy) = (rng.unit() as f32 * width as f32, rng.unit() as f32 * height as f32);
        let flux = sky * 40.0 * 10f32.powf(-1.2 * rng.unit() as f32 * 2.0);
        let sigma = 0.8 + 1.2 * rng.unit() as f32;
        add_star(&mut pixels, width, height, (cx, cy), flux, sigma);
    }
    pixels
}

/// Adds a Gaussian star of peak `flux` at `centre`.
fn add_star(pixels: &mut [f32], width: usize, height: usize, centre: (f32, f32), flux: f32, sigma: f32) {
    let reach = (4.0 * sigma).ceil() as i64;
    let (cx, cy) = centre;
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let (x, y) = (cx as i64 + dx, cy as i64 + dy);
            if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
                continue;
            }
            let r2 = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2);
            pixels[y as usize * width + x as usize] += flux * (-r2 / (2.0 * sigma * sigma)).exp();
        }
    }
}

/// A standard normal deviate (Box–Muller).
pub(super) fn gaussian(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A spectral cube: the same field in `planes` wavelength slices, each star
/// with its own spectrum (brighter in some planes) and an emission blob
/// that moves across the planes.
pub fn cube(rng: &mut Rng, side: usize, planes: usize) -> Vec<f32> {
    let base = star_field(rng, side, side, side / 3, 10.0, 1.0);
    let mut out = Vec::with_capacity(side * side * planes);
    for plane in 0..planes {
        let mut slice: Vec<f32> = base.iter().map(|v| v * (0.6 + 0.1 * plane as f32)).collect();
        let t = plane as f32 / planes.max(1) as f32;
        add_star(&mut slice, side, side, (side as f32 * (0.2 + 0.6 * t), side as f32 * 0.5), 300.0, 3.0);
        out.extend(slice);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_field_has_stars_above_its_sky() {
        let mut rng = Rng(7);
        let field = star_field(&mut rng, 64, 48, 20, 100.0, 5.0);
        assert_eq!(field.len(), 64 * 48);
        let max = field.iter().cloned().fold(f32::MIN, f32::max);
        let mut sorted = field;
        sorted.sort_by(f32::total_cmp);
        let median = sorted[sorted.len() / 2];
        assert!((90.0..120.0).contains(&median), "sky level {median}");
        assert!(max > median + 20.0 * 5.0, "the brightest star stands out: {max}");
    }

    #[test]
    fn cube_planes_differ() {
        let mut rng = Rng(3);
        let cube = cube(&mut rng, 16, 4);
        assert_eq!(cube.len(), 16 * 16 * 4);
        assert_ne!(cube[..256], cube[256..512]);
    }
}
