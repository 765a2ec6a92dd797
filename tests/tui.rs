//! End-to-end: the real binary in tmux against the in-process S3 server.

mod common;

use std::time::{Duration, Instant};

use common::proxy;
use common::tmux::Tmux;
use common::*;

const WAIT: Duration = Duration::from_secs(10);

/// A shell command line running s3scope with a clean environment.
fn command_line(args: &str) -> String {
    command_line_in(&std::env::temp_dir().join(format!("s3scope-test-home-{}", std::process::id())), args)
}

/// The same with its own home (queue file, downloads) under `home`.
fn command_line_in(home: &std::path::Path, args: &str) -> String {
    command_line_with(home, "", args)
}

fn explorer(extra: &str, width: u16, height: u16) -> Tmux {
    let args = format!("--endpoint-url {} --no-sign-request {extra}", fixture().endpoint);
    let home = std::env::temp_dir().join(format!("s3scope-test-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    Tmux::start(&command_line(&args), width, height)
}

/// Quits with q and checks the exit status and that the normal screen is back.
fn quit_and_check(tmux: &Tmux) {
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("EXIT=", WAIT);
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("Tree ·") && !screen.contains("s3scope "), "the alternate screen was left: {screen}");
}

#[test]
fn browse_filter_jump_error_row_and_quit() {
    let tmux = explorer("", 120, 40);
    tmux.wait_for("nasa-heasarc/", WAIT);
    // Open the bucket and two levels below it.
    tmux.keys(&["Enter"]);
    tmux.wait_for("▸ chandra/", WAIT);
    // asca/, caldb/, chandra/.
    tmux.keys(&["j", "j", "j", "Enter"]);
    tmux.wait_for("▸ data/", WAIT);
    tmux.keys(&["j", "Enter"]);
    let screen = tmux.wait_for("▸ byobsid/", WAIT);
    assert!(screen.contains("s3://nasa-heasarc/chandra/data/"), "{screen}");

    // Filter the bucket's children: collapse data/, go up to chandra/, collapse it.
    tmux.keys(&["h", "h", "h", "/"]);
    tmux.type_text("swi");
    let screen = tmux.wait_for("filter 'swi'", WAIT);
    assert!(screen.contains("swift/") && !screen.contains("chandra/"), "{screen}");
    tmux.keys(&["Escape", "Escape"]);
    tmux.wait_for("chandra/", WAIT);

    // Jump to an HST dataset, opening each ancestor.
    tmux.keys(&[":", "C-u"]);
    let dataset = keys_below("stpubdata", "hst/public/icde/")[0].clone();
    tmux.type_text(&format!("s3://stpubdata/{dataset}"));
    tmux.keys(&["Enter"]);
    let name = dataset.rsplit('/').next().unwrap();
    // The FITS preview: the HDU list and the primary header's cards.
    let screen = tmux.wait_for("HDU 0 PRIMARY", WAIT);
    assert!(screen.contains(name), "{screen}");
    assert!(screen.contains("1 SCI") && screen.contains("SIMPLE  =                    T"), "{screen}");
    tmux.keys(&["]"]);
    tmux.wait_for("HDU 1 SCI", WAIT);
    assert!(screen.contains(&format!("s3://stpubdata/{dataset}")), "{screen}");

    // A missing bucket shows an error row.
    tmux.keys(&[":", "C-u"]);
    tmux.type_text("s3://no-such-bucket/");
    tmux.keys(&["Enter"]);
    tmux.wait_for("failed: no such bucket", WAIT);
    // The error row is the bucket's child, one row down.
    tmux.keys(&["j"]);
    let screen = tmux.wait_for("✗ no such bucket", WAIT);
    assert!(screen.contains("r to retry"), "{screen}");

    quit_and_check(&tmux);
}

#[test]
fn keys_work_and_quit_is_immediate_while_a_listing_hangs() {
    let silent = silent_server();
    let args = format!("--endpoint-url http://{silent} --no-sign-request");
    let tmux = Tmux::start(&command_line(&args), 100, 30);
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&["Enter"]);
    tmux.wait_for("loading…", WAIT);
    // The cursor still moves: the title follows the selection.
    tmux.keys(&["j", "j"]);
    tmux.wait_for("s3scope  s3://nasa-lambda/", WAIT);
    let started = Instant::now();
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("EXIT=", WAIT);
    assert!(started.elapsed() < Duration::from_secs(5), "quit took {:?}", started.elapsed());
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn the_listing_error_of_a_hung_server_reaches_the_tree() {
    let silent = silent_server();
    let args = format!("--endpoint-url http://{silent} --no-sign-request");
    let tmux = Tmux::start(&command_line(&args), 100, 30);
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("timed out", WELL_ABOVE_THE_BOUND);
    assert!(screen.contains("✗"), "{screen}");
    quit_and_check(&tmux);
}

/// Sends `signal` to the explorer running in the pane.
fn signal_explorer(tmux: &Tmux, signal: &str) {
    // `env` execs the explorer, so it is the shell's only child.
    let shell = tmux.pane_pid();
    let children = std::process::Command::new("pgrep").args(["-P", &shell.to_string()]).output().unwrap();
    let pids = String::from_utf8_lossy(&children.stdout).into_owned();
    let pid = pids.lines().next().expect("the explorer's pid");
    assert!(std::process::Command::new("kill").args([signal, pid]).status().unwrap().success());
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        let tmux = explorer("", 100, 30);
        tmux.wait_for("nasa-heasarc/", WAIT);
        signal_explorer(&tmux, signal);
        let screen = tmux.wait_for("EXIT=", WAIT);
        assert!(screen.contains("EXIT=0"), "{signal}: {screen}");
        assert!(!screen.contains("Tree ·"), "{signal}: {screen}");
    }
}

