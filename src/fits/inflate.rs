//! Compressed FITS streams, inflated from their start: gzip (`.fits.gz`)
//! or Unix compress (`.fits.Z`), told apart by their first bytes.

use std::io::{self, Write};

use flate2::write::MultiGzDecoder;

use super::unlzw::UnlzwWriter;

/// How a stream is compressed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    /// Unix compress (LZW).
    Compress,
}

impl Compression {
    pub fn of(first: &[u8]) -> Self {
        match first {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x1f, 0x9d, ..] => Compression::Compress,
            _ => Compression::None,
        }
    }

    pub fn is_compressed(self) -> bool {
        self != Compression::None
    }

    /// `gzip`, `compress`, or `None` for a plain stream.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Compress => Some("compress"),
        }
    }
}

/// Whether a key's ending says the object is compressed (`.gz`, `.Z`): it
/// only sizes the first read; the first bytes decide how it is read.
pub fn compressed_by_name(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with(".gz") || key.ends_with(".Z")
}

/// A decoder writing the inflated stream into `W`.
pub enum Inflater<W: Write> {
    Gzip(MultiGzDecoder<W>),
    Compress(UnlzwWriter<W>),
}

impl<W: Write> Inflater<W> {
    /// The decoder for a stream compressed as `compression` (`None` for a plain one).
    pub fn new(compression: Compression, inner: W) -> Option<Self> {
        match compression {
            Compression::Gzip => Some(Inflater::Gzip(MultiGzDecoder::new(inner))),
            Compression::Compress => Some(Inflater::Compress(UnlzwWriter::new(inner))),
            Compression::None => None,
        }
    }

    pub fn get_ref(&self) -> &W {
        match self {
            Inflater::Gzip(d) => d.get_ref(),
            Inflater::Compress(d) => d.get_ref(),
        }
    }

    pub fn get_mut(&mut self) -> &mut W {
        match self {
            Inflater::Gzip(d) => d.get_mut(),
            Inflater::Compress(d) => d.get_mut(),
        }
    }

    /// `gzip` or `compress`.
    pub fn name(&self) -> &'static str {
        match self {
            Inflater::Gzip(_) => "gzip",
            Inflater::Compress(_) => "compress",
        }
    }

    /// The stream ended: whatever the decoder still holds goes out.
    pub fn finish(&mut self) {
        if let Inflater::Gzip(d) = self {
            let _ = d.try_finish();
        }
    }
}

impl<W: Write> Write for Inflater<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Inflater::Gzip(d) => d.write(buf),
            Inflater::Compress(d) => d.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Inflater::Gzip(d) => d.flush(),
            Inflater::Compress(d) => d.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_compressions_inflate_to_the_same_bytes() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 97) as u8).collect();
        let gz = crate::fits::tests::gzip(&data);
        let z = crate::fits::unlzw::compress(&data, 16);
        for stream in [gz, z] {
            let compression = Compression::of(&stream);
            assert!(compression.is_compressed());
            let mut inflater = Inflater::new(compression, Vec::new()).unwrap();
            inflater.write_all(&stream).unwrap();
            inflater.finish();
            assert_eq!(inflater.get_ref(), &data, "{compression:?}");
        }
        assert_eq!(Compression::of(b"SIMPLE"), Compression::None);
        assert!(Inflater::new(Compression::None, Vec::<u8>::new()).is_none());
    }
}
