//! PLIO_1: IRAF's PLIO line lists, 16-bit words of a 4-bit opcode and 12
//! bits of data, run-length coding non-negative integer masks (< 2^24).
//! The list opens with a header: word 3 > 0 is the old 3-word form (word 3
//! the length); else word 2 is the header length and words 4 and 5 the
//! length (low 15 bits, then the rest).

use super::TileError;

/// The opcodes, as IRAF names them.
const ZN: i32 = 0; // zeros, data = count
const HN: i32 = 1; // high value: next word << 12 | data
const PN: i32 = 2; // value += data
const MN: i32 = 3; // value -= data
const HR: i32 = 4; // run of the value, data = count
const ZP: i32 = 5; // zeros then one value, data = count
const IH: i32 = 6; // value += data, one pixel
const DH: i32 = 7; // value -= data, one pixel

/// Decodes `count` pixels from a line list (cfitsio's pl_l2pi).
pub fn decode(words: &[i16], count: usize) -> Result<Vec<i64>, TileError> {
    let word = |i: usize| -> Result<i64, TileError> {
        i.checked_sub(1)
            .and_then(|i| words.get(i))
            .map(|&w| i64::from(w))
            .ok_or_else(|| TileError::new("the PLIO_1 line list ends too early"))
    };
    let (length, first) = if word(3)? > 0 { (word(3)?, 4) } else { ((word(5)? << 15) + word(4)?, word(2)? + 1) };
    if length > words.len() as i64 || first < 1 {
        return Err(TileError::new(format!("PLIO_1 line list claims {length} words, has {}", words.len())));
    }
    let mut out = vec![0i64; count];
    let end = count as i64;
    // Pixel positions are 1-based, as in IRAF.
    let (mut x1, mut value, mut next) = (1i64, 1i64, 0usize);
    let mut ip = first;
    while ip <= length && count > 0 {
        let w = word(ip as usize)? as i32;
        let (opcode, data) = (w / 4096, i64::from(w & 4095));
        match opcode {
            ZN | HR | ZP => {
                let x2 = x1 + data - 1;
                let (i1, i2) = (x1.max(1), x2.min(end));
                if i2 >= i1 {
                    let run = (i2 - i1 + 1) as usize;
                    let fill = if opcode == HR { value } else { 0 };
                    out.get_mut(next..next + run).into_iter().flatten().for_each(|p| *p = fill);
                    next += run;
                    if opcode == ZP
                        && i2 == x2
                        && let Some(p) = out.get_mut(next - 1)
                    {
                        *p = value;
                    }
                }
                x1 = x2 + 1;
            }
            HN => {
                value = (word(ip as usize + 1)? << 12) + data;
                ip += 1;
            }
            PN => value += data,
            MN => value -= data,
            IH | DH => {
                value += if opcode == IH { data } else { -data };
                if (1..=end).contains(&x1) {
                    if let Some(p) = out.get_mut(next) {
                        *p = value;
                    }
                    next += 1;
                }
                x1 += 1;
            }
            _ => {}
        }
        if x1 > end {
            break;
        }
        ip += 1;
    }
    Ok(out)
}

/// Encodes non-negative pixels below 2^24 as a line list.
pub fn encode(values: &[i64]) -> Result<Vec<i16>, TileError> {
    if let Some(bad) = values.iter().find(|v| !(0..1 << 24).contains(*v)) {
        return Err(TileError::new(format!("PLIO_1 cannot code {bad}: values must be in 0 .. 2^24")));
    }
    let mut list: Vec<i16> = vec![0, 7, -100, 0, 0, 0, 0];
    let mut current = 1i64;
    let chunks = |op: i32, mut n: usize, list: &mut Vec<i16>| {
        while n > 0 {
            let take = n.min(4095);
            list.push((op * 4096 + take as i32) as i16);
            n -= take;
        }
    };
    for run in values.chunk_by(|a, b| a == b) {
        let v = run[0];
        if v == 0 {
            chunks(ZN, run.len(), &mut list);
            continue;
        }
        let dv = v - current;
        if dv.abs() > 4095 {
            list.push((HN * 4096 + (v & 4095) as i32) as i16);
            list.push((v >> 12) as i16);
        } else if dv > 0 {
            list.push((PN * 4096 + dv as i32) as i16);
        } else if dv < 0 {
            list.push((MN * 4096 - dv as i32) as i16);
        }
        current = v;
        chunks(HR, run.len(), &mut list);
    }
    let length = list.len();
    list[3] = (length % 32768) as i16;
    list[4] = (length / 32768) as i16;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    #[test]
    fn round_trips_masks() {
        let mut rng = Rng::new(21);
        let long_run = vec![5i64; 10_000];
        let noisy: Vec<i64> = (0..3000).map(|_| rng.below(100) as i64).collect();
        let sparse: Vec<i64> = (0..5000).map(|i| if i % 397 == 0 { 1 + (i % 7) } else { 0 }).collect();
        let big: Vec<i64> = (0..300).map(|i| if i % 2 == 0 { (1 << 24) - 1 } else { i * 5000 }).collect();
        for values in [vec![], vec![0], vec![1], vec![0; 9000], long_run, noisy, sparse, big] {
            let list = encode(&values).unwrap();
            assert_eq!(decode(&list, values.len()).unwrap(), values);
        }
        assert!(encode(&[-1]).is_err() && encode(&[1 << 24]).is_err());
    }

    #[test]
    fn reads_the_old_three_word_header_and_single_pixel_codes() {
        // Old header: length 7 in word 3. Then: value 5 at pixel 2 (ZP with
        // PN before), one pixel of 9 (IH 4), one of 8 (DH 1), end.
        let list = [
            0i16,
            0,
            7,
            (PN * 4096 + 4) as i16,
            (ZP * 4096 + 2) as i16,
            (IH * 4096 + 4) as i16,
            (DH * 4096 + 1) as i16,
        ];
        assert_eq!(decode(&list, 6).unwrap(), vec![0, 5, 9, 8, 0, 0]);
    }

    #[test]
    fn garbage_and_truncation_are_errors_or_harmless() {
        let values: Vec<i64> = (0..500).map(|i| (i / 10) % 7).collect();
        let list = encode(&values).unwrap();
        for cut in 0..list.len() {
            assert!(decode(&list[..cut], values.len()).is_err(), "cut at {cut}");
        }
        let mut rng = Rng::new(4);
        for _ in 0..500 {
            let junk: Vec<i16> = (0..rng.below(40)).map(|_| rng.next() as i16).collect();
            let out = decode(&junk, 64).map(|o| o.len());
            assert!(out.is_err() || out == Ok(64));
        }
    }
}