#[test]
fn starts_at_a_uri_and_works_at_80x24() {
    let tmux = explorer("s3://nasa-heasarc/chandra/data/byobsid/3/", 80, 24);
    let screen = tmux.wait_for("3003/", WAIT);
    assert!(screen.contains("[Tree] Preview"), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    tmux.keys(&["Tab"]);
    let screen = tmux.wait_for("Tree [Preview]", WAIT);
    assert!(screen.contains("s3://nasa-heasarc/chandra/data/byobsid/3/"), "{screen}");
    quit_and_check(&tmux);
}

#[test]
fn signed_sessions_add_the_users_own_buckets() {
    let home = tempfile::tempdir().unwrap();
    let credentials = format!(
        "AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={}",
        s3scope::testing::demo::server::DEMO_ACCESS_KEY,
        s3scope::testing::demo::server::DEMO_SECRET_KEY
    );
    let args = command_line_with(home.path(), &credentials, &format!("--endpoint-url {}", fixture().endpoint));
    let tmux = Tmux::start(&args, 120, 40);
    let screen = tmux.wait_for("demo-edge/", WAIT);
    assert!(screen.contains("anon us-east-1"), "catalog buckets are read anonymously: {screen}");
    // The user's own buckets are signed: the title follows the cursor.
    tmux.keys(&["G"]);
    let screen = tmux.wait_for("s3scope  s3://demo-private/", WAIT);
    assert!(screen.contains("signed us-east-1"), "{screen}");
    quit_and_check(&tmux);
}

#[test]
fn no_escape_sequence_from_a_key_reaches_the_terminal() {
    let tmux = explorer("s3://demo-edge/escape/", 120, 40);
    let plain = tmux.wait_for("title.txt", WAIT);
    // The keys are drawn with visible escapes...
    assert!(plain.contains("\\e[31mred\\e[0m.txt"), "{plain}");
    assert!(plain.contains("\\e]0;pwned\\x07title.txt"), "{plain}");
    // ...and nothing of them was interpreted: no title change, no raw ESC in the cells.
    assert_ne!(tmux.pane_title().trim(), "pwned");
    assert!(!plain.contains('\x1b') && !plain.contains('\x07'));
    quit_and_check(&tmux);
}

#[test]
fn the_row_bound_is_configurable() {
    let prefix = s3scope::testing::demo::generate::TESS_FFI_PREFIX;
    let tmux = explorer(&format!("--rows-per-prefix 100 s3://stpubdata/{prefix}"), 120, 40);
    tmux.wait_for("tess2019199", WAIT);
    tmux.keys(&["PageDown", "PageDown", "PageDown"]);
    tmux.wait_for("… 100 loaded, more on the server", WAIT);
    quit_and_check(&tmux);
}

#[test]
fn d_downloads_an_object_and_a_prefix_after_asking() {
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("dl");
    let args = format!(
        "--endpoint-url {} --no-sign-request --download-dir {} s3://nasa-heasarc/chandra/data/byobsid/3/3003/",
        fixture().endpoint,
        downloads.display()
    );
    let tmux = Tmux::start(&command_line_in(home.path(), &args), 120, 40);
    tmux.wait_for("oif.fits", WAIT);
    // The cursor is on 3003/: its children follow. Download oif.fits.
    tmux.keys(&["j", "j"]);
    tmux.wait_for("s3scope  s3://nasa-heasarc/chandra/data/byobsid/3/3003/oif.fits", WAIT);
    tmux.keys(&["d"]);
    tmux.wait_for("done", WAIT);
    let key = "chandra/data/byobsid/3/3003/oif.fits";
    assert_eq!(
        std::fs::read(downloads.join("oif.fits")).unwrap().len() as u64,
        fixture().store.get("nasa-heasarc", key).unwrap().size
    );
    // The whole prefix: asks with the count, then lands with its layout.
    tmux.keys(&["k", "k"]);
    tmux.wait_for("s3scope  s3://nasa-heasarc/chandra/data/byobsid/3/3003/ ", WAIT);
    tmux.keys(&["d"]);
    let count = keys_below("nasa-heasarc", "chandra/data/byobsid/3/3003/").len();
    tmux.wait_for(&format!("download {count} objects"), WAIT);
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("Queue {}/{}", count + 1, count + 1), WAIT);
    assert!(downloads.join("primary/acisf03003N004_evt2.fits.gz").is_file());
    assert!(home.path().join(".state/s3scope/queue.json").is_file(), "the queue is saved");
    quit_and_check(&tmux);
}

