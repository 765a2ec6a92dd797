//! The clients of a session and the one way every request to a bucket is
//! sent: by the bucket's [`Route`] (server, region, signing), following S3
//! once to the bucket's own region when it answers that the bucket lives
//! elsewhere, and remembering that region for the rest of the run.
//!
//! Until a bucket's first request has settled where it lives, its other
//! requests wait for that one (single flight): 32 listings or 4 download
//! parts that start at once cost one wrong-region answer, not 32. Only a
//! cancelled first request leaves the question open for the next.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_s3::config::Region;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::ChecksumMode;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::client::{ConnectOptions, Timeouts};
use super::error::{S3Error, S3ErrorKind};
use super::net::Network;
use super::region::{ErrorAnswer, RegionHint, hint, same_partition, valid_region};
use super::route::{RegionSource, Route, Signing};
use crate::catalog::Catalog;
use crate::error::AppError;

/// Who signs a client's requests.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    Anonymous,
    /// The default credential chain (environment, profile files, SSO, IMDS).
    Chain,
    Profile(String),
}

impl Identity {
    fn of(route: &Route) -> Self {
        match (route.signing, &route.profile) {
            (Signing::Anonymous, _) => Identity::Anonymous,
            (Signing::Signed, Some(profile)) => Identity::Profile(profile.clone()),
            (Signing::Signed, None) => Identity::Chain,
        }
    }
}

/// A client per signer, server and region.
type ClientKey = (Identity, Option<String>, String);

/// Called with a bucket and its region when S3 names a region for it.
pub type RegionObserver = Box<dyn Fn(&str, &str) + Send + Sync>;

struct Shared {
    connect: ConnectOptions,
    catalog: Catalog,
    network: Network,
    /// Loaded configurations (credentials, timeouts, retries) by who signs.
    configs: HashMap<Identity, SdkConfig>,
    /// HTTP clients by server (`None`: AWS): each keeps its connections.
    http: Mutex<HashMap<Option<String>, SharedHttpClient>>,
    clients: Mutex<HashMap<ClientKey, aws_sdk_s3::Client>>,
    regions: RegionBook,
    observer: Mutex<Option<RegionObserver>>,
}

/// Every client a session needs, built on demand from a few loaded configurations.
#[derive(Clone)]
pub struct Clients {
    shared: Arc<Shared>,
}

impl Clients {
    /// Loads the configurations the session can need: anonymous always;
    /// signed by the default chain and by every profile named, unless
    /// `--no-sign-request`. With it, the credential chain is never consulted.
    pub async fn new(connect: &ConnectOptions, catalog: Catalog) -> Result<Self, AppError> {
        let network = Network::new(&connect.network).map_err(|why| AppError::input("setting up the network", why))?;
        let aws_http = network.http_client(None);
        let mut identities = vec![Identity::Anonymous];
        if !connect.no_sign_request {
            identities.push(Identity::Chain);
            let profiles = connect.profile.iter().chain(catalog.entries.iter().filter_map(|e| e.profile.as_ref()));
            identities.extend(profiles.map(|p| Identity::Profile(p.clone())));
        }
        let mut configs = HashMap::new();
        for identity in identities {
            if let Entry::Vacant(slot) = configs.entry(identity) {
                let config = load_config(connect, slot.key(), aws_http.clone()).await;
                slot.insert(config);
            }
        }
        let http = Mutex::new(HashMap::from([(None, aws_http)]));
        let shared = Shared {
            connect: connect.clone(),
            catalog,
            network,
            configs,
            http,
            clients: Mutex::default(),
            regions: RegionBook::default(),
            observer: Mutex::default(),
        };
        Ok(Self { shared: Arc::new(shared) })
    }

    /// Calls `observer` whenever S3 names a bucket's region.
    pub fn set_region_observer(&self, observer: RegionObserver) {
        *self.shared.observer.lock().unwrap_or_else(|e| e.into_inner()) = Some(observer);
    }

    /// The handle every request to `bucket` goes through.
    pub fn bucket(&self, bucket: &str) -> BucketClient {
        BucketClient { shared: self.shared.clone(), bucket: bucket.to_string() }
    }

