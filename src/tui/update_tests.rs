//! Tests of `update`: key sequences and listing results, without a terminal
//! or a network.

use super::action::{Action, Intent, Report};
use super::effect::{Effect, ListJob, ListPurpose, QueueEffect};
use super::mode::{Line, LineKind, Mode, Pane};
use super::preview_state::PreviewContent;
use super::test_support::{Harness, fits_preview};
use super::tree::{LoadState, RowKind};
use crate::demo::store::StoredObject;
use crate::queue::job::Listed;
use crate::s3::{Entry, Page};

#[test]
fn opening_a_bucket_lists_one_level() {
    let mut h = Harness::new();
    h.act(Intent::Open);
    assert!(matches!(h.state.pending_list_count(), 1));
    assert_eq!(h.visible_names(), ["nasa-heasarc", "<Loading>", "stpubdata"]);
    h.settle();
    assert_eq!(h.visible_names(), ["nasa-heasarc", "chandra/", "readme.txt", "swift/", "stpubdata"]);
}

#[test]
fn rows_appear_with_the_first_page_while_later_pages_stream() {
    let mut h = Harness::new();
    h.keys(&[Intent::Last]);
    h.act(Intent::Open);
    // Answer only the first page of stpubdata/, then of tess/ffi/.
    h.settle();
    h.keys(&[Intent::Down, Intent::Open, Intent::Down, Intent::Open]);
    assert!(!h.pending.iter().any(|e| matches!(e, Effect::List(_))), "every listing was answered");
    let ffi = h.state.selected_node().unwrap();
    assert_eq!(h.state.tree.key_of(ffi), "tess/ffi/");
    // 2501 keys, bound 1000: loading stops at the bound with a "more" row.
    assert_eq!(h.state.tree.node(ffi).children.len(), 1000);
    assert!(matches!(h.state.tree.node(ffi).load, LoadState::Partial { at_bound: true, .. }));
    assert_eq!(h.visible_names().last().unwrap(), "<More>");
    // Enter on the "more" row loads the next thousand.
    h.keys(&[Intent::Last, Intent::Open]);
    assert_eq!(h.state.tree.node(ffi).children.len(), 2000);
    h.keys(&[Intent::Last, Intent::Open]);
    assert_eq!(h.state.tree.node(ffi).children.len(), 2501);
    assert_eq!(h.state.tree.node(ffi).load, LoadState::Loaded);
}

#[test]
fn first_page_shows_before_the_listing_ends() {
    let mut h = Harness::new();
    h.act(Intent::Last).act(Intent::Open);
    h.settle();
    h.act(Intent::Down).act(Intent::Open);
    h.settle();
    h.act(Intent::Down).act(Intent::Open);
    // Deliver only the first page of tess/ffi/.
    let index = h.pending.iter().position(|e| matches!(e, Effect::List(_))).unwrap();
    let effect = h.pending.remove(index);
    let mut pages = h.server.pages(&effect);
    assert!(pages.len() > 1);
    let first = pages.remove(0);
    h.act(first);
    let ffi = h.state.selected_node().unwrap();
    assert_eq!(h.state.tree.node(ffi).children.len(), 100);
    assert!(h.state.tree.node(ffi).is_loading());
    assert!(h.visible_names().contains(&"<Loading>".to_string()));
    assert!(h.state.animating());
}

#[test]
fn collapsing_a_loading_prefix_cancels_its_listing() {
    let mut h = Harness::new();
    h.act(Intent::Open);
    let Some(Effect::List(ListJob { request, .. })) = h.pending.first().cloned() else { panic!("a listing") };
    h.act(Intent::Close);
    assert_eq!(h.cancelled, [request]);
    assert!(h.pending.is_empty());
    assert_eq!(h.state.tree.node(h.state.selected_node().unwrap()).load, LoadState::NotLoaded);
    // A late page of the cancelled request is ignored.
    let late = Report::Listed {
        request,
        node: h.state.selected_node().unwrap(),
        purpose: ListPurpose::Load,
        page: Page { entries: vec![Entry::Prefix("late/".into())], next_token: None },
        more: false,
    };
    h.act(late);
    assert_eq!(h.visible_names(), ["nasa-heasarc", "stpubdata"]);
}