#[test]
fn an_unfinished_download_resumes_when_the_explorer_starts_again() {
    let fixture = fixture();
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("dl");
    let (slow, _) =
        fixture.runtime.block_on(proxy::start_throttled_proxy(fixture.addr, Duration::ZERO, Some(4 << 20))).unwrap();
    let uri = format!("s3://stpubdata/{}", s3scope::testing::demo::generate::TESS_CUBE_KEY);
    let args = |endpoint: &str| {
        format!("--endpoint-url {endpoint} --no-sign-request --download-dir {} {uri}", downloads.display())
    };
    let tmux = Tmux::start(&command_line_in(home.path(), &args(&format!("http://{slow}"))), 120, 40);
    tmux.wait_for("anon us-east-1", WAIT);
    std::thread::sleep(Duration::from_millis(500));
    tmux.keys(&["d"]);
    tmux.wait_for("MiB/s", WAIT);
    // Quitting asks while a download runs; the answer keeps it for next time.
    tmux.keys(&["q"]);
    tmux.wait_for("downloads are running", WAIT);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("EXIT=", WAIT);
    assert!(screen.contains("EXIT=0"), "{screen}");
    let final_file = downloads.join("tess-s0014-2-3-cube.fits");
    assert!(!final_file.exists(), "not finished yet");
    drop(tmux);

    let tmux = Tmux::start(&command_line_in(home.path(), &args(&fixture.endpoint)), 120, 40);
    tmux.wait_for("resuming 1 unfinished downloads", WAIT);
    tmux.wait_for("Queue 1/1", Duration::from_secs(30));
    let object = fixture.store.get("stpubdata", s3scope::testing::demo::generate::TESS_CUBE_KEY).unwrap();
    assert_eq!(s3scope::testing::demo::store::md5_hex(&std::fs::read(&final_file).unwrap()), object.etag);
    quit_and_check(&tmux);
}

