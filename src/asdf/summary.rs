//! One-line descriptions of tagged nodes: an ndarray's shape, dtype and
//! where its data lives (`ndarray 4088x4088 float32, block 0`). Pure.

use super::tree::{Node, Value};

/// The summary of a node the tree shows next to its tag, if it has one.
pub fn summary(node: &Node) -> Option<String> {
    match node.tag_name()? {
        "ndarray" => Some(ndarray(node)),
        _ => None,
    }
}

/// `ndarray 64x64 float32, block 0`, `ndarray 3 int64, inline`, `ndarray 10 float64, file "x.asdf"`.
fn ndarray(node: &Node) -> String {
    let data = node.get("data");
    let shape = match node.get("shape") {
        Some(Node { value: Value::Seq(dims), .. }) => dims.iter().map(dimension).collect::<Vec<_>>().join("x"),
        Some(other) => dimension(other),
        None => data.map(inline_shape).unwrap_or_else(|| "?".into()),
    };
    let dtype =
        node.get("datatype").map_or_else(|| if data.is_some() { "inline".into() } else { "?".into() }, datatype);
    let dtype = match node.get("byteorder").map(|n| &n.value) {
        Some(Value::Str(order)) if order == "big" && !dtype.starts_with('{') => format!(">{dtype}"),
        _ => dtype,
    };
    let source = match (node.get("source").map(|n| &n.value), data) {
        (Some(Value::Int(block)), _) => format!("block {block}"),
        (Some(Value::Str(file)), _) => format!("file {file:?}"),
        (_, Some(_)) => "inline".into(),
        _ => "no data".into(),
    };
    let mut text = format!("ndarray {shape} {dtype}, {source}");
    if let Some(Node { value: Value::Seq(strides), .. }) = node.get("strides") {
        text.push_str(&format!(", strides {}", strides.iter().map(dimension).collect::<Vec<_>>().join("x")));
    }
    text
}

fn dimension(node: &Node) -> String {
    match &node.value {
        Value::Int(n) => n.to_string(),
        Value::Str(s) => s.chars().take(16).collect(),
        _ => "?".into(),
    }
}

/// The shape of inline data: the lengths of the first list at each depth.
fn inline_shape(node: &Node) -> String {
    let mut dims = Vec::new();
    let mut here = node;
    while let Value::Seq(items) = &here.value {
        dims.push(items.len().to_string());
        match items.first() {
            Some(first) if dims.len() < 32 => here = first,
            _ => break,
        }
    }
    if dims.is_empty() { "scalar".into() } else { dims.join("x") }
}

/// `float32`, `ascii16`, `ucs4(8)`, or `{a: float64, b: int32}` for a record.
fn datatype(node: &Node) -> String {
    match &node.value {
        Value::Str(name) => name.chars().take(32).collect(),
        Value::Seq(items) => match items.as_slice() {
            [Node { value: Value::Str(kind), .. }, Node { value: Value::Int(n), .. }] => format!("{kind}({n})"),
            fields => {
                let names: Vec<String> = fields.iter().take(8).map(field).collect();
                let more = if fields.len() > 8 { format!(", … {} more", fields.len() - 8) } else { String::new() };
                format!("{{{}{more}}}", names.join(", "))
            }
        },
        _ => "?".into(),
    }
}

/// One field of a record datatype: `name: float64`.
fn field(node: &Node) -> String {
    let name: String = match node.get("name").map(|n| &n.value) {
        Some(Value::Str(name)) => name.chars().take(32).collect(),
        _ => "?".into(),
    };
    let kind = node.get("datatype").map_or_else(|| "?".into(), datatype_flat);
    format!("{name}: {kind}")
}

/// A nested datatype without further nesting.
fn datatype_flat(node: &Node) -> String {
    match &node.value {
        Value::Str(name) => name.chars().take(32).collect(),
        Value::Seq(items) => match items.as_slice() {
            [Node { value: Value::Str(kind), .. }, Node { value: Value::Int(n), .. }] => format!("{kind}({n})"),
            _ => "record".into(),
        },
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse_tree;
    use super::*;

    fn summarize(yaml: &str) -> Option<String> {
        let root = parse_tree(&format!("%TAG ! tag:stsci.edu:asdf/\n---\nx: {yaml}\n")).unwrap().unwrap();
        summary(root.get("x").unwrap())
    }

    #[test]
    fn ndarrays_in_one_line() {
        assert_eq!(
            summarize("!core/ndarray-1.0.0 {source: 0, datatype: float32, byteorder: little, shape: [4088, 4088]}")
                .unwrap(),
            "ndarray 4088x4088 float32, block 0"
        );
        assert_eq!(
            summarize("!core/ndarray-1.0.0 {source: 1, datatype: uint32, byteorder: big, shape: [64, 64]}").unwrap(),
            "ndarray 64x64 >uint32, block 1"
        );
        assert_eq!(
            summarize("!core/ndarray-1.0.0 {data: [[1, 2, 3], [4, 5, 6]], datatype: int64}").unwrap(),
            "ndarray 2x3 int64, inline"
        );
        assert_eq!(
            summarize("!core/ndarray-1.0.0 {source: other.asdf, datatype: [ucs4, 8], shape: ['*']}").unwrap(),
            "ndarray * ucs4(8), file \"other.asdf\""
        );
        let record = "!core/ndarray-1.0.0 {source: 2, shape: [10], datatype: [{name: a, datatype: float64}, {name: b, datatype: [ascii, 4]}]}";
        assert_eq!(summarize(record).unwrap(), "ndarray 10 {a: float64, b: ascii(4)}, block 2");
        assert_eq!(summarize("!core/ndarray-1.0.0 5").unwrap(), "ndarray ? ?, no data");
        assert_eq!(summarize("!core/software-1.0.0 {name: asdf}"), None);
        assert_eq!(summarize("plain"), None);
    }
}
