//! What a prefix holding a catalog is, from one level of its listing (a
//! HATS collection, a HATS catalog, a hive-partitioned Parquet dataset), and
//! the summary `header` prints and the preview shows. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::describe::Column;
use crate::s3::list::Entry;

/// An object of the listing: its key and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub key: String,
    pub size: u64,
}

/// The files a hive dataset is described from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetFiles {
    pub common: Option<ObjectRef>,
    pub metadata: Option<ObjectRef>,
    /// Names of the first level of `key=value/` partitions (without the `/`).
    pub partitions: Vec<String>,
    /// A Parquet file directly in the prefix.
    pub file: Option<ObjectRef>,
    /// The listing had more pages than the one seen.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// `collection.properties`.
    Collection,
    /// A catalog's properties file: `hats.properties`, or `properties` for older ones.
    Hats {
        properties: &'static str,
        partition_info: bool,
        dataset: bool,
    },
    Dataset(DatasetFiles),
    Neither,
}

impl Layout {
    /// The `format` of `header --json`.
    pub fn format(&self) -> Option<&'static str> {
        match self {
            Layout::Collection => Some("hats-collection"),
            Layout::Hats { .. } => Some("hats"),
            Layout::Dataset(_) => Some("parquet-dataset"),
            Layout::Neither => None,
        }
    }
}

/// Whether a name (without its `/`) is a hive partition directory, `key=value`.
pub fn is_hive_partition(name: &str) -> bool {
    matches!(name.split_once('='), Some((key, _)) if !key.is_empty() && !name.contains('/'))
}

/// Decides what `prefix` holds from its listing (one level, keys in full).
pub fn detect(prefix: &str, entries: &[Entry], truncated: bool) -> Layout {
    let mut objects: BTreeMap<&str, u64> = BTreeMap::new();
    let mut prefixes = Vec::new();
    for entry in entries {
        let Some(name) = entry.key().strip_prefix(prefix).filter(|n| !n.is_empty()) else { continue };
        match entry {
            Entry::Object(object) => {
                objects.insert(name, object.size);
            }
            Entry::Prefix(_) => prefixes.push(name.trim_end_matches('/')),
        }
    }
    if objects.contains_key("collection.properties") {
        return Layout::Collection;
    }
    let partition_info = objects.contains_key("partition_info.csv");
    let dataset = prefixes.contains(&"dataset");
    if objects.contains_key("hats.properties") {
        return Layout::Hats { properties: "hats.properties", partition_info, dataset };
    }
    if objects.contains_key("properties") && (partition_info || dataset) {
        return Layout::Hats { properties: "properties", partition_info, dataset };
    }
    let object = |name: &str| objects.get(name).map(|&size| ObjectRef { key: format!("{prefix}{name}"), size });
    let files = DatasetFiles {
        common: object("_common_metadata"),
        metadata: object("_metadata"),
        partitions: prefixes.iter().filter(|p| is_hive_partition(p)).map(|p| p.to_string()).collect(),
        file: objects
            .iter()
            .find(|(name, _)| name.ends_with(".parquet"))
            .map(|(name, &size)| ObjectRef { key: format!("{prefix}{name}"), size }),
        truncated,
    };
    if files.common.is_some() || files.metadata.is_some() || !files.partitions.is_empty() {
        return Layout::Dataset(files);
    }
    Layout::Neither
}

/// Partitions at one HEALPix order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderCount {
    pub order: u8,
    pub partitions: u64,
}

/// A collection's members (directories of the collection).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CollectionSummary {
    pub primary: String,
    pub margins: Vec<String>,
    pub default_margin: Option<String>,
    /// Indexed column → its index catalog.
    pub indexes: BTreeMap<String, String>,
    pub default_index: Option<String>,
}

