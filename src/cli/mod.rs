//! Command-line arguments (the CLI contract of DESIGN.md) and dispatch.

pub mod asdf_header;
pub mod catalog_header;
pub mod demo;
pub mod fits_object;
pub mod get;
mod get_report;
pub mod header;
pub mod image;
pub mod ls;
pub mod output;
pub mod parquet_header;
pub mod parquet_object;
pub mod parquet_table;
pub mod setup;
pub mod table;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::clipboard::ClipboardMode;
use crate::config::{self, GlyphSetting, LoadedConfig};
use crate::error::AppError;
use crate::queue::engine::DownloadOptions;
use crate::s3::client::{DEFAULT_REGION, Timeouts};
use crate::s3::net::{ConnectTo, NetworkOptions};
use crate::s3::{ConnectOptions, S3Uri};
use crate::tui::graphics::{Graphics, Protocol};
use crate::tui::keymap::Keymap;
use crate::tui::theme::{self, Theme};
use crate::tui::{self, ExplorerConfig};

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
    /// Any S3-compatible server (implies path-style addressing) [env: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL]
    #[arg(long, global = true, value_name = "URL")]
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
    /// Trust only the CA certificates of this PEM file (as the aws CLI's --ca-bundle)
    #[arg(long, global = true, env = "AWS_CA_BUNDLE", value_name = "PATH")]
    pub ca_bundle: Option<PathBuf>,
    /// Connect to ADDR:PORT2 for HOST:PORT, keeping the host name for TLS (like curl's; HOST may be *.domain)
    #[arg(long, global = true, env = "S3SCOPE_CONNECT_TO", value_name = "HOST:PORT:ADDR:PORT2", value_delimiter = ',')]
    pub connect_to: Vec<ConnectTo>,
    /// Give up on a request after this many seconds, retries included [default: 8]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// What goes to the log file [default: warn]
    #[arg(long, global = true, value_name = "LEVEL", ignore_case = true)]
    pub log_level: Option<crate::log::Level>,
    /// The log file (default: ~/.local/state/s3scope/s3scope.log)
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// The config file (default: ~/.config/s3scope/config.toml)
    #[arg(long, global = true, env = "S3SCOPE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Capture the mouse in the explorer (off by default so the terminal's own selection works)
    #[arg(long, global = true)]
    pub mouse: bool,
    /// Plain ASCII: no box drawing or symbols (for terminals without Unicode)
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Where `y` copies to [default: auto, or the config's `clipboard`]
    #[arg(long, global = true, value_name = "MODE")]
    pub clipboard: Option<ClipboardMode>,
    /// Explorer: rows listed per prefix before asking to load more [default: 5000]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub rows_per_prefix: Option<u64>,
    /// Explorer: where downloads land [default: ., or the config's downloads.dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub download_dir: Option<PathBuf>,
    /// Explorer: how images are drawn: auto (from the terminal's environment), halfblocks, kitty, sixel, iterm2
    #[arg(long, global = true, value_name = "HOW", default_value = "auto", value_parser = parse_graphics)]
    pub graphics: GraphicsChoice,
    /// Explorer: compressed bytes a gzip preview reads before asking to read on [default: 4 MiB]
    #[arg(long, global = true, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub preview_budget: Option<u64>,
}

/// What every command starts from: the flags, the config file and the catalog.
pub struct Session {
    pub connect: ConnectOptions,
    pub config: LoadedConfig,
    /// The key bindings, the config's `[keys]` applied.
    pub keys: Keymap,
}

impl Session {
    /// The built-in archives and the user's own buckets.
    pub fn catalog(&self) -> &Catalog {
        self.config.catalog()
    }

    /// Part size and parts in flight of each download, from the config.
    pub fn download_options(&self) -> DownloadOptions {
        DownloadOptions::from(&self.config.config.downloads)
    }
}

impl GlobalArgs {
    /// The explorer's configuration: flags first, then the config file, then
    /// its defaults; `connect` reaches S3, `catalog` is at the root.
    pub fn explorer_config(&self, session: &Session, connect: ConnectOptions, catalog: Catalog) -> ExplorerConfig {
        let file = &session.config.config;
        let env = |name: &str| std::env::var(name).ok();
        let glyphs = if self.ascii { GlyphSetting::Ascii } else { file.glyphs };
        let theme = Theme::new(&file.colors, theme::depth(file.colors.depth, env), theme::ascii(glyphs, env));
        let mut config = ExplorerConfig::new(file, connect, catalog);
        config.mouse |= self.mouse;
        config.row_bound = self.rows_per_prefix.map_or(config.row_bound, |rows| rows as usize);
        config.preview_budget = self.preview_budget.unwrap_or(config.preview_budget).max(1);
        config.download_dir = self.download_dir.clone().unwrap_or(config.download_dir);
        config.clipboard = self.clipboard.unwrap_or(config.clipboard);
        let window = crossterm::terminal::window_size().ok().map(|w| (w.columns, w.rows, w.width, w.height));
        config.graphics = Graphics::detect(env, window, self.graphics.0);
        ExplorerConfig { keys: session.keys.clone(), theme, ..config }
    }

