//! Renders of key states on a `TestBackend`, at 80x24 and 160x48.

use crate::queue::job::Listed;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::{Intent, Report};
use super::effect::Effect;
use super::mode::{Line, LineKind, Mode};
use super::test_support::Harness;
use super::view::render;

/// Draws the state and returns the screen as lines of text.
fn screen(h: &Harness) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(h.state.width, h.state.height)).unwrap();
    terminal.draw(|frame| render(frame, &h.state)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < buffer.area.width {
                let symbol = buffer[(x, y)].symbol();
                line.push_str(symbol);
                // A wide character covers the next cell too.
                x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
            }
            line
        })
        .collect()
}

fn text(lines: &[String]) -> String {
    lines.join("\n")
}

#[test]
fn wide_screen_shows_tree_and_preview_side_by_side() {
    let mut h = Harness::with_size(160, 48);
    h.keys(&[Intent::Open]);
    let lines = screen(&h);
    assert_eq!(lines.len(), 48);
    assert!(
        lines[0].contains("s3scope") && lines[0].contains("s3://nasa-heasarc/") && lines[0].contains("anon us-east-1")
    );
    let row = lines.iter().find(|l| l.contains("▾ nasa-heasarc/")).expect("bucket row");
    assert!(row.contains("HEASARC"));
    assert!(row.contains("│s3://nasa-heasarc/"), "the preview stands beside the tree: {row}");
    let all = text(&lines);
    assert!(all.contains("▸ chandra/") && all.contains("readme.txt") && all.contains("10 B"));
    assert!(all.contains("Listing       complete"));
    assert!(lines[47].contains("? help"));
}

#[test]
fn the_title_shows_the_region_of_the_bucket_under_the_cursor() {
    let buckets = ["nasa-heasarc", "nasa-lambda", "someone-elses"].map(|b| (b.to_string(), None)).to_vec();
    let mut h = Harness::with_buckets(160, 48, buckets);
    assert!(screen(&h)[0].ends_with("anon us-east-1 "), "{}", screen(&h)[0]);
    h.keys(&[Intent::Down]);
    assert!(screen(&h)[0].contains("s3://nasa-lambda/") && screen(&h)[0].ends_with("anon us-west-2 "));
    h.keys(&[Intent::Down]);
    assert!(screen(&h)[0].ends_with("signed us-east-1 "), "{}", screen(&h)[0]);
    h.act(Report::RegionFound { bucket: "someone-elses".into(), region: "ap-southeast-2".into() });
    assert!(screen(&h)[0].ends_with("signed ap-southeast-2 "), "{}", screen(&h)[0]);
}

#[test]
fn narrow_screen_shows_one_pane_and_tab_switches() {
    let mut h = Harness::with_size(80, 24);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    let lines = screen(&h);
    assert!(lines[0].contains("[Tree] Preview"), "{}", lines[0]);
    assert!(lines.iter().all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) == 80));
    assert!(text(&lines).contains("readme.txt"));
    assert!(!text(&lines).contains("Preview ─"), "the preview pane is hidden");
    h.keys(&[Intent::NextPane]);
    let lines = screen(&h);
    assert!(lines[0].contains("Tree [Preview]"));
    assert!(text(&lines).contains("s3://nasa-heasarc/readme.txt"));
    assert!(text(&lines).contains("reading…"));
}

#[test]
fn fits_preview_shows_hdus_key_cards_wcs_and_coloured_cards() {
    for (width, height) in [(160, 48), (80, 24)] {
        let mut h = Harness::with_size(width, height);
        h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
        h.answer_preview();
        if width < 100 {
            h.keys(&[Intent::NextPane]);
        }
        let all = text(&screen(&h));
        for expected in [
            "▶  0 PRIMARY",
            "1 SCI",
            "IMAGE 64x64 float32",
            "TELESCOP HST",
            "WCS RA---TAN 265.175",
            "HDU 0 PRIMARY",
            "2 requests",
        ] {
            assert!(all.contains(expected), "{expected} missing at {width}x{height}:\n{all}");
        }
        assert!(all.contains("SIMPLE  =                    T"));
        h.keys(&[Intent::NextHdu]);
        let all = text(&screen(&h));
        assert!(all.contains("▶  1 SCI") && all.contains("XTENSION= 'IMAGE   '"), "{all}");
    }
}

#[test]
fn a_header_cut_before_end_shows_its_cards_exact_values_and_a_warning() {
    use crate::demo::fits_writer::{primary_header, push_hdu};
    let mut primary = primary_header(8, &[]);
    primary.verbatim("EXPTIME = 123456789012345678901234567890 / 30 digits");
    primary.verbatim("DP1     = 'AXIS.1: 1'          / a record-valued card");
    let mut file = Vec::new();
    push_hdu(&mut file, &primary, &[]);
    let end = file.chunks(80).position(|card| card.starts_with(b"END ")).unwrap();
    file.truncate(end * 80);
    let mut h = Harness::with_size(160, 48);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(super::test_support::fits_preview_of(&file, "\"x\""));
    let all = text(&screen(&h));
    for expected in [
        "! the file ends in the header: no END card",
        "EXPTIME 123456789012345678901234567890",
        "EXPTIME = 123456789012345678901234567890 / 30 digits",
        "DP1     = 'AXIS.1: 1'",
    ] {
        assert!(all.contains(expected), "{expected} missing:\n{all}");
    }
}

