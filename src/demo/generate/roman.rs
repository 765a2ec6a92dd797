//! A Roman WFI-like calibrated image as ASDF (`stpubdata/roman/…_cal.asdf`):
//! a `roman` mapping with several levels of tagged metadata, and `data`,
//! `dq`, `err` and `var_poisson` arrays in blocks 0 to 3, with a block index.
//! Its own generator, so the rest of the archive keeps its bytes.

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::asdf_writer::asdf_file;
use super::super::fits_writer::{Column, bintable_header_with_heap, push_hdu};
use super::{Rng, sky};
use crate::format::epoch_secs;

/// The Roman file's key in `stpubdata`.
pub const ROMAN_KEY: &str = "roman/wfi/r0000101001001001001/r0000101001001001001_01101_0001_WFI01_cal.asdf";
/// Pixels on a side of each array.
pub const ROMAN_SIDE: usize = 64;

const TREE: &str = r#"asdf_library: !core/software-1.0.0 {author: The s3scope demo, homepage: 'https://example.invalid/s3scope',
  name: s3scope-demo, version: 0.1.0}
history:
  extensions:
  - !core/extension_metadata-1.0.0
    extension_class: asdf.extension._manifest.ManifestExtension
    extension_uri: asdf://stsci.edu/datamodels/roman/extensions/datamodels-1.0
    software: !core/software-1.0.0 {name: roman_datamodels, version: 0.19.1}
roman: !<asdf://stsci.edu/datamodels/roman/tags/wfi_image-1.0.0>
  meta:
    calibration_software_version: 0.14.0
    filename: r0000101001001001001_01101_0001_WFI01_cal.asdf
    file_date: !time/time-1.1.0 2026-06-02T11:00:00.000
    model_type: ImageModel
    origin: STSCI
    telescope: ROMAN
    cal_step: !<asdf://stsci.edu/datamodels/roman/tags/l2_cal_step-1.0.0> {assign_wcs: COMPLETE,
      dark: COMPLETE, dq_init: COMPLETE, flat_field: COMPLETE, jump: COMPLETE, linearity: COMPLETE,
      photom: COMPLETE, ramp_fit: COMPLETE, saturation: COMPLETE}
    exposure: !<asdf://stsci.edu/datamodels/roman/tags/exposure-1.0.0>
      type: WFI_IMAGE
      start_time: !time/time-1.1.0 2026-06-01T04:12:47.000
      end_time: !time/time-1.1.0 2026-06-01T04:15:13.920
      ngroups: 6
      nframes: 8
      frame_time: 3.04
      exposure_time: 145.92
      effective_exposure_time: 136.8
      ma_table_name: High Latitude Imaging Survey
      ma_table_number: 1
      read_pattern:
      - [1]
      - [2, 3]
      - [4, 5, 6, 7]
      - [8, 9, 10, 11, 12, 13, 14, 15]
      truncated: false
    instrument: !<asdf://stsci.edu/datamodels/roman/tags/wfi_mode-1.0.0> {detector: WFI01, name: WFI,
      optical_element: F158}
    observation: !<asdf://stsci.edu/datamodels/roman/tags/observation-1.0.0>
      observation_id: '0000101001001001001'
      program: '00001'
      execution_plan: 1
      pass: 1
      segment: 1
      observation: 1
      visit: 1
      visit_file_group: 1
      visit_file_sequence: 1
      visit_file_activity: '01'
      exposure: 1
    pointing: !<asdf://stsci.edu/datamodels/roman/tags/pointing-1.0.0> {ra_v1: 270.00125, dec_v1: 66.5604,
      pa_v3: 0.0}
    wcsinfo: !<asdf://stsci.edu/datamodels/roman/tags/wcsinfo-1.0.0>
      aperture_name: WFI01_FULL
      pa_aperture: 0.0
      v2_ref: 1312.9491452484797
      v3_ref: -1040.7853726755036
      vparity: -1
      v3yangle: -60.0
      ra_ref: 270.0
      dec_ref: 66.56
      roll_ref: 0.0
      s_region: POLYGON ICRS 269.95 66.52 270.05 66.52 270.05 66.60 269.95 66.60
    photometry: !<asdf://stsci.edu/datamodels/roman/tags/photometry-1.0.0>
      conversion_megajanskys: !unit/quantity-1.1.0 {unit: !unit/unit-1.0.0 MJy.sr**-1, value: 0.3324}
      pixel_area: !unit/quantity-1.1.0 {unit: !unit/unit-1.0.0 sr, value: 2.8083e-13}
  data: !core/ndarray-1.0.0
    source: 0
    datatype: float32
    byteorder: little
    shape: [64, 64]
  dq: !core/ndarray-1.0.0
    source: 1
    datatype: uint32
    byteorder: little
    shape: [64, 64]
  err: !core/ndarray-1.0.0
    source: 2
    datatype: float32
    byteorder: little
    shape: [64, 64]
  var_poisson: !core/ndarray-1.0.0
    source: 3
    datatype: float32
    byteorder: little
    shape: [64, 64]
  amp33: !core/ndarray-1.0.0
    data:
    - [7, 9, 8, 10]
    - [6, 8, 11, 9]
    datatype: uint16
    shape: [2, 4]
