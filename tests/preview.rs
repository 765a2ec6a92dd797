//! The explorer's effect runner fetching previews from the embedded server:
//! FITS headers, text heads, cancellation and debounce.

mod common;

use std::time::Duration;

use common::effects::{preview, previewed, run_effects};
use common::*;
use s3scope::testing::preview::PreviewBody;
use s3scope::testing::tui::action::{Action, Report};
use s3scope::testing::tui::effect::Effect;

#[test]
fn fits_and_text_previews() {
    let hst = keys_below("stpubdata", "hst/public/").into_iter().find(|k| k.ends_with("_raw.fits")).unwrap();
    let effects = vec![
        preview(1, "stpubdata", &hst),
        preview(2, "demo-edge", "files/readme.txt"),
        preview(3, "nasa-heasarc", "asca/data/rev2/97006000/aux/ad97006000_002_source_info.html.gz"),
        preview(4, "demo-edge", "files/binary.bin"),
        preview(5, "demo-edge", "files/not-fits.fits"),
    ];
    let actions = run_effects(&fixture().endpoint, effects, Duration::from_secs(5));
    let body = |request: u64| previewed(&actions, request);
    let fits = body(1);
    let PreviewBody::Fits(headers) = &fits.body else { panic!("FITS expected") };
    assert_eq!(headers.hdus.len(), 4);
    assert_eq!(fits.details.size, fixture().store.get("stpubdata", &hst).unwrap().size);
    assert!(fits.details.etag.is_some() && fits.requests <= 5);
    let PreviewBody::Text { lines, .. } = &body(2).body else { panic!("text expected") };
    assert!(lines[0].contains("demo-edge bucket"));
    let PreviewBody::Text { lines, inflated: true, .. } = &body(3).body else { panic!("inflated text expected") };
    assert!(lines[0].contains("<html>"));
    assert!(matches!(body(4).body, PreviewBody::Binary(_)));
    let PreviewBody::Text { lines, .. } = &body(5).body else { panic!("a .fits that is not FITS shows as text") };
    assert!(lines[0].contains("404"));
}

#[test]
fn formats_are_known_by_their_first_bytes() {
    let parquet = keys_below("nasa-irsa-wise", "wise/").into_iter().find(|k| k.ends_with(".parquet")).unwrap();
    let effects = vec![
        preview(1, "demo-edge", "formats/roman-like.asdf"),
        preview(2, "demo-edge", "formats/cut-footer.parquet"),
        preview(3, "demo-edge", "formats/image.h5"),
        preview(4, "demo-edge", "formats/rosat-like.fits.Z"),
        preview(5, "nasa-irsa-wise", &parquet),
        preview(6, "nasa-heasarc", "rosat/data/pspc/processed_data/900000/rp900001n00/rp900001n00_bas.fits.Z"),
        preview(7, "demo-edge", "formats/a-catalog-without-its-ending"),
    ];
    let actions = run_effects(&fixture().endpoint, effects, Duration::from_secs(5));
    let PreviewBody::Fits(headers) = previewed(&actions, 6).body.clone() else { panic!("a .fits.Z previews as FITS") };
    assert_eq!((headers.hdus.len(), headers.hdus[1].name.as_str()), (3, "EVENTS"));
    let recognized = |request: u64| {
        let data = previewed(&actions, request);
        let PreviewBody::Recognized { format, facts, head } = data.body.clone() else { panic!("{:?}", data.body) };
        (format, facts, *head, data.requests)
    };
    let asdf = previewed(&actions, 1);
    let PreviewBody::Asdf(tree) = &asdf.body else { panic!("{:?}", asdf.body) };
    assert_eq!(tree.format, "ASDF 1.0.0 (standard 1.5.0)");
    assert!(tree.lines[0].text().starts_with("!core/asdf-1.1.0"));
    assert_eq!(asdf.requests, 1);
    let (format, facts, _, requests) = recognized(2);
    assert_eq!((format.as_str(), requests), ("Parquet", 2), "the end (no footer there), then the head");
    assert!(facts[0].contains("does not end with PAR1"), "{facts:?}");
    let (format, _, head, _) = recognized(3);
    assert_eq!(format, "HDF5 (superblock version 2 at byte 0)");
    assert!(matches!(head, PreviewBody::Binary(_)));
    let (format, _, _, _) = recognized(4);
    assert_eq!(format, "Unix compress (LZW, codes up to 16 bits)");
    // A Parquet file is described from its footer, one read from its end; a
    // partition without units gets them from its dataset's _common_metadata.
    let partition = previewed(&actions, 5);
    let PreviewBody::Parquet(parquet) = &partition.body else { panic!("{:?}", partition.body) };
    assert_eq!(partition.requests, 2);
    assert_eq!(parquet.description.columns[1].unit.as_deref(), Some("deg"));
    // Without a Parquet name: the head says what it is, a read from the end describes it.
    let unnamed = previewed(&actions, 7);
    let PreviewBody::Parquet(parquet) = &unnamed.body else { panic!("{:?}", unnamed.body) };
    assert_eq!((unnamed.requests, parquet.description.rows), (2, 50));
}

#[test]
fn cancelled_previews_never_reach_the_server() {
    let fixture = fixture();
    let (proxy, stats) = fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::ZERO)).unwrap();
    let keys = keys_below("stpubdata", "hst/public/");
    // Ten rows passed quickly: each preview is cancelled by the next.
    let mut effects = Vec::new();
    for (n, key) in keys.iter().take(10).enumerate() {
        let request = n as u64 + 1;
        if request > 1 {
            effects.push(Effect::Cancel(request - 1));
        }
        effects.push(preview(request, "stpubdata", key));
    }
    let actions = run_effects(&format!("http://{proxy}"), effects, Duration::from_secs(3));
    let answered: Vec<u64> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Report(Report::Previewed { request, .. }) => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(answered, [10], "only the row the cursor rests on is previewed");
    assert!(stats.requests() <= 4, "{} requests for one preview", stats.requests());
}
