//! Colours by role, the terminal's colour depth, and the ASCII fallback.
//!
//! Views paint with the role colours of [`Theme`]. Colours from the config
//! file are brought down to what the terminal can show (truecolor → 256 →
//! 16) when the theme is made. After a frame is drawn, [`Theme::adapt`]
//! strips colour under `NO_COLOR` (backgrounds become reverse video, so the
//! cursor row stays visible) and, for terminals without Unicode, replaces
//! every non-ASCII cell (box drawing, arrows, spinners, key names) with ASCII.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::config::{Colors, DepthSetting, GlyphSetting};

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Depth {
    None,
    Basic16,
    Indexed256,
    TrueColor,
}

/// The depth `setting` asks for, detected from the environment on `auto`.
pub fn depth(setting: DepthSetting, get: impl Fn(&str) -> Option<String>) -> Depth {
    match setting {
        DepthSetting::TrueColor => Depth::TrueColor,
        DepthSetting::Indexed256 => Depth::Indexed256,
        DepthSetting::Basic16 => Depth::Basic16,
        DepthSetting::NoColor => Depth::None,
        DepthSetting::Auto => {
            let set = |name: &str| get(name).filter(|v| !v.is_empty());
            if set("NO_COLOR").is_some() {
                return Depth::None;
            }
            let colorterm = set("COLORTERM").unwrap_or_default().to_ascii_lowercase();
            if colorterm == "truecolor" || colorterm == "24bit" {
                return Depth::TrueColor;
            }
            let term = set("TERM").unwrap_or_default();
            if term == "dumb" {
                Depth::None
            } else if term.contains("256color") || term.contains("direct") {
                Depth::Indexed256
            } else {
                Depth::Basic16
            }
        }
    }
}

/// True when the terminal should get ASCII only: asked for, or a locale that
/// is not UTF-8 (the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set).
pub fn ascii(setting: GlyphSetting, get: impl Fn(&str) -> Option<String>) -> bool {
    match setting {
        GlyphSetting::Ascii => true,
        GlyphSetting::Unicode => false,
        GlyphSetting::Auto => {
            let locale = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|name| get(name).filter(|v| !v.is_empty()));
            !locale.is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("utf-8") || l.contains("utf8")
            })
        }
    }
}

/// The explorer's colours by role, and how the frame is adapted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub accent: Color,
    pub muted: Color,
    pub selection: Color,
    pub busy: Color,
    pub ok: Color,
    pub error: Color,
    pub more: Color,
    pub keyword: Color,
    pub string: Color,
    pub number: Color,
    pub logical: Color,
    pub depth: Depth,
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            accent: Color::Cyan,
            muted: Color::DarkGray,
            selection: Color::Blue,
            busy: Color::Yellow,
            ok: Color::Green,
            error: Color::Red,
            more: Color::Magenta,
            keyword: Color::Cyan,
            string: Color::Green,
            number: Color::Magenta,
            logical: Color::Yellow,
            depth: Depth::Basic16,
            ascii: false,
        }
    }
}

impl Theme {
    /// The defaults with the config's colours, brought down to `depth`.
    pub fn new(colors: &Colors, depth: Depth, ascii: bool) -> Self {
        let base = Self::default();
        // Without colour the roles stay as they are: `adapt` strips them from
        // the drawn frame, turning backgrounds into reverse video.
        let shown = if depth == Depth::None { Depth::TrueColor } else { depth };
        let pick =
            |set: &Option<crate::config::ColorSpec>, default: Color| fit_color(set.map_or(default, |c| c.0), shown);
        Self {
            accent: pick(&colors.accent, base.accent),
            muted: pick(&colors.muted, base.muted),
            selection: pick(&colors.selection, base.selection),
            busy: pick(&colors.busy, base.busy),
            ok: pick(&colors.ok, base.ok),
            error: pick(&colors.error, base.error),
            more: pick(&colors.more, base.more),
            keyword: pick(&colors.keyword, base.keyword),
            string: pick(&colors.string, base.string),
            number: pick(&colors.number, base.number),
            logical: pick(&colors.logical, base.logical),
            depth,
            ascii,
        }
    }

