//! Tables written with the demo's FITS writer, read back through the reader
//! and the row decoder over an in-memory range source.

use futures::executor::block_on;

use super::cell::Cell;
use super::read::read_rows;
use super::*;
use crate::demo::fits_writer::{Column as Col, Header as Cards, bintable_header_with_heap, primary_header, push_hdu};
use crate::fits::reader::{ReadOptions, read_headers};
use crate::fits::stream::{DataError, StreamOptions};
use crate::fits::tests::{Memory, gzip};

/// Rows of big-endian values, built field by field.
#[derive(Default)]
struct RowBytes(Vec<u8>);

impl RowBytes {
    fn put(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.extend_from_slice(bytes);
        self
    }
}

fn cols(spec: &[(&'static str, &'static str)]) -> Vec<Col> {
    spec.iter().map(|&(name, form)| Col { name, form, unit: "" }).collect()
}

/// A file of a primary HDU and one BINTABLE with extra cards.
fn file(columns: &[Col], rows: usize, data: &[u8], heap: usize, extra: impl Fn(&mut Cards)) -> Vec<u8> {
    let mut out = Vec::new();
    push_hdu(&mut out, &primary_header(8, &[]), &[]);
    let mut h = bintable_header_with_heap(columns, rows, heap, "EVENTS");
    extra(&mut h);
    push_hdu(&mut out, &h, data);
    out
}

fn open(bytes: Vec<u8>) -> (Memory, Hdu, Table) {
    let mut source = Memory::new(bytes);
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    let hdu = headers.hdus[1].clone();
    let table = Table::from_hdu(&hdu).unwrap();
    (source, hdu, table)
}

fn all_rows(source: &mut Memory, hdu: &Hdu, table: &Table) -> Result<Vec<Vec<Cell>>, DataError> {
    let columns: Vec<usize> = (0..table.columns.len()).collect();
    Ok(block_on(read_rows(source, hdu, table, 0..u64::MAX, &columns, StreamOptions::new(false)))?.cells)
}

#[test]
fn scaled_integers_nulls_and_unsigned_columns() {
    let columns = cols(&[("PI", "1J"), ("ENERGY", "1I"), ("U16", "1I"), ("S8", "1B"), ("OFFSET", "1J")]);
    let mut rows = RowBytes::default();
    for (pi, energy, u16_raw, s8, offset) in [(7i32, 100i16, -32768i16, 0u8, 5i32), (-1, -5, 32767, 255, -5)] {
        rows.put(&pi.to_be_bytes()).put(&energy.to_be_bytes()).put(&u16_raw.to_be_bytes());
        rows.put(&[s8]).put(&offset.to_be_bytes());
    }
    let bytes = file(&columns, 2, &rows.0, 0, |h| {
        h.int("TNULL1", -1, "").real("TSCAL2", 0.5, "").real("TZERO2", 10.0, "");
        h.int("TZERO3", 32768, "").int("TZERO4", -128, "").int("TZERO5", 1000, "");
    });
    let (mut source, hdu, table) = open(bytes);
    let got = all_rows(&mut source, &hdu, &table).unwrap();
    assert_eq!(got[0], vec![Cell::Int(7), Cell::Float(60.0), Cell::Int(0), Cell::Int(-128), Cell::Int(1005)]);
    assert_eq!(got[1], vec![Cell::Null, Cell::Float(7.5), Cell::Int(65535), Cell::Int(127), Cell::Int(995)]);
}

#[test]
fn logicals_bits_strings_complex_and_shaped_vectors() {
    let columns = cols(&[("FLAG", "1L"), ("BITS", "11X"), ("NAME", "8A"), ("C", "1C"), ("M", "6E"), ("S", "6A")]);
    let mut rows = RowBytes::default();
    rows.put(b"T").put(&[0b1010_0000, 0b0010_0000]).put(b"SRC 1   ");
    rows.put(&1.5f32.to_be_bytes()).put(&(-2.0f32).to_be_bytes());
    for v in [1.0f32, 2.0, 3.0, 4.0, f32::NAN, 6.0] {
        rows.put(&v.to_be_bytes());
    }
    rows.put(b"abcd  ");
    rows.put(&[0]).put(&[0, 0]).put(b"\0\0\0\0\0\0\0\0").put(&[0; 8]).put(&[0; 24]).put(b"      ");
    let bytes = file(&columns, 2, &rows.0, 0, |h| {
        h.string("TDIM5", "(3,2)", "").string("TDIM6", "(2,3)", "");
    });
    let (mut source, hdu, table) = open(bytes);
    let got = all_rows(&mut source, &hdu, &table).unwrap();
    let bits: Vec<Cell> = [true, false, true, false, false, false, false, false, false, false, true]
        .into_iter()
        .map(Cell::Bool)
        .collect();
    let f = |v: f64| Cell::Float(v);
    assert_eq!(got[0][0], Cell::Bool(true));
    assert_eq!(got[0][1], Cell::Array(bits));
    assert_eq!(got[0][2], Cell::Text("SRC 1".into()));
    assert_eq!(got[0][3], Cell::Complex(1.5, -2.0));
    let Cell::Array(shaped) = &got[0][4] else { panic!("{:?}", got[0][4]) };
    assert_eq!(shaped.len(), 2, "TDIM (3,2) is 2 arrays of 3");
    assert_eq!(shaped[0], Cell::Array(vec![f(1.0), f(2.0), f(3.0)]));
    assert!(matches!(&shaped[1], Cell::Array(v) if v[0] == f(4.0) && matches!(v[1], Cell::Float(x) if x.is_nan())));
    let strings = ["ab", "cd", ""].map(|s| Cell::Text(s.into()));
    assert_eq!(got[0][5], Cell::Array(strings.to_vec()), "TDIM (2,3) of A is 3 strings of 2");
    assert_eq!(got[1][0], Cell::Null, "an undefined logical");
    assert_eq!(got[1][2], Cell::Text(String::new()));
}

