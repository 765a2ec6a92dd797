//! What an object is, from its first bytes rather than its name: FITS,
//! gzip, Unix compress, Parquet, ASDF, HDF5, or text and binary otherwise.
//! Pure.

/// A format recognized by its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Fits,
    Gzip,
    /// Unix `compress` (LZW), with the largest code width its header names.
    Compress {
        max_bits: u8,
    },
    /// Parquet: `PAR1` at the start (the footer, at the end, describes it).
    Parquet,
    /// ASDF: the version of the file format and of the standard, from the first lines.
    Asdf {
        version: String,
        standard: Option<String>,
    },
    /// HDF5: the superblock's version, found at `offset` (0, 512, 1024, …).
    Hdf5 {
        offset: u64,
        superblock: u8,
    },
    /// None of the above.
    Unknown,
}

impl Format {
    /// How the preview names it.
    pub fn name(&self) -> String {
        match self {
            Format::Fits => "FITS".into(),
            Format::Gzip => "gzip".into(),
            Format::Compress { max_bits } => format!("Unix compress (LZW, codes up to {max_bits} bits)"),
            Format::Parquet => "Parquet".into(),
            Format::Asdf { version, standard } => match standard {
                Some(standard) => format!("ASDF {version} (standard {standard})"),
                None => format!("ASDF {version}"),
            },
            Format::Hdf5 { offset, superblock } => format!("HDF5 (superblock version {superblock} at byte {offset})"),
            Format::Unknown => "unknown".into(),
        }
    }
}

const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

/// The format `head` (the object's first bytes) starts like.
pub fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"SIMPLE  =") || head.starts_with(b"XTENSION=") {
        return Format::Fits;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Format::Gzip;
    }
    if let [0x1f, 0x9d, flags, ..] = head {
        return Format::Compress { max_bits: flags & 0x1f };
    }
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if let Some(rest) = head.strip_prefix(b"#ASDF ") {
        let line = |bytes: &[u8]| {
            let end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len()).min(64);
            String::from_utf8_lossy(&bytes[..end]).trim().to_string()
        };
        let version = line(rest);
        let standard = head
            .split(|&b| b == b'\n')
            .find_map(|l| l.strip_prefix(b"#ASDF_STANDARD "))
            .map(line)
            .filter(|s| !s.is_empty());
        return Format::Asdf { version, standard };
    }
    // The HDF5 superblock may sit at 0 or at 512 times a power of two.
    let mut offset = 0usize;
    while offset + HDF5_SIGNATURE.len() < head.len() {
        if head[offset..].starts_with(HDF5_SIGNATURE) {
            let superblock = head.get(offset + HDF5_SIGNATURE.len()).copied().unwrap_or(0);
            return Format::Hdf5 { offset: offset as u64, superblock };
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    Format::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        assert_eq!(sniff(b"SIMPLE  =                    T"), Format::Fits);
        assert_eq!(sniff(b"XTENSION= 'IMAGE   '"), Format::Fits);
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Format::Gzip);
        assert_eq!(sniff(&[0x1f, 0x9d, 0x90, 0x53]), Format::Compress { max_bits: 16 });
        assert_eq!(sniff(b"PAR1\x15\x04"), Format::Parquet);
        let asdf = b"#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n--- !core/asdf-1.1.0\n";
        assert_eq!(sniff(asdf), Format::Asdf { version: "1.0.0".into(), standard: Some("1.5.0".into()) });
        assert_eq!(sniff(b"#ASDF 1.0.0\n%YAML 1.1\n"), Format::Asdf { version: "1.0.0".into(), standard: None });
        let mut hdf5 = vec![0u8; 600];
        hdf5[512..520].copy_from_slice(HDF5_SIGNATURE);
        hdf5[520] = 2;
        assert_eq!(sniff(&hdf5), Format::Hdf5 { offset: 512, superblock: 2 });
        assert_eq!(sniff(b"\x89HDF\r\n\x1a\n\x00"), Format::Hdf5 { offset: 0, superblock: 0 });
        assert_eq!(sniff(b"plain text"), Format::Unknown);
        assert_eq!(sniff(b""), Format::Unknown);
        assert_eq!(sniff(&[0x1f]), Format::Unknown);
    }
}
