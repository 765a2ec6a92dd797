//! How much to keep in flight: more while throughput grows, half on a
//! throttling answer, never beyond what the user allows. Pure: it is fed
//! samples (bytes a second over a short window) and answers a new limit.

/// Throughput must beat the best seen by this factor to count as growth.
const GROWTH: f64 = 1.05;
/// Samples after a throttling answer before the limit may grow again.
const COOL_DOWN: u32 = 4;

/// One adaptive limit (objects in flight, or bytes in flight).
#[derive(Debug, Clone, PartialEq)]
pub struct Adaptive {
    limit: u64,
    min: u64,
    max: u64,
    /// The best throughput seen since the limit last changed downwards.
    best: f64,
    throttled: bool,
    cool_down: u32,
}

impl Adaptive {
    /// Starts at `start`, kept within `min..=max`.
    pub fn new(start: u64, min: u64, max: u64) -> Self {
        let min = min.max(1).min(max.max(1));
        let max = max.max(min);
        Self { limit: start.clamp(min, max), min, max, best: 0.0, throttled: false, cool_down: 0 }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The server answered "slow down" (or 503) since the last sample.
    pub fn throttled(&mut self) {
        self.throttled = true;
    }

    /// One window's throughput, and whether work waited for the limit in it
    /// (only then can more in flight help). Returns the new limit.
    pub fn sample(&mut self, rate: f64, saturated: bool) -> u64 {
        if std::mem::take(&mut self.throttled) {
            self.limit = (self.limit / 2).max(self.min);
            self.best = rate;
            self.cool_down = COOL_DOWN;
            return self.limit;
        }
        if self.cool_down > 0 {
            self.cool_down -= 1;
            self.best = self.best.max(rate);
            return self.limit;
        }
        if saturated && rate > self.best * GROWTH {
            self.limit = (self.limit + (self.limit / 4).max(1)).min(self.max);
        }
        self.best = self.best.max(rate);
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_while_throughput_grows_and_holds_on_a_plateau() {
        let mut a = Adaptive::new(32, 1, 256);
        assert_eq!(a.sample(10.0, true), 40);
        assert_eq!(a.sample(20.0, true), 50);
        // No better than before: the link gives no more.
        assert_eq!(a.sample(20.5, true), 50);
        assert_eq!(a.sample(19.0, true), 50);
        // The link improved: grow again.
        assert_eq!(a.sample(30.0, true), 62);
    }

    #[test]
    fn grows_only_when_work_waited_for_the_limit() {
        let mut a = Adaptive::new(32, 1, 256);
        assert_eq!(a.sample(10.0, false), 32);
        assert_eq!(a.sample(50.0, false), 32);
        assert_eq!(a.sample(60.0, true), 40);
    }

    #[test]
    fn throttling_halves_and_cools_down() {
        let mut a = Adaptive::new(64, 4, 256);
        a.throttled();
        assert_eq!(a.sample(100.0, true), 32);
        for _ in 0..COOL_DOWN {
            assert_eq!(a.sample(1000.0, true), 32, "no growth while cooling down");
        }
        assert_eq!(a.sample(2000.0, true), 40);
        for _ in 0..10 {
            a.throttled();
            a.sample(1.0, true);
        }
        assert_eq!(a.limit(), 4, "never below the minimum");
    }

    #[test]
    fn never_beyond_the_bound_the_user_set() {
        let mut a = Adaptive::new(100, 1, 8);
        assert_eq!(a.limit(), 8);
        let mut rate = 1.0;
        for _ in 0..20 {
            rate *= 2.0;
            assert!(a.sample(rate, true) <= 8);
        }
        assert_eq!(Adaptive::new(0, 0, 0).limit(), 1, "at least one");
    }
}
