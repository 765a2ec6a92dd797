use std::path::Path;

use crossterm::event::KeyModifiers;

use super::*;
use crate::tui::mode::{Line, LineKind, PendingDownload};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn keymap(toml: &str) -> Result<Keymap, ConfigError> {
    Keymap::from_config(&crate::config::parse(toml, Path::new("c.toml")).unwrap())
}

fn normal(keys: &Keymap, code: KeyCode) -> Option<Intent> {
    keys.intent_for(key(code), &Mode::Normal, Pane::Tree)
}

#[test]
fn normal_mode_keys() {
    let keys = Keymap::default();
    assert_eq!(normal(&keys, KeyCode::Char('j')), Some(Intent::Down));
    let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(keys.intent_for(shift_g, &Mode::Normal, Pane::Tree), Some(Intent::Last));
    assert_eq!(normal(&keys, KeyCode::Char('/')), Some(Intent::StartFilter));
    assert_eq!(normal(&keys, KeyCode::Char('z')), Some(Intent::CycleInterval));
    assert_eq!(normal(&keys, KeyCode::Char('Q')), None);
    assert_eq!(normal(&keys, KeyCode::Char('d')), Some(Intent::Download));
    assert_eq!(normal(&keys, KeyCode::Char('y')), Some(Intent::Copy));
    assert_eq!(normal(&keys, KeyCode::Char('Y')), Some(Intent::CopyMenu));
    assert_eq!(normal(&keys, KeyCode::Char(' ')), Some(Intent::Mark));
    assert_eq!(normal(&keys, KeyCode::Esc), Some(Intent::Escape));
    let quit = Mode::ConfirmQuit;
    assert_eq!(keys.intent_for(key(KeyCode::Char('y')), &quit, Pane::Tree), Some(Intent::Submit));
    assert_eq!(keys.intent_for(key(KeyCode::Char('q')), &quit, Pane::Tree), Some(Intent::Submit));
    let pending = Mode::ConfirmDownload(PendingDownload { bucket: "b".into(), prefix: "p/".into(), objects: vec![] });
    assert_eq!(keys.intent_for(key(KeyCode::Char('q')), &pending, Pane::Tree), None);
    let shift_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(keys.intent_for(shift_tab, &Mode::Normal, Pane::Tree), Some(Intent::NextPane));
}

#[test]
fn the_queue_table_comes_first_while_the_queue_has_the_keyboard() {
    let keys = Keymap::default();
    let r = key(KeyCode::Char('r'));
    assert_eq!(keys.intent_for(r, &Mode::Normal, Pane::Queue), Some(Intent::RetryJob));
    assert_eq!(keys.intent_for(r, &Mode::Normal, Pane::Tree), Some(Intent::Refresh));
    // From the tree the queue's keys still arrive, to say where they work.
    assert_eq!(keys.intent_for(key(KeyCode::Char('p')), &Mode::Normal, Pane::Tree), Some(Intent::TogglePause));
    assert_eq!(keys.intent_for(key(KeyCode::Char('j')), &Mode::Normal, Pane::Queue), Some(Intent::Down));
}

#[test]
fn typing_modes_take_printable_keys_as_input() {
    let keys = Keymap::default();
    let filter = Mode::Line(Line::new(LineKind::Filter, ""));
    let at = |code, mode: &Mode| keys.intent_for(key(code), mode, Pane::Tree);
    assert_eq!(at(KeyCode::Char('q'), &filter), Some(Intent::Input('q')));
    assert_eq!(at(KeyCode::Char('j'), &Mode::Line(Line::new(LineKind::Jump, "s3://"))), Some(Intent::Input('j')));
    assert_eq!(at(KeyCode::Char('G'), &Mode::Line(Line::new(LineKind::Search, ""))), Some(Intent::Input('G')));
    assert_eq!(at(KeyCode::Enter, &filter), Some(Intent::Submit));
    assert_eq!(at(KeyCode::Esc, &filter), Some(Intent::Escape));
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(keys.intent_for(ctrl_u, &filter, Pane::Tree), Some(Intent::ClearInput));
}