/// What `header` prints for a catalog prefix (`header --json`'s shape).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub uri: String,
    pub format: &'static str,
    pub requests: u64,
    pub bytes_read: u64,
    pub name: Option<String>,
    /// The catalog's type (`object`, `margin`, `index`, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub rows: Option<u64>,
    pub orders: Vec<OrderCount>,
    pub partitions: Option<u64>,
    /// Only the first listing page of partitions was counted.
    pub partitions_truncated: bool,
    /// Hive partition keys of the first level (`healpix_k0`).
    pub partitioning: Vec<String>,
    pub ra_column: Option<String>,
    pub dec_column: Option<String>,
    pub columns: Vec<Column>,
    /// The file (relative to the prefix) the columns come from.
    pub columns_from: Option<String>,
    pub properties: BTreeMap<String, String>,
    /// The catalog a margin or index belongs to.
    pub primary: Option<String>,
    pub index_column: Option<String>,
    pub collection: Option<CollectionSummary>,
    pub warnings: Vec<String>,
}

impl Summary {
    /// What it is, in a few words.
    pub fn title(&self) -> String {
        let what = match self.format {
            "hats-collection" => "HATS collection",
            "hats" => "HATS catalog",
            _ => "Parquet dataset (hive)",
        };
        let name = self.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
        let kind = self.kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default();
        format!("{what}{name}{kind}")
    }

    /// The summary as lines of text (not escaped: the caller escapes).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.title()];
        if let Some(collection) = &self.collection {
            out.push(format!("catalog: {}", collection.primary));
            if !collection.margins.is_empty() {
                let marked = collection.margins.iter().map(|m| {
                    if collection.default_margin.as_ref() == Some(m) { format!("{m} (default)") } else { m.clone() }
                });
                out.push(format!("margins: {}", marked.collect::<Vec<_>>().join(", ")));
            }
            for (column, index) in &collection.indexes {
                let default = if collection.default_index.as_ref() == Some(column) { " (default)" } else { "" };
                out.push(format!("index on {column}: {index}{default}"));
            }
        }
        if let Some(primary) = &self.primary {
            out.push(format!("primary catalog: {primary}"));
        }
        if let Some(column) = &self.index_column {
            out.push(format!("index on column: {column}"));
        }
        if let Some(rows) = self.rows {
            out.push(format!("rows: {}", thousands(rows)));
        }
        if let Some(partitions) = self.partitions {
            let more = if self.partitions_truncated { "+" } else { "" };
            let mut line = format!("partitions: {partitions}{more}");
            if !self.orders.is_empty() {
                let orders: Vec<String> =
                    self.orders.iter().map(|o| format!("{} ({})", o.order, o.partitions)).collect();
                line.push_str(&format!(" at HEALPix order {}", orders.join(", ")));
            }
            if !self.partitioning.is_empty() {
                line.push_str(&format!(" by {}", self.partitioning.join(", ")));
            }
            out.push(line);
        }
        if self.ra_column.is_some() || self.dec_column.is_some() {
            let column = |c: &Option<String>| c.clone().unwrap_or_else(|| "?".into());
            out.push(format!("RA, Dec: {}, {}", column(&self.ra_column), column(&self.dec_column)));
        }
        if !self.columns.is_empty() {
            let from = self.columns_from.as_deref().map(|f| format!(", from {f}")).unwrap_or_default();
            out.push(format!("columns ({}{from}):", self.columns.len()));
            out.extend(column_lines(&self.columns));
        }
        if !self.properties.is_empty() {
            out.push("properties:".into());
            out.extend(self.properties.iter().map(|(k, v)| format!("  {k} = {v}")));
        }
        out.extend(self.warnings.iter().map(|w| format!("! {w}")));
        out.push(format!("{} requests, {} bytes read", self.requests, self.bytes_read));
        out
    }
}

