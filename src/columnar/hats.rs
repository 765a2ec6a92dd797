//! HATS catalogs described from their small text files: `hats.properties`
//! (older catalogs: `properties`), `collection.properties` and
//! `partition_info.csv`. Pure: text in, facts out; bad input gives a clear
//! error or a warning, never a panic.

use std::collections::BTreeMap;

/// The highest HEALPix order (pixels fit in 64 bits up to order 29).
pub const MAX_ORDER: u8 = 29;

/// `key=value` lines as Java's properties files (and hats' jproperties)
/// write them: `=`, `:` or blanks separate, `#` and `!` start comments, a
/// trailing backslash continues a line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    /// In file order; a repeated key keeps each line (the last one wins in `get`).
    pub entries: Vec<(String, String)>,
    /// Lines that were not understood.
    pub warnings: Vec<String>,
}

impl Properties {
    pub fn parse(text: &str) -> Self {
        let mut out = Properties::default();
        let mut logical = String::new();
        let mut first_line = 0;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_start();
            if logical.is_empty() {
                first_line = n + 1;
                if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                    continue;
                }
            }
            // An odd number of trailing backslashes continues the line.
            let trailing = line.chars().rev().take_while(|&c| c == '\\').count();
            if trailing % 2 == 1 {
                logical.push_str(&line[..line.len() - 1]);
                continue;
            }
            logical.push_str(line);
            out.push_line(&std::mem::take(&mut logical), first_line);
        }
        if !logical.is_empty() {
            out.push_line(&logical, first_line);
        }
        out
    }

    fn push_line(&mut self, line: &str, number: usize) {
        let split = split_key(line);
        let (key, value) = match split {
            Some((key, value)) => (unescape(key), unescape(value.trim())),
            None => (unescape(line.trim()), String::new()),
        };
        if key.is_empty() {
            self.warnings.push(format!("line {number}: a value without a key"));
            return;
        }
        if split.is_none() {
            self.warnings.push(format!("line {number}: '{}' has no value", short(&key)));
        }
        self.entries.push((key, value));
    }

    /// The value of `key`, unless absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// The first of `keys` that has a value (a current key, then its older spelling).
    pub fn any(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// Every key with its (last) value, sorted by key.
    pub fn map(&self) -> BTreeMap<String, String> {
        self.entries.iter().cloned().collect()
    }
}

/// Splits at the first unescaped `=`, `:` or blank (blanks around the separator are part of it).
fn split_key(line: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return Some((&line[..i], &line[i + 1..])),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
                return Some((&line[..i], rest));
            }
            _ => {}
        }
    }
    None
}

/// Java escapes: `\t \n \r \f`, `\uXXXX`, and `\x` for any other `x`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4).and_then(char::from_u32) {
                    Some(decoded) => {
                        out.push(decoded);
                        chars.nth(3);
                    }
                    None => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// What a catalog's properties say, current keys first, older spellings after.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogInfo {
    pub name: Option<String>,
    /// `object`, `source`, `margin`, `index`, `association`, `map`, ...
    pub kind: Option<String>,
    pub rows: Option<u64>,
    pub ra_column: Option<String>,
    pub dec_column: Option<String>,
    /// `hats_order`: the deepest order of its partitions.
    pub max_order: Option<u64>,
    /// The catalog a margin or index belongs to.
    pub primary: Option<String>,
    pub index_column: Option<String>,
    pub warnings: Vec<String>,
}

/// Reads a catalog's properties; an error when they name neither the
/// catalog nor its type (then it is not a HATS catalog's file).
pub fn catalog_info(props: &Properties) -> Result<CatalogInfo, String> {
    let name = props.any(&["obs_collection", "catalog_name"]).map(str::to_string);
    let kind = props.any(&["dataproduct_type", "catalog_type"]).map(str::to_string);
    if name.is_none() && kind.is_none() {
        return Err("it names no catalog (no obs_collection or catalog_name, no dataproduct_type)".into());
    }
    let mut warnings = props.warnings.clone();
    if name.is_none() {
        warnings.push("no obs_collection (catalog name)".into());
    }
    if kind.is_none() {
        warnings.push("no dataproduct_type (catalog type)".into());
    }
    let mut number = |keys: &[&str]| -> Option<u64> {
        let text = props.any(keys)?;
        let parsed = text.trim().parse::<u64>().ok();
        if parsed.is_none() {
            warnings.push(format!("{} is not a count: '{}'", keys[0], short(text)));
        }
        parsed
    };
    let rows = number(&["hats_nrows", "total_rows"]);
    let max_order = number(&["hats_order"]);
    let text = |keys: &[&str]| props.any(keys).map(str::to_string);
    Ok(CatalogInfo {
        name,
        kind,
        rows,
        ra_column: text(&["hats_col_ra", "ra_column"]),
        dec_column: text(&["hats_col_dec", "dec_column"]),
        max_order,
        primary: text(&["hats_primary_table_url", "primary_catalog"]),
        index_column: text(&["hats_index_column", "indexing_column"]),
        warnings,
    })
}

