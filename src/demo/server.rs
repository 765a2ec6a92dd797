//! The embedded S3 server: s3s speaks the protocol, [`Store`] holds the data.
//!
//! Read-only. Anonymous requests may read public buckets (what the NASA
//! buckets allow); requests signed with the demo key may read everything.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::SimpleAuth;
use s3s::dto::*;
use s3s::host::{S3Host, VirtualHost};
use s3s::path::S3Path;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::store::{Content, ListQuery, Listing, Store, StoredObject, hex};
use crate::s3::region::{S3Host as S3HostName, split_s3_host};

/// Access key of signed requests to the demo server.
pub const DEMO_ACCESS_KEY: &str = "s3scope-demo";
/// Secret key of signed requests to the demo server.
pub const DEMO_SECRET_KEY: &str = "s3scope-demo-secret";

const MAX_KEYS: usize = 1000;

/// The s3s backend over a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreS3 {
    store: Arc<Store>,
}

/// Characters left as they are in `encoding-type=url` answers.
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

fn encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY_ENCODE).to_string()
}

fn timestamp(epoch_secs: i64) -> Timestamp {
    Timestamp::from(SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_secs.max(0) as u64))
}

/// Continuation tokens are the hex of the last key: opaque, and safe in XML
/// whatever the key holds.
fn encode_token(key: &str) -> String {
    hex(key.as_bytes())
}

fn decode_token(token: &str) -> S3Result<String> {
    let bytes: Option<Vec<u8>> =
        (0..token.len()).step_by(2).map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    bytes.and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| s3_error!(InvalidArgument, "bad continuation token"))
}

struct ListParams {
    prefix: String,
    delimiter: Option<String>,
    after: Option<String>,
    max_keys: usize,
    url_encoded: bool,
}

impl StoreS3 {
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    fn object(&self, bucket: &str, key: &str) -> S3Result<&Arc<StoredObject>> {
        let objects = &self.store.buckets.get(bucket).ok_or_else(|| s3_error!(NoSuchBucket))?.objects;
        objects.get(key).ok_or_else(|| s3_error!(NoSuchKey))
    }

    fn run_listing(&self, bucket: &str, params: &ListParams) -> S3Result<(Listing, Vec<Object>, Vec<CommonPrefix>)> {
        let query = ListQuery {
            prefix: &params.prefix,
            delimiter: params.delimiter.as_deref(),
            after: params.after.as_deref(),
            max_keys: params.max_keys,
        };
        let listing = self.store.list(bucket, &query).ok_or_else(|| s3_error!(NoSuchBucket))?;
        let name = |key: &str| if params.url_encoded { encode_key(key) } else { key.to_string() };
        let contents = listing
            .objects
            .iter()
            .map(|(key, object)| Object {
                key: Some(name(key)),
                size: Some(object.size as i64),
                e_tag: Some(ETag::Strong(object.etag.clone())),
                last_modified: Some(timestamp(object.last_modified)),
                storage_class: Some(ObjectStorageClass::from_static(ObjectStorageClass::STANDARD)),
                ..Default::default()
            })
            .collect();
        let prefixes = listing.prefixes.iter().map(|p| CommonPrefix { prefix: Some(name(p)) }).collect();
        Ok((listing, contents, prefixes))
    }
}

fn list_params(
    prefix: Option<String>,
    delimiter: Option<String>,
    after: Option<String>,
    max_keys: Option<i32>,
    encoding: Option<&EncodingType>,
) -> ListParams {
    ListParams {
        prefix: prefix.unwrap_or_default(),
        delimiter,
        after,
        max_keys: max_keys.map_or(MAX_KEYS, |m| m.clamp(0, MAX_KEYS as i32) as usize),
        url_encoded: encoding.is_some_and(|e| e.as_str() == EncodingType::URL),
    }
}

fn check_preconditions(
    object: &StoredObject,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
) -> S3Result<()> {
    if let Some(ETagCondition::ETag(tag)) = if_match
        && tag.value() != object.etag
    {
        return Err(s3_error!(PreconditionFailed));
    }
    if let Some(condition) = if_none_match {
        let matches = match condition {
            ETagCondition::Any => true,
            ETagCondition::ETag(tag) => tag.value() == object.etag,
        };
        if matches {
            return Err(s3_error!(NotModified));
        }
    }
    Ok(())
}

/// Reads `range` of an object as a stream of chunks, never the whole object at once.
async fn body(object: &StoredObject, start: u64, len: u64) -> S3Result<StreamingBlob> {
    match &object.content {
        Content::Memory(data) => {
            let slice: Bytes = data.slice(start as usize..(start + len) as usize);
            Ok(StreamingBlob::wrap(futures::stream::once(async move { Ok::<_, std::io::Error>(slice) })))
        }
        Content::File(path) => {
            let mut file = tokio::fs::File::open(path).await.map_err(|e| s3_error!(e, InternalError))?;
            file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| s3_error!(e, InternalError))?;
            let reader = tokio_util::io::ReaderStream::with_capacity(file.take(len), 64 * 1024);
            Ok(StreamingBlob::wrap(reader))
        }
    }
}

