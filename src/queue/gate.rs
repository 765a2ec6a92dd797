//! A limit on work in flight whose size can change while work waits: a
//! weighted semaphore (objects count 1 each, bytes count their length)
//! that also tells whether anything had to wait (so the limit may grow).

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Debug)]
struct State {
    limit: u64,
    used: u64,
    /// Someone waited since the last [`Gate::take_saturated`].
    waited: bool,
    waiting: u64,
}

/// Work in flight, up to a limit.
#[derive(Debug)]
pub struct Gate {
    state: Mutex<State>,
    freed: Notify,
}

/// A share of a [`Gate`], given back when dropped.
#[derive(Debug)]
pub struct Permit {
    gate: Arc<Gate>,
    cost: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.gate.lock().used -= self.cost;
        self.gate.freed.notify_waiters();
    }
}

impl Gate {
    pub fn new(limit: u64) -> Arc<Self> {
        let state = State { limit: limit.max(1), used: 0, waited: false, waiting: 0 };
        Arc::new(Self { state: Mutex::new(state), freed: Notify::new() })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `cost` fits (a cost above the whole limit waits until
    /// nothing else is in flight, then goes alone).
    pub async fn acquire(self: &Arc<Self>, cost: u64) -> Permit {
        // Counted as waiting from the first wait until served (or dropped).
        let mut waiting = Uncount { gate: self, armed: false };
        loop {
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            {
                let mut state = self.lock();
                if state.used == 0 || state.used + cost <= state.limit {
                    state.used += cost;
                    if waiting.armed {
                        state.waiting -= 1;
                        waiting.armed = false;
                    }
                    return Permit { gate: self.clone(), cost };
                }
                state.waited = true;
                if !waiting.armed {
                    state.waiting += 1;
                    waiting.armed = true;
                }
            }
            freed.await;
        }
    }

    pub fn limit(&self) -> u64 {
        self.lock().limit
    }

    #[cfg(test)]
    pub fn in_use(&self) -> u64 {
        self.lock().used
    }

    /// A new limit; waiters are woken to see whether they fit now.
    pub fn set_limit(&self, limit: u64) {
        self.lock().limit = limit.max(1);
        self.freed.notify_waiters();
    }

    /// Whether work waited for the limit since the last call (or waits now).
    pub fn take_saturated(&self) -> bool {
        let mut state = self.lock();
        std::mem::take(&mut state.waited) || state.waiting > 0
    }
}

/// Takes a waiter out of the count when its wait is dropped unfinished.
struct Uncount<'a> {
    gate: &'a Gate,
    armed: bool,
}

impl Drop for Uncount<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.gate.lock().waiting -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn work_beyond_the_limit_waits_for_room() {
        let gate = Gate::new(10);
        let a = gate.acquire(6).await;
        let _b = gate.acquire(4).await;
        assert_eq!(gate.in_use(), 10);
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire(5).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "no room for 5 more");
        assert!(gate.take_saturated());
        drop(a);
        let c = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
        assert_eq!(gate.in_use(), 9);
        drop(c);
        assert!(!gate.take_saturated(), "nobody waits any more");
    }

    #[tokio::test]
    async fn a_larger_limit_lets_waiters_in_and_a_huge_cost_goes_alone() {
        let gate = Gate::new(2);
        let _a = gate.acquire(2).await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire(1).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        gate.set_limit(3);
        tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
        let empty = Gate::new(1);
        let huge = empty.acquire(1 << 30).await;
        assert_eq!(empty.in_use(), 1 << 30, "too large for the limit, but alone it goes");
        drop(huge);
        assert_eq!(empty.in_use(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_wait_is_not_counted_as_waiting() {
        let gate = Gate::new(1);
        let _a = gate.acquire(1).await;
        let wait = tokio::time::timeout(Duration::from_millis(20), gate.acquire(1)).await;
        assert!(wait.is_err());
        assert!(gate.take_saturated(), "it did wait");
        assert!(!gate.take_saturated(), "and waits no more");
    }
}
