//! The config file, `~/.config/s3scope/config.toml` (`$XDG_CONFIG_HOME`,
//! `--config PATH`): clipboard, downloads, preview, colours, glyphs, key
//! bindings and the user's own buckets. Every setting is optional; a bad
//! file is reported with its line and stops the program (exit 2).

pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use self::values::{ByteSize, ColorSpec, DepthSetting, GlyphSetting, KeyEntry, KeyList, OnStart};
use crate::catalog::{Catalog, CatalogEntry};
use crate::clipboard::ClipboardMode;
use crate::error::AppError;

/// The commented default file that `s3scope config --default` prints.
pub const DEFAULT_FILE: &str = include_str!("../../assets/config.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub clipboard: ClipboardMode,
    pub mouse: bool,
    pub glyphs: GlyphSetting,
    pub explorer: Explorer,
    pub preview: PreviewSettings,
    pub downloads: Downloads,
    pub colors: Colors,
    /// Action name → keys (the normal layer), or layer name → its table;
    /// checked against the keymap by the explorer.
    pub keys: BTreeMap<Spanned<String>, Spanned<KeyEntry>>,
    #[serde(rename = "bucket")]
    pub buckets: Vec<Spanned<UserBucket>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            clipboard: ClipboardMode::Auto,
            mouse: false,
            glyphs: GlyphSetting::Auto,
            explorer: Explorer::default(),
            preview: PreviewSettings::default(),
            downloads: Downloads::default(),
            colors: Colors::default(),
            keys: BTreeMap::new(),
            buckets: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Explorer {
    /// Rows listed per prefix before asking to load more.
    pub rows_per_prefix: u64,
}

impl Default for Explorer {
    fn default() -> Self {
        Self { rows_per_prefix: 5000 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PreviewSettings {
    /// Compressed bytes a gzip preview reads before asking to read on.
    pub gzip_budget: ByteSize,
}

impl Default for PreviewSettings {
    fn default() -> Self {
        Self { gzip_budget: ByteSize(crate::preview::DEFAULT_GZIP_BUDGET) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Downloads {
    /// Where the explorer's downloads land (`~` is the home directory).
    pub dir: String,
    /// Objects downloaded at once, at most (fewer while the link gives no more).
    pub jobs: u64,
    /// Bytes requested and not yet arrived, at most, over all downloads.
    pub bytes_in_flight: ByteSize,
    /// Bytes per ranged part of a large object (unset: grows with the object).
    pub part_size: Option<ByteSize>,
    /// Parts of one object fetched at once (unset: grows with the object).
    pub parts_in_flight: Option<u64>,
    /// Sync each file to disk before it is renamed into place (and before a
    /// resume record claims its bytes); `false` trades that for speed on a slow disk.
    pub sync: bool,
    /// Downloads left unfinished by an earlier run: resume them, or keep them paused.
    pub on_start: OnStart,
}

impl Default for Downloads {
    fn default() -> Self {
        let limits = crate::queue::transfers::Limits::default();
        Self {
            dir: ".".into(),
            jobs: limits.objects,
            bytes_in_flight: ByteSize(limits.bytes),
            part_size: None,
            parts_in_flight: None,
            sync: true,
            on_start: OnStart::Resume,
        }
    }
}

impl Downloads {
    /// The directory with a leading `~` expanded.
    pub fn dir_path(&self) -> PathBuf {
        match self.dir.strip_prefix("~") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                crate::dirs::home_dir().join(rest.trim_start_matches('/'))
            }
            _ => PathBuf::from(&self.dir),
        }
    }
}

/// Colours of the explorer, by role. Unset roles keep the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Colors {
    pub depth: DepthSetting,
    pub accent: Option<ColorSpec>,
    pub muted: Option<ColorSpec>,
    pub selection: Option<ColorSpec>,
    pub busy: Option<ColorSpec>,
    pub ok: Option<ColorSpec>,
    pub error: Option<ColorSpec>,
    pub more: Option<ColorSpec>,
    pub keyword: Option<ColorSpec>,
    pub string: Option<ColorSpec>,
    pub number: Option<ColorSpec>,
    pub logical: Option<ColorSpec>,
}

/// A bucket of the user's own, shown at the root of the tree with the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBucket {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub archive: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// An S3-compatible server other than AWS.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The credentials profile to sign with.
    #[serde(default)]
    pub profile: Option<String>,
    /// Read without signing.
    #[serde(default)]
    pub anonymous: bool,
    /// Base URL of a web tree holding the same keys.
    #[serde(default)]
    pub mirror: Option<String>,
}

impl UserBucket {
    fn entry(&self) -> CatalogEntry {
        CatalogEntry {
            name: self.name.clone(),
            archive: self.archive.clone().unwrap_or_else(|| "mine".into()),
            title: self.title.clone().unwrap_or_else(|| self.name.clone()),
            // Empty: the session's region (--region, AWS_REGION).
            region: self.region.clone().unwrap_or_default(),
            mirror: self.mirror.clone().unwrap_or_default(),
            anonymous: self.anonymous,
            endpoint: self.endpoint.clone(),
            profile: self.profile.clone(),
            own: true,
        }
    }
}

/// A config file's fault: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl From<ConfigError> for AppError {
    fn from(e: ConfigError) -> Self {
        let place = match e.line {
            Some(line) => format!("config {} line {line}", e.path.display()),
            None => format!("config {}", e.path.display()),
        };
        AppError::input(place, e.message)
    }
}

/// A loaded config with the text it came from (for line numbers).
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub path: PathBuf,
    text: String,
    /// The built-in catalog followed by the user's buckets.
    catalog: Catalog,
}

impl LoadedConfig {
    /// An error at `span` of the file.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError { path: self.path.clone(), line: Some(line_of(&self.text, span.start)), message: message.into() }
    }

    /// The built-in catalog followed by the user's buckets (a user entry of
    /// the same name replaces the built-in one).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Builds the catalog, checking each of the user's buckets.
    fn build_catalog(&self) -> Result<Catalog, ConfigError> {
        let mut catalog = Catalog::builtin();
        for bucket in &self.config.buckets {
            let entry = bucket.get_ref().entry();
            catalog.validate_entry(&entry).map_err(|e| self.error_at(bucket.span(), e))?;
            if let Some(endpoint) = &entry.endpoint
                && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
            {
                return Err(
                    self.error_at(bucket.span(), format!("bucket '{}': endpoint must be http(s)://", entry.name))
                );
            }
            catalog.entries.retain(|e| e.name != entry.name);
            catalog.entries.push(entry);
        }
        Ok(catalog)
    }
}

