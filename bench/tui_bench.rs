//! Benchmark of the explorer's model and rendering: memory per object row and
//! the cost of a frame with 1,000 / 10,000 / 100,000 rows in one open prefix.
//!
//! Run: `cargo bench --bench tui`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use s3scope::testing::s3::{Entry, ObjectInfo, Page};
use s3scope::testing::tui::ExplorerConfig;
use s3scope::testing::tui::action::{Intent, Report};
use s3scope::testing::tui::effect::{Effect, ListJob};
use s3scope::testing::tui::state::State;
use s3scope::testing::tui::update::update;
use s3scope::testing::tui::view::render;

/// Counts the bytes currently allocated. (The one `unsafe` of the project:
/// a global allocator that forwards to the system's.)
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn page(start: usize, count: usize, last: bool) -> Page {
    let entries = (start..start + count)
        .map(|i| {
            Entry::Object(ObjectInfo {
                key: format!("tess/ffi/tess2019199{i:06}-s0014-2-3-0150-s_ffic.fits"),
                size: 36_000_000 + i as u64,
                last_modified: Some(1_563_408_000 + i as i64),
                etag: Some(format!("\"{i:032x}\"")),
                storage_class: Some("STANDARD".into()),
            })
        })
        .collect();
    Page { entries, next_token: (!last).then(|| format!("token-{}", start + count)) }
}

fn main() {
    println!("| rows in the open prefix | bytes per object row | update per 1,000-row page | frame (render 160x48) |");
    println!("|---:|---:|---:|---:|");
    for rows in [1_000usize, 10_000, 100_000] {
        // Everything the state allocates counts, the tree's first chunk included.
        let before = ALLOCATED.load(Ordering::Relaxed);
        let buckets = vec![("stpubdata".to_string(), Some("MAST".to_string()))];
        let config = ExplorerConfig { row_bound: rows, buckets, ..ExplorerConfig::default() };
        let mut state = State::new(config, 160, 48);
        // Open the bucket; answer with the rows under a prefix-less listing.
        let effects = update(&mut state, Intent::Open.into());
        let Some(Effect::List(ListJob { request, node, purpose, .. })) = effects.into_iter().next() else {
            panic!("a listing")
        };
        let first = update(
            &mut state,
            Report::Listed {
                request,
                node,
                purpose,
                page: Page { entries: vec![Entry::Prefix("tess/".into())], next_token: None },
                more: false,
            }
            .into(),
        );
        assert!(first.is_empty());
        update(&mut state, Intent::Down.into());
        let effects = update(&mut state, Intent::Open.into());
        let Some(Effect::List(ListJob { request, node, purpose, .. })) =
            effects.into_iter().find(|e| matches!(e, Effect::List(_)))
        else {
            panic!("a listing of tess/")
        };
        let started = Instant::now();
        let pages = rows / 1000;
        for p in 0..pages {
            let last = p + 1 == pages;
            update(
                &mut state,
                Report::Listed { request, node, purpose, page: page(p * 1000, 1000, last), more: !last }.into(),
            );
        }
        let per_page = started.elapsed() / pages as u32;
        let bytes = ALLOCATED.load(Ordering::Relaxed).saturating_sub(before);
        update(&mut state, Intent::Last.into());
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        let frames = 50;
        let started = Instant::now();
        for _ in 0..frames {
            terminal.draw(|frame| render(frame, &state)).unwrap();
        }
        let frame = started.elapsed() / frames;
        println!(
            "| {rows} | {} | {:.2} ms | {:.3} ms |",
            bytes / rows,
            per_page.as_secs_f64() * 1000.0,
            frame.as_secs_f64() * 1000.0
        );
    }
}
