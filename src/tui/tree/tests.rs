use super::*;

fn object(key: &str, size: u64, modified: i64) -> Entry {
    Entry::Object(ObjectInfo { key: key.into(), size, last_modified: Some(modified), etag: None, storage_class: None })
}

fn prefix(key: &str) -> Entry {
    Entry::Prefix(key.into())
}

fn names(tree: &TreeModel, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| match r.kind {
            RowKind::Node => format!("{}{}", "  ".repeat(r.depth as usize), tree.node(r.node).name),
            other => format!("{}<{other:?}>", "  ".repeat(r.depth as usize)),
        })
        .collect()
}

fn sample() -> (TreeModel, NodeId) {
    let mut tree = TreeModel::default();
    let bucket = tree.add_bucket("nasa-heasarc", Some("HEASARC"));
    tree.add_bucket("stpubdata", Some("MAST"));
    tree.merge_entries(bucket, &[prefix("chandra/"), object("readme.txt", 10, 5), prefix("swift/")]);
    (tree, bucket)
}

#[test]
fn keys_and_uris_are_rebuilt_from_names() {
    let (mut tree, bucket) = sample();
    let chandra = tree.child_named(bucket, "chandra/").unwrap();
    tree.merge_entries(chandra, &[object("chandra/a b+%.fits", 1, 1), prefix("chandra/data/")]);
    let file = tree.child_named(chandra, "a b+%.fits").unwrap();
    assert_eq!(tree.key_of(file), "chandra/a b+%.fits");
    assert_eq!(tree.uri_of(file).to_string(), "s3://nasa-heasarc/chandra/a b+%.fits");
    assert_eq!(tree.key_of(bucket), "");
    assert_eq!(tree.bucket_of(file), bucket);
}

#[test]
fn flatten_shows_expanded_children_and_status_rows() {
    let (mut tree, bucket) = sample();
    assert_eq!(names(&tree, &tree.flatten(SortKey::Name, None)), ["nasa-heasarc", "stpubdata"]);
    tree.node_mut(bucket).expanded = true;
    tree.node_mut(bucket).load = LoadState::Loaded;
    let chandra = tree.child_named(bucket, "chandra/").unwrap();
    tree.node_mut(chandra).expanded = true;
    tree.node_mut(chandra).load = LoadState::Loading { request: 1, pages: 0, next: None };
    let rows = tree.flatten(SortKey::Name, None);
    assert_eq!(
        names(&tree, &rows),
        ["nasa-heasarc", "  chandra/", "    <Loading>", "  readme.txt", "  swift/", "stpubdata"]
    );
    tree.node_mut(chandra).load = LoadState::Failed("access denied".into());
    assert_eq!(names(&tree, &tree.flatten(SortKey::Name, None))[2], "    <Failed>");
    tree.node_mut(chandra).load = LoadState::Loaded;
    assert_eq!(names(&tree, &tree.flatten(SortKey::Name, None))[2], "    <Empty>");
    tree.merge_entries(chandra, &[object("chandra/x", 1, 1)]);
    tree.node_mut(chandra).load = LoadState::Partial { token: "t".into(), at_bound: true };
    assert_eq!(names(&tree, &tree.flatten(SortKey::Name, None))[2..4], ["    x", "    <More>"]);
}

#[test]
fn merging_keeps_s3_order_and_skips_duplicates() {
    let (mut tree, bucket) = sample();
    tree.merge_entries(bucket, &[prefix("asca/"), object("readme.txt", 99, 7), object("zz", 1, 1)]);
    let children: Vec<&str> = tree.node(bucket).children.iter().map(|&c| &*tree.node(c).name).collect();
    assert_eq!(children, ["asca/", "chandra/", "readme.txt", "swift/", "zz"]);
    let readme = tree.child_named(bucket, "readme.txt").unwrap();
    assert_eq!(tree.node(readme).object().unwrap().size, 99, "a re-listed object is updated");
    // Entries outside the parent's key are ignored.
    let swift = tree.child_named(bucket, "swift/").unwrap();
    tree.merge_entries(swift, &[object("chandra/elsewhere", 1, 1)]);
    assert!(tree.node(swift).children.is_empty());
}

