//! How a bucket is reached: the one rule for the server, region, addressing
//! and signing of its requests. The clients, the copy formats and the title
//! bar all ask it, so what is shown and copied is what is sent.

use super::client::ConnectOptions;
use crate::catalog::Catalog;

/// Whether requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signing {
    Anonymous,
    /// Signed with credentials from the profile or the default chain.
    Signed,
}

/// Where the region of a route comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionSource {
    /// S3 said where the bucket lives (a redirect or `x-amz-bucket-region`).
    Found,
    /// The bucket's entry in the user's config file.
    Config,
    /// The built-in archive catalog.
    Catalog,
    /// `--region`, `AWS_REGION` or the default: for buckets nothing else knows.
    Session,
}

/// How the requests to one bucket are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// An S3-compatible server other than AWS, reached path-style; `None`: AWS
    /// itself, virtual-hosted at the bucket's regional host.
    pub endpoint: Option<String>,
    pub region: String,
    pub region_source: RegionSource,
    pub signing: Signing,
    /// The profile that signs; `None`: the default credential chain.
    pub profile: Option<String>,
}

impl Route {
    /// The rule. `found` is the region S3 has named for the bucket in this run, if any.
    ///
    /// - Server: a config bucket's own endpoint, else `--endpoint-url`, else AWS.
    /// - Region: the one S3 named, else the config entry's, else (on AWS) the
    ///   catalog's, else the session's. With a custom endpoint the catalog's
    ///   regions do not apply: that server has regions of its own, if any.
    /// - Signing: `--no-sign-request` never signs; a profile (the session's or
    ///   the bucket's) always does; catalog buckets are read anonymously;
    ///   anything else is signed with the default credential chain.
    pub fn for_bucket(bucket: &str, connect: &ConnectOptions, catalog: &Catalog, found: Option<&str>) -> Self {
        let entry = catalog.find(bucket);
        let own = entry.filter(|e| e.own);
        let endpoint = own.and_then(|e| e.endpoint.clone()).or_else(|| connect.endpoint_url.clone());
        let profile = own.and_then(|e| e.profile.clone()).or_else(|| connect.profile.clone());
        let signing = if connect.no_sign_request {
            Signing::Anonymous
        } else if profile.is_some() {
            Signing::Signed
        } else if entry.is_some_and(|e| e.anonymous) {
            Signing::Anonymous
        } else {
            Signing::Signed
        };
        let configured = own.map(|e| e.region.as_str()).filter(|r| !r.is_empty());
        let archive = entry.filter(|e| !e.own && endpoint.is_none()).map(|e| e.region.as_str());
        let (region, region_source) = match (found, configured, archive) {
            (Some(region), _, _) => (region, RegionSource::Found),
            (None, Some(region), _) => (region, RegionSource::Config),
            (None, None, Some(region)) => (region, RegionSource::Catalog),
            (None, None, None) => (connect.region.as_str(), RegionSource::Session),
        };
        Self {
            endpoint,
            region: region.to_string(),
            region_source,
            profile: profile.filter(|_| signing == Signing::Signed),
            signing,
        }
    }

    /// Path-style addressing: always on a custom server, never on AWS.
    pub fn path_style(&self) -> bool {
        self.endpoint.is_some()
    }

