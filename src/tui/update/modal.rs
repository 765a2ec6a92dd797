//! The modes that take the keys for a while: a line being typed (filter,
//! jump, search), the download and quit questions, the help.

use crate::tui::action::Intent;
use crate::tui::effect::Effect;
use crate::tui::mode::{Line, LineKind, Mode, PendingDownload};
use crate::tui::state::State;

impl State {
    /// A key while a line is typed: editing keys edit it, Enter and Esc end
    /// it, anything else (the arrows) works as in the normal mode.
    pub(super) fn on_line(&mut self, mut line: Line, intent: Intent) -> Vec<Effect> {
        if line.edit(&intent) {
            match line.kind {
                LineKind::Filter => self.set_filter_text(&line.text),
                LineKind::Search => self.search_for(&line.text),
                LineKind::Jump | LineKind::Columns => {}
            }
            self.mode = Mode::Line(line);
            return Vec::new();
        }
        match (intent, line.kind) {
            (Intent::Submit, LineKind::Filter) => self.submit_filter(line.text),
            (Intent::Submit, LineKind::Jump) => {
                self.mode = Mode::Normal;
                match self.location(&line.text) {
                    Ok(uri) => self.jump_to(uri),
                    Err(e) => {
                        self.set_error(e);
                        Vec::new()
                    }
                }
            }
            (Intent::Submit, LineKind::Columns) => {
                self.mode = Mode::Normal;
                self.pick_columns(&line.text)
            }
            (Intent::Submit, LineKind::Search) => {
                self.mode = Mode::Normal;
                self.keep_search(&line.text);
                Vec::new()
            }
            (Intent::Escape, kind) => {
                self.mode = Mode::Normal;
                match kind {
                    LineKind::Filter => {
                        self.filter = None;
                        self.refresh_rows();
                    }
                    LineKind::Search => self.preview.search = None,
                    LineKind::Jump | LineKind::Columns => {}
                }
                Vec::new()
            }
            (other, _) => super::on_pane_intent(self, other),
        }
    }

    pub(super) fn on_confirm_download(&mut self, pending: PendingDownload, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Submit => {
                self.mode = Mode::Normal;
                self.confirm_download(pending)
            }
            Intent::Escape => {
                self.mode = Mode::Normal;
                self.set_status("download not started");
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn on_confirm_quit(&mut self, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Submit | Intent::Quit => self.quit = true,
            Intent::Escape => self.mode = Mode::Normal,
            _ => {}
        }
        Vec::new()
    }

    /// The help scrolls; any other key closes it, the quit keys quit.
    pub(super) fn on_help(&mut self, intent: Intent) -> Vec<Effect> {
        let lines = self.config.keys.help().len();
        match intent {
            Intent::Quit => self.quit = true,
            Intent::Down => self.help_scroll = self.help_scroll.saturating_add(1).min(lines.saturating_sub(1)),
            Intent::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            _ => self.mode = Mode::Normal,
        }
        Vec::new()
    }
}
