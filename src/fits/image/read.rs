//! Reading a sampled image plane through a range source: the sampled
//! pixels' bytes only, neighbours merged into one request.

use super::sample::{Grid, ImageLayout};
use crate::fits::hdu::Hdu;
use crate::fits::reader::RangeSource;
use crate::fits::stream::{DataError, StreamOptions, read_ranges};

/// Reads the pixels of `grid` from an uncompressed image HDU: one row of
/// physical values per sampled row (NaN for BLANK, NaN and missing bytes).
pub async fn read_grid<S: RangeSource>(
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
        let grid = Grid::new(&layout, max, max, 0).unwrap();
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
        let grid = Grid::new(&layout, 64, 64, 0).unwrap();
        let err =
            block_on(read_grid(&mut source, &headers.hdus[0], &layout, &grid, StreamOptions::new(false))).unwrap_err();
        assert!(matches!(&err, DataError::Invalid(why) if why.contains("truncated")), "{err:?}");
    }
}