    /// How `bucket` is reached now (with any region S3 has named).
    pub fn route(&self, bucket: &str) -> Route {
        self.shared.route(bucket)
    }

    /// True when requests to non-catalog buckets are signed.
    pub fn can_sign(&self) -> bool {
        !self.shared.connect.no_sign_request
    }

    /// The session's timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.shared.connect.timeouts
    }

    /// The user's own buckets (ListBuckets, signed, in the session's region).
    pub async fn list_buckets(&self) -> Result<Vec<String>, S3Error> {
        let connect = &self.shared.connect;
        let route = Route {
            endpoint: connect.endpoint_url.clone(),
            region: connect.region.clone(),
            region_source: RegionSource::Session,
            signing: Signing::Signed,
            profile: connect.profile.clone(),
        };
        let client = self.shared.client(&route);
        let output = client.list_buckets().send().await.map_err(|e| S3Error::from_sdk(&e, &route.server()))?;
        Ok(output.buckets().iter().filter_map(|b| b.name().map(str::to_string)).collect())
    }
}

async fn load_config(connect: &ConnectOptions, identity: &Identity, http: SharedHttpClient) -> SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(connect.timeouts.connect)
        .read_timeout(connect.timeouts.read)
        .operation_timeout(connect.timeouts.operation)
        .build();
    // The region is always set, so nothing probes IMDS for one.
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(connect.region.clone()))
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(connect.max_attempts.max(1)));
    let loader = match identity {
        Identity::Anonymous => loader.no_credentials(),
        Identity::Chain => match &connect.static_credentials {
            Some((key, secret)) => {
                loader.credentials_provider(aws_sdk_s3::config::Credentials::new(key, secret, None, None, "s3scope"))
            }
            None => loader,
        },
        Identity::Profile(profile) => loader.profile_name(profile),
    };
    loader.load().await
}

impl Shared {
    fn route(&self, bucket: &str) -> Route {
        Route::for_bucket(bucket, &self.connect, &self.catalog, self.regions.found(bucket).as_deref())
    }

    /// The client of a route, built the first time it is asked for.
    fn client(&self, route: &Route) -> aws_sdk_s3::Client {
        let identity = Identity::of(route);
        let key: ClientKey = (identity.clone(), route.endpoint.clone(), route.region.clone());
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return client.clone();
        }
        let config = self.configs.get(&identity).or_else(|| self.configs.get(&Identity::Anonymous));
        let config = config.expect("the anonymous configuration is always loaded");
        let http = {
            let mut http = self.http.lock().unwrap_or_else(|e| e.into_inner());
            http.entry(route.endpoint.clone())
                .or_insert_with(|| self.network.http_client(route.endpoint.as_deref()))
                .clone()
        };
        let mut builder = aws_sdk_s3::config::Builder::from(config)
            .region(Region::new(route.region.clone()))
            .http_client(http)
            .force_path_style(route.path_style());
        builder.set_endpoint_url(route.endpoint.clone());
        let config = builder.build();
        let client = aws_sdk_s3::Client::from_conf(config);
        clients.insert(key, client.clone());
        client
    }
}

/// Requests to one bucket.
#[derive(Clone)]
pub struct BucketClient {
    shared: Arc<Shared>,
    bucket: String,
}

impl BucketClient {
    pub fn name(&self) -> &str {
        &self.bucket
    }

    /// How the bucket is reached now.
    pub fn route(&self) -> Route {
        self.shared.route(&self.bucket)
    }

    /// The bucket's server, for messages: `S3 (us-west-2)` or the endpoint URL.
    pub fn server(&self) -> String {
        self.route().server()
    }

    pub fn timeouts(&self) -> Timeouts {
        self.shared.connect.timeouts
    }

