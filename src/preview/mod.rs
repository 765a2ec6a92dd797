//! What the preview pane shows for an object: its FITS headers (read with
//! range requests), a text head, or a short hex view, always with its
//! metadata; and a small LRU cache of what was read.

pub mod asdf;
pub mod cache;
pub mod sniff;

use std::io::Read;

use self::sniff::Format;
use crate::columnar::ColumnarError;
use crate::columnar::describe::{Description, common_schema, describe, lacks_notes};
use crate::columnar::footer::{Footer, common_metadata_key, parquet_by_name, read_footer};
use crate::fits::inflate::compressed_by_name;
use crate::fits::reader::{FitsHeaders, ReadError, ReadOptions, read_headers};
use crate::fits::scanner::ScanError;
pub use crate::s3::object::ObjectDetails;
use crate::s3::range::S3RangeSource;

/// The readable part of an object.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewBody {
    Fits(FitsHeaders),
    /// The first lines of a text object (inflated first when gzip).
    Text {
        lines: Vec<String>,
        inflated: bool,
        truncated: bool,
    },
    /// The first bytes of a binary object.
    Binary(Vec<u8>),
    Empty,
    /// A Parquet file, described from its footer.
    Parquet(Box<ParquetPreview>),
    /// A format known by its first bytes (ASDF, HDF5, Unix compress, a
    /// Parquet file whose footer is bad): its name, what a cheap read told
    /// about it, and its head.
    Recognized {
        format: String,
        facts: Vec<String>,
        head: Box<PreviewBody>,
    },
    /// An ASDF file's tree (see [`asdf`]).
    Asdf(Box<asdf::AsdfPreview>),
}

/// What a Parquet file's footer said.
#[derive(Debug, Clone, PartialEq)]
pub struct ParquetPreview {
    pub footer: Footer,
    pub description: Description,
}

impl ParquetPreview {
    /// `common`: the schema of the dataset's `_common_metadata`, for units
    /// and descriptions the file's own fields lack.
    pub fn new(footer: Footer, common: Option<&arrow_schema::Schema>) -> Self {
        let description = describe(&footer.metadata, common);
        Self { footer, description }
    }
}

/// A Parquet file's preview; when its fields say nothing of units or
/// descriptions, the dataset's `_common_metadata` is read for them (its
/// requests counted in `source`'s totals through `extra`).
async fn parquet_body(source: &S3RangeSource, key: &str, footer: Footer, extra: &mut (u64, u64)) -> PreviewBody {
    let (common, (requests, bytes)) = dataset_notes(source, key, &footer).await;
    *extra = (extra.0 + requests, extra.1 + bytes);
    PreviewBody::Parquet(Box::new(ParquetPreview::new(footer, common.as_ref())))
}

/// The schema of the dataset's `_common_metadata`, read (through a source
/// for that key in the same bucket) only when the file's own fields have no
/// units or descriptions; with the requests and bytes it took.
pub async fn dataset_notes(
    source: &S3RangeSource,
    key: &str,
    footer: &Footer,
) -> (Option<arrow_schema::Schema>, (u64, u64)) {
    if !lacks_notes(&footer.metadata) {
        return (None, (0, 0));
    }
    let Some(common_key) = common_metadata_key(key) else { return (None, (0, 0)) };
    let mut sibling = source.sibling(&common_key);
    let common = common_schema(&mut sibling).await;
    (common, (sibling.requests, sibling.bytes_read))
}

#[derive(Debug, Clone, PartialEq)]
pub struct PreviewData {
    pub details: ObjectDetails,
    pub body: PreviewBody,
    pub requests: u64,
    pub bytes_read: u64,
    /// A FITS file's `ASDF` extension (JWST): its HDU index and its tree.
    pub asdf_hdu: Option<(usize, Box<asdf::AsdfPreview>)>,
}

/// Bytes of a text or binary head.
pub const HEAD_BYTES: u64 = 4096;
/// Compressed bytes a gzip FITS preview may cost (the TUI asks before more).
pub const DEFAULT_GZIP_BUDGET: u64 = 4 << 20;

/// Keys read as FITS first, by their ending.
pub fn looks_like_fits(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").or_else(|| lower.strip_suffix(".z")).unwrap_or(&lower);
    [".fits", ".fit", ".fts", ".fz", ".img", ".evt", ".lc", ".pha", ".arf", ".rmf", ".hk", ".att", ".orb", ".cat"]
        .iter()
        .any(|ending| stem.ends_with(ending))
}