#[test]
fn object_metadata_comes_with_the_preview() {
    let mut h = Harness::with_size(160, 48);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    let all = text(&screen(&h));
    let etag = h.state.preview.data().unwrap().details.etag.clone().unwrap();
    for expected in ["2024-01-01 00:00:00 UTC", "application/fits", etag.as_str(), "STANDARD"] {
        assert!(all.contains(expected), "{expected} missing");
    }
}

#[test]
fn a_failed_listing_shows_an_error_row_and_a_status_message() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut h = Harness::with_size(width, height);
        h.state.mode = Mode::Line(Line::new(LineKind::Jump, ""));
        h.type_text("s3://no-such-bucket/");
        h.keys(&[Intent::Submit]);
        let lines = screen(&h);
        assert!(text(&lines).contains("✗ no such bucket (r to retry)"), "{width}x{height}");
        assert!(lines.last().unwrap().contains("listing s3://no-such-bucket/: no such bucket"));
    }
}

#[test]
fn every_hint_on_screen_follows_a_rebinding() {
    let toml = "[keys]\nrefresh = \"R\"\nnext_match = \"J\"\ntoggle = \"o\"\nclear = \"ctrl-x\"\n\n\
                [keys.queue]\nretry = \"t\"\n\n[keys.input]\nsubmit = \"ctrl-s\"\n";
    let loaded = crate::config::parse(toml, std::path::Path::new("c.toml")).unwrap();
    let keys = super::keymap::Keymap::from_config(&loaded).unwrap();
    let config = super::ExplorerConfig { keys, row_bound: 100, ..super::ExplorerConfig::default() };
    let mut h = Harness::with_config(160, 48, config);
    // A failed listing: retried by the refresh key.
    h.state.mode = Mode::Line(Line::new(LineKind::Jump, ""));
    h.type_text("s3://no-such-bucket/");
    let typing = text(&screen(&h));
    assert!(typing.contains("Ctrl-s go · Esc cancel"), "{typing}");
    h.act(Intent::Submit);
    h.settle();
    let failed = text(&screen(&h));
    assert!(failed.contains("✗ no such bucket (R to retry)"), "{failed}");
    // A prefix stopped at the row bound: loaded by the toggle key.
    let effects = h.state.jump_to(crate::s3::S3Uri::new("stpubdata", "tess/ffi/"));
    h.pending.extend(effects);
    h.settle();
    assert!(text(&screen(&h)).contains("more on the server (o on the … row to load)"));
    h.keys(&[Intent::Last]);
    let more = text(&screen(&h));
    assert!(more.contains("more on the server (o to load)"), "{more}");
    // The filter's status names the keys as bound.
    let effects = h.state.jump_to(crate::s3::S3Uri::new("nasa-heasarc", "chandra/"));
    h.pending.extend(effects);
    h.settle();
    h.keys(&[Intent::StartFilter]);
    h.type_text("ch");
    h.keys(&[Intent::Submit]);
    let status = screen(&h).last().unwrap().clone();
    assert!(status.contains("filter 'ch' (Ctrl-x clears, J/N next/previous)"), "{status}");
    let help = h.state.config.keys.help();
    assert!(help.iter().any(|(k, what)| k == "R" && what.starts_with("refresh")));
    assert!(help.iter().any(|(k, what)| k.contains('t') && what.starts_with("queue")));
}

#[test]
fn keys_with_escape_codes_and_bidi_overrides_are_drawn_escaped() {
    let buckets = vec![("demo-edge".to_string(), None)];
    let mut h = Harness::with_buckets(160, 48, buckets);
    for prefix in ["unicode/", "escape/", "bidi/"] {
        let effects = h.state.jump_to(crate::s3::S3Uri::new("demo-edge", prefix));
        h.pending.extend(effects);
        h.settle();
    }
    let all = text(&screen(&h));
    assert!(all.contains("\\e[31mred\\e[0m.txt"), "{all}");
    assert!(all.contains("\\e]0;pwned\\x07title.txt"));
    assert!(all.contains("\\u{202e}txt.exe"));
    assert!(all.contains("café-☃-星.fits"));
    assert!(!all.contains('\x1b') && !all.contains('\x07') && !all.contains('\u{202e}'));
}

#[test]
fn loading_rows_spin_and_the_more_row_offers_the_rest() {
    let mut h = Harness::with_size(160, 48);
    h.keys(&[Intent::Last]);
    h.act(Intent::Open);
    let lines = screen(&h);
    assert!(text(&lines).contains("loading…"));
    h.settle();
    h.keys(&[Intent::Down, Intent::Open, Intent::Down, Intent::Open, Intent::Last]);
    let all = text(&screen(&h));
    assert!(all.contains("… 1000 loaded, more on the server (Enter to load)"), "{all}");
}