/// The line (from 1) holding byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `$XDG_CONFIG_HOME/s3scope/config.toml`, else `~/.config/s3scope/config.toml`.
pub fn default_path() -> PathBuf {
    crate::dirs::config_dir().join("config.toml")
}

/// Parses the text of a config file.
pub fn parse(text: &str, path: &Path) -> Result<LoadedConfig, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: e.span().map(|span| line_of(text, span.start)),
        message: e.message().trim().replace('\n', " "),
    })?;
    let mut loaded = LoadedConfig {
        config,
        path: path.to_path_buf(),
        text: text.to_string(),
        catalog: Catalog { entries: Vec::new() },
    };
    loaded.check()?;
    loaded.catalog = loaded.build_catalog()?;
    Ok(loaded)
}

impl LoadedConfig {
    /// Checks the ranges serde cannot.
    fn check(&self) -> Result<(), ConfigError> {
        let c = &self.config;
        let whole = |message: &str| ConfigError { path: self.path.clone(), line: None, message: message.into() };
        if c.explorer.rows_per_prefix == 0 {
            return Err(whole("explorer.rows_per_prefix must be at least 1"));
        }
        if !(1..=1024).contains(&c.downloads.jobs) {
            return Err(whole("downloads.jobs must be 1 to 1024"));
        }
        if c.downloads.parts_in_flight.is_some_and(|n| !(1..=64).contains(&n)) {
            return Err(whole("downloads.parts_in_flight must be 1 to 64"));
        }
        if c.downloads.part_size.is_some_and(|size| size.0 < 4096) {
            return Err(whole("downloads.part_size must be at least 4 KiB"));
        }
        if c.downloads.bytes_in_flight.0 < 1 << 20 {
            return Err(whole("downloads.bytes_in_flight must be at least 1 MiB"));
        }
        if c.preview.gzip_budget.0 == 0 {
            return Err(whole("preview.gzip_budget must be more than 0"));
        }
        Ok(())
    }
}

