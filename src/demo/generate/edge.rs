//! The keys and files that break tools (`demo-edge`).

use std::io;

use super::super::archive::ArchiveWriter;
use super::super::fits_writer::{Header, image_header, primary_header, push_hdu};
use super::tables::{broken_tables, every_type};
use super::*;
use crate::format::epoch_secs;

/// A header with every legal-but-unusual card form, and some real-world flaws.
fn odd_header(rng: &mut Rng) -> Vec<u8> {
    let mut h = Header::new();
    for card in [
        "SIMPLE  =                    T / conforms to FITS standard",
        "BITPIX  =                    8",
        "NAXIS   =                    0",
        "EXTEND  = T / free-format logical",
        "DEXP    =             1.25D+03 / D exponent",
        "CPLX    = (1.5, -2.0) / complex value",
        "UNDEF   =                      / no value at all",
        "QUOTE   = 'it''s fine'",
        "LEADSP  = '  leading blanks kept'",
        "          a card with a blank keyword",
        "COMMENT   a comment card",
        "date-obs= '2019-08-14' / lowercase keyword",
        "LONG    = 'part one &' / first comment",
        "CONTINUE  'part two&' / second comment",
        "CONTINUE  'part three'",
        "HIERARCH ESO INS FILT1 NAME = 'g_SDSS' / filter name",
        "BIGINT  =       12345678901234 / beyond 32 bits",
        "NEGREAL =               -0.5E-3",
        "HUGEINT = 123456789012345678901234567890 / 30 digits, beyond 64 bits",
        "HUGENEG = -9223372036854775809 / one below the smallest 64-bit integer",
        "DP1     = 'NAXES: 2'           / a record-valued card",
        "DP1     = 'AXIS.1: 1'",
        "DP1     = 'LOOKUP.2.SCALE: -1.5E-2' / a real record value",
        "DP1     = 'HUGE: -123456789012345678901234567890'",
        "NOTREC  = 'AXIS.1:1'           / no blank after the colon: a string",
        "NOTREC2 = 'TIME: 12:00'        / not a number: a string",
    ] {
        h.verbatim(card);
    }
    let mut out = Vec::new();
    push_hdu(&mut out, &h, &[]);
    let data: Vec<u8> = (0..100).map(|_| rng.below(256) as u8).collect();
    push_hdu(&mut out, &image_header(8, &[100], "BYTES"), &data);
    out
}

/// A FITS file whose header values and comments hold escape sequences: a
/// title change, red text, a clipboard write, and an 8-bit CSI byte.
fn hostile_header() -> Vec<u8> {
    let mut h = primary_header(8, &[]);
    h.string("OBJECT", "\x1b]0;pwned\x07", "sets the window title");
    h.string("OBSERVER", "\x1b[31mred\x1b[0m", "\x1b[41mred background");
    h.history("\x1b]52;c;cHduZWQ=\x07 asks for the clipboard");
    let mut out = Vec::new();
    push_hdu(&mut out, &h, &[]);
    // An 8-bit CSI byte in the OBJECT value (0x9b is not ASCII).
    if let Some(at) = out.windows(4).position(|w| w == b"]0;p") {
        out[at + 1] = 0x9b;
    }
    out
}

/// The first lines of an ASDF file as Roman's products start.
const ASDF_HEAD: &str = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\nasdf_library: !core/software-1.0.0 {name: asdf, version: 3.0.0}\nroman: !<asdf://stsci.edu/datamodels/roman/tags/wfi_image-1.0.0>\n  meta: {telescope: ROMAN, instrument: {name: WFI, detector: WFI01}}\n...\n";

/// A 64 x 64 float32 star field cut off halfway through its data.
fn truncated_image(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let pixels = be_f32(sky::star_field(rng, 64, 64, 12, 50.0, 3.0).into_iter());
    push_hdu(&mut out, &primary_header(-32, &[64, 64]), &pixels);
    out.truncate(2880 + pixels.len() / 2);
    out
}

