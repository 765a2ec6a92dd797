//! Reading a sampled image plane through a range source: for a plain image
//! the sampled pixels' bytes only, neighbours merged into one request; for a
//! tile-compressed one the table rows of the tiles holding sampled rows,
//! then their heap bytes, decompressed.

use super::sample::{Grid, ImageLayout};
use crate::fits::hdu::Hdu;
use crate::fits::source::StreamSource;
use crate::fits::stream::{DataError, StreamOptions, read_ranges};
use crate::fits::tile::{CompressedImage, Tile};

/// How an image HDU stores its pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageData {
    Plain(ImageLayout),
    Tiled(Box<CompressedImage>),
}

impl ImageData {
    /// A tile-compressed image (ZIMAGE = T), a primary array or an IMAGE extension.
    pub fn from_hdu(hdu: &Hdu) -> Result<Self, String> {
        if hdu.header.logical("ZIMAGE") == Some(true) {
            let tiled = CompressedImage::from_header(&hdu.header).map_err(|e| e.to_string())?;
            return Ok(ImageData::Tiled(Box::new(tiled)));
        }
        ImageLayout::from_hdu(hdu).map(ImageData::Plain)
    }

    /// The image's axes, fastest first.
    pub fn axes(&self) -> &[u64] {
        match self {
            ImageData::Plain(layout) => &layout.axes,
            ImageData::Tiled(tiled) => &tiled.axes,
        }
    }
}

/// A sampled plane: one row of physical values per sampled row (NaN for
/// blanks), and whether they are all integers.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub values: Vec<Vec<f64>>,
    pub integral: bool,
}

/// Reads the pixels of `grid` from an image HDU stored as `data`.
pub async fn read_samples<S: StreamSource>(
    source: &mut S,
    hdu: &Hdu,
    data: &ImageData,
    grid: &Grid,
    options: StreamOptions,
) -> Result<Samples, DataError> {
    match data {
        ImageData::Plain(layout) => {
            let values = read_grid(source, hdu, layout, grid, options).await?;
            Ok(Samples { values, integral: layout.integral() })
        }
        ImageData::Tiled(tiled) => read_tiles(source, hdu, tiled, grid, options).await,
    }
}

/// The tiles holding the sampled rows: their table rows in one read, their
/// heap bytes in a second, then each decompressed and sampled.
async fn read_tiles<S: StreamSource>(
    source: &mut S,
    hdu: &Hdu,
    image: &CompressedImage,
    grid: &Grid,
    options: StreamOptions,
) -> Result<Samples, DataError> {
    let tiles = image.tiles_for_rows(&grid.rows, &grid.plane_coordinates(&image.axes));
    let at = |(offset, len): (u64, u64)| (hdu.data_start + offset, len);
    let row_ranges: Vec<(u64, u64)> = tiles.iter().map(|&t| at(image.tile_row_range(t))).collect();
    let rows = read_ranges(source, &row_ranges, options).await?;
    if rows.iter().any(|r| r.len() as u64 != image.row_width) {
        return Err(DataError::Invalid("the file ends inside the table of compressed tiles (truncated?)".into()));
    }
    let invalid = |e: crate::fits::tile::TileError| DataError::Invalid(e.to_string());
    let mut heap_ranges = Vec::new();
    let mut counts = Vec::with_capacity(tiles.len());
    for row in &rows {
        let ranges = image.heap_ranges(row).map_err(invalid)?;
        counts.push(ranges.len());
        heap_ranges.extend(ranges.into_iter().map(at));
    }
    let mut heap = read_ranges(source, &heap_ranges, options).await?.into_iter();
    let mut decoded = Vec::with_capacity(tiles.len());
    for ((&tile, row), count) in tiles.iter().zip(&rows).zip(counts) {
        let parts: Vec<Vec<u8>> = heap.by_ref().take(count).collect();
        let tile = image.decode_tile(tile, row, &parts).map_err(|e| DataError::Invalid(format!("tile {tile}: {e}")))?;
        decoded.push(tile);
    }
    let integral = !decoded.is_empty() && decoded.iter().all(|t| t.integer);
    let plane = grid.plane_coordinates(&image.axes);
    let values =
        grid.rows.iter().map(|&y| grid.cols.iter().map(|&x| sample(&decoded, x, y, &plane)).collect()).collect();
    Ok(Samples { values, integral })
}

