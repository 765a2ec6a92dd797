//! Copying text to the user's clipboard, chosen per environment.
//!
//! Over SSH (or without a display server) the only clipboard that reaches the
//! user's own machine is the terminal's: the OSC 52 escape sequence, which
//! the local terminal (or tmux with `set-clipboard on`) turns into a
//! clipboard write. On a local desktop the system clipboard (arboard) is used.
//! Choosing the route and building the sequence are pure; [`system`] holds the
//! one piece that talks to a display server.

pub mod osc52;
pub mod system;

use serde::Deserialize;

/// The `clipboard` setting of the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    /// OSC 52 over SSH or without a display; the system clipboard otherwise.
    #[default]
    Auto,
    Osc52,
    System,
    /// Both at once (a local terminal inside tmux, say).
    Both,
}

/// The environment variables that decide the route.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClipboardEnv {
    /// `SSH_TTY` or `SSH_CONNECTION` is set.
    pub ssh: bool,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// Inside tmux (`TMUX`).
    pub tmux: bool,
    /// Inside GNU screen (`STY`; `TERM=screen*` alone is no proof: tmux and
    /// SSH sessions started from tmux say it too).
    pub screen: bool,
}

impl ClipboardEnv {
    /// Reads the variables of this process.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// Reads the variables through `get` (empty values count as unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| get(name).is_some_and(|v| !v.is_empty());
        let tmux = set("TMUX");
        Self {
            ssh: set("SSH_TTY") || set("SSH_CONNECTION"),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            tmux,
            screen: !tmux && set("STY"),
        }
    }
}

/// Where a copy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Osc52,
    System,
    /// The system clipboard, and OSC 52 if it fails.
    SystemElseOsc52,
    Both,
}

/// True where a missing `DISPLAY` means there is no system clipboard
/// (macOS and Windows have one without it).
const DISPLAY_NEEDED: bool = cfg!(all(unix, not(target_os = "macos")));

/// Picks the route for `mode` in `env`.
pub fn route(mode: ClipboardMode, env: &ClipboardEnv) -> Route {
    match mode {
        ClipboardMode::Osc52 => Route::Osc52,
        ClipboardMode::System => Route::System,
        ClipboardMode::Both => Route::Both,
        ClipboardMode::Auto if env.ssh || (DISPLAY_NEEDED && !env.display) => Route::Osc52,
        ClipboardMode::Auto => Route::SystemElseOsc52,
    }
}

/// Copies text for the explorer: OSC 52 is written to the terminal at once
/// (between two frames, from the event loop's thread, so it never splits a
/// frame's bytes); the system clipboard answers later.
pub struct Clipboard {
    route: Route,
    screen: bool,
    /// Inside tmux, which drops OSC 52 unless `set-clipboard on`.
    tmux: bool,
    system: system::SystemClipboard,
    terminal: Box<dyn std::io::Write + Send>,
}

impl Clipboard {
    pub fn new(mode: ClipboardMode, env: &ClipboardEnv, terminal: Box<dyn std::io::Write + Send>) -> Self {
        Self {
            route: route(mode, env),
            screen: env.screen,
            tmux: env.tmux,
            system: system::SystemClipboard::default(),
            terminal,
        }
    }

    /// Copies `text`; the future tells how it went (`"OSC 52"`…) or why not.
    pub fn copy(&mut self, text: &str) -> impl Future<Output = Result<String, String>> + Send + 'static {
        let osc52 = match self.route {
            Route::System => None,
            _ => Some(self.write_osc52(text)),
        };
        let system = match self.route {
            Route::Osc52 => None,
            _ => Some(self.system.copy(text.to_string())),
        };
        let route = self.route;
        let ask_tmux = self.tmux && osc52.as_ref().is_some_and(Result::is_ok);
        async move {
            let system = match system {
                Some(pending) => Some(pending.await),
                None => None,
            };
            let outcome = combine(route, osc52, system);
            let tmux_mode = if ask_tmux { tmux_set_clipboard().await } else { None };
            match (outcome, tmux_mode) {
                (Ok(how), Some(mode)) if how.starts_with("OSC 52") && mode != "on" => Ok(format!(
                    "{how}, but tmux has set-clipboard {mode} and drops it: add `set -g set-clipboard on` to ~/.tmux.conf"
                )),
                (outcome, _) => outcome,
            }
        }
    }

    fn write_osc52(&mut self, text: &str) -> Result<(), String> {
        let sequence = osc52::sequence(text, self.screen).map_err(|e| e.to_string())?;
        self.terminal
            .write_all(sequence.as_bytes())
            .and_then(|()| self.terminal.flush())
            .map_err(|e| format!("writing to the terminal: {e}"))
    }

    /// Lets a clipboard manager keep the system clipboard's text after exit.
    pub fn shutdown(&mut self) {
        self.system.shutdown(std::time::Duration::from_millis(500));
    }
}