    /// The server's name for messages: the endpoint URL, or `S3 (<region>)`.
    pub fn server(&self) -> String {
        match &self.endpoint {
            Some(url) => url.clone(),
            None => format!("S3 ({})", self.region),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogEntry;

    fn own(name: &str, region: &str, endpoint: Option<&str>, profile: Option<&str>, anonymous: bool) -> CatalogEntry {
        CatalogEntry {
            name: name.into(),
            archive: "mine".into(),
            title: name.into(),
            region: region.into(),
            mirror: String::new(),
            anonymous,
            endpoint: endpoint.map(Into::into),
            profile: profile.map(Into::into),
            own: true,
        }
    }

    fn session(region: &str) -> ConnectOptions {
        ConnectOptions { region: region.into(), ..ConnectOptions::default() }
    }

    #[test]
    fn catalog_buckets_keep_their_own_region_whatever_the_session_says() {
        let catalog = Catalog::builtin();
        for configured in ["us-east-1", "eu-central-1"] {
            let lambda = Route::for_bucket("nasa-lambda", &session(configured), &catalog, None);
            assert_eq!((lambda.region.as_str(), lambda.region_source), ("us-west-2", RegionSource::Catalog));
            let heasarc = Route::for_bucket("nasa-heasarc", &session(configured), &catalog, None);
            assert_eq!(heasarc.region, "us-east-1");
            assert_eq!(heasarc.signing, Signing::Anonymous);
            assert_eq!(heasarc.endpoint, None);
            let other = Route::for_bucket("someone-elses", &session(configured), &catalog, None);
            assert_eq!((other.region.as_str(), other.region_source), (configured, RegionSource::Session));
            assert_eq!(other.signing, Signing::Signed);
        }
    }

    #[test]
    fn a_region_s3_named_wins_over_every_other() {
        let mut catalog = Catalog::builtin();
        catalog.entries.push(own("lab", "eu-west-1", None, None, false));
        for bucket in ["nasa-lambda", "lab", "unknown"] {
            let route = Route::for_bucket(bucket, &session("us-east-1"), &catalog, Some("ap-south-1"));
            assert_eq!((route.region.as_str(), route.region_source), ("ap-south-1", RegionSource::Found));
            assert_eq!(route.server(), "S3 (ap-south-1)");
        }
        let route = Route::for_bucket("lab", &session("us-east-1"), &catalog, None);
        assert_eq!((route.region.as_str(), route.region_source), ("eu-west-1", RegionSource::Config));
    }

    #[test]
    fn a_custom_endpoint_takes_the_session_region_and_path_style() {
        let catalog = Catalog::builtin();
        let connect = ConnectOptions { endpoint_url: Some("http://127.0.0.1:9000".into()), ..session("eu-north-1") };
        let route = Route::for_bucket("nasa-lambda", &connect, &catalog, None);
        assert_eq!(route.region, "eu-north-1", "the catalog's AWS regions mean nothing to another server");
        assert!(route.path_style());
        assert_eq!(route.server(), "http://127.0.0.1:9000");
        let found = Route::for_bucket("nasa-lambda", &connect, &catalog, Some("us-west-2"));
        assert_eq!(found.region, "us-west-2", "unless that server names one");
    }

    #[test]
    fn signing_follows_flags_profiles_and_the_catalog() {
        let mut catalog = Catalog::builtin();
        catalog.entries.push(own("lab", "", Some("https://minio.example.org"), Some("lab"), false));
        catalog.entries.push(own("open", "", None, None, true));
        let plain = ConnectOptions::default();
        let lab = Route::for_bucket("lab", &plain, &catalog, None);
        assert_eq!((lab.signing, lab.profile.as_deref()), (Signing::Signed, Some("lab")));
        assert_eq!(lab.endpoint.as_deref(), Some("https://minio.example.org"));
        assert_eq!(lab.region, "us-east-1", "no region in the entry: the session's");
        assert_eq!(Route::for_bucket("open", &plain, &catalog, None).signing, Signing::Anonymous);
        let with_profile = ConnectOptions { profile: Some("work".into()), ..ConnectOptions::default() };
        let heasarc = Route::for_bucket("nasa-heasarc", &with_profile, &catalog, None);
        assert_eq!((heasarc.signing, heasarc.profile.as_deref()), (Signing::Signed, Some("work")));
        let never = ConnectOptions { no_sign_request: true, ..with_profile };
        let unsigned = Route::for_bucket("lab", &never, &catalog, None);
        assert_eq!((unsigned.signing, unsigned.profile), (Signing::Anonymous, None));
    }
}
