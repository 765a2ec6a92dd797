//! Command-line arguments (the CLI contract of DESIGN.md) and dispatch.

pub mod demo;
pub mod get;
pub mod header;
pub mod ls;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::error::AppError;
use crate::s3::client::DEFAULT_REGION;
use crate::s3::{ConnectOptions, S3Uri};
use crate::tui::{self, TuiOptions};

#[derive(Debug, Parser)]
#[command(name = "s3scope", version, about = "A terminal explorer for S3 buckets, made for the NASA archives")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where to open the explorer: s3://bucket/prefix/ (default: the archive catalog)
    pub uri: Option<String>,
}

/// Flags accepted before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Any S3-compatible server (implies path-style addressing)
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Send anonymous requests; never look for credentials
    #[arg(long, global = true)]
    pub no_sign_request: bool,
    /// Credentials profile (also for catalog buckets, which are otherwise read anonymously)
    #[arg(long, global = true, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region
    #[arg(long, global = true, env = "AWS_REGION", value_name = "R", default_value = DEFAULT_REGION)]
    pub region: String,
    /// Capture the mouse in the explorer (off by default so the terminal's own selection works)
    #[arg(long, global = true)]
    pub mouse: bool,
    /// Explorer: rows listed per prefix before asking to load more
    #[arg(long, global = true, value_name = "N", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rows_per_prefix: u64,
    /// Explorer: where downloads land
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub download_dir: PathBuf,
    /// Explorer: compressed bytes a gzip preview reads before asking to read on
    #[arg(long, global = true, value_name = "BYTES", default_value_t = crate::preview::DEFAULT_GZIP_BUDGET)]
    pub preview_budget: u64,
}

impl GlobalArgs {
    /// The explorer's options for these flags, with `buckets` at the root.
    pub fn tui_options(&self, connect: ConnectOptions, buckets: Vec<(String, Option<String>)>) -> TuiOptions {
        TuiOptions {
            buckets,
            mouse: self.mouse,
            row_bound: self.rows_per_prefix as usize,
            preview_budget: self.preview_budget.max(1),
            download_dir: self.download_dir.clone(),
            ..TuiOptions::for_catalog(connect, &Catalog::builtin())
        }
    }
}

impl GlobalArgs {
    pub fn connect_options(&self) -> Result<ConnectOptions, AppError> {
        let endpoint_url = self.endpoint_url.clone().filter(|u| !u.trim().is_empty());
        if let Some(url) = &endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(AppError::input(format!("bad --endpoint-url '{url}'"), "expected http:// or https://"));
        }
        Ok(ConnectOptions {
            endpoint_url,
            region: self.region.clone(),
            profile: self.profile.clone().filter(|p| !p.is_empty()),
            no_sign_request: self.no_sign_request,
            ..ConnectOptions::default()
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List one level of a prefix, or every key below it with --recursive
    Ls(ls::LsArgs),
    /// FITS headers of one object, every HDU, read with small range requests
    Header(header::HeaderArgs),
    /// Download objects (or prefixes with --recursive), resumable
    Get(get::GetArgs),
    /// The explorer on the embedded demo archive (--serve: only serve it on 127.0.0.1)
    Demo(demo::DemoArgs),
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    let connect = cli.global.connect_options()?;
    match cli.command {
        Some(Command::Ls(args)) => ls::run(&args, &connect).await,
        Some(Command::Header(args)) => header::run(&args, &connect).await,
        Some(Command::Get(args)) => get::run(&args, &connect).await,
        Some(Command::Demo(args)) => demo::run(&args, &cli.global).await,
        None => {
            let start = cli.uri.as_deref().map(S3Uri::parse).transpose()?;
            let catalog = Catalog::builtin();
            let buckets = catalog.entries.iter().map(|e| (e.name.clone(), Some(e.archive.clone()))).collect();
            let options = TuiOptions { start, ..cli.global.tui_options(connect, buckets) };
            tui::run(options).await
        }
    }
}
