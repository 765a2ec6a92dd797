//! The parts of a binary table's heap that were read: variable-length arrays
//! point into it with (count, offset) descriptors.

/// Heap bytes read so far, by offset from the heap's start.
#[derive(Debug, Default, Clone)]
pub struct Heap {
    /// The heap's size as the header gives it (pointers beyond are errors).
    size: u64,
    /// Segments read, sorted by start, not overlapping.
    segments: Vec<(u64, Vec<u8>)>,
}

impl Heap {
    pub fn new(size: u64) -> Self {
        Self { size, segments: Vec::new() }
    }

    /// Adds bytes read at `start` (relative to the heap).
    pub fn insert(&mut self, start: u64, bytes: Vec<u8>) {
        let at = self.segments.partition_point(|(s, _)| *s < start);
        self.segments.insert(at, (start, bytes));
    }

    /// Whether `len` bytes at `offset` lie inside the heap the header declares.
    pub fn check(&self, offset: u64, len: u64) -> Result<(), String> {
        match offset.checked_add(len) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(format!("a heap pointer ({len} bytes at {offset}) runs past the {}-byte heap", self.size)),
        }
    }

    /// The bytes of one array, if they were read.
    pub fn slice(&self, offset: u64, len: u64) -> Result<&[u8], String> {
        self.check(offset, len)?;
        if len == 0 {
            return Ok(&[]);
        }
        let at = self.segments.partition_point(|(s, _)| *s <= offset);
        let found = at.checked_sub(1).and_then(|i| self.segments.get(i)).and_then(|(start, bytes)| {
            let from = (offset - start) as usize;
            bytes.get(from..from.checked_add(len as usize)?)
        });
        found.ok_or_else(|| format!("the heap ends before the array at {offset} ({len} bytes): the file is truncated"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_come_from_the_segment_that_holds_them() {
        let mut heap = Heap::new(100);
        heap.insert(40, vec![4; 10]);
        heap.insert(0, (0..10).collect());
        assert_eq!(heap.slice(2, 3).unwrap(), &[2, 3, 4]);
        assert_eq!(heap.slice(45, 5).unwrap(), &[4; 5]);
        assert!(heap.slice(8, 4).unwrap_err().contains("truncated"));
        assert!(heap.slice(95, 10).unwrap_err().contains("past the 100-byte heap"));
        assert!(heap.slice(u64::MAX, 2).is_err());
        assert_eq!(heap.slice(99, 0).unwrap(), &[] as &[u8]);
    }
}
