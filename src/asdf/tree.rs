//! The ASDF tree: YAML nodes in document order (mappings keep their order),
//! with their tags. Built from saphyr-parser's events. Pure.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Nesting deeper than this is refused (a hostile tree could exhaust the stack).
pub const MAX_DEPTH: usize = 128;
/// Nodes a tree may hold, aliases expanded (a "billion laughs" tree is refused).
pub const MAX_NODES: usize = 2_000_000;

/// A YAML tag, resolved through the document's `%TAG` directives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The whole tag, e.g. `tag:stsci.edu:asdf/core/ndarray-1.0.0`.
    pub full: String,
}

impl Tag {
    pub fn new(full: impl Into<String>) -> Self {
        Self { full: full.into() }
    }

    /// How the tree shows it: `core/ndarray-1.0.0` for the ASDF standard's
    /// tags, the part after `/tags/` for `asdf://…/tags/…` URIs, else the whole tag.
    pub fn short(&self) -> &str {
        let full = self.full.as_str();
        if let Some(rest) = full.strip_prefix("tag:stsci.edu:asdf/") {
            return rest;
        }
        if full.starts_with("asdf://")
            && let Some(at) = full.rfind("/tags/")
        {
            return &full[at + "/tags/".len()..];
        }
        full
    }

    /// The tag's name without its path and version: `ndarray`.
    pub fn name(&self) -> &str {
        let last = self.short().rsplit('/').next().unwrap_or_default();
        match last.rfind('-') {
            Some(at) if last[at + 1..].starts_with(|c: char| c.is_ascii_digit()) => &last[..at],
            _ => last,
        }
    }
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub tag: Option<Tag>,
    pub value: Value,
}

/// A node's value, typed like YAML 1.1's resolver (as PyYAML, which the
/// Python `asdf` package uses, types plain scalars).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Integers beyond 64 bits stay exact.
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order; keys that are not scalars are written out as text.
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn plain(value: Value) -> Self {
        Self { tag: None, value }
    }

    /// The value of `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The tag's name (`ndarray`), if tagged.
    pub fn tag_name(&self) -> Option<&str> {
        self.tag.as_ref().map(Tag::name)
    }
}

/// A malformed or hostile tree, phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError(pub String);

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A collection being built.
struct Frame {
    tag: Option<Tag>,
    anchor: usize,
    /// Nodes below it so far.
    count: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map { entries: Vec<(String, Node)>, key: Option<String> },
}

