//! Reproducible random inputs for the property tests (SplitMix64).

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A string of up to `max` characters drawn mostly from `alphabet`, with
    /// some control characters and non-ASCII thrown in.
    pub fn text(&mut self, alphabet: &str, max: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = self.below(max as u64 + 1) as usize;
        (0..len)
            .map(|_| match self.below(10) {
                0 => char::from_u32(self.below(0x20) as u32).unwrap_or(' '),
                1 => ['é', '☃', '星', '\u{202e}', '\u{9b}', '\u{7f}', '\u{feff}'][self.below(7) as usize],
                _ => chars[self.below(chars.len() as u64) as usize],
            })
            .collect()
    }
}
