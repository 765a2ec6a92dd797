//! The log file: `$XDG_STATE_HOME/s3scope/s3scope.log` (or `--log-file`), at
//! `--log-level`. Never the terminal: the explorer owns it.
//!
//! Every `tracing` event of the process goes there: s3scope's own and its
//! libraries' (the SDK's retries, timeouts and credential chain at `debug`).
//! Lines are redacted before they are written: credentials from the
//! environment, `Authorization` and `x-amz-security-token` values, and
//! presigned-URL signatures never reach the file, and control characters are
//! escaped like everywhere else.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::filter::LevelFilter;

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

/// The log file grows to this size, then it is set aside as `.log.1` and a
/// new one begins, while s3scope runs too.
const ROTATE_AT: u64 = 8 << 20;

/// `$XDG_STATE_HOME/s3scope/s3scope.log`.
pub fn default_path() -> PathBuf {
    crate::dirs::state_dir().join("s3scope.log")
}

impl Level {
    fn filter(self) -> LevelFilter {
        match self {
            Level::Off => LevelFilter::OFF,
            Level::Error => LevelFilter::ERROR,
            Level::Warn => LevelFilter::WARN,
            Level::Info => LevelFilter::INFO,
            Level::Debug => LevelFilter::DEBUG,
            Level::Trace => LevelFilter::TRACE,
        }
    }
}

/// Sends every `tracing` event of the process (s3scope's, the SDK's,
/// hyper's, s3s's) at `level` or above to the log at `path`. Values of
/// `secrets` (and of the credential variables of the environment) are never
/// written.
pub fn init(path: &Path, level: Level, secrets: Vec<String>) -> std::io::Result<()> {
    if level == Level::Off {
        return Ok(());
    }
    let mut all: Vec<String> = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .chain(secrets)
        .filter(|s| s.len() >= 4)
        .collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let file = LogFile::open(path.to_path_buf(), ROTATE_AT)?;
    let writer = LogWriter { file: Arc::new(Mutex::new(file)), secrets: Arc::new(all) };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(level.filter())
        .with_ansi(false)
        .with_target(true)
        .finish();
    // A second call (tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

/// The log file, set aside as `.1` when it passes its bound.
#[derive(Debug)]
struct LogFile {
    path: PathBuf,
    file: File,
    written: u64,
    bound: u64,
}

impl LogFile {
    fn open(path: PathBuf, bound: u64) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let written = file.metadata().map_or(0, |m| m.len());
        let mut log = Self { path, file, written, bound };
        log.rotate_if_full()?;
        Ok(log)
    }

    fn rotate_if_full(&mut self) -> std::io::Result<()> {
        if self.written < self.bound {
            return Ok(());
        }
        let _ = std::fs::rename(&self.path, self.path.with_extension("log.1"));
        self.file = OpenOptions::new().create(true).append(true).open(&self.path)?;
        self.written = 0;
        Ok(())
    }

    fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.rotate_if_full()?;
        self.file.write_all(line)?;
        self.written += line.len() as u64;
        Ok(())
    }
}

/// Writes formatted events redacted and escaped, a line at a time.
#[derive(Debug, Clone)]
struct LogWriter {
    file: Arc<Mutex<LogFile>>,
    secrets: Arc<Vec<String>>,
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            out.push_str(&crate::escape::escape_for_terminal(&redact(body, &self.secrets)));
            out.push_str(newline);
        }
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.append(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).file.flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
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
    fn a_log_that_passes_its_bound_is_set_aside_while_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s3scope.log");
        let mut writer = LogWriter {
            file: Arc::new(Mutex::new(LogFile::open(path.clone(), 100).unwrap())),
            secrets: Arc::new(vec!["hunter22".into()]),
        };
        for n in 0..12 {
            writer.write_all(format!("line {n} with hunter22 and \x1b[31m\n").as_bytes()).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap();
        let older = std::fs::read_to_string(path.with_extension("log.1")).unwrap();
        assert!(current.len() < 100 + 40, "the bound holds: {} bytes", current.len());
        assert!(current.ends_with("line 11 with [redacted] and \\e[31m\n"), "{current:?}");
        assert!(older.starts_with("line 6") && older.contains("line 8") && !older.contains("hunter22"), "{older:?}");
    }
}
