//! Tables worth reading row by row: event lists with scaled and nullable
//! columns, an ASCII source list, a response matrix of variable-length
//! arrays, and a table of every binary column type.

use super::super::fits_writer::{Column, Header, bintable_header, bintable_header_with_heap, primary_header, push_hdu};
use super::{Rng, observation_cards};

/// One row's bytes, big-endian, field by field.
#[derive(Default)]
struct Row(Vec<u8>);

impl Row {
    fn put(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        self.0.extend_from_slice(bytes.as_ref());
        self
    }
}

fn col(name: &'static str, form: &'static str, unit: &'static str) -> Column {
    Column { name, form, unit }
}

/// A Chandra-like event list: TIME, chip and sky positions, PI with TNULL,
/// ENERGY stored as scaled 16-bit integers with TNULL, unsigned FLTGRADE, STATUS bits.
pub(super) fn events(rng: &mut Rng, obsid: u32, rows: usize, object: &str, date: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    observation_cards(&mut primary, "CHANDRA", "ACIS", object, date, 29_000.0 + obsid as f64);
    primary.int("OBS_ID", obsid as i64, "observation id");
    push_hdu(&mut out, &primary, &[]);
    let columns = [
        col("TIME", "1D", "s"),
        col("CCD_ID", "1I", ""),
        col("CHIPX", "1I", "pixel"),
        col("CHIPY", "1I", "pixel"),
        col("X", "1E", "pixel"),
        col("Y", "1E", "pixel"),
        col("PI", "1J", "chan"),
        col("ENERGY", "1I", "eV"),
        col("FLTGRADE", "1I", ""),
        col("STATUS", "32X", ""),
    ];
    let mut h = bintable_header(&columns, rows, "EVENTS");
    h.string("HDUCLASS", "OGIP", "").string("HDUCLAS1", "EVENTS", "");
    h.real("TSTART", 2.1e8, "[s]").real("TSTOP", 2.1e8 + 3.0e4, "[s]");
    h.string("TDISP1", "F16.4", "").int("TLMIN3", 1, "").int("TLMAX3", 1024, "").int("TLMIN4", 1, "");
    h.int("TLMAX4", 1024, "").string("TDISP5", "F9.3", "").string("TDISP6", "F9.3", "");
    h.string("TCTYP5", "RA---TAN", "").real("TCRVL5", 83.633, "[deg]").string("TCTYP6", "DEC--TAN", "");
    h.real("TCRVL6", 22.0145, "[deg]").int("TNULL7", -1, "no PI for this event");
    h.real("TSCAL8", 0.5, "").int("TZERO8", 16384, "").int("TNULL8", -32768, "energy not computed");
    h.int("TZERO9", 32768, "unsigned 16-bit").string("TDISP9", "I5", "");
    let mut data = Vec::with_capacity(rows * 34);
    let mut time = 2.1e8;
    for n in 0..rows {
        time += rng.unit() * 10.0;
        // Events cluster around the source at the centre of the field.
        let spread = if rng.below(3) == 0 { 200.0 } else { 6.0 };
        let x = 4096.5 + (rng.unit() as f32 - 0.5) * spread;
        let y = 4096.5 + (rng.unit() as f32 - 0.5) * spread;
        let energy = 300.0 + 9000.0 * rng.unit().powi(2);
        let pi: i32 = if n % 97 == 13 { -1 } else { (energy / 14.6) as i32 + 1 };
        let energy_raw: i16 = if n % 89 == 7 { -32768 } else { ((energy - 16384.0) / 0.5) as i16 };
        let mut row = Row::default();
        row.put(time.to_be_bytes()).put((rng.below(4) as i16 + 4).to_be_bytes());
        row.put((1 + rng.below(1024) as i16).to_be_bytes()).put((1 + rng.below(1024) as i16).to_be_bytes());
        row.put(x.to_be_bytes()).put(y.to_be_bytes()).put(pi.to_be_bytes()).put(energy_raw.to_be_bytes());
        row.put((rng.below(65536) as u16 as i16 ^ i16::MIN).to_be_bytes());
        let status: u32 = if rng.below(10) == 0 { 1 << rng.below(32) } else { 0 };
        row.put(status.to_be_bytes());
        data.extend(row.0);
    }
    push_hdu(&mut out, &h, &data);
    let gti_cols = [col("START", "1D", "s"), col("STOP", "1D", "s")];
    let gti: Vec<u8> = [2.1e8f64, 2.1e8 + 3.0e4].iter().flat_map(|v| v.to_be_bytes()).collect();
    push_hdu(&mut out, &bintable_header(&gti_cols, 1, "GTI7"), &gti);
    out
}

