//! Keys to actions. The normal-mode bindings come from a table of named
//! actions with default keys, which the `[keys]` table of the config file
//! overrides. Typing modes (filter, jump, find) turn printable keys into input.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, Mode};
use crate::config::{ConfigError, LoadedConfig};

/// A key with the modifiers that matter (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    const fn plain(code: KeyCode) -> Self {
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

/// A bindable action: its config name, the action, its default keys.
struct Bindable {
    name: &'static str,
    action: Action,
    keys: &'static [Key],
}

const fn ch(c: char) -> Key {
    Key::plain(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true, alt: false }
}

const BINDABLE: &[Bindable] = &[
    Bindable { name: "move_down", action: Action::Down, keys: &[ch('j'), Key::plain(KeyCode::Down)] },
    Bindable { name: "move_up", action: Action::Up, keys: &[ch('k'), Key::plain(KeyCode::Up)] },
    Bindable { name: "first", action: Action::First, keys: &[ch('g'), Key::plain(KeyCode::Home)] },
    Bindable { name: "last", action: Action::Last, keys: &[ch('G'), Key::plain(KeyCode::End)] },
    Bindable { name: "page_up", action: Action::PageUp, keys: &[Key::plain(KeyCode::PageUp), ctrl('b')] },
    Bindable { name: "page_down", action: Action::PageDown, keys: &[Key::plain(KeyCode::PageDown), ctrl('f')] },
    Bindable { name: "open", action: Action::Open, keys: &[ch('l'), Key::plain(KeyCode::Right)] },
    Bindable { name: "toggle", action: Action::Toggle, keys: &[Key::plain(KeyCode::Enter)] },
    Bindable { name: "close", action: Action::Close, keys: &[ch('h'), Key::plain(KeyCode::Left)] },
    Bindable {
        name: "next_pane",
        action: Action::NextPane,
        keys: &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::BackTab)],
    },
    Bindable { name: "filter", action: Action::StartFilter, keys: &[ch('/')] },
    Bindable { name: "next_match", action: Action::NextMatch, keys: &[ch('n')] },
    Bindable { name: "previous_match", action: Action::PreviousMatch, keys: &[ch('N')] },
    Bindable { name: "jump", action: Action::StartJump, keys: &[ch(':')] },
    Bindable { name: "refresh", action: Action::Refresh, keys: &[ch('r')] },
    Bindable { name: "sort", action: Action::CycleSort, keys: &[ch('s')] },
    Bindable { name: "next_hdu", action: Action::NextHdu, keys: &[ch(']')] },
    Bindable { name: "previous_hdu", action: Action::PreviousHdu, keys: &[ch('[')] },
    Bindable { name: "read_on", action: Action::ReadOn, keys: &[ch('m')] },
    Bindable { name: "download", action: Action::Download, keys: &[ch('d')] },
    Bindable { name: "pause", action: Action::TogglePause, keys: &[ch('p')] },
    Bindable { name: "cancel", action: Action::CancelJob, keys: &[ch('c')] },
    Bindable { name: "clear_finished", action: Action::ClearFinished, keys: &[ch('x')] },
    Bindable { name: "copy", action: Action::Copy, keys: &[ch('y')] },
    Bindable { name: "copy_menu", action: Action::CopyMenu, keys: &[ch('Y')] },
    Bindable { name: "mark", action: Action::Mark, keys: &[ch(' ')] },
    Bindable { name: "help", action: Action::Help, keys: &[ch('?'), Key::plain(KeyCode::F(1))] },
    Bindable { name: "quit", action: Action::Quit, keys: &[ch('q')] },
];

/// The help overlay's lines: the actions whose keys are listed, and what they do.
const HELP: &[(&[Action], &str)] = &[
    (&[Action::Down, Action::Up], "move"),
    (&[Action::First, Action::Last], "first / last row"),
    (&[Action::PageUp, Action::PageDown], "page up / down"),
    (&[Action::Open], "open a prefix, load more, retry; step into"),
    (&[Action::Toggle], "open or close a prefix; preview an object"),
    (&[Action::Close], "close, or go to the parent"),
    (&[Action::NextPane], "next pane (in the preview, move keys scroll)"),
    (&[Action::StartFilter], "tree: filter the prefix (Enter searches the server); preview: find"),
    (&[Action::NextMatch, Action::PreviousMatch], "next / previous match"),
    (&[Action::PreviousHdu, Action::NextHdu], "previous / next HDU of a FITS file"),
    (&[Action::ReadOn], "read on past the byte budget of a gzip preview"),
    (&[Action::Copy], "copy the s3:// URI (of every marked row, if any)"),
    (&[Action::CopyMenu], "copy as https URL, archive URL, key, Python, aws command"),
    (&[Action::Mark], "mark / unmark a row (Esc clears the marks)"),
    (&[Action::Download], "download the object, or the prefix (asks first)"),
    (
        &[Action::TogglePause, Action::CancelJob, Action::Refresh, Action::ClearFinished],
        "queue: pause/resume, cancel, retry, clear finished",
    ),
    (&[Action::StartJump], "jump to an s3:// path (Ctrl-U clears the line)"),
    (&[Action::Refresh], "refresh the prefix (retry a failed one)"),
    (&[Action::CycleSort], "sort by name, size, date"),
    (&[Action::Help], "this help (j k scroll, any other key closes)"),
    (&[Action::Quit], "quit (Ctrl-C too)"),
];

