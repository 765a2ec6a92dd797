//! Where s3scope keeps its files, by one rule on every system (etcetera's
//! base strategy): the XDG base directories on Linux, macOS and the other
//! Unixes (`$XDG_CONFIG_HOME`, else `~/.config`; `$XDG_STATE_HOME`, else
//! `~/.local/state`; `$XDG_CACHE_HOME`, else `~/.cache`), the known folders
//! on Windows (`%APPDATA%`, and `%LOCALAPPDATA%` for state and cache).
//! Each gets an `s3scope` directory: the config file, the queue and the log
//! (state), the demo archive (cache).

use std::path::PathBuf;

use etcetera::BaseStrategy;

fn strategy() -> Option<impl BaseStrategy> {
    etcetera::choose_base_strategy().ok()
}

/// The home directory, or the current one when there is none.
pub fn home_dir() -> PathBuf {
    etcetera::home_dir().unwrap_or_default()
}

/// `~/.config/s3scope`: the config file.
pub fn config_dir() -> PathBuf {
    strategy().map_or_else(|| home_dir().join(".config"), |s| s.config_dir()).join("s3scope")
}

/// `~/.local/state/s3scope`: the download queue and the log.
pub fn state_dir() -> PathBuf {
    let base = strategy().map(|s| s.state_dir().unwrap_or_else(|| s.data_dir()));
    base.unwrap_or_else(std::env::temp_dir).join("s3scope")
}

/// `~/.cache/s3scope`: the demo archive.
pub fn cache_dir() -> PathBuf {
    strategy().map_or_else(std::env::temp_dir, |s| s.cache_dir()).join("s3scope")
}