/// A source list as an ASCII TABLE: names, positions, counts (with a TNULL), fluxes.
pub(super) fn ascii_sources(rng: &mut Rng, rows: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "CHANDRA", "").string("CREATOR", "wavdetect (demo)", "");
    push_hdu(&mut out, &primary, &[]);
    let fields: [(&str, &str, &str); 5] = [
        ("NAME", "A20", ""),
        ("RA", "F11.6", "deg"),
        ("DEC", "F11.6", "deg"),
        ("NET_COUNTS", "I8", "count"),
        ("FLUX", "E12.4", "erg/cm**2/s"),
    ];
    let widths = [20usize, 11, 11, 8, 12];
    let row_len: usize = widths.iter().map(|w| w + 1).sum();
    let mut h = Header::new();
    h.string("XTENSION", "TABLE", "ASCII table extension").int("BITPIX", 8, "").int("NAXIS", 2, "");
    h.int("NAXIS1", row_len as i64, "width of table in characters").int("NAXIS2", rows as i64, "number of rows");
    h.int("PCOUNT", 0, "").int("GCOUNT", 1, "").int("TFIELDS", fields.len() as i64, "");
    let mut start = 1;
    for (i, ((name, form, unit), width)) in fields.iter().zip(widths).enumerate() {
        let n = i + 1;
        h.string(&format!("TTYPE{n}"), name, "").string(&format!("TFORM{n}"), form, "");
        h.int(&format!("TBCOL{n}"), start as i64, "");
        if !unit.is_empty() {
            h.string(&format!("TUNIT{n}"), unit, "");
        }
        start += width + 1;
    }
    h.string("TNULL4", "-999", "no counts measured").string("EXTNAME", "SRCLIST", "");
    let mut data = String::with_capacity(rows * row_len);
    for n in 0..rows {
        let (ra, dec) = (83.633 + (rng.unit() - 0.5) * 0.2, 22.0145 + (rng.unit() - 0.5) * 0.2);
        let name = format!("CXO J0534{:02}.{}+2200{:02}", 10 + n % 50, n % 10, n % 60);
        let counts = if n % 11 == 5 { "-999".to_string() } else { (5 + rng.below(5000)).to_string() };
        let flux = if n % 13 == 4 { String::new() } else { format!("{:.4E}", 1e-14 * (1.0 + 50.0 * rng.unit())) };
        data.push_str(&format!("{name:<20} {ra:>11.6} {dec:>11.6} {counts:>8} {flux:>12} "));
    }
    push_hdu(&mut out, &h, data.as_bytes());
    out
}

