//! Copying from the explorer: `y`, marks, the `Y` menu, and how they draw.

use ratatui::style::Color;

use super::action::{Intent, Report};
use super::effect::Effect;
use super::mode::Mode;
use super::test_support::{Harness, draw, screen_text};
use super::theme::{Depth, Theme};

/// Moves the cursor down to the row named `name`.
fn select(h: &mut Harness, name: &str) {
    for _ in 0..50 {
        if h.selected_uri().ends_with(name) {
            return;
        }
        h.keys(&[Intent::Down]);
    }
    panic!("no row {name}");
}

fn copies(h: &Harness) -> Vec<(String, String)> {
    h.pending
        .iter()
        .filter_map(|e| match e {
            Effect::Copy { text, what } => Some((text.clone(), what.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn y_copies_the_selected_objects_uri_and_the_status_says_how() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open]);
    select(&mut h, "readme.txt");
    h.keys(&[Intent::Copy]);
    let uri = "s3://nasa-heasarc/readme.txt".to_string();
    assert_eq!(copies(&h), [(uri.clone(), uri.clone())]);
    h.act(Report::Copied { what: uri.clone(), result: Ok("OSC 52".into()) });
    assert_eq!(h.state.status.text, "copied s3://nasa-heasarc/readme.txt (OSC 52)");
    assert!(!h.state.status.is_error);
    h.act(Report::Copied { what: uri, result: Err("no answer from the display server in 2 s".into()) });
    assert!(h.state.status.is_error && h.state.status.text.contains("no answer"), "{:?}", h.state.status);
}

#[test]
fn y_on_a_prefix_copies_the_prefix_uri() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open]);
    select(&mut h, "chandra/");
    h.keys(&[Intent::Copy]);
    assert_eq!(copies(&h)[0].0, "s3://nasa-heasarc/chandra/");
}

#[test]
fn marked_rows_are_copied_one_line_each_until_esc_clears_them() {
    let mut h = Harness::new();
    h.keys(&[Intent::Open]);
    select(&mut h, "chandra/");
    h.keys(&[Intent::Mark]);
    assert!(h.selected_uri().ends_with("readme.txt"), "mark moves down");
    h.keys(&[Intent::Mark]);
    assert_eq!(h.state.status.text, "2 rows marked (y copies them, Esc clears)");
    let marked_rows = screen_text(&h).lines().filter(|l| l.contains("*chandra/") || l.contains("*readme.txt")).count();
    assert_eq!(marked_rows, 2, "{}", screen_text(&h));
    h.keys(&[Intent::Copy]);
    assert_eq!(
        copies(&h),
        [("s3://nasa-heasarc/chandra/\ns3://nasa-heasarc/readme.txt".to_string(), "2 s3 URIs".to_string())]
    );
    h.keys(&[Intent::Up, Intent::Mark]);
    assert_eq!(h.state.marks.len(), 1, "space again unmarks");
    h.keys(&[Intent::Escape]);
    assert!(h.state.marks.is_empty());
    assert_eq!(h.state.status.text, "marks cleared");
}

#[test]
fn the_copy_menu_offers_every_format_of_a_heasarc_object() {
    let mut h = Harness::with_size(80, 24);
    let key = "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz";
    h.keys(&[Intent::StartJump, Intent::ClearInput]);
    h.type_text(&format!("s3://nasa-heasarc/{key}"));
    h.keys(&[Intent::Submit]);
    assert_eq!(h.selected_uri(), format!("s3://nasa-heasarc/{key}"));
    h.keys(&[Intent::CopyMenu]);
    let Mode::CopyMenu(menu) = &h.state.mode else { panic!("menu open: {:?}", h.state.mode) };
    let labels: Vec<&str> = menu.formats.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["s3 URI", "https URL", "HEASARC URL", "key", "Python (astropy)", "aws s3 cp command"]);
    let screen = screen_text(&h);
    for needle in ["Copy as", "3 HEASARC URL", "https://heasarc.gsfc.nasa.gov/FTP/chandra/", "6 aws s3 cp command"] {
        assert!(screen.contains(needle), "{needle} missing:\n{screen}");
    }
    h.keys(&[Intent::Input('3')]);
    let url = format!("https://heasarc.gsfc.nasa.gov/FTP/{key}");
    assert_eq!(copies(&h), [(url.clone(), format!("HEASARC URL {url}"))]);
    assert_eq!(h.state.mode, Mode::Normal);

    h.pending.clear();
    h.keys(&[Intent::CopyMenu, Intent::Down, Intent::Down, Intent::Down, Intent::Down, Intent::Submit]);
    let (text, what) = &copies(&h)[0];
    assert!(text.starts_with("from astropy.io import fits"), "{text}");
    assert_eq!(what, "Python (astropy) (4 lines)");
    h.pending.clear();
    h.keys(&[Intent::CopyMenu, Intent::Escape]);
    assert!(copies(&h).is_empty() && h.state.mode == Mode::Normal, "Esc copies nothing");
}

#[test]
fn ascii_theme_draws_nothing_but_ascii() {
    let mut h = Harness::with_size(80, 24);
    h.state.config.theme = Theme { ascii: true, ..Theme::default() };
    h.keys(&[Intent::Open]);
    for state in [None, Some(Intent::Help), Some(Intent::Escape), Some(Intent::CopyMenu)] {
        if let Some(action) = state {
            h.keys(&[action]);
        }
        let buffer = draw(&h);
        let bad: Vec<&str> = buffer.content.iter().map(|c| c.symbol()).filter(|s| !s.is_ascii()).collect();
        assert!(bad.is_empty(), "non-ASCII cells {bad:?}:\n{}", screen_text(&h));
    }
    assert!(screen_text(&h).contains("+-"), "borders are drawn with + and -");
}

#[test]
fn without_unicode_names_beyond_ascii_are_escaped_not_question_marks() {
    let buckets = vec![("demo-edge".to_string(), None)];
    let mut h = Harness::with_buckets(100, 30, buckets);
    h.state.config.theme = Theme { ascii: true, ..Theme::default() };
    let effects = h.state.jump_to(crate::s3::S3Uri::new("demo-edge", "unicode/"));
    h.pending.extend(effects);
    h.settle();
    let text = screen_text(&h);
    assert!(text.contains("caf\\u{e9}-\\u{2603}-\\u{661f}.fits"), "{text}");
    assert!(!text.contains("caf?"), "{text}");
}

#[test]
fn no_color_draws_no_colour_but_keeps_the_cursor_visible() {
    let mut h = Harness::with_size(80, 24);
    h.state.config.theme = Theme { depth: Depth::None, ..Theme::default() };
    h.keys(&[Intent::Open]);
    let buffer = draw(&h);
    assert!(buffer.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    let reversed = buffer.content.iter().filter(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED)).count();
    assert!(reversed >= 20, "the cursor row and the title are in reverse video ({reversed} cells)");
}

#[test]
fn copying_a_key_with_control_characters_warns() {
    let mut h = Harness::with_buckets(120, 40, vec![("demo-edge".to_string(), None)]);
    h.keys(&[Intent::StartJump, Intent::ClearInput]);
    h.type_text("s3://demo-edge/escape/\x1b[31mred\x1b[0m.txt");
    h.keys(&[Intent::Submit, Intent::Copy]);
    let (text, what) = copies(&h).pop().unwrap();
    assert_eq!(text, "s3://demo-edge/escape/\x1b[31mred\x1b[0m.txt", "the text itself is exact");
    assert!(what.ends_with("[holds control characters: paste with care]"), "{what}");
}