/// The `set-clipboard` option of the tmux around us (tmux passes an
/// application's OSC 52 on only when it is `on`), if tmux answers within a second.
async fn tmux_set_clipboard() -> Option<String> {
    let query = tokio::process::Command::new("tmux")
        .args(["show-options", "-gv", "set-clipboard"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(1), query).await.ok()?.ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The outcome of one copy from what each path answered.
fn combine(
    route: Route,
    osc52: Option<Result<(), String>>,
    system: Option<Result<(), String>>,
) -> Result<String, String> {
    let ok = |r: &Option<Result<(), String>>| matches!(r, Some(Ok(())));
    let why = |r: &Option<Result<(), String>>| match r {
        Some(Err(e)) => e.clone(),
        _ => String::new(),
    };
    match route {
        Route::Osc52 => osc52.unwrap_or(Ok(())).map(|()| route_label(true, false).to_string()),
        Route::System => system.unwrap_or(Ok(())).map(|()| route_label(false, true).to_string()),
        Route::Both if ok(&osc52) && ok(&system) => Ok(route_label(true, true).to_string()),
        Route::Both if ok(&osc52) => Ok(format!("OSC 52; system clipboard failed: {}", why(&system))),
        Route::Both if ok(&system) => Ok(format!("system clipboard; OSC 52 failed: {}", why(&osc52))),
        Route::SystemElseOsc52 if ok(&system) => Ok(route_label(false, true).to_string()),
        Route::SystemElseOsc52 if ok(&osc52) => Ok(format!("OSC 52; no system clipboard: {}", why(&system))),
        Route::Both | Route::SystemElseOsc52 => {
            Err(format!("system clipboard: {}; OSC 52: {}", why(&system), why(&osc52)))
        }
    }
}

/// How a copy was delivered, for the status bar.
pub fn route_label(osc52: bool, system: bool) -> &'static str {
    match (osc52, system) {
        (true, true) => "OSC 52 and system clipboard",
        (true, false) => "OSC 52",
        (false, true) => "system clipboard",
        (false, false) => "nowhere",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ClipboardEnv {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ClipboardEnv::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn ssh_sessions_use_osc52_even_with_a_forwarded_display() {
        for vars in [
            &[("SSH_TTY", "/dev/pts/3"), ("DISPLAY", "localhost:10.0")][..],
            &[("SSH_CONNECTION", "10.0.0.2 5122 10.0.0.9 22"), ("WAYLAND_DISPLAY", "wayland-0")][..],
        ] {
            let e = env(vars);
            assert!(e.ssh && e.display);
            assert_eq!(route(ClipboardMode::Auto, &e), Route::Osc52);
        }
    }

    #[test]
    fn a_local_desktop_uses_the_system_clipboard_first() {
        let e = env(&[("DISPLAY", ":0")]);
        assert_eq!(route(ClipboardMode::Auto, &e), Route::SystemElseOsc52);
        let e = env(&[("WAYLAND_DISPLAY", "wayland-1"), ("TMUX", "/tmp/tmux-1000/default,1,0")]);
        assert_eq!(route(ClipboardMode::Auto, &e), Route::SystemElseOsc52);
    }

    #[test]
    fn no_display_means_osc52_where_one_is_needed() {
        let e = env(&[("TERM", "xterm-256color"), ("DISPLAY", "")]);
        assert!(!e.display, "an empty DISPLAY is no display");
        let expected = if DISPLAY_NEEDED { Route::Osc52 } else { Route::SystemElseOsc52 };
        assert_eq!(route(ClipboardMode::Auto, &e), expected);
    }

    #[test]
    fn the_setting_overrides_the_environment() {
        let e = env(&[("SSH_TTY", "/dev/pts/1")]);
        assert_eq!(route(ClipboardMode::System, &e), Route::System);
        assert_eq!(route(ClipboardMode::Both, &e), Route::Both);
        let e = env(&[("DISPLAY", ":0")]);
        assert_eq!(route(ClipboardMode::Osc52, &e), Route::Osc52);
    }

    #[test]
    fn screen_is_told_apart_from_tmux() {
        assert!(env(&[("STY", "1234.pts-0.host")]).screen);
        // Over SSH from a tmux whose TERM is screen-*: not screen.
        assert!(!env(&[("TERM", "screen-256color"), ("SSH_TTY", "/dev/pts/2")]).screen);
        let inside_tmux = env(&[("TERM", "screen-256color"), ("TMUX", "/tmp/tmux-0/default,9,0")]);
        assert!(inside_tmux.tmux && !inside_tmux.screen, "tmux's own TERM is screen-*");
        assert!(!env(&[("TERM", "xterm")]).screen);
    }

    #[test]
    fn outcomes_say_which_path_carried_the_text() {
        let ok = Some(Ok(()));
        let failed = || Some(Err("no display".to_string()));
        assert_eq!(combine(Route::Osc52, ok.clone(), None), Ok("OSC 52".into()));
        assert_eq!(combine(Route::System, None, failed()), Err("no display".into()));
        assert_eq!(combine(Route::SystemElseOsc52, ok.clone(), ok.clone()), Ok("system clipboard".into()));
        assert_eq!(combine(Route::SystemElseOsc52, ok, failed()), Ok("OSC 52; no system clipboard: no display".into()));
        assert!(combine(Route::Both, failed(), failed()).unwrap_err().contains("OSC 52: no display"));
    }

    #[test]
    fn osc52_reaches_the_terminal_writer_at_once() {
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let mut clipboard = Clipboard::new(ClipboardMode::Osc52, &ClipboardEnv::default(), Box::new(out.clone()));
        let pending = clipboard.copy("s3://nasa-lambda/data/");
        let written = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(written, osc52::sequence("s3://nasa-lambda/data/", false).unwrap(), "written before any await");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        assert_eq!(runtime.block_on(pending), Ok("OSC 52".to_string()));
        let too_long = runtime.block_on(clipboard.copy(&"x".repeat(osc52::MAX_TEXT + 1)));
        assert!(too_long.unwrap_err().contains("too long for OSC 52"));
    }

    #[test]
    fn labels_name_the_route() {
        assert_eq!(route_label(true, false), "OSC 52");
        assert_eq!(route_label(false, true), "system clipboard");
        assert_eq!(route_label(true, true), "OSC 52 and system clipboard");
    }
}