/// What `collection.properties` says: the primary catalog and the margins
/// and indexes beside it (directories of the collection).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectionInfo {
    pub name: Option<String>,
    pub primary: String,
    pub margins: Vec<String>,
    pub default_margin: Option<String>,
    /// Indexed column and its index catalog's directory.
    pub indexes: Vec<(String, String)>,
    pub default_index: Option<String>,
    pub warnings: Vec<String>,
}

pub fn collection_info(props: &Properties) -> Result<CollectionInfo, String> {
    let primary = props.get("hats_primary_table_url").ok_or("it names no primary catalog (hats_primary_table_url)")?;
    let mut warnings = props.warnings.clone();
    let list = |key: &str| -> Vec<String> {
        let words = props.get(key).map(|v| v.split([' ', ',', ';', '\n']).filter(|s| !s.is_empty()));
        words.map(|w| w.map(str::to_string).collect()).unwrap_or_default()
    };
    let words = list("all_indexes");
    if words.len() % 2 == 1 {
        warnings.push("all_indexes is not pairs of column and index catalog".into());
    }
    let indexes = words.chunks_exact(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect();
    Ok(CollectionInfo {
        name: props.get("obs_collection").map(str::to_string),
        primary: primary.trim_end_matches('/').to_string(),
        margins: list("all_margins"),
        default_margin: props.get("default_margin").map(str::to_string),
        indexes,
        default_index: props.get("default_index").map(str::to_string),
        warnings,
    })
}

/// The partitions `partition_info.csv` lists, counted per order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Partitions {
    /// Partitions per HEALPix order.
    pub orders: BTreeMap<u8, u64>,
    pub total: u64,
    /// Sum of `num_rows`, when the (older) file has that column on every line.
    pub rows: Option<u64>,
    pub warnings: Vec<String>,
}

