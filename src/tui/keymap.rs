//! Keys to actions. Typing modes (filter, jump) turn printable keys into input.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, Mode};

/// The action of a key in a mode, if any.
pub fn action_for(key: KeyEvent, mode: &Mode) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    if matches!(mode, Mode::ConfirmDownload(_) | Mode::ConfirmQuit) {
        return match key.code {
            KeyCode::Char('y' | 'Y' | 'q') | KeyCode::Enter => Some(Action::Submit),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Escape),
            _ => None,
        };
    }
    if matches!(mode, Mode::Filter(_) | Mode::Jump(_) | Mode::Search(_)) {
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
    let action = match key.code {
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::Char('g') | KeyCode::Home => Action::First,
        KeyCode::Char('G') | KeyCode::End => Action::Last,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Char('f') if ctrl => Action::PageDown,
        KeyCode::Char('b') if ctrl => Action::PageUp,
        KeyCode::Char('l') | KeyCode::Right => Action::Open,
        KeyCode::Enter => Action::Toggle,
        KeyCode::Char('h') | KeyCode::Left => Action::Close,
        KeyCode::Tab | KeyCode::BackTab => Action::NextPane,
        KeyCode::Char('/') => Action::StartFilter,
        KeyCode::Char('n') => Action::NextMatch,
        KeyCode::Char('N') => Action::PreviousMatch,
        KeyCode::Char(':') => Action::StartJump,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Char('s') => Action::CycleSort,
        KeyCode::Char(']') => Action::NextHdu,
        KeyCode::Char('[') => Action::PreviousHdu,
        KeyCode::Char('m') => Action::ReadOn,
        KeyCode::Char('d') => Action::Download,
        KeyCode::Char('p') => Action::TogglePause,
        KeyCode::Char('c') => Action::CancelJob,
        KeyCode::Char('x') => Action::ClearFinished,
        KeyCode::Char('?') | KeyCode::F(1) => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Escape,
        _ => return None,
    };
    Some(action)
}

/// The help overlay's lines: key, meaning.
pub const HELP: &[(&str, &str)] = &[
    ("j k ↑ ↓", "move"),
    ("g G Home End", "first / last row"),
    ("PgUp PgDn", "page up / down"),
    ("l → ", "open a prefix, load more, retry; step into"),
    ("Enter", "open or close a prefix; preview an object"),
    ("h ←", "close, or go to the parent"),
    ("Tab", "next pane (in the preview, j k PgUp PgDn g G scroll)"),
    ("/", "tree: filter the prefix (Enter searches the server); preview: find in the cards"),
    ("n N", "next / previous match"),
    ("[ ]", "previous / next HDU of a FITS file"),
    ("m", "read on past the byte budget of a gzip preview"),
    ("d", "download the object, or the prefix (asks first)"),
    ("p c r x", "queue: pause/resume, cancel, retry, clear finished"),
    (":", "jump to an s3:// path (Ctrl-U clears the line)"),
    ("r", "refresh the prefix (retry a failed one)"),
    ("s", "sort by name, size, date"),
    ("Esc", "clear the filter, close this help"),
    ("?", "this help"),
    ("q Ctrl-C", "quit"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn normal_mode_keys() {
        assert_eq!(action_for(key(KeyCode::Char('j')), &Mode::Normal), Some(Action::Down));
        assert_eq!(action_for(key(KeyCode::Char('G')), &Mode::Normal), Some(Action::Last));
        assert_eq!(action_for(key(KeyCode::Char('/')), &Mode::Normal), Some(Action::StartFilter));
        assert_eq!(action_for(key(KeyCode::Char('z')), &Mode::Normal), None);
        assert_eq!(action_for(key(KeyCode::Char('d')), &Mode::Normal), Some(Action::Download));
        assert_eq!(action_for(key(KeyCode::Char('y')), &Mode::ConfirmQuit), Some(Action::Submit));
    }

    #[test]
    fn typing_modes_take_printable_keys_as_input() {
        let mode = Mode::Filter(String::new());
        assert_eq!(action_for(key(KeyCode::Char('q')), &mode), Some(Action::Input('q')));
        assert_eq!(action_for(key(KeyCode::Char('j')), &Mode::Jump("s3://".into())), Some(Action::Input('j')));
        assert_eq!(action_for(key(KeyCode::Char('G')), &Mode::Search(String::new())), Some(Action::Input('G')));
        assert_eq!(action_for(key(KeyCode::Enter), &mode), Some(Action::Submit));
        assert_eq!(action_for(key(KeyCode::Esc), &mode), Some(Action::Escape));
    }

    #[test]
    fn ctrl_c_quits_in_every_mode() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for mode in
            [Mode::Normal, Mode::Help, Mode::Filter("x".into()), Mode::Jump(String::new()), Mode::Search("y".into())]
        {
            assert_eq!(action_for(ctrl_c, &mode), Some(Action::Quit));
        }
    }
}
