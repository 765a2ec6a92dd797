//! Snippets that hand a Parquet file, a hive dataset or a HATS catalog to
//! the engines that scale: lsdb (HATS), pyarrow datasets and DuckDB, each
//! anonymous where the bucket is public and in the bucket's own region.

use super::Access;
use super::snippets::py_str;
use crate::s3::S3Uri;

/// What a target holds, for the engines that read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tabular {
    ParquetFile,
    /// A prefix of hive-partitioned Parquet files.
    Dataset,
    /// A HATS catalog (its rows are the hive dataset in its `dataset/`).
    Hats,
    /// A HATS collection, with its primary catalog's directory when known.
    Collection(Option<String>),
}

/// The engine snippets for `target`: (label, text).
pub fn engine_snippets(target: &S3Uri, access: &Access, tabular: Tabular) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if matches!(tabular, Tabular::Hats | Tabular::Collection(_)) {
        out.push(("Python (lsdb)".to_string(), lsdb(target, access)));
    }
    // A collection's rows are its primary catalog's.
    let (target, tabular) = match tabular {
        Tabular::Collection(None) => return out,
        Tabular::Collection(Some(primary)) => {
            let key = format!("{}{}/", target.key, primary.trim_matches('/'));
            (S3Uri::new(&target.bucket, key), Tabular::Hats)
        }
        other => (target.clone(), other),
    };
    out.push(("Python (pyarrow)".to_string(), pyarrow(&target, access, &tabular)));
    out.push(("DuckDB SQL".to_string(), duckdb(&target, access, &tabular)));
    out
}

/// The path without its trailing `/` (fsspec and pyarrow name directories so).
fn bare(target: &S3Uri) -> String {
    target.to_string().trim_end_matches('/').to_string()
}

fn lsdb(target: &S3Uri, access: &Access) -> String {
    let mut options = Vec::new();
    if access.anonymous {
        options.push("anon=True".to_string());
    }
    if let Some(profile) = &access.profile {
        options.push(format!("profile={}", py_str(profile)));
    }
    let mut client = vec![format!("\"region_name\": {}", py_str(&access.region))];
    if let Some(endpoint) = &access.endpoint {
        client.push(format!("\"endpoint_url\": {}", py_str(endpoint)));
    }
    options.push(format!("client_kwargs={{{}}}", client.join(", ")));
    format!(
        "import lsdb\nfrom upath import UPath\n\n\
         path = UPath({}, {})\n\
         # lsdb >= 0.5; older lsdb: lsdb.read_hats(path)\n\
         catalog = lsdb.open_catalog(path)\n\
         print(catalog)\n\
         print(catalog.head())\n",
        py_str(&bare(target)),
        options.join(", ")
    )
}

fn pyarrow(target: &S3Uri, access: &Access, tabular: &Tabular) -> String {
    let mut fs = vec![format!("region={}", py_str(&access.region))];
    if access.anonymous {
        fs.insert(0, "anonymous=True".to_string());
    }
    if let Some(endpoint) = &access.endpoint {
        let (scheme, host) = endpoint.split_once("://").unwrap_or(("https", endpoint));
        fs.push(format!("endpoint_override={}", py_str(host.trim_end_matches('/'))));
        fs.push(format!("scheme={}", py_str(scheme)));
    }
    let mut out = String::from("import pyarrow.dataset as ds\nimport pyarrow.fs\n\n");
    if let Some(profile) = &access.profile {
        out.push_str(&format!("# credentials of the profile {profile:?}: set AWS_PROFILE before starting Python\n"));
    }
    // A HATS catalog's rows are in its dataset/ directory (Norder=/Dir=/Npix= files).
    let path = match tabular {
        Tabular::Hats => format!("{}/{}/dataset", target.bucket, target.key.trim_end_matches('/')),
        _ => format!("{}/{}", target.bucket, target.key.trim_end_matches('/')),
    };
    let path = path.replace("//", "/").trim_end_matches('/').to_string();
    out.push_str(&format!("fs = pyarrow.fs.S3FileSystem({})\n", fs.join(", ")));
    let partitioning = if *tabular == Tabular::ParquetFile { "" } else { ", partitioning=\"hive\"" };
    out.push_str(&format!(
        "dataset = ds.dataset({}, format=\"parquet\"{partitioning}, filesystem=fs)\n",
        py_str(&path)
    ));
    out.push_str("print(dataset.schema)\nprint(dataset.head(10))\n");
    out
}

