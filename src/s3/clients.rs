//! The clients of a session: anonymous, and signed unless `--no-sign-request`,
//! each bucket read with the one its signing rule picks; buckets of the
//! user's config that name their own server, region or profile get their own.

use std::collections::HashMap;

use super::client::{ConnectOptions, Signing, build_client};
use crate::catalog::Catalog;

pub struct Clients {
    anonymous: aws_sdk_s3::Client,
    signed: Option<aws_sdk_s3::Client>,
    /// Clients of the user's buckets that differ from the session's, with their server's name.
    own: HashMap<String, (aws_sdk_s3::Client, String)>,
    options: ConnectOptions,
    catalog: Catalog,
    endpoint: String,
}

impl Clients {
    pub async fn new(options: &ConnectOptions, catalog: Catalog) -> Self {
        let anonymous = build_client(options, Signing::Anonymous).await;
        let signed = if options.no_sign_request { None } else { Some(build_client(options, Signing::Signed).await) };
        let mut own = HashMap::new();
        for entry in catalog.entries.iter().filter(|e| e.own) {
            let bucket_options = options.for_bucket(&entry.name, &catalog);
            if bucket_options == *options {
                continue;
            }
            let signing = bucket_options.signing_for(Some(&entry.name), &catalog);
            let client = build_client(&bucket_options, signing).await;
            own.insert(entry.name.clone(), (client, bucket_options.endpoint_label()));
        }
        Self { anonymous, signed, own, options: options.clone(), catalog, endpoint: options.endpoint_label() }
    }

    /// The client for requests to `bucket`.
    pub fn for_bucket(&self, bucket: &str) -> &aws_sdk_s3::Client {
        if let Some((client, _)) = self.own.get(bucket) {
            return client;
        }
        match (self.options.signing_for(Some(bucket), &self.catalog), &self.signed) {
            (Signing::Signed, Some(signed)) => signed,
            _ => &self.anonymous,
        }
    }

    /// The signed client, unless requests are never signed.
    pub fn signed(&self) -> Option<&aws_sdk_s3::Client> {
        self.signed.as_ref()
    }

    /// True when requests to non-catalog buckets are signed.
    pub fn can_sign(&self) -> bool {
        self.signed.is_some()
    }

    /// The session's timeouts.
    pub fn timeouts(&self) -> super::client::Timeouts {
        self.options.timeouts
    }

    /// The session's server, for messages.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The server `bucket` is read from, for messages.
    pub fn endpoint_of(&self, bucket: &str) -> &str {
        self.own.get(bucket).map_or(&self.endpoint, |(_, label)| label)
    }
}

/// The one client (and server name) for commands that read a single bucket.
pub async fn client_for_bucket(
    options: &ConnectOptions,
    catalog: &Catalog,
    bucket: &str,
) -> (aws_sdk_s3::Client, String) {
    let options = options.for_bucket(bucket, catalog);
    let signing = options.signing_for(Some(bucket), catalog);
    (build_client(&options, signing).await, options.endpoint_label())
}
