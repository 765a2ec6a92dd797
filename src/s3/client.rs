//! Building the S3 client from the global flags of the CLI contract.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::config::Region;

use crate::catalog::Catalog;

/// Default region of the archive buckets.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long to wait before giving up on a server.
///
/// The defaults make a closed port or a silent host fail within 10 seconds
/// (connect 3 s, first byte 4 s, whole operation 8 s including retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
    pub operation: Duration,
}

impl Timeouts {
    /// Timeouts that give up on a whole request after `limit`.
    pub fn within(limit: Duration) -> Self {
        let default = Self::default();
        Self { connect: default.connect.min(limit), read: default.read.min(limit), operation: limit }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(3), read: Duration::from_secs(4), operation: Duration::from_secs(8) }
    }
}

/// Where and how to connect: the global flags (and `AWS_*` variables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// A custom S3-compatible endpoint; implies path-style addressing.
    pub endpoint_url: Option<String>,
    pub region: String,
    pub profile: Option<String>,
    /// Never sign requests, never consult the credential chain.
    pub no_sign_request: bool,
    pub timeouts: Timeouts,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Fixed access key and secret (the demo server's), instead of the credential chain.
    pub static_credentials: Option<(String, String)>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            region: DEFAULT_REGION.to_string(),
            profile: None,
            no_sign_request: false,
            timeouts: Timeouts::default(),
            max_attempts: 3,
            static_credentials: None,
        }
    }
}

/// Whether requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    Anonymous,
    /// Signed with credentials from the profile or the default chain.
    Signed,
}

impl ConnectOptions {
    /// Decides how requests to `bucket` are signed: `--no-sign-request` wins,
    /// then an explicit profile; catalog buckets are read anonymously;
    /// anything else uses the default credential chain.
    pub fn signing_for(&self, bucket: Option<&str>, catalog: &Catalog) -> Signing {
        if self.no_sign_request {
            return Signing::Anonymous;
        }
        if self.profile.is_some() {
            return Signing::Signed;
        }
        match bucket.and_then(|b| catalog.find(b)) {
            Some(entry) if entry.anonymous => Signing::Anonymous,
            _ => Signing::Signed,
        }
    }

    /// The options for requests to `bucket`: those of the session, except
    /// that a bucket of the user's config brings its own server, region and
    /// profile where it names them.
    pub fn for_bucket(&self, bucket: &str, catalog: &Catalog) -> Self {
        match catalog.find(bucket).filter(|e| e.own) {
            Some(entry) => Self {
                endpoint_url: entry.endpoint.clone().or_else(|| self.endpoint_url.clone()),
                region: if entry.region.is_empty() { self.region.clone() } else { entry.region.clone() },
                profile: entry.profile.clone().or_else(|| self.profile.clone()),
                ..self.clone()
            },
            None => self.clone(),
        }
    }

    /// A short name of the server for messages: the endpoint URL or `S3 (<region>)`.
    pub fn endpoint_label(&self) -> String {
        match &self.endpoint_url {
            Some(url) => url.clone(),
            None => format!("S3 ({})", self.region),
        }
    }
}

/// Builds a client. With `Signing::Anonymous` the credential chain is never
/// consulted, and the region is always set, so nothing probes IMDS.
pub async fn build_client(options: &ConnectOptions, signing: Signing) -> aws_sdk_s3::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.timeouts.connect)
        .read_timeout(options.timeouts.read)
        .operation_timeout(options.timeouts.operation)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(options.region.clone()))
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)));
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader = match signing {
        Signing::Anonymous => loader.no_credentials(),
        Signing::Signed => match (&options.static_credentials, &options.profile) {
            (Some((key, secret)), _) => {
                loader.credentials_provider(aws_sdk_s3::config::Credentials::new(key, secret, None, None, "s3scope"))
            }
            (None, Some(profile)) => loader.profile_name(profile),
            (None, None) => loader,
        },
    };
    let shared = loader.load().await;
    let config = aws_sdk_s3::config::Builder::from(&shared).force_path_style(options.endpoint_url.is_some()).build();
    aws_sdk_s3::Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_buckets_are_anonymous_unless_a_profile_is_given() {
        let catalog = Catalog::builtin();
        let mut options = ConnectOptions::default();
        assert_eq!(options.signing_for(Some("nasa-heasarc"), &catalog), Signing::Anonymous);
        assert_eq!(options.signing_for(Some("my-own-bucket"), &catalog), Signing::Signed);
        assert_eq!(options.signing_for(None, &catalog), Signing::Signed);
        options.profile = Some("work".into());
        assert_eq!(options.signing_for(Some("nasa-heasarc"), &catalog), Signing::Signed);
        options.no_sign_request = true;
        assert_eq!(options.signing_for(Some("my-own-bucket"), &catalog), Signing::Anonymous);
    }

    #[test]
    fn default_timeouts_fail_within_ten_seconds() {
        let t = Timeouts::default();
        assert!(t.operation < Duration::from_secs(10));
        assert!(t.connect < t.operation && t.read < t.operation);
    }
}