/// Whether a Unix-compressed head inflates to the start of a FITS file.
fn looks_like_fits_inside(head: &[u8]) -> bool {
    use std::io::Write;
    let mut inflater = crate::fits::unlzw::UnlzwWriter::new(Vec::new());
    let _ = inflater.write_all(head);
    matches!(sniff::sniff(inflater.get_ref()), Format::Fits)
}

/// Decides how to show the first bytes of a non-FITS object.
pub fn text_or_binary(head: &[u8]) -> PreviewBody {
    if head.is_empty() {
        return PreviewBody::Empty;
    }
    let (bytes, inflated) = if head.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // A head of a gzip stream inflates partly; an early end is expected.
        let _ = flate2::read::MultiGzDecoder::new(head).take(HEAD_BYTES).read_to_end(&mut out);
        (out, true)
    } else {
        (head.to_vec(), false)
    };
    let controls = bytes.iter().filter(|&&b| b == 0 || (b < 0x20 && !b"\t\n\r\x1b".contains(&b))).count();
    let text = std::str::from_utf8(&bytes).ok().or_else(|| {
        // A multi-byte character cut at the end of the head is still text.
        let valid = std::str::from_utf8(&bytes).err()?.valid_up_to();
        (bytes.len() - valid < 4).then(|| std::str::from_utf8(&bytes[..valid]).ok()).flatten()
    });
    match text {
        Some(text) if controls * 20 <= bytes.len() => {
            let truncated = bytes.len() as u64 >= HEAD_BYTES;
            let lines = text.lines().map(str::to_string).collect();
            PreviewBody::Text { lines, inflated, truncated }
        }
        _ => PreviewBody::Binary(bytes.into_iter().take(512).collect()),
    }
}

/// Reads what the preview shows: FITS headers where the object is FITS,
/// else its first bytes.
pub async fn fetch(mut source: S3RangeSource, key: &str, gzip_budget: u64) -> Result<PreviewData, String> {
    let fits_first = looks_like_fits(key);
    // Requests and bytes of reads through other sources (a dataset's `_common_metadata`).
    let mut extra = (0u64, 0u64);
    let options = ReadOptions { gzip_budget: Some(gzip_budget), ..ReadOptions::default() };
    let gzip_hint = compressed_by_name(key);
    let body = if fits_first {
        match read_headers(&mut source, gzip_hint, options).await {
            Ok(headers) => PreviewBody::Fits(headers),
            Err(ReadError::Fits(ScanError::NotFits(_))) => {
                let head = source.head().to_vec();
                describe_head(&mut source, key, &head, &mut extra).await?
            }
            Err(ReadError::Fits(e)) => return Err(e.to_string()),
            Err(ReadError::Source(e)) => return Err(e.0),
        }
    } else if parquet_by_name(key) {
        // The footer is at the end: no need for the head first.
        match read_footer(&mut source).await {
            Ok(footer) => parquet_body(&source, key, footer, &mut extra).await,
            Err(ColumnarError::Source(why)) => return Err(why),
            Err(ColumnarError::Invalid(why)) => {
                use crate::fits::reader::RangeSource;
                let head = source.read(0, HEAD_BYTES).await.map_err(|e| e.0)?;
                match sniff::sniff(&head) {
                    Format::Parquet => bad_parquet(&why, &head),
                    _ => describe_head(&mut source, key, &head, &mut extra).await?,
                }
            }
        }
    } else {
        use crate::fits::reader::RangeSource;
        // A name like ASDF sizes the first read for its tree (the bytes still decide).
        let head = if crate::asdf::named_like_asdf(key) {
            match asdf::first_read(&mut source).await? {
                Ok(body) => return Ok(done(&source, body, extra, None)),
                Err(head) => head,
            }
        } else {
            source.read(0, HEAD_BYTES).await.map_err(|e| e.0)?
        };
        match sniff::sniff(&head) {
            Format::Fits => match read_headers(&mut source, false, options).await {
                Ok(headers) => PreviewBody::Fits(headers),
                Err(_) => text_or_binary(&head),
            },
            // A compressed FITS file is inflated as far as its headers.
            Format::Compress { .. } if looks_like_fits_inside(&head) => {
                match read_headers(&mut source, true, options).await {
                    Ok(headers) => PreviewBody::Fits(headers),
                    Err(_) => describe_head(&mut source, key, &head, &mut extra).await?,
                }
            }
            _ => describe_head(&mut source, key, &head, &mut extra).await?,
        }
    };
    let asdf_hdu = match &body {
        PreviewBody::Fits(headers) => asdf::fits_extension(&mut source, headers).await,
        _ => None,
    };
    Ok(done(&source, body, extra, asdf_hdu))
}

