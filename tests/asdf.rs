//! ASDF trees against the embedded server: `header` (text and JSON) on the
//! demo's Roman file, what it costs, a tree that never ends, and the
//! explorer's previews (the Roman file, JWST's `ASDF` FITS extension).

mod common;

use std::time::Duration;

use common::effects::{preview, previewed, run_effects};
use common::*;
use s3scope::testing::demo::store::Content;
use s3scope::testing::preview::PreviewBody;
use s3scope::testing::tui::action::Action;
use s3scope::testing::tui::effect::Effect;
use serde_json::Value;

const ROMAN: &str = "roman/wfi/r0000101001001001001/r0000101001001001001_01101_0001_WFI01_cal.asdf";
const JWST_CUBE: &str =
    "jwst/public/jw02736/jw02736-o007_t001_nirspec_g395h-f290lp/jw02736-o007_t001_nirspec_g395h-f290lp_s3d.fits";

fn stored(bucket: &str, key: &str) -> Vec<u8> {
    let object = fixture().store.get(bucket, key).unwrap();
    let Content::File(path) = &object.content else { panic!("on disk") };
    std::fs::read(path).unwrap()
}

#[test]
fn header_json_gives_the_tree_and_blocks_in_two_requests() {
    let output = run(&["header", "--json", &format!("s3://stpubdata/{ROMAN}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let file = stored("stpubdata", ROMAN);
    assert_eq!((json["format"].as_str(), json["size"].as_u64()), (Some("asdf"), Some(file.len() as u64)));
    assert_eq!((json["version"].as_str(), json["standard"].as_str()), (Some("1.0.0"), Some("1.5.0")));
    let (requests, bytes) = (json["requests"].as_u64().unwrap(), json["bytes_read"].as_u64().unwrap());
    assert!(requests <= 2, "{requests} requests");
    assert!(bytes * 2 < file.len() as u64, "{bytes} bytes of {}", file.len());
    assert_eq!(json["tree"]["tag"], "tag:stsci.edu:asdf/core/asdf-1.1.0");
    let roman = &json["tree"]["value"]["roman"];
    assert_eq!(roman["tag"], "asdf://stsci.edu/datamodels/roman/tags/wfi_image-1.0.0");
    let data = &roman["value"]["data"];
    assert_eq!(data["tag"], "tag:stsci.edu:asdf/core/ndarray-1.0.0");
    assert_eq!(data["value"]["shape"], serde_json::json!([64, 64]));
    assert_eq!(data["value"]["source"], 0);
    // Keys in document order (serde_json's own map sorts them: look at the text).
    let raw = stdout(&output);
    let at = |key: &str| raw.find(&format!("\"{key}\":")).unwrap();
    assert!(at("meta") < at("data") && at("data") < at("dq") && at("var_poisson") < at("amp33"), "{raw}");
    assert_eq!(roman["value"]["meta"]["exposure"]["value"]["ngroups"], 6);
    // The blocks are where the file has its block magic, each 6 + 48 + 64 * 64 * 4 bytes.
    let magic: Vec<u64> =
        file.windows(4).enumerate().filter(|(_, w)| *w == b"\xd3BLK").map(|(at, _)| at as u64).collect();
    let blocks = json["blocks"].as_array().unwrap();
    let offsets: Vec<u64> = blocks.iter().map(|b| b["offset"].as_u64().unwrap()).collect();
    assert_eq!(offsets, magic);
    assert!(blocks.iter().all(|b| b["size"] == 6 + 48 + 64 * 64 * 4), "{blocks:?}");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn header_text_is_the_tree_indented() {
    let output = run(&["header", &format!("s3://stpubdata/{ROMAN}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("# ASDF 1.0.0 (standard 1.5.0) in s3://stpubdata/roman/"), "{text}");
    assert!(text.contains("\n  roman: !wfi_image-1.0.0 {6 entries}\n    meta: {13 entries}\n"), "{text}");
    assert!(text.contains("\n    data: !core/ndarray-1.0.0 ndarray 64x64 float32, block 0\n"), "{text}");
    assert!(text.contains("\n    amp33: !core/ndarray-1.0.0 ndarray 2x4 uint16, inline\n"), "{text}");
    assert!(!text.contains("byteorder"), "ndarrays are one line each");
    assert!(text.contains("# 4 blocks:\n"), "{text}");
    assert!(text.trim_end().ends_with(&format!("bytes read of {}", stored("stpubdata", ROMAN).len())), "{text}");
}

#[test]
fn a_tree_that_never_ends_is_one_line_and_exit_2() {
    let output = run(&["header", "--json", "s3://demo-edge/formats/endless-tree.asdf"]);
    assert_one_line_error(&output, 2, "the YAML tree does not end: no '...' line before the end of the file");
    assert!(stdout(&output).is_empty());
}

#[test]
fn asdf_is_known_by_its_bytes_not_its_name() {
    // A FITS-named key whose bytes are ASDF is read as ASDF; a .asdf-named FITS file as FITS.
    let output = run(&["header", "--json", "s3://demo-edge/formats/roman-like.asdf"]);
    let json: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(json["format"], "asdf");
    assert_eq!(json["requests"], 1, "a small file is one read");
    let output = run(&["header", "s3://demo-edge/files/not-fits.fits"]);
    assert_one_line_error(&output, 2, "not a FITS file");
}

fn run_previews(effects: Vec<Effect>) -> Vec<Action> {
    run_effects(&fixture().endpoint, effects, Duration::from_secs(5))
}

#[test]
fn previews_show_trees() {
    let actions = run_previews(vec![
        preview(1, "stpubdata", ROMAN),
        preview(2, "demo-edge", "formats/endless-tree.asdf"),
        preview(3, "stpubdata", JWST_CUBE),
    ]);
    let roman = previewed(&actions, 1);
    let PreviewBody::Asdf(tree) = &roman.body else { panic!("{:?}", roman.body) };
    // Bytes are counted a body chunk at a time, and chunk sizes follow the
    // timing (16 to 41 KB of this 69 KB file over loopback): never the whole file.
    assert!(roman.requests <= 2 && roman.bytes_read < roman.details.size, "{roman:?}");
    eprintln!("the Roman preview: {} requests, {} of {} bytes", roman.requests, roman.bytes_read, roman.details.size);
    assert_eq!(tree.format, "ASDF 1.0.0 (standard 1.5.0)");
    assert_eq!(tree.blocks.len(), 4);
    assert!(tree.lines.iter().any(|l| l.text() == "data: !core/ndarray-1.0.0 ndarray 64x64 float32, block 0"));
    let endless = previewed(&actions, 2);
    let PreviewBody::Recognized { facts, .. } = &endless.body else { panic!("{:?}", endless.body) };
    assert!(facts[0].starts_with("! the YAML tree does not end"), "{facts:?}");
    let cube = previewed(&actions, 3);
    let PreviewBody::Fits(headers) = &cube.body else { panic!("FITS") };
    let (index, tree) = cube.asdf_hdu.as_ref().expect("the ASDF extension's tree");
    assert_eq!(headers.hdus[*index].name, "ASDF");
    assert!(tree.lines.iter().any(|l| l.text() == "model_type: IFUCubeModel"), "{tree:?}");
    assert!(tree.warnings.is_empty(), "{:?}", tree.warnings);
}

#[test]
fn a_jwst_asdf_extension_is_in_its_hdu() {
    let output = run(&["header", "--json", &format!("s3://stpubdata/{JWST_CUBE}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let hdus = json["hdus"].as_array().unwrap();
    let asdf = hdus.iter().find(|h| h["name"] == "ASDF").unwrap();
    assert_eq!(asdf["asdf"]["version"], "1.0.0");
    let tree = &asdf["asdf"]["tree"]["value"];
    assert_eq!(tree["meta"]["model_type"], "IFUCubeModel");
    assert_eq!(tree["data"]["value"]["source"], "fits:SCI,1");
    assert!(hdus.iter().filter(|h| h.get("asdf").is_some()).count() == 1, "only that HDU");
    let text = stdout(&run(&["header", &format!("s3://stpubdata/{JWST_CUBE}")]));
    assert!(text.contains("# ASDF tree (1.0.0):\n!core/asdf-1.1.0 {3 entries}\n"), "{text}");
    assert!(text.contains("  data: !core/ndarray-1.0.0 ndarray 12x48x48 >float32, file \"fits:SCI,1\"\n"), "{text}");
}