#[test]
fn failed_listing_shows_an_error_row_and_r_retries() {
    let mut h = Harness::new();
    h.keys(&[Intent::StartJump]);
    assert!(matches!(&h.state.mode, Mode::Line(l) if l.kind == LineKind::Jump));
    h.state.mode = Mode::Line(Line::new(LineKind::Jump, ""));
    for c in "s3://no-such-bucket/".chars() {
        h.act(Intent::Input(c));
    }
    h.keys(&[Intent::Submit]);
    assert!(h.visible_names().contains(&"<Failed>".to_string()));
    assert!(h.state.status.is_error);
    assert!(h.state.status.text.contains("no such bucket"), "{}", h.state.status.text);
    // The bucket now exists: retry with r on the error row.
    h.server.store.add_bucket("no-such-bucket", true);
    h.server.store.put("no-such-bucket", "found.txt", StoredObject::in_memory(vec![1], 0));
    let failed = h.state.rows.iter().position(|r| r.kind == RowKind::Failed).unwrap();
    h.state.selected = failed;
    h.keys(&[Intent::Refresh]);
    assert!(h.visible_names().contains(&"found.txt".to_string()));
}

#[test]
fn jump_opens_each_ancestor_and_selects_the_target() {
    let mut h = Harness::new();
    h.state.mode = Mode::Line(Line::new(LineKind::Jump, ""));
    for c in "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz".chars() {
        h.act(Intent::Input(c));
    }
    h.keys(&[Intent::Submit]);
    assert_eq!(h.selected_uri(), "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz");
    let selected = h.state.selected;
    assert!(selected >= h.state.offset && selected < h.state.offset + h.state.viewport(), "selection is on screen");
    // The preview of the object is requested.
    assert!(matches!(h.state.preview.content(), PreviewContent::Loading));
}

#[test]
fn jump_into_a_large_prefix_finds_a_key_beyond_the_row_bound() {
    let mut h = Harness::new();
    let effects = h.state.jump_to(crate::s3::S3Uri::parse("s3://stpubdata/tess/ffi/zz-tess-s0042-cube.fits").unwrap());
    h.pending.extend(effects);
    h.settle();
    assert_eq!(h.selected_uri(), "s3://stpubdata/tess/ffi/zz-tess-s0042-cube.fits");
}

#[test]
fn jump_to_a_missing_key_says_so() {
    let mut h = Harness::new();
    let effects = h.state.jump_to(crate::s3::S3Uri::parse("s3://nasa-heasarc/chandra/nothing-here").unwrap());
    h.pending.extend(effects);
    h.settle();
    assert!(h.state.status.is_error);
    assert!(h.state.status.text.contains("not found"), "{}", h.state.status.text);
}

#[test]
fn a_location_typed_or_pasted_over_the_prefill_replaces_it_and_clears_the_old_error() {
    let mut h = Harness::new();
    let effects = h.state.jump_to(crate::s3::S3Uri::parse("s3://nasa-heasarc/chandra/nothing-here").unwrap());
    h.pending.extend(effects);
    h.settle();
    assert!(h.state.status.is_error);
    // `:` prefills the line with the selected row; a typed URI takes its place.
    h.keys(&[Intent::StartJump]);
    assert!(
        matches!(&h.state.mode, Mode::Line(Line { kind: LineKind::Jump, text, .. }) if text.starts_with("s3://nasa-heasarc/"))
    );
    h.type_text("s3://stpubdata/tess/ffi/zz-tess-s0042-cube.fits");
    assert_eq!(h.state.mode.line().map(|l| l.text.as_str()), Some("s3://stpubdata/tess/ffi/zz-tess-s0042-cube.fits"));
    h.keys(&[Intent::Submit]);
    h.settle();
    assert_eq!(h.selected_uri(), "s3://stpubdata/tess/ffi/zz-tess-s0042-cube.fits");
    assert!(!h.state.status.is_error, "a successful jump clears the error: {:?}", h.state.status);
    // A bracketed paste of an https URL into the prefilled line, then Enter.
    h.keys(&[Intent::StartJump]);
    h.act(Intent::Paste("https://nasa-heasarc.s3.amazonaws.com/swift/data/obs/2005_01/x.evt.gz\n".into()));
    h.keys(&[Intent::Submit]);
    h.settle();
    assert_eq!(h.selected_uri(), "s3://nasa-heasarc/swift/data/obs/2005_01/x.evt.gz");
    // Pasted in the tree, an archive's own URL jumps at once.
    h.act(Intent::Paste("https://heasarc.gsfc.nasa.gov/FTP/chandra/data/byobsid/3/3003/00README".into()));
    h.settle();
    assert_eq!(h.selected_uri(), "s3://nasa-heasarc/chandra/data/byobsid/3/3003/00README");
    h.act(Intent::Paste("not a place\x1b[2J".into()));
    assert!(h.state.status.is_error && !h.state.status.text.contains('\x1b'), "{:?}", h.state.status);
}