/// Parses one YAML document (the text up to and including its `...` line)
/// into a tree. `None` when the document is empty.
pub fn parse_tree(yaml: &str) -> Result<Option<Node>, TreeError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(yaml) {
        let (event, span) = event.map_err(|e| TreeError(format!("the YAML tree is malformed: {e}")))?;
        let done = builder.on_event(event).map_err(|why| TreeError(format!("{why} (line {})", span.start.line())))?;
        if done {
            break;
        }
    }
    Ok(builder.root)
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder {
    /// Takes one event; true once the first document is complete.
    fn on_event(&mut self, event: Event<'_>) -> Result<bool, String> {
        match event {
            Event::DocumentEnd | Event::StreamEnd => return Ok(true),
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            Event::Alias(id) => {
                let (node, count) = self.anchors.get(&id).ok_or("an alias names no anchor")?;
                if self.nodes + count > MAX_NODES {
                    return Err(format!("the YAML tree holds more than {MAX_NODES} nodes (aliases expanded)"));
                }
                let (node, count) = (node.clone(), *count);
                self.add(node, count, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| Tag::new(format!("{}{}", t.handle, t.suffix)));
                let node = scalar(&text, style, tag);
                self.add(node, 1, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => self.open(anchor, tag.map(|t| t.into_owned()), true)?,
            Event::MappingStart(anchor, tag) => self.open(anchor, tag.map(|t| t.into_owned()), false)?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Err("a collection ends that never began".into()) };
                let value = match frame.kind {
                    FrameKind::Seq(items) => Value::Seq(items),
                    FrameKind::Map { entries, .. } => Value::Map(entries),
                };
                self.nodes = self.nodes.saturating_sub(frame.count);
                self.add(Node { tag: frame.tag, value }, frame.count + 1, frame.anchor)?;
            }
        }
        Ok(false)
    }

    /// Starts a sequence or a mapping.
    fn open(&mut self, anchor: usize, tag: Option<saphyr_parser::Tag>, seq: bool) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("the YAML tree is nested deeper than {MAX_DEPTH} levels"));
        }
        let tag = tag.map(|t| Tag::new(format!("{}{}", t.handle, t.suffix))).filter(|t| !is_core(t));
        let kind = if seq { FrameKind::Seq(Vec::new()) } else { FrameKind::Map { entries: Vec::new(), key: None } };
        self.stack.push(Frame { tag, anchor, count: 0, kind });
        Ok(())
    }

    /// Places a finished node (`count` nodes in all) in its parent.
    fn add(&mut self, node: Node, count: usize, anchor: usize) -> Result<(), String> {
        self.nodes += count;
        if self.nodes > MAX_NODES {
            return Err(format!("the YAML tree holds more than {MAX_NODES} nodes (aliases expanded)"));
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root.get_or_insert(node);
            return Ok(());
        };
        parent.count += count;
        match &mut parent.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key } => match key.take() {
                None => *key = Some(key_text(&node)),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Tags of YAML's core schema only type a scalar; they are not kept.
fn is_core(tag: &Tag) -> bool {
    tag.full.starts_with("tag:yaml.org,2002:")
}

/// A scalar typed as YAML 1.1 types it: plain scalars by their text, quoted
/// and block scalars as strings, core tags (`!!str`, `!!int`) as they say.
fn scalar(text: &str, style: ScalarStyle, tag: Option<Tag>) -> Node {
    let core = tag.as_ref().filter(|t| is_core(t)).map(|t| t.full["tag:yaml.org,2002:".len()..].to_string());
    let tag = tag.filter(|t| !is_core(t));
    let value = match core.as_deref() {
        Some("str") => Value::Str(text.to_string()),
        Some("int") => int(text).map_or_else(|| Value::Str(text.to_string()), Value::Int),
        Some("float") => {
            float(text).or_else(|| int(text).map(|i| i as f64)).map_or_else(|| Value::Str(text.into()), Value::Float)
        }
        Some("bool") => boolean(text).map_or_else(|| Value::Str(text.to_string()), Value::Bool),
        Some("null") => Value::Null,
        _ if style != ScalarStyle::Plain => Value::Str(text.to_string()),
        _ => plain(text),
    };
    Node { tag, value }
}

/// A plain scalar's type from its text.
pub fn plain(text: &str) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = boolean(text) {
        return Value::Bool(b);
    }
    if let Some(i) = int(text) {
        return Value::Int(i);
    }
    if let Some(f) = float(text) {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Decimal, `0x` hexadecimal and `0o` or leading-zero octal, `_` allowed between digits.
fn int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digits.replace('_', "");
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex.to_string())
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct.to_string())
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, digits[1..].to_string())
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&body, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Floats with a `.` or an exponent, and `.inf`, `-.inf`, `.nan`.
fn float(text: &str) -> Option<f64> {
    let unsigned = text.trim_start_matches(['-', '+']);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(if text.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => return Some(f64::NAN),
        _ => {}
    }
    let clean = text.replace('_', "");
    let looks = clean.contains(['.', 'e', 'E'])
        && clean.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && clean.chars().any(|c| c.is_ascii_digit());
    if looks { clean.parse().ok() } else { None }
}

