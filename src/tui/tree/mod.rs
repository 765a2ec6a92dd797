//! The explorer's tree model: buckets, prefixes and objects with their load
//! state, children in S3 order. Pure data; no IO, no widget types.
//!
//! Nodes live in an arena and are addressed by [`NodeId`]; a refreshed
//! subtree's slots are recycled. Each node stores only its own name (the part
//! of its key after its parent's key), so an object row costs about 250 bytes.

use std::cmp::Ordering;

use crate::s3::{Entry, ObjectInfo, S3Uri};

pub type NodeId = usize;
/// Identifies one request of the effect runner.
pub type RequestId = u64;

/// An ETag kept compactly: a plain MD5 inline, anything else boxed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Etag {
    #[default]
    Unknown,
    Md5([u8; 16]),
    Other(Box<str>),
}

impl Etag {
    /// From the header form, quotes included (`"9b2c…"`).
    pub fn parse(text: Option<&str>) -> Self {
        let Some(text) = text else { return Etag::Unknown };
        if let Some(hex) = crate::checksum::etag_md5(text) {
            let mut md5 = [0u8; 16];
            for (i, byte) in md5.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0);
            }
            return Etag::Md5(md5);
        }
        Etag::Other(text.into())
    }

    /// Back to the header form, as the server sent it (lower-case hex for MD5s).
    pub fn to_header(&self) -> Option<String> {
        match self {
            Etag::Unknown => None,
            Etag::Md5(md5) => Some(format!("\"{}\"", md5.iter().map(|b| format!("{b:02x}")).collect::<String>())),
            Etag::Other(text) => Some(text.to_string()),
        }
    }
}

/// What an object row knows from its listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub size: u64,
    pub modified: Option<i64>,
    pub etag: Etag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A bucket at the root; `archive` is the catalog's label, if any.
    Bucket {
        archive: Option<Box<str>>,
    },
    Prefix,
    Object(ObjectMeta),
}

/// How much of a bucket's or prefix's children are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    NotLoaded,
    /// Pages are arriving; `next` is where the last received page said to go on.
    Loading {
        request: RequestId,
        pages: u32,
        next: Option<String>,
    },
    /// Stopped with more to fetch: at the row bound (`at_bound`, the user is
    /// asked before going on) or interrupted by collapsing.
    Partial {
        token: String,
        at_bound: bool,
    },
    Loaded,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub parent: Option<NodeId>,
    pub kind: NodeKind,
    /// The key relative to the parent's key (the bucket name for buckets).
    pub name: Box<str>,
    pub children: Vec<NodeId>,
    pub load: LoadState,
    pub expanded: bool,
}

impl Node {
    pub fn is_container(&self) -> bool {
        !matches!(self.kind, NodeKind::Object(_))
    }

    pub fn object(&self) -> Option<&ObjectMeta> {
        match &self.kind {
            NodeKind::Object(meta) => Some(meta),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self.load, LoadState::Loading { .. })
    }
}

/// What a visible row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The node itself.
    Node,
    /// "loading…" under a prefix whose pages are arriving.
    Loading,
    /// The reason a listing failed, under its prefix.
    Failed,
    /// "… more (Enter to load)" under a prefix stopped at the row bound.
    More,
    /// "(empty)" under a loaded prefix without children.
    Empty,
}

/// One line of the flattened tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub node: NodeId,
    pub kind: RowKind,
    pub depth: u16,
}

/// Display order of a prefix's children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// S3 order.
    #[default]
    Name,
    /// Largest objects first; prefixes before objects.
    Size,
    /// Newest objects first; prefixes before objects.
    Date,
}

impl SortKey {
    pub fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Size,
            SortKey::Size => SortKey::Date,
            SortKey::Date => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Size => "size",
            SortKey::Date => "date",
        }
    }
}

/// Children of `node` shown only if their name contains `text` (ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub node: NodeId,
    pub text: String,
}

impl Filter {
    pub fn matches(&self, name: &str) -> bool {
        contains_ignoring_case(name, &self.text)
    }
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Counts over the loaded children of a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub prefixes: usize,
    pub objects: usize,
    pub bytes: u64,
}