    /// Makes a drawn frame fit the terminal: no colour under `NO_COLOR`,
    /// ASCII only where Unicode is not understood.
    /// Untrusted text (a key, a header value) as it may be drawn: control
    /// characters escaped and, without Unicode, other characters as `\u{…}`.
    pub fn escape<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        crate::escape::escape_for_display(text, self.ascii)
    }

    pub fn adapt(&self, buffer: &mut Buffer) {
        if self.depth != Depth::None && !self.ascii {
            return;
        }
        for cell in &mut buffer.content {
            if self.depth == Depth::None {
                if cell.bg != Color::Reset {
                    cell.modifier.insert(Modifier::REVERSED);
                }
                cell.fg = Color::Reset;
                cell.bg = Color::Reset;
            }
            if self.ascii && !cell.symbol().is_ascii() {
                let replacement = ascii_for(cell.symbol());
                cell.set_symbol(replacement);
            }
        }
    }
}

/// An ASCII stand-in for one cell's symbol.
pub fn ascii_for(symbol: &str) -> &'static str {
    let Some(c) = symbol.chars().next() else { return " " };
    match c {
        '─' | '━' | '═' | '╌' => "-",
        '│' | '┃' | '║' | '▏' | '▕' => "|",
        '\u{2500}'..='\u{257f}' => "+",
        '█' | '▓' | '▒' => "#",
        '░' => ".",
        '…' => "~",
        '▾' | '▼' | '↓' => "v",
        '▸' | '▶' | '→' => ">",
        '◂' | '←' => "<",
        '↑' | '▴' => "^",
        '·' => "|",
        '•' | '●' => "*",
        '✗' | '✘' => "x",
        '✓' => "+",
        // Braille spinners: four frames of a turning bar.
        '\u{2800}'..='\u{28ff}' => ["|", "/", "-", "\\"][(c as usize) % 4],
        _ => "?",
    }
}

/// `color` as the terminal at `depth` can show it.
pub fn fit_color(color: Color, depth: Depth) -> Color {
    match (color, depth) {
        (_, Depth::None) => Color::Reset,
        (Color::Rgb(r, g, b), Depth::Indexed256) => Color::Indexed(rgb_to_256(r, g, b)),
        (Color::Rgb(r, g, b), Depth::Basic16) => nearest_16(r, g, b),
        (Color::Indexed(i), Depth::Basic16) if i < 16 => BASIC[i as usize].0,
        (Color::Indexed(i), Depth::Basic16) => {
            let (r, g, b) = index_to_rgb(i);
            nearest_16(r, g, b)
        }
        (color, _) => color,
    }
}

/// The 16 ANSI colours and xterm's default values for them.
const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs();
    d(a.0, b.0).pow(2) + d(a.1, b.1).pow(2) + d(a.2, b.2).pow(2)
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    BASIC.iter().min_by_key(|(_, rgb)| distance(*rgb, (r, g, b))).map_or(Color::Reset, |(c, _)| *c)
}

