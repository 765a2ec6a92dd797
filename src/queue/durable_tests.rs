use std::sync::Mutex;

use super::*;

/// A part file whose syncs are slow and may fail: a sync makes durable
/// only what was written when it began (as fsync promises), and anything
/// written while it runs stays volatile until the next one.
struct FaultyFile {
    state: Mutex<FileState>,
    sync_takes: Duration,
}

struct FileState {
    /// What a read would see now.
    volatile: Vec<u8>,
    /// What survives a power cut.
    durable: Vec<u8>,
    /// Syncs that fail before one succeeds.
    failing_syncs: u32,
    syncs: u32,
}

impl FaultyFile {
    fn new(size: usize, sync_takes: Duration, failing_syncs: u32) -> Arc<Self> {
        let state = FileState { volatile: vec![0; size], durable: vec![0; size], failing_syncs, syncs: 0 };
        Arc::new(Self { state: Mutex::new(state), sync_takes })
    }

    fn durable(&self) -> Vec<u8> {
        self.state.lock().unwrap().durable.clone()
    }
}

impl PartFile for FaultyFile {
    fn write_all_at(&self, bytes: &[u8], at: u64) -> io::Result<()> {
        let at = at as usize;
        self.state.lock().unwrap().volatile[at..at + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn sync(&self) -> io::Result<()> {
        let snapshot = self.state.lock().unwrap().volatile.clone();
        std::thread::sleep(self.sync_takes);
        let mut state = self.state.lock().unwrap();
        state.syncs += 1;
        if state.failing_syncs > 0 {
            state.failing_syncs -= 1;
            return Err(io::Error::other("injected: the disk is gone"));
        }
        state.durable = snapshot;
        Ok(())
    }
}

/// Saves records, checking at each save (a power cut right after it) that
/// every byte the record claims is durable in the file and right.
struct CheckedRecords {
    file: Arc<FaultyFile>,
    expected: Vec<u8>,
    saved: Mutex<Vec<ResumeRecord>>,
    violations: Mutex<Vec<String>>,
}

impl RecordSink for CheckedRecords {
    fn save(&self, record: &ResumeRecord) -> io::Result<()> {
        let durable = self.file.durable();
        for &(start, end) in record.done.spans() {
            let (s, e) = (start as usize, end as usize);
            if durable[s..e] != self.expected[s..e] {
                self.violations.lock().unwrap().push(format!("record claims {start}..{end}, not on disk"));
            }
        }
        self.saved.lock().unwrap().push(record.clone());
        Ok(())
    }
}

fn content(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 % 251) as u8 + 1).collect()
}

fn record(size: u64) -> ResumeRecord {
    ResumeRecord {
        bucket: "b".into(),
        key: "k".into(),
        size,
        etag: None,
        done: Ranges::default(),
        claims: Default::default(),
    }
}

/// Parts of `expected` written to `file` by concurrent tasks, each after a
/// pseudo-random delay, yielded as they finish; part `fail_at` fails.
fn parts(
    file: Arc<FaultyFile>,
    expected: Arc<Vec<u8>>,
    part: usize,
    fail_at: Option<usize>,
) -> impl Stream<Item = Result<(u64, u64), String>> {
    let count = expected.len().div_ceil(part);
    futures::stream::iter(0..count)
        .map(move |n| {
            let (file, expected) = (file.clone(), expected.clone());
            async move {
                tokio::time::sleep(Duration::from_millis((n * 37 % 11) as u64 + 1)).await;
                if Some(n) == fail_at {
                    return Err(format!("part {n} failed"));
                }
                let (start, end) = (n * part, ((n + 1) * part).min(expected.len()));
                let bytes = expected[start..end].to_vec();
                tokio::task::spawn_blocking(move || file.write_all_at(&bytes, start as u64)).await.unwrap().unwrap();
                Ok((start as u64, end as u64))
            }
        })
        .buffer_unordered(4)
}

