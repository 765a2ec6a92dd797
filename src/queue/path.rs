//! Where a key lands on disk, `aws s3 cp` style, and never outside the
//! chosen directory.

use std::path::{Path, PathBuf};

use crate::escape::escape_for_terminal;

/// The longest file name most file systems take.
const NAME_MAX: usize = 255;

/// Checks one path component and makes it printable.
fn component(raw: &str) -> Result<String, String> {
    match raw {
        "" => Err("it has an empty path component (a leading '/' or '//')".into()),
        "." | ".." => Err(format!("its component '{raw}' would leave the download directory")),
        _ => {
            // Control characters (ESC above all) never reach a file name raw.
            let name = escape_for_terminal(raw).into_owned();
            if name.len() > NAME_MAX {
                return Err(format!("a path component is {} bytes long (at most {NAME_MAX})", name.len()));
            }
            Ok(name)
        }
    }
}

/// The file for `key`: `dir/<last component>` for a single object, or
/// `dir/<key relative to prefix>` when downloading everything below `prefix`.
/// Refuses keys that would leave `dir` (`..`, absolute, empty components)
/// and directory markers (keys ending in `/`).
pub fn destination(dir: &Path, key: &str, below_prefix: Option<&str>) -> Result<PathBuf, String> {
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
    let mut path = dir.to_path_buf();
    for part in relative.split('/') {
        path.push(component(part)?);
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
    fn control_characters_never_reach_a_file_name() {
        let path = dest("escape/\x1b[31mred\x1b[0m.txt", Some("")).unwrap();
        assert_eq!(path, "/dl/escape/\\e[31mred\\e[0m.txt");
        assert!(!path.contains('\x1b'));
        assert!(dest(&format!("long/{}.txt", "k".repeat(1000)), Some("")).unwrap_err().contains("bytes long"));
    }
}