/// An OGIP response matrix: each energy bin's non-zero channels in groups,
/// stored as variable-length arrays in the heap (F_CHAN, N_CHAN, MATRIX).
pub(super) fn response_matrix(rng: &mut Rng, energies: usize, channels: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut primary = primary_header(8, &[]);
    primary.string("TELESCOP", "SWIFT", "").string("INSTRUME", "XRT", "");
    push_hdu(&mut out, &primary, &[]);
    let columns = [
        col("ENERG_LO", "1E", "keV"),
        col("ENERG_HI", "1E", "keV"),
        col("N_GRP", "1I", ""),
        col("F_CHAN", "1PJ(2)", ""),
        col("N_CHAN", "1PJ(2)", ""),
        col("MATRIX", "1PE(120)", ""),
    ];
    let mut rows = Vec::new();
    let mut heap: Vec<u8> = Vec::new();
    let descriptor =
        |heap: &Vec<u8>, count: usize| [(count as i32).to_be_bytes(), (heap.len() as i32).to_be_bytes()].concat();
    for e in 0..energies {
        let (lo, hi) = (0.1 + 0.01 * e as f32, 0.11 + 0.01 * e as f32);
        let centre = (e * channels / energies) as i32;
        let groups: Vec<(i32, i32)> = if e % 5 == 0 { vec![(0, 8), (centre.max(10), 20)] } else { vec![(centre, 12)] };
        let mut row = Row::default();
        row.put(lo.to_be_bytes()).put(hi.to_be_bytes()).put((groups.len() as i16).to_be_bytes());
        row.put(descriptor(&heap, groups.len()));
        groups.iter().for_each(|g| heap.extend(g.0.to_be_bytes()));
        row.put(descriptor(&heap, groups.len()));
        groups.iter().for_each(|g| heap.extend(g.1.to_be_bytes()));
        let total: i32 = groups.iter().map(|g| g.1).sum();
        row.put(descriptor(&heap, total as usize));
        for k in 0..total {
            heap.extend((0.02 * (-(k as f32 - 6.0).powi(2) / 8.0).exp() + 1e-4 * rng.unit() as f32).to_be_bytes());
        }
        rows.extend(row.0);
    }
    let mut h = bintable_header_with_heap(&columns, energies, heap.len(), "MATRIX");
    h.string("HDUCLASS", "OGIP", "").string("HDUCLAS1", "RESPONSE", "").string("HDUCLAS2", "RSP_MATRIX", "");
    h.int("DETCHANS", channels as i64, "").int("TLMIN4", 0, "").real("LO_THRES", 1e-6, "");
    rows.extend(heap);
    push_hdu(&mut out, &h, &rows);
    let eb_cols = [col("CHANNEL", "1J", ""), col("E_MIN", "1E", "keV"), col("E_MAX", "1E", "keV")];
    let eb: Vec<u8> = (0..channels)
        .flat_map(|c| {
            let mut row = Row::default();
            row.put((c as i32).to_be_bytes())
                .put((0.01 * c as f32).to_be_bytes())
                .put((0.01 * (c + 1) as f32).to_be_bytes());
            row.0
        })
        .collect();
    push_hdu(&mut out, &bintable_header(&eb_cols, channels, "EBOUNDS"), &eb);
    out
}

