//! The object index behind the embedded S3 server: buckets of keys, each
//! pointing at content on disk or in memory. Pure data structure; the s3s
//! glue lives in `server.rs`.
//!
//! Keys are arbitrary strings (`a//b`, `dir/` markers beside `dir/child`,
//! control characters), which a file-system backed server cannot hold.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

/// Where an object's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The whole file at this path (may be sparse).
    File(PathBuf),
    Memory(Bytes),
}

/// An object's metadata and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub size: u64,
    /// Hex MD5 of the content, without quotes.
    pub etag: String,
    /// Seconds since the Unix epoch.
    pub last_modified: i64,
    pub content: Content,
    /// The full-object CRC-64/NVME S3 stores for objects uploaded since
    /// 2025 (`None`: an older upload, as most archive files are).
    pub crc64nvme: Option<u64>,
}

impl StoredObject {
    /// An in-memory object, as a new upload: its ETag is the MD5 of `data`
    /// and it carries a CRC-64/NVME.
    pub fn in_memory(data: impl Into<Bytes>, last_modified: i64) -> Self {
        let data = data.into();
        Self {
            size: data.len() as u64,
            etag: md5_hex(&data),
            last_modified,
            crc64nvme: Some(crate::checksum::crc64nvme(&data)),
            content: Content::Memory(data),
        }
    }
}

pub use crate::checksum::{hex, md5_hex};

/// A bucket: its keys in byte order, and whether anonymous requests may read it.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    pub public: bool,
    pub objects: BTreeMap<String, Arc<StoredObject>>,
}

/// All buckets of a server.
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub buckets: BTreeMap<String, Bucket>,
}

/// What a ListObjects request asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub prefix: &'a str,
    pub delimiter: Option<&'a str>,
    /// Only entries strictly after this key (StartAfter or continuation).
    pub after: Option<&'a str>,
    pub max_keys: usize,
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub objects: Vec<(String, Arc<StoredObject>)>,
    pub prefixes: Vec<String>,
    /// More entries follow; continue after `last`.
    pub truncated: bool,
    pub last: Option<String>,
}

impl Store {
    pub fn add_bucket(&mut self, name: &str, public: bool) -> &mut Bucket {
        let bucket = self.buckets.entry(name.to_string()).or_default();
        bucket.public = public;
        bucket
    }

    /// Adds (or replaces) an object, creating a public bucket if needed.
    pub fn put(&mut self, bucket: &str, key: &str, object: StoredObject) {
        let entry =
            self.buckets.entry(bucket.to_string()).or_insert_with(|| Bucket { public: true, ..Bucket::default() });
        entry.objects.insert(key.to_string(), Arc::new(object));
    }

    pub fn get(&self, bucket: &str, key: &str) -> Option<&Arc<StoredObject>> {
        self.buckets.get(bucket)?.objects.get(key)
    }

