//! Shared set-up of the integration tests: the embedded S3 server on
//! 127.0.0.1 over a freshly generated copy of the demo archive, and helpers
//! that run the real `s3scope` binary against it.

#![allow(dead_code)]

pub mod aws;
pub mod effects;
pub mod proxy;
pub mod tmux;

use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use s3scope::testing::demo::store::Store;
use s3scope::testing::demo::{archive, ensure_archive, start};

/// The running test server and the data it serves.
pub struct Fixture {
    pub endpoint: String,
    pub addr: SocketAddr,
    pub store: Arc<Store>,
    /// A runtime for tests that drive the library directly.
    pub runtime: tokio::runtime::Handle,
    _dir: tempfile::TempDir,
}

/// Starts (once per test binary) the server over a temp copy of the fixtures.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("archive");
        ensure_archive(&root).expect("generate the demo archive");
        let store = archive::load_shared(&root).expect("load the demo archive");
        let (sender, receiver) = std::sync::mpsc::channel();
        let served = store.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let handle = runtime.handle().clone();
            runtime.block_on(async move {
                let server = start(served, 0).await.expect("start the server");
                sender.send((server, handle)).unwrap();
                std::future::pending::<()>().await;
            });
        });
        let (server, runtime) = receiver.recv().expect("server started");
        Fixture { endpoint: server.endpoint(), addr: server.addr, store, runtime, _dir: dir }
    })
}

/// Whether a variable of the machine's environment must not reach s3scope
/// in a test: AWS settings and credentials, proxies, a config file.
pub fn is_machine_setting(name: &str) -> bool {
    name.starts_with("AWS_")
        || name.to_ascii_lowercase().ends_with("_proxy")
        || matches!(name, "S3SCOPE_CONFIG" | "S3SCOPE_CONNECT_TO" | "RUST_BACKTRACE" | "SSL_CERT_FILE")
}

/// The environment of s3scope in a test: a home of its own (config, state
/// and cache below it), no AWS configuration or credentials files, no IMDS.
pub fn clean_env(home: &std::path::Path) -> Vec<(&'static str, String)> {
    let at = |sub: &str| home.join(sub).display().to_string();
    vec![
        ("HOME", home.display().to_string()),
        ("XDG_CONFIG_HOME", at(".config")),
        ("XDG_STATE_HOME", at(".state")),
        ("XDG_CACHE_HOME", at(".cache")),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", at("no-aws-config")),
        ("AWS_SHARED_CREDENTIALS_FILE", at("no-aws-credentials")),
    ]
}

/// A shell command line (for tmux) running s3scope in `home` with
/// [`clean_env`], a UTF-8 locale, and extra `VAR=value` settings in `env`.
pub fn command_line_with(home: &std::path::Path, env: &str, args: &str) -> String {
    let settings: Vec<String> = clean_env(home).into_iter().map(|(name, value)| format!("{name}={value}")).collect();
    format!(
        "cd {home} && env {settings} LC_ALL= LANG=C.UTF-8 {env} {bin} {args}",
        home = home.display(),
        settings = settings.join(" "),
        bin = env!("CARGO_BIN_EXE_s3scope"),
    )
}

/// The `s3scope` binary with an environment that cannot reach anything but
/// loopback and reads no user configuration.
pub fn s3scope() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_s3scope"));
    for (key, _) in std::env::vars() {
        if is_machine_setting(&key) {
            command.env_remove(key);
        }
    }
    command.envs(clean_env(&std::env::temp_dir().join("s3scope-test-home"))).stdin(Stdio::null());
    command
}

/// Runs `s3scope --endpoint-url <fixture> --no-sign-request <args>`.
pub fn run(args: &[&str]) -> Output {
    let fixture = fixture();
    s3scope().args(["--endpoint-url", &fixture.endpoint, "--no-sign-request"]).args(args).output().expect("run s3scope")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts a failed run printed exactly one `s3scope: ...` line and no panic.
pub fn assert_one_line_error(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "exit status; stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line on stderr, got: {err:?}");
    assert!(err.starts_with("s3scope: "), "{err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
    assert!(!err.contains("panicked") && !err.contains("internal error"), "{err}");
}

/// The bytes of an object of the demo archive.
pub fn object_bytes(bucket: &str, key: &str) -> Vec<u8> {
    match &fixture().store.get(bucket, key).expect("an object of the archive").content {
        s3scope::testing::demo::store::Content::File(path) => std::fs::read(path).unwrap(),
        s3scope::testing::demo::store::Content::Memory(bytes) => bytes.to_vec(),
    }
}

/// The hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// All keys of `bucket` starting with `prefix`, in S3 order.
pub fn keys_below(bucket: &str, prefix: &str) -> Vec<String> {
    fixture().store.buckets[bucket].objects.keys().filter(|k| k.starts_with(prefix)).cloned().collect()
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// A server on 127.0.0.1 that accepts connections and never answers.
pub fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    addr
}

/// Parses NDJSON output into values.
/// `s3scope table --json [extra] uri`, which must succeed: its NDJSON lines.
pub fn table_json(uri: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["table", "--json"];
    args.extend_from_slice(extra);
    args.push(uri);
    let output = run(&args);
    assert!(output.status.success(), "{uri}: {}", stderr(&output));
    json_lines(&stdout(&output))
}

pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}"))).collect()
}

/// What a test of the default 8 s request bound allows: well above it, as a
/// loaded 2-core machine needs; what it guards against is no end at all.
pub const WELL_ABOVE_THE_BOUND: Duration = Duration::from_secs(30);

/// The characters of `text` that must never reach a terminal raw (line breaks aside).
pub fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars().filter(|&c| c != '\n' && s3scope::testing::escape::is_unsafe_char(c)).collect()
}