#[async_trait::async_trait]
impl S3 for StoreS3 {
    async fn list_buckets(&self, _req: S3Request<ListBucketsInput>) -> S3Result<S3Response<ListBucketsOutput>> {
        let buckets = self
            .store
            .buckets
            .keys()
            .map(|name| Bucket { name: Some(name.clone()), creation_date: Some(timestamp(0)), ..Default::default() })
            .collect();
        Ok(S3Response::new(ListBucketsOutput { buckets: Some(buckets), ..Default::default() }))
    }

    async fn head_bucket(&self, req: S3Request<HeadBucketInput>) -> S3Result<S3Response<HeadBucketOutput>> {
        if !self.store.buckets.contains_key(&req.input.bucket) {
            return Err(s3_error!(NoSuchBucket));
        }
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(crate::s3::region::GLOBAL_REGION.into()),
            ..Default::default()
        }))
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        if !self.store.buckets.contains_key(&req.input.bucket) {
            return Err(s3_error!(NoSuchBucket));
        }
        Ok(S3Response::new(GetBucketLocationOutput::default()))
    }

    async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let token = input.continuation_token.as_deref().map(decode_token).transpose()?;
        let after = match (token, input.start_after.clone()) {
            (Some(t), Some(s)) => Some(t.max(s)),
            (t, s) => t.or(s),
        };
        let params = list_params(input.prefix, input.delimiter, after, input.max_keys, input.encoding_type.as_ref());
        let (listing, contents, prefixes) = self.run_listing(&input.bucket, &params)?;
        let name = |text: &str| if params.url_encoded { encode_key(text) } else { text.to_string() };
        let output = ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(name(&params.prefix)),
            delimiter: params.delimiter.as_deref().map(name),
            start_after: input.start_after.as_deref().map(name),
            max_keys: Some(params.max_keys as i32),
            key_count: Some((contents.len() + prefixes.len()) as i32),
            continuation_token: input.continuation_token,
            is_truncated: Some(listing.truncated),
            next_continuation_token: listing.last.as_deref().filter(|_| listing.truncated).map(encode_token),
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            encoding_type: input.encoding_type,
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    async fn list_objects(&self, req: S3Request<ListObjectsInput>) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let params = list_params(
            input.prefix,
            input.delimiter,
            input.marker.clone(),
            input.max_keys,
            input.encoding_type.as_ref(),
        );
        let (listing, contents, prefixes) = self.run_listing(&input.bucket, &params)?;
        let name = |text: &str| if params.url_encoded { encode_key(text) } else { text.to_string() };
        let next_marker = listing.last.as_deref().filter(|_| listing.truncated && params.delimiter.is_some()).map(name);
        let output = ListObjectsOutput {
            name: Some(input.bucket),
            prefix: Some(name(&params.prefix)),
            delimiter: params.delimiter.as_deref().map(name),
            marker: input.marker.as_deref().map(name),
            max_keys: Some(params.max_keys as i32),
            is_truncated: Some(listing.truncated),
            next_marker,
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            encoding_type: input.encoding_type,
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    async fn head_object(&self, req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let object = self.object(&input.bucket, &input.key)?;
        check_preconditions(object, input.if_match.as_ref(), input.if_none_match.as_ref())?;
        let crc64nvme = full_object_crc(object, input.checksum_mode.as_ref());
        Ok(S3Response::new(HeadObjectOutput {
            checksum_type: crc64nvme.as_ref().map(|_| ChecksumType::from_static(ChecksumType::FULL_OBJECT)),
            checksum_crc64nvme: crc64nvme,
            content_length: Some(object.size as i64),
            e_tag: Some(ETag::Strong(object.etag.clone())),
            last_modified: Some(timestamp(object.last_modified)),
            content_type: Some(content_type_of(&input.key)),
            accept_ranges: Some("bytes".into()),
            storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
            ..Default::default()
        }))
    }

    async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        let object = self.object(&input.bucket, &input.key)?;
        check_preconditions(object, input.if_match.as_ref(), input.if_none_match.as_ref())?;
        // As S3: no checksum for a range, even one that covers the object.
        let crc64nvme = full_object_crc(object, input.checksum_mode.as_ref()).filter(|_| input.range.is_none());
        let (start, len, content_range) = match input.range {
            None => (0, object.size, None),
            Some(range) => {
                let span = range.check(object.size).map_err(|_| s3_error!(InvalidRange))?;
                let end = span.end.max(span.start + 1) - 1;
                (span.start, span.end - span.start, Some(format!("bytes {}-{}/{}", span.start, end, object.size)))
            }
        };
        Ok(S3Response::new(GetObjectOutput {
            body: Some(body(object, start, len).await?),
            content_length: Some(len as i64),
            content_range,
            checksum_type: crc64nvme.as_ref().map(|_| ChecksumType::from_static(ChecksumType::FULL_OBJECT)),
            checksum_crc64nvme: crc64nvme,
            e_tag: Some(ETag::Strong(object.etag.clone())),
            last_modified: Some(timestamp(object.last_modified)),
            content_type: Some(content_type_of(&input.key)),
            accept_ranges: Some("bytes".into()),
            ..Default::default()
        }))
    }
}