    /// One page of ListObjects semantics; `None` if there is no such bucket.
    pub fn list(&self, bucket: &str, query: &ListQuery<'_>) -> Option<Listing> {
        let objects = &self.buckets.get(bucket)?.objects;
        let mut listing = Listing::default();
        let mut lower = match query.after {
            Some(after) if after >= query.prefix => Bound::Excluded(after.to_string()),
            _ => Bound::Included(query.prefix.to_string()),
        };
        let delimiter = query.delimiter.filter(|d| !d.is_empty());
        let mut count = 0;
        'seek: loop {
            for (key, object) in objects.range::<String, _>((lower.clone(), Bound::Unbounded)) {
                if !key.starts_with(query.prefix) {
                    break 'seek;
                }
                let rest = &key[query.prefix.len()..];
                let common = delimiter.and_then(|d| rest.find(d).map(|at| &key[..query.prefix.len() + at + d.len()]));
                if let Some(common) = common {
                    let seen = listing.prefixes.last().is_some_and(|p| p == common);
                    if !seen && query.after.is_none_or(|after| common > after) {
                        if count == query.max_keys {
                            listing.truncated = true;
                            break 'seek;
                        }
                        listing.prefixes.push(common.to_string());
                        listing.last = Some(common.to_string());
                        count += 1;
                    }
                    // Skip the rest of this common prefix in one seek.
                    let mut past = common.to_string();
                    past.push(char::MAX);
                    lower = Bound::Included(past);
                    continue 'seek;
                }
                if count == query.max_keys {
                    listing.truncated = true;
                    break 'seek;
                }
                listing.objects.push((key.clone(), object.clone()));
                listing.last = Some(key.clone());
                count += 1;
            }
            break;
        }
        Some(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(keys: &[&str]) -> Store {
        let mut store = Store::default();
        store.add_bucket("b", true);
        for key in keys {
            store.put("b", key, StoredObject::in_memory(key.as_bytes().to_vec(), 0));
        }
        store
    }

    fn query<'a>(
        prefix: &'a str,
        delimiter: Option<&'a str>,
        after: Option<&'a str>,
        max_keys: usize,
    ) -> ListQuery<'a> {
        ListQuery { prefix, delimiter, after, max_keys }
    }

    fn keys(listing: &Listing) -> Vec<&str> {
        listing.objects.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn delimiter_groups_common_prefixes() {
        let s = store(&["a/1", "a/2", "b", "c/x/y", "dir/", "dir/child", "a//b"]);
        let l = s.list("b", &query("", Some("/"), None, 1000)).unwrap();
        assert_eq!(l.prefixes, ["a/", "c/", "dir/"]);
        assert_eq!(keys(&l), ["b"]);
        assert!(!l.truncated);
        let l = s.list("b", &query("a/", Some("/"), None, 1000)).unwrap();
        assert_eq!(l.prefixes, ["a//"]);
        assert_eq!(keys(&l), ["a/1", "a/2"]);
        let l = s.list("b", &query("dir/", Some("/"), None, 1000)).unwrap();
        assert_eq!(keys(&l), ["dir/", "dir/child"]);
    }

    #[test]
    fn pages_resume_after_the_last_entry_without_repeats() {
        let names: Vec<String> =
            (0..25).map(|i| format!("p/{i:03}")).chain((0..5).map(|i| format!("p/sub{i}/x"))).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = store(&refs);
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let l = s.list("b", &query("p/", Some("/"), after.as_deref(), 7)).unwrap();
            assert!(l.objects.len() + l.prefixes.len() <= 7);
            seen.extend(l.objects.iter().map(|(k, _)| k.clone()));
            seen.extend(l.prefixes.iter().cloned());
            if !l.truncated {
                break;
            }
            after = l.last.clone();
        }
        seen.sort();
        let mut expected: Vec<String> =
            (0..25).map(|i| format!("p/{i:03}")).chain((0..5).map(|i| format!("p/sub{i}/"))).collect();
        expected.sort();
        assert_eq!(seen, expected);
    }

    #[test]
    fn truncated_only_when_more_entries_exist() {
        let s = store(&["x/1", "x/2"]);
        assert!(!s.list("b", &query("x/", Some("/"), None, 2)).unwrap().truncated);
        assert!(s.list("b", &query("x/", Some("/"), None, 1)).unwrap().truncated);
        let after_prefix = store(&["a/1", "a/2", "b"]);
        let l = after_prefix.list("b", &query("", Some("/"), Some("a/"), 10)).unwrap();
        assert_eq!((l.prefixes.len(), keys(&l)), (0, vec!["b"]));
    }

    #[test]
    fn no_delimiter_lists_everything_below_the_prefix() {
        let s = store(&["a/1", "a/b/2", "ab", "b"]);
        let l = s.list("b", &query("a", None, None, 1000)).unwrap();
        assert_eq!(keys(&l), ["a/1", "a/b/2", "ab"]);
        assert!(s.list("missing", &query("", None, None, 10)).is_none());
    }
}