#[test]
fn ctrl_c_quits_in_every_mode() {
    let keys = keymap("[keys]\nquit = \"Q\"\n").unwrap();
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let modes = [
        Mode::Normal,
        Mode::Help,
        Mode::Line(Line::new(LineKind::Filter, "x")),
        Mode::Line(Line::new(LineKind::Jump, "")),
        Mode::ConfirmQuit,
    ];
    for mode in modes {
        assert_eq!(keys.intent_for(ctrl_c, &mode, Pane::Queue), Some(Intent::Quit));
    }
}

#[test]
fn overrides_replace_an_actions_keys_and_take_the_key_from_others() {
    let keys = keymap("[keys]\ndownload = [\"x\", \"ctrl-d\"]\n").unwrap();
    assert_eq!(normal(&keys, KeyCode::Char('x')), Some(Intent::Download));
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(keys.intent_for(ctrl_d, &Mode::Normal, Pane::Tree), Some(Intent::Download));
    assert_eq!(normal(&keys, KeyCode::Char('d')), None, "d left download");
    assert_eq!(keys.hint(Layer::Normal, &Intent::Download), "x");
    assert!(keys.help().iter().any(|(k, what)| k == "x Ctrl-d" && what.starts_with("download")));
    // The queue's x is another layer's: untouched.
    assert_eq!(keys.hint(Layer::Queue, &Intent::ClearFinished), "x");
}

#[test]
fn every_layer_is_rebindable_from_its_own_table() {
    let toml = "[keys]\nrefresh = \"R\"\n\n[keys.queue]\nretry = \"t\"\n\n[keys.input]\nclear_line = \"ctrl-w\"\n\n\
                [keys.confirm]\nyes = \"o\"\n\n[keys.copy_menu]\nclose = \"z\"\n\n[keys.help]\nscroll_down = \"J\"\n";
    let keys = keymap(toml).unwrap();
    assert_eq!(normal(&keys, KeyCode::Char('R')), Some(Intent::Refresh));
    assert_eq!(keys.intent_for(key(KeyCode::Char('t')), &Mode::Normal, Pane::Queue), Some(Intent::RetryJob));
    let line = Mode::Line(Line::new(LineKind::Jump, ""));
    let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(keys.intent_for(ctrl_w, &line, Pane::Tree), Some(Intent::ClearInput));
    assert_eq!(keys.intent_for(key(KeyCode::Char('o')), &Mode::ConfirmQuit, Pane::Tree), Some(Intent::Submit));
    assert_eq!(keys.hint(Layer::Confirm, &Intent::Submit), "o");
    assert_eq!(keys.hint(Layer::CopyMenu, &Intent::Escape), "z");
    assert_eq!(keys.intent_for(key(KeyCode::Char('J')), &Mode::Help, Pane::Tree), Some(Intent::Down));
    assert!(keys.help().iter().any(|(_, what)| what.contains("(Ctrl-w clears the line)")));
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
    let err = keymap("[keys.queue]\npause = \"p\"\nretyr = \"t\"\n").unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("unknown action 'retyr' in [keys.queue]"), "{}", err.message);
    let err = keymap("[keys.queeu]\npause = \"p\"\n").unwrap_err();
    assert!(err.message.contains("unknown key table [keys.queeu]"), "{}", err.message);
}

#[test]
fn the_default_config_examples_are_valid_bindings() {
    let uncommented: String =
        crate::config::DEFAULT_FILE.lines().map(|l| l.strip_prefix("#  ").unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let keys = keymap(&uncommented).unwrap();
    assert_eq!(keys.hint(Layer::Normal, &Intent::Quit), "Q");
}

#[test]
fn help_lists_every_bindable_action_of_the_normal_and_queue_tables() {
    let keys = Keymap::default();
    let help = keys.help();
    for layer in [Layer::Normal, Layer::Queue] {
        for bindable in layer.table() {
            let label = keys.hint(layer, &bindable.intent);
            assert!(
                help.iter().any(|(k, _)| k.split(' ').any(|k| k == label)),
                "{} is missing from the help",
                bindable.name
            );
        }
    }
    assert_eq!(help[0].0, "j ↓ k ↑");
}