fn duckdb(target: &S3Uri, access: &Access, tabular: &Tabular) -> String {
    let glob = match tabular {
        Tabular::ParquetFile => target.to_string(),
        Tabular::Dataset => format!("{}/**/*.parquet", bare(target)),
        _ => format!("{}/dataset/**/*.parquet", bare(target)),
    };
    let mut out = String::from("INSTALL httpfs;\nLOAD httpfs;\n");
    out.push_str(&format!("SET s3_region = {};\n", sql_str(&access.region)));
    if let Some(endpoint) = &access.endpoint {
        let (scheme, host) = endpoint.split_once("://").unwrap_or(("https", endpoint));
        out.push_str(&format!("SET s3_endpoint = {};\n", sql_str(host.trim_end_matches('/'))));
        out.push_str("SET s3_url_style = 'path';\n");
        out.push_str(&format!("SET s3_use_ssl = {};\n", scheme == "https"));
    }
    let hive = if *tabular == Tabular::ParquetFile { "" } else { ", hive_partitioning = true" };
    out.push_str(&format!("SELECT * FROM read_parquet({}{hive}) LIMIT 10;\n", sql_str(&glob)));
    out
}

/// An SQL string literal (single quotes doubled; control characters as they are, quoted).
fn sql_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euclid() -> Access {
        Access { region: "us-east-1".into(), anonymous: true, on_aws: true, ..Access::default() }
    }

    #[test]
    fn a_hats_catalog_gets_lsdb_pyarrow_and_duckdb() {
        let target = S3Uri::new("nasa-irsa-euclid-q1", "contributed/q1/merged_objects/hats/");
        let snippets = engine_snippets(&target, &euclid(), Tabular::Hats);
        let labels: Vec<&str> = snippets.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["Python (lsdb)", "Python (pyarrow)", "DuckDB SQL"]);
        let lsdb = &snippets[0].1;
        assert!(lsdb.contains("UPath(\"s3://nasa-irsa-euclid-q1/contributed/q1/merged_objects/hats\", anon=True, "));
        assert!(lsdb.contains("client_kwargs={\"region_name\": \"us-east-1\"}"), "{lsdb}");
        assert!(lsdb.contains("lsdb.open_catalog(path)") && lsdb.contains("lsdb.read_hats(path)"));
        let pyarrow = &snippets[1].1;
        assert!(pyarrow.contains(
            "ds.dataset(\"nasa-irsa-euclid-q1/contributed/q1/merged_objects/hats/dataset\", format=\"parquet\", \
             partitioning=\"hive\", filesystem=fs)"
        ));
        assert!(pyarrow.contains("pyarrow.fs.S3FileSystem(anonymous=True, region=\"us-east-1\")"), "{pyarrow}");
        let sql = &snippets[2].1;
        assert!(sql.contains("SET s3_region = 'us-east-1';\n"));
        assert!(sql.contains(
            "read_parquet('s3://nasa-irsa-euclid-q1/contributed/q1/merged_objects/hats/dataset/**/*.parquet', \
             hive_partitioning = true) LIMIT 10;"
        ));
    }

    #[test]
    fn a_collection_reads_its_primary_catalog() {
        let target = S3Uri::new("nasa-irsa-euclid-q1", "hats/");
        let known = engine_snippets(&target, &euclid(), Tabular::Collection(Some("objects".into())));
        assert!(known[0].1.contains("UPath(\"s3://nasa-irsa-euclid-q1/hats\""));
        assert!(known[1].1.contains("ds.dataset(\"nasa-irsa-euclid-q1/hats/objects/dataset\""), "{}", known[1].1);
        assert!(known[2].1.contains("'s3://nasa-irsa-euclid-q1/hats/objects/dataset/**/*.parquet'"));
        let unknown = engine_snippets(&target, &euclid(), Tabular::Collection(None));
        assert_eq!(unknown.len(), 1, "lsdb alone: the primary is not known yet");
    }

    #[test]
    fn datasets_and_files_in_their_region_and_on_an_endpoint() {
        let access = Access { region: "us-west-2".into(), anonymous: true, ..Access::default() };
        let dataset = S3Uri::new("ipac-irsa-ztf", "ztf/objects/");
        let snippets = engine_snippets(&dataset, &access, Tabular::Dataset);
        assert_eq!(snippets.len(), 2, "no lsdb for a plain dataset");
        assert!(snippets[0].1.contains("region=\"us-west-2\""));
        assert!(snippets[0].1.contains("ds.dataset(\"ipac-irsa-ztf/ztf/objects\""));
        assert!(snippets[1].1.contains("SET s3_region = 'us-west-2';"));
        assert!(
            snippets[1].1.contains("read_parquet('s3://ipac-irsa-ztf/ztf/objects/**/*.parquet', hive_partitioning")
        );
        let file = S3Uri::new("b", "it's/a.parquet");
        let demo = Access { endpoint: Some("http://127.0.0.1:9000".into()), ..access };
        let snippets = engine_snippets(&file, &demo, Tabular::ParquetFile);
        assert!(!snippets[0].1.contains("partitioning"));
        assert!(snippets[0].1.contains("endpoint_override=\"127.0.0.1:9000\", scheme=\"http\""), "{}", snippets[0].1);
        let sql = &snippets[1].1;
        assert!(sql.contains("read_parquet('s3://b/it''s/a.parquet') LIMIT 10;"), "{sql}");
        assert!(sql.contains("SET s3_endpoint = '127.0.0.1:9000';") && sql.contains("SET s3_use_ssl = false;"));
    }
}
