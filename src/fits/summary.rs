//! One-line descriptions of an HDU: what its data is, its WCS, and the keys
//! astronomers look for first.

use super::card::Value;
use super::hdu::Hdu;
use super::header::Header;

/// Keys shown first, in this order.
pub const KEY_CARDS: &[&str] = &[
    "TELESCOP", "INSTRUME", "OBJECT", "TARGNAME", "DATE-OBS", "EXPTIME", "EXPOSURE", "RA_TARG", "DEC_TARG", "RA",
    "DEC", "RA_OBJ", "DEC_OBJ",
];

/// The numpy-like element type of a BITPIX (with BZERO's unsigned convention).
pub fn element_type(bitpix: i64, header: &Header) -> &'static str {
    let bzero = header.real("BZERO");
    match bitpix {
        8 => "uint8",
        16 if bzero == Some(32768.0) => "uint16",
        16 => "int16",
        32 if bzero == Some(2_147_483_648.0) => "uint32",
        32 => "int32",
        64 => "int64",
        -32 => "float32",
        -64 => "float64",
        _ => "unknown",
    }
}

fn axes(header: &Header, prefix: &str) -> Vec<i64> {
    let count = header.int(&format!("{prefix}NAXIS")).unwrap_or(0).clamp(0, 999);
    (1..=count).map(|n| header.int(&format!("{prefix}NAXIS{n}")).unwrap_or(0)).collect()
}

fn shape(axes: &[i64]) -> String {
    axes.iter().map(i64::to_string).collect::<Vec<_>>().join("x")
}

/// Table columns as `NAME(FORM, unit)`.
pub fn columns(header: &Header) -> Vec<String> {
    let count = header.int("TFIELDS").unwrap_or(0).clamp(0, 999);
    (1..=count)
        .map(|n| {
            let name = header.string(&format!("TTYPE{n}")).unwrap_or("?").trim().to_string();
            let form = header.string(&format!("TFORM{n}")).unwrap_or("?").trim().to_string();
            match header.string(&format!("TUNIT{n}")).map(str::trim).filter(|u| !u.is_empty()) {
                Some(unit) => format!("{name}({form}, {unit})"),
                None => format!("{name}({form})"),
            }
        })
        .collect()
}

/// What the data is: `IMAGE 2048x2048 int16`, `BINTABLE 3000 rows x 5 cols: ...`.
pub fn describe(hdu: &Hdu) -> String {
    let h = &hdu.header;
    if h.logical("ZIMAGE") == Some(true) {
        let zaxes = axes(h, "Z");
        let zbitpix = h.int("ZBITPIX").unwrap_or(0);
        let method = h.string("ZCMPTYPE").unwrap_or("?").trim();
        let tiles: Vec<i64> = (1..=zaxes.len()).map(|n| h.int(&format!("ZTILE{n}")).unwrap_or(0)).collect();
        let tiles = if tiles.iter().all(|&t| t > 0) { format!(", tiles {}", shape(&tiles)) } else { String::new() };
        return format!("COMPRESSED IMAGE {} {} ({method}{tiles})", shape(&zaxes), element_type(zbitpix, h));
    }
    match hdu.kind.as_str() {
        "BINTABLE" | "TABLE" => {
            let rows = h.int("NAXIS2").unwrap_or(0);
            let cols = columns(h);
            let heap = h.int("PCOUNT").filter(|&p| p > 0).map(|p| format!(", heap {p} B")).unwrap_or_default();
            format!("{} {rows} rows x {} cols{heap}: {}", hdu.kind, cols.len(), cols.join(" "))
        }
        _ => {
            let axes = axes(h, "");
            if axes.is_empty() || hdu.data_size == 0 && axes.iter().all(|&a| a == 0) {
                return format!("{} no data", if hdu.index == 0 { "PRIMARY" } else { hdu.kind.as_str() });
            }
            let label = if hdu.index == 0 { "IMAGE" } else { hdu.kind.as_str() };
            let groups = if h.logical("GROUPS") == Some(true) { " random groups" } else { "" };
            format!("{label} {} {}{groups}", shape(&axes), element_type(h.int("BITPIX").unwrap_or(0), h))
        }
    }
}

