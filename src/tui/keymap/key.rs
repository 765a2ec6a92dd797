//! Keys as the terminal sends them, as the config file writes them, and as
//! the screen shows them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with the modifiers that matter (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self { code, ctrl: false, alt: false }
    }

    pub fn from_event(event: KeyEvent) -> Self {
        let code = match event.code {
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            code => code,
        };
        Self {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// How the key is written in the config file and shown in the help.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::BackTab => "S-Tab".into(),
            other => NAMES.iter().find(|(_, c)| *c == other).map_or("?", |(n, _)| n).to_string(),
        };
        let mut label = String::new();
        if self.ctrl {
            label.push_str("Ctrl-");
        }
        if self.alt {
            label.push_str("Alt-");
        }
        label + &name
    }
}

const NAMES: [(&str, KeyCode); 16] = [
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("Backspace", KeyCode::Backspace),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
];

/// Parses a key as the config file writes it: `d`, `G`, `/`, `enter`,
/// `ctrl-d`, `alt-x`, `shift-tab`, `f5`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let mut rest = text;
    let (mut ctrl, mut alt) = (false, false);
    loop {
        let lower = rest.to_ascii_lowercase();
        if rest.chars().count() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+")) {
            (ctrl, rest) = (true, &rest[5..]);
        } else if rest.chars().count() > 1 && (lower.starts_with("alt-") || lower.starts_with("alt+")) {
            (alt, rest) = (true, &rest[4..]);
        } else {
            break;
        }
    }
    let lower = rest.to_ascii_lowercase();
    let code = if rest.chars().count() == 1 {
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_control() {
            return Err(format!("key {text:?} is a control character"));
        }
        KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
    } else if let Some((_, code)) = NAMES.iter().find(|(name, _)| name.to_ascii_lowercase() == lower) {
        *code
    } else if matches!(lower.as_str(), "shift-tab" | "s-tab") {
        KeyCode::BackTab
    } else if matches!(lower.as_str(), "return") {
        KeyCode::Enter
    } else if matches!(lower.as_str(), "escape") {
        KeyCode::Esc
    } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=12).contains(n))
    {
        KeyCode::F(n)
    } else {
        return Err(format!("unknown key '{text}' (a character, a name like enter or pagedown, or ctrl-x)"));
    };
    Ok(Key { code, ctrl, alt })
}

pub const fn ch(c: char) -> Key {
    Key::plain(KeyCode::Char(c))
}

pub const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true, alt: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_parse() {
        assert_eq!(parse_key("d"), Ok(ch('d')));
        assert_eq!(parse_key("G"), Ok(ch('G')));
        assert_eq!(parse_key("ctrl-D"), Ok(ctrl('d')));
        assert_eq!(parse_key("Ctrl+f"), Ok(ctrl('f')));
        assert_eq!(parse_key("alt-x"), Ok(Key { code: KeyCode::Char('x'), ctrl: false, alt: true }));
        assert_eq!(parse_key("PageDown"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(parse_key("shift-tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(parse_key("space"), Ok(ch(' ')));
        assert_eq!(parse_key("f12"), Ok(Key::plain(KeyCode::F(12))));
        assert_eq!(parse_key("-"), Ok(ch('-')));
        assert!(parse_key("f13").is_err());
        assert!(parse_key("hyper-x").unwrap_err().contains("unknown key"));
        assert!(parse_key("").is_err());
    }
}
