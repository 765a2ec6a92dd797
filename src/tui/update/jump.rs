//! Jumping to a location (`:`, a paste, a start URI): each ancestor is
//! opened as it loads, a lookup listing finds names beyond the row bound.

use crate::s3::S3Uri;
use crate::tui::action::Intent;
use crate::tui::effect::{Effect, ListJob};
use crate::tui::mode::{Line, LineKind, Mode};
use crate::tui::state::{PendingJump, State, path_names};
use crate::tui::tree::LoadState;

/// Entries a lookup for one name asks for.
const LOOKUP_BUDGET: usize = 1000;

impl State {
    /// `:`: the jump line, prefilled with the selected row's URI.
    pub(super) fn start_jump(&mut self) {
        let start = self.selected_node().map(|n| self.tree.uri_of(n).to_string()).unwrap_or_else(|| "s3://".into());
        self.mode = Mode::Line(Line::new(LineKind::Jump, start));
    }

    /// Where a typed or pasted location points: an `s3://` URI, an S3 https
    /// URL or an archive's web URL, or `bucket/key` alone.
    pub(super) fn location(&self, text: &str) -> Result<S3Uri, String> {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            let mirrors: Vec<(&str, &str)> = (self.config.catalog.entries.iter())
                .filter(|e| !e.mirror.is_empty())
                .map(|e| (e.mirror.as_str(), e.name.as_str()))
                .collect();
            return S3Uri::from_https(text, &mirrors).ok_or_else(|| format!("not an S3 or archive URL: {text}"));
        }
        let target =
            if text.starts_with("s3://") || text.starts_with("S3://") { text.into() } else { format!("s3://{text}") };
        S3Uri::parse(&target).map_err(|e| e.to_string())
    }

    /// A paste: into the line being typed, or, when none is, a location to jump to.
    pub(super) fn paste(&mut self, text: &str) -> Vec<Effect> {
        // The first line (terminals send CR or LF); control characters never reach the state.
        let first = text.trim_start_matches(['\r', '\n']).split(['\r', '\n']).next().unwrap_or("");
        let line: String = first.chars().filter(|c| !c.is_control()).collect();
        match &self.mode {
            Mode::Line(_) => line.chars().flat_map(|c| super::update(self, Intent::Input(c).into())).collect(),
            Mode::Normal => match self.location(&line) {
                Ok(uri) if !line.trim().is_empty() => self.jump_to(uri),
                _ => {
                    let shown: String = line.chars().take(60).collect();
                    self.set_error(format!("not a location to jump to: {shown}"));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        }
    }

    /// Opens the path of `uri` from the root, loading each ancestor as needed.
    pub fn jump_to(&mut self, uri: S3Uri) -> Vec<Effect> {
        let bucket = self.tree.add_bucket(&uri.bucket, None);
        self.jump = Some(PendingJump { rest: path_names(&uri.key), uri, at: bucket, looked_up: false });
        self.advance_jump()
    }

    /// Goes down the path as far as the tree is loaded; asks for what is missing.
    pub(super) fn advance_jump(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        loop {
            let Some(jump) = self.jump.clone() else { return effects };
            let Some(name) = jump.rest.first() else {
                effects.extend(self.arrive(&jump));
                return effects;
            };
            if let Some(child) = self.tree.child_named(jump.at, name) {
                self.tree.node_mut(jump.at).expanded = true;
                if matches!(self.tree.node(jump.at).load, LoadState::NotLoaded) {
                    // Found through a lookup: load the rest of the level too.
                    effects.extend(self.start_loading(jump.at, None));
                }
                let mut next = jump;
                next.at = child;
                next.rest.remove(0);
                next.looked_up = false;
                self.jump = Some(next);
                continue;
            }
            let load = self.tree.node(jump.at).load.clone();
            match load {
                LoadState::NotLoaded => effects.extend(self.expand(jump.at)),
                LoadState::Loading { .. } => {}
                LoadState::Failed(error) => {
                    self.jump = None;
                    self.set_error(format!("cannot open {}: {error}", jump.uri));
                }
                LoadState::Partial { .. } | LoadState::Loaded if !jump.looked_up => {
                    let request = self.request_id();
                    self.lookups.insert(request);
                    let at = self.tree.uri_of(jump.at);
                    let name = name.trim_end_matches('/');
                    effects.push(Effect::List(ListJob::lookup(request, jump.at, &at, name, LOOKUP_BUDGET)));
                    if let Some(j) = self.jump.as_mut() {
                        j.looked_up = true;
                    }
                }
                LoadState::Partial { .. } | LoadState::Loaded => {
                    self.jump = None;
                    self.refresh_rows();
                    self.select_node(jump.at);
                    self.set_error(format!("not found: {}", jump.uri));
                }
            }
            return effects;
        }
    }

    /// Arrived: select it, and open it if it is a prefix; an old error is moot.
    fn arrive(&mut self, jump: &PendingJump) -> Vec<Effect> {
        self.jump = None;
        self.refresh_rows();
        self.select_node(jump.at);
        if self.status.is_error {
            self.set_status(format!("at {}", jump.uri));
        }
        if !self.tree.node(jump.at).is_container() || self.tree.node(jump.at).expanded {
            return Vec::new();
        }
        let effects = self.expand(jump.at);
        self.refresh_rows();
        effects
    }
}
