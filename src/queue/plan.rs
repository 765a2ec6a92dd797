//! How one object is fetched: in one GET, or in ranged parts whose size and
//! number in flight grow with the object. Pure.
//!
//! A 64 KiB object is one GET; 256 MiB come as 32 parts of 8 MiB, 16 at a
//! time; 1 GiB as 32 parts of 32 MiB; the part size stops at 64 MiB. (For
//! comparison, s5cmd fetches 50 MiB parts 5 at a time, the aws CLI 8 MiB
//! parts 10 at a time.) More parts in flight means more connections, which
//! is what a link that caps each connection rewards.

/// The smallest part: below it, an object is one GET.
pub const MIN_PART: u64 = 8 << 20;
/// The largest part, however large the object.
pub const MAX_PART: u64 = 64 << 20;
/// Parts of one object fetched at once, at most (unless the user says more).
pub const MAX_PARTS_IN_FLIGHT: usize = 16;
/// Parts an object is cut into, aimed for, before the part size is clamped.
const TARGET_PARTS: u64 = 32;

/// How an object of a given size is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPlan {
    pub part_size: u64,
    pub parts_in_flight: usize,
}

impl PartPlan {
    /// The plan for `size` bytes; `part_size` and `parts_in_flight` fix
    /// either choice instead of letting it grow with the size.
    pub fn for_object(size: u64, part_size: Option<u64>, parts_in_flight: Option<usize>) -> Self {
        let part_size =
            part_size.unwrap_or_else(|| (size / TARGET_PARTS).next_power_of_two().clamp(MIN_PART, MAX_PART)).max(1);
        let parts = usize::try_from(size.div_ceil(part_size)).unwrap_or(usize::MAX).max(1);
        let parts_in_flight = parts_in_flight.unwrap_or(parts.min(MAX_PARTS_IN_FLIGHT)).max(1);
        Self { part_size, parts_in_flight }
    }

    /// True when the object comes in one GET: no parts, no resume record.
    pub fn is_single(&self, size: u64) -> bool {
        size <= self.part_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn small_objects_are_one_get() {
        for size in [0, 1, 64 << 10, MIB, MIN_PART] {
            let plan = PartPlan::for_object(size, None, None);
            assert!(plan.is_single(size), "{size}");
            assert_eq!(plan.parts_in_flight, 1);
        }
        assert!(!PartPlan::for_object(MIN_PART + 1, None, None).is_single(MIN_PART + 1));
    }

    #[test]
    fn parts_and_parts_in_flight_grow_with_the_object() {
        let plan = |size| PartPlan::for_object(size, None, None);
        assert_eq!(plan(16 * MIB), PartPlan { part_size: 8 * MIB, parts_in_flight: 2 });
        assert_eq!(plan(256 * MIB), PartPlan { part_size: 8 * MIB, parts_in_flight: 16 });
        assert_eq!(plan(1024 * MIB), PartPlan { part_size: 32 * MIB, parts_in_flight: 16 });
        assert_eq!(plan(100 * 1024 * MIB).part_size, MAX_PART, "the part size stops growing");
        let sizes = [10 * MIB, 100 * MIB, 1000 * MIB, 10_000 * MIB];
        for pair in sizes.windows(2) {
            let (a, b) = (plan(pair[0]), plan(pair[1]));
            assert!(a.part_size <= b.part_size && a.parts_in_flight <= b.parts_in_flight, "{a:?} {b:?}");
        }
    }

    #[test]
    fn the_user_can_fix_either_choice() {
        let plan = PartPlan::for_object(1024 * MIB, Some(4 * MIB), Some(3));
        assert_eq!(plan, PartPlan { part_size: 4 * MIB, parts_in_flight: 3 });
        assert!(!PartPlan::for_object(5 * MIB, Some(4 * MIB), None).is_single(5 * MIB));
        assert_eq!(PartPlan::for_object(10, Some(0), Some(0)), PartPlan { part_size: 1, parts_in_flight: 1 });
    }
}
