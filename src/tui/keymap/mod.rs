//! Keys to intents, one table per layer: the tree and panes (`normal`), the
//! queue pane (`queue`), a line being typed (`input`), a question
//! (`confirm`), the copy menu (`copy_menu`) and the help (`help`). Each is
//! rebindable from `[keys.<layer>]` of the config file (`[keys]` alone is the
//! normal layer), and every hint on screen is drawn from what is bound.

mod key;

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent};

pub use self::key::{Key, parse_key};
use self::key::{ch, ctrl};
use super::action::Intent;
use super::mode::{Mode, Pane};
use crate::config::{ConfigError, KeyEntry, LoadedConfig};

/// A table of keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The tree and the preview, and the keys every pane shares.
    Normal,
    /// The queue pane (before the normal keys, while it has the keyboard).
    Queue,
    /// A line being typed: a filter, a jump, a search.
    Input,
    /// A yes-or-no question.
    Confirm,
    CopyMenu,
    Help,
}

impl Layer {
    const ALL: [Layer; 6] = [Layer::Normal, Layer::Queue, Layer::Input, Layer::Confirm, Layer::CopyMenu, Layer::Help];

    /// The layer's name in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Normal => "normal",
            Layer::Queue => "queue",
            Layer::Input => "input",
            Layer::Confirm => "confirm",
            Layer::CopyMenu => "copy_menu",
            Layer::Help => "help",
        }
    }

    /// The bindable intents of the layer with their default keys.
    fn table(self) -> &'static [Bindable] {
        match self {
            Layer::Normal => NORMAL,
            Layer::Queue => QUEUE,
            Layer::Input => INPUT,
            Layer::Confirm => CONFIRM,
            Layer::CopyMenu => COPY_MENU,
            Layer::Help => HELP_KEYS,
        }
    }
}

/// A bindable intent: its config name, the intent, its default keys.
struct Bindable {
    name: &'static str,
    intent: Intent,
    keys: &'static [Key],
}

const fn bind(name: &'static str, intent: Intent, keys: &'static [Key]) -> Bindable {
    Bindable { name, intent, keys }
}

const ENTER: Key = Key::plain(KeyCode::Enter);
const ESC: Key = Key::plain(KeyCode::Esc);
const UP: Key = Key::plain(KeyCode::Up);
const DOWN: Key = Key::plain(KeyCode::Down);

const NORMAL: &[Bindable] = &[
    bind("move_down", Intent::Down, &[ch('j'), DOWN]),
    bind("move_up", Intent::Up, &[ch('k'), UP]),
    bind("first", Intent::First, &[ch('g'), Key::plain(KeyCode::Home)]),
    bind("last", Intent::Last, &[ch('G'), Key::plain(KeyCode::End)]),
    bind("page_up", Intent::PageUp, &[Key::plain(KeyCode::PageUp), ctrl('b')]),
    bind("page_down", Intent::PageDown, &[Key::plain(KeyCode::PageDown), ctrl('f')]),
    bind("open", Intent::Open, &[ch('l'), Key::plain(KeyCode::Right)]),
    bind("toggle", Intent::Toggle, &[ENTER]),
    bind("close", Intent::Close, &[ch('h'), Key::plain(KeyCode::Left)]),
    bind("next_pane", Intent::NextPane, &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::BackTab)]),
    bind("filter", Intent::StartFilter, &[ch('/')]),
    bind("next_match", Intent::NextMatch, &[ch('n')]),
    bind("previous_match", Intent::PreviousMatch, &[ch('N')]),
    bind("jump", Intent::StartJump, &[ch(':')]),
    bind("refresh", Intent::Refresh, &[ch('r')]),
    bind("sort", Intent::CycleSort, &[ch('s')]),
    bind("next_hdu", Intent::NextHdu, &[ch(']')]),
    bind("previous_hdu", Intent::PreviousHdu, &[ch('[')]),
    bind("read_on", Intent::ReadOn, &[ch('m')]),
    bind("view", Intent::CycleView, &[ch('v')]),
    bind("columns", Intent::PickColumns, &[ch('c')]),
    bind("stretch", Intent::CycleStretch, &[ch('t')]),
    bind("interval", Intent::CycleInterval, &[ch('z')]),
    bind("next_plane", Intent::NextPlane, &[ch('>')]),
    bind("previous_plane", Intent::PreviousPlane, &[ch('<')]),
    bind("download", Intent::Download, &[ch('d')]),
    bind("copy", Intent::Copy, &[ch('y')]),
    bind("copy_menu", Intent::CopyMenu, &[ch('Y')]),
    bind("mark", Intent::Mark, &[ch(' ')]),
    bind("clear", Intent::Escape, &[ESC]),
    bind("help", Intent::Help, &[ch('?'), Key::plain(KeyCode::F(1))]),
    bind("quit", Intent::Quit, &[ch('q')]),
];