/// The preview: `extra` counts reads made beside `source` (a dataset's `_common_metadata`).
fn done(
    source: &S3RangeSource,
    body: PreviewBody,
    extra: (u64, u64),
    asdf_hdu: Option<(usize, Box<asdf::AsdfPreview>)>,
) -> PreviewData {
    PreviewData {
        details: source.details(),
        body,
        requests: source.requests + extra.0,
        bytes_read: source.bytes_read + extra.1,
        asdf_hdu,
    }
}

/// How a head not read as FITS is shown: a format known by its bytes, else text or binary.
async fn describe_head(
    source: &mut S3RangeSource,
    key: &str,
    head: &[u8],
    extra: &mut (u64, u64),
) -> Result<PreviewBody, String> {
    match sniff::sniff(head) {
        Format::Fits | Format::Gzip | Format::Unknown => Ok(text_or_binary(head)),
        Format::Asdf { .. } => asdf::after_head(source, head).await,
        format => recognized(source, key, format, head, extra).await,
    }
}

/// The preview of a format known by its bytes; a Parquet file is read
/// from its footer (one more read, from the end).
async fn recognized(
    source: &mut S3RangeSource,
    key: &str,
    format: Format,
    head: &[u8],
    extra: &mut (u64, u64),
) -> Result<PreviewBody, String> {
    if format == Format::Parquet {
        return match read_footer(source).await {
            Ok(footer) => Ok(parquet_body(source, key, footer, extra).await),
            Err(ColumnarError::Source(why)) => Err(why),
            Err(ColumnarError::Invalid(why)) => Ok(bad_parquet(&why, head)),
        };
    }
    let head = match (&format, text_or_binary(head)) {
        // Compressed or binary formats show their first bytes in hex.
        (Format::Asdf { .. }, text @ PreviewBody::Text { .. }) => text,
        (_, PreviewBody::Text { .. }) => PreviewBody::Binary(head.iter().take(512).copied().collect()),
        (_, other) => other,
    };
    Ok(PreviewBody::Recognized { format: format.name(), facts: Vec::new(), head: Box::new(head) })
}

/// A file that starts like Parquet but whose footer cannot be read.
fn bad_parquet(why: &str, head: &[u8]) -> PreviewBody {
    PreviewBody::Recognized {
        format: Format::Parquet.name(),
        facts: vec![format!("! {why}")],
        head: Box::new(PreviewBody::Binary(head.iter().take(512).copied().collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_endings() {
        for key in [
            "a.fits",
            "b.FITS.gz",
            "c.fz",
            "sw00030001001xpcw3po_cl.evt.gz",
            "x.img.gz",
            "y.lc.gz",
            "z.pha",
            "rp.fits.Z",
        ] {
            assert!(looks_like_fits(key), "{key}");
        }
        for key in ["readme.txt", "part-0.parquet", "page.html.gz", "data.csv"] {
            assert!(!looks_like_fits(key), "{key}");
        }
    }

    #[test]
    fn text_binary_and_gzip_heads() {
        let PreviewBody::Text { lines, inflated: false, truncated: false } = text_or_binary(b"one\ntwo\n") else {
            panic!()
        };
        assert_eq!(lines, ["one", "two"]);
        assert!(matches!(text_or_binary(&[0, 1, 2, 3, 200, 0, 0]), PreviewBody::Binary(_)));
        assert_eq!(text_or_binary(b""), PreviewBody::Empty);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut encoder, b"<html>hello</html>\n").unwrap();
        let gz = encoder.finish().unwrap();
        let PreviewBody::Text { lines, inflated: true, .. } = text_or_binary(&gz) else { panic!() };
        assert_eq!(lines, ["<html>hello</html>"]);
        // A cut gzip stream still shows what inflates.
        let PreviewBody::Text { .. } = text_or_binary(&gz[..gz.len() - 4]) else { panic!("partial gzip") };
    }

    #[test]
    fn escape_codes_count_as_text() {
        assert!(matches!(text_or_binary(b"\x1b[31mred\x1b[0m\n"), PreviewBody::Text { .. }));
    }
}
