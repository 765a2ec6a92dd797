//! Which byte ranges of a download are on disk, and the record that lets a
//! download resume after the program, the machine or the network died.

use serde::{Deserialize, Serialize};

/// Sorted, disjoint, non-adjacent half-open byte ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ranges(Vec<(u64, u64)>);

impl Ranges {
    /// Marks `[start, end)` as present.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let (mut start, mut end) = (start, end);
        // Merge with every range that overlaps or touches.
        self.0.retain(|&(s, e)| {
            if e < start || s > end {
                return true;
            }
            start = start.min(s);
            end = end.max(e);
            false
        });
        let at = self.0.partition_point(|&(s, _)| s < start);
        self.0.insert(at, (start, end));
    }

    /// The ranges present, in order.
    pub fn spans(&self) -> &[(u64, u64)] {
        &self.0
    }

    /// Bytes present.
    pub fn covered(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s).sum()
    }

    /// How many bytes from the start are present without a gap.
    pub fn complete_from_start(&self) -> u64 {
        match self.0.first() {
            Some(&(0, end)) => end,
            _ => 0,
        }
    }

    pub fn is_complete(&self, size: u64) -> bool {
        size == 0 || self.0 == [(0, size)]
    }

    /// The missing ranges of an object of `size` bytes, cut into parts of at
    /// most `part_size` bytes, in order.
    pub fn missing_parts(&self, size: u64, part_size: u64) -> Vec<(u64, u64)> {
        let part_size = part_size.max(1);
        let mut gaps = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.0 {
            if s > at {
                gaps.push((at, s.min(size)));
            }
            at = at.max(e);
        }
        if at < size {
            gaps.push((at, size));
        }
        gaps.into_iter()
            .filter(|(s, e)| s < e)
            .flat_map(|(s, e)| (s..e).step_by(part_size as usize).map(move |p| (p, (p + part_size).min(e))))
            .collect()
    }
}

/// The sidecar of a `.part` file: what object it holds, and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeRecord {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    /// The version being downloaded; a different ETag means start over.
    pub etag: Option<String>,
    pub done: Ranges,
    /// Whether `done` was synced (records of earlier versions were).
    #[serde(default)]
    pub claims: Claims,
}

/// Whether the bytes a record claims were synced to disk before it was saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Claims {
    /// Synced: they survive a power cut.
    #[default]
    Synced,
    /// Written without a sync (`--no-sync`) during the boot named (Linux's
    /// boot id): still there after the program died (the kernel holds
    /// them), not necessarily after the machine went down, so trusted
    /// within that boot only, and never when the boot is unknown.
    Unsynced { boot: Option<String> },
}

impl Claims {
    /// Whether the claimed bytes can be relied on during `this_boot`.
    pub fn trusted_in(&self, this_boot: Option<&str>) -> bool {
        match self {
            Claims::Synced => true,
            Claims::Unsynced { boot } => boot.as_deref().is_some_and(|boot| Some(boot) == this_boot),
        }
    }
}

impl ResumeRecord {
    /// True when this record describes the same object version.
    pub fn matches(&self, bucket: &str, key: &str, size: u64, etag: Option<&str>) -> bool {
        self.bucket == bucket && self.key == key && self.size == size && self.etag.as_deref() == etag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_when_they_touch_or_overlap() {
        let mut r = Ranges::default();
        r.insert(10, 20);
        r.insert(30, 40);
        r.insert(20, 30);
        assert_eq!(r, Ranges(vec![(10, 40)]));
        r.insert(0, 5);
        r.insert(3, 12);
        assert_eq!(r, Ranges(vec![(0, 40)]));
        r.insert(50, 50);
        assert_eq!(r.covered(), 40);
        assert_eq!(r.complete_from_start(), 40);
        let mut gap = Ranges::default();
        gap.insert(5, 9);
        assert_eq!(gap.complete_from_start(), 0);
        assert!(r.is_complete(40));
        assert!(!r.is_complete(41));
    }

    #[test]
    fn missing_parts_fill_the_gaps_in_order() {
        let mut r = Ranges::default();
        assert_eq!(r.missing_parts(25, 10), [(0, 10), (10, 20), (20, 25)]);
        r.insert(0, 10);
        r.insert(15, 18);
        assert_eq!(r.missing_parts(25, 10), [(10, 15), (18, 25)]);
        r.insert(0, 25);
        assert!(r.missing_parts(25, 10).is_empty());
        assert!(Ranges::default().missing_parts(0, 10).is_empty());
    }

    #[test]
    fn records_match_only_the_same_version() {
        let record = ResumeRecord {
            bucket: "b".into(),
            key: "k".into(),
            size: 9,
            etag: Some("\"e\"".into()),
            done: Ranges::default(),
            claims: Claims::Synced,
        };
        assert!(record.matches("b", "k", 9, Some("\"e\"")));
        assert!(!record.matches("b", "k", 9, Some("\"f\"")));
        assert!(!record.matches("b", "k", 10, Some("\"e\"")));
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(serde_json::from_str::<ResumeRecord>(&json).unwrap(), record);
    }

    #[test]
    fn unsynced_claims_hold_only_within_the_boot_they_were_written_in() {
        let unsynced = |boot: Option<&str>| Claims::Unsynced { boot: boot.map(String::from) };
        assert!(Claims::Synced.trusted_in(None));
        assert!(Claims::Synced.trusted_in(Some("a")));
        assert!(unsynced(Some("a")).trusted_in(Some("a")));
        assert!(!unsynced(Some("a")).trusted_in(Some("b")), "the machine restarted since");
        assert!(!unsynced(Some("a")).trusted_in(None));
        assert!(!unsynced(None).trusted_in(None), "an unknown boot is never trusted");
    }

    #[test]
    fn records_saved_before_claims_were_kept_count_as_synced() {
        let old = r#"{"bucket":"b","key":"k","size":9,"etag":null,"done":[[0,4]]}"#;
        let record: ResumeRecord = serde_json::from_str(old).unwrap();
        assert_eq!(record.claims, Claims::Synced);
        assert_eq!(record.done.covered(), 4);
        let unsynced = ResumeRecord { claims: Claims::Unsynced { boot: Some("x".into()) }, ..record };
        let json = serde_json::to_string(&unsynced).unwrap();
        assert_eq!(serde_json::from_str::<ResumeRecord>(&json).unwrap(), unsynced);
    }
}
