//! The listing stream and the recursive walk, driven through the library.

mod common;

use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use s3scope::testing::catalog::Catalog;
use s3scope::testing::demo::generate::EDGE_BUCKET;
use s3scope::testing::s3::list::{ListRequest, pages};
use s3scope::testing::s3::walk::{WalkLimits, walk};
use s3scope::testing::s3::{BucketClient, Clients, ConnectOptions, S3ErrorKind};

fn options(endpoint: &str) -> ConnectOptions {
    ConnectOptions { endpoint_url: Some(endpoint.to_string()), no_sign_request: true, ..ConnectOptions::default() }
}

fn bucket_on(endpoint: &str, bucket: &str) -> BucketClient {
    let clients = fixture().runtime.block_on(Clients::new(&options(endpoint), Catalog::builtin())).expect("clients");
    clients.bucket(bucket)
}

fn walk_keys(endpoint: &str, bucket: &str, prefix: &str, limits: WalkLimits) -> Result<Vec<String>, S3ErrorKind> {
    let bucket = bucket_on(endpoint, bucket);
    fixture().runtime.block_on(async {
        walk(bucket, prefix.into(), limits).map_ok(|o| o.key).try_collect::<Vec<_>>().await.map_err(|e| e.kind)
    })
}

#[test]
fn walk_yields_the_flat_listing_order_whatever_the_limits() {
    let endpoint = &fixture().endpoint;
    for (bucket, prefix) in [("nasa-heasarc", ""), (EDGE_BUCKET, ""), ("stpubdata", "tess/")] {
        let expected = keys_below(bucket, prefix);
        for limits in [
            WalkLimits { concurrency: 1, lookahead: 1 },
            WalkLimits { concurrency: 2, lookahead: 3 },
            WalkLimits::default(),
        ] {
            let keys = walk_keys(endpoint, bucket, prefix, limits).unwrap();
            assert_eq!(keys.len(), expected.len(), "{bucket}/{prefix} {limits:?}");
            assert!(keys == expected, "{bucket}/{prefix} {limits:?}: order differs");
        }
    }
}

#[test]
fn walk_reports_a_missing_bucket() {
    let result = walk_keys(&fixture().endpoint, "no-such-bucket", "", WalkLimits::default());
    assert_eq!(result, Err(S3ErrorKind::NoSuchBucket));
}

#[test]
fn pages_stop_when_the_stream_is_dropped() {
    let fixture = fixture();
    let (proxy, stats) = fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::ZERO)).unwrap();
    let endpoint = format!("http://{proxy}");
    let bucket = bucket_on(&endpoint, "stpubdata");
    let request = ListRequest::level(s3scope::testing::demo::generate::TESS_FFI_PREFIX);
    let first_two = fixture.runtime.block_on(async { pages(bucket, request).take(2).try_collect::<Vec<_>>().await });
    let first_two = first_two.unwrap();
    assert_eq!(first_two[0].entries.len(), 1000);
    assert!(first_two[0].next_token.is_some());
    assert!(first_two[0].entries.last().unwrap().key() < first_two[1].entries[0].key());
    assert_eq!(stats.requests(), 2, "no page is fetched ahead");
}

#[test]
fn dropping_a_walk_cancels_its_requests() {
    let fixture = fixture();
    let (proxy, stats) = fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::from_millis(50))).unwrap();
    let endpoint = format!("http://{proxy}");
    let bucket = bucket_on(&endpoint, "nasa-heasarc");
    fixture.runtime.block_on(async {
        let mut stream = Box::pin(walk(bucket, String::new(), WalkLimits::default()));
        assert!(stream.next().await.unwrap().is_ok());
        drop(stream);
        // Requests already written when the walk was dropped may still reach the proxy.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let after_drop = stats.requests();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(stats.requests() <= after_drop, "requests went on after the walk was dropped");
    });
    let total = keys_below("nasa-heasarc", "").len() as u64;
    assert!(stats.requests() < total, "the walk did not run to the end");
}