/// The value at pixel (x, y) of the plane, from whichever tile holds it (NaN if none does).
fn sample(tiles: &[Tile], x: u64, y: u64, plane: &[u64]) -> f64 {
    let point: Vec<u64> = [x, y].into_iter().chain(plane.iter().copied()).collect();
    for tile in tiles {
        let inside = tile.origin.iter().zip(&tile.shape).enumerate().all(|(axis, (&o, &n))| {
            let p = point.get(axis).copied().unwrap_or(0);
            p >= o && p < o + n
        });
        if inside {
            let mut index = 0u64;
            let mut stride = 1u64;
            for (axis, (&o, &n)) in tile.origin.iter().zip(&tile.shape).enumerate() {
                index += (point.get(axis).copied().unwrap_or(0) - o) * stride;
                stride *= n;
            }
            return tile.values.get(index as usize).copied().unwrap_or(f64::NAN);
        }
    }
    f64::NAN
}

/// Reads the pixels of `grid` from an uncompressed image HDU: one row of
/// physical values per sampled row (NaN for BLANK, NaN and missing bytes).
pub async fn read_grid<S: StreamSource>(
    source: &mut S,
    hdu: &Hdu,
    layout: &ImageLayout,
    grid: &Grid,
    options: StreamOptions,
) -> Result<Vec<Vec<f64>>, DataError> {
    let ranges: Vec<(u64, u64)> =
        grid.pixel_ranges(layout).into_iter().map(|(offset, len)| (hdu.data_start + offset, len)).collect();
    let pixels = read_ranges(source, &ranges, options).await?;
    if pixels.iter().any(|p| p.len() as u64 != layout.bytes_per_pixel()) {
        let missing = pixels.iter().filter(|p| p.len() as u64 != layout.bytes_per_pixel()).count();
        return Err(DataError::Invalid(format!(
            "the file ends before the image does: {missing} of {} sampled pixels are missing (truncated?)",
            pixels.len()
        )));
    }
    Ok(grid.values(layout, &pixels))
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;

    use super::*;
    use crate::demo::fits_writer::{primary_header, push_hdu};
    use crate::fits::reader::{ReadOptions, read_headers};
    use crate::fits::tests::{Memory, gzip};

    /// A `side` x `side` int32 image whose pixel (x, y) holds `y * 10000 + x`.
    fn ramp(side: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let data: Vec<u8> =
            (0..side * side).flat_map(|i| ((i / side * 10_000 + i % side) as i32).to_be_bytes()).collect();
        push_hdu(&mut out, &primary_header(32, &[side, side]), &data);
        out
    }

    fn sample(bytes: Vec<u8>, gzip: bool, max: u64) -> (Vec<Vec<f64>>, Grid, Memory) {
        let mut source = Memory::new(bytes);
        let headers = block_on(read_headers(&mut source, gzip, ReadOptions::default())).unwrap();
        let hdu = &headers.hdus[0];
        let layout = ImageLayout::from_hdu(hdu).unwrap();
        let grid = Grid::new(&layout.axes, max, max, 0).unwrap();
        let values = block_on(read_grid(&mut source, hdu, &layout, &grid, StreamOptions::new(gzip))).unwrap();
        (values, grid, source)
    }

    #[test]
    fn sampled_pixels_are_those_at_the_stride() {
        let (values, grid, source) = sample(ramp(1000), false, 64);
        assert_eq!(grid.stride, vec![16, 16]);
        assert_eq!((values.len(), values[0].len()), (63, 63));
        assert_eq!(values[2][3], (32 * 10_000 + 48) as f64);
        let image_bytes = 1000 * 1000 * 4;
        assert!(source.bytes_read() < image_bytes / 10, "read {} of {image_bytes}", source.bytes_read());
    }

    #[test]
    fn gzip_images_sample_the_same() {
        let plain = ramp(200);
        let (from_plain, _, _) = sample(plain.clone(), false, 50);
        let (from_gzip, _, _) = sample(gzip(&plain), true, 50);
        assert_eq!(from_plain, from_gzip);
    }

    #[test]
    fn a_truncated_image_is_an_error() {
        let mut bytes = ramp(300);
        bytes.truncate(bytes.len() / 2);
        let mut source = Memory::new(bytes);
        let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
        let layout = ImageLayout::from_hdu(&headers.hdus[0]).unwrap();
        let grid = Grid::new(&layout.axes, 64, 64, 0).unwrap();
        let err =
            block_on(read_grid(&mut source, &headers.hdus[0], &layout, &grid, StreamOptions::new(false))).unwrap_err();
        assert!(matches!(&err, DataError::Invalid(why) if why.contains("truncated")), "{err:?}");
    }
}