"#;

/// The file's bytes.
pub fn roman_cal() -> Vec<u8> {
    let mut rng = Rng(0x2026_0601);
    let side = ROMAN_SIDE;
    let field = sky::star_field(&mut rng, side, side, 12, 2.0, 0.5);
    let data: Vec<u8> = field.iter().flat_map(|v| v.to_le_bytes()).collect();
    let dq: Vec<u8> = (0..side * side).flat_map(|_| if rng.below(50) == 0 { 4u32 } else { 0 }.to_le_bytes()).collect();
    let err: Vec<u8> = field.iter().flat_map(|v| (v.max(0.0) + 0.25).sqrt().to_le_bytes()).collect();
    let var: Vec<u8> = field.iter().flat_map(|v| v.max(0.0).to_le_bytes()).collect();
    asdf_file(TREE, &[data, dq, err, var], true)
}

/// A tree that never ends: no `...` line before the end of the file.
pub fn endless() -> Vec<u8> {
    let mut out = super::super::asdf_writer::PREAMBLE.as_bytes().to_vec();
    out.extend(TREE.lines().take(12).flat_map(|l| format!("{l}\n").into_bytes()));
    out.extend(b"  notes:\n");
    for n in 0..200 {
        out.extend(format!("  - note {n} of a tree whose writer stopped before its end\n").bytes());
    }
    out
}

pub(super) fn roman(w: &mut ArchiveWriter) -> io::Result<()> {
    w.put("stpubdata", ROMAN_KEY, &roman_cal(), epoch_secs(2026, 6, 2, 11, 0, 0))
}

/// The tree a JWST pipeline product carries in its `ASDF` extension.
const JWST_TREE: &str = r#"asdf_library: !core/software-1.0.0 {author: The ASDF Developers, homepage: 'http://github.com/asdf-format/asdf',
  name: asdf, version: 2.15.0}
meta:
  model_type: IFUCubeModel
  telescope: JWST
  instrument: {name: NIRSPEC, detector: NRS1, filter: F290LP, grating: G395H}
  exposure: {type: NRS_IFU, start_time: 59772.5928, exposure_time: 2684.8, nints: 1}
  target: {catalog_name: SMACS-0723, ra: 110.8375, dec: -73.4544}
  wcsinfo: {spectral_order: 0, v2_ref: 378.7, v3_ref: -428.3, ra_ref: 110.8375, dec_ref: -73.4544}
data: !core/ndarray-1.0.0 {source: 'fits:SCI,1', datatype: float32, byteorder: big, shape: [12, 48, 48]}
"#;

/// The largest tree the `ASDF` extension's column holds (its `PB(n)` form).
const JWST_TREE_MAX: usize = 4096;

/// Appends JWST's `ASDF` extension: a one-row BINTABLE whose `ASDF_METADATA`
/// column (a heap array of bytes) holds an ASDF file with the tree.
pub fn push_asdf_hdu(out: &mut Vec<u8>) {
    let text = asdf_file(JWST_TREE, &[], false);
    debug_assert!(text.len() <= JWST_TREE_MAX);
    let columns = [Column { name: "ASDF_METADATA", form: "PB(4096)", unit: "" }];
    let header = bintable_header_with_heap(&columns, 1, text.len(), "ASDF");
    let mut data = (text.len() as i32).to_be_bytes().to_vec();
    data.extend(0i32.to_be_bytes());
    data.extend(&text);
    push_hdu(out, &header, &data);
}