const QUEUE: &[Bindable] = &[
    bind("pause", Intent::TogglePause, &[ch('p')]),
    bind("cancel", Intent::CancelJob, &[ch('c')]),
    bind("retry", Intent::RetryJob, &[ch('r')]),
    bind("clear_finished", Intent::ClearFinished, &[ch('x')]),
];

const INPUT: &[Bindable] = &[
    bind("submit", Intent::Submit, &[ENTER]),
    bind("cancel", Intent::Escape, &[ESC]),
    bind("delete", Intent::Backspace, &[Key::plain(KeyCode::Backspace)]),
    bind("clear_line", Intent::ClearInput, &[ctrl('u')]),
    bind("move_up", Intent::Up, &[UP]),
    bind("move_down", Intent::Down, &[DOWN]),
];

const CONFIRM: &[Bindable] =
    &[bind("yes", Intent::Submit, &[ch('y'), ch('Y'), ENTER]), bind("no", Intent::Escape, &[ch('n'), ch('N'), ESC])];

const COPY_MENU: &[Bindable] = &[
    bind("move_down", Intent::Down, &[ch('j'), DOWN]),
    bind("move_up", Intent::Up, &[ch('k'), UP]),
    bind("copy", Intent::Submit, &[ENTER, ch('y')]),
    bind("close", Intent::Escape, &[ESC, ch('q')]),
];

const HELP_KEYS: &[Bindable] =
    &[bind("scroll_down", Intent::Down, &[ch('j'), DOWN]), bind("scroll_up", Intent::Up, &[ch('k'), UP])];