#[test]
fn two_explorers_at_once_keep_one_intact_queue_file() {
    let fixture = fixture();
    let home = tempfile::tempdir().unwrap();
    let downloads = home.path().join("dl");
    let (slow, _) =
        fixture.runtime.block_on(proxy::start_throttled_proxy(fixture.addr, Duration::ZERO, Some(1 << 20))).unwrap();
    let cube = format!("s3://stpubdata/{}", s3scope::testing::demo::generate::TESS_CUBE_KEY);
    let readme = "s3://nasa-heasarc/chandra/data/byobsid/3/3003/00README";
    let args = |endpoint: &str, uri: &str| {
        format!("--endpoint-url {endpoint} --no-sign-request --download-dir {} {uri}", downloads.display())
    };
    let first = Tmux::start(&command_line_in(home.path(), &args(&format!("http://{slow}"), &cube)), 120, 40);
    first.wait_for("anon us-east-1", WAIT);
    std::thread::sleep(Duration::from_millis(500));
    first.keys(&["d"]);
    first.wait_for("MiB/s", WAIT);
    // The second explorer finds the queue held and keeps its own downloads in memory.
    let second = Tmux::start(&command_line_in(home.path(), &args(&fixture.endpoint, readme)), 120, 40);
    second.wait_for("held by another s3scope", WAIT);
    std::thread::sleep(Duration::from_millis(500));
    second.keys(&["d"]);
    second.wait_for("Queue 1/1", WAIT);
    assert!(downloads.join("00README").exists());
    second.keys(&["q"]);
    assert!(second.wait_for("EXIT=", WAIT).contains("EXIT=0"));
    first.keys(&["q"]);
    first.wait_for("downloads are running", WAIT);
    first.keys(&["y"]);
    assert!(first.wait_for("EXIT=", WAIT).contains("EXIT=0"));
    // One whole file: the first explorer's queue, the cube still to finish.
    let text = std::fs::read_to_string(home.path().join(".state/s3scope/queue.json")).unwrap();
    let queue: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = queue["jobs"].as_array().unwrap().iter().map(|j| j["key"].as_str().unwrap()).collect();
    assert_eq!(keys, [s3scope::testing::demo::generate::TESS_CUBE_KEY], "{text}");
}

/// A home directory of its own for one test.
fn fresh_home(name: &str) -> std::path::PathBuf {
    let home = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    home
}

/// The explorer on the fixture server with a home of its own, `VAR=value`
/// settings `env` and extra arguments.
fn explorer_with_env(name: &str, env: &str, extra: &str, width: u16, height: u16) -> Tmux {
    let args = format!("--endpoint-url {} --no-sign-request {extra}", fixture().endpoint);
    Tmux::start(&command_line_with(&fresh_home(name), env, &args), width, height)
}

/// Jumps to the events file with `:` and waits for its preview.
fn jump_to_events(tmux: &Tmux) {
    tmux.keys(&[":", "C-u"]);
    tmux.type_text(EVENTS);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 EVENTS     BINTABLE", WAIT);
}

const EVENTS: &str = "s3://nasa-heasarc/chandra/data/byobsid/0/3010/primary/acisf03010N004_evt2.fits.gz";

#[test]
fn y_copies_the_uri_over_osc52_into_tmux_without_a_display() {
    let tmux = explorer_with_env("s3scope-test-clip", "DISPLAY= WAYLAND_DISPLAY= SSH_TTY=", "", 120, 40);
    tmux.set_option("set-clipboard", "on");
    tmux.wait_for("nasa-heasarc/", WAIT);
    jump_to_events(&tmux);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("(OSC 52)", WAIT);
    assert!(screen.contains("copied s3://nasa-heasarc/chandra/"), "{screen}");
    assert_eq!(tmux.buffer().as_deref(), Some(EVENTS));

    // Two marked rows: one line each.
    tmux.keys(&["h", "j"]);
    tmux.wait_for("0 PRIMARY    IMAGE 64x64", WAIT);
    tmux.keys(&["Space", "Space", "y"]);
    tmux.wait_for("copied 2 s3 URIs (OSC 52)", WAIT);
    let buffer = tmux.buffer().unwrap();
    let lines: Vec<&str> = buffer.lines().collect();
    assert_eq!(lines.len(), 2, "{buffer}");
    assert!(lines.iter().all(|l| l.starts_with("s3://nasa-heasarc/chandra/data/byobsid/0/3010/primary/acisf03010")));
    quit_and_check(&tmux);
}

