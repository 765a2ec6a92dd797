//! HDU geometry: kind, name, and where the data starts and ends.

use super::header::Header;

/// Bytes in a FITS block.
pub const BLOCK: u64 = 2880;

/// `n` rounded up to a whole number of blocks.
pub fn padded(n: u64) -> u64 {
    n.div_ceil(BLOCK).saturating_mul(BLOCK)
}

/// One header-data unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hdu {
    pub index: usize,
    /// `PRIMARY`, or the XTENSION value (`IMAGE`, `BINTABLE`, ...).
    pub kind: String,
    /// `PRIMARY` for HDU 0, else EXTNAME or "".
    pub name: String,
    /// Offsets in the FITS stream (the inflated stream for gzip files).
    pub header_start: u64,
    pub data_start: u64,
    /// The data's length without the padding to 2880.
    pub data_size: u64,
    pub header: Header,
    pub warnings: Vec<String>,
}

impl Hdu {
    /// Where the next HDU's header starts.
    pub fn next_start(&self) -> u64 {
        self.data_start.saturating_add(padded(self.data_size))
    }
}

/// Kind and name of an HDU from its header.
pub fn kind_and_name(header: &Header, index: usize) -> (String, String) {
    if index == 0 {
        return ("PRIMARY".into(), "PRIMARY".into());
    }
    let kind = header.string("XTENSION").unwrap_or("").trim().to_string();
    let name = header.string("EXTNAME").unwrap_or("").trim().to_string();
    (kind, name)
}

/// The data size in bytes: |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn),
/// with NAXIS1 left out for random groups (primary, `GROUPS = T`, NAXIS1 = 0).
pub fn data_size(header: &Header, primary: bool) -> Result<u64, String> {
    let bitpix = header.int("BITPIX").ok_or("no valid BITPIX")?;
    if ![8, 16, 32, 64, -32, -64].contains(&bitpix) {
        return Err(format!("BITPIX {bitpix} is not a FITS data type"));
    }
    let naxis = header.int("NAXIS").ok_or("no valid NAXIS")?;
    if !(0..=999).contains(&naxis) {
        return Err(format!("NAXIS {naxis} is out of range"));
    }
    if naxis == 0 {
        return Ok(0);
    }
    let mut axes = Vec::with_capacity(naxis as usize);
    for n in 1..=naxis {
        let length = header.int(&format!("NAXIS{n}")).ok_or_else(|| format!("no valid NAXIS{n}"))?;
        if length < 0 {
            return Err(format!("NAXIS{n} is negative"));
        }
        axes.push(length as u64);
    }
    let groups = primary && header.logical("GROUPS") == Some(true) && axes[0] == 0;
    let product = axes.iter().skip(usize::from(groups)).try_fold(1u64, |acc, &n| acc.checked_mul(n));
    let pcount = header.int("PCOUNT").unwrap_or(0).max(0) as u64;
    let gcount = header.int("GCOUNT").unwrap_or(1).max(0) as u64;
    let elements = product.and_then(|p| p.checked_add(pcount)).and_then(|p| p.checked_mul(gcount));
    elements.and_then(|e| e.checked_mul(bitpix.unsigned_abs() / 8)).ok_or_else(|| "the data size overflows".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fits::header::{find_end, parse_header};

    fn header(cards: &[&str]) -> Header {
        let mut bytes: Vec<u8> = cards.iter().flat_map(|c| format!("{c:<80}").into_bytes()).collect();
        bytes.extend(format!("{:<80}", "END").bytes());
        parse_header(&bytes, find_end(&bytes).unwrap())
    }

    #[test]
    fn image_and_table_sizes() {
        let image = header(&["SIMPLE  = T", "BITPIX  = -32", "NAXIS   = 2", "NAXIS1  = 100", "NAXIS2  = 50"]);
        assert_eq!(data_size(&image, true), Ok(20_000));
        let table = header(&[
            "XTENSION= 'BINTABLE'",
            "BITPIX  = 8",
            "NAXIS   = 2",
            "NAXIS1  = 22",
            "NAXIS2  = 1000",
            "PCOUNT  = 500",
            "GCOUNT  = 1",
        ]);
        assert_eq!(data_size(&table, false), Ok(22_500));
        let empty = header(&["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 0"]);
        assert_eq!(data_size(&empty, true), Ok(0));
    }

    #[test]
    fn random_groups_skip_naxis1() {
        let groups = header(&[
            "SIMPLE  = T",
            "BITPIX  = -32",
            "NAXIS   = 3",
            "NAXIS1  = 0",
            "NAXIS2  = 3",
            "NAXIS3  = 4",
            "GROUPS  = T",
            "PCOUNT  = 5",
            "GCOUNT  = 10",
        ]);
        assert_eq!(data_size(&groups, true), Ok(4 * 10 * (5 + 12)));
    }

    #[test]
    fn bad_geometry_is_an_error() {
        assert!(data_size(&header(&["SIMPLE  = T", "NAXIS   = 0"]), true).is_err());
        assert!(data_size(&header(&["SIMPLE  = T", "BITPIX  = 12", "NAXIS   = 0"]), true).is_err());
        assert!(data_size(&header(&["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 1"]), true).is_err());
        let huge =
            header(&["SIMPLE  = T", "BITPIX  = 64", "NAXIS   = 2", "NAXIS1  = 9999999999", "NAXIS2  = 9999999999"]);
        assert!(data_size(&huge, true).unwrap_err().contains("overflows"));
    }

    #[test]
    fn padding_rounds_up_to_blocks() {
        assert_eq!((padded(0), padded(1), padded(2880), padded(2881)), (0, 2880, 2880, 5760));
    }
}