/// The bindings of a session, by layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    layers: HashMap<Layer, Vec<(Key, Intent)>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let layers = Layer::ALL
            .iter()
            .map(|&layer| {
                let bindings = layer.table().iter().flat_map(|b| b.keys.iter().map(|k| (*k, b.intent.clone())));
                (layer, bindings.collect())
            })
            .collect();
        Self { layers }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` applied: an intent named
    /// there gets exactly the keys given, and those keys leave the other
    /// intents of its layer.
    pub fn from_config(loaded: &LoadedConfig) -> Result<Self, ConfigError> {
        let mut keymap = Self::default();
        let mut normal = Vec::new();
        for (name, entry) in &loaded.config.keys {
            match entry.get_ref() {
                KeyEntry::Keys(keys) => normal.push((name.clone(), toml::Spanned::new(entry.span(), keys.clone()))),
                KeyEntry::Layer(table) => {
                    let Some(layer) = Layer::ALL.iter().find(|l| l.name() == name.get_ref()) else {
                        let names: Vec<&str> = Layer::ALL.iter().map(|l| l.name()).collect();
                        let message =
                            format!("unknown key table [keys.{}] (one of: {})", name.get_ref(), names.join(", "));
                        return Err(loaded.error_at(name.span(), message));
                    };
                    let entries: Vec<_> = table.iter().map(|(n, k)| (n.clone(), k.clone())).collect();
                    keymap.bind_layer(loaded, *layer, &entries)?;
                }
            }
        }
        keymap.bind_layer(loaded, Layer::Normal, &normal)?;
        Ok(keymap)
    }

    fn bind_layer(
        &mut self,
        loaded: &LoadedConfig,
        layer: Layer,
        entries: &[(toml::Spanned<String>, toml::Spanned<crate::config::KeyList>)],
    ) -> Result<(), ConfigError> {
        let mut taken: Vec<(Key, &str)> = Vec::new();
        let mut replaced: Vec<(Intent, Vec<Key>)> = Vec::new();
        for (name, keys) in entries {
            let Some(bindable) = layer.table().iter().find(|b| b.name == name.get_ref()) else {
                let names: Vec<&str> = layer.table().iter().map(|b| b.name).collect();
                let table =
                    if layer == Layer::Normal { "[keys]".to_string() } else { format!("[keys.{}]", layer.name()) };
                let message = format!("unknown action '{}' in {table} (one of: {})", name.get_ref(), names.join(", "));
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
                taken.push((key, bindable.name));
                parsed.push(key);
            }
            replaced.push((bindable.intent.clone(), parsed));
        }
        let bindings = self.layers.entry(layer).or_default();
        for (intent, keys) in replaced {
            bindings.retain(|(key, bound)| *bound != intent && !keys.contains(key));
            bindings.extend(keys.into_iter().map(|k| (k, intent.clone())));
        }
        Ok(())
    }

    fn lookup(&self, layer: Layer, key: Key) -> Option<Intent> {
        self.layers.get(&layer)?.iter().find(|(k, _)| *k == key).map(|(_, intent)| intent.clone())
    }

    /// The keys of `intent` in `layer`, as labels, in binding order.
    pub fn labels(&self, layer: Layer, intent: &Intent) -> Vec<String> {
        let bindings = self.layers.get(&layer).map(Vec::as_slice).unwrap_or_default();
        bindings.iter().filter(|(_, i)| i == intent).map(|(k, _)| k.label()).collect()
    }

    /// The first key of `intent` in `layer` (for hints), or "" when unbound.
    pub fn hint(&self, layer: Layer, intent: &Intent) -> String {
        self.labels(layer, intent).into_iter().next().unwrap_or_default()
    }

    /// Two normal keys as a pair: `n/N`.
    pub fn hint_pair(&self, first: &Intent, second: &Intent) -> String {
        format!("{}/{}", self.hint(Layer::Normal, first), self.hint(Layer::Normal, second))
    }

    /// The first key of either: `q or y`.
    pub fn hint_either(&self, layer: Layer, intent: &Intent, other_layer: Layer, other: &Intent) -> String {
        let (a, b) = (self.hint(layer, intent), self.hint(other_layer, other));
        if a.is_empty() || a == b { b } else { format!("{a} or {b}") }
    }

    /// The help overlay's lines: keys, meaning (with the keys it names as bound).
    pub fn help(&self) -> Vec<(String, String)> {
        let keys = |layer: Layer, intents: &[Intent]| -> String {
            intents.iter().flat_map(|i| self.labels(layer, i)).collect::<Vec<_>>().join(" ")
        };
        let n = |intents: &[Intent]| keys(Layer::Normal, intents);
        let submit = self.hint(Layer::Input, &Intent::Submit);
        let clear_line = self.hint(Layer::Input, &Intent::ClearInput);
        let clear = self.hint(Layer::Normal, &Intent::Escape);
        let queue =
            keys(Layer::Queue, &[Intent::TogglePause, Intent::CancelJob, Intent::RetryJob, Intent::ClearFinished]);
        vec![
            (n(&[Intent::Down, Intent::Up]), "move".into()),
            (n(&[Intent::First, Intent::Last]), "first / last row".into()),
            (n(&[Intent::PageUp, Intent::PageDown]), "page up / down".into()),
            (n(&[Intent::Open]), "open a prefix, load more, retry; step into".into()),
            (n(&[Intent::Toggle]), "open or close a prefix; preview an object".into()),
            (n(&[Intent::Close]), "close, or go to the parent".into()),
            (n(&[Intent::NextPane]), "next pane (in the preview, move keys scroll)".into()),
            (
                n(&[Intent::StartFilter]),
                format!("tree: filter the prefix ({submit} searches the server); preview: find"),
            ),
            (n(&[Intent::NextMatch, Intent::PreviousMatch]), "next / previous match".into()),
            (n(&[Intent::PreviousHdu, Intent::NextHdu]), "previous / next HDU of a FITS file".into()),
            (n(&[Intent::ReadOn]), "read on past the byte budget of a gzip preview".into()),
            (
                n(&[Intent::CycleView]),
                "show the rows of a table HDU or a Parquet file, an image's quick-look, or the cards again".into(),
            ),
            (
                n(&[Intent::CycleStretch, Intent::CycleInterval]),
                "image view: next stretch (linear, sqrt, asinh) / interval (zscale, minmax, 99.5%)".into(),
            ),
            (n(&[Intent::PreviousPlane, Intent::NextPlane]), "image view: previous / next plane of a cube".into()),
            (
                n(&[Intent::PickColumns]),
                format!(
                    "table view: pick columns by words of their names ({} scroll across)",
                    n(&[Intent::Close, Intent::Open])
                ),
            ),
            (n(&[Intent::Copy]), "copy the s3:// URI (of every marked row, if any)".into()),
            (n(&[Intent::CopyMenu]), "copy as https URL, archive URL, key, Python, aws command".into()),
            (n(&[Intent::Mark]), format!("mark / unmark a row ({clear} clears the marks)")),
            (n(&[Intent::Download]), "download the object, or the prefix (asks first)".into()),
            (queue, "queue: pause/resume, cancel, retry, clear finished".into()),
            (n(&[Intent::StartJump]), format!("jump to an s3:// path or URL ({clear_line} clears the line)")),
            (n(&[Intent::Refresh]), "refresh the prefix (retry a failed one)".into()),
            (n(&[Intent::CycleSort]), "sort by name, size, date".into()),
            (n(&[Intent::Escape]), "clear the filter, then the marks".into()),
            (n(&[Intent::Help]), "this help (any other key closes)".into()),
            (n(&[Intent::Quit]), "quit (Ctrl-C too)".into()),
        ]
    }

    /// The intent of a key in a mode, with `focus` on a pane, if any.
    pub fn intent_for(&self, event: KeyEvent, mode: &Mode, focus: Pane) -> Option<Intent> {
        let key = Key::from_event(event);
        if key == ctrl('c') {
            return Some(Intent::Quit);
        }
        match mode {
            Mode::ConfirmDownload(_) => self.lookup(Layer::Confirm, key),
            // In the quit question the quit keys say yes too.
            Mode::ConfirmQuit => self
                .lookup(Layer::Confirm, key)
                .or_else(|| (self.lookup(Layer::Normal, key) == Some(Intent::Quit)).then_some(Intent::Submit)),
            Mode::Line(_) => self.lookup(Layer::Input, key).or(match key.code {
                KeyCode::Char(c) if !key.ctrl && !key.alt => Some(Intent::Input(c)),
                _ => None,
            }),
            Mode::CopyMenu(_) => self.lookup(Layer::CopyMenu, key).or(match key.code {
                KeyCode::Char(c) if c.is_ascii_digit() && !key.ctrl && !key.alt => Some(Intent::Input(c)),
                _ => None,
            }),
            Mode::Help => self.lookup(Layer::Help, key).or(Some(Intent::Escape)),
            // The queue's keys first while it has the keyboard; from another
            // pane they still reach it (to say where they work).
            Mode::Normal if focus == Pane::Queue => {
                self.lookup(Layer::Queue, key).or_else(|| self.lookup(Layer::Normal, key))
            }
            Mode::Normal => self.lookup(Layer::Normal, key).or_else(|| self.lookup(Layer::Queue, key)),
        }
    }
}

#[cfg(test)]
mod tests;
