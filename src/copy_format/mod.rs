//! What `y` and the `Y` menu put on the clipboard: an object's or prefix's
//! address in the forms people paste (s3 URI, https URLs, the archive's own
//! web tree, a Python snippet, an `aws s3 cp` command). Pure functions.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::catalog::Catalog;
use crate::s3::region::GLOBAL_REGION;
use crate::s3::{Route, S3Uri, Signing};

/// Bytes left as they are in a URL path: RFC 3986 unreserved characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// How the targets are reached: where the bucket lives and how requests are signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// A custom S3 endpoint (the demo server, MinIO…), reached path-style.
    pub endpoint: Option<String>,
    pub region: String,
    /// Read without credentials.
    pub anonymous: bool,
    pub profile: Option<String>,
    /// Base URL of the archive's own web tree of the same keys (ends with `/`).
    pub mirror: Option<String>,
    /// The archive's short name, for the menu label.
    pub archive: Option<String>,
    /// The bucket is the one of that name on AWS (its https URL means something).
    pub on_aws: bool,
}

impl Access {
    /// How `bucket` is reached by `route` (the rule the session's clients
    /// follow), with what the catalog knows of it.
    pub fn new(bucket: &str, route: &Route, catalog: &Catalog) -> Self {
        let entry = catalog.find(bucket);
        let archive = entry.filter(|e| !e.own);
        // A catalog archive keeps its AWS name and region even when served elsewhere (the demo).
        let (region, on_aws) = match (&route.endpoint, archive) {
            (None, _) => (route.region.clone(), true),
            (Some(_), Some(entry)) => (entry.region.clone(), true),
            (Some(_), None) => (route.region.clone(), false),
        };
        Self {
            region,
            on_aws,
            anonymous: route.signing == Signing::Anonymous,
            profile: route.profile.clone(),
            mirror: entry.map(|e| e.mirror.clone()).filter(|m| !m.is_empty()),
            archive: entry.map(|e| e.archive.clone()),
            endpoint: route.endpoint.clone(),
        }
    }
}

/// One entry of the copy menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFormat {
    pub label: String,
    /// The text copied: one line per target for the address forms.
    pub text: String,
}

/// Percent-encodes a key for a URL path (spaces, `+`, `%`, unicode…); `.`
/// and `..` segments too, which browsers and curl would otherwise resolve.
pub fn encode_path(key: &str) -> String {
    key.split('/')
        .map(|segment| match segment {
            "." => "%2E".to_string(),
            ".." => "%2E%2E".to_string(),
            other => utf8_percent_encode(other, PATH).to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The public https URL on AWS: virtual-hosted, or path-style for bucket
/// names with dots (which break the wildcard certificate).
pub fn https_url(target: &S3Uri, region: &str) -> String {
    let host =
        if region == GLOBAL_REGION { "s3.amazonaws.com".to_string() } else { format!("s3.{region}.amazonaws.com") };
    let key = encode_path(&target.key);
    if target.bucket.contains('.') {
        format!("https://{host}/{}/{key}", target.bucket)
    } else {
        format!("https://{}.{host}/{key}", target.bucket)
    }
}

/// The URL on a custom endpoint (path-style, as s3scope reaches it).
pub fn endpoint_url(target: &S3Uri, endpoint: &str) -> String {
    format!("{}/{}/{}", endpoint.trim_end_matches('/'), target.bucket, encode_path(&target.key))
}

/// The same key in the archive's own web tree.
pub fn mirror_url(target: &S3Uri, mirror: &str) -> String {
    format!("{mirror}{}", encode_path(&target.key))
}

/// Every format of the menu for `targets`, each reached as `access_of` its
/// bucket says. Address forms hold one line per target; the Python snippet
/// uses the first target's access.
#[cfg(test)]
pub fn formats(targets: &[S3Uri], access_of: &dyn Fn(&str) -> Access) -> Vec<CopyFormat> {
    formats_with(targets, access_of, None)
}

/// [`formats`], with what a single target holds when the caller knows it
/// (a catalog prefix); a Parquet file is known by its name.
pub fn formats_with(
    targets: &[S3Uri],
    access_of: &dyn Fn(&str) -> Access,
    tabular: Option<Tabular>,
) -> Vec<CopyFormat> {
    if targets.is_empty() {
        return Vec::new();
    }
    let accesses: Vec<Access> = targets.iter().map(|t| access_of(&t.bucket)).collect();
    let lines = |f: &dyn Fn(&S3Uri, &Access) -> Option<String>| -> Option<String> {
        let lines: Option<Vec<String>> = targets.iter().zip(&accesses).map(|(t, a)| f(t, a)).collect();
        lines.map(|l| l.join("\n"))
    };
    let mut out = Vec::new();
    let mut push = |label: String, text: Option<String>| {
        if let Some(text) = text {
            out.push(CopyFormat { label, text });
        }
    };
    push("s3 URI".into(), lines(&|t, _| Some(t.to_string())));
    let https = lines(&|t, a| a.on_aws.then(|| https_url(t, &a.region)));
    push("https URL".into(), https.clone());
    push("endpoint URL".into(), lines(&|t, a| a.endpoint.as_ref().map(|e| endpoint_url(t, e))));
    let archive = accesses[0].archive.clone().filter(|_| accesses.iter().all(|a| a.archive == accesses[0].archive));
    // The archive's URL, unless it is the https URL again (MAST documents the S3 one).
    let mirror = lines(&|t, a| a.mirror.as_ref().map(|m| mirror_url(t, m)));
    push(format!("{} URL", archive.as_deref().unwrap_or("archive")), mirror.filter(|m| Some(m) != https.as_ref()));
    push("key".into(), lines(&|t, _| Some(t.key.clone())));
    let access = &accesses[0];
    let (label, text) = python_snippet(targets, access);
    push(label.into(), Some(text));
    push("aws s3 cp command".into(), lines(&|t, a| Some(aws_cp(t, a))));
    // The engines that scale, after the forms every object has.
    let parquet = |t: &S3Uri| !t.is_prefix() && crate::cli::parquet_object::parquet_by_name(&t.key);
    let tabular = tabular.or_else(|| parquet(&targets[0]).then_some(Tabular::ParquetFile));
    if let ([one], Some(tabular)) = (targets, tabular) {
        for (label, text) in engine_snippets(one, access, tabular) {
            push(label, Some(text));
        }
    }
    out
}

mod engines;
mod snippets;
#[cfg(test)]
mod tests;

pub use self::engines::Tabular;
use self::engines::engine_snippets;
use self::snippets::{aws_cp, python_snippet};