/// A mapping key as text: a scalar's own text, a collection written short.
fn key_text(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
        Value::Seq(items) => format!("[{} items]", items.len()),
        Value::Map(entries) => format!("{{{} entries}}", entries.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(yaml: &str) -> Node {
        parse_tree(yaml).unwrap().unwrap()
    }

    #[test]
    fn mappings_keep_order_and_tags_resolve() {
        let yaml = "%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\nzeta: 1\nalpha: !core/ndarray-1.0.0\n  source: 0\n  shape: [2, 3]\n...\n";
        let root = tree(yaml);
        assert_eq!(root.tag.as_ref().unwrap().full, "tag:stsci.edu:asdf/core/asdf-1.1.0");
        let Value::Map(entries) = &root.value else { panic!() };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha"]);
        let array = root.get("alpha").unwrap();
        let tag = array.tag.as_ref().unwrap();
        assert_eq!((tag.short(), tag.name()), ("core/ndarray-1.0.0", "ndarray"));
        let shape = array.get("shape").unwrap();
        assert_eq!(shape.value, Value::Seq(vec![Node::plain(Value::Int(2)), Node::plain(Value::Int(3))]));
    }

    #[test]
    fn verbatim_and_named_handles() {
        let yaml = "%TAG !roman! asdf://stsci.edu/datamodels/roman/tags/\n--- \na: !roman!wfi_image-1.0.0 {x: 1}\nb: !<asdf://stsci.edu/asdf/tags/core/complex-1.0.0> 1+2j\nc: !local 3\n...\n";
        let root = tree(yaml);
        let a = root.get("a").unwrap().tag.clone().unwrap();
        assert_eq!((a.short(), a.name()), ("wfi_image-1.0.0", "wfi_image"));
        let b = root.get("b").unwrap();
        assert_eq!(b.tag.as_ref().unwrap().short(), "core/complex-1.0.0");
        assert_eq!(b.value, Value::Str("1+2j".into()));
        let c = root.get("c").unwrap();
        assert_eq!((c.tag.as_ref().unwrap().full.as_str(), &c.value), ("!local", &Value::Int(3)));
    }

    #[test]
    fn scalars_typed_like_yaml_1_1() {
        let root = tree(
            "a: ~\nb: yes\nc: 0x1f\nd: -1.5e3\ne: '12'\nf: .nan\ng: 1.0.0\nh: 99999999999999999999\ni: !!str 5\nj: 010\nk: -.inf\n",
        );
        let get = |k: &str| root.get(k).unwrap().value.clone();
        assert_eq!(get("a"), Value::Null);
        assert_eq!(get("b"), Value::Bool(true));
        assert_eq!(get("c"), Value::Int(31));
        assert_eq!(get("d"), Value::Float(-1500.0));
        assert_eq!(get("e"), Value::Str("12".into()));
        assert!(matches!(get("f"), Value::Float(f) if f.is_nan()));
        assert_eq!(get("g"), Value::Str("1.0.0".into()));
        assert_eq!(get("h"), Value::Int(99999999999999999999));
        assert_eq!(get("i"), Value::Str("5".into()));
        assert_eq!(get("j"), Value::Int(8));
        assert_eq!(get("k"), Value::Float(f64::NEG_INFINITY));
        assert!(root.get("i").unwrap().tag.is_none(), "core tags are not kept");
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let root = tree("a: &x {k: [1, 2]}\nb: *x\n");
        assert_eq!(root.get("a"), root.get("b"));
    }

    #[test]
    fn hostile_trees_are_refused() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let error = parse_tree(&deep).unwrap_err().0;
        assert!(error.contains("deeper than"), "{error}");
        let deeper = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse_tree(&deeper).is_err());
        // Each level doubles: 2^40 nodes once expanded.
        let mut laughs = String::from("a0: &a0 [x, x]\n");
        for i in 1..40 {
            laughs.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        assert!(parse_tree(&laughs).unwrap_err().0.contains("more than"));
        assert!(parse_tree("a: [1, 2\nb: }").unwrap_err().0.contains("malformed"));
        assert!(parse_tree("*nothing").is_err());
        assert_eq!(parse_tree("").unwrap(), None);
    }
}
