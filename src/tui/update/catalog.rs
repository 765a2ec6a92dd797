//! The preview of a prefix that holds a catalog: a HATS catalog or
//! collection, or a hive-partitioned Parquet dataset, known from the
//! prefix's children already listed (nothing is listed for it). Its summary
//! is read by the runner from the catalog's small files.

use crate::columnar::catalog_read::Listing;
use crate::columnar::dataset::{Layout, detect, is_hive_partition};
use crate::copy_format::Tabular;
use crate::preview::PreviewBody;
use crate::s3::S3Uri;
use crate::s3::list::{Entry, ObjectInfo};
use crate::tui::effect::Effect;
use crate::tui::preview_state::PreviewContent;
use crate::tui::state::State;
use crate::tui::tree::{LoadState, NodeId, NodeKind};

/// Objects that can make a prefix a catalog or a dataset.
const MARKERS: [&str; 5] = ["collection.properties", "hats.properties", "properties", "_common_metadata", "_metadata"];

impl State {
    /// The listed children of a prefix as a listing, and what they make it.
    pub(crate) fn catalog_layout(&self, node: NodeId) -> Option<(Layout, Listing)> {
        let prefix = self.tree.node(node);
        if !prefix.is_container() || prefix.children.is_empty() {
            return None;
        }
        // Most prefixes are not catalogs: decided by names alone before building a listing.
        let marker = |c: &NodeId| {
            let child = self.tree.node(*c);
            match &child.kind {
                NodeKind::Object(_) => MARKERS.contains(&&*child.name),
                _ => is_hive_partition(child.name.trim_end_matches('/')),
            }
        };
        if !prefix.children.iter().any(marker) {
            return None;
        }
        let key = self.tree.key_of(node);
        let entries: Vec<Entry> = prefix
            .children
            .iter()
            .map(|&c| {
                let child = self.tree.node(c);
                let full = format!("{key}{}", child.name);
                match &child.kind {
                    NodeKind::Object(meta) => Entry::Object(ObjectInfo {
                        key: full,
                        size: meta.size,
                        last_modified: meta.modified,
                        etag: meta.etag.to_header(),
                        storage_class: None,
                    }),
                    _ => Entry::Prefix(full),
                }
            })
            .collect();
        let truncated = prefix.load != LoadState::Loaded;
        let layout = detect(&key, &entries, truncated);
        (layout != Layout::Neither).then_some((layout, Listing { entries, truncated }))
    }

    /// Starts reading the summary of the prefix `node` when its children say it is a catalog.
    pub(super) fn preview_catalog(&mut self, node: NodeId) -> Vec<Effect> {
        let Some((_, listing)) = self.catalog_layout(node) else { return Vec::new() };
        let uri = self.tree.uri_of(node);
        let request = self.request_id();
        self.preview.request = Some(request);
        self.preview.loading();
        vec![Effect::SummarisePrefix { request, node, bucket: uri.bucket, prefix: uri.key, listing }]
    }

    /// A page of the selected prefix arrived: it may show it is a catalog.
    pub(super) fn recheck_catalog(&mut self, node: NodeId) -> Vec<Effect> {
        let waiting = self.preview.request.is_none() && *self.preview.content() == PreviewContent::None;
        if self.preview.node != Some(node) || !waiting {
            return Vec::new();
        }
        self.preview_catalog(node)
    }

    /// What the copy menu's target holds, when it is the selected prefix and a catalog.
    pub(super) fn tabular_of(&self, target: &S3Uri) -> Option<Tabular> {
        let node = self.selected_node().filter(|&n| self.tree.uri_of(n) == *target)?;
        let Some((layout, _)) = self.catalog_layout(node) else {
            // Not listed yet: IRSA names its datasets' directories `….parquet/`.
            return target.key.to_ascii_lowercase().ends_with(".parquet/").then_some(Tabular::Dataset);
        };
        Some(match layout {
            Layout::Collection => Tabular::Collection(self.previewed_primary(node)),
            Layout::Hats { .. } => Tabular::Hats,
            Layout::Dataset(_) => Tabular::Dataset,
            Layout::Neither => return None,
        })
    }

    /// A collection's primary catalog, from its summary when the preview has read it.
    fn previewed_primary(&self, node: NodeId) -> Option<String> {
        let data = self.preview.data().filter(|_| self.preview.node == Some(node))?;
        let PreviewBody::Recognized { facts, .. } = &data.body else { return None };
        facts.iter().find_map(|f| f.strip_prefix("catalog: ")).map(str::to_string)
    }
}
