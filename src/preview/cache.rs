//! A small LRU cache of previews, keyed by bucket, key and ETag, so a
//! changed object is never shown from the cache.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::PreviewData;

/// (bucket, key, ETag)
pub type CacheKey = (String, String, String);

#[derive(Debug, Clone)]
pub struct PreviewCache {
    capacity: usize,
    entries: HashMap<CacheKey, Arc<PreviewData>>,
    /// Least recently used first.
    order: VecDeque<CacheKey>,
}

impl Default for PreviewCache {
    fn default() -> Self {
        Self::new(64)
    }
}

impl PreviewCache {
    pub fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), entries: HashMap::new(), order: VecDeque::new() }
    }

    pub fn get(&mut self, key: &CacheKey) -> Option<Arc<PreviewData>> {
        let found = self.entries.get(key).cloned()?;
        self.touch(key);
        Some(found)
    }

    pub fn insert(&mut self, key: CacheKey, data: Arc<PreviewData>) {
        if self.entries.insert(key.clone(), data).is_some() {
            self.touch(&key);
            return;
        }
        self.order.push_back(key);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }

    fn touch(&mut self, key: &CacheKey) {
        if let Some(at) = self.order.iter().position(|k| k == key) {
            let key = self.order.remove(at).expect("present");
            self.order.push_back(key);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::{ObjectDetails, PreviewBody};

    fn data(size: u64) -> Arc<PreviewData> {
        Arc::new(PreviewData {
            details: ObjectDetails { size, ..ObjectDetails::default() },
            body: PreviewBody::Empty,
            requests: 1,
            bytes_read: 0,
            asdf_hdu: None,
        })
    }

    fn key(k: &str, etag: &str) -> CacheKey {
        ("b".into(), k.into(), etag.into())
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut cache = PreviewCache::new(2);
        cache.insert(key("a", "1"), data(1));
        cache.insert(key("b", "1"), data(2));
        assert!(cache.get(&key("a", "1")).is_some());
        cache.insert(key("c", "1"), data(3));
        assert!(cache.get(&key("b", "1")).is_none(), "b was least recently used");
        assert!(cache.get(&key("a", "1")).is_some() && cache.get(&key("c", "1")).is_some());
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn another_etag_is_another_entry() {
        let mut cache = PreviewCache::new(4);
        cache.insert(key("a", "old"), data(1));
        assert!(cache.get(&key("a", "new")).is_none());
    }
}
