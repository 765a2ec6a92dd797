//! Paged delimiter listings (ListObjectsV2) as a stream of pages.
//!
//! Nothing is fetched ahead: the next page is requested only when the stream
//! is polled again, so a caller can show the first page before asking for the
//! second, and stop early at no cost.

use aws_sdk_s3::types::EncodingType;
use futures::Stream;

use super::clients::BucketClient;
use super::error::S3Error;

/// Keys per page; S3 never returns more.
pub const PAGE_SIZE: i32 = 1000;

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    /// Seconds since the Unix epoch.
    pub last_modified: Option<i64>,
    /// As the server sent it, quotes included.
    pub etag: Option<String>,
    pub storage_class: Option<String>,
}

/// One row of a delimiter listing: a common prefix or an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Prefix(String),
    Object(ObjectInfo),
}

impl Entry {
    pub fn key(&self) -> &str {
        match self {
            Entry::Prefix(prefix) => prefix,
            Entry::Object(object) => &object.key,
        }
    }
}

/// One page of a listing, entries in S3 (byte) order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// Where the next page starts; `None` on the last page.
    pub next_token: Option<String>,
}

/// What to list in a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub prefix: String,
    /// `Some("/")` for one level; `None` for every key below the prefix.
    pub delimiter: Option<String>,
    /// Resume where an earlier page stopped.
    pub continuation: Option<String>,
    /// Only keys after this one (server-side seek into a large prefix).
    pub start_after: Option<String>,
    /// Entries per page, at most [`PAGE_SIZE`] (the default).
    pub max_keys: Option<i32>,
}

impl ListRequest {
    /// One level below `prefix`.
    pub fn level(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            delimiter: Some("/".into()),
            continuation: None,
            start_after: None,
            max_keys: None,
        }
    }
}

/// Fetches one page. Keys are requested URL-encoded (`encoding-type=url`),
/// so that keys holding characters XML cannot carry still list, and decoded here.
pub async fn fetch_page(bucket: &BucketClient, request: &ListRequest) -> Result<Page, S3Error> {
    tracing::debug!("list s3://{}/{}", bucket.name(), request.prefix);
    let output = bucket
        .send(|client| {
            client
                .list_objects_v2()
                .bucket(bucket.name())
                .prefix(&request.prefix)
                .set_delimiter(request.delimiter.clone())
                .max_keys(request.max_keys.map_or(PAGE_SIZE, |m| m.clamp(1, PAGE_SIZE)))
                .encoding_type(EncodingType::Url)
                .set_continuation_token(request.continuation.clone())
                .set_start_after(request.start_after.clone())
                .send()
        })
        .await?;

    // A server that ignores encoding-type says so by not echoing it back.
    let encoded = output.encoding_type() == Some(&EncodingType::Url);
    let decode = |text: &str| if encoded { decode_url_key(text) } else { text.to_string() };

    let prefixes = output.common_prefixes().iter().filter_map(|p| p.prefix()).map(|p| Entry::Prefix(decode(p)));
    let objects = output.contents().iter().map(|o| {
        Entry::Object(ObjectInfo {
            key: decode(o.key().unwrap_or_default()),
            size: o.size().unwrap_or(0).max(0) as u64,
            last_modified: o.last_modified().map(|t| t.secs()),
            etag: o.e_tag().map(str::to_string),
            storage_class: o.storage_class().map(|c| c.as_str().to_string()),
        })
    });
    let mut entries: Vec<Entry> = prefixes.chain(objects).collect();
    // S3 sends prefixes and objects as two sorted lists; present one.
    entries.sort_by(|a, b| a.key().cmp(b.key()));

    let next_token = match output.is_truncated() {
        Some(true) => output.next_continuation_token().map(str::to_string),
        _ => None,
    };
    Ok(Page { entries, next_token })
}

/// Decodes a key of an `encoding-type=url` answer: `+` is a space, `%XX` a byte.
pub fn decode_url_key(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// The pages of a listing, fetched one at a time as the stream is polled.
pub fn pages(bucket: BucketClient, request: ListRequest) -> impl Stream<Item = Result<Page, S3Error>> + Send + 'static {
    // State: the request for the next page, or None once the last page was sent.
    futures::stream::try_unfold(Some(request), move |next| {
        let bucket = bucket.clone();
        async move {
            let Some(mut request) = next else { return Ok(None) };
            let page = fetch_page(&bucket, &request).await?;
            let following = page.next_token.clone().map(|token| {
                request.continuation = Some(token);
                request.start_after = None;
                request
            });
            Ok(Some((page, following)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_as_space_and_percent_escapes() {
        assert_eq!(decode_url_key("a+b%2Bc%25d"), "a b+c%d");
        assert_eq!(decode_url_key("esc%1B%5B31m"), "esc\x1b[31m");
        assert_eq!(decode_url_key("caf%C3%A9/"), "café/");
        assert_eq!(decode_url_key("plain/key.fits"), "plain/key.fits");
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(decode_url_key("bad%FF"), "bad\u{fffd}");
    }
}
