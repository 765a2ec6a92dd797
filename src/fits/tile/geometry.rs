//! Where tiles sit: in the image (pixel boxes) and in the table (rows).
//! Tiles are numbered from 0 with the first axis fastest, as the rows.

use super::CompressedImage;

/// Origin and shape of tile `index` of an image of `axes` cut in `tile`s.
pub(crate) fn tile_box(axes: &[u64], tile: &[u64], index: u64) -> (Vec<u64>, Vec<u64>) {
    let mut rest = index;
    let mut origin = Vec::with_capacity(axes.len());
    let mut shape = Vec::with_capacity(axes.len());
    for (&axis, &tile) in axes.iter().zip(tile) {
        let count = axis.div_ceil(tile.max(1)).max(1);
        let start = (rest % count) * tile;
        rest /= count;
        origin.push(start);
        shape.push(tile.min(axis.saturating_sub(start)));
    }
    (origin, shape)
}

impl CompressedImage {
    /// The number of tiles along each axis.
    pub fn tiles_per_axis(&self) -> Vec<u64> {
        self.axes.iter().zip(&self.tile).map(|(&a, &t)| a.div_ceil(t.max(1))).collect()
    }

    /// Origin (0-based pixel coordinates) and shape of tile `index`, clipped
    /// at the image's edges; None past the last tile.
    pub fn tile_bounds(&self, index: u64) -> Option<(Vec<u64>, Vec<u64>)> {
        (index < self.rows).then(|| tile_box(&self.axes, &self.tile, index))
    }

    /// The tiles (sorted, 0-based) holding image rows `rows` (0-based
    /// coordinates on axis 2) of the plane at `plane` (0-based coordinates on
    /// axes 3, 4, ...; missing ones are 0). A 1-D image has one row, 0.
    /// Rows and planes outside the image give no tiles.
    pub fn tiles_for_rows(&self, rows: &[u64], plane: &[u64]) -> Vec<u64> {
        let counts = self.tiles_per_axis();
        if counts.contains(&0) {
            return Vec::new();
        }
        // The tile index of the plane part (axes 3..n) and its stride.
        let mut base = 0u64;
        let mut stride = counts.iter().take(2).product::<u64>();
        for (k, (&axis, &tile)) in self.axes.iter().zip(&self.tile).enumerate().skip(2) {
            let at = plane.get(k - 2).copied().unwrap_or(0);
            if at >= axis {
                return Vec::new();
            }
            base += (at / tile) * stride;
            stride *= counts[k];
        }
        let height = self.axes.get(1).copied().unwrap_or(1);
        let tile_height = self.tile.get(1).copied().unwrap_or(1);
        let mut tile_rows: Vec<u64> = rows.iter().filter(|&&r| r < height).map(|&r| r / tile_height).collect();
        tile_rows.sort_unstable();
        tile_rows.dedup();
        let across = counts[0];
        tile_rows.into_iter().flat_map(|ty| (0..across).map(move |tx| base + ty * across + tx)).collect()
    }

    /// The table row of tile `tile`: (offset from the data start, length).
    pub fn tile_row_range(&self, tile: u64) -> (u64, u64) {
        (tile.saturating_mul(self.row_width), self.row_width)
    }
}