#[test]
#[ignore = "needs GNU screen: .ci/run installs it and runs the ignored tests"]
fn copy_menu_inside_gnu_screen_puts_the_heasarc_url_on_the_clipboard() {
    let has_screen = std::process::Command::new("screen").arg("-v").output().is_ok();
    assert!(has_screen, "GNU screen is needed for this test (.ci/run installs it)");
    let home = fresh_home("s3scope-test-screen");
    let args = format!("--endpoint-url {} --no-sign-request", fixture().endpoint);
    // tmux → screen → s3scope: screen only passes OSC 52 on inside DCS strings.
    let inner = command_line_with(&home, "DISPLAY= WAYLAND_DISPLAY= TMUX= STY=s3scope-test", &args);
    let session = ScreenSession(format!("s3scope-test-{}", std::process::id()), home);
    let tmux = Tmux::start(&format!("screen -q -S {} sh -c '{inner}'", session.0), 120, 40);
    tmux.set_option("set-clipboard", "on");
    tmux.wait_for("nasa-heasarc/", WAIT);
    jump_to_events(&tmux);
    tmux.keys(&["Y"]);
    let screen = tmux.wait_for("Copy as", WAIT);
    // On a custom endpoint its URL comes third, before the archive's.
    assert!(screen.contains("3 endpoint URL") && screen.contains("4 HEASARC URL"), "{screen}");
    assert!(screen.contains("7 aws s3 cp command"), "{screen}");
    tmux.keys(&["4"]);
    tmux.wait_for("copied HEASARC URL", WAIT);
    let key = EVENTS.trim_start_matches("s3://nasa-heasarc/");
    assert_eq!(tmux.buffer(), Some(format!("https://heasarc.gsfc.nasa.gov/FTP/{key}")));
}

/// A named GNU screen session and its home, ended and removed on drop (a
/// screen whose terminal went away otherwise lives on, detached, with the
/// explorer in it).
struct ScreenSession(String, std::path::PathBuf);

