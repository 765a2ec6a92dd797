//! The system clipboard (X11, Wayland through XWayland, macOS, Windows) via
//! arboard, on a thread of its own.
//!
//! Talking to a display server can stall (a dead forwarded X display), so
//! callers wait with a timeout and the event loop never does. On X11 the
//! clipboard's text lives in the process that set it: the thread keeps its
//! `arboard::Clipboard` for the whole session so pastes keep working, and at
//! shutdown hands the text to a clipboard manager if one runs.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tokio::sync::oneshot;

/// How long a copy may take before the user is told it failed.
pub const TIMEOUT: Duration = Duration::from_secs(2);

enum Request {
    Copy(String, oneshot::Sender<Result<(), String>>),
    Shutdown(mpsc::Sender<()>),
}

/// A handle on the clipboard thread, started on first use.
#[derive(Default)]
pub struct SystemClipboard {
    worker: Option<mpsc::Sender<Request>>,
}

impl SystemClipboard {
    /// Puts `text` on the system clipboard; fails after [`TIMEOUT`].
    pub fn copy(&mut self, text: String) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let sent = self.worker().send(Request::Copy(text, reply)).is_ok();
        async move {
            if !sent {
                return Err("the clipboard thread is gone".to_string());
            }
            match tokio::time::timeout(TIMEOUT, answer).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err("the clipboard thread is gone".to_string()),
                Err(_) => Err(format!("no answer from the display server in {} s", TIMEOUT.as_secs())),
            }
        }
    }

    fn worker(&mut self) -> &mpsc::Sender<Request> {
        self.worker.get_or_insert_with(|| {
            let (sender, requests) = mpsc::channel();
            let _ = thread::Builder::new().name("clipboard".into()).spawn(move || serve(requests));
            sender
        })
    }

    /// Lets a clipboard manager take the text before the process exits
    /// (waits at most `wait`).
    pub fn shutdown(&mut self, wait: Duration) {
        if let Some(worker) = self.worker.take() {
            let (done, finished) = mpsc::channel();
            if worker.send(Request::Shutdown(done)).is_ok() {
                let _ = finished.recv_timeout(wait);
            }
        }
    }
}

fn serve(requests: mpsc::Receiver<Request>) {
    let mut clipboard: Option<arboard::Clipboard> = None;
    while let Ok(request) = requests.recv() {
        match request {
            Request::Copy(text, reply) => {
                let result = set_text(&mut clipboard, text);
                if result.is_err() {
                    // Connect afresh next time (the display may come back).
                    clipboard = None;
                }
                let _ = reply.send(result);
            }
            Request::Shutdown(done) => {
                drop(clipboard.take());
                let _ = done.send(());
                return;
            }
        }
    }
}

fn set_text(clipboard: &mut Option<arboard::Clipboard>, text: String) -> Result<(), String> {
    let open = match clipboard {
        Some(open) => open,
        None => clipboard.insert(arboard::Clipboard::new().map_err(|e| one_line(&e.to_string()))?),
    };
    open.set_text(text).map_err(|e| one_line(&e.to_string()))
}

/// arboard's messages can span lines; the status bar has one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