/// Columns aligned: name, type, unit, description.
fn column_lines(columns: &[Column]) -> Vec<String> {
    let kind = |c: &Column| match &c.logical {
        Some(logical) => format!("{} {logical}", c.physical),
        None => c.physical.clone(),
    };
    let width = |f: &dyn Fn(&Column) -> usize| columns.iter().map(f).max().unwrap_or(0).min(28);
    let name_width = width(&|c| c.name.chars().count());
    let kind_width = width(&|c| kind(c).chars().count());
    let unit_width = width(&|c| c.unit.as_deref().map_or(0, |u| u.chars().count()));
    columns
        .iter()
        .map(|c| {
            let unit = c.unit.as_deref().unwrap_or("");
            let line = format!(
                "  {:name_width$}  {:kind_width$}  {:unit_width$}  {}",
                c.name,
                kind(c),
                unit,
                c.description.as_deref().unwrap_or("")
            );
            line.trim_end().to_string()
        })
        .collect()
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::list::ObjectInfo;

    fn object(key: &str, size: u64) -> Entry {
        Entry::Object(ObjectInfo { key: key.into(), size, last_modified: None, etag: None, storage_class: None })
    }

    fn prefix(key: &str) -> Entry {
        Entry::Prefix(key.into())
    }

    #[test]
    fn detects_each_layout() {
        let p = "cat/";
        let hats = [prefix("cat/dataset/"), object("cat/hats.properties", 300), object("cat/partition_info.csv", 40)];
        assert_eq!(
            detect(p, &hats, false),
            Layout::Hats { properties: "hats.properties", partition_info: true, dataset: true }
        );
        let old = [prefix("cat/dataset/"), object("cat/properties", 300)];
        assert_eq!(
            detect(p, &old, false),
            Layout::Hats { properties: "properties", partition_info: false, dataset: true }
        );
        // A lone `properties` file is not a catalog.
        assert_eq!(detect(p, &[object("cat/properties", 3)], false), Layout::Neither);
        let collection = [object("cat/collection.properties", 200), prefix("cat/objects/")];
        assert_eq!(detect(p, &collection, false), Layout::Collection);
        let hive = [
            object("cat/_common_metadata", 900),
            prefix("cat/healpix_k0=0/"),
            prefix("cat/healpix_k0=1/"),
            prefix("cat/notes/"),
        ];
        let Layout::Dataset(files) = detect(p, &hive, true) else { panic!("a dataset") };
        assert_eq!(files.common, Some(ObjectRef { key: "cat/_common_metadata".into(), size: 900 }));
        assert_eq!(files.partitions, ["healpix_k0=0", "healpix_k0=1"]);
        assert!(files.truncated && files.metadata.is_none());
        assert_eq!(detect(p, &[prefix("cat/a/"), object("cat/x.fits", 9)], false), Layout::Neither);
        assert_eq!(detect(p, &[], false), Layout::Neither);
    }

    #[test]
    fn hive_names() {
        assert!(is_hive_partition("year=2019") && is_hive_partition("k="));
        assert!(!is_hive_partition("=2019") && !is_hive_partition("plain"));
    }

    #[test]
    fn lines_of_a_catalog() {
        let summary = Summary {
            format: "hats",
            name: Some("q1".into()),
            kind: Some("object".into()),
            rows: Some(1_234_567),
            orders: vec![OrderCount { order: 2, partitions: 3 }, OrderCount { order: 3, partitions: 8 }],
            partitions: Some(11),
            ra_column: Some("ra".into()),
            dec_column: Some("dec".into()),
            columns: vec![Column {
                name: "ra".into(),
                physical: "DOUBLE".into(),
                logical: None,
                nullable: false,
                unit: Some("deg".into()),
                description: Some("Right ascension".into()),
            }],
            columns_from: Some("dataset/_common_metadata".into()),
            requests: 4,
            bytes_read: 2000,
            ..Summary::default()
        };
        let lines = summary.lines();
        assert_eq!(lines[0], "HATS catalog q1 (object)");
        assert!(lines.contains(&"rows: 1,234,567".to_string()));
        assert!(lines.contains(&"partitions: 11 at HEALPix order 2 (3), 3 (8)".to_string()), "{lines:?}");
        assert!(lines.contains(&"RA, Dec: ra, dec".to_string()));
        assert!(lines.contains(&"  ra  DOUBLE  deg  Right ascension".to_string()), "{lines:?}");
        assert_eq!(lines.last().unwrap(), "4 requests, 2000 bytes read");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