/// Levels of xterm's 6x6x6 colour cube.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The nearest entry of the 256-colour palette's cube or grey ramp.
fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| {
        CUBE.iter().enumerate().min_by_key(|(_, c)| (i32::from(**c) - i32::from(v)).abs()).map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (16 + 36 * ri + 6 * gi + bi) as u8;
    let cube_rgb = (CUBE[ri], CUBE[gi], CUBE[bi]);
    let mean = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_index = ((mean.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_index;
    if distance((grey, grey, grey), (r, g, b)) < distance(cube_rgb, (r, g, b)) { 232 + grey_index } else { cube }
}

fn index_to_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => BASIC[i as usize].1,
        16..=231 => {
            let n = i - 16;
            (CUBE[(n / 36) as usize], CUBE[(n / 6 % 6) as usize], CUBE[(n % 6) as usize])
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn depth_follows_no_color_colorterm_and_term() {
        let auto = DepthSetting::Auto;
        assert_eq!(depth(auto, vars(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])), Depth::None);
        assert_eq!(depth(auto, vars(&[("NO_COLOR", ""), ("COLORTERM", "truecolor")])), Depth::TrueColor);
        assert_eq!(depth(auto, vars(&[("COLORTERM", "24bit"), ("TERM", "xterm")])), Depth::TrueColor);
        assert_eq!(depth(auto, vars(&[("TERM", "xterm-256color")])), Depth::Indexed256);
        assert_eq!(depth(auto, vars(&[("TERM", "screen")])), Depth::Basic16);
        assert_eq!(depth(auto, vars(&[("TERM", "dumb")])), Depth::None);
        assert_eq!(depth(DepthSetting::TrueColor, vars(&[("NO_COLOR", "1")])), Depth::TrueColor);
    }

    #[test]
    fn ascii_unless_the_locale_says_utf8() {
        let auto = GlyphSetting::Auto;
        assert!(!ascii(auto, vars(&[("LANG", "en_US.UTF-8")])));
        assert!(!ascii(auto, vars(&[("LC_ALL", ""), ("LC_CTYPE", "C.utf8"), ("LANG", "C")])));
        assert!(ascii(auto, vars(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])), "LC_ALL wins");
        assert!(ascii(auto, vars(&[("LANG", "POSIX")])));
        assert!(ascii(auto, vars(&[])));
        assert!(!ascii(GlyphSetting::Unicode, vars(&[])));
        assert!(ascii(GlyphSetting::Ascii, vars(&[("LANG", "en_US.UTF-8")])));
    }

    #[test]
    fn truecolor_comes_down_to_the_terminal() {
        let sky = Color::Rgb(0x5f, 0xaf, 0xff);
        assert_eq!(fit_color(sky, Depth::TrueColor), sky);
        assert_eq!(fit_color(sky, Depth::Indexed256), Color::Indexed(75));
        assert_eq!(fit_color(Color::Rgb(0x80, 0x80, 0x80), Depth::Indexed256), Color::Indexed(244));
        assert_eq!(fit_color(Color::Rgb(250, 10, 10), Depth::Basic16), Color::LightRed);
        assert_eq!(fit_color(Color::Indexed(196), Depth::Basic16), Color::LightRed);
        assert_eq!(fit_color(Color::Indexed(4), Depth::Basic16), Color::Blue);
        assert_eq!(fit_color(Color::Cyan, Depth::Basic16), Color::Cyan);
        assert_eq!(fit_color(Color::Cyan, Depth::None), Color::Reset);
    }

    #[test]
    fn no_color_keeps_highlights_as_reverse_video() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 4, 1));
        buffer[(0, 0)].set_symbol("a").set_style(Style::new().fg(Color::Cyan).bg(Color::Blue));
        buffer[(1, 0)].set_symbol("b").set_style(Style::new().fg(Color::Red));
        let theme = Theme { depth: Depth::None, ..Theme::default() };
        theme.adapt(&mut buffer);
        assert_eq!((buffer[(0, 0)].fg, buffer[(0, 0)].bg), (Color::Reset, Color::Reset));
        assert!(buffer[(0, 0)].modifier.contains(Modifier::REVERSED));
        assert!(!buffer[(1, 0)].modifier.contains(Modifier::REVERSED));
        assert_eq!(buffer[(1, 0)].fg, Color::Reset);
    }

    #[test]
    fn ascii_mode_leaves_nothing_but_ascii() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 8, 1));
        for (x, s) in ["┌", "─", "▾", "…", "⠙", "█", "星", "│"].iter().enumerate() {
            buffer[(x as u16, 0)].set_symbol(s);
        }
        Theme { ascii: true, ..Theme::default() }.adapt(&mut buffer);
        let text: String = buffer.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(text, "+-v~/#?|");
    }
}