    pub fn connect_options(&self) -> Result<ConnectOptions, AppError> {
        // As the SDKs read them: the flag, then the S3 endpoint, then every service's.
        let from_env = |name: &str| std::env::var(name).ok();
        let endpoint_url = (self.endpoint_url.clone())
            .or_else(|| from_env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| from_env("AWS_ENDPOINT_URL"))
            .filter(|u| !u.trim().is_empty());
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
            timeouts: self.timeout.map(Timeouts::within).unwrap_or_default(),
            network: NetworkOptions {
                connect_to: self.connect_to.clone(),
                ca_bundle: self.ca_bundle.clone().filter(|p| !p.as_os_str().is_empty()),
            },
            ..ConnectOptions::default()
        })
    }

    /// Opens the log file; a log that cannot be opened is reported, not fatal.
    fn start_log(&self, session: &Session) {
        let level = self.log_level.unwrap_or(crate::log::Level::Warn);
        let path = self.log_file.clone().unwrap_or_else(crate::log::default_path);
        let mut secrets: Vec<String> =
            session.connect.static_credentials.iter().flat_map(|(k, s)| [k.clone(), s.clone()]).collect();
        secrets.push(crate::demo::server::DEMO_SECRET_KEY.to_string());
        if let Err(e) = crate::log::init(&path, level, secrets) {
            eprintln!("s3scope: opening the log {}: {e} (going on without it)", path.display());
        }
        tracing::info!("config {}", session.config.path.display());
    }

    /// Reads the config file and checks everything in it (keys included).
    pub fn session(&self) -> Result<Session, AppError> {
        let connect = self.connect_options()?;
        let config = config::load(self.config.as_deref())?;
        let keys = Keymap::from_config(&config)?;
        Ok(Session { connect, config, keys })
    }
}

/// Seconds, like `8` or `2.5`, from 0.1 to an hour.
/// `--graphics`: a protocol, or `None` for `auto` (the environment decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphicsChoice(pub Option<Protocol>);

fn parse_graphics(text: &str) -> Result<GraphicsChoice, String> {
    let protocol = match text.to_ascii_lowercase().as_str() {
        "auto" => None,
        "halfblocks" | "half-blocks" => Some(Protocol::HalfBlocks),
        "kitty" => Some(Protocol::Kitty),
        "sixel" => Some(Protocol::Sixel),
        "iterm2" => Some(Protocol::Iterm2),
        _ => return Err(format!("'{text}' is not auto, halfblocks, kitty, sixel or iterm2")),
    };
    Ok(GraphicsChoice(protocol))
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!("'{text}' is not a number of seconds from 0.1 to 3600")),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List one level of a prefix, or every key below it with --recursive
    Ls(ls::LsArgs),
    /// FITS headers of one object, every HDU, read with small range requests
    Header(header::HeaderArgs),
    /// Rows of a FITS table (BINTABLE or ASCII), read with range requests
    Table(table::TableArgs),
    /// A sampled plane of a FITS image (values, a PNG or a character picture), read with range requests
    Image(image::ImageArgs),
    /// Download objects (or prefixes with --recursive), resumable
    Get(get::GetArgs),
    /// The explorer on the embedded demo archive (--serve: only serve it on 127.0.0.1)
    Demo(demo::DemoArgs),
    /// Check the config file, or print a commented default one (--default)
    Config(setup::ConfigArgs),
    /// Shell completions: s3scope completions bash > ~/.local/share/bash-completion/completions/s3scope
    Completions(setup::CompletionsArgs),
    /// The manual page (roff): s3scope man > ~/.local/share/man/man1/s3scope.1
    Man,
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Ls(_) => "ls",
        Command::Header(_) => "header",
        Command::Table(_) => "table",
        Command::Image(_) => "image",
        Command::Get(_) => "get",
        Command::Demo(_) => "demo",
        Command::Config(_) => "config",
        Command::Completions(_) => "completions",
        Command::Man => "man",
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<(), AppError> {
    match &cli.command {
        Some(Command::Completions(args)) => return setup::completions(args),
        Some(Command::Man) => return setup::man(),
        Some(Command::Config(args)) => return setup::config(args, &cli.global),
        _ => {}
    }
    let session = cli.global.session()?;
    cli.global.start_log(&session);
    tracing::info!("s3scope {} started: {:?}", env!("CARGO_PKG_VERSION"), cli.command.as_ref().map(command_name));
    match cli.command {
        Some(Command::Ls(args)) => ls::run(&args, &session).await,
        Some(Command::Header(args)) => header::run(&args, &session).await,
        Some(Command::Table(args)) => table::run(&args, &session).await,
        Some(Command::Image(args)) => image::run(&args, &session).await,
        Some(Command::Get(args)) => get::run(&args, &session).await,
        Some(Command::Demo(args)) => demo::run(&args, &cli.global, &session).await,
        Some(Command::Config(_) | Command::Completions(_) | Command::Man) => Ok(()),
        None => {
            let start = cli.uri.as_deref().map(S3Uri::parse).transpose()?;
            let config = cli.global.explorer_config(&session, session.connect.clone(), session.catalog().clone());
            tui::run(ExplorerConfig { start, ..config }).await
        }
    }
}