fn short(value: &Value) -> String {
    match value {
        Value::Real(r) => format!("{r}"),
        other => other.to_string(),
    }
}

/// `WCS RA---TAN 83.633, DEC--TAN 22.0145` where CTYPEn / CRVALn exist.
pub fn wcs(header: &Header) -> Option<String> {
    let mut parts = Vec::new();
    for n in 1..=4 {
        let (Some(ctype), Some(crval)) = (header.string(&format!("CTYPE{n}")), header.get(&format!("CRVAL{n}"))) else {
            continue;
        };
        parts.push(format!("{} {}", ctype.trim(), short(crval)));
    }
    (!parts.is_empty()).then(|| format!("WCS {}", parts.join(", ")))
}

/// The key cards present, as `KEY=value` pairs.
pub fn key_cards(header: &Header) -> Vec<(String, String)> {
    KEY_CARDS
        .iter()
        .filter_map(|&key| header.get(key).map(|v| (key.to_string(), short(v))))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::fits_writer::{Column, Header as Writer, bintable_header, image_header, primary_header, push_hdu};
    use crate::fits::scanner::Scanner;

    fn hdus_of(file: &[u8]) -> Vec<Hdu> {
        let mut scanner = Scanner::new(crate::fits::scanner::Stop::AtEnd);
        scanner.feed(file).unwrap();
        scanner.finish().unwrap();
        scanner.hdus
    }

    #[test]
    fn images_tables_and_empty_primaries() {
        let mut file = Vec::new();
        let mut primary = primary_header(8, &[]);
        primary.string("TELESCOP", "HST", "").real("EXPTIME", 402.5, "").string("CTYPE1", "RA---TAN", "");
        primary.real("CRVAL1", 83.633, "");
        push_hdu(&mut file, &primary, &[]);
        let mut image = image_header(16, &[64, 32], "SCI");
        image.real("BZERO", 32768.0, "");
        push_hdu(&mut file, &image, &vec![0; 64 * 32 * 2]);
        let cols = [Column { name: "TIME", form: "1D", unit: "s" }, Column { name: "PHA", form: "1J", unit: "" }];
        push_hdu(&mut file, &bintable_header(&cols, 3, "EVENTS"), &[0; 36]);
        let hdus = hdus_of(&file);
        assert_eq!(describe(&hdus[0]), "PRIMARY no data");
        assert_eq!(describe(&hdus[1]), "IMAGE 64x32 uint16");
        assert_eq!(describe(&hdus[2]), "BINTABLE 3 rows x 2 cols: TIME(1D, s) PHA(1J)");
        assert_eq!(wcs(&hdus[0].header).as_deref(), Some("WCS RA---TAN 83.633"));
        assert_eq!(key_cards(&hdus[0].header), [("TELESCOP".into(), "HST".into()), ("EXPTIME".into(), "402.5".into())]);
    }

    #[test]
    fn tile_compressed_images_are_described_as_such() {
        let mut file = Vec::new();
        push_hdu(&mut file, &primary_header(8, &[]), &[]);
        let mut h = Writer::new();
        h.string("XTENSION", "BINTABLE", "").int("BITPIX", 8, "").int("NAXIS", 2, "").int("NAXIS1", 8, "");
        h.int("NAXIS2", 2, "").int("PCOUNT", 10, "").int("GCOUNT", 1, "").int("TFIELDS", 1, "");
        h.string("TTYPE1", "COMPRESSED_DATA", "").string("TFORM1", "1PB(5)", "").logical("ZIMAGE", true, "");
        h.int("ZBITPIX", -32, "").int("ZNAXIS", 2, "").int("ZNAXIS1", 100, "").int("ZNAXIS2", 2, "");
        h.int("ZTILE1", 100, "").int("ZTILE2", 1, "").string("ZCMPTYPE", "RICE_1", "");
        push_hdu(&mut file, &h, &[0; 26]);
        let hdus = hdus_of(&file);
        assert_eq!(describe(&hdus[1]), "COMPRESSED IMAGE 100x2 float32 (RICE_1, tiles 100x1)");
    }
}
