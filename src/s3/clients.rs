//! The clients of a session: anonymous, and signed unless `--no-sign-request`,
//! each bucket read with the one its signing rule picks.

use super::client::{ConnectOptions, Signing, build_client};
use crate::catalog::Catalog;

pub struct Clients {
    anonymous: aws_sdk_s3::Client,
    signed: Option<aws_sdk_s3::Client>,
    options: ConnectOptions,
    catalog: Catalog,
    endpoint: String,
}

impl Clients {
    pub async fn new(options: &ConnectOptions, catalog: Catalog) -> Self {
        let anonymous = build_client(options, Signing::Anonymous).await;
        let signed = if options.no_sign_request { None } else { Some(build_client(options, Signing::Signed).await) };
        Self { anonymous, signed, options: options.clone(), catalog, endpoint: options.endpoint_label() }
    }

    /// The client for requests to `bucket`.
    pub fn for_bucket(&self, bucket: &str) -> &aws_sdk_s3::Client {
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

    /// The server, for messages.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
