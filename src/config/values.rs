//! Value types of the config file that need more than serde's defaults:
//! byte sizes (`"8 MiB"` or a number), colours, key lists, glyph sets.

use std::fmt;

use ratatui::style::Color;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A number of bytes, written `8388608`, `"8 MiB"`, `"4MB"` or `"512k"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteSize(pub u64);

/// Parses a byte size: a number with an optional unit (k, M, G, T with or
/// without `B`/`iB`; all are powers of 1024, like the rest of s3scope).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("'{text}' is not a size (try \"8 MiB\")"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        other => return Err(format!("unknown size unit '{other}' (use k, MiB, GiB…)")),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("'{text}' is too large"));
    }
    Ok(bytes as u64)
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size in bytes, like 8388608 or \"8 MiB\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ByteSize, E> {
                u64::try_from(v).map(ByteSize).map_err(|_| E::custom("a size cannot be negative"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
                parse_size(v).map(ByteSize).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// A colour: a name (`cyan`, `light-blue`, `dark-gray`, `default`), `#rrggbb`,
/// or an index of the 256-colour palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorSpec(pub Color);

const NAMES: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
    ("default", Color::Reset),
];

pub fn parse_color(text: &str) -> Result<Color, String> {
    let lower = text.trim().to_ascii_lowercase().replace(['_', ' '], "-").replace("grey", "gray");
    if let Some((_, color)) = NAMES.iter().find(|(name, _)| *name == lower) {
        return Ok(*color);
    }
    if let Some(hex) = lower.strip_prefix('#')
        && hex.len() == 6
        && let Ok(rgb) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8));
    }
    Err(format!("unknown colour '{text}' (a name like \"cyan\" or \"light-blue\", \"#rrggbb\", or 0-255)"))
}

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColorVisitor;
        impl Visitor<'_> for ColorVisitor {
            type Value = ColorSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour name, \"#rrggbb\" or a palette index 0-255")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ColorSpec, E> {
                u8::try_from(v).map(|i| ColorSpec(Color::Indexed(i))).map_err(|_| E::custom("a palette index is 0-255"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ColorSpec, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(-1))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ColorSpec, E> {
                parse_color(v).map(ColorSpec).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(ColorVisitor)
    }
}

/// An entry of `[keys]`: an action of the normal layer and its keys, or a
/// layer's own table (`[keys.queue]`) of actions and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyEntry {
    Keys(KeyList),
    Layer(std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<KeyList>>),
}

impl<'de> Deserialize<'de> for KeyEntry {
    // By hand, not `untagged`: buffered values would lose the spans that
    // errors use to name a line.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = KeyEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key, a list of keys, or a table of a layer's actions")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyEntry, E> {
                Ok(KeyEntry::Keys(KeyList::One(v.to_string())))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<KeyEntry, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(KeyEntry::Keys(KeyList::Many(keys)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<KeyEntry, A::Error> {
                let mut table = std::collections::BTreeMap::new();
                while let Some((name, keys)) = map.next_entry()? {
                    table.insert(name, keys);
                }
                Ok(KeyEntry::Layer(table))
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// One key or several: `"d"` or `["d", "ctrl-d"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Self::One(key) => vec![key.as_str()],
            Self::Many(keys) => keys.iter().map(String::as_str).collect(),
        }
    }
}

/// Box drawing and symbols, or plain ASCII for terminals without Unicode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GlyphSetting {
    /// Unicode when the locale says UTF-8.
    #[default]
    Auto,
    Unicode,
    Ascii,
}

/// How many colours to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum DepthSetting {
    /// From `NO_COLOR`, `COLORTERM` and `TERM`.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "truecolor")]
    TrueColor,
    #[serde(rename = "256")]
    Indexed256,
    #[serde(rename = "16")]
    Basic16,
    #[serde(rename = "none")]
    NoColor,
}

/// What to do with downloads an earlier run left unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnStart {
    #[default]
    Resume,
    Pause,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_and_without_units() {
        assert_eq!(parse_size("8388608"), Ok(8 << 20));
        assert_eq!(parse_size("8 MiB"), Ok(8 << 20));
        assert_eq!(parse_size("8MB"), Ok(8 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
        assert!(parse_size("8 parsecs").unwrap_err().contains("unit"));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999 TiB").is_err());
    }

    #[test]
    fn colours_by_name_hex_and_index() {
        assert_eq!(parse_color("cyan"), Ok(Color::Cyan));
        assert_eq!(parse_color("Light_Blue"), Ok(Color::LightBlue));
        assert_eq!(parse_color("dark-grey"), Ok(Color::DarkGray));
        assert_eq!(parse_color("#5fafff"), Ok(Color::Rgb(0x5f, 0xaf, 0xff)));
        assert_eq!(parse_color("default"), Ok(Color::Reset));
        assert!(parse_color("#12345").is_err());
        assert!(parse_color("mauve").unwrap_err().contains("unknown colour"));
    }
}
