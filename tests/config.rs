//! The config file, completions and the man page, through the real binary.

mod common;

use common::*;

fn with_config(text: &str, args: &[&str]) -> (std::process::Output, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let output = s3scope().arg("--config").arg(&path).args(args).output().expect("run s3scope");
    (output, path, dir)
}

#[test]
fn the_default_file_is_printed_and_accepted() {
    let output = s3scope().args(["config", "--default"]).output().unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("clipboard = \"auto\"") && text.contains("[downloads]"), "{text}");
    let (output, path, _dir) = with_config(&text, &["config"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{}: ok (0 buckets of your own, 0 key bindings changed)\n", path.display()));
}

#[test]
fn a_bad_config_names_file_line_and_reason_and_exits_2() {
    let cases = [
        ("clipboard = \"osc52\"\n\nclipbaord = \"both\"\n", 3, "unknown field `clipbaord`"),
        ("[downloads]\npart_size = \"8 parsecs\"\n", 2, "unknown size unit"),
        ("[keys]\ncopy = \"y\"\ndownlaod = \"d\"\n", 3, "unknown action 'downlaod'"),
        ("[colors]\naccent = \"mauve\"\n", 2, "unknown colour 'mauve'"),
    ];
    for (text, line, reason) in cases {
        // Every command checks the file, not only the explorer.
        for args in [&["config"][..], &["ls"][..]] {
            let (output, path, _dir) = with_config(text, args);
            let needle = format!("s3scope: config {} line {line}: ", path.display());
            assert_one_line_error(&output, 2, &needle);
            assert!(stderr(&output).contains(reason), "{}", stderr(&output));
        }
    }
}

#[test]
fn a_missing_explicit_config_is_an_error_but_a_missing_default_is_not() {
    let output = s3scope().args(["--config", "/nonexistent/s3scope.toml", "ls"]).output().unwrap();
    assert_one_line_error(&output, 2, "config /nonexistent/s3scope.toml");
    let output = s3scope().args(["config"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("not there; every setting has its default"));
}

#[test]
fn a_bucket_of_the_config_is_read_from_its_own_endpoint() {
    // No --endpoint-url: the bucket's entry says where it lives.
    let text = format!(
        "[[bucket]]\nname = \"nasa-heasarc\"\ntitle = \"my mirror\"\narchive = \"LAB\"\nendpoint = \"{}\"\nanonymous = true\n",
        fixture().endpoint
    );
    let (output, _path, _dir) = with_config(&text, &["ls", "s3://nasa-heasarc/chandra/data/byobsid/0/3010/"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("oif.fits"), "{}", stdout(&output));
    let (output, _path, _dir) = with_config(&text, &["ls", "--json"]);
    let catalog = json_lines(&stdout(&output));
    let mine = catalog.iter().find(|b| b["name"] == "nasa-heasarc").unwrap();
    assert_eq!(mine["title"], "LAB");
    let key = "s3://nasa-heasarc/chandra/data/byobsid/0/3010/primary/acisf03010N004_evt2.fits.gz";
    let (output, _path, _dir) = with_config(&text, &["header", "--json", key]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"EVENTS\""));
}

#[test]
fn completions_for_each_shell_and_a_man_page() {
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef s3scope"), ("fish", "complete -c s3scope")] {
        let output = s3scope().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(text.contains(marker), "{shell}");
        for word in ["header", "endpoint-url", "no-sign-request", "completions"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let output = s3scope().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = s3scope().arg("man").output().unwrap();
    assert!(output.status.success());
    let page = stdout(&output);
    assert!(page.contains(".TH s3scope 1"), "{}", &page[..page.len().min(300)]);
    assert!(page.contains("endpoint\\-url") && page.contains("completions"));
}

#[test]
fn the_sdks_retries_reach_the_log_at_debug() {
    use common::proxy::{self, Fault, FaultPlan};
    let fixture = fixture();
    let plan = FaultPlan::new(&[("list-type=2", Fault::Status(503), 1)]);
    let shaping = proxy::Shaping { faults: Some(plan), ..proxy::Shaping::default() };
    let (addr, _) = fixture.runtime.block_on(proxy::start_shaped_proxy(fixture.addr, shaping)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("s3scope.log");
    let endpoint = format!("http://{addr}");
    let output = s3scope()
        .args(["--endpoint-url", &endpoint, "--no-sign-request", "--log-level", "debug", "--log-file"])
        .arg(&log)
        .args(["ls", "s3://nasa-heasarc/"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&log).unwrap();
    let retry = text.lines().find(|l| l.contains("retrying after")).unwrap_or_else(|| panic!("no retry in:\n{text}"));
    assert!(retry.contains("DEBUG") && retry.contains("aws_smithy_runtime"), "{retry}");
}

#[test]
fn the_log_goes_to_its_file_and_never_holds_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("s3scope.log");
    let (key_id, secret, token) =
        ("AKIAS3SCOPETESTKEY01", "dummy/Secret+Key0123456789abcdefXYZ", "FwoGZXIvYXdzEDummySessionToken");
    // Signed requests with dummy credentials: the server refuses them.
    let signed_ls = |level: &str, log: &std::path::Path| {
        let output = s3scope()
            .args(["--endpoint-url", &fixture().endpoint, "--log-level", level, "--log-file"])
            .arg(log)
            .args(["ls", "s3://demo-private/"])
            .env("AWS_ACCESS_KEY_ID", key_id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_SESSION_TOKEN", token)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_eq!(stderr(&output).lines().count(), 1, "the log never reaches the terminal: {}", stderr(&output));
        std::fs::read_to_string(log).unwrap()
    };
    let text = signed_ls("debug", &log);
    assert!(text.contains("list s3://demo-private/"), "{text}");
    assert!(text.contains("WARN"), "the refusal is logged: {text}");
    for needle in [key_id, secret, token, "Signature=", "x-amz-security-token:"] {
        assert!(!text.contains(needle), "{needle} leaked into the log:\n{text}");
    }
    // The libraries' own events come too: at trace, the SDK's requests and
    // hyper's connections, every secret still redacted.
    let text = signed_ls("trace", &dir.path().join("traced.log"));
    assert!(text.contains("aws_smithy_runtime") && text.contains("hyper"), "{}", &text[..text.len().min(2000)]);
    for needle in [key_id, secret, token] {
        assert!(!text.contains(needle), "{needle} leaked into the trace log");
    }
    // Level off: no file at all.
    let quiet = dir.path().join("quiet.log");
    let output = run(&["--log-level", "off", "--log-file", quiet.to_str().unwrap(), "ls", "s3://nasa-lambda/"]);
    assert!(output.status.success());
    assert!(!quiet.exists());
}
