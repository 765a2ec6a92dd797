//! The table view: switching to it, the pages of rows it reads, scrolling,
//! picking columns, and how it is drawn.

use super::action::{Intent, Report};
use super::effect::{Effect, RowsJob, RowsSource};
use super::test_support::{Harness, fits_table_preview, screen_text as screen};

/// An event list previewed, its table HDU shown, the preview focused.
fn on_table(width: u16, height: u16, rows: usize) -> Harness {
    let mut h = Harness::with_size(width, height);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(fits_table_preview(rows));
    h.keys(&[Intent::NextPane, Intent::NextHdu]);
    h
}

fn row_jobs(h: &Harness) -> Vec<RowsJob> {
    h.pending.iter().filter_map(|e| if let Effect::ReadRows(job) = e { Some(job.clone()) } else { None }).collect()
}

/// Answers every pending page with rows `r` → `[r*10 s, r, "src r"]`.
fn answer_rows(h: &mut Harness) {
    for job in row_jobs(h) {
        h.pending.retain(|e| !matches!(e, Effect::ReadRows(j) if j.request == job.request));
        let rows = job.rows.clone().map(|r| vec![format!("{}", r * 10), r.to_string(), format!("src {r}")]).collect();
        h.act(Report::RowsRead {
            request: job.request,
            node: job.node,
            hdu: job.hdu,
            page: job.page,
            result: Ok(rows),
        });
    }
}

#[test]
fn the_table_view_reads_the_rows_shown_and_a_page_ahead() {
    let mut h = on_table(120, 40, 1000);
    assert!(row_jobs(&h).is_empty(), "cards first");
    h.keys(&[Intent::CycleView]);
    let jobs = row_jobs(&h);
    assert_eq!(jobs.iter().map(|j| j.rows.clone()).collect::<Vec<_>>(), vec![0..64, 64..128]);
    let RowsSource::Fits { hdu: source, .. } = &jobs[0].source else { panic!("a FITS table") };
    assert_eq!((jobs[0].hdu, jobs[0].columns.clone(), source.compressed), (1, vec![0, 1, 2], false));
    assert_eq!(source.etag.as_deref(), Some("\"e\""), "reads are pinned to the previewed ETag");
    answer_rows(&mut h);
    let all = screen(&h);
    assert!(all.contains("TIME") && all.contains("chan") && all.contains("src 3"), "{all}");
    assert!(all.contains("rows 1-"), "{all}");
    // Paging down asks for the next page only; the end asks for the last.
    h.keys(&[Intent::PageDown, Intent::PageDown]);
    let next: Vec<_> = row_jobs(&h).iter().map(|j| j.rows.clone()).collect();
    assert_eq!(next, vec![128..192]);
    screen(&h);
    h.keys(&[Intent::Last]);
    let last: Vec<_> = row_jobs(&h).iter().map(|j| j.rows.clone()).collect();
    assert_eq!(last.last(), Some(&(960..1000)));
    answer_rows(&mut h);
    assert!(screen(&h).contains("src 999"));
    // v again: the cards, and v brings the table back at once.
    h.keys(&[Intent::CycleView]);
    assert!(screen(&h).contains("XTENSION= 'BINTABLE'"));
}

#[test]
fn stepping_hdus_and_objects_keeps_the_view_per_hdu_and_cancels_reads() {
    let mut h = on_table(120, 40, 500);
    h.keys(&[Intent::CycleView]);
    let requests: Vec<u64> = row_jobs(&h).iter().map(|j| j.request).collect();
    h.keys(&[Intent::PreviousHdu]);
    assert!(requests.iter().all(|r| h.cancelled.contains(r)), "leaving the HDU cancels its reads");
    assert!(screen(&h).contains("SIMPLE  ="), "the primary shows its cards");
    h.keys(&[Intent::CycleView]);
    assert!(h.state.status.text.contains("no table or image view"), "{}", h.state.status.text);
    h.keys(&[Intent::NextHdu]);
    assert_eq!(row_jobs(&h).len(), 2, "back on the table HDU, its table view again");
    let pending: Vec<u64> = row_jobs(&h).iter().map(|j| j.request).collect();
    h.keys(&[Intent::NextPane, Intent::Up]);
    assert!(pending.iter().all(|r| h.cancelled.contains(r)), "another object cancels the reads");
}

#[test]
fn picking_columns_reads_only_those() {
    let mut h = on_table(120, 40, 100);
    h.keys(&[Intent::CycleView]);
    answer_rows(&mut h);
    h.keys(&[Intent::PickColumns]);
    h.type_text("na, ti");
    h.keys(&[Intent::Submit]);
    let jobs = row_jobs(&h);
    assert_eq!(jobs[0].columns, vec![0, 2], "TIME and NAME, in the table's order");
    assert!(h.state.status.text.contains("2 columns shown"));
    h.keys(&[Intent::PickColumns]);
    h.act(Intent::ClearInput);
    h.type_text("nothing");
    h.keys(&[Intent::Submit]);
    assert!(h.state.status.text.contains("no column name holds"), "{}", h.state.status.text);
    assert_eq!(h.state.preview.table.as_ref().unwrap().columns, vec![0, 2]);
}

#[test]
fn a_failed_page_shows_its_error_and_the_table_fits_80_columns() {
    let mut h = on_table(80, 24, 300);
    h.keys(&[Intent::CycleView]);
    let jobs = row_jobs(&h);
    h.pending.clear();
    let job = &jobs[0];
    h.act(Report::RowsRead {
        request: job.request,
        node: job.node,
        hdu: 1,
        page: job.page,
        result: Err("the file ends in row 10".into()),
    });
    let all = screen(&h);
    assert!(all.contains("✗ the file ends in row 10"), "{all}");
    assert!(h.state.status.text.contains("reading rows of HDU 1"));
    assert!(all.lines().all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80));
    assert!(all.contains("v cards") && all.contains("c columns"), "{all}");
}
