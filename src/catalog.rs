//! The built-in catalog of archive buckets (`assets/catalog.toml`).

use serde::Deserialize;

use crate::bucket::validate_bucket_name;

const BUILTIN: &str = include_str!("../assets/catalog.toml");

/// One archive bucket of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    pub name: String,
    /// The publishing archive's short label, e.g. `HEASARC`.
    pub archive: String,
    /// What the bucket holds.
    pub title: String,
    pub region: String,
    /// Base URL of the archive's own https tree holding the same keys, or "".
    #[serde(default)]
    pub mirror: String,
    /// Read without signing requests.
    #[serde(default = "default_true")]
    pub anonymous: bool,
    /// An S3-compatible server other than the session's (user entries only).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The credentials profile to sign with (user entries only).
    #[serde(default)]
    pub profile: Option<String>,
    /// From the user's config file: its region, endpoint and profile pick the client.
    #[serde(skip)]
    pub own: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    bucket: Vec<CatalogEntry>,
}

/// The list of archive buckets, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub entries: Vec<CatalogEntry>,
}

impl Catalog {
    /// The catalog shipped inside the binary.
    pub fn builtin() -> Self {
        // The embedded file is checked by a unit test, so this cannot fail at run time.
        Self::parse(BUILTIN).expect("assets/catalog.toml is valid")
    }

    /// Parses and validates a catalog in the format of `assets/catalog.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let catalog = Self { entries: file.bucket };
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for entry in &self.entries {
            self.validate_entry(entry)?;
            if !seen.insert(entry.name.as_str()) {
                return Err(format!("bucket '{}' is listed twice", entry.name));
            }
        }
        Ok(())
    }

    /// Checks one entry's fields.
    pub fn validate_entry(&self, entry: &CatalogEntry) -> Result<(), String> {
        validate_bucket_name(&entry.name).map_err(|e| format!("bucket '{}': {e}", entry.name))?;
        if entry.archive.trim().is_empty() || entry.title.trim().is_empty() {
            return Err(format!("bucket '{}': archive and title must not be empty", entry.name));
        }
        if entry.region.trim().is_empty() && !entry.own {
            return Err(format!("bucket '{}': region must not be empty", entry.name));
        }
        let mirror_ok =
            entry.mirror.is_empty() || (entry.mirror.starts_with("https://") && entry.mirror.ends_with('/'));
        if !mirror_ok {
            return Err(format!("bucket '{}': mirror must be an https:// URL ending with '/'", entry.name));
        }
        Ok(())
    }

    /// The rows at the root of the explorer: each bucket with its archive's label.
    pub fn root_rows(&self) -> Vec<(String, Option<String>)> {
        self.entries.iter().map(|e| (e.name.clone(), Some(e.archive.clone()))).collect()
    }

    pub fn find(&self, bucket: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.name == bucket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_is_valid_and_holds_the_archives() {
        let catalog = Catalog::parse(BUILTIN).unwrap();
        // The regions of the AWS Open Data Registry's dataset files.
        let regions = [
            ("nasa-heasarc", "us-east-1"),
            ("nasa-lambda", "us-west-2"),
            ("stpubdata", "us-east-1"),
            ("nasa-irsa-wise", "us-west-2"),
            ("nasa-irsa-euclid-q1", "us-east-1"),
            ("nasa-irsa-spherex", "us-east-1"),
            ("nasa-irsa-simulations", "us-east-1"),
            ("nasa-irsa-spitzer", "us-west-2"),
            ("ipac-irsa-ztf", "us-east-1"),
        ];
        for (name, region) in regions {
            let entry = catalog.find(name).unwrap_or_else(|| panic!("{name} missing"));
            assert!(entry.anonymous);
            assert_eq!(entry.region, region, "{name}");
            // A regional S3 URL as the archive's own must name the bucket's region.
            if let Some(host_region) = crate::s3::region::region_of_host(entry.mirror.split('/').nth(2).unwrap_or("")) {
                assert!(
                    entry.mirror.contains(".s3.amazonaws.com") || host_region == region,
                    "{name}: {}",
                    entry.mirror
                );
            }
        }
        assert_eq!(catalog.entries.len(), regions.len());
        assert_eq!(catalog.find("nasa-heasarc").unwrap().mirror, "https://heasarc.gsfc.nasa.gov/FTP/");
        assert_eq!(catalog.find("nasa-lambda").unwrap().mirror, "https://lambda.gsfc.nasa.gov/");
        assert_eq!(catalog.entries[0].name, "nasa-heasarc");
        assert!(catalog.find("not-in-catalog").is_none());
    }

    #[test]
    fn rejects_duplicates_bad_names_and_bad_mirrors() {
        let entry = |name: &str, mirror: &str| {
            format!(
                "[[bucket]]\nname = \"{name}\"\narchive = \"A\"\ntitle = \"T\"\nregion = \"us-east-1\"\nmirror = \"{mirror}\"\n"
            )
        };
        let twice = format!("{}{}", entry("a-b", ""), entry("a-b", ""));
        assert!(Catalog::parse(&twice).unwrap_err().contains("twice"));
        assert!(Catalog::parse(&entry("bad name", "")).is_err());
        assert!(Catalog::parse(&entry("ok", "http://insecure/")).unwrap_err().contains("mirror"));
        assert!(Catalog::parse(&entry("ok", "https://x.org/tree/")).is_ok());
        assert!(Catalog::parse("[[bucket]]\nname = \"x\"\n").is_err());
    }
}
