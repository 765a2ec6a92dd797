//! Sampling an image plane on a grid: which bytes hold the sampled pixels,
//! and their physical values (BSCALE/BZERO applied, BLANK and NaN as NaN).
//! Pure: the bytes are read elsewhere.

use crate::fits::hdu::Hdu;

/// An uncompressed image HDU's layout.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageLayout {
    pub bitpix: i64,
    /// NAXIS1, NAXIS2, … (fastest first).
    pub axes: Vec<u64>,
    pub scale: f64,
    pub zero: f64,
    /// BLANK, for integer data.
    pub blank: Option<i64>,
}

impl ImageLayout {
    pub fn from_hdu(hdu: &Hdu) -> Result<Self, String> {
        let h = &hdu.header;
        if hdu.index > 0 && hdu.kind != "IMAGE" {
            return Err(format!(
                "HDU {} is {}, not an image",
                hdu.index,
                if hdu.kind.is_empty() { "?" } else { &hdu.kind }
            ));
        }
        if h.logical("GROUPS") == Some(true) {
            return Err(format!("HDU {} holds random groups, not an image", hdu.index));
        }
        let bitpix = h.int("BITPIX").filter(|b| [8, 16, 32, 64, -32, -64].contains(b)).ok_or("no valid BITPIX")?;
        let naxis = h.int("NAXIS").unwrap_or(0).clamp(0, 999);
        let axes: Vec<u64> = (1..=naxis).map(|n| h.int(&format!("NAXIS{n}")).unwrap_or(0).max(0) as u64).collect();
        if axes.is_empty() || axes.contains(&0) {
            return Err(format!("HDU {} has no image data", hdu.index));
        }
        Ok(Self {
            bitpix,
            axes,
            scale: h.real("BSCALE").unwrap_or(1.0),
            zero: h.real("BZERO").unwrap_or(0.0),
            blank: if bitpix > 0 { h.int("BLANK") } else { None },
        })
    }

    pub fn bytes_per_pixel(&self) -> u64 {
        self.bitpix.unsigned_abs() / 8
    }

    /// Planes: the product of the axes beyond the second.
    pub fn planes(&self) -> u64 {
        self.axes.iter().skip(2).product()
    }

    /// Whether the physical values are integers (integer data, BSCALE 1, integral BZERO).
    pub fn integral(&self) -> bool {
        self.bitpix > 0 && self.scale == 1.0 && self.zero.fract() == 0.0
    }

    /// The physical value of one stored pixel (big-endian bytes).
    pub fn value(&self, b: &[u8]) -> f64 {
        let raw = match self.bitpix {
            8 => b[0] as i64,
            16 => i16::from_be_bytes([b[0], b[1]]) as i64,
            32 => i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as i64,
            64 => i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            -32 => return self.physical(f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64),
            _ => return self.physical(f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
        };
        if self.blank == Some(raw) { f64::NAN } else { scaled(self.bitpix, raw, self.scale, self.zero) }
    }

    fn physical(&self, raw: f64) -> f64 {
        if self.scale == 1.0 && self.zero == 0.0 { raw } else { raw * self.scale + self.zero }
    }
}

/// A stored integer's physical value, `raw * scale + zero`, computed as
/// astropy computes it: in float32 for 8- and 16-bit data, else float64.
pub fn scaled(bitpix: i64, raw: i64, scale: f64, zero: f64) -> f64 {
    if scale == 1.0 && zero == 0.0 {
        raw as f64
    } else if bitpix == 8 || bitpix == 16 {
        f64::from(raw as f32 * scale as f32 + zero as f32)
    } else {
        raw as f64 * scale + zero
    }
}

/// A grid of sampled pixels: every `stride`-th row and column of one plane.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// `[NAXIS2, NAXIS1]`, or `[NAXIS1]` for a 1-D image.
    pub shape: Vec<u64>,
    /// `[sy, sx]` (or `[sx]`).
    pub stride: Vec<u64>,
    pub plane: u64,
    /// Sampled row and column indices (numpy order: row = FITS y).
    pub rows: Vec<u64>,
    pub cols: Vec<u64>,
}

