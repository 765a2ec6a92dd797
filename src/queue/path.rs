//! Where a key lands on disk, `aws s3 cp` style, and never outside the
//! chosen directory.

use std::path::{Path, PathBuf};

use crate::escape::escape_for_terminal;

/// The longest file name most file systems take.
const NAME_MAX: usize = 255;

/// Which file names a system takes: the rules of the one s3scope runs on
/// decide, but both are pure and tested everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// `/` separates; any other byte is a name's.
    Unix,
    /// `\` and `/` separate, `C:` starts a drive, `<>:"|?*` are refused,
    /// `CON`, `NUL`, `COM1`… name devices, a trailing dot or blank vanishes.
    Windows,
}

impl Convention {
    /// The convention of this system.
    pub fn native() -> Self {
        if cfg!(windows) { Convention::Windows } else { Convention::Unix }
    }
}

/// Names Windows keeps for devices, with any extension.
const DEVICES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2",
    "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Checks one path component and makes it a plain, printable file name.
fn component(raw: &str, convention: Convention) -> Result<String, String> {
    match raw {
        "" => return Err("it has an empty path component (a leading '/' or '//')".into()),
        "." | ".." => return Err(format!("its component '{raw}' would leave the download directory")),
        _ => {}
    }
    let name = match convention {
        Convention::Windows => windows_name(raw),
        Convention::Unix => raw.to_string(),
    };
    // Control characters (ESC above all) never reach a file name raw.
    let name = escape_for_terminal(&name).into_owned();
    if name.len() > NAME_MAX {
        return Err(format!("a path component is {} bytes long (at most {NAME_MAX})", name.len()));
    }
    Ok(name)
}

/// A name Windows takes as one plain file name: what would separate, start
/// a drive or a stream, or be refused is percent-escaped (`C:f` → `C%3Af`,
/// `x\..\f` → `x%5C..%5Cf`); a device name gets a `_` in front; a trailing dot
/// or blank is escaped.
fn windows_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '<' | '>' | '"' | '|' | '?' | '*' | '%' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    if let Some(last) = out.chars().last().filter(|c| matches!(c, '.' | ' ')) {
        out.pop();
        out.push_str(&format!("%{:02X}", last as u32));
    }
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    if DEVICES.contains(&stem.trim_end()) {
        out.insert(0, '_');
    }
    out
}

/// The names below the download directory where `key` lands: its last
/// component for a single object, or the key relative to `prefix` when
/// downloading everything below `prefix`. Refuses keys that would leave the
/// directory (`..`, absolute, empty components) and directory markers.
pub fn relative_names(key: &str, below_prefix: Option<&str>, convention: Convention) -> Result<Vec<String>, String> {
    if key.ends_with('/') {
        return Err("it is a directory marker, not a file".into());
    }
    let relative = match below_prefix {
        None => key.rsplit('/').next().unwrap_or(key),
        Some(prefix) => {
            // Downloading s3://b/data/ puts data/x/y at DIR/x/y.
            let base = &prefix[..prefix.rfind('/').map_or(0, |i| i + 1)];
            key.strip_prefix(base).ok_or_else(|| format!("it is not below '{prefix}'"))?
        }
    };
    relative.split('/').map(|part| component(part, convention)).collect()
}

