//! The start of an ASDF file: the `#ASDF` and `#ASDF_STANDARD` comment
//! lines, then the YAML tree up to its document end marker (`...` on a line
//! of its own), then the binary blocks. Pure.

/// Magic that starts each binary block.
pub const BLOCK_MAGIC: &[u8; 4] = b"\xd3BLK";

/// What the first lines say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// The file format's version (`1.0.0`).
    pub version: String,
    /// The ASDF standard's version (`1.5.0`), when a line names it.
    pub standard: Option<String>,
}

/// Where the YAML tree is in the bytes read from the file's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeSpan {
    /// The tree is `bytes[start..end]` (`end` just past the `...` line).
    Complete { start: usize, end: usize },
    /// The file has no tree: the comment lines are followed by blocks (or nothing).
    Absent { blocks_at: usize },
    /// The end marker has not been seen yet.
    Incomplete,
}

/// Reads the `#ASDF x.y.z` and `#ASDF_STANDARD x.y.z` lines; `None` when the file does not start with `#ASDF `.
pub fn versions(head: &[u8]) -> Option<Versions> {
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next()?.strip_prefix(b"#ASDF ")?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).trim().to_string();
    let version = text(first);
    let standard = lines
        .take_while(|line| line.starts_with(b"#"))
        .find_map(|line| line.strip_prefix(b"#ASDF_STANDARD "))
        .map(text)
        .filter(|s| !s.is_empty());
    Some(Versions { version, standard })
}

/// Finds the tree in `head`; `at_eof` says the file ends where `head` does.
pub fn tree_span(head: &[u8], at_eof: bool) -> TreeSpan {
    // Comment lines (`#ASDF`, `#ASDF_STANDARD`, others) come first.
    let mut start = 0;
    while head[start..].starts_with(b"#") {
        match head[start..].iter().position(|&b| b == b'\n') {
            Some(n) => start += n + 1,
            None if at_eof => return TreeSpan::Absent { blocks_at: head.len() },
            None => return TreeSpan::Incomplete,
        }
    }
    let rest = &head[start..];
    if rest.starts_with(BLOCK_MAGIC) || (at_eof && rest.iter().all(u8::is_ascii_whitespace)) {
        return TreeSpan::Absent { blocks_at: start };
    }
    if rest.len() < BLOCK_MAGIC.len() && BLOCK_MAGIC.starts_with(rest) && !at_eof {
        return TreeSpan::Incomplete;
    }
    match document_end(head, start, at_eof) {
        Some(end) => TreeSpan::Complete { start, end },
        None => TreeSpan::Incomplete,
    }
}

/// The offset just past the first `...` line at or after `from` (the line
/// may end in `\n`, `\r\n`, or the end of the file).
pub fn document_end(bytes: &[u8], from: usize, at_eof: bool) -> Option<usize> {
    let mut at = from;
    loop {
        // `...` at the start of a line: at `from` itself, or after a newline.
        let line =
            if at == from && bytes[at..].starts_with(b"...") { at } else { at + find(&bytes[at..], b"\n...")? + 1 };
        let after = line + 3;
        match &bytes[after..] {
            [b'\n', ..] => return Some(after + 1),
            [b'\r', b'\n', ..] => return Some(after + 2),
            [] | [b'\r'] if at_eof => return Some(bytes.len()),
            // Trailing blanks after the marker are allowed.
            rest if rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count() > 0 => {
                let blanks = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                match &rest[blanks..] {
                    [b'\n', ..] => return Some(after + blanks + 1),
                    [] if at_eof => return Some(bytes.len()),
                    [] => return None,
                    _ => at = after,
                }
            }
            [] | [b'\r'] => return None,
            _ => at = after,
        }
    }
}

/// The first position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[u8] = b"#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n# This is an ASDF file\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\na: 1\n...\n\xd3BLK\x00\x30";

    #[test]
    fn versions_from_the_first_lines() {
        let v = versions(HEAD).unwrap();
        assert_eq!((v.version.as_str(), v.standard.as_deref()), ("1.0.0", Some("1.5.0")));
        assert_eq!(versions(b"#ASDF 1.0.0\n%YAML 1.1\n").unwrap().standard, None);
        assert_eq!(versions(b"SIMPLE  = T"), None);
        assert_eq!(versions(b""), None);
    }

    #[test]
    fn the_tree_ends_at_its_marker() {
        let TreeSpan::Complete { start, end } = tree_span(HEAD, false) else { panic!() };
        assert!(HEAD[start..].starts_with(b"%YAML"));
        assert!(HEAD[..end].ends_with(b"\n...\n") && HEAD[end..].starts_with(BLOCK_MAGIC));
        // Cut before the marker, or inside it.
        let cut = find(HEAD, b"...").unwrap();
        for len in [20, cut, cut + 2, cut + 3] {
            assert_eq!(tree_span(&HEAD[..len], false), TreeSpan::Incomplete, "{len}");
        }
        // `...` inside a value or mid-line is not the end.
        let tricky = b"#ASDF 1.0.0\n%YAML 1.1\n---\na: x...\nb: |\n  ...x\n...\r\n";
        assert_eq!(tree_span(tricky, false), TreeSpan::Complete { start: 12, end: tricky.len() });
        // At the end of the file the marker needs no newline.
        let last = b"#ASDF 1.0.0\n---\na: 1\n...";
        assert_eq!(tree_span(last, true), TreeSpan::Complete { start: 12, end: last.len() });
        assert_eq!(tree_span(last, false), TreeSpan::Incomplete);
    }

    #[test]
    fn files_without_a_tree() {
        assert_eq!(tree_span(b"#ASDF 1.0.0\n\xd3BLK", false), TreeSpan::Absent { blocks_at: 12 });
        assert_eq!(tree_span(b"#ASDF 1.0.0\n", true), TreeSpan::Absent { blocks_at: 12 });
        assert_eq!(tree_span(b"#ASDF 1.0.0\n\xd3B", false), TreeSpan::Incomplete);
        assert_eq!(tree_span(b"#ASDF 1.0", false), TreeSpan::Incomplete);
    }
}
