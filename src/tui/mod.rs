//! The interactive explorer: terminal set-up, the event loop, and the parts
//! it joins (pure state and update, effect runner, views).

pub mod action;
#[cfg(test)]
mod asdf_tests;
pub mod asdf_view;
pub mod catalog_preview;
#[cfg(test)]
mod catalog_tests;
pub mod config;
#[cfg(test)]
mod copy_tests;
pub mod effect;
pub mod graphics;
#[cfg(test)]
mod image_tests;
pub mod image_view;
pub mod keymap;
pub mod layout;
pub mod mode;
#[cfg(test)]
mod parquet_tests;
pub mod preview_state;
pub mod queue_state;
pub mod runner;
pub mod state;
#[cfg(test)]
mod table_tests;
pub mod table_view;
#[cfg(test)]
mod test_support;
pub mod theme;
pub mod tree;
pub mod update;
#[cfg(test)]
mod update_tests;
pub mod view;
#[cfg(test)]
mod view_tests;

use std::io::IsTerminal;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use self::action::{Action, Report};
pub use self::config::ExplorerConfig;
use self::effect::Effect;
use self::runner::Runner;
use self::state::State;
use self::update::update;
use crate::clipboard::{Clipboard, ClipboardEnv};
use crate::config::OnStart;
use crate::error::AppError;
use crate::queue::store::QueueLock;
use crate::s3::Clients;

/// Takes over the downloads an earlier run left unfinished.
fn restore_queue(state: &mut State) -> Vec<Effect> {
    let Some(path) = state.config.queue_path.clone() else { return Vec::new() };
    let loaded = crate::queue::store::load(&path);
    let paused = state.config.on_start == OnStart::Pause;
    let unfinished = state.queue.restore(loaded.jobs, paused);
    if let Some((aside, why)) = loaded.moved_aside {
        state.set_error(format!("the queue file was unreadable ({why}); moved it to {}", aside.display()));
    } else if unfinished > 0 && paused {
        let resume = state.config.keys.hint(keymap::Layer::Queue, &action::Intent::TogglePause);
        state.set_status(format!("{unfinished} unfinished downloads are paused ({resume} resumes)"));
    } else if unfinished > 0 {
        state.set_status(format!("resuming {unfinished} unfinished downloads"));
    }
    state.start_queue()
}

/// Redraw cadence while something animates.
const TICK: Duration = Duration::from_millis(120);

/// Holds the queue file for this explorer; without it (another s3scope
/// holds it, or it cannot be locked) the queue lives in memory only.
fn hold_queue(config: &mut ExplorerConfig) -> (Option<QueueLock>, Option<String>) {
    let Some(path) = config.queue_path.clone() else { return (None, None) };
    let why = match QueueLock::try_acquire(&path) {
        Ok(Some(lock)) => return (Some(lock), None),
        Ok(None) => "the download queue is held by another s3scope: this one's downloads are not kept".to_string(),
        Err(e) => format!("cannot lock the queue {}: {e}; downloads are not kept", path.display()),
    };
    config.queue_path = None;
    (None, Some(why))
}

pub async fn run(mut config: ExplorerConfig) -> Result<(), AppError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(AppError::input("starting the explorer", "it needs a terminal (use `s3scope ls` in scripts)"));
    }
    let (_queue_lock, unkept) = hold_queue(&mut config);
    let clients = Clients::new(&config.connect, config.catalog.clone()).await?;
    let list_own = config.list_own_buckets && clients.can_sign();
    let (sender, receiver) = mpsc::unbounded_channel();
    let found = sender.clone();
    clients.set_region_observer(Box::new(move |bucket, region| {
        let report = Report::RegionFound { bucket: bucket.to_string(), region: region.to_string() };
        let _ = found.send(report.into());
    }));
    let clipboard = Clipboard::new(config.clipboard, &ClipboardEnv::from_process(), Box::new(std::io::stdout()));
    let mut runner = Runner::new(clients, sender)
        .with_clipboard(clipboard)
        .with_download_options(config.download_options, config.download_limits);
    if let Some(path) = config.queue_path.clone() {
        runner = runner.with_queue_path(path);
    }

    let mut terminal = ratatui::try_init().map_err(|e| AppError::runtime("setting up the terminal", e.to_string()))?;
    let mouse = config.mouse;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    // A pasted URI arrives whole, not as keys.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let size = terminal.size().unwrap_or_default();
    let start = config.start.clone();
    let mut state = State::new(config, size.width, size.height);
    let mut effects = Vec::new();
    if list_own {
        effects.push(Effect::ListBuckets { request: 0 });
    }
    if let Some(uri) = start {
        effects.extend(state.jump_to(uri));
    }
    effects.extend(restore_queue(&mut state));
    if let Some(why) = unkept {
        state.set_error(why);
    }
    let result = event_loop(&mut terminal, &mut state, &mut runner, receiver, effects).await;
    runner.shutdown();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    // The last word on the queue, whatever the saver task had time for.
    if let Some(path) = &state.config.queue_path
        && let Err(e) = crate::queue::store::save(path, &state.queue.jobs)
    {
        eprintln!("s3scope: saving the queue to {}: {e}", path.display());
    }
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    state: &mut State,
    runner: &mut Runner,
    mut results: mpsc::UnboundedReceiver<Action>,
    initial: Vec<Effect>,
) -> Result<(), AppError> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // In raw mode Ctrl-C is a key: only SIGTERM and SIGHUP come as signals.
    let terminated = crate::signals::stopped(false);
    tokio::pin!(terminated);
    runner.run_all(initial);
    let mut dirty = true;
    loop {
        if dirty {
            terminal
                .draw(|frame| view::render(frame, state))
                .map_err(|e| AppError::runtime("drawing", e.to_string()))?;
            dirty = false;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    state.config.keys.intent_for(key, &state.mode, state.focus).map(Action::from)
                }
                Some(Ok(Event::Resize(width, height))) => Some(Action::Resize { width, height }),
                Some(Ok(Event::Paste(text))) => Some(Action::from(action::Intent::Paste(text))),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(AppError::runtime("reading the terminal", e.to_string())),
                None => return Ok(()),
            },
            Some(result) = results.recv() => Some(result),
            _ = tick.tick() => state.animating().then_some(Action::Tick),
            () = &mut terminated => return Ok(()),
        };
        let Some(action) = action else { continue };
        let effects = update(state, action);
        runner.run_all(effects);
        dirty = true;
        if state.quit {
            return Ok(());
        }
    }
}