#[test]
fn a_pasted_location_is_previewed_and_only_its_first_line_counts() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open]);
    h.act(Intent::Paste("s3://nasa-heasarc/readme.txt\rs3://stpubdata/tess/\r".into()));
    h.settle();
    assert_eq!(h.selected_uri(), "s3://nasa-heasarc/readme.txt");
    assert!(matches!(h.state.preview.content(), PreviewContent::Loading), "the pasted object is being previewed");
}

#[test]
fn only_a_location_typed_after_the_prefill_replaces_it() {
    let mut h = Harness::new();
    // An empty line takes a key holding a scheme whole.
    h.state.mode = Mode::Line(Line::new(LineKind::Jump, ""));
    h.type_text("s3://b/backup/s3://old/x");
    assert_eq!(h.state.mode.line().map(|l| l.text.as_str()), Some("s3://b/backup/s3://old/x"));
    h.keys(&[Intent::Escape, Intent::StartJump]);
    // A name typed after the prefill extends it.
    h.type_text("chandra/");
    assert_eq!(h.state.mode.line().map(|l| l.text.as_str()), Some("s3://nasa-heasarc/chandra/"));
}

#[test]
fn a_found_region_reaches_the_route() {
    let mut h = Harness::new();
    assert_eq!(h.state.route("someone-elses").region, "us-east-1");
    assert_eq!(h.state.route("nasa-lambda").region, "us-west-2", "the catalog's region");
    h.act(Report::RegionFound { bucket: "someone-elses".into(), region: "eu-west-1".into() });
    assert_eq!(h.state.route("someone-elses").region, "eu-west-1");
}

#[test]
fn filter_narrows_the_current_prefix_and_n_steps_through_matches() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down]);
    h.keys(&[Intent::StartFilter]);
    for c in "S".chars() {
        h.act(Intent::Input(c));
    }
    assert_eq!(h.visible_names(), ["nasa-heasarc", "swift/", "stpubdata"]);
    h.act(Intent::Backspace);
    assert_eq!(h.visible_names().len(), 5);
    for c in "e".chars() {
        h.act(Intent::Input(c));
    }
    h.keys(&[Intent::Submit]);
    assert_eq!(h.state.mode, Mode::Normal);
    assert_eq!(h.visible_names(), ["nasa-heasarc", "readme.txt", "stpubdata"]);
    h.keys(&[Intent::Escape]);
    assert_eq!(h.visible_names().len(), 5);
}

#[test]
fn filter_enter_in_a_partial_prefix_searches_the_server() {
    let mut h = Harness::new();
    h.keys(&[Intent::Last, Intent::Open, Intent::Down, Intent::Open, Intent::Down, Intent::Open]);
    let ffi = h.state.selected_node().unwrap();
    assert!(matches!(h.state.tree.node(ffi).load, LoadState::Partial { .. }));
    h.keys(&[Intent::Down, Intent::StartFilter]);
    for c in "zz-tess".chars() {
        h.act(Intent::Input(c));
    }
    assert!(!h.visible_names().iter().any(|n| n.starts_with("zz-")), "not loaded yet");
    h.keys(&[Intent::Submit]);
    assert!(h.visible_names().iter().any(|n| n == "zz-tess-s0042-cube.fits"), "{:?}", h.visible_names());
}

