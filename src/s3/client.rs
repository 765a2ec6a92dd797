//! The global flags of the CLI contract that decide how S3 is reached.

use std::time::Duration;

use super::net::NetworkOptions;

/// The session's region when `--region` and `AWS_REGION` say nothing.
pub const DEFAULT_REGION: &str = super::region::GLOBAL_REGION;

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
    /// Proxies, trusted certificates, `--connect-to` rules.
    pub network: NetworkOptions,
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
            network: NetworkOptions::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_timeouts_fail_within_ten_seconds() {
        let t = Timeouts::default();
        assert!(t.operation < Duration::from_secs(10));
        assert!(t.connect < t.operation && t.read < t.operation);
    }
}
