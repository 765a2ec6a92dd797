//! Drives the real binary in a tmux session on a private socket: type keys,
//! read the screen.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

fn tmux_available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

impl Tmux {
    /// Starts `command` (a shell command line) in a detached session of the
    /// given size; after it exits the pane prints `EXIT=<status>` and stays.
    pub fn start(command: &str, width: u16, height: u16) -> Self {
        assert!(tmux_available(), "tmux is needed for the end-to-end tests (.ci/run installs it)");
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let socket = format!("s3scope-test-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let tmux = Self { socket };
        let shell = format!("{command}; echo \"EXIT=$?\"; sleep 600");
        let output = tmux
            .command()
            .args(["new-session", "-d", "-s", "main", "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(shell)
            .output()
            .expect("run tmux");
        assert!(output.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&output.stderr));
        tmux
    }

    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket, "-f", "/dev/null"]);
        for (key, _) in std::env::vars() {
            if super::is_machine_setting(&key) {
                command.env_remove(key);
            }
        }
        command.env("TERM", "xterm-256color");
        // A UTF-8 locale whatever the machine's: s3scope draws box lines only then.
        command.env_remove("LC_ALL").env("LANG", "C.UTF-8");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run tmux")
    }

    /// Types keys as tmux key names (`Enter`, `Escape`, `j`, `C-u`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        assert!(self.run(&["send-keys", "-t", "main", "-l", text]).status.success());
    }

    /// Pastes text as a terminal does for a program that asked for bracketed paste.
    pub fn paste(&self, text: &str) {
        assert!(self.run(&["set-buffer", "--", text]).status.success());
        assert!(self.run(&["paste-buffer", "-p", "-d", "-t", "main"]).status.success());
    }

    /// The screen as text; with `escapes`, including the SGR sequences.
    pub fn screen_with(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "main"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.screen_with(false)
    }

    /// Waits until the screen shows `needle`; panics with the screen after `timeout`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            if started.elapsed() > timeout {
                panic!("'{needle}' did not appear within {timeout:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Sets a global tmux option (`set-clipboard on`, say).
    pub fn set_option(&self, name: &str, value: &str) {
        assert!(self.run(&["set-option", "-g", name, value]).status.success());
    }

    /// The newest paste buffer (what an OSC 52 copy put there), if any.
    pub fn buffer(&self) -> Option<String> {
        let out = self.run(&["show-buffer"]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The pane's title, which an OSC 0/2 sequence would change.
    pub fn pane_title(&self) -> String {
        String::from_utf8_lossy(&self.run(&["display-message", "-p", "-t", "main", "#{pane_title}"]).stdout)
            .into_owned()
    }

    /// The process id of the program in the pane.
    pub fn pane_pid(&self) -> u32 {
        let out = self.run(&["list-panes", "-t", "main", "-F", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("pane pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