#[test]
fn sort_cycles_and_help_toggles() {
    let mut h = Harness::new();
    h.keys(&[Intent::CycleSort]);
    assert_eq!(h.state.status.text, "sorted by size");
    h.keys(&[Intent::Help]);
    assert_eq!(h.state.mode, Mode::Help);
    h.keys(&[Intent::Escape]);
    assert_eq!(h.state.mode, Mode::Normal);
    assert_eq!(h.state.selected, 0, "the key that closes help does nothing else");
    h.keys(&[Intent::Quit]);
    assert!(h.state.quit);
}

#[test]
fn moving_on_cancels_the_pending_preview() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open]);
    h.keys(&[Intent::Down, Intent::Down]);
    let Some(Effect::Preview { request, .. }) = h.pending.iter().find(|e| matches!(e, Effect::Preview { .. })).cloned()
    else {
        panic!("a preview request for readme.txt")
    };
    h.act(Intent::Down);
    assert!(h.cancelled.contains(&request));
    // A late answer for the old row is ignored.
    let node = h.state.tree.child_named(h.state.tree.roots()[0], "readme.txt").unwrap();
    h.act(Report::Previewed { request, node, result: Ok(fits_preview("\"x\"")) });
    assert_eq!(*h.state.preview.content(), PreviewContent::None);
}

#[test]
fn page_keys_move_by_a_screen_and_keep_the_cursor_visible() {
    let mut h = Harness::new();
    h.keys(&[Intent::Last, Intent::Open, Intent::Down, Intent::Open, Intent::Down, Intent::Open]);
    h.keys(&[Intent::PageDown, Intent::PageDown]);
    let viewport = h.state.viewport();
    assert!(h.state.selected >= h.state.offset && h.state.selected < h.state.offset + viewport);
    h.keys(&[Intent::Last]);
    assert_eq!(h.state.selected, h.state.rows.len() - 1);
    assert_eq!(h.state.offset, h.state.rows.len() - viewport);
    h.keys(&[Intent::First]);
    assert_eq!((h.state.selected, h.state.offset), (0, 0));
}

#[test]
fn resize_keeps_the_cursor_on_screen() {
    let mut h = Harness::new();
    h.keys(&[Intent::Last, Intent::Open, Intent::Down, Intent::Open, Intent::Down, Intent::Open]);
    h.keys(&[Intent::PageDown, Intent::PageDown, Intent::PageDown]);
    h.act(Action::Resize { width: 80, height: 12 });
    let viewport = h.state.viewport();
    assert_eq!(viewport, 8);
    assert!(h.state.selected >= h.state.offset && h.state.selected < h.state.offset + viewport);
}

#[test]
fn previews_are_cached_by_etag() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    assert!(matches!(h.state.preview.content(), PreviewContent::Ready(_)));
    let previews = |h: &Harness| h.pending.iter().filter(|e| matches!(e, Effect::Preview { .. })).count();
    let before = previews(&h);
    h.keys(&[Intent::Up, Intent::Down]);
    assert!(matches!(h.state.preview.content(), PreviewContent::Ready(_)), "shown from the cache");
    assert_eq!(previews(&h), before, "no new request");
    assert_eq!(h.state.cache.len(), 1);
}

#[test]
fn brackets_move_between_hdus_and_the_preview_scrolls_and_searches() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    h.keys(&[Intent::NextHdu]);
    assert_eq!(h.state.preview.hdu, 1);
    h.keys(&[Intent::NextHdu, Intent::NextHdu]);
    assert_eq!(h.state.preview.hdu, 2, "stops at the last HDU");
    h.keys(&[Intent::PreviousHdu, Intent::PreviousHdu, Intent::PreviousHdu]);
    assert_eq!(h.state.preview.hdu, 0);
    // Scrolling keys go to the preview when it has the focus.
    h.keys(&[Intent::NextPane, Intent::PageDown]);
    assert!(h.state.preview.scroll > 0);
    let selected = h.state.selected;
    h.keys(&[Intent::First]);
    assert_eq!((h.state.preview.scroll, h.state.selected), (0, selected));
    // `/` searches the cards; n steps to the next match.
    h.keys(&[Intent::StartFilter]);
    assert_eq!(h.state.mode, Mode::Line(Line::new(LineKind::Search, "")));
    h.type_text("step 4");
    let first = h.state.preview.scroll;
    assert!(h.state.preview.body_lines()[first].contains("step 4"));
    h.keys(&[Intent::Submit, Intent::NextMatch]);
    assert!(h.state.preview.scroll > first);
    assert!(h.state.preview.body_lines()[h.state.preview.scroll].contains("step 4"));
}