impl Grid {
    /// At most `max_w` x `max_h` samples of `plane` of an image of `axes`
    /// (fastest first): `sy = ceil(NAXIS2/H)`, `sx = ceil(NAXIS1/W)`.
    pub fn new(axes: &[u64], max_w: u64, max_h: u64, plane: u64) -> Result<Self, String> {
        let planes: u64 = axes.iter().skip(2).product();
        if axes.is_empty() || axes.contains(&0) {
            return Err("the image has no pixels".into());
        }
        if plane >= planes {
            return Err(format!("there is no plane {plane}: the image has {planes}"));
        }
        let sx = axes[0].div_ceil(max_w.max(1));
        let sy = axes.get(1).map_or(1, |ny| ny.div_ceil(max_h.max(1)));
        Ok(Self::with_strides(axes, sx, sy, plane))
    }

    /// At most `max_w` x `max_h` samples with one stride both ways, so the
    /// samples keep the image's proportions (a picture, not a table of values).
    pub fn square(axes: &[u64], max_w: u64, max_h: u64, plane: u64) -> Result<Self, String> {
        let grid = Self::new(axes, max_w, max_h, plane)?;
        let stride = grid.stride.iter().copied().max().unwrap_or(1);
        Ok(Self::with_strides(axes, stride, stride, plane))
    }

    fn with_strides(axes: &[u64], sx: u64, sy: u64, plane: u64) -> Self {
        let nx = axes[0];
        let cols: Vec<u64> = (0..nx).step_by(sx.max(1) as usize).collect();
        if axes.len() == 1 {
            return Self { shape: vec![nx], stride: vec![sx], plane, rows: vec![0], cols };
        }
        let ny = axes[1];
        let rows = (0..ny).step_by(sy.max(1) as usize).collect();
        Self { shape: vec![ny, nx], stride: vec![sy, sx], plane, rows, cols }
    }

    /// The plane's coordinates on axes 3, 4, … of an image of `axes`.
    pub fn plane_coordinates(&self, axes: &[u64]) -> Vec<u64> {
        let mut rest = self.plane;
        axes.iter()
            .skip(2)
            .map(|&n| {
                let at = rest % n.max(1);
                rest /= n.max(1);
                at
            })
            .collect()
    }

    fn row_len(&self) -> u64 {
        *self.shape.last().unwrap_or(&0)
    }

    fn plane_pixels(&self) -> u64 {
        self.shape.iter().product()
    }

    /// One range (from the data start) per sampled pixel, row by row.
    pub fn pixel_ranges(&self, layout: &ImageLayout) -> Vec<(u64, u64)> {
        let bpp = layout.bytes_per_pixel();
        let base = self.plane * self.plane_pixels();
        self.rows
            .iter()
            .flat_map(|&y| self.cols.iter().map(move |&x| ((base + y * self.row_len() + x) * bpp, bpp)))
            .collect()
    }