/// The normal-mode bindings of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = BINDABLE.iter().flat_map(|b| b.keys.iter().map(|k| (*k, b.action.clone()))).collect();
        Self { bindings }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` applied: an action named there
    /// gets exactly the keys given, and those keys leave other actions.
    pub fn from_config(loaded: &LoadedConfig) -> Result<Self, ConfigError> {
        let mut keymap = Self::default();
        let mut taken: Vec<(Key, String)> = Vec::new();
        let mut replaced: Vec<(Action, Vec<Key>)> = Vec::new();
        for (name, keys) in &loaded.config.keys {
            let Some(bindable) = BINDABLE.iter().find(|b| b.name == name.get_ref()) else {
                let names: Vec<&str> = BINDABLE.iter().map(|b| b.name).collect();
                let message = format!("unknown action '{}' in [keys] (one of: {})", name.get_ref(), names.join(", "));
                return Err(loaded.error_at(name.span(), message));
            };
            let mut parsed = Vec::new();
            for text in keys.get_ref().keys() {
                let key = parse_key(text).map_err(|e| loaded.error_at(keys.span(), e))?;
                if let Some((_, other)) = taken.iter().find(|(k, _)| *k == key) {
                    let message = format!("key '{text}' is bound to both {other} and {}", bindable.name);
                    return Err(loaded.error_at(keys.span(), message));
                }
                if key == ctrl('c') {
                    return Err(loaded.error_at(keys.span(), "Ctrl-C always quits and cannot be bound"));
                }
                taken.push((key, bindable.name.to_string()));
                parsed.push(key);
            }
            replaced.push((bindable.action.clone(), parsed));
        }
        for (action, keys) in replaced {
            keymap.bindings.retain(|(key, bound)| *bound != action && !keys.contains(key));
            keymap.bindings.extend(keys.into_iter().map(|k| (k, action.clone())));
        }
        Ok(keymap)
    }

    /// The keys of `action`, as labels, in binding order.
    pub fn labels(&self, action: &Action) -> Vec<String> {
        self.bindings.iter().filter(|(_, a)| a == action).map(|(k, _)| k.label()).collect()
    }

    /// The first key of `action` (for hints), or "" when unbound.
    pub fn hint(&self, action: &Action) -> String {
        self.labels(action).into_iter().next().unwrap_or_default()
    }

    /// The help overlay's lines: keys, meaning.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        HELP.iter()
            .map(|(actions, what)| {
                let keys: Vec<String> = actions.iter().flat_map(|a| self.labels(a)).collect();
                (keys.join(" "), *what)
            })
            .collect()
    }

    /// The action of a key in a mode, if any.
    pub fn action_for(&self, event: KeyEvent, mode: &Mode) -> Option<Action> {
        let key = Key::from_event(event);
        let ctrl = key.ctrl;
        if ctrl && key.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        match mode {
            Mode::ConfirmDownload(_) | Mode::ConfirmQuit => {
                // In the quit question the quit keys say yes too; never in the download one.
                let quits = matches!(mode, Mode::ConfirmQuit)
                    && self.bindings.iter().any(|(k, a)| *k == key && *a == Action::Quit);
                return match key.code {
                    KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::Submit),
                    _ if quits => Some(Action::Submit),
                    KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Escape),
                    _ => None,
                };
            }
            Mode::Filter(_) | Mode::Jump(_) | Mode::Search(_) => {
                return match key.code {
                    KeyCode::Char('u') if ctrl => Some(Action::ClearInput),
                    KeyCode::Char(c) if !ctrl => Some(Action::Input(c)),
                    KeyCode::Backspace => Some(Action::Backspace),
                    KeyCode::Enter => Some(Action::Submit),
                    KeyCode::Esc => Some(Action::Escape),
                    KeyCode::Up => Some(Action::Up),
                    KeyCode::Down => Some(Action::Down),
                    _ => None,
                };
            }
            Mode::CopyMenu(_) => {
                return match key.code {
                    KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
                    KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
                    KeyCode::Char(c) if c.is_ascii_digit() => Some(Action::Input(c)),
                    KeyCode::Enter | KeyCode::Char('y') => Some(Action::Submit),
                    KeyCode::Esc | KeyCode::Char('q') => Some(Action::Escape),
                    _ => None,
                };
            }
            Mode::Help => {
                return match key.code {
                    KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
                    KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
                    _ => Some(Action::Escape),
                };
            }
            Mode::Normal => {}
        }
        if let Some((_, action)) = self.bindings.iter().find(|(k, _)| *k == key) {
            return Some(action.clone());
        }
        (key.code == KeyCode::Esc).then_some(Action::Escape)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::app::PendingDownload;
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn keymap(toml: &str) -> Result<Keymap, ConfigError> {
        Keymap::from_config(&crate::config::parse(toml, Path::new("c.toml")).unwrap())
    }

    #[test]
    fn normal_mode_keys() {
        let keys = Keymap::default();
        assert_eq!(keys.action_for(key(KeyCode::Char('j')), &Mode::Normal), Some(Action::Down));
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(keys.action_for(shift_g, &Mode::Normal), Some(Action::Last));
        assert_eq!(keys.action_for(key(KeyCode::Char('/')), &Mode::Normal), Some(Action::StartFilter));
        assert_eq!(keys.action_for(key(KeyCode::Char('z')), &Mode::Normal), None);
        assert_eq!(keys.action_for(key(KeyCode::Char('d')), &Mode::Normal), Some(Action::Download));
        assert_eq!(keys.action_for(key(KeyCode::Char('y')), &Mode::Normal), Some(Action::Copy));
        assert_eq!(keys.action_for(key(KeyCode::Char('Y')), &Mode::Normal), Some(Action::CopyMenu));
        assert_eq!(keys.action_for(key(KeyCode::Char(' ')), &Mode::Normal), Some(Action::Mark));
        assert_eq!(keys.action_for(key(KeyCode::Esc), &Mode::Normal), Some(Action::Escape));
        assert_eq!(keys.action_for(key(KeyCode::Char('y')), &Mode::ConfirmQuit), Some(Action::Submit));
        assert_eq!(keys.action_for(key(KeyCode::Char('q')), &Mode::ConfirmQuit), Some(Action::Submit));
        let pending = PendingDownload { bucket: "b".into(), prefix: "p/".into(), objects: vec![] };
        assert_eq!(keys.action_for(key(KeyCode::Char('q')), &Mode::ConfirmDownload(pending)), None);
        let shift_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(keys.action_for(shift_tab, &Mode::Normal), Some(Action::NextPane));
    }

    #[test]
    fn typing_modes_take_printable_keys_as_input() {
        let keys = Keymap::default();
        let mode = Mode::Filter(String::new());
        assert_eq!(keys.action_for(key(KeyCode::Char('q')), &mode), Some(Action::Input('q')));
        assert_eq!(keys.action_for(key(KeyCode::Char('j')), &Mode::Jump("s3://".into())), Some(Action::Input('j')));
        assert_eq!(keys.action_for(key(KeyCode::Char('G')), &Mode::Search(String::new())), Some(Action::Input('G')));
        assert_eq!(keys.action_for(key(KeyCode::Enter), &mode), Some(Action::Submit));
        assert_eq!(keys.action_for(key(KeyCode::Esc), &mode), Some(Action::Escape));
    }

    #[test]
    fn ctrl_c_quits_in_every_mode() {
        let keys = keymap("[keys]\nquit = \"Q\"\n").unwrap();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for mode in
            [Mode::Normal, Mode::Help, Mode::Filter("x".into()), Mode::Jump(String::new()), Mode::Search("y".into())]
        {
            assert_eq!(keys.action_for(ctrl_c, &mode), Some(Action::Quit));
        }
    }

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

    #[test]
    fn overrides_replace_an_actions_keys_and_take_the_key_from_others() {
        let keys = keymap("[keys]\ndownload = [\"x\", \"ctrl-d\"]\n").unwrap();
        assert_eq!(keys.action_for(key(KeyCode::Char('x')), &Mode::Normal), Some(Action::Download));
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(keys.action_for(ctrl_d, &Mode::Normal), Some(Action::Download));
        assert_eq!(keys.action_for(key(KeyCode::Char('d')), &Mode::Normal), None, "d left download");
        assert!(keys.labels(&Action::ClearFinished).is_empty(), "x left clear_finished");
        assert_eq!(keys.hint(&Action::Download), "x");
        assert!(keys.help().iter().any(|(k, what)| k == "x Ctrl-d" && what.starts_with("download")));
    }

    #[test]
    fn bad_bindings_give_the_line() {
        let err = keymap("mouse = false\n[keys]\ndownlaod = \"d\"\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("unknown action 'downlaod'"), "{}", err.message);
        let err = keymap("[keys]\ncopy = \"y\"\n\nquit = [\"q\", \"hyper-q\"]\n").unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(err.message.contains("unknown key 'hyper-q'"));
        let err = keymap("[keys]\ncopy = \"z\"\nquit = \"z\"\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("bound to both copy and quit"), "{}", err.message);
        assert!(keymap("[keys]\nquit = \"ctrl-c\"\n").unwrap_err().message.contains("Ctrl-C"));
    }

    #[test]
    fn the_default_config_examples_are_valid_bindings() {
        let uncommented: String = crate::config::DEFAULT_FILE
            .lines()
            .map(|l| l.strip_prefix("#  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let keys = keymap(&uncommented).unwrap();
        assert_eq!(keys.hint(&Action::Quit), "Q");
    }

    #[test]
    fn help_lists_every_bindable_action() {
        let help = Keymap::default().help();
        for bindable in BINDABLE {
            assert!(
                HELP.iter().any(|(actions, _)| actions.contains(&bindable.action)),
                "{} is missing from the help",
                bindable.name
            );
        }
        assert_eq!(help[0].0, "j ↓ k ↑");
    }
}
