//! The ASDF preview's folding tree: drawn at 80x24, folded and unfolded
//! with the tree's keys, searched; and a FITS file's `ASDF` extension.

use std::sync::Arc;

use futures::executor::block_on;

use super::action::Intent;
use super::test_support::{Harness, fits_preview_of, screen_text as screen};
use crate::asdf::assemble;
use crate::demo::generate::roman;
use crate::fits::tests::Memory;
use crate::preview::asdf::{AsdfPreview, asdf_hdu, read_extension};
use crate::preview::{PreviewBody, PreviewData};

fn roman_preview() -> Arc<PreviewData> {
    let file = roman::roman_cal();
    let found = assemble(&file, true, Some((0, &file)), file.len() as u64).unwrap();
    Arc::new(PreviewData {
        details: Default::default(),
        body: PreviewBody::Asdf(Box::new(AsdfPreview::of(&found))),
        requests: 2,
        bytes_read: 11_000,
        asdf_hdu: None,
    })
}

/// An object previewed as the demo's Roman file, at `width` x `height`, the preview focused.
fn on_tree(width: u16, height: u16) -> Harness {
    let mut h = Harness::with_size(width, height);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(roman_preview());
    h.keys(&[Intent::NextPane]);
    h
}

#[test]
fn the_tree_folds_and_unfolds_at_80x24() {
    let mut h = on_tree(80, 24);
    let all = screen(&h);
    assert!(all.contains("ASDF 1.0.0 (standard 1.5.0) · tree"), "{all}");
    assert!(all.contains("▾ !core/asdf-1.1.0 {3 entries}"), "{all}");
    assert!(all.contains("asdf_library: !core/software-1.0.0"), "{all}");
    assert!(all.contains("2 requests, 10.7 KiB · node 1/107 · l/h unfold/fold · Enter toggle · / find"), "{all}");
    assert!(all.contains("tree of") && all.contains("4 blocks"), "{all}");
    // Down to `roman`, fold it: what was below it goes, the lines after come up.
    let roman_row = |h: &Harness| {
        let view = h.state.preview.asdf.as_ref().unwrap();
        let data = h.state.preview.data().unwrap();
        let PreviewBody::Asdf(tree) = &data.body else { panic!() };
        tree.lines[view.current().unwrap()].key.clone()
    };
    while roman_row(&h) != "roman" {
        h.keys(&[Intent::Down]);
    }
    let shown_before = h.state.preview.asdf.as_ref().unwrap().shown().len();
    h.keys(&[Intent::Close]);
    let all = screen(&h);
    assert!(all.contains("▸ roman: !wfi_image-1.0.0 {6 entries}"), "{all}");
    assert!(!all.contains("meta:"), "{all}");
    assert!(h.state.preview.asdf.as_ref().unwrap().shown().len() < shown_before - 50);
    // Open it and step in: meta is shown, and its ndarrays are one line each.
    h.keys(&[Intent::Open, Intent::Open]);
    assert_eq!(roman_row(&h), "meta");
    h.keys(&[Intent::Toggle]);
    let all = screen(&h);
    assert!(all.contains("▸ meta: {13 entries}"), "{all}");
    h.keys(&[Intent::Down]);
    let all = screen(&h);
    assert!(all.contains("▸ data: !core/ndarray-1.0.0 ndarray 64x64 float32, block 0"), "{all}");
    h.keys(&[Intent::Last]);
    let all = screen(&h);
    assert!(all.contains("amp33: !core/ndarray-1.0.0 ndarray 2x4 uint16, inline"), "{all}");
    // Every row fits the 80 columns (nothing wraps into the next line).
    assert_eq!(all.lines().count(), 24);
}

#[test]
fn search_finds_inside_folded_nodes_and_the_cursor_stays_on_screen() {
    let mut h = on_tree(80, 24);
    h.keys(&[Intent::StartFilter]);
    h.type_text("v3yangle");
    h.keys(&[Intent::Submit]);
    let all = screen(&h);
    assert!(all.contains("v3yangle: -60.0"), "{all}");
    // The data array's own fields, folded at first, are found too.
    h.keys(&[Intent::StartFilter]);
    h.type_text("byteorder");
    h.keys(&[Intent::Submit]);
    let all = screen(&h);
    assert!(all.contains("▾ data: !core/ndarray-1.0.0") && all.contains("byteorder: little"), "{all}");
    // The next match is in the next array, unfolded in turn.
    h.keys(&[Intent::NextMatch]);
    assert!(screen(&h).contains("▾ dq: !core/ndarray-1.0.0"));
}

#[test]
fn control_characters_in_keys_and_values_are_escaped() {
    let text = "#ASDF 1.0.0\n%YAML 1.1\n---\n\"k\\e]0;x\\a\": \"v\\e[31m\"\n...\n";
    let found = assemble(text.as_bytes(), true, None, text.len() as u64).unwrap();
    let mut h = Harness::with_size(80, 24);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(Arc::new(PreviewData {
        details: Default::default(),
        body: PreviewBody::Asdf(Box::new(AsdfPreview::of(&found))),
        requests: 1,
        bytes_read: 60,
        asdf_hdu: None,
    }));
    h.keys(&[Intent::NextPane]);
    let all = screen(&h);
    assert!(all.contains("k\\e]0;x\\x07: v\\e[31m"), "{all}");
    assert!(!all.contains('\x1b') && !all.contains('\x07'));
}

#[test]
fn a_fits_asdf_extension_shows_its_tree_under_its_hdu() {
    let mut file = Vec::new();
    let primary = crate::demo::fits_writer::primary_header(8, &[]);
    crate::demo::fits_writer::push_hdu(&mut file, &primary, &[]);
    roman::push_asdf_hdu(&mut file);
    let data = fits_preview_of(&file, "\"e\"");
    let PreviewBody::Fits(headers) = &data.body else { panic!() };
    let hdu = asdf_hdu(headers).unwrap().clone();
    let tree = block_on(read_extension(&mut Memory::new(file.clone()), &hdu, false)).unwrap();
    let mut data = (*data).clone();
    data.asdf_hdu = Some((hdu.index, Box::new(AsdfPreview::of(&tree))));
    let mut h = Harness::with_size(80, 24);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(Arc::new(data));
    h.keys(&[Intent::NextPane]);
    assert!(!screen(&h).contains("IFUCubeModel"), "HDU 0 shows its cards");
    h.keys(&[Intent::NextHdu]);
    let all = screen(&h);
    assert!(all.contains("model_type: IFUCubeModel"), "{all}");
    h.keys(&[Intent::Last]);
    let all = screen(&h);
    assert!(all.contains("data: !core/ndarray-1.0.0 ndarray 12x48x48 >float32, file \"fits:SCI,1\""), "{all}");
    h.keys(&[Intent::PreviousHdu]);
    assert!(h.state.preview.asdf.is_none());
    assert!(!screen(&h).contains("IFUCubeModel"), "HDU 0 shows its cards");
    h.keys(&[Intent::NextHdu]);
    assert!(screen(&h).contains("IFUCubeModel"));
}