    /// Sends the request `op` builds on a client, in the bucket's region. If
    /// S3 answers that the bucket lives elsewhere, the region it names (or a
    /// HeadBucket asks for) is remembered and the request repeated there once.
    pub async fn send<T, E, F, Fut>(&self, op: F) -> Result<T, S3Error>
    where
        F: Fn(&aws_sdk_s3::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let ticket = self.shared.regions.enter(&self.bucket).await;
        let route = self.route();
        let error = match op(&self.shared.client(&route)).await {
            Ok(output) => {
                ticket.settle();
                return Ok(output);
            }
            Err(error) => error,
        };
        let Some(region_hint) = region_hint_of(&error, &route) else {
            // Answered from here, or not at all (a dead network fails the
            // others as fast on their own): either way nobody waits longer.
            ticket.settle();
            return Err(classify(&error, &route));
        };
        let found = match region_hint {
            RegionHint::In(region) => Some(region),
            RegionHint::Elsewhere => self.ask_region(&route).await,
        };
        let found = found.filter(|region| *region != route.region && same_partition(region, &route.region));
        let Some(found) = found else {
            // HeadBucket names the region asked, or nothing: the answer was
            // about something else (a bare 400 to a HEAD, say).
            ticket.settle();
            return Err(classify(&error, &route));
        };
        tracing::info!("s3://{}/ lives in {found}, not {}: asking there", self.bucket, route.region);
        self.shared.regions.record(&self.bucket, &found);
        if let Some(observer) = &*self.shared.observer.lock().unwrap_or_else(|e| e.into_inner()) {
            observer(&self.bucket, &found);
        }
        let route = self.route();
        let result = op(&self.shared.client(&route)).await;
        ticket.settle();
        result.map_err(|error| match region_hint_of(&error, &route) {
            Some(_) => S3Error::new(
                S3ErrorKind::WrongRegion,
                format!("S3 named {found} as the bucket's region, then sent the request on from there"),
            ),
            None => classify(&error, &route),
        })
    }

    /// A ranged GET of bytes `[start, end)` of `key`, pinned by `If-Match` to
    /// `etag` when given (a changed object answers 412). The body is the
    /// caller's to read.
    pub async fn get_range(
        &self,
        key: &str,
        start: u64,
        end: u64,
        etag: Option<&str>,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, S3Error> {
        let range = format!("bytes={start}-{}", end.saturating_sub(1));
        self.send(|client| {
            let request = client.get_object().bucket(&self.bucket).key(key).range(&range);
            request.set_if_match(etag.map(str::to_string)).send()
        })
        .await
    }

    /// A GET of the whole of `key` (no range, so the answer carries the
    /// object's checksum when it has one), pinned like [`Self::get_range`].
    pub async fn get_whole(
        &self,
        key: &str,
        etag: Option<&str>,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, S3Error> {
        self.send(|client| {
            let request = client.get_object().bucket(&self.bucket).key(key).checksum_mode(ChecksumMode::Enabled);
            request.set_if_match(etag.map(str::to_string)).send()
        })
        .await
    }

    /// An open-ended GET of `key` from byte `start` to its end (`bytes=N-`),
    /// pinned like [`Self::get_range`]. The body is the caller's to read.
    pub async fn get_from(
        &self,
        key: &str,
        start: u64,
        etag: Option<&str>,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, S3Error> {
        let range = format!("bytes={start}-");
        self.send(|client| {
            let request = client.get_object().bucket(&self.bucket).key(key).range(&range);
            request.set_if_match(etag.map(str::to_string)).send()
        })
        .await
    }

    /// A suffix GET: the last `len` bytes of `key` (the whole object when smaller).
    pub async fn get_tail(
        &self,
        key: &str,
        len: u64,
        etag: Option<&str>,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, S3Error> {
        let range = format!("bytes=-{len}");
        self.send(|client| {
            let request = client.get_object().bucket(&self.bucket).key(key).range(&range);
            request.set_if_match(etag.map(str::to_string)).send()
        })
        .await
    }

    /// Waits while the bucket's first request settles where it lives, so a
    /// caller that times its requests starts the clock when it may send.
    pub async fn wait_for_region(&self) {
        drop(self.shared.regions.enter(&self.bucket).await);
    }

    /// The region a HeadBucket answer names (`x-amz-bucket-region`, also on errors).
    async fn ask_region(&self, route: &Route) -> Option<String> {
        let client = self.shared.client(route);
        match client.head_bucket().bucket(&self.bucket).send().await {
            Ok(output) => output.bucket_region().and_then(valid_region),
            Err(error) => raw_response(&error)?.headers().get("x-amz-bucket-region").and_then(valid_region),
        }
    }
}

/// The error in plain words; where S3 named the bucket's region, the answer says so.
fn classify<E>(error: &SdkError<E, HttpResponse>, route: &Route) -> S3Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut classified = S3Error::from_sdk(error, &route.server());
    if route.region_source == RegionSource::Found && answered(error) {
        classified.message = format!("{} (bucket in {})", classified.message, route.region);
    }
    classified
}

/// The raw answer behind an SDK error, if the server answered.
fn raw_response<E>(error: &SdkError<E, HttpResponse>) -> Option<&HttpResponse> {
    match error {
        SdkError::ServiceError(service) => Some(service.raw()),
        SdkError::ResponseError(response) => Some(response.raw()),
        _ => None,
    }
}

/// True when the server answered (not a network failure).
fn answered<E>(error: &SdkError<E, HttpResponse>) -> bool {
    raw_response(error).is_some()
}

fn region_hint_of<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>, route: &Route) -> Option<RegionHint> {
    let raw = raw_response(error)?;
    let code = match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    };
    let answer = ErrorAnswer {
        status: raw.status().as_u16(),
        bucket_region: raw.headers().get("x-amz-bucket-region"),
        code,
        body: raw.body().bytes().unwrap_or_default(),
    };
    hint(&answer, &route.region, route.endpoint.is_none())
}

/// The regions S3 named in this run, and the gate through which a bucket's
/// first request goes alone.
#[derive(Default)]
struct RegionBook {
    buckets: Mutex<HashMap<String, Arc<BucketRegion>>>,
}

#[derive(Default)]
struct BucketRegion {
    found: Mutex<Option<String>>,
    /// The first request has ended: no more waiting.
    settled: AtomicBool,
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl RegionBook {
    fn entry(&self, bucket: &str) -> Arc<BucketRegion> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.entry(bucket.to_string()).or_default().clone()
    }

