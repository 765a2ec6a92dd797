//! Compressed FITS streams, inflated from their start: gzip (`.fits.gz`)
//! or Unix compress (`.fits.Z`), told apart by their first bytes. A gzip
//! stream is inflated member by member (counting the members that ended),
//! and its last 8 bytes ([`Trailer`]) tell its inflated size.

use std::io::{self, Write};

use flate2::write::GzDecoder;

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

/// The end of a gzip file: the CRC32 and the inflated size mod 2^32
/// (ISIZE) of its last member, and the size of the whole compressed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trailer {
    pub crc: u32,
    pub isize: u32,
    pub compressed: u64,
}

/// Deflate inflates at most about 1032 bytes out of one.
const MAX_RATIO: u64 = 1032;

impl Trailer {
    /// The trailer out of the last bytes of a file of `compressed` bytes
    /// (`None` when fewer than 8, or too short to be a gzip file at all).
    pub fn parse(tail: &[u8], compressed: u64) -> Option<Self> {
        let at = tail.len().checked_sub(8)?;
        let word = |i: usize| u32::from_le_bytes([tail[i], tail[i + 1], tail[i + 2], tail[i + 3]]);
        // 10 bytes of header, an empty deflate block (2), the trailer.
        (compressed >= 20).then(|| Trailer { crc: word(at), isize: word(at + 4), compressed })
    }

    /// Whether a single-member file with this trailer can inflate to
    /// exactly `end` bytes: `end` mod 2^32 is ISIZE, and `end` is plausible
    /// for the compressed size (at most ~1032:1; stored blocks add 5 bytes
    /// per 64 KiB, the header and trailer some more, allowed generously).
    /// Sizes 4 GiB apart with the same compressed size stay ambiguous.
    pub fn ends_at(&self, end: u64) -> bool {
        let wraps = end % (1 << 32) == u64::from(self.isize);
        let not_too_big = end <= self.compressed.saturating_mul(MAX_RATIO);
        let not_too_small = end.saturating_add(end / 100).saturating_add(64 << 10) >= self.compressed;
        wraps && not_too_big && not_too_small
    }
}

/// A gzip decoder that starts a new member where one ends (like
/// `MultiGzDecoder`) and counts the members that ended. A member whose
/// trailer is the last byte written is counted only when more bytes come.
pub struct GzMembers<W: Write> {
    decoder: GzDecoder<W>,
    ended: u32,
}

impl<W: Write + Default> Write for GzMembers<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.decoder.write(buf)? {
            0 => {
                // The member ended (its CRC and size checked): the next begins.
                self.decoder.try_finish()?;
                let inner = std::mem::take(self.decoder.get_mut());
                self.decoder = GzDecoder::new(inner);
                self.ended = self.ended.saturating_add(1);
                self.decoder.write(buf)
            }
            n => Ok(n),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.decoder.flush()
    }
}

/// A decoder writing the inflated stream into `W`.
pub enum Inflater<W: Write + Default> {
    Gzip(GzMembers<W>),
    Compress(UnlzwWriter<W>),
}

impl<W: Write + Default> Inflater<W> {
    /// The decoder for a stream compressed as `compression` (`None` for a plain one).
    pub fn new(compression: Compression, inner: W) -> Option<Self> {
        match compression {
            Compression::Gzip => Some(Inflater::Gzip(GzMembers { decoder: GzDecoder::new(inner), ended: 0 })),
            Compression::Compress => Some(Inflater::Compress(UnlzwWriter::new(inner))),
            Compression::None => None,
        }
    }

    pub fn get_ref(&self) -> &W {
        match self {
            Inflater::Gzip(d) => d.decoder.get_ref(),
            Inflater::Compress(d) => d.get_ref(),
        }
    }

    pub fn get_mut(&mut self) -> &mut W {
        match self {
            Inflater::Gzip(d) => d.decoder.get_mut(),
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

    /// gzip members that ended in the bytes written so far (0 for compress).
    pub fn members_ended(&self) -> u32 {
        match self {
            Inflater::Gzip(d) => d.ended,
            Inflater::Compress(_) => 0,
        }
    }

    /// The stream ended: whatever the decoder still holds goes out.
    /// An error says the gzip stream ended early or its trailer does not
    /// match what was inflated.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Inflater::Gzip(d) => d.decoder.try_finish(),
            Inflater::Compress(_) => Ok(()),
        }
    }
}

impl<W: Write + Default> Write for Inflater<W> {
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
            inflater.finish().unwrap();
            assert_eq!(inflater.get_ref(), &data, "{compression:?}");
        }
        assert_eq!(Compression::of(b"SIMPLE"), Compression::None);
        assert!(Inflater::new(Compression::None, Vec::<u8>::new()).is_none());
    }

    #[test]
    fn members_are_inflated_one_after_another_and_counted() {
        let (a, b) = (vec![1u8; 5000], vec![2u8; 7000]);
        let mut two = crate::fits::tests::gzip(&a);
        two.extend(crate::fits::tests::gzip(&b));
        let mut inflater = Inflater::new(Compression::Gzip, Vec::new()).unwrap();
        for piece in two.chunks(7) {
            inflater.write_all(piece).unwrap();
        }
        inflater.finish().unwrap();
        assert_eq!(inflater.members_ended(), 1, "the second member's end is the stream's");
        assert_eq!(inflater.get_ref().len(), 12_000);
        assert_eq!(&inflater.get_ref()[4999..5001], &[1, 2]);
    }

    #[test]
    fn the_trailer_tells_the_size_mod_4_gib_within_plausible_bounds() {
        let gz = crate::fits::tests::gzip(&vec![9u8; 100_000]);
        let trailer = Trailer::parse(&gz[gz.len() - 8..], gz.len() as u64).unwrap();
        assert_eq!(trailer.isize, 100_000);
        assert!(trailer.ends_at(100_000));
        assert!(!trailer.ends_at(100_000 - 2880));
        assert!(Trailer::parse(&gz[..7], 7).is_none(), "fewer than 8 bytes");
        assert!(Trailer::parse(&[0; 8], 8).is_none(), "too short to be gzip");
        // 5 GiB + 1 MiB inflated from 10 MB: ISIZE holds 1 MiB + 1 GiB.
        let big = Trailer { crc: 0, isize: (1 << 30) + (1 << 20), compressed: 10_000_000 };
        assert!(big.ends_at((5 << 30) + (1 << 20)));
        assert!(big.ends_at((1 << 30) + (1 << 20)), "4 GiB apart: both plausible, ambiguous");
        assert!(!big.ends_at((1 << 30) + (1 << 20) + 1));
        // Wrapped values that cannot come out of 10 MB: too small (stored
        // blocks cannot grow it so), too large (beyond 1032:1).
        let small = Trailer { crc: 0, isize: 1 << 20, compressed: 10_000_000 };
        assert!(!small.ends_at(1 << 20), "10 MB cannot inflate to 1 MiB");
        assert!(small.ends_at((4 << 30) + (1 << 20)));
        assert!(!small.ends_at((1 << 20) + (4u64 << 30) * 3), "12 GiB out of 10 MB is more than 1032:1");
        let tiny = Trailer { crc: 0, isize: 100, compressed: 1_000 };
        assert!(tiny.ends_at(100) && !tiny.ends_at(100 + (1 << 32)));
    }
}
