//! The log file: `$XDG_STATE_HOME/s3scope/s3scope.log` (or `--log-file`), at
//! `--log-level`. Never the terminal: the explorer owns it.
//!
//! Lines are redacted before they are written: credentials from the
//! environment, `Authorization` and `x-amz-security-token` values, and
//! presigned-URL signatures never reach the file, and control characters are
//! escaped like everywhere else.

use std::borrow::Cow;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

/// How much goes to the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Level {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

/// A log file grows to this size; then the next run starts a new one (the old is kept as `.1`).
const ROTATE_AT: u64 = 8 << 20;

static LEVEL: AtomicU8 = AtomicU8::new(0);
static SINK: OnceLock<Mutex<File>> = OnceLock::new();
static SECRETS: OnceLock<Vec<String>> = OnceLock::new();

/// `$XDG_STATE_HOME/s3scope/s3scope.log`.
pub fn default_path() -> PathBuf {
    let base = dirs::state_dir().or_else(dirs::data_local_dir).unwrap_or_else(std::env::temp_dir);
    base.join("s3scope").join("s3scope.log")
}

/// Opens the log at `path` for this process. Values of `secrets` (and of the
/// credential variables of the environment) are never written.
pub fn init(path: &Path, level: Level, secrets: Vec<String>) -> std::io::Result<()> {
    if level == Level::Off {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_AT) {
        let _ = std::fs::rename(path, path.with_extension("log.1"));
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut all: Vec<String> = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .chain(secrets)
        .filter(|s| s.len() >= 4)
        .collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let _ = SECRETS.set(all);
    let _ = SINK.set(Mutex::new(file));
    LEVEL.store(level as u8, Ordering::SeqCst);
    Ok(())
}

pub fn enabled(level: Level) -> bool {
    level != Level::Off && level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// Writes one line (use the `log_*!` macros).
pub fn write(level: Level, target: &str, message: fmt::Arguments<'_>) {
    let Some(sink) = SINK.get() else { return };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let stamp =
        format!("{}.{:03}Z", crate::format::rfc3339(now.as_secs() as i64).trim_end_matches('Z'), now.subsec_millis());
    let text = message.to_string();
    let secrets = SECRETS.get().map_or(&[][..], Vec::as_slice);
    let line = format!(
        "{stamp} {:<5} {target}: {}\n",
        level.label(),
        crate::escape::escape_for_terminal(&redact(&text, secrets))
    );
    if let Ok(mut file) = sink.lock() {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Header names and query parameters whose values are credentials.
const SENSITIVE: [&str; 6] =
    ["authorization", "x-amz-security-token", "x-amz-signature", "x-amz-credential", "signature=", "credential="];

/// `text` with secrets and credential-bearing values replaced by `[redacted]`.
pub fn redact<'a>(text: &'a str, secrets: &[String]) -> Cow<'a, str> {
    let lower = text.to_ascii_lowercase();
    let has_secret = secrets.iter().any(|s| text.contains(s.as_str()));
    if !has_secret && !SENSITIVE.iter().any(|name| lower.contains(name)) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for secret in secrets {
        out = out.replace(secret.as_str(), "[redacted]");
    }
    for name in SENSITIVE {
        let mut from = 0;
        while let Some(at) = out.to_ascii_lowercase()[from..].find(name).map(|i| i + from) {
            // The value runs from after the name's separator to the next blank,
            // `&` or quote; an Authorization value holds blanks and runs to the line's end.
            let mut start = at + name.len();
            let bytes = out.as_bytes();
            while start < out.len() && matches!(bytes[start], b':' | b'=' | b' ' | b'"') {
                start += 1;
            }
            let stops: &[char] = if name == "authorization" { &['\n', '"'] } else { &['&', '"', '\n', ' '] };
            let end = out[start..].find(stops).map_or(out.len(), |i| start + i);
            out.replace_range(start..end, "[redacted]");
            from = start + "[redacted]".len();
        }
    }
    Cow::Owned(out)
}

#[macro_export]
macro_rules! log_at {
    ($level:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::write($level, module_path!(), format_args!($($arg)*));
        }
    };
}

#[macro_export]
macro_rules! log_warn { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Warn, $($arg)*) }; }
#[macro_export]
macro_rules! log_info { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Info, $($arg)*) }; }
#[macro_export]
macro_rules! log_debug { ($($arg:tt)*) => { $crate::log_at!($crate::log::Level::Debug, $($arg)*) }; }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_signatures_are_redacted() {
        let secrets = vec!["wJalrXUtnFEMI/K7MDENG".to_string()];
        let line = "secret wJalrXUtnFEMI/K7MDENG in a message";
        assert_eq!(redact(line, &secrets), "secret [redacted] in a message");
        let header = "authorization: AWS4-HMAC-SHA256 Credential=AKIA/2026/us-east-1/s3/aws4_request, Signature=abc";
        let redacted = redact(header, &[]);
        assert!(!redacted.contains("AKIA") && !redacted.contains("abc"), "{redacted}");
        let url = "GET /b/k?X-Amz-Credential=AKIAX%2F2026&X-Amz-Signature=deadbeef&x-id=GetObject";
        let redacted = redact(url, &[]);
        assert!(!redacted.contains("AKIAX") && !redacted.contains("deadbeef") && redacted.contains("x-id=GetObject"));
        assert!(matches!(redact("listing s3://b/p/: 3 pages", &secrets), Cow::Borrowed(_)));
        let token = "x-amz-security-token: FwoGZXIvYXdzEJr token";
        assert!(!redact(token, &[]).contains("FwoGZXIvYXdzEJr"));
    }

    #[test]
    fn levels_order_from_off_to_trace() {
        assert!(Level::Error < Level::Warn && Level::Warn < Level::Debug);
        assert!(!enabled(Level::Off));
    }
}
