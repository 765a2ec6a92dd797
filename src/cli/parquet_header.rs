//! `s3scope header` on a Parquet file: what its footer says, as text or as
//! the contract's JSON.

use std::io::{self, Write};

use serde::Serialize;

use super::parquet_object::ParquetObject;
use crate::columnar::describe::{self, Description};
use crate::escape::escape_for_terminal;

#[derive(Serialize)]
struct DocumentJson<'a> {
    uri: String,
    size: u64,
    format: &'static str,
    requests: u64,
    bytes_read: u64,
    footer_bytes: u64,
    #[serde(flatten)]
    description: &'a Description,
}

pub fn write(out: &mut impl Write, object: &ParquetObject, json: bool) -> io::Result<()> {
    let description = describe::describe(&object.footer.metadata, object.common.as_ref());
    if json {
        let document = DocumentJson {
            uri: object.uri.to_string(),
            size: object.footer.size,
            format: "parquet",
            requests: object.requests(),
            bytes_read: object.bytes_read(),
            footer_bytes: object.footer.length,
            description: &description,
        };
        serde_json::to_writer(&mut *out, &document)?;
        return writeln!(out);
    }
    write_text(out, object, &description)
}

/// The footer as text: columns with units, statistics over all row groups
/// and descriptions; the schema tree; row groups; the key–value metadata.
fn write_text(out: &mut impl Write, object: &ParquetObject, d: &Description) -> io::Result<()> {
    let e = |s: &str| escape_for_terminal(s).into_owned();
    writeln!(out, "# Parquet {}: {} rows in {} row groups", e(&object.uri.to_string()), d.rows, d.row_groups.len())?;
    if let Some(created_by) = &d.created_by {
        writeln!(out, "# created by {}", e(created_by))?;
    }
    writeln!(out, "# {} columns (name, type, unit, min, max, nulls, description):", d.columns.len())?;
    let rows: Vec<[String; 7]> = d
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (min, max, nulls) = d.overall_text(i);
            let kind = match &c.logical {
                Some(logical) => format!("{} {logical}", c.physical),
                None => c.physical.clone(),
            };
            [
                e(&c.name),
                kind,
                e(c.unit.as_deref().unwrap_or("")),
                e(&min),
                e(&max),
                nulls,
                e(c.description.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
        }
    }
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| pad(c, w)).collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    if d.schema_lines.len() != d.columns.len() {
        writeln!(out, "# schema:")?;
        for line in &d.schema_lines {
            writeln!(out, "  {}", e(line))?;
        }
    }
    writeln!(out, "# row groups:")?;
    for (i, group) in d.row_groups.iter().enumerate() {
        let mut codecs: Vec<&str> = group.columns.iter().map(|c| c.compression.as_str()).collect();
        codecs.dedup();
        writeln!(out, "  {i}: {} rows, {} bytes, {}", group.rows, group.bytes, codecs.join("/"))?;
    }
    if !d.metadata.is_empty() {
        writeln!(out, "# metadata:")?;
        for (key, value) in &d.metadata {
            let text = value.as_str().unwrap_or("");
            let short: String = text.chars().take(200).collect();
            let more = if short.len() < text.len() { format!(" … ({} bytes)", text.len()) } else { String::new() };
            writeln!(out, "  {}: {}{more}", e(key), e(&short))?;
        }
    }
    writeln!(
        out,
        "# footer {} bytes; {} requests, {} bytes read of {}",
        object.footer.length,
        object.requests(),
        object.bytes_read(),
        object.footer.size
    )
}

fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}
