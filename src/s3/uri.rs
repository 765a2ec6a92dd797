//! `s3://bucket/key` URIs.

use std::fmt;

pub use crate::bucket::validate_bucket_name;
use crate::error::AppError;

/// A bucket and a key (or key prefix) inside it. The key may be empty (the
/// bucket's root) and is kept exactly as given: keys are arbitrary UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Uri {
    pub bucket: String,
    pub key: String,
}

impl S3Uri {
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self { bucket: bucket.into(), key: key.into() }
    }

    /// Parses `s3://bucket`, `s3://bucket/` or `s3://bucket/some/key`.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let bad = |why: &str| AppError::input(format!("bad S3 URI '{text}'"), why.to_string());
        let rest = text
            .strip_prefix("s3://")
            .or_else(|| text.strip_prefix("S3://"))
            .ok_or_else(|| bad("expected s3://bucket/key"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        validate_bucket_name(bucket).map_err(|why| bad(&why))?;
        Ok(Self::new(bucket, key))
    }

    /// The s3 URI behind an https URL: an AWS one, virtual-hosted or
    /// path-style (`https://b.s3.us-west-2.amazonaws.com/a%20b.fits`), or a
    /// key under an archive's web tree, given as (base URL, bucket) pairs.
    pub fn from_https(url: &str, mirrors: &[(&str, &str)]) -> Option<Self> {
        let url = url.trim();
        let url = url.split(['?', '#']).next().unwrap_or(url);
        let decode = |path: &str| percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
        if let Some((base, bucket)) = mirrors.iter().find(|(base, _)| url.starts_with(base)) {
            return Some(Self::new(*bucket, decode(&url[base.len()..])));
        }
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = crate::s3::region::split_s3_host(host)?;
        let (bucket, key) = match host.bucket {
            Some(bucket) => (bucket, path.to_string()),
            None => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                (bucket.to_string(), key.to_string())
            }
        };
        validate_bucket_name(&bucket).ok()?;
        Some(Self::new(bucket, decode(&key)))
    }

    /// True when the key names a "directory": empty or ending with `/`.
    pub fn is_prefix(&self) -> bool {
        self.key.is_empty() || self.key.ends_with('/')
    }
}

impl fmt::Display for S3Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_key() {
        let uri = S3Uri::parse("s3://nasa-heasarc/chandra/data/").unwrap();
        assert_eq!(uri, S3Uri::new("nasa-heasarc", "chandra/data/"));
        assert!(uri.is_prefix());
        assert_eq!(uri.to_string(), "s3://nasa-heasarc/chandra/data/");
    }

    #[test]
    fn bucket_alone_has_empty_key() {
        assert_eq!(S3Uri::parse("s3://stpubdata").unwrap(), S3Uri::new("stpubdata", ""));
        assert_eq!(S3Uri::parse("s3://stpubdata/").unwrap(), S3Uri::new("stpubdata", ""));
    }

    #[test]
    fn keeps_awkward_keys_verbatim() {
        let uri = S3Uri::parse("s3://b/a//b/ x+%20\u{1b}.fits").unwrap();
        assert_eq!(uri.key, "a//b/ x+%20\u{1b}.fits");
        assert!(!uri.is_prefix());
    }

    #[test]
    fn rejects_what_is_not_an_s3_uri() {
        for bad in ["nasa-heasarc/x", "https://x/y", "s3://", "s3:///key", "s3://bad bucket/k", "s3://b\u{1b}/k"] {
            let err = S3Uri::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn https_urls_of_s3_and_of_archive_trees_become_s3_uris() {
        let mirrors = [("https://heasarc.gsfc.nasa.gov/FTP/", "nasa-heasarc")];
        let cases = [
            ("https://nasa-lambda.s3.us-west-2.amazonaws.com/data/a%20b%2Bc.fits", ("nasa-lambda", "data/a b+c.fits")),
            ("https://stpubdata.s3.amazonaws.com/hst/public/icde/", ("stpubdata", "hst/public/icde/")),
            ("https://s3.us-east-1.amazonaws.com/my.bucket/k.fits?versionId=1", ("my.bucket", "k.fits")),
            ("https://heasarc.gsfc.nasa.gov/FTP/chandra/data/x.fits.gz", ("nasa-heasarc", "chandra/data/x.fits.gz")),
            ("https://nasa-heasarc.s3.amazonaws.com", ("nasa-heasarc", "")),
        ];
        for (url, (bucket, key)) in cases {
            assert_eq!(S3Uri::from_https(url, &mirrors), Some(S3Uri::new(bucket, key)), "{url}");
        }
        for bad in ["https://example.org/x", "https://s3.amazonaws.com/", "ftp://b.s3.amazonaws.com/k", "s3://b/k"] {
            assert_eq!(S3Uri::from_https(bad, &mirrors), None, "{bad}");
        }
    }

    #[test]
    fn any_text_parses_or_fails_cleanly_and_what_parses_prints_back() {
        let mut rng = crate::test_rng::Rng::new(7);
        for _ in 0..5000 {
            let mut text = rng.text("s3:/ab-c.d_e%+ ", 40);
            if rng.below(2) == 0 {
                text = format!("s3://{text}");
            }
            match S3Uri::parse(&text) {
                Ok(uri) => {
                    assert_eq!(S3Uri::parse(&uri.to_string()).unwrap(), uri, "{text:?}");
                    assert!(validate_bucket_name(&uri.bucket).is_ok());
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}