pub(super) fn edge(w: &mut ArchiveWriter, rng: &mut Rng) -> io::Result<()> {
    const B: &str = EDGE_BUCKET;
    w.bucket(B, true)?;
    let mtime = epoch_secs(2024, 1, 1, 0, 0, 0);
    let fits = small_image(rng, "DEMO", "edge", 8);
    let (naxis2_lies, bad_heap) = broken_tables(rng);
    let text = b"plain text\n";
    let good_parquet = catalogs::neowise_partition(rng, 1, 50);
    // The footer's length made larger than the file.
    let mut footer_length_lies = good_parquet.clone();
    let at = footer_length_lies.len() - 8;
    footer_length_lies[at..at + 4].copy_from_slice(&(10_000_000u32).to_le_bytes());
    // The footer's bytes scrambled, its length and magic intact.
    let mut footer_garbled = good_parquet.clone();
    let length = u32::from_le_bytes(footer_garbled[at..at + 4].try_into().expect("4 bytes")) as usize;
    for (i, byte) in footer_garbled[at - length..at].iter_mut().enumerate() {
        *byte ^= (i as u8).wrapping_mul(151) | 0x21;
    }
    let entries: Vec<(String, Vec<u8>)> = vec![
        ("with space/file one.txt".into(), text.to_vec()),
        ("plus+sign/a+b.txt".into(), text.to_vec()),
        ("percent%/100%25 sure.txt".into(), text.to_vec()),
        ("unicode/café-☃-星.fits".into(), fits.clone()),
        ("a//b.txt".into(), text.to_vec()),
        ("dir/".into(), Vec::new()),
        ("dir/inside.txt".into(), text.to_vec()),
        ("escape/\x1b[31mred\x1b[0m.txt".into(), b"\x1b[31mred text\x1b[0m\n".to_vec()),
        ("escape/\x1b]0;pwned\x07title.txt".into(), text.to_vec()),
        ("escape/bell\x07.txt".into(), text.to_vec()),
        // A key that asks the terminal to set the clipboard (OSC 52, "pwned").
        ("escape/clip\x1b]52;c;cHduZWQ=\x07board.txt".into(), text.to_vec()),
        // The 8-bit CSI (clear screen) and other control characters.
        ("escape/c1-\u{9b}2J-clear.txt".into(), text.to_vec()),
        ("escape/tab\there-newline\nthere-del\x7f.txt".into(), text.to_vec()),
        ("escape/hostile-header.fits".into(), hostile_header()),
        ("bidi/\u{202e}txt.exe".into(), text.to_vec()),
        ("../x".into(), b"a key that climbs out of the download directory\n".to_vec()),
        ("/absolute.txt".into(), text.to_vec()),
        (format!("long/{}.txt", "k".repeat(1000)), text.to_vec()),
        ("files/readme.txt".into(), b"The demo-edge bucket holds keys and files that break tools.\n".to_vec()),
        ("files/empty.dat".into(), Vec::new()),
        ("files/truncated.fits".into(), fits[..1000].to_vec()),
        ("files/truncated-data.fits".into(), fits[..fits.len() - 100].to_vec()),
        ("files/truncated-image.fits".into(), truncated_image(rng)),
        ("files/broken-tile.fits".into(), compressed::broken_tile(rng)?),
        ("files/not-fits.fits".into(), b"<html><body>404 Not Found</body></html>\n".to_vec()),
        ("files/binary.bin".into(), (0..4096).map(|_| rng.below(256) as u8).collect()),
        ("files/odd-header.fits".into(), odd_header(rng)),
        ("tables/every-type.fits".into(), every_type(rng, 40)),
        ("formats/roman-like.asdf".into(), ASDF_HEAD.as_bytes().to_vec()),
        ("formats/endless-tree.asdf".into(), roman::endless()),
        ("formats/cut-footer.parquet".into(), b"PAR1 a file cut short".to_vec()),
        ("formats/footer-length-lies.parquet".into(), footer_length_lies),
        ("formats/footer-garbled.parquet".into(), footer_garbled),
        ("formats/cut-in-the-footer.parquet".into(), good_parquet[..good_parquet.len() - 100].to_vec()),
        ("formats/a-catalog-without-its-ending".into(), good_parquet.clone()),
        ("formats/image.h5".into(), [&b"\x89HDF\r\n\x1a\n\x02\x08\x08"[..], &[0u8; 64]].concat()),
        ("formats/rosat-like.fits.Z".into(), vec![0x1f, 0x9d, 0x90, b'S', 0x12, 0x34]),
        ("tables/naxis2-lies.fits".into(), naxis2_lies),
        ("tables/heap-pointer-past-the-end.fits".into(), bad_heap),
    ];
    for (key, data) in entries {
        w.put(B, &key, &data, mtime)?;
    }
    Ok(())
}
