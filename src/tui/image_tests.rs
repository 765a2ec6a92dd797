//! The image view: switching to it, the plane it reads, the stretch and
//! interval keys, and the half-block picture it draws.

use std::sync::Arc;

use super::action::{Intent, Report};
use super::effect::{Effect, ImageJob};
use super::test_support::{Harness, screen_text as screen};
use crate::fits::image::read::Samples;

/// The FITS preview's SCI image (HDU 1, 64x64 float32) shown, the preview focused.
fn on_image(width: u16, height: u16) -> Harness {
    let mut h = Harness::with_size(width, height);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview();
    h.keys(&[Intent::NextPane, Intent::NextHdu]);
    h
}

fn image_jobs(h: &Harness) -> Vec<ImageJob> {
    h.pending.iter().filter_map(|e| if let Effect::ReadImage(job) = e { Some(job.clone()) } else { None }).collect()
}

/// Answers the pending image read with a gradient and a bright spot.
fn answer(h: &mut Harness) {
    let job = image_jobs(h).pop().expect("an image read");
    h.pending.retain(|e| !matches!(e, Effect::ReadImage(_)));
    let values =
        (0..32).map(|y| (0..32).map(|x| if (x, y) == (16, 16) { 1000.0 } else { (x + y) as f64 }).collect()).collect();
    let samples = Arc::new(Samples { values, integral: false });
    h.act(Report::ImageRead {
        request: job.request,
        node: job.node,
        hdu: job.source.hdu.index,
        plane: job.plane,
        result: Ok(samples),
    });
}

#[test]
fn v_on_an_image_reads_a_plane_sized_to_the_pane_and_draws_half_blocks() {
    let mut h = on_image(120, 40);
    h.keys(&[Intent::CycleView]);
    let jobs = image_jobs(&h);
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!((job.source.hdu.index, job.plane, job.source.etag.is_some()), (1, 0, true));
    let (w, rows) = job.max;
    assert!((40..=60).contains(&w) && rows >= 30, "half blocks of the pane: {:?}", job.max);
    assert!(screen(&h).contains("reading pixels"));
    answer(&mut h);
    let all = screen(&h);
    assert!(all.contains('▀') || all.contains('▄'), "{all}");
    assert!(all.contains("32x32 samples") && all.contains("zscale linear"), "{all}");
    h.keys(&[Intent::CycleStretch, Intent::CycleInterval]);
    let all = screen(&h);
    assert!(all.contains("minmax sqrt"), "{all}");
    assert!(all.contains("1000"), "min-max reaches the bright spot: {all}");
    // v again: the cards.
    h.keys(&[Intent::CycleView]);
    assert!(screen(&h).contains("XTENSION= 'IMAGE   '"));
}

#[test]
fn a_failed_read_and_keys_outside_an_image_view_say_so() {
    let mut h = on_image(80, 24);
    h.keys(&[Intent::CycleStretch]);
    assert!(h.state.status.text.contains("works in an image view"), "{}", h.state.status.text);
    h.keys(&[Intent::CycleView]);
    let job = image_jobs(&h).pop().unwrap();
    h.act(Report::ImageRead {
        request: job.request,
        node: job.node,
        hdu: 1,
        plane: 0,
        result: Err("tile 3: broken".into()),
    });
    assert!(screen(&h).contains("✗ tile 3: broken"));
    assert!(h.state.status.is_error);
    h.keys(&[Intent::NextPlane]);
    assert!(h.state.status.text.contains("one plane"), "{}", h.state.status.text);
    // The primary has no data: no view for it.
    h.keys(&[Intent::PreviousHdu, Intent::CycleView]);
    assert!(h.state.status.text.contains("no table or image view"), "{}", h.state.status.text);
}

#[test]
fn leaving_the_object_cancels_the_read() {
    let mut h = on_image(120, 40);
    h.keys(&[Intent::CycleView]);
    let request = image_jobs(&h)[0].request;
    h.keys(&[Intent::NextPane, Intent::Up]);
    assert!(h.cancelled.contains(&request));
}