#[test]
fn marker_objects_and_double_slashes_have_their_own_rows() {
    let mut tree = TreeModel::default();
    let bucket = tree.add_bucket("demo-edge", None);
    tree.merge_entries(bucket, &[prefix("a/"), prefix("dir/")]);
    let dir = tree.child_named(bucket, "dir/").unwrap();
    tree.merge_entries(dir, &[object("dir/", 0, 0), object("dir/inside.txt", 1, 0)]);
    let marker = tree.child_named(dir, "").unwrap();
    assert_eq!(tree.key_of(marker), "dir/");
    let a = tree.child_named(bucket, "a/").unwrap();
    tree.merge_entries(a, &[prefix("a//")]);
    let double = tree.child_named(a, "/").unwrap();
    assert_eq!(tree.key_of(double), "a//");
}

#[test]
fn sort_by_size_and_date_puts_prefixes_first() {
    let mut tree = TreeModel::default();
    let bucket = tree.add_bucket("b", None);
    tree.merge_entries(bucket, &[object("big", 100, 1), prefix("p/"), object("new", 5, 9), object("old", 50, 0)]);
    tree.node_mut(bucket).expanded = true;
    tree.node_mut(bucket).load = LoadState::Loaded;
    let order = |sort| names(&tree, &tree.flatten(sort, None))[1..].to_vec();
    assert_eq!(order(SortKey::Name), ["  big", "  new", "  old", "  p/"]);
    assert_eq!(order(SortKey::Size), ["  p/", "  big", "  old", "  new"]);
    assert_eq!(order(SortKey::Date), ["  p/", "  new", "  big", "  old"]);
}

#[test]
fn filter_hides_non_matching_children_of_one_prefix_only() {
    let (mut tree, bucket) = sample();
    tree.node_mut(bucket).expanded = true;
    tree.node_mut(bucket).load = LoadState::Loaded;
    let filter = Filter { node: bucket, text: "CHAN".into() };
    assert_eq!(names(&tree, &tree.flatten(SortKey::Name, Some(&filter))), ["nasa-heasarc", "  chandra/", "stpubdata"]);
}

#[test]
fn cleared_subtrees_recycle_their_slots() {
    let (mut tree, bucket) = sample();
    let chandra = tree.child_named(bucket, "chandra/").unwrap();
    let entries: Vec<Entry> = (0..100).map(|i| object(&format!("chandra/f{i:03}"), 1, 1)).collect();
    tree.merge_entries(chandra, &entries);
    let before = tree.len();
    tree.clear_children(bucket);
    assert_eq!(tree.len(), before - 103);
    let arena = tree.nodes.len();
    tree.merge_entries(bucket, &[prefix("chandra/")]);
    assert_eq!(tree.len(), before - 102);
    assert_eq!(tree.nodes.len(), arena, "a freed slot was reused");
    assert_eq!(tree.summary(bucket), Summary { prefixes: 1, objects: 0, bytes: 0 });
}

#[test]
fn etags_round_trip_compactly() {
    let md5 = "\"7b5fbc177371f4c14107a882843b7014\"";
    assert!(matches!(Etag::parse(Some(md5)), Etag::Md5(_)));
    assert_eq!(Etag::parse(Some(md5)).to_header().as_deref(), Some(md5));
    let multipart = "\"7b5fbc177371f4c14107a882843b7014-3\"";
    assert_eq!(Etag::parse(Some(multipart)).to_header().as_deref(), Some(multipart));
    assert_eq!(Etag::parse(None).to_header(), None);
    assert!(size_of::<Etag>() <= 24);
}

#[test]
fn summary_counts_loaded_children() {
    let (tree, bucket) = sample();
    assert_eq!(tree.summary(bucket), Summary { prefixes: 2, objects: 1, bytes: 10 });
}
