//! The limits every download of a run shares (the CLI's `get`, the
//! explorer's queue): objects in flight and bytes in flight, separate
//! because small objects need many connections and large ones need parts.
//! Both start where a WAN link wants them (a 30 to 80 ms round trip) and
//! adapt: a sampler measures throughput four times a second and grows a
//! limit while throughput grows and work waits for it, and halves both on a
//! throttling answer, never beyond the bounds the user set. A third,
//! fixed limit bounds the memory of the bodies being read (see
//! [`READ_BUFFERS`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::adapt::Adaptive;
use super::gate::{Gate, Permit};
use super::group_sync::GroupSync;

/// Objects in flight at the start (bounded by the user's limit).
pub const START_OBJECTS: u64 = 128;
/// Bytes requested and not yet received, at the start.
pub const START_BYTES: u64 = 256 << 20;
/// Bytes in flight never shrink below this.
const MIN_BYTES: u64 = 8 << 20;
/// Files whose bytes are in and that wait for their sync and rename, at
/// most (each holds its file open).
pub const FINISHING: u64 = 256;
/// The HTTP client's read buffers of the bodies being received, at most.
/// Each connection's buffer grows while data waits on its socket (as on a
/// busy machine, or a fast link), up to `READ_BUFFER_PER_BODY`, and a
/// body smaller than that never grows it past its own length. Counted so,
/// 24 MiB lets 60 bodies of 408 KiB or more stream at once (240 MB/s at
/// 4 MB/s a connection) and every small object the object limit allows:
/// without it, 100 objects of 1 MiB took up to 69 MiB of memory, with it
/// 30 to 51 (see BENCHMARKS.md).
pub const READ_BUFFERS: u64 = 24 << 20;
/// The most one connection's read buffer grows to: hyper's default limit
/// (8 KiB and 100 pages of 4 KiB), which the SDK does not let us lower.
const READ_BUFFER_PER_BODY: u64 = 8192 + 4096 * 100;
const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// The upper bounds users set (`--jobs`, `--bytes-in-flight`, or the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub objects: u64,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { objects: 256, bytes: 512 << 20 }
    }
}

/// What a body being fetched holds of the shared limits (see
/// [`Transfers::room_for_body`]).
pub struct BodyRoom {
    _bytes: Permit,
    _read_buffer: Permit,
}

struct Control {
    objects: Adaptive,
    bytes: Adaptive,
    last: Instant,
    last_received: u64,
}

/// The shared limits of a run of downloads.
pub struct Transfers {
    objects: Arc<Gate>,
    bytes: Arc<Gate>,
    finishing: Arc<Gate>,
    read_buffers: Arc<Gate>,
    /// The syncs of small files, batched.
    pub group_sync: GroupSync,
    received: AtomicU64,
    throttled: AtomicBool,
    control: Mutex<Control>,
}

impl Transfers {
    /// The limits, adapting from their starting points within `limits`
    /// (when a Tokio runtime runs; otherwise they stay where they start).
    pub fn new(limits: Limits) -> Arc<Self> {
        let objects = Adaptive::new(START_OBJECTS, 1, limits.objects);
        let bytes = Adaptive::new(START_BYTES, MIN_BYTES.min(limits.bytes), limits.bytes);
        let engine = Arc::new(Self {
            objects: Gate::new(objects.limit()),
            bytes: Gate::new(bytes.limit()),
            finishing: Gate::new(FINISHING),
            read_buffers: Gate::new(READ_BUFFERS),
            group_sync: GroupSync::default(),
            received: AtomicU64::new(0),
            throttled: AtomicBool::new(false),
            control: Mutex::new(Control { objects, bytes, last: Instant::now(), last_received: 0 }),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sample_while_alive(Arc::downgrade(&engine)));
        }
        engine
    }

    /// A place for one more object in flight, held while it downloads.
    pub async fn object_slot(&self) -> Permit {
        self.objects.acquire(1).await
    }

    /// A place among the files that wait for the disk (their sync and
    /// rename) once their bytes are in: they leave their object slot to the
    /// next object meanwhile.
    pub async fn finishing_slot(&self) -> Permit {
        self.finishing.acquire(1).await
    }

    /// Room for `len` more bytes requested, held until they arrived. Only
    /// through [`Self::room_for_body`], which also counts the read buffers.
    async fn bytes(&self, len: u64) -> Permit {
        self.bytes.acquire(len).await
    }