    fn found(&self, bucket: &str) -> Option<String> {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let entry = buckets.get(bucket)?;
        entry.found.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, bucket: &str, region: &str) {
        *self.entry(bucket).found.lock().unwrap_or_else(|e| e.into_inner()) = Some(region.to_string());
    }

    /// Waits until the bucket is settled or this request may go first.
    async fn enter(&self, bucket: &str) -> Ticket {
        let entry = self.entry(bucket);
        if entry.settled.load(Ordering::Acquire) {
            return Ticket { entry, gate: None };
        }
        let gate = entry.gate.clone().lock_owned().await;
        let gate = (!entry.settled.load(Ordering::Acquire)).then_some(gate);
        Ticket { entry, gate }
    }
}

/// A request's place at a bucket's gate. Dropped unsettled (a cancelled
/// task), the next waiting request goes first instead.
struct Ticket {
    entry: Arc<BucketRegion>,
    gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Ticket {
    fn settle(mut self) {
        self.entry.settled.store(true, Ordering::Release);
        self.gate.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_request_to_a_bucket_goes_alone_until_it_settles() {
        let book = Arc::new(RegionBook::default());
        let first = book.enter("b").await;
        assert!(first.gate.is_some());
        let waiting = tokio::spawn({
            let book = book.clone();
            async move { book.enter("b").await.gate.is_some() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "a second request waits for the first");
        let other = book.enter("other").await;
        assert!(other.gate.is_some(), "other buckets do not wait");
        book.record("b", "us-west-2");
        first.settle();
        assert!(!waiting.await.unwrap(), "after the first settles, the rest go freely");
        assert_eq!(book.found("b").as_deref(), Some("us-west-2"));
        assert!(book.enter("b").await.gate.is_none());
    }

    #[tokio::test]
    async fn a_first_request_that_gives_up_lets_the_next_one_go_first() {
        let book = Arc::new(RegionBook::default());
        let first = book.enter("b").await;
        let next = tokio::spawn({
            let book = book.clone();
            async move { book.enter("b").await.gate.is_some() }
        });
        drop(first);
        assert!(next.await.unwrap(), "the next request goes first in its place");
    }
}