#[test]
fn variable_length_arrays_come_from_the_heap_after_theap() {
    let columns = cols(&[("COUNTS", "1PJ(3)"), ("LABEL", "1PA(5)"), ("BIG", "1QD(2)")]);
    // The heap starts 100 bytes after the rows (THEAP), as some writers leave a gap.
    let row_len = 8 + 8 + 16;
    let gap = 100;
    let mut heap = Vec::new();
    let mut rows = RowBytes::default();
    let arrays: [(&[i32], &str, &[f64]); 2] = [(&[1, 2, 3], "hello", &[0.5]), (&[], "x", &[1.0, -1.0])];
    for (counts, label, big) in arrays {
        rows.put(&(counts.len() as i32).to_be_bytes()).put(&(heap.len() as i32).to_be_bytes());
        counts.iter().for_each(|c| heap.extend(c.to_be_bytes()));
        rows.put(&(label.len() as i32).to_be_bytes()).put(&(heap.len() as i32).to_be_bytes());
        heap.extend(label.bytes());
        rows.put(&(big.len() as i64).to_be_bytes()).put(&(heap.len() as i64).to_be_bytes());
        big.iter().for_each(|v| heap.extend(v.to_be_bytes()));
    }
    let mut data = rows.0.clone();
    data.resize(data.len() + gap, 0);
    data.extend(&heap);
    let bytes = file(&columns, 2, &data, gap + heap.len(), |h| {
        h.int("THEAP", (2 * row_len + gap) as i64, "");
    });
    let (mut source, hdu, table) = open(bytes);
    let got = all_rows(&mut source, &hdu, &table).unwrap();
    let ints = |v: &[i128]| Cell::Array(v.iter().map(|&i| Cell::Int(i)).collect());
    assert_eq!(got[0], vec![ints(&[1, 2, 3]), Cell::Text("hello".into()), Cell::Array(vec![Cell::Float(0.5)])]);
    assert_eq!(got[1], vec![ints(&[]), Cell::Text("x".into()), Cell::Array(vec![Cell::Float(1.0), Cell::Float(-1.0)])]);
}

#[test]
fn a_heap_pointer_past_the_end_is_an_error() {
    let columns = cols(&[("COUNTS", "1PJ(3)")]);
    let mut rows = RowBytes::default();
    rows.put(&1000i32.to_be_bytes()).put(&0i32.to_be_bytes());
    let (mut source, hdu, table) = open(file(&columns, 1, &rows.0, 16, |_| {}));
    let err = all_rows(&mut source, &hdu, &table).unwrap_err();
    assert!(matches!(&err, DataError::Invalid(why) if why.contains("past the 16-byte heap")), "{err:?}");
}

#[test]
fn a_table_whose_naxis2_lies_is_an_error() {
    let columns = cols(&[("TIME", "1D")]);
    let mut bytes = file(&columns, 10, &[1u8; 80], 0, |_| {});
    // Claim a million rows; the file holds ten (and the block's padding).
    let at = bytes.windows(11).position(|w| w == b"NAXIS2  = 1" || w == b"NAXIS2  =  ").unwrap();
    bytes[at..at + 30].copy_from_slice(format!("{:<8}= {:>20}", "NAXIS2", 1_000_000).as_bytes());
    let (mut source, hdu, table) = open(bytes);
    assert_eq!(table.rows, 1_000_000);
    let err = all_rows(&mut source, &hdu, &table).unwrap_err();
    assert!(matches!(&err, DataError::Invalid(why) if why.contains("NAXIS2")), "{err}");
    // The rows that exist still read.
    let ok = block_on(read_rows(&mut source, &hdu, &table, 0..5, &[0], StreamOptions::new(false))).unwrap();
    assert_eq!(ok.cells.len(), 5);
}

