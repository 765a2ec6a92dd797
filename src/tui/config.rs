//! What the explorer starts with, built once from the flags and the config
//! file and kept in the state: nothing is patched in afterwards.

use std::path::PathBuf;

use super::keymap::Keymap;
use super::theme::Theme;
use crate::catalog::Catalog;
use crate::clipboard::ClipboardMode;
use crate::config::{Config, OnStart};
use crate::queue::engine::DownloadOptions;
use crate::s3::{ConnectOptions, S3Uri};

#[derive(Debug, Clone)]
pub struct ExplorerConfig {
    pub connect: ConnectOptions,
    /// The archive catalog and the user's buckets (mirror URLs, regions, signing).
    pub catalog: Catalog,
    /// Buckets at the root: name and archive label.
    pub buckets: Vec<(String, Option<String>)>,
    /// Opened and selected at start.
    pub start: Option<S3Uri>,
    /// Ask for the user's own buckets (when requests can be signed).
    pub list_own_buckets: bool,
    pub mouse: bool,
    /// Rows loaded per prefix before asking to load more.
    pub row_bound: usize,
    /// Compressed bytes a gzip preview reads before asking to read on.
    pub preview_budget: u64,
    /// Where downloads land.
    pub download_dir: PathBuf,
    /// Where the queue is kept between runs (`None`: in memory only).
    pub queue_path: Option<PathBuf>,
    pub keys: Keymap,
    pub theme: Theme,
    pub clipboard: ClipboardMode,
    /// Downloads running at once.
    pub jobs: usize,
    pub download_options: DownloadOptions,
    /// Objects and bytes in flight, at most, over all downloads.
    pub download_limits: crate::queue::transfers::Limits,
    /// What to do with unfinished downloads of an earlier run.
    pub on_start: OnStart,
    /// How image quick-looks are drawn.
    pub graphics: crate::tui::graphics::Graphics,
}

impl ExplorerConfig {
    /// The settings of `file` (its defaults where it says nothing), reaching
    /// S3 by `connect`, with `catalog` at the root.
    pub fn new(file: &Config, connect: ConnectOptions, catalog: Catalog) -> Self {
        let downloads = &file.downloads;
        Self {
            connect,
            buckets: catalog.root_rows(),
            catalog,
            start: None,
            list_own_buckets: true,
            mouse: file.mouse,
            row_bound: file.explorer.rows_per_prefix as usize,
            preview_budget: file.preview.gzip_budget.0.max(1),
            download_dir: downloads.dir_path(),
            queue_path: Some(crate::queue::store::default_queue_path()),
            keys: Keymap::default(),
            theme: Theme::default(),
            clipboard: file.clipboard,
            jobs: (downloads.jobs as usize).max(1),
            download_options: DownloadOptions::from(downloads),
            download_limits: crate::queue::transfers::Limits {
                objects: downloads.jobs,
                bytes: downloads.bytes_in_flight.0,
            },
            on_start: downloads.on_start,
            graphics: crate::tui::graphics::Graphics::default(),
        }
    }
}

impl Default for ExplorerConfig {
    /// The defaults of every setting, on AWS, with the built-in catalog.
    fn default() -> Self {
        Self::new(&Config::default(), ConnectOptions::default(), Catalog::builtin())
    }
}