/// Every binary column type, with TDIM, TNULL, TSCAL/TZERO, unsigned and Q descriptors.
pub(super) fn every_type(rng: &mut Rng, rows: usize) -> Vec<u8> {
    let mut out = Vec::new();
    push_hdu(&mut out, &primary_header(8, &[]), &[]);
    let columns = [
        col("FLAG", "1L", ""),
        col("BITS", "11X", ""),
        col("BYTE", "1B", ""),
        col("SHORT", "1I", ""),
        col("INT", "1J", "count"),
        col("LONG", "1K", ""),
        col("NAME", "12A", ""),
        col("FLUX", "1E", "Jy"),
        col("TIME", "1D", "d"),
        col("Z", "1C", ""),
        col("ZZ", "1M", ""),
        col("MATRIX", "6E", ""),
        col("WORDS", "12A", ""),
        col("USHORT", "1I", ""),
        col("SBYTE", "1B", ""),
        col("SCALED", "1J", "mag"),
        col("SPECTRUM", "1QD(9)", ""),
        col("LABEL", "1PA(16)", ""),
    ];
    let mut heap = Vec::new();
    let mut rows_bytes = Vec::new();
    for n in 0..rows {
        let mut row = Row::default();
        row.put([[b'T', b'F', 0][n % 3]]).put(((rng.next() as u16) & 0xffe0).to_be_bytes()).put([rng.below(256) as u8]);
        let short: i16 = if n % 7 == 3 { -99 } else { rng.below(2000) as i16 - 1000 };
        row.put(short.to_be_bytes()).put((rng.below(1 << 30) as i32 - (1 << 29)).to_be_bytes());
        row.put((rng.next() as i64 >> 3).to_be_bytes()).put(format!("{:<12}", format!("src {n}")).as_bytes());
        let flux = if n % 5 == 2 {
            f32::NAN
        } else if n % 17 == 9 {
            f32::INFINITY
        } else {
            rng.unit() as f32 * 10.0
        };
        row.put(flux.to_be_bytes()).put((58_000.0 + rng.unit() * 1000.0).to_be_bytes());
        row.put((rng.unit() as f32).to_be_bytes()).put((-(rng.unit() as f32)).to_be_bytes());
        row.put(rng.unit().to_be_bytes()).put((rng.unit() * -2.0).to_be_bytes());
        for k in 0..6 {
            row.put((k as f32 + n as f32 / 10.0).to_be_bytes());
        }
        row.put(b"ab cdefghij ").put((rng.below(65536) as u16 as i16 ^ i16::MIN).to_be_bytes());
        row.put([rng.below(256) as u8]).put((rng.below(100_000) as i32).to_be_bytes());
        let count = n % 4 * 3;
        row.put((count as i64).to_be_bytes()).put((heap.len() as i64).to_be_bytes());
        (0..count).for_each(|k| heap.extend((k as f64 * 1.5 - n as f64).to_be_bytes()));
        let label = ["", "alpha", "beta gamma", "delta  "][n % 4];
        row.put((label.len() as i32).to_be_bytes()).put((heap.len() as i32).to_be_bytes());
        heap.extend(label.as_bytes());
        rows_bytes.extend(row.0);
    }
    let mut h = bintable_header_with_heap(&columns, rows, heap.len(), "EVERYTYPE");
    h.int("TNULL4", -99, "").string("TDIM12", "(3,2)", "").string("TDIM13", "(4,3)", "");
    h.int("TZERO14", 32768, "").int("TZERO15", -128, "").real("TSCAL16", 0.001, "").real("TZERO16", 10.0, "");
    h.string("TDISP8", "G12.5", "").string("TDISP9", "F12.5", "").string("TDISP5", "I11", "");
    rows_bytes.extend(heap);
    push_hdu(&mut out, &h, &rows_bytes);
    out
}

/// Tables that contradict themselves: NAXIS2 claims far more rows than the
/// file holds; a heap descriptor points past the heap.
pub(super) fn broken_tables(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let columns = [col("TIME", "1D", "s"), col("RATE", "1E", "count/s")];
    let data: Vec<u8> = (0..40)
        .flat_map(|n| [(n as f64).to_be_bytes().to_vec(), (rng.unit() as f32).to_be_bytes().to_vec()].concat())
        .collect();
    let mut lies = Vec::new();
    push_hdu(&mut lies, &primary_header(8, &[]), &[]);
    push_hdu(&mut lies, &bintable_header(&columns, 2_000_000, "RATE"), &data);
    lies.truncate(lies.len() - lies.len() % 2880);

    let mut bad_heap = Vec::new();
    push_hdu(&mut bad_heap, &primary_header(8, &[]), &[]);
    let vla = [col("COUNTS", "1PJ(4)", "")];
    let mut rows = Row::default();
    rows.put(2i32.to_be_bytes()).put(0i32.to_be_bytes()).put(4i32.to_be_bytes()).put(1_000_000i32.to_be_bytes());
    rows.put([0, 0, 0, 1, 0, 0, 0, 2]);
    push_hdu(&mut bad_heap, &bintable_header_with_heap(&vla, 2, 8, "COUNTS"), &rows.0);
    (lies, bad_heap)
}