fn checked(file: &Arc<FaultyFile>, expected: &[u8]) -> Arc<CheckedRecords> {
    Arc::new(CheckedRecords {
        file: file.clone(),
        expected: expected.to_vec(),
        saved: Mutex::new(Vec::new()),
        violations: Mutex::new(Vec::new()),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_never_claims_bytes_that_were_not_synced() {
    let expected = Arc::new(content(200 * 1024));
    // Syncs slower than parts: writes keep landing while a sync runs.
    let file = FaultyFile::new(expected.len(), Duration::from_millis(15), 0);
    let records = checked(&file, &expected);
    let mut journal = Journal::every(Ranges::default(), Duration::from_millis(5));
    let mut seen = 0;
    let stream = parts(file.clone(), expected.clone(), 1024, None);
    let record = record(expected.len() as u64);
    let end = persist(stream, file.clone(), records.clone(), &record, &mut journal, |_| seen += 1);
    assert!(matches!(end.await, Persisted::Complete));
    assert_eq!(seen, 200);
    let violations = records.violations.lock().unwrap().clone();
    assert!(violations.is_empty(), "{violations:?}");
    let saved = records.saved.lock().unwrap().len();
    assert!(saved >= 2, "checkpoints were taken while the parts came ({saved})");
    assert_eq!(file.durable(), *expected, "the last sync made the whole file durable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_come_at_most_once_a_period() {
    let expected = Arc::new(content(300 * 1024));
    let file = FaultyFile::new(expected.len(), Duration::ZERO, 0);
    let records = checked(&file, &expected);
    let period = Duration::from_millis(100);
    let mut journal = Journal::every(Ranges::default(), period);
    let started = Instant::now();
    let stream = parts(file.clone(), expected.clone(), 1024, None);
    let record = record(expected.len() as u64);
    let end = persist(stream, file.clone(), records.clone(), &record, &mut journal, |_| {});
    assert!(matches!(end.await, Persisted::Complete));
    let periods = started.elapsed().as_millis() / period.as_millis() + 1;
    let saved = records.saved.lock().unwrap().len() as u128;
    assert!(saved <= periods, "{saved} checkpoints in {periods} periods for 300 parts");
    assert!(file.state.lock().unwrap().syncs as u128 <= periods + 1, "and one sync at the end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_saves_no_record_and_fails_the_download() {
    let expected = Arc::new(content(64 * 1024));
    let file = FaultyFile::new(expected.len(), Duration::ZERO, 1);
    let records = checked(&file, &expected);
    let mut journal = Journal::new(Ranges::default());
    let stream = parts(file.clone(), expected.clone(), 1024, None);
    let record = record(expected.len() as u64);
    let end = persist(stream, file.clone(), records.clone(), &record, &mut journal, |_| {});
    match end.await {
        Persisted::Io(e) => assert!(e.to_string().contains("the disk is gone")),
        other => panic!("{other:?}"),
    }
    assert!(records.saved.lock().unwrap().is_empty(), "no record after a failed sync");
    assert!(journal.claimed().covered() == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_download_claims_exactly_what_it_wrote() {
    let expected = Arc::new(content(64 * 1024));
    let file = FaultyFile::new(expected.len(), Duration::from_millis(2), 0);
    let records = checked(&file, &expected);
    let mut journal = Journal::new(Ranges::default());
    let stream = parts(file.clone(), expected.clone(), 1024, Some(40));
    let record = record(expected.len() as u64);
    let end = persist(stream, file.clone(), records.clone(), &record, &mut journal, |_| {});
    match end.await {
        Persisted::Stopped(why) => assert_eq!(why, "part 40 failed"),
        other => panic!("{other:?}"),
    }
    let last = records.saved.lock().unwrap().last().cloned().expect("a last checkpoint");
    assert_eq!(last.done, *journal.written(), "everything written is claimed");
    assert!(last.done.covered() >= 30 * 1024 && last.done.covered() < 64 * 1024);
    assert!(records.violations.lock().unwrap().is_empty());
}

#[test]
fn the_journal_claims_only_what_a_checkpoint_covered() {
    let start = Instant::now();
    let mut journal = Journal::new(Ranges::default());
    assert!(!journal.due(start), "nothing to claim");
    journal.wrote(0, 10);
    assert!(journal.due(start), "the first checkpoint comes at once");
    let claim = journal.begin(start);
    journal.wrote(10, 20);
    journal.saved(claim);
    assert_eq!(journal.claimed().covered(), 10, "bytes written during the sync are not claimed");
    assert_eq!(journal.written().covered(), 20);
    assert!(!journal.due(start + Duration::from_millis(500)), "not twice in a period");
    assert!(journal.due(start + CHECKPOINT_EVERY));
}

#[test]
fn a_fast_download_checkpoints_every_64_mib_so_the_last_sync_is_short() {
    let start = Instant::now();
    let mut journal = Journal::new(Ranges::default());
    journal.wrote(0, 1);
    let claim = journal.begin(start);
    journal.saved(claim);
    journal.wrote(1, CHECKPOINT_BYTES);
    assert!(!journal.due(start), "one byte short of 64 MiB within the second");
    journal.wrote(CHECKPOINT_BYTES, CHECKPOINT_BYTES + 1);
    assert!(journal.due(start), "64 MiB written within the second");
}