#[test]
fn read_on_asks_for_eight_times_the_budget_only_when_a_preview_stopped() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    h.keys(&[Intent::ReadOn]);
    assert_eq!(h.state.status.text, "this preview is complete");
    // The same preview, stopped at its budget.
    let node = h.state.selected_node().unwrap();
    let mut data = (*h.state.preview.data().unwrap()).clone();
    if let crate::preview::PreviewBody::Fits(headers) = &mut data.body {
        headers.stopped = Some("stopped after 4 MiB (the budget)".into());
    }
    h.state.preview.show(std::sync::Arc::new(data), false);
    h.act(Intent::ReadOn);
    let Some(Effect::Preview { node: asked, gzip_budget, .. }) = h.pending.last().cloned() else {
        panic!("a new read")
    };
    assert_eq!((asked, gzip_budget), (node, 8 * crate::preview::DEFAULT_GZIP_BUDGET));
    assert!(matches!(h.state.preview.content(), PreviewContent::Loading));
}

fn starts(h: &Harness) -> Vec<String> {
    h.pending
        .iter()
        .filter_map(|e| match e {
            Effect::Queue(QueueEffect::Start(job)) => Some(job.key.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn d_queues_an_object_at_once() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Down, Intent::Download]);
    assert_eq!(starts(&h), ["readme.txt"]);
    assert!(h.pending.iter().any(|e| matches!(e, Effect::Queue(QueueEffect::Save(jobs)) if jobs.len() == 1)));
    assert_eq!(h.state.status.text, "queued s3://nasa-heasarc/readme.txt");
    // Progress and the end of the download reach the queue.
    h.act(Report::DownloadProgress { job: 1, done: 5, size: 10, rate: 2.0 });
    assert_eq!(h.state.queue.jobs[0].done_bytes, 5);
    h.act(Report::DownloadFinished { job: 1, result: Ok(()) });
    assert_eq!(h.state.queue.jobs[0].state, crate::queue::job::JobState::Done);
}

#[test]
fn d_on_a_prefix_counts_then_asks() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Download]);
    let Some(Effect::CountPrefix { request, prefix, .. }) =
        h.pending.iter().find(|e| matches!(e, Effect::CountPrefix { .. })).cloned()
    else {
        panic!("a count")
    };
    assert_eq!(prefix, "chandra/");
    let objects = vec![Listed::new("chandra/a.fits", 10, None), Listed::new("chandra/b/c.fits", 20, None)];
    h.act(Report::PrefixCounted { request, result: Ok(objects) });
    assert!(matches!(&h.state.mode, Mode::ConfirmDownload(p) if p.objects.len() == 2));
    // Keys do nothing but answer while asking.
    h.act(Intent::Down);
    assert!(matches!(h.state.mode, Mode::ConfirmDownload(_)));
    h.act(Intent::Submit);
    assert_eq!(h.state.mode, Mode::Normal);
    assert_eq!(starts(&h), ["chandra/a.fits", "chandra/b/c.fits"]);
    assert_eq!(h.state.queue.jobs[1].destination, std::path::PathBuf::from("./b/c.fits"));
}

#[test]
fn queue_keys_act_in_the_queue_pane_and_quit_asks_while_downloads_run() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open, Intent::Down, Intent::Down, Intent::Download]);
    h.keys(&[Intent::CancelJob]);
    assert_eq!(h.state.status.text, "Tab to the queue to manage downloads");
    h.keys(&[Intent::NextPane, Intent::NextPane]);
    assert_eq!(h.state.focus, Pane::Queue);
    h.keys(&[Intent::TogglePause]);
    assert_eq!(h.state.queue.jobs[0].state, crate::queue::job::JobState::Paused);
    h.keys(&[Intent::TogglePause, Intent::Quit]);
    assert_eq!(h.state.mode, Mode::ConfirmQuit, "a download runs: quitting asks");
    assert!(!h.state.quit);
    h.keys(&[Intent::Escape]);
    assert_eq!(h.state.mode, Mode::Normal);
    h.keys(&[Intent::Quit, Intent::Submit]);
    assert!(h.state.quit);
}
