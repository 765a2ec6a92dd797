//! Benchmark helper: the embedded S3 server over the demo archive plus a
//! synthetic `bench-tree` bucket (3 levels: 10 x 20 prefixes x 100 objects),
//! and a latency proxy in front of it. Prints one line:
//! `direct=http://127.0.0.1:A proxy=http://127.0.0.1:B`, then serves until killed.
//!
//! Usage: bench-server [--rtt-ms 30] [--archive-dir DIR]

#[allow(dead_code)]
#[path = "../tests/common/proxy.rs"]
mod proxy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use s3scope::demo::archive::load_store;
use s3scope::demo::store::StoredObject;
use s3scope::demo::{default_archive_dir, ensure_archive, start};

/// The bucket of the recursive-listing benchmark.
const BENCH_BUCKET: &str = "bench-tree";

fn argument(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rtt_ms: u64 = argument(&args, "--rtt-ms").map_or(Ok(30), |v| v.parse())?;
    let dir = argument(&args, "--archive-dir").map_or_else(default_archive_dir, PathBuf::from);
    ensure_archive(&dir)?;
    let mut store = load_store(&dir)?;
    store.add_bucket(BENCH_BUCKET, true);
    let payload = StoredObject::in_memory(vec![b'x'; 256], 1_700_000_000);
    for top in 0..10 {
        for mid in 0..20 {
            for n in 0..100 {
                let key = format!("survey-{top:02}/field-{mid:03}/obs-{n:04}.fits");
                store.put(BENCH_BUCKET, &key, payload.clone());
            }
        }
    }
    let server = start(Arc::new(store), 0).await?;
    let (proxy, _stats) = proxy::start_proxy(server.addr, Duration::from_millis(rtt_ms)).await?;
    println!("direct={} proxy=http://{proxy}", server.endpoint());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