    /// The sampled values from the bytes of [`Self::pixel_ranges`] (missing bytes are NaN).
    pub fn values(&self, layout: &ImageLayout, pixels: &[Vec<u8>]) -> Vec<Vec<f64>> {
        let bpp = layout.bytes_per_pixel() as usize;
        let width = self.cols.len().max(1);
        pixels
            .chunks(width)
            .map(|row| row.iter().map(|b| if b.len() == bpp { layout.value(b) } else { f64::NAN }).collect())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::fits_writer::{image_header, primary_header};
    use crate::fits::header::{find_end, parse_header};

    fn hdu(header: crate::demo::fits_writer::Header, index: usize) -> Hdu {
        let bytes = header.to_bytes();
        let header = parse_header(&bytes, find_end(&bytes).unwrap());
        let (kind, name) = crate::fits::hdu::kind_and_name(&header, index);
        Hdu { index, kind, name, header_start: 0, data_start: 0, data_size: 0, header, warnings: vec![] }
    }

    #[test]
    fn the_grid_samples_every_stride_th_pixel() {
        let layout = ImageLayout::from_hdu(&hdu(primary_header(16, &[100, 50]), 0)).unwrap();
        let grid = Grid::new(&layout.axes, 64, 64, 0).unwrap();
        assert_eq!((grid.shape.clone(), grid.stride.clone()), (vec![50, 100], vec![1, 2]));
        assert_eq!((grid.rows.len(), grid.cols.len()), (50, 50));
        let ranges = grid.pixel_ranges(&layout);
        assert_eq!(ranges[1], (4, 2), "the second sample is pixel x = 2");
        assert_eq!(ranges[50], (200, 2), "the second row starts at y = 1");
        assert!(Grid::new(&layout.axes, 64, 64, 1).unwrap_err().contains("no plane 1"));
        let square = Grid::square(&layout.axes, 64, 64, 0).unwrap();
        assert_eq!((square.stride.clone(), square.rows.len(), square.cols.len()), (vec![2, 2], 25, 50));
    }

    #[test]
    fn planes_of_a_cube_and_one_dimensional_images() {
        let mut h = image_header(-32, &[10, 10, 4], "SCI");
        h.int("BLANK", 5, "ignored for floats");
        let cube = ImageLayout::from_hdu(&hdu(h, 1)).unwrap();
        assert_eq!((cube.planes(), cube.blank), (4, None));
        let grid = Grid::new(&cube.axes, 5, 5, 3).unwrap();
        assert_eq!(grid.pixel_ranges(&cube)[0], (300 * 4, 4));
        let line = ImageLayout::from_hdu(&hdu(primary_header(8, &[1000]), 0)).unwrap();
        let grid = Grid::new(&line.axes, 64, 64, 0).unwrap();
        assert_eq!((grid.shape.clone(), grid.stride.clone(), grid.cols.len()), (vec![1000], vec![16], 63));
    }

    #[test]
    fn values_apply_bscale_bzero_and_blank() {
        let mut h = primary_header(16, &[4, 1]);
        h.real("BSCALE", 2.0, "").real("BZERO", 100.0, "").int("BLANK", -1, "");
        let layout = ImageLayout::from_hdu(&hdu(h, 0)).unwrap();
        assert!(!layout.integral());
        assert_eq!(layout.value(&3i16.to_be_bytes()), 106.0);
        // astropy scales 16-bit data in float32: 0.01 is not 0.01 there.
        assert_eq!(scaled(16, 287, 0.01, 20.0), f64::from(287.0f32 * 0.01f32 + 20.0f32));
        assert_ne!(scaled(16, 287, 0.01, 20.0), 287.0 * 0.01 + 20.0);
        assert_eq!(scaled(32, 287, 0.01, 20.0), 287.0 * 0.01 + 20.0);
        assert!(layout.value(&(-1i16).to_be_bytes()).is_nan());
        let mut unsigned = primary_header(16, &[4]);
        unsigned.int("BZERO", 32768, "");
        let layout = ImageLayout::from_hdu(&hdu(unsigned, 0)).unwrap();
        assert!(layout.integral());
        assert_eq!(layout.value(&i16::MIN.to_be_bytes()), 0.0);
    }

    #[test]
    fn non_images_are_refused() {
        let empty = ImageLayout::from_hdu(&hdu(primary_header(8, &[]), 0)).unwrap_err();
        assert!(empty.contains("no image data"), "{empty}");
        let mut table = crate::demo::fits_writer::Header::new();
        table.string("XTENSION", "BINTABLE", "").int("BITPIX", 8, "").int("NAXIS", 2, "");
        assert!(ImageLayout::from_hdu(&hdu(table, 1)).unwrap_err().contains("not an image"));
    }
}