/// Loads the config: `explicit` must exist; the default path may be missing
/// (then every setting has its default).
pub fn load(explicit: Option<&Path>) -> Result<LoadedConfig, AppError> {
    let path = explicit.map(Path::to_path_buf).unwrap_or_else(default_path);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(parse(&text, &path)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
            Ok(LoadedConfig { config: Config::default(), path, text: String::new(), catalog: Catalog::builtin() })
        }
        Err(e) => Err(AppError::input(format!("config {}", path.display()), e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<LoadedConfig, ConfigError> {
        parse(text, Path::new("/home/u/.config/s3scope/config.toml"))
    }

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let loaded = parse_text(DEFAULT_FILE).unwrap();
        assert_eq!(loaded.config, Config::default());
    }

    #[test]
    fn the_default_file_examples_parse_once_uncommented() {
        // The commented examples (lines starting with "#  ") are valid settings.
        let uncommented: String = DEFAULT_FILE
            .lines()
            .map(|l| l.strip_prefix("#  ").map_or(l.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(uncommented, DEFAULT_FILE);
        let loaded = parse_text(&uncommented).unwrap_or_else(|e| panic!("{e:?}\n{uncommented}"));
        assert!(!loaded.config.keys.is_empty());
        assert!(!loaded.config.buckets.is_empty());
        assert!(loaded.config.colors.accent.is_some());
    }

    #[test]
    fn settings_are_read() {
        let text = r##"
clipboard = "osc52"
glyphs = "ascii"
[downloads]
dir = "~/data"
jobs = 2
part_size = "16 MiB"
sync = false
on_start = "pause"
[preview]
gzip_budget = 1048576
[colors]
depth = "256"
accent = "#5fafff"
error = 196
[[bucket]]
name = "my-lab-data"
endpoint = "https://s3.example.org"
profile = "lab"
"##;
        let loaded = parse_text(text).unwrap();
        let c = &loaded.config;
        assert_eq!(c.clipboard, ClipboardMode::Osc52);
        assert_eq!(c.glyphs, GlyphSetting::Ascii);
        assert_eq!(c.downloads.jobs, 2);
        assert_eq!(c.downloads.part_size, Some(ByteSize(16 << 20)));
        assert_eq!(c.downloads.on_start, OnStart::Pause);
        assert!(!c.downloads.sync);
        assert!(!crate::queue::engine::DownloadOptions::from(&c.downloads).sync);
        assert!(Downloads::default().sync, "synced unless asked otherwise");
        assert_eq!(c.preview.gzip_budget, ByteSize(1 << 20));
        assert_eq!(c.colors.depth, DepthSetting::Indexed256);
        assert_eq!(c.colors.error, Some(ColorSpec(ratatui::style::Color::Indexed(196))));
        assert!(c.downloads.dir_path().ends_with("data") && c.downloads.dir_path().is_absolute());
        let catalog = loaded.catalog();
        let mine = catalog.find("my-lab-data").unwrap();
        assert_eq!(mine.endpoint.as_deref(), Some("https://s3.example.org"));
        assert_eq!(mine.profile.as_deref(), Some("lab"));
        assert!(!mine.anonymous);
        assert_eq!(catalog.entries.last().unwrap().name, "my-lab-data");
    }

    #[test]
    fn errors_name_the_line_and_the_reason() {
        let cases: [(&str, usize, &str); 7] = [
            ("clipboard = \"auto\"\n\nclipbaord = \"osc52\"\n", 3, "unknown field"),
            ("clipboard = \"x11\"\n", 1, "unknown variant"),
            ("[downloads]\njobs = 2\npart_size = \"8 parsecs\"\n", 3, "unit"),
            ("[colors]\n\naccent = \"mauve\"\n", 3, "unknown colour"),
            ("mouse = true\n[preview\n", 2, ""),
            ("[[bucket]]\nname = \"ok-bucket\"\n\n[[bucket]]\nname = \"Bad_Name!\"\n", 4, "Bad_Name!"),
            ("[[bucket]]\nname = \"b1\"\nendpoint = \"ftp://x\"\n", 1, "endpoint"),
        ];
        for (text, line, reason) in cases {
            let err = parse_text(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text:?}: {err:?}");
            assert!(err.message.contains(reason), "{text:?}: {err:?}");
            assert!(!err.message.contains('\n'));
        }
    }

    #[test]
    fn range_errors_exit_2_with_the_file_named() {
        let err = parse_text("[downloads]\njobs = 0\n").unwrap_err();
        let app: AppError = err.into();
        assert_eq!(app.exit_code(), 2);
        assert!(app.to_string().contains("config /home/u/.config/s3scope/config.toml"), "{app}");
    }

    #[test]
    fn a_missing_default_file_means_defaults_but_a_missing_explicit_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let err = load(Some(&missing)).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        std::fs::write(dir.path().join("c.toml"), "mouse = true\n").unwrap();
        assert!(load(Some(&dir.path().join("c.toml"))).unwrap().config.mouse);
    }

    #[test]
    fn line_numbers_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn mutated_config_files_parse_or_name_a_line_in_the_file() {
        let mut rng = crate::test_rng::Rng::new(5);
        let base: Vec<char> = DEFAULT_FILE.chars().collect();
        for _ in 0..400 {
            let mut text = base.clone();
            for _ in 0..1 + rng.below(6) {
                let at = rng.below(text.len() as u64) as usize;
                let c = rng.text("=[]\"'#\n abc0123.-", 1).chars().next().unwrap_or('=');
                match rng.below(3) {
                    0 => text[at] = c,
                    1 => text.insert(at, c),
                    _ => {
                        text.remove(at);
                    }
                }
            }
            let text: String = text.into_iter().collect();
            match parse_text(&text) {
                Ok(loaded) => {
                    let _ = crate::tui::keymap::Keymap::from_config(&loaded);
                }
                Err(e) => {
                    let lines = text.lines().count() + 1;
                    assert!(e.line.is_none_or(|l| (1..=lines).contains(&l)), "{e:?}");
                    assert!(!e.message.is_empty() && !e.message.contains('\n'), "{e:?}");
                }
            }
        }
    }
}