/// The file for `key` below `dir`, by this system's rules (see [`relative_names`]).
pub fn destination(dir: &Path, key: &str, below_prefix: Option<&str>) -> Result<PathBuf, String> {
    let mut path = dir.to_path_buf();
    for name in relative_names(key, below_prefix, Convention::native())? {
        path.push(name);
    }
    // A last guard: nothing but plain names was added.
    let added = path.strip_prefix(dir).map_err(|_| "it would leave the download directory".to_string())?;
    if !added.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return Err("it would leave the download directory".into());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(key: &str, prefix: Option<&str>) -> Result<String, String> {
        destination(Path::new("/dl"), key, prefix).map(|p| p.display().to_string())
    }

    #[test]
    fn single_objects_land_under_their_base_name() {
        assert_eq!(dest("chandra/data/evt2.fits.gz", None).unwrap(), "/dl/evt2.fits.gz");
        assert_eq!(dest("top.txt", None).unwrap(), "/dl/top.txt");
        assert_eq!(dest("with space/a+b%20.txt", None).unwrap(), "/dl/a+b%20.txt");
    }

    #[test]
    fn recursive_downloads_keep_the_layout_below_the_prefix() {
        assert_eq!(dest("data/x/y.fits", Some("data/")).unwrap(), "/dl/x/y.fits");
        assert_eq!(dest("data/x/y.fits", Some("data")).unwrap(), "/dl/data/x/y.fits");
        assert_eq!(dest("unicode/café-☃.fits", Some("")).unwrap(), "/dl/unicode/café-☃.fits");
    }

    #[test]
    fn keys_that_would_leave_the_directory_are_refused() {
        assert!(dest("../x", Some("")).unwrap_err().contains("'..'"));
        assert!(dest("a/../../etc/passwd", Some("a/")).unwrap_err().contains("'..'"));
        assert!(dest("/absolute.txt", Some("")).unwrap_err().contains("empty path component"));
        assert!(dest("a//b.txt", Some("")).unwrap_err().contains("empty path component"));
        assert!(dest("..", None).is_err());
        assert!(dest("./x", Some("")).is_err());
        assert!(dest("dir/", Some("")).unwrap_err().contains("directory marker"));
        assert!(dest("other/x", Some("data/")).unwrap_err().contains("not below"));
    }

    #[test]
    fn under_either_convention_no_key_leaves_the_directory() {
        let keys =
            ["x\\..\\..\\f", "C:f", "C:\\Windows\\win.ini", "a/b\\c.txt", "\\\\server\\share\\f", "stream.txt:hidden"];
        for convention in [Convention::Unix, Convention::Windows] {
            for key in keys {
                let names = relative_names(key, Some(""), convention).unwrap();
                for name in &names {
                    assert!(!matches!(name.as_str(), "" | "." | ".."), "{convention:?} {key:?}: {names:?}");
                    if convention == Convention::Windows {
                        assert!(!name.contains(['\\', '/', ':']), "{key:?} → {name:?}");
                    } else {
                        assert!(!name.contains('/'), "{key:?} → {name:?}");
                    }
                }
            }
        }
        let windows = |key: &str| relative_names(key, Some(""), Convention::Windows).unwrap();
        assert_eq!(windows("x\\..\\..\\f"), ["x%5C..%5C..%5Cf"]);
        assert_eq!(windows("C:f"), ["C%3Af"]);
        assert_eq!(windows("obs/CON.fits"), ["obs", "_CON.fits"]);
        assert_eq!(windows("obs/nul"), ["obs", "_nul"]);
        assert_eq!(windows("trailing. "), ["trailing.%20"]);
        assert_eq!(windows("a?b*c|d.txt"), ["a%3Fb%2Ac%7Cd.txt"]);
        assert_eq!(windows("100%.txt"), ["100%25.txt"]);
        // On Unix the same keys are plain names, as `aws s3 cp` writes them.
        assert_eq!(relative_names("x\\..\\f", Some(""), Convention::Unix).unwrap(), ["x\\\\..\\\\f"]);
        assert_eq!(relative_names("C:f", None, Convention::Unix).unwrap(), ["C:f"]);
        // The rules that hold under both.
        for convention in [Convention::Unix, Convention::Windows] {
            assert!(relative_names("../x", Some(""), convention).is_err());
            assert!(relative_names("/abs", Some(""), convention).is_err());
        }
    }

    #[test]
    fn control_characters_never_reach_a_file_name() {
        let path = dest("escape/\x1b[31mred\x1b[0m.txt", Some("")).unwrap();
        assert_eq!(path, "/dl/escape/\\e[31mred\\e[0m.txt");
        assert!(!path.contains('\x1b'));
        assert!(dest(&format!("long/{}.txt", "k".repeat(1000)), Some("")).unwrap_err().contains("bytes long"));
    }
}
