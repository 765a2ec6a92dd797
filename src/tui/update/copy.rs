//! Copying from the explorer: `y` (s3 URIs), the `Y` menu of formats, and
//! marked rows. Builds the texts and the `Copy` effect; the runner talks to
//! the clipboard.

use crate::copy_format::{self, Access};
use crate::s3::S3Uri;
use crate::tui::action::Intent;
use crate::tui::effect::Effect;
use crate::tui::keymap::Layer;
use crate::tui::mode::{CopyMenu, Mode, Pane};
use crate::tui::state::State;
use crate::tui::tree::RowKind;

impl State {
    /// What a copy covers: the marked rows, else the selected one.
    fn copy_targets(&self) -> Vec<S3Uri> {
        if !self.marks.is_empty() {
            return self.marks.clone();
        }
        let from_queue = self.focus == Pane::Queue;
        if from_queue && let Some(job) = self.queue.jobs.get(self.queue.selected) {
            return vec![S3Uri::new(&job.bucket, &job.key)];
        }
        self.selected_node().map(|n| self.tree.uri_of(n)).into_iter().collect()
    }

    /// How `bucket` is reached, for URLs and snippets.
    fn access(&self, bucket: &str) -> Access {
        Access::new(bucket, &self.route(bucket), &self.config.catalog)
    }

    pub(super) fn copy_uris(&mut self) -> Vec<Effect> {
        let targets = self.copy_targets();
        let Some(first) = targets.first() else {
            self.set_error("nothing to copy");
            return Vec::new();
        };
        let what = if targets.len() == 1 { first.to_string() } else { format!("{} s3 URIs", targets.len()) };
        let text = targets.iter().map(S3Uri::to_string).collect::<Vec<_>>().join("\n");
        vec![copy_effect(text, what)]
    }

    pub(super) fn open_copy_menu(&mut self) {
        let targets = self.copy_targets();
        if targets.is_empty() {
            self.set_error("nothing to copy");
            return;
        }
        let tabular = match targets.as_slice() {
            [one] => self.tabular_of(one),
            _ => None,
        };
        let formats = copy_format::formats_with(&targets, &|bucket| self.access(bucket), tabular);
        self.mode = Mode::CopyMenu(CopyMenu { formats, selected: 0, targets: targets.len() });
    }

    /// Marks or unmarks the selected row and moves down.
    pub(super) fn toggle_mark(&mut self) {
        let Some(row) = self.selected_row().filter(|r| r.kind == RowKind::Node) else { return };
        let uri = self.tree.uri_of(row.node);
        match self.marks.iter().position(|m| *m == uri) {
            Some(at) => {
                self.marks.remove(at);
            }
            None => self.marks.push(uri),
        }
        let keys = &self.config.keys;
        let (copy, clear) = (keys.hint(Layer::Normal, &Intent::Copy), keys.hint(Layer::Normal, &Intent::Escape));
        self.set_status(match self.marks.len() {
            0 => "no rows marked".to_string(),
            1 => format!("1 row marked ({copy} copies it, {clear} clears)"),
            n => format!("{n} rows marked ({copy} copies them, {clear} clears)"),
        });
        self.move_by(1);
    }

    pub(crate) fn is_marked(&self, uri: &S3Uri) -> bool {
        self.marks.contains(uri)
    }

    pub(super) fn on_copied(&mut self, what: &str, result: Result<String, String>) {
        match result {
            Ok(how) => self.set_status(format!("copied {what} ({how})")),
            Err(why) => self.set_error(format!("could not copy {what}: {why}")),
        }
    }

    /// Keys while the copy menu is open.
    pub(super) fn on_copy_menu(&mut self, mut menu: CopyMenu, intent: Intent) -> Vec<Effect> {
        let count = menu.formats.len();
        let chosen = match intent {
            Intent::Down => {
                menu.selected = (menu.selected + 1) % count;
                None
            }
            Intent::Up => {
                menu.selected = (menu.selected + count - 1) % count;
                None
            }
            Intent::Input(c) => match c.to_digit(10).map(|d| d as usize) {
                Some(n) if (1..=count).contains(&n) => Some(n - 1),
                _ => None,
            },
            Intent::Submit => Some(menu.selected),
            Intent::Escape => {
                self.mode = Mode::Normal;
                return Vec::new();
            }
            Intent::Quit => {
                self.mode = Mode::Normal;
                self.quit();
                return Vec::new();
            }
            _ => None,
        };
        let Some(index) = chosen else {
            self.mode = Mode::CopyMenu(menu);
            return Vec::new();
        };
        self.mode = Mode::Normal;
        let format = &menu.formats[index];
        let what = if menu.targets == 1 && !format.text.contains('\n') {
            format!("{} {}", format.label, format.text)
        } else {
            format!("{} ({} lines)", format.label, format.text.lines().count())
        };
        vec![copy_effect(format.text.clone(), what)]
    }
}

/// The copy, with a warning in its name when the text holds control
/// characters (a key can: pasted into a shell they could edit or run the line).
fn copy_effect(text: String, what: String) -> Effect {
    let hostile = text.chars().any(|c| c != '\n' && crate::escape::is_unsafe_char(c));
    let what = if hostile { format!("{what} [holds control characters: paste with care]") } else { what };
    Effect::Copy { text, what }
}