impl Drop for ScreenSession {
    fn drop(&mut self) {
        let _ = std::process::Command::new("screen").args(["-S", &self.0, "-X", "quit"]).output();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

/// An X server of its own for the system clipboard test; killed on drop.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start() -> Self {
        let number = 90 + std::process::id() % 400;
        let display = format!(":{number}");
        let child = std::process::Command::new("Xvfb")
            .args([display.as_str(), "-nolisten", "tcp", "-screen", "0", "640x480x24"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb is needed for this test (.ci/run installs it)");
        let socket = format!("/tmp/.X11-unix/X{number}");
        let started = Instant::now();
        while !std::path::Path::new(&socket).exists() {
            assert!(started.elapsed() < WAIT, "Xvfb did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, display }
    }

    /// The CLIPBOARD selection as another X client sees it.
    fn clipboard(&self) -> String {
        let out = std::process::Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .env("DISPLAY", &self.display)
            .output()
            .expect("xclip is needed for this test (.ci/run installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs Xvfb and xclip: .ci/run installs them and runs the ignored tests"]
fn y_on_a_local_desktop_copies_to_the_system_clipboard() {
    let x = Xvfb::start();
    let env = format!("DISPLAY={} WAYLAND_DISPLAY= SSH_TTY= SSH_CONNECTION=", x.display);
    let tmux = explorer_with_env("s3scope-test-x11", &env, "", 120, 40);
    tmux.wait_for("nasa-heasarc/", WAIT);
    jump_to_events(&tmux);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("(system clipboard)", WAIT);
    assert!(screen.contains("copied s3://nasa-heasarc/chandra/"), "{screen}");
    // s3scope serves the selection while it runs; another client reads it.
    assert_eq!(x.clipboard(), EVENTS);
    quit_and_check(&tmux);
}

#[test]
fn without_any_clipboard_y_fails_fast_with_a_message() {
    // A display that no X server answers.
    let env = "DISPLAY=:4711 WAYLAND_DISPLAY=";
    let tmux = explorer_with_env("s3scope-test-noclip", env, "--clipboard system", 100, 30);
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&["y"]);
    let started = Instant::now();
    let screen = tmux.wait_for("could not copy s3://nasa-heasarc/", WAIT);
    assert!(started.elapsed() < Duration::from_secs(8), "failed near the 2 s clipboard timeout");
    tmux.keys(&["j"]);
    tmux.wait_for("s3://nasa-lambda/", WAIT);
    assert!(!screen.contains("OSC 52"), "{screen}");
    quit_and_check(&tmux);
}

#[test]
fn a_locale_without_utf8_gets_ascii_and_no_color_gets_no_colour() {
    let tmux = explorer_with_env("s3scope-test-ascii", "LC_ALL=C LANG=C NO_COLOR=1", "", 80, 24);
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("> chandra/", WAIT);
    assert!(screen.contains("+ Tree") && !screen.contains('┌') && !screen.contains('▸'), "{screen}");
    assert!(screen.is_ascii(), "{screen}");
    let escapes = tmux.screen_with(true);
    // Reverse video (7) marks the cursor row; no foreground or background colour is set.
    assert!(escapes.contains("\x1b[7m") || escapes.contains(";7m"), "{escapes:?}");
    for colour in ["\x1b[3", "\x1b[4", ";3", ";4"] {
        let coloured = escapes
            .match_indices(colour)
            .any(|(i, _)| escapes[i + colour.len()..].chars().next().is_some_and(|c| c.is_ascii_digit() && c != '9'));
        assert!(!coloured, "a colour escape {colour:?} in {escapes:?}");
    }
    quit_and_check(&tmux);
}

/// The explorer behind a proxy that deals `plan`'s faults.
fn explorer_with_faults(plan: &std::sync::Arc<proxy::FaultPlan>, extra: &str, name: &str) -> Tmux {
    let fixture = fixture();
    let shaping = proxy::Shaping { faults: Some(plan.clone()), ..proxy::Shaping::default() };
    let (addr, _) = fixture.runtime.block_on(proxy::start_shaped_proxy(fixture.addr, shaping)).unwrap();
    let args = format!("--endpoint-url http://{addr} --no-sign-request {extra}");
    Tmux::start(&command_line_in(&fresh_home(name), &args), 120, 40)
}

#[test]
fn a_failed_preview_shows_its_error_and_r_tries_again() {
    // Every attempt of the first preview read (the head and, beside it, the
    // gzip trailer: three attempts each) meets a 500.
    let plan = proxy::FaultPlan::new(&[("acisf03010N004_evt2", proxy::Fault::Status(500), 6)]);
    let tmux = explorer_with_faults(&plan, "", "s3scope-test-preview-fault");
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&[":", "C-u"]);
    tmux.type_text(EVENTS);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("r: try again", WAIT);
    assert!(screen.contains("✗"), "{screen}");
    // Until every fault is dealt (the two reads may use them unevenly), `r`
    // may meet one more: it shows the error again and is pressed again.
    for _ in 0..3 {
        tmux.keys(&["r"]);
        std::thread::sleep(Duration::from_millis(1500));
        if tmux.screen().contains("1 EVENTS     BINTABLE") {
            break;
        }
    }
    tmux.wait_for("1 EVENTS     BINTABLE", WAIT);
    assert_eq!(plan.dealt.load(std::sync::atomic::Ordering::SeqCst), 6, "every fault was met");
    quit_and_check(&tmux);
}

#[test]
fn a_stalled_listing_times_out_within_the_bound_while_keys_still_work() {
    let plan = proxy::FaultPlan::new(&[("byobsid%2F0%2F", proxy::Fault::Stall, 100)]);
    let tmux = explorer_with_faults(&plan, "--timeout 2", "s3scope-test-stall");
    tmux.wait_for("nasa-heasarc/", WAIT);
    tmux.keys(&[":", "C-u"]);
    tmux.type_text("s3://nasa-heasarc/chandra/data/byobsid/0/");
    tmux.keys(&["Enter"]);
    tmux.wait_for("loading…", WAIT);
    let started = Instant::now();
    // While the listing hangs, the cursor moves and the help opens and closes.
    tmux.keys(&["k"]);
    tmux.wait_for("s3scope  s3://nasa-heasarc/chandra/data/byobsid/ ", WAIT);
    tmux.keys(&["?"]);
    tmux.wait_for(" Keys ", WAIT);
    // (Esc followed at once by a key would read as Alt+key: any key closes the help.)
    tmux.keys(&["Enter"]);
    tmux.keys(&["j"]);
    let screen = tmux.wait_for("✗ timed out", Duration::from_secs(20));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "the listing gave up after {took:?} (bound: 2 s)");
    assert!(screen.contains("Listing       failed: timed out"), "{screen}");
    quit_and_check(&tmux);
}

/// The parameters of every SGR sequence (`ESC [ … m`) in a `capture-pane -e` screen.
fn sgr_parameters(screen: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for piece in screen.split("\x1b[").skip(1) {
        if let Some(end) = piece.find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))
            && piece[end..].starts_with('m')
        {
            out.extend(piece[..end].split([';', ':']).filter_map(|p| p.parse::<u16>().ok()));
        }
    }
    out
}

#[test]
fn hostile_keys_and_header_values_change_no_colour_title_or_clipboard() {
    let env = "DISPLAY= WAYLAND_DISPLAY=";
    let tmux = explorer_with_env("s3scope-test-hostile", env, "s3://demo-edge/escape/", 120, 40);
    tmux.set_option("set-clipboard", "on");
    let check = |tmux: &Tmux, what: &str| {
        let plain = tmux.screen();
        assert!(!plain.contains(['\x1b', '\x07', '\u{9b}', '\u{7f}']), "{what}: raw control characters: {plain}");
        assert_ne!(tmux.pane_title().trim(), "pwned", "{what}: the title changed");
        assert_eq!(tmux.buffer(), None, "{what}: a key or value wrote the clipboard");
        // The keys' red (31, 41) never reaches the screen; the explorer itself draws none here.
        let sgr = sgr_parameters(&tmux.screen_with(true));
        assert!(!sgr.contains(&31) && !sgr.contains(&41), "{what}: red leaked: {sgr:?}");
    };
    let screen = tmux.wait_for("title.txt", WAIT);
    assert!(screen.contains("clip\\e]52;c;cHduZWQ=\\x07board.txt"), "{screen}");
    assert!(screen.contains("c1-\\x9b2J-clear.txt") && screen.contains("tab\\there-newline\\nthere-del\\x7f.txt"));
    check(&tmux, "the listing");
    // Each row in turn: the previews of the keys, the red text file and the hostile header.
    for _ in 0..8 {
        tmux.keys(&["j"]);
        std::thread::sleep(Duration::from_millis(250));
        check(&tmux, "a preview");
    }
    tmux.keys(&[":", "C-u"]);
    tmux.type_text("s3://demo-edge/escape/hostile-header.fits");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("OBJECT  = '\\e]?;pwned\\x07'", WAIT);
    assert!(screen.contains("\\e[31mred\\e[0m"), "{screen}");
    check(&tmux, "the hostile header");
    quit_and_check(&tmux);
}

#[test]
fn inside_tmux_without_set_clipboard_on_y_says_how_to_fix_it() {
    let tmux = explorer_with_env("s3scope-test-tmux-off", "DISPLAY= WAYLAND_DISPLAY=", "", 160, 30);
    tmux.wait_for("nasa-heasarc/", WAIT);
    // tmux's default, `external`, drops an application's OSC 52 as `off` does.
    for mode in ["external", "off"] {
        tmux.set_option("set-clipboard", mode);
        tmux.keys(&["y"]);
        let screen = tmux.wait_for(&format!("set-clipboard {mode} and drops it"), WAIT);
        assert!(screen.contains("/ (OSC 52, but tmux has set-clipboard"), "{screen}");
        tmux.keys(&["j"]);
    }
    assert_eq!(tmux.buffer(), None);
    quit_and_check(&tmux);
}

#[test]
fn a_table_view_and_a_half_block_quick_look_in_a_terminal() {
    // An event list's rows, read by range as the view scrolls.
    let tmux = explorer("s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_src2.fits", 120, 36);
    tmux.wait_for("HDU 0 PRIMARY", WAIT);
    tmux.keys(&["Tab", "]", "v"]);
    let screen = tmux.wait_for("rows 1-", WAIT);
    assert!(screen.contains("DEC") && screen.contains("CXO J0534") && screen.contains("deg"), "{screen}");
    tmux.keys(&["G"]);
    let screen = tmux.wait_for(" of 60 ", WAIT);
    assert!(screen.contains("59"), "the last row shows: {screen}");
    // The image view of a tile-compressed star field, drawn in half blocks.
    tmux.keys(&[":", "C-u"]);
    tmux.type_text("s3://nasa-irsa-euclid-q1/q1/compressed/rice-float32-dither1.fits");
    tmux.keys(&["Enter"]);
    tmux.wait_for("HDU 0 PRIMARY", WAIT);
    tmux.keys(&["Tab", "]", "v"]);
    let screen = tmux.wait_for("samples", WAIT);
    assert!(screen.contains('▀') || screen.contains('▄'), "half blocks: {screen}");
    assert!(screen.contains("allow-passthrough"), "inside tmux the status says how to get graphics: {screen}");
    tmux.keys(&["t", "z"]);
    tmux.wait_for("minmax sqrt", WAIT);
    quit_and_check(&tmux);
}
