//! The tree as lines to show, one per node, in document order, for the
//! CLI's text output and the preview's folding tree. Keys and values are
//! escaped for the terminal here. Pure.

use super::summary::summary;
use super::tree::{Node, Value};
use crate::escape::escape_for_terminal;

/// Characters of a value shown on its line (the rest is cut with `…`).
const VALUE_CHARS: usize = 160;

/// One node as a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub depth: u16,
    /// The mapping key, `-` for a sequence item, empty for the root.
    pub key: String,
    /// The short tag (`core/ndarray-1.0.0`), if tagged.
    pub tag: Option<String>,
    /// A scalar's value, a tagged node's summary, or a collection's size.
    pub value: String,
    /// Direct children (0 for a scalar).
    pub children: usize,
    /// Index of the first line after this node's subtree.
    pub end: usize,
    /// Folded at first: ndarrays (their summary says it all) and long lists.
    pub folded_at_first: bool,
    /// The value is a tagged node's summary (an ndarray's shape and dtype).
    pub summarized: bool,
}

/// Every node of the tree as a line, in document order.
pub fn outline(root: &Node) -> Vec<Line> {
    let mut lines = Vec::new();
    // (node, key, depth, index of the parent's line)
    let mut stack: Vec<(&Node, String, u16)> = vec![(root, String::new(), 0)];
    // Lines whose `end` is set once their subtree is done: (line, depth).
    let mut open: Vec<(usize, u16)> = Vec::new();
    while let Some((node, key, depth)) = stack.pop() {
        while open.last().is_some_and(|&(_, d)| d >= depth) {
            let (line, _) = open.pop().unwrap_or_default();
            lines_end(&mut lines, line);
        }
        let index = lines.len();
        lines.push(line(node, key, depth));
        open.push((index, depth));
        let child_depth = depth.saturating_add(1);
        match &node.value {
            Value::Seq(items) => stack.extend(items.iter().rev().map(|item| (item, "-".to_string(), child_depth))),
            Value::Map(entries) => {
                stack.extend(entries.iter().rev().map(|(k, v)| (v, escape_for_terminal(k).into_owned(), child_depth)))
            }
            _ => {}
        }
    }
    while let Some((line, _)) = open.pop() {
        lines_end(&mut lines, line);
    }
    lines
}

fn lines_end(lines: &mut [Line], line: usize) {
    let end = lines.len();
    if let Some(l) = lines.get_mut(line) {
        l.end = end;
    }
}

fn line(node: &Node, key: String, depth: u16) -> Line {
    let tag = node.tag.as_ref().map(|t| escape_for_terminal(t.short()).into_owned());
    let (value, children) = match &node.value {
        Value::Null => ("null".to_string(), 0),
        Value::Bool(b) => (b.to_string(), 0),
        Value::Int(i) => (i.to_string(), 0),
        Value::Float(f) => (float_text(*f), 0),
        Value::Str(s) => (cut(&escape_for_terminal(s)), 0),
        Value::Seq(items) => (format!("[{} item{}]", items.len(), plural(items.len())), items.len()),
        Value::Map(entries) => {
            (format!("{{{} entr{}}}", entries.len(), if entries.len() == 1 { "y" } else { "ies" }), entries.len())
        }
    };
    let summary = summary(node);
    let summarized = summary.is_some();
    let folded_at_first = summarized || matches!(&node.value, Value::Seq(items) if items.len() > 16);
    Line {
        depth,
        key,
        tag,
        value: summary.map_or(value, |s| cut(&escape_for_terminal(&s))),
        children,
        end: 0,
        folded_at_first,
        summarized,
    }
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf".into() } else { "-.inf".into() }
    } else {
        format!("{f:?}")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

impl Line {
    /// `key: !tag value` (without indentation).
    pub fn text(&self) -> String {
        let mut out = String::new();
        if !self.key.is_empty() {
            out.push_str(&self.key);
            out.push_str(if self.key == "-" { " " } else { ": " });
        }
        if let Some(tag) = &self.tag {
            out.push('!');
            out.push_str(tag);
            out.push(' ');
        }
        out.push_str(&self.value);
        out
    }
}

/// The lines shown when the lines `folded` are folded: indices into `lines`.
pub fn visible(lines: &[Line], folded: impl Fn(usize) -> bool) -> Vec<usize> {
    let mut shown = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        shown.push(at);
        at = if folded(at) && lines[at].children > 0 { lines[at].end.max(at + 1) } else { at + 1 };
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse_tree;
    use super::*;

    fn lines() -> Vec<Line> {
        let yaml = "%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\nmeta:\n  name: \"a\\e[31mb\"\n  list: [1, 2]\ndata: !core/ndarray-1.0.0 {source: 0, datatype: float32, shape: [2, 2]}\nlast: ok\n...\n";
        outline(&parse_tree(yaml).unwrap().unwrap())
    }

    #[test]
    fn one_line_per_node_in_order() {
        let lines = lines();
        let texts: Vec<String> =
            lines.iter().map(|l| format!("{}{}", "  ".repeat(l.depth as usize), l.text())).collect();
        assert_eq!(texts[0], "!core/asdf-1.1.0 {3 entries}");
        assert_eq!(texts[1], "  meta: {2 entries}");
        assert_eq!(texts[2], "    name: a\\e[31mb", "control characters escaped");
        assert_eq!(texts[4], "      - 1");
        assert_eq!(texts[6], "  data: !core/ndarray-1.0.0 ndarray 2x2 float32, block 0");
        assert_eq!(texts.last().unwrap(), "  last: ok");
        assert_eq!(lines.len(), 13);
        assert_eq!((lines[0].end, lines[1].end, lines[3].end, lines[6].end), (13, 6, 6, 12));
        assert!(lines[6].folded_at_first && !lines[1].folded_at_first);
    }

    #[test]
    fn folding_hides_subtrees() {
        let lines = lines();
        assert_eq!(visible(&lines, |_| false).len(), lines.len());
        assert_eq!(visible(&lines, |i| i == 1), [0, 1, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(visible(&lines, |i| i == 0), [0]);
        assert_eq!(visible(&lines, |i| lines[i].folded_at_first), [0, 1, 2, 3, 4, 5, 6, 12]);
    }
}