/// Nodes in chunks of fixed capacity: growing never copies nodes, and never
/// leaves more than one chunk unused (a doubling vector can leave half).
#[derive(Debug, Clone, Default)]
struct Arena {
    chunks: Vec<Vec<Node>>,
    len: usize,
}

const CHUNK: usize = 1024;

impl Arena {
    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, node: Node) {
        if self.chunks.last().is_none_or(|chunk| chunk.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk with room").push(node);
        self.len += 1;
    }
}

impl std::ops::Index<NodeId> for Arena {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        &self.chunks[id / CHUNK][id % CHUNK]
    }
}

impl std::ops::IndexMut<NodeId> for Arena {
    fn index_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.chunks[id / CHUNK][id % CHUNK]
    }
}

#[derive(Debug, Clone, Default)]
pub struct TreeModel {
    nodes: Arena,
    free: Vec<NodeId>,
    roots: Vec<NodeId>,
}

impl TreeModel {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id]
    }

    #[cfg(test)]
    pub fn roots(&self) -> &[NodeId] {
        &self.roots
    }

    /// Nodes in use.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    fn alloc(&mut self, node: Node) -> NodeId {
        match self.free.pop() {
            Some(id) => {
                self.nodes[id] = node;
                id
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        }
    }

    /// Adds a bucket at the root, or returns the one already there.
    pub fn add_bucket(&mut self, name: &str, archive: Option<&str>) -> NodeId {
        if let Some(id) = self.find_bucket(name) {
            return id;
        }
        let id = self.alloc(Node {
            parent: None,
            kind: NodeKind::Bucket { archive: archive.map(Into::into) },
            name: name.into(),
            children: Vec::new(),
            load: LoadState::NotLoaded,
            expanded: false,
        });
        self.roots.push(id);
        id
    }

    pub fn find_bucket(&self, name: &str) -> Option<NodeId> {
        self.roots.iter().copied().find(|&id| &*self.nodes[id].name == name)
    }

    /// The bucket a node belongs to.
    pub fn bucket_of(&self, mut id: NodeId) -> NodeId {
        while let Some(parent) = self.nodes[id].parent {
            id = parent;
        }
        id
    }

    /// The node's key: "" for a bucket, `a/b/` for a prefix, `a/b/c.fits` for an object.
    pub fn key_of(&self, id: NodeId) -> String {
        let mut parts = Vec::new();
        let mut current = id;
        while let Some(parent) = self.nodes[current].parent {
            parts.push(&*self.nodes[current].name);
            current = parent;
        }
        parts.iter().rev().copied().collect()
    }

    pub fn uri_of(&self, id: NodeId) -> S3Uri {
        S3Uri::new(&*self.nodes[self.bucket_of(id)].name, self.key_of(id))
    }

    /// The child of `parent` with this relative name.
    pub fn child_named(&self, parent: NodeId, name: &str) -> Option<NodeId> {
        let children = &self.nodes[parent].children;
        children.binary_search_by(|&c| (*self.nodes[c].name).cmp(name)).ok().map(|i| children[i])
    }

    /// Merges listing entries (keys below `parent`'s key) into its children,
    /// keeping S3 order and skipping entries already there.
    pub fn merge_entries(&mut self, parent: NodeId, entries: &[Entry]) {
        let parent_key = self.key_of(parent);
        for entry in entries {
            let Some(name) = entry.key().strip_prefix(parent_key.as_str()) else { continue };
            let kind = match entry {
                Entry::Prefix(_) => NodeKind::Prefix,
                Entry::Object(ObjectInfo { size, last_modified, etag, .. }) => NodeKind::Object(ObjectMeta {
                    size: *size,
                    modified: *last_modified,
                    etag: Etag::parse(etag.as_deref()),
                }),
            };
            self.insert_child(parent, name, kind);
        }
    }

    fn insert_child(&mut self, parent: NodeId, name: &str, kind: NodeKind) {
        let position = {
            let children = &self.nodes[parent].children;
            // Pages arrive in order: appending is the common case.
            match children.last() {
                None => Err(0),
                Some(&last) if *self.nodes[last].name < *name => Err(children.len()),
                _ => children.binary_search_by(|&c| (*self.nodes[c].name).cmp(name)),
            }
        };
        match position {
            Ok(index) => {
                let existing = self.nodes[parent].children[index];
                if let (NodeKind::Object(_), NodeKind::Object(_)) = (&self.nodes[existing].kind, &kind) {
                    self.nodes[existing].kind = kind;
                }
            }
            Err(index) => {
                let id = self.alloc(Node {
                    parent: Some(parent),
                    kind,
                    name: name.into(),
                    children: Vec::new(),
                    load: LoadState::NotLoaded,
                    expanded: false,
                });
                self.nodes[parent].children.insert(index, id);
            }
        }
    }

    /// Drops every descendant of `id` (their slots are reused).
    pub fn clear_children(&mut self, id: NodeId) {
        let mut stack = std::mem::take(&mut self.nodes[id].children);
        while let Some(child) = stack.pop() {
            stack.append(&mut self.nodes[child].children);
            self.free.push(child);
        }
    }

    pub fn summary(&self, id: NodeId) -> Summary {
        let mut summary = Summary::default();
        for &child in &self.nodes[id].children {
            match &self.nodes[child].kind {
                NodeKind::Object(meta) => {
                    summary.objects += 1;
                    summary.bytes += meta.size;
                }
                _ => summary.prefixes += 1,
            }
        }
        summary
    }

    /// The ordered children of `id` that pass the filter.
    fn display_children(&self, id: NodeId, sort: SortKey, filter: Option<&Filter>) -> Vec<NodeId> {
        let mut children: Vec<NodeId> = match filter {
            Some(f) if f.node == id => {
                self.nodes[id].children.iter().copied().filter(|&c| f.matches(&self.nodes[c].name)).collect()
            }
            _ => self.nodes[id].children.clone(),
        };
        if sort != SortKey::Name {
            children.sort_by(|&a, &b| self.compare(a, b, sort));
        }
        children
    }

    fn compare(&self, a: NodeId, b: NodeId, sort: SortKey) -> Ordering {
        let (a, b) = (&self.nodes[a], &self.nodes[b]);
        match (a.object(), b.object()) {
            (None, None) => a.name.cmp(&b.name),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => match sort {
                SortKey::Size => y.size.cmp(&x.size),
                _ => y.modified.cmp(&x.modified),
            }
            .then_with(|| a.name.cmp(&b.name)),
        }
    }

    /// The visible rows: every root, and below each expanded node its
    /// children and a status row (loading, error, more, empty).
    pub fn flatten(&self, sort: SortKey, filter: Option<&Filter>) -> Vec<Row> {
        enum Work {
            Node(NodeId, u16),
            Status(NodeId, RowKind, u16),
        }
        let mut rows = Vec::new();
        let mut stack: Vec<Work> = self.roots.iter().rev().map(|&id| Work::Node(id, 0)).collect();
        while let Some(work) = stack.pop() {
            let (id, depth) = match work {
                Work::Status(id, kind, depth) => {
                    rows.push(Row { node: id, kind, depth });
                    continue;
                }
                Work::Node(id, depth) => (id, depth),
            };
            rows.push(Row { node: id, kind: RowKind::Node, depth });
            let node = &self.nodes[id];
            if !node.expanded || !node.is_container() {
                continue;
            }
            let status = match &node.load {
                LoadState::Loading { .. } => Some(RowKind::Loading),
                LoadState::Failed(_) => Some(RowKind::Failed),
                LoadState::Partial { .. } => Some(RowKind::More),
                LoadState::Loaded if node.children.is_empty() => Some(RowKind::Empty),
                _ => None,
            };
            // Pushed in reverse: the status row comes after the children.
            if let Some(kind) = status {
                stack.push(Work::Status(id, kind, depth + 1));
            }
            let children = self.display_children(id, sort, filter);
            stack.extend(children.into_iter().rev().map(|c| Work::Node(c, depth + 1)));
        }
        rows
    }
}

#[cfg(test)]
mod tests;
