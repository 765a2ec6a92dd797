//! The preview of an ASDF file: its tree as lines for the folding view, its
//! blocks and warnings; read with a head read (taken until the tree's end)
//! and a tail read beside it. Also the tree a FITS file's `ASDF` extension
//! holds (JWST), read from that table's one row.

use super::PreviewBody;
use crate::asdf::blocks::Block;
use crate::asdf::outline::{Line, outline};
use crate::asdf::read::{Outcome, ReadError, ReadLimits, read_asdf};
use crate::asdf::{AsdfFile, assemble};
use crate::fits::hdu::Hdu;
use crate::fits::reader::FitsHeaders;
use crate::fits::source::StreamSource;
use crate::fits::stream::StreamOptions;
use crate::fits::table::Table;
use crate::fits::table::cell::Cell;
use crate::fits::table::read::read_rows;
use crate::s3::range::S3RangeSource;

/// What the preview shows of an ASDF tree.
#[derive(Debug, Clone, PartialEq)]
pub struct AsdfPreview {
    /// `ASDF 1.0.0 (standard 1.5.0)`.
    pub format: String,
    /// Every node as a line, in document order.
    pub lines: Vec<Line>,
    pub blocks: Vec<Block>,
    pub warnings: Vec<String>,
}

impl AsdfPreview {
    pub fn of(file: &AsdfFile) -> Self {
        let standard = file.versions.standard.as_deref().map(|s| format!(" (standard {s})")).unwrap_or_default();
        Self {
            format: format!("ASDF {}{standard}", file.versions.version),
            lines: file.tree.as_ref().map(outline).unwrap_or_default(),
            blocks: file.blocks.clone(),
            warnings: file.warnings.clone(),
        }
    }
}

/// The preview's first read of an object named like ASDF: the tree's head
/// and tail at once. `Err(head)` when the bytes say it is not ASDF.
pub async fn first_read(source: &mut S3RangeSource) -> Result<Result<PreviewBody, Vec<u8>>, String> {
    let limits = ReadLimits { not_asdf: super::HEAD_BYTES, ..ReadLimits::default() };
    match Box::pin(read_asdf(source, Vec::new(), limits)).await {
        Ok(Outcome::Asdf(file)) => Ok(Ok(PreviewBody::Asdf(Box::new(AsdfPreview::of(&file))))),
        Ok(Outcome::NotAsdf(head)) => Ok(Err(head)),
        Err(ReadError::Source(e)) => Err(e.0),
        Err(ReadError::Asdf(why)) => Ok(Ok(unreadable(source.head(), why.to_string()))),
    }
}

/// The preview of an object whose first bytes (`head`) say ASDF.
pub async fn after_head(source: &mut S3RangeSource, head: &[u8]) -> Result<PreviewBody, String> {
    match Box::pin(read_asdf(source, head.to_vec(), ReadLimits::default())).await {
        Ok(Outcome::Asdf(file)) => Ok(PreviewBody::Asdf(Box::new(AsdfPreview::of(&file)))),
        Ok(Outcome::NotAsdf(head)) => Ok(super::text_or_binary(&head)),
        Err(ReadError::Source(e)) => Err(e.0),
        Err(ReadError::Asdf(why)) => Ok(unreadable(head, why.to_string())),
    }
}

/// A tree that cannot be read: what went wrong, then the text head.
fn unreadable(head: &[u8], why: String) -> PreviewBody {
    let format = match crate::preview::sniff::sniff(head) {
        crate::preview::sniff::Format::Unknown => "ASDF".to_string(),
        format => format.name(),
    };
    let shown = &head[..head.len().min(super::HEAD_BYTES as usize)];
    PreviewBody::Recognized { format, facts: vec![format!("! {why}")], head: Box::new(super::text_or_binary(shown)) }
}

/// The tree of a FITS file's `ASDF` extension, for the preview (a tree that
/// cannot be read shows as its warning).
pub async fn fits_extension(source: &mut S3RangeSource, headers: &FitsHeaders) -> Option<(usize, Box<AsdfPreview>)> {
    let hdu = asdf_hdu(headers)?;
    // A compressed stream would be inflated up to the extension: not for a preview.
    if headers.compression.is_compressed() {
        return None;
    }
    let preview = match read_extension(source, hdu, headers.compression.is_compressed()).await {
        Ok(file) => AsdfPreview::of(&file),
        Err(why) => AsdfPreview {
            format: "ASDF".into(),
            lines: Vec::new(),
            blocks: Vec::new(),
            warnings: vec![format!("the ASDF extension could not be read: {why}")],
        },
    };
    Some((hdu.index, Box::new(preview)))
}

/// Bytes an `ASDF` extension may hold for its tree to be read.
const EXTENSION_MAX: u64 = 8 << 20;

/// The HDU of a FITS file that holds an ASDF tree: a BINTABLE named `ASDF`.
pub fn asdf_hdu(headers: &FitsHeaders) -> Option<&Hdu> {
    headers.hdus.iter().find(|h| h.kind == "BINTABLE" && h.name.trim().eq_ignore_ascii_case("ASDF"))
}

/// Reads the tree of an `ASDF` extension: the bytes of its first row's
/// first column (`nB`, or a heap array `PB(n)`), which hold an ASDF file.
pub async fn read_extension<S: StreamSource>(source: &mut S, hdu: &Hdu, compressed: bool) -> Result<AsdfFile, String> {
    let table = Table::from_hdu(hdu).map_err(|e| e.to_string())?;
    if hdu.data_size > EXTENSION_MAX {
        return Err(format!("its {} bytes are more than the preview reads", hdu.data_size));
    }
    let column = table.columns.iter().position(|c| c.name.eq_ignore_ascii_case("ASDF_METADATA")).unwrap_or_default();
    let rows = read_rows(source, hdu, &table, 0..1, &[column], StreamOptions::new(compressed))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let cell = rows.cells.first().and_then(|row| row.first()).ok_or("the table has no row")?;
    let bytes = cell_bytes(cell).ok_or("its column does not hold bytes")?;
    extension_tree(&bytes)
}

/// The tree of the ASDF file `bytes` (the whole file: nothing more to read).
pub fn extension_tree(bytes: &[u8]) -> Result<AsdfFile, String> {
    assemble(bytes, true, Some((0, bytes)), bytes.len() as u64).map_err(|e| e.to_string())
}

/// The bytes of a cell of `B` values.
fn cell_bytes(cell: &Cell) -> Option<Vec<u8>> {
    match cell {
        Cell::Array(items) => {
            items.iter().map(|c| if let Cell::Int(i) = c { u8::try_from(*i).ok() } else { None }).collect()
        }
        Cell::Int(i) => u8::try_from(*i).ok().map(|b| vec![b]),
        Cell::Text(text) => Some(text.as_bytes().to_vec()),
        _ => None,
    }
}
