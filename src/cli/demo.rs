//! `s3scope demo`: the embedded S3 server over the generated demo archive.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{GlobalArgs, Session};
use crate::catalog::Catalog;
use crate::demo::store::Store;
use crate::demo::{self, archive};
use crate::error::AppError;
use crate::s3::ConnectOptions;
use crate::tui::{self, ExplorerConfig};

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Only serve (no explorer): print the endpoint and wait for Ctrl-C
    #[arg(long)]
    pub serve: bool,
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where the generated archive is kept (default: the user cache directory)
    #[arg(long, value_name = "DIR")]
    pub archive_dir: Option<PathBuf>,
}

pub async fn run(args: &DemoArgs, global: &GlobalArgs, session: &Session) -> Result<(), AppError> {
    let dir = args.archive_dir.clone().unwrap_or_else(demo::default_archive_dir);
    let prepare_dir = dir.clone();
    let generated = tokio::task::spawn_blocking(move || {
        if !prepare_dir.join(archive::MANIFEST).is_file() {
            eprintln!("s3scope: generating the demo archive in {} (first run only)…", prepare_dir.display());
        }
        demo::ensure_archive(&prepare_dir)
    })
    .await
    .map_err(|e| AppError::runtime("generating the demo archive", e.to_string()))?
    .map_err(|e| AppError::runtime(format!("generating the demo archive in {}", dir.display()), e.to_string()))?;
    let store = archive::load_shared(&dir)
        .map_err(|e| AppError::runtime(format!("reading the demo archive in {}", dir.display()), e.to_string()))?;
    let objects: usize = store.buckets.values().map(|b| b.objects.len()).sum();
    let server = demo::start(store.clone(), args.port).await.map_err(|e| {
        AppError::runtime(format!("starting the demo server on 127.0.0.1:{}", args.port), e.to_string())
    })?;
    let endpoint = server.endpoint();
    if !args.serve {
        let result = explore(&store, &endpoint, global, session).await;
        server.shutdown();
        return result;
    }
    let mut out = std::io::stdout().lock();
    // The first line is the endpoint alone, for scripts.
    let _ = writeln!(out, "{endpoint}");
    let _ = writeln!(
        out,
        "s3scope demo archive: {objects} objects{} in {}\n\
         Try:\n  s3scope ls --endpoint-url {endpoint} --no-sign-request s3://nasa-heasarc/\n\
         Press Ctrl-C to stop.",
        if generated { " (just generated)" } else { "" },
        dir.display()
    );
    let _ = out.flush();
    drop(out);
    crate::signals::stopped(true).await;
    server.shutdown();
    Ok(())
}

/// The explorer on the demo server: the catalog buckets the demo holds, then its other buckets.
async fn explore(store: &Store, endpoint: &str, global: &GlobalArgs, session: &Session) -> Result<(), AppError> {
    let catalog = Catalog::builtin();
    let mut buckets = catalog.root_rows();
    buckets.retain(|(name, _)| store.buckets.contains_key(name));
    let extra = store.buckets.keys().filter(|name| catalog.find(name).is_none());
    buckets.extend(extra.map(|name| (name.clone(), Some("demo".to_string()))));
    let connect = ConnectOptions {
        endpoint_url: Some(endpoint.to_string()),
        region: global.region.clone(),
        no_sign_request: true,
        timeouts: session.connect.timeouts,
        network: session.connect.network.clone(),
        ..ConnectOptions::default()
    };
    // The demo server's port changes from run to run: its queue is not kept.
    // The user's own buckets live elsewhere: the demo shows the archives only.
    let config = global.explorer_config(session, connect, catalog);
    tui::run(ExplorerConfig { buckets, list_own_buckets: false, queue_path: None, ..config }).await
}