    /// Room to request a body of `len` bytes: its bytes in flight, then its
    /// share of the read buffers. Held until the body is in.
    pub async fn room_for_body(&self, len: u64) -> BodyRoom {
        let bytes = self.bytes(len).await;
        let read_buffer = self.read_buffers.acquire(len.min(READ_BUFFER_PER_BODY)).await;
        BodyRoom { _bytes: bytes, _read_buffer: read_buffer }
    }

    /// `len` bytes arrived (for the throughput the limits follow).
    pub fn received(&self, len: u64) {
        self.received.fetch_add(len, Ordering::Relaxed);
    }

    /// The server asked to slow down.
    pub fn throttled(&self) {
        self.throttled.store(true, Ordering::Relaxed);
    }

    /// Objects and bytes in flight allowed now.
    pub fn limits_now(&self) -> (u64, u64) {
        (self.objects.limit(), self.bytes.limit())
    }

    /// One throughput sample; the limits follow it.
    fn sample(&self) {
        let mut control = self.control.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let received = self.received.load(Ordering::Relaxed);
        let seconds = now.duration_since(control.last).as_secs_f64().max(1e-3);
        let rate = received.saturating_sub(control.last_received) as f64 / seconds;
        control.last = now;
        control.last_received = received;
        if self.throttled.swap(false, Ordering::Relaxed) {
            control.objects.throttled();
            control.bytes.throttled();
        }
        let objects = control.objects.sample(rate, self.objects.take_saturated());
        let bytes = control.bytes.sample(rate, self.bytes.take_saturated());
        if objects != self.objects.limit() || bytes != self.bytes.limit() {
            tracing::debug!("in flight now: {objects} objects, {bytes} bytes ({rate:.0} B/s)");
        }
        self.objects.set_limit(objects);
        self.bytes.set_limit(bytes);
    }
}

async fn sample_while_alive(engine: Weak<Transfers>) {
    let mut every = tokio::time::interval(SAMPLE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let Some(engine) = engine.upgrade() else { return };
        engine.sample();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limits_start_for_a_wan_within_the_users_bounds() {
        let engine = Transfers::new(Limits::default());
        assert_eq!(engine.limits_now(), (START_OBJECTS, START_BYTES));
        let small = Transfers::new(Limits { objects: 4, bytes: 1 << 20 });
        assert_eq!(small.limits_now(), (4, 1 << 20));
    }

    #[tokio::test]
    async fn large_bodies_share_the_read_buffers_and_small_ones_cost_their_length() {
        let engine = Transfers::new(Limits::default());
        let large = (READ_BUFFERS / READ_BUFFER_PER_BODY) as usize;
        let held: Vec<_> = futures::future::join_all((0..large).map(|_| engine.room_for_body(1 << 20))).await;
        let one_more = tokio::time::timeout(Duration::from_millis(50), engine.room_for_body(1 << 20)).await;
        assert!(one_more.is_err(), "a body past the read buffers' limit did not wait");
        drop(held);
        // Small bodies: many more at once than large ones.
        let small: Vec<_> =
            futures::future::join_all((0..4 * large).map(|_| engine.room_for_body(READ_BUFFER_PER_BODY / 8))).await;
        assert_eq!(small.len(), 4 * large);
        let large_again = tokio::time::timeout(Duration::from_millis(50), engine.room_for_body(1 << 20)).await;
        assert!(large_again.is_ok(), "the read buffers were not given back");
    }

    #[tokio::test]
    async fn limits_grow_while_throughput_grows_and_halve_on_throttling() {
        let engine = Transfers::new(Limits::default());
        // Work waits for both limits, and more arrives each window.
        let _objects: Vec<_> = futures::future::join_all((0..START_OBJECTS).map(|_| engine.object_slot())).await;
        let _bytes = engine.bytes(START_BYTES).await;
        let waiting_object = tokio::spawn({
            let engine = engine.clone();
            async move { engine.object_slot().await }
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        let bytes_waiter = engine.bytes.acquire(1);
        let _ = tokio::time::timeout(Duration::from_millis(10), bytes_waiter).await;
        for round in 1..=3u64 {
            engine.received((round * 100) << 20);
            tokio::time::sleep(Duration::from_millis(20)).await;
            engine.sample();
        }
        let (objects, bytes) = engine.limits_now();
        assert!(objects > START_OBJECTS, "{objects}");
        assert!(objects <= 256);
        assert!(bytes >= START_BYTES, "{bytes}");
        engine.throttled();
        engine.sample();
        let (halved, _) = engine.limits_now();
        assert_eq!(halved, objects / 2);
        waiting_object.abort();
    }
}