/// Parses `partition_info.csv`: a header naming `Norder` and `Npix` (older
/// files add `Dir` and `num_rows`), then one line per partition. Lines that
/// do not hold a valid (order, pixel) are counted in a warning.
pub fn partition_info(text: &str) -> Result<Partitions, String> {
    let mut lines = text.lines().map(|l| l.trim()).filter(|l| !l.is_empty());
    let header = lines.next().ok_or("partition_info.csv is empty")?;
    let names: Vec<String> = header.split(',').map(|n| n.trim().trim_matches('"').to_ascii_lowercase()).collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let (Some(order_at), Some(pixel_at)) = (column("norder"), column("npix")) else {
        return Err(format!("partition_info.csv has no Norder and Npix columns (its header: '{}')", short(header)));
    };
    let rows_at = column("num_rows");
    let mut out = Partitions::default();
    let mut rows = rows_at.map(|_| 0u64);
    let mut bad = 0u64;
    let mut first_bad = None;
    for (n, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let number = |at: usize| cells.get(at).and_then(|c| c.parse::<u64>().ok());
        let valid = match (number(order_at), number(pixel_at)) {
            (Some(order), Some(pixel)) if order <= MAX_ORDER as u64 && pixel < 12u64 << (2 * order) => Some(order),
            _ => None,
        };
        let Some(order) = valid else {
            bad += 1;
            first_bad.get_or_insert(n + 2);
            continue;
        };
        *out.orders.entry(order as u8).or_default() += 1;
        out.total += 1;
        rows = match (rows, rows_at.and_then(number)) {
            (Some(sum), Some(count)) => sum.checked_add(count),
            _ => None,
        };
    }
    if bad > 0 {
        let line = first_bad.unwrap_or(0);
        let lines = if bad == 1 { "line" } else { "lines" };
        out.warnings
            .push(format!("partition_info.csv: {bad} {lines} without a valid order and pixel (first: line {line})"));
    }
    out.rows = rows.filter(|_| out.total > 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_as_hats_writes_them() {
        let props = Properties::parse(
            "#HATS catalog\nobs_collection=euclid_q1\ndataproduct_type=object\nhats_nrows=1200\nhats_col_ra=ra\n\
             hats_col_dec = dec\nhats_order: 3\nhats_builder=hats-import v0.6, hats v0.6\nhats_col_healpix=\n",
        );
        assert!(props.warnings.is_empty(), "{:?}", props.warnings);
        let info = catalog_info(&props).unwrap();
        assert_eq!(info.name.as_deref(), Some("euclid_q1"));
        assert_eq!(info.kind.as_deref(), Some("object"));
        assert_eq!(info.rows, Some(1200));
        assert_eq!((info.ra_column.as_deref(), info.dec_column.as_deref()), (Some("ra"), Some("dec")));
        assert_eq!(info.max_order, Some(3));
        assert_eq!(props.get("hats_builder"), Some("hats-import v0.6, hats v0.6"));
        assert_eq!(props.get("hats_col_healpix"), None, "blank is absent");
        assert!(info.warnings.is_empty());
    }

    #[test]
    fn older_properties_spellings() {
        let props = Properties::parse("catalog_name=gaia\ncatalog_type=object\ntotal_rows=77\nra_column=ra\n");
        let info = catalog_info(&props).unwrap();
        assert_eq!((info.name.as_deref(), info.rows, info.ra_column.as_deref()), (Some("gaia"), Some(77), Some("ra")));
        assert_eq!(info.dec_column, None);
    }

    #[test]
    fn escapes_continuations_and_separators() {
        let props = Properties::parse("a\\=b = one\\\n   two\nkey\\u0041 value\n! comment\nc:\\t\nbad\\u12\n");
        assert_eq!(props.get("a=b"), Some("onetwo"));
        assert_eq!(props.get("keyA"), Some("value"));
        assert_eq!(props.get("c"), Some("\t"));
        assert_eq!(props.entries.iter().find(|(k, _)| k == "badu12").map(|(_, v)| v.as_str()), Some(""));
        assert_eq!(props.warnings, ["line 6: 'badu12' has no value"]);
    }

    #[test]
    fn garbage_properties_are_clear_errors() {
        let err = catalog_info(&Properties::parse("hello world\n=x\n\u{1b}[31m\n")).unwrap_err();
        assert!(err.contains("names no catalog"), "{err}");
        assert!(Properties::parse("=x\n").warnings[0].contains("without a key"));
        let props = Properties::parse("obs_collection=x\nhats_nrows=lots\n");
        let info = catalog_info(&props).unwrap();
        assert_eq!(info.rows, None);
        assert!(info.warnings.iter().any(|w| w.contains("hats_nrows is not a count: 'lots'")), "{:?}", info.warnings);
        assert!(info.warnings.iter().any(|w| w.contains("no dataproduct_type")));
        // Arbitrary bytes never panic.
        for text in ["\\", "\\u", "\\uZZZZ", "a\\", "é=\\ué", "::::", "\u{0}=\u{0}"] {
            let _ = catalog_info(&Properties::parse(text));
            let _ = collection_info(&Properties::parse(text));
            let _ = partition_info(text);
        }
    }

    #[test]
    fn random_text_never_panics() {
        // Tricky pieces strung together at random (SplitMix64, fixed seed).
        let pieces = [
            "=",
            ":",
            "\\",
            "\\u",
            "\\u00e9",
            "\n",
            "\r\n",
            " ",
            "#",
            "!",
            ",",
            "Norder",
            "Npix",
            "num_rows",
            "30",
            "-1",
            "99999999999999999999",
            "é",
            "\u{1b}[31m",
            "\0",
            "hats_nrows",
            "obs_collection",
            "\t",
        ];
        let mut state = 0x5eed_u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            (z ^ (z >> 27)) as usize
        };
        for _ in 0..3000 {
            let text: String = (0..next() % 40).map(|_| pieces[next() % pieces.len()]).collect();
            let props = Properties::parse(&text);
            let _ = (catalog_info(&props), collection_info(&props), partition_info(&text));
            let _ = partition_info(&format!("Norder,Npix\n{text}"));
        }
    }

    #[test]
    fn collections() {
        let props = Properties::parse(
            "obs_collection=q1\nhats_primary_table_url=objects\nall_margins=objects_5arcs objects_10arcs\n\
             default_margin=objects_5arcs\nall_indexes=object_id objects_id_index\ndefault_index=object_id\n",
        );
        let info = collection_info(&props).unwrap();
        assert_eq!(info.primary, "objects");
        assert_eq!(info.margins, ["objects_5arcs", "objects_10arcs"]);
        assert_eq!(info.indexes, [("object_id".to_string(), "objects_id_index".to_string())]);
        assert_eq!(info.default_index.as_deref(), Some("object_id"));
        let odd = collection_info(&Properties::parse("hats_primary_table_url=a\nall_indexes=x\n")).unwrap();
        assert!(odd.indexes.is_empty() && odd.warnings[0].contains("pairs"));
        let err = collection_info(&Properties::parse("obs_collection=q1\n")).unwrap_err();
        assert!(err.contains("hats_primary_table_url"), "{err}");
    }

    #[test]
    fn partition_info_both_styles() {
        let new = partition_info("Norder,Npix\n1,44\n1,45\n2,184\n\n2,185\n2,186\n").unwrap();
        assert_eq!(new.orders, BTreeMap::from([(1, 2), (2, 3)]));
        assert_eq!((new.total, new.rows), (5, None));
        let old = partition_info("Norder,Dir,Npix,num_rows\n0,0,11,131\n1,0,44,20\n").unwrap();
        assert_eq!((old.total, old.rows), (2, Some(151)));
        assert!(old.warnings.is_empty());
    }

    #[test]
    fn partition_info_bad_input() {
        let err = partition_info("order,pixel\n1,2\n").unwrap_err();
        assert!(err.contains("no Norder and Npix"), "{err}");
        assert!(partition_info("").unwrap_err().contains("empty"));
        // Garbage, an order past 29 and a pixel past 12·4^k are counted, not fatal.
        let mixed = partition_info("Norder,Npix\n0,11\nxx\n0,12\n30,1\n1,,\n3,767\n").unwrap();
        assert_eq!((mixed.total, mixed.orders.get(&3)), (2, Some(&1)));
        assert_eq!(mixed.warnings, ["partition_info.csv: 4 lines without a valid order and pixel (first: line 3)"]);
    }
}
