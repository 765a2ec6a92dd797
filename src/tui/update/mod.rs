//! `update(&mut State, Action) -> Vec<Effect>`: the state changes and the
//! effects to run (requests to start or cancel) come out. Nothing here
//! awaits, touches the network or draws.
//!
//! The router: a report goes to the file that asked for it, whatever the
//! mode; an intent goes to the mode (a line, a question, a popup) and, in the
//! normal mode, to the focused pane, which hands what it does not own to the
//! keys every pane shares. No arm depends on the order of another.

mod asdf;
mod catalog;
mod copy;
mod image;
mod jump;
mod modal;
mod preview;
mod queue;
mod table;
mod tree;

use super::action::{Action, Intent, Report};
use super::effect::Effect;
use super::mode::{Mode, Pane};
use super::state::State;

/// Applies one action; returns the effects to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = match action {
        Action::Intent(intent) => on_intent(state, intent),
        Action::Report(report) => on_report(state, report),
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            state.scroll_into_view();
            Vec::new()
        }
        Action::Tick => {
            state.tick = state.tick.wrapping_add(1);
            Vec::new()
        }
    };
    // Whatever moved the cursor, the preview follows it.
    effects.extend(state.update_preview());
    effects
}

fn on_report(state: &mut State, report: Report) -> Vec<Effect> {
    match report {
        Report::Listed { request, node, purpose, page, more } => {
            let mut effects = state.on_listed(request, node, purpose, page, more);
            effects.extend(state.recheck_catalog(node));
            effects
        }
        Report::ListFailed { request, node, purpose, error } => state.on_list_failed(request, node, purpose, error),
        Report::BucketsListed { result, .. } => {
            state.on_buckets_listed(result);
            Vec::new()
        }
        Report::Previewed { request, node, result } => state.on_previewed(request, node, result),
        Report::RowsRead { request, node, hdu, page, result } => state.on_rows_read(request, node, hdu, page, result),
        Report::ImageRead { request, node, hdu, plane, result } => {
            state.on_image_read(request, node, hdu, plane, result);
            Vec::new()
        }
        Report::PrefixCounted { request, result } => {
            state.on_counted(request, result);
            Vec::new()
        }
        Report::DownloadProgress { job, done, size, rate } => {
            state.queue.progress(job, done, size, rate);
            Vec::new()
        }
        Report::DownloadFinished { job, result } => state.on_download_finished(job, result),
        Report::Copied { what, result } => {
            state.on_copied(&what, result);
            Vec::new()
        }
        Report::Problem(text) => {
            state.set_error(text);
            Vec::new()
        }
        Report::RegionFound { bucket, region } => {
            state.regions.insert(bucket, region);
            Vec::new()
        }
    }
}

fn on_intent(state: &mut State, intent: Intent) -> Vec<Effect> {
    if let Intent::Paste(text) = &intent {
        return state.paste(text);
    }
    match state.mode.clone() {
        Mode::Normal => on_pane_intent(state, intent),
        Mode::Line(line) => state.on_line(line, intent),
        Mode::ConfirmDownload(pending) => state.on_confirm_download(pending, intent),
        Mode::ConfirmQuit => state.on_confirm_quit(intent),
        Mode::Help => state.on_help(intent),
        Mode::CopyMenu(menu) => state.on_copy_menu(menu, intent),
    }
}

/// An intent in the normal mode: the preview's keys (its own, when it has
/// the keyboard, and the HDU keys from any pane), the queue's when it has
/// the keyboard, the tree's from any pane, then the keys every pane shares.
/// Each intent is claimed by one of them for a given focus.
fn on_pane_intent(state: &mut State, intent: Intent) -> Vec<Effect> {
    if let Some(effects) = state.on_preview_intent(&intent, state.focus == Pane::Preview) {
        return effects;
    }
    if state.focus == Pane::Queue
        && let Some(effects) = state.on_queue_intent(&intent)
    {
        return effects;
    }
    if let Some(effects) = state.on_tree_intent(&intent) {
        return effects;
    }
    on_shared_intent(state, intent)
}

/// The keys that mean the same in every pane.
fn on_shared_intent(state: &mut State, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::NextPane => {
            state.focus = match state.focus {
                Pane::Tree => Pane::Preview,
                Pane::Preview if !state.queue.jobs.is_empty() => Pane::Queue,
                Pane::Preview | Pane::Queue => Pane::Tree,
            };
            state.scroll_into_view();
        }
        Intent::StartJump => state.start_jump(),
        Intent::Download => return state.download(),
        Intent::Copy => return state.copy_uris(),
        Intent::CopyMenu => state.open_copy_menu(),
        Intent::Mark => state.toggle_mark(),
        Intent::Help => {
            state.help_scroll = 0;
            state.mode = Mode::Help;
        }
        Intent::Quit => state.quit(),
        Intent::TogglePause | Intent::CancelJob | Intent::RetryJob | Intent::ClearFinished => {
            let key = state.config.keys.hint(super::keymap::Layer::Normal, &Intent::NextPane);
            state.set_status(format!("{key} to the queue to manage downloads"));
        }
        // Tree keys in another pane, and keys of lines, questions and menus: nothing to do.
        _ => {}
    }
    Vec::new()
}