/// The object's CRC-64/NVME in its header form, when it has one and the
/// request asked for checksums (`x-amz-checksum-mode: ENABLED`).
fn full_object_crc(object: &StoredObject, mode: Option<&ChecksumMode>) -> Option<String> {
    let enabled = mode.is_some_and(|mode| mode.as_str() == ChecksumMode::ENABLED);
    object.crc64nvme.filter(|_| enabled).map(crate::checksum::crc64nvme_base64)
}

/// A plausible Content-Type from the key's extension, as archives serve them.
fn content_type_of(key: &str) -> ContentType {
    let lower = key.to_ascii_lowercase();
    let kind = if lower.ends_with(".gz") {
        "application/gzip"
    } else if lower.ends_with(".fits") || lower.ends_with(".fit") || lower.ends_with(".fts") {
        "application/fits"
    } else if lower.ends_with(".json") {
        "application/json"
    } else if lower.ends_with(".csv") {
        "text/csv"
    } else if lower.ends_with(".txt") || lower.ends_with("readme") || lower.ends_with(".html") {
        "text/plain"
    } else {
        "binary/octet-stream"
    };
    kind.to_string()
}

/// Admits unsigned reads of public buckets; signed requests (already verified
/// by [`SimpleAuth`]) may read anything. Nothing may write.
struct DemoAccess {
    store: Arc<Store>,
}

#[async_trait::async_trait]
impl S3Access for DemoAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let read_only = matches!(
            cx.s3_op().name(),
            "GetObject"
                | "HeadObject"
                | "ListObjectsV2"
                | "ListObjects"
                | "HeadBucket"
                | "GetBucketLocation"
                | "ListBuckets"
        );
        if !read_only {
            return Err(s3_error!(AccessDenied, "the demo archive is read-only"));
        }
        if cx.credentials().is_some() {
            return Ok(());
        }
        let bucket = match cx.s3_path() {
            S3Path::Root => return Err(s3_error!(AccessDenied, "anonymous users cannot list buckets")),
            S3Path::Bucket { bucket } | S3Path::Object { bucket, .. } => bucket,
        };
        match self.store.buckets.get(&**bucket) {
            Some(b) if !b.public => Err(s3_error!(AccessDenied)),
            _ => Ok(()),
        }
    }
}

/// A running server; dropping the handle does not stop it, `shutdown` does.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    pub addr: SocketAddr,
    shutdown: CancellationToken,
}

impl ServerHandle {
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }
}

/// Reads AWS's own host names as S3 does: `bucket.s3.region.amazonaws.com`
/// is virtual-hosted, `s3.region.amazonaws.com` path-style; any other name
/// (`127.0.0.1:9000`, `localhost`) is path-style.
struct AwsHosts;

impl S3Host for AwsHosts {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        Ok(match split_s3_host(host) {
            Some(S3HostName { bucket: Some(bucket), region }) => {
                VirtualHost::new(host).with_bucket(bucket).with_region(region)
            }
            Some(S3HostName { bucket: None, region }) => VirtualHost::new(host).with_region(region),
            None => VirtualHost::new(host),
        })
    }
}

/// The S3 protocol over `store`: read-only, the demo key signs, public
/// buckets are read anonymously.
pub fn service(store: Arc<Store>) -> S3Service {
    let mut builder = S3ServiceBuilder::new(StoreS3::new(store.clone()));
    builder.set_auth(SimpleAuth::from_single(DEMO_ACCESS_KEY, DEMO_SECRET_KEY));
    builder.set_access(DemoAccess { store });
    builder.set_host(AwsHosts);
    builder.build()
}

/// Binds `127.0.0.1:port` (0: any free port) and serves `store` until shut down.
pub async fn start(store: Arc<Store>, port: u16) -> std::io::Result<ServerHandle> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let service = service(store);
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        loop {
            let socket = tokio::select! {
                () = stop.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((socket, _)) => socket,
                    Err(_) => continue,
                },
            };
            // Small responses go out at once, not after the client's delayed ACK.
            let _ = socket.set_nodelay(true);
            let connection = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
            let stop = stop.clone();
            tokio::spawn(async move {
                tokio::select! {
                    () = stop.cancelled() => {}
                    _ = connection => {}
                }
            });
        }
    });
    Ok(ServerHandle { addr, shutdown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(encode_key("a b+c%/é\x1b"), "a%20b%2Bc%25/%C3%A9%1B");
        assert_eq!(crate::s3::list::decode_url_key(&encode_key("a b+c%/é\x1b")), "a b+c%/é\x1b");
    }

    #[test]
    fn tokens_round_trip_any_key() {
        for key in ["", "plain/key", "esc\x1b[31m/é +%"] {
            assert_eq!(decode_token(&encode_token(key)).unwrap(), key);
        }
        assert!(decode_token("zz").is_err());
        assert!(decode_token("abc").is_err());
    }
}
