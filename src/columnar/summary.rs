//! A Parquet footer as the preview pane's lines: the file at a glance, its
//! columns (type, unit, range of values, nulls, description), the nested
//! schema, the row groups and the key–value metadata. Pure; not escaped.

use unicode_width::UnicodeWidthStr;

use super::describe::Description;
use crate::format::human_size;

/// The widest a column name is padded to.
const NAME_WIDTH: usize = 28;
/// The widest a type is padded to (longer ones are cut).
const KIND_WIDTH: usize = 12;

pub fn summary_lines(d: &Description, footer_length: u64) -> Vec<String> {
    let mut lines = vec![format!(
        "{} rows · {} row groups · {} columns · footer {}",
        d.rows,
        d.row_groups.len(),
        d.columns.len(),
        human_size(footer_length)
    )];
    if let Some(created_by) = &d.created_by {
        lines.push(format!("created by {created_by}"));
    }
    lines.push(String::new());
    lines.push("Columns (type, unit, description · min … max · nulls)".into());
    let name_width = d.columns.iter().map(|c| c.name.width()).max().unwrap_or(0).min(NAME_WIDTH);
    let kinds: Vec<String> = d
        .columns
        .iter()
        .map(|c| match &c.logical {
            Some(logical) => logical.clone(),
            None => c.physical.clone(),
        })
        .collect();
    let kind_width = kinds.iter().map(|k| k.width()).max().unwrap_or(0).min(KIND_WIDTH);
    for (i, (column, kind)) in d.columns.iter().zip(&kinds).enumerate() {
        let (min, max, nulls) = d.overall_text(i);
        let mut line = format!("  {}  {}", pad(&column.name, name_width), pad(kind, kind_width));
        if let Some(unit) = &column.unit {
            line.push_str(&format!("  [{unit}]"));
        }
        if let Some(description) = &column.description {
            line.push_str(&format!("  {description}"));
        }
        if !min.is_empty() || !max.is_empty() {
            line.push_str(&format!("  · {min} … {max}"));
        }
        if !nulls.is_empty() && nulls != "0" {
            line.push_str(&format!(" · {nulls} null"));
        }
        lines.push(line);
    }
    if d.schema_lines.len() != d.columns.len() {
        lines.push(String::new());
        lines.push("Schema".into());
        lines.extend(d.schema_lines.iter().map(|l| format!("  {l}")));
    }
    lines.push(String::new());
    lines.push("Row groups".into());
    for (i, group) in d.row_groups.iter().enumerate() {
        let mut codecs: Vec<&str> = group.columns.iter().map(|c| c.compression.as_str()).collect();
        codecs.sort_unstable();
        codecs.dedup();
        lines.push(format!(
            "  {i:>4}  {} rows  {}  {}",
            group.rows,
            human_size(group.bytes.max(0) as u64),
            codecs.join("/")
        ));
    }
    if !d.metadata.is_empty() {
        lines.push(String::new());
        lines.push("Metadata".into());
        for (key, value) in &d.metadata {
            let text = value.as_str().unwrap_or("");
            let short: String = text.chars().take(120).collect();
            let more = if short.len() < text.len() { format!(" … ({} bytes)", text.len()) } else { String::new() };
            lines.push(format!("  {key}: {short}{more}"));
        }
    }
    lines
}

/// `text` cut or padded to `width` columns.
fn pad(text: &str, width: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() > width {
            break;
        }
        out.push(c);
    }
    let fill = width.saturating_sub(out.width());
    out + &" ".repeat(fill)
}
