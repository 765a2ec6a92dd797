//! A Parquet file in the explorer: its footer described in the preview, its
//! rows in the table view, read from the column chunks they need.

use super::action::{Intent, Report};
use super::effect::{Effect, RowsJob, RowsSource};
use super::test_support::{Harness, parquet_preview, screen_text as screen};

fn row_jobs(h: &Harness) -> Vec<RowsJob> {
    h.pending.iter().filter_map(|e| if let Effect::ReadRows(job) = e { Some(job.clone()) } else { None }).collect()
}

/// The Parquet file previewed and the preview focused.
fn on_parquet(width: u16, height: u16) -> Harness {
    let mut h = Harness::with_size(width, height);
    h.keys(&[Intent::Open, Intent::Down, Intent::Down]);
    h.answer_preview_with(parquet_preview());
    h.keys(&[Intent::NextPane]);
    h
}

#[test]
fn the_preview_describes_the_footer() {
    let h = on_parquet(120, 40);
    let all = screen(&h);
    assert!(all.contains("Parquet · 2000 rows"), "{all}");
    assert!(all.contains("2000 rows · 5 row groups · 11 columns"), "{all}");
    assert!(all.contains("[deg]") && all.contains("Right ascension"), "units and descriptions: {all}");
    assert!(all.contains("TIMESTAMP(MI"), "logical types: {all}");
    assert!(all.contains("v table"), "the key to its rows: {all}");
}

#[test]
fn the_table_view_reads_pages_of_the_file() {
    let mut h = on_parquet(120, 40);
    h.keys(&[Intent::CycleView]);
    let jobs = row_jobs(&h);
    assert_eq!(jobs.iter().map(|j| j.rows.clone()).collect::<Vec<_>>(), vec![0..64, 64..128]);
    let RowsSource::Parquet { etag, footer, .. } = &jobs[0].source else { panic!("a Parquet source") };
    assert_eq!(etag.as_deref(), Some("\"p\""), "pinned to the previewed ETag");
    assert_eq!(footer.metadata.num_row_groups(), 5);
    assert_eq!(jobs[0].columns, (0..10).collect::<Vec<_>>());
    for job in jobs {
        h.pending.retain(|e| !matches!(e, Effect::ReadRows(j) if j.request == job.request));
        let rows = job.rows.clone().map(|r| (0..10).map(|c| format!("r{r}c{c}")).collect()).collect();
        h.act(Report::RowsRead { request: job.request, node: job.node, hdu: 0, page: job.page, result: Ok(rows) });
    }
    let all = screen(&h);
    assert!(all.contains("galaxy_id") && all.contains("deg") && all.contains("r3c1"), "{all}");
    assert!(all.contains("rows 1-"), "{all}");
}

#[test]
fn picking_columns_of_a_parquet_file_reads_only_those() {
    let mut h = on_parquet(100, 30);
    h.keys(&[Intent::CycleView]);
    h.keys(&[Intent::PickColumns]);
    h.type_text("ra, dec");
    h.keys(&[Intent::Submit]);
    let jobs = row_jobs(&h);
    assert_eq!(jobs.last().unwrap().columns, vec![1, 2], "whole names pick those columns alone");
    assert!(h.state.status.text.contains("2 columns shown"), "{}", h.state.status.text);
}