#[test]
fn only_the_rows_asked_for_are_read() {
    let columns = cols(&[("TIME", "1D"), ("X", "1E")]);
    let rows = 200_000u64;
    let data: Vec<u8> = (0..rows)
        .flat_map(|i| [(i as f64).to_be_bytes().to_vec(), (i as f32).to_be_bytes().to_vec()].concat())
        .collect();
    let (mut source, hdu, table) = open(file(&columns, rows as usize, &data, 0, |_| {}));
    let before = source.bytes_read();
    let got = block_on(read_rows(&mut source, &hdu, &table, 1000..1020, &[1, 0], StreamOptions::new(false))).unwrap();
    assert_eq!(got.range, 1000..1020);
    assert_eq!(got.cells[0], vec![Cell::Float(1000.0), Cell::Float(1000.0)]);
    assert_eq!(got.cells[19][1], Cell::Float(1019.0));
    assert_eq!(source.bytes_read() - before, 20 * 12);
}

#[test]
fn gzip_tables_read_the_same_rows() {
    let columns = cols(&[("PI", "1J")]);
    let data: Vec<u8> = (0..50_000i32).flat_map(|i| i.to_be_bytes()).collect();
    let plain = file(&columns, 50_000, &data, 0, |_| {});
    let (_, hdu, table) = open(plain.clone());
    let mut source = Memory::new(gzip(&plain));
    let options = StreamOptions::new(true);
    let got = block_on(read_rows(&mut source, &hdu, &table, 10..13, &[0], options)).unwrap();
    assert_eq!(got.cells, vec![vec![Cell::Int(10)], vec![Cell::Int(11)], vec![Cell::Int(12)]]);
    assert!(source.bytes_read() < gzip(&plain).len() as u64, "inflated only as far as the rows");
}

#[test]
fn ascii_tables_parse_fields_blanks_and_nulls() {
    let mut out = Vec::new();
    push_hdu(&mut out, &primary_header(8, &[]), &[]);
    let mut h = Cards::new();
    h.string("XTENSION", "TABLE", "").int("BITPIX", 8, "").int("NAXIS", 2, "").int("NAXIS1", 30, "");
    h.int("NAXIS2", 3, "").int("PCOUNT", 0, "").int("GCOUNT", 1, "").int("TFIELDS", 3, "");
    h.string("TTYPE1", "NAME", "").string("TFORM1", "A8", "").int("TBCOL1", 1, "");
    h.string("TTYPE2", "COUNT", "").string("TFORM2", "I6", "").int("TBCOL2", 10, "").string("TNULL2", "-99", "");
    h.string("TTYPE3", "FLUX", "").string("TFORM3", "E12.4", "").int("TBCOL3", 17, "").real("TSCAL3", 2.0, "");
    let fields = [("M31", "12345", "1.2500E+01"), ("NGC 1", "-99", "-3.0D-02"), ("", "7", "")];
    let data: String = fields.iter().map(|(name, count, flux)| format!("{name:<9}{count:>6} {flux:>12}  ")).collect();
    push_hdu(&mut out, &h, data.as_bytes());
    let (mut source, hdu, table) = open(out);
    assert!(table.ascii);
    let got = all_rows(&mut source, &hdu, &table).unwrap();
    assert_eq!(got[0], vec![Cell::Text("M31".into()), Cell::Int(12345), Cell::Float(25.0)]);
    assert_eq!(got[1], vec![Cell::Text("NGC 1".into()), Cell::Null, Cell::Float(-0.06)]);
    assert_eq!(got[2], vec![Cell::Text(String::new()), Cell::Int(7), Cell::Null]);
}

#[test]
fn bad_headers_are_errors_not_panics() {
    let columns = cols(&[("A", "1J"), ("B", "3Z")]);
    let mut source = Memory::new(file(&columns, 1, &[0; 16], 0, |_| {}));
    let headers = block_on(read_headers(&mut source, false, ReadOptions::default())).unwrap();
    let err = Table::from_hdu(&headers.hdus[1]).unwrap_err();
    assert!(err.to_string().contains("column 2 (B)"), "{err}");
    assert!(Table::from_hdu(&headers.hdus[0]).unwrap_err().to_string().contains("not a table"));
    let (_, _, table) = open(file(&cols(&[("TIME", "1D")]), 1, &[0; 8], 0, |_| {}));
    assert_eq!(table.pick_columns(&["time".into()]).unwrap(), vec![0]);
    assert!(table.pick_columns(&["RA".into()]).unwrap_err().to_string().contains("no column named \"RA\""));
}

#[test]
fn row_ranges_parse() {
    assert_eq!(parse_rows("0:20"), Ok(0..20));
    assert_eq!(parse_rows("5:"), Ok(5..u64::MAX));
    assert_eq!(parse_rows("7"), Ok(7..8));
    assert!(parse_rows("9:3").is_err());
    assert!(parse_rows("a:b").is_err());
}
