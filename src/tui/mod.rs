//! The interactive explorer: terminal set-up, the event loop, and the parts
//! it joins (pure model and update, effect runner, views).

pub mod app;
#[cfg(test)]
mod app_tests;
mod copy;
#[cfg(test)]
mod copy_tests;
pub mod keymap;
pub mod layout;
pub mod preview_state;
pub mod queue_state;
pub mod runner;
#[cfg(test)]
mod test_support;
pub mod theme;
pub mod tree;
pub mod view;
#[cfg(test)]
mod view_tests;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use self::app::{Action, Effect, Settings, State, initial_state, update};
use self::keymap::Keymap;
use self::runner::Runner;
use self::theme::Theme;
use crate::catalog::Catalog;
use crate::clipboard::{Clipboard, ClipboardEnv, ClipboardMode};
use crate::config::OnStart;
use crate::error::AppError;
use crate::queue::engine::DownloadOptions;
use crate::s3::{Clients, ConnectOptions, S3Uri};

/// How the explorer starts.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    pub connect: ConnectOptions,
    /// Buckets at the root: name and archive label.
    pub buckets: Vec<(String, Option<String>)>,
    /// Opened and selected at start.
    pub start: Option<S3Uri>,
    /// Ask for the user's own buckets (when requests can be signed).
    pub list_own_buckets: bool,
    pub mouse: bool,
    pub row_bound: usize,
    pub preview_budget: u64,
    /// Where downloads land.
    pub download_dir: PathBuf,
    /// Where the queue is kept between runs (`None`: in memory only).
    pub queue_path: Option<PathBuf>,
    /// The archive catalog and the user's buckets.
    pub catalog: Catalog,
    pub keys: Keymap,
    pub theme: Theme,
    pub clipboard: ClipboardMode,
    /// Downloads running at once.
    pub jobs: usize,
    pub download_options: DownloadOptions,
    /// What to do with unfinished downloads of an earlier run.
    pub on_start: OnStart,
}

impl TuiOptions {
    /// The catalog at the root, for real S3.
    pub fn for_catalog(connect: ConnectOptions, catalog: &Catalog) -> Self {
        let buckets = catalog.entries.iter().map(|e| (e.name.clone(), Some(e.archive.clone()))).collect();
        Self {
            connect,
            buckets,
            start: None,
            list_own_buckets: true,
            mouse: false,
            row_bound: 5000,
            preview_budget: crate::preview::DEFAULT_GZIP_BUDGET,
            download_dir: PathBuf::from("."),
            queue_path: Some(crate::queue::store::default_queue_path()),
            catalog: catalog.clone(),
            keys: Keymap::default(),
            theme: Theme::default(),
            clipboard: ClipboardMode::Auto,
            jobs: 4,
            download_options: DownloadOptions::default(),
            on_start: OnStart::Resume,
        }
    }
}

/// Takes over the downloads an earlier run left unfinished.
fn restore_queue(state: &mut State, options: &TuiOptions) -> Vec<Effect> {
    state.queue.download_dir = options.download_dir.clone();
    let Some(path) = &options.queue_path else { return Vec::new() };
    let loaded = crate::queue::store::load(path);
    let paused = options.on_start == OnStart::Pause;
    let unfinished = state.queue.restore(loaded.jobs, paused);
    if let Some((aside, why)) = loaded.moved_aside {
        state.set_error(format!("the queue file was unreadable ({why}); moved it to {}", aside.display()));
    } else if unfinished > 0 && paused {
        state.set_status(format!("{unfinished} unfinished downloads are paused (p resumes)"));
    } else if unfinished > 0 {
        state.set_status(format!("resuming {unfinished} unfinished downloads"));
    }
    state.queue.start().into_iter().map(Effect::Queue).collect()
}

/// Redraw cadence while something animates.
const TICK: Duration = Duration::from_millis(120);

pub async fn run(options: TuiOptions) -> Result<(), AppError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(AppError::input("starting the explorer", "it needs a terminal (use `s3scope ls` in scripts)"));
    }
    let clients = Clients::new(&options.connect, options.catalog.clone()).await?;
    let settings = Settings {
        row_bound: options.row_bound,
        preview_budget: options.preview_budget,
        catalog: options.catalog.clone(),
        connect: options.connect.clone(),
    };
    let list_own = options.list_own_buckets && clients.can_sign();
    let (sender, receiver) = mpsc::unbounded_channel();
    let found = sender.clone();
    clients.set_region_observer(Box::new(move |bucket, region| {
        let _ = found.send(Action::RegionFound { bucket: bucket.to_string(), region: region.to_string() });
    }));
    let clipboard = Clipboard::new(options.clipboard, &ClipboardEnv::from_process(), Box::new(std::io::stdout()));
    let mut runner =
        Runner::new(clients, sender).with_clipboard(clipboard).with_download_options(options.download_options);
    if let Some(path) = options.queue_path.clone() {
        runner = runner.with_queue_path(path);
    }

    let mut terminal = ratatui::try_init().map_err(|e| AppError::runtime("setting up the terminal", e.to_string()))?;
    if options.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    // A pasted URI arrives whole, not as keys.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let size = terminal.size().unwrap_or_default();
    let mut state = initial_state(settings, &options.buckets, size.width, size.height);
    state.keys = options.keys.clone();
    state.theme = options.theme.clone();
    state.queue.max_running = options.jobs.max(1);
    let mut effects = Vec::new();
    if list_own {
        effects.push(Effect::ListBuckets { request: 0 });
    }
    if let Some(uri) = options.start.clone() {
        effects.extend(state.jump_to(uri));
    }
    effects.extend(restore_queue(&mut state, &options));
    let result = event_loop(&mut terminal, &mut state, &mut runner, receiver, effects).await;
    runner.shutdown();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    if options.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    // The last word on the queue, whatever the saver task had time for.
    if let Some(path) = &options.queue_path
        && let Err(e) = crate::queue::store::save(path, &state.queue.jobs)
    {
        eprintln!("s3scope: saving the queue to {}: {e}", path.display());
    }
    result
}

/// Waits for SIGTERM or SIGHUP (a closed SSH session).
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    std::future::pending::<()>().await
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
    let terminated = termination();
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
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => state.keys.action_for(key, &state.mode),
                Some(Ok(Event::Resize(width, height))) => Some(Action::Resize { width, height }),
                Some(Ok(Event::Paste(text))) => Some(Action::Paste(text)),
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