#[test]
fn help_lists_every_key_scrolling_where_the_terminal_is_short() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut h = Harness::with_size(width, height);
        h.keys(&[Intent::Help]);
        let mut all = text(&screen(&h));
        let help = h.state.config.keys.help();
        for _ in 0..help.len() {
            h.keys(&[Intent::Down]);
            all.push_str(&text(&screen(&h)));
        }
        for (key, what) in &help {
            assert!(all.contains(&format!(" {key} ")), "{key} at {width}x{height}");
            assert!(all.contains(&what[..what.len().min(30)]), "{what} at {width}x{height}");
        }
        let first = screen(&h);
        assert_eq!(h.state.mode, Mode::Help, "j k scroll the help instead of closing it");
        h.keys(&[Intent::Escape]);
        assert_ne!(screen(&h), first);
        assert_eq!(h.state.mode, Mode::Normal);
    }
}

#[test]
fn filter_and_jump_input_show_in_the_status_bar() {
    let mut h = Harness::with_size(80, 24);
    h.keys(&[Intent::Open, Intent::Down, Intent::StartFilter]);
    h.type_text("chan");
    let lines = screen(&h);
    assert!(lines.last().unwrap().contains("/chan▏"));
    assert!(text(&lines).contains("filter 'chan'"));
    h.keys(&[Intent::Escape, Intent::StartJump]);
    assert!(screen(&h).last().unwrap().contains(":s3://nasa-heasarc/chandra/▏"));
}

#[test]
fn a_large_prefix_draws_only_the_rows_on_screen() {
    let mut h = Harness::with_size(160, 48);
    h.state.config.row_bound = 10_000;
    h.server.page_size = 1000;
    h.keys(&[Intent::Last, Intent::Open, Intent::Down, Intent::Open, Intent::Down, Intent::Open, Intent::Last]);
    let lines = screen(&h);
    let all = text(&lines);
    assert!(all.contains("zz-tess-s0042-cube.fits"), "the last row is drawn after G");
    assert!(!all.contains("tess00000-s_ffic.fits"), "rows far above are not drawn");
}

#[test]
fn card_search_input_shows_in_the_status_bar_and_highlights_matches() {
    let mut h = Harness::with_size(160, 48);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    h.keys(&[Intent::NextPane, Intent::StartFilter]);
    assert_eq!(h.state.mode, Mode::Line(Line::new(LineKind::Search, "")), "focus {:?}", h.state.focus);
    h.type_text("step 5");
    let lines = screen(&h);
    assert!(lines.last().unwrap().contains("find /step 5▏"), "{}", lines.last().unwrap());
    assert!(lines.iter().any(|l| l.contains("HISTORY calibration step 5")));
}

#[test]
fn the_queue_pane_shows_progress_rate_and_state() {
    for (width, height) in [(160, 48), (80, 24)] {
        let mut h = Harness::with_size(width, height);
        h.keys(&[Intent::Open, Intent::Down, Intent::Down, Intent::Download]);
        h.act(Report::DownloadProgress { job: 1, done: 7, size: 10, rate: 2048.0 });
        if width < 100 {
            h.keys(&[Intent::NextPane, Intent::NextPane]);
        }
        let all = text(&screen(&h));
        assert!(all.contains("Queue 0/1"), "{width}x{height}:\n{all}");
        assert!(all.contains("███████░░░ readme.txt") || all.contains("readme.txt"), "{all}");
        assert!(all.contains("70% 2.0 KiB/s"), "{all}");
        h.act(Report::DownloadFinished { job: 1, result: Err("access denied".into()) });
        let all = text(&screen(&h));
        assert!(all.contains("failed: access denied"), "{all}");
    }
}

#[test]
fn asking_before_a_prefix_download_shows_count_and_size() {
    let mut h = Harness::with_size(120, 40);
    h.keys(&[Intent::Open, Intent::Down, Intent::Download]);
    let Some(Effect::CountPrefix { request, .. }) =
        h.pending.iter().find(|e| matches!(e, Effect::CountPrefix { .. })).cloned()
    else {
        panic!("a count")
    };
    h.act(Report::PrefixCounted {
        request,
        result: Ok(vec![Listed::new("chandra/a", 1024, None), Listed::new("chandra/b", 2048, None)]),
    });
    let last = screen(&h).last().unwrap().clone();
    assert!(last.contains("download 2 objects, 3.0 KiB, from s3://nasa-heasarc/chandra/?"), "{last}");
    assert!(last.contains("y yes · n no"));
}

#[test]
fn status_hints_follow_the_keymap() {
    let mut h = Harness::with_size(120, 30);
    let lines = screen(&h);
    assert!(lines.last().unwrap().contains("? help · / filter · : jump · y copy · d get · q quit"), "{lines:?}");
    let config = crate::config::parse("[keys]\nquit = \"Q\"\ncopy = \"c\"\n", std::path::Path::new("c.toml")).unwrap();
    h.state.config.keys = super::keymap::Keymap::from_config(&config).unwrap();
    let last = screen(&h).last().unwrap().clone();
    assert!(last.contains("c copy") && last.contains("Q quit") && !last.contains("q quit"), "{last}");
}
