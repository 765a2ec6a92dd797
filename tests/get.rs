//! `s3scope get` against the embedded server: layout, safety, parts,
//! resume after a kill, a changed object, cancel, existing files, the
//! content checked against the object's CRC-64/NVME.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use s3scope::testing::demo::generate::{EDGE_BUCKET, TESS_CUBE_KEY};
use s3scope::testing::demo::store::{Store, StoredObject, md5_hex};
use s3scope::testing::queue::parts::{Claims, ResumeRecord};

fn content(bucket: &str, key: &str) -> Vec<u8> {
    object_bytes(bucket, key)
}

fn get(endpoint: &str, args: &[&str]) -> std::process::Output {
    s3scope().args(["--endpoint-url", endpoint, "--no-sign-request", "get"]).args(args).output().unwrap()
}

fn spawn_get(endpoint: &str, args: &[&str]) -> Child {
    s3scope()
        .args(["--endpoint-url", endpoint, "--no-sign-request", "get"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn record_of(path: &Path) -> Option<ResumeRecord> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let text = std::fs::read(path.with_file_name(format!("{name}.part.json"))).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Waits until the part record of `path` shows at least `bytes` done.
fn wait_for_progress(path: &Path, bytes: u64) -> ResumeRecord {
    let started = Instant::now();
    loop {
        if let Some(record) = record_of(path).filter(|r| r.done.covered() >= bytes) {
            return record;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no progress on {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn md5_file(path: &Path) -> String {
    md5_hex(&std::fs::read(path).unwrap())
}

#[test]
fn one_object_lands_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let key = "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz";
    let output = get(&fixture().endpoint, &["-o", dir.path().to_str().unwrap(), &format!("s3://nasa-heasarc/{key}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.path().join("acisf03003N004_evt2.fits.gz");
    assert_eq!(std::fs::read(&file).unwrap(), content("nasa-heasarc", key));
    assert!(stdout(&output).contains("1 of 1 files downloaded"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no part files left behind");
}

#[test]
fn large_objects_come_in_parts_and_check_out() {
    let dir = tempfile::tempdir().unwrap();
    let output = get(
        &fixture().endpoint,
        &["-o", dir.path().to_str().unwrap(), "--part-size", "4 MiB", &format!("s3://stpubdata/{TESS_CUBE_KEY}")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.path().join("tess-s0014-2-3-cube.fits");
    let object = fixture().store.get("stpubdata", TESS_CUBE_KEY).unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), object.size);
    assert_eq!(md5_file(&file), object.etag);
}

#[test]
fn a_prefix_keeps_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = "chandra/data/byobsid/3/";
    let output =
        get(&fixture().endpoint, &["-r", "-o", dir.path().to_str().unwrap(), &format!("s3://nasa-heasarc/{prefix}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys = keys_below("nasa-heasarc", prefix);
    assert!(keys.len() > 10);
    for key in keys {
        let path = dir.path().join(&key[prefix.len()..]);
        assert_eq!(std::fs::read(&path).unwrap(), content("nasa-heasarc", &key), "{key}");
    }
}

#[test]
fn keys_leaving_the_directory_are_refused_and_the_rest_lands() {
    let dir = tempfile::tempdir().unwrap();
    let output = get(&fixture().endpoint, &["-r", "-o", dir.path().to_str().unwrap(), &format!("s3://{EDGE_BUCKET}/")]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("failed s3://demo-edge/../x: refused"), "{err}");
    assert!(err.contains("/absolute.txt: refused"));
    assert!(err.lines().last().unwrap().starts_with("s3scope: downloading: 4 of"), "{err}");
    assert!(!dir.path().parent().unwrap().join("x").exists(), "nothing escaped the directory");
    assert_eq!(std::fs::read(dir.path().join("files/readme.txt")).unwrap(), content(EDGE_BUCKET, "files/readme.txt"));
    assert!(dir.path().join("unicode/café-☃-星.fits").is_file());
    // Escape sequences never reach a file name.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("escape"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains('\x1b') && !n.contains('\x07')), "{names:?}");
    assert!(names.contains(&"\\e[31mred\\e[0m.txt".to_string()), "{names:?}");
    assert!(!stdout(&output).contains('\x1b'));
}

#[test]
fn a_killed_download_resumes_where_it_stopped() {
    let fixture = fixture();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tess-s0014-2-3-cube.fits");
    let uri = format!("s3://stpubdata/{TESS_CUBE_KEY}");
    // One part at a time: the download takes seconds, and is killed in the middle.
    let args =
        ["-o", dir.path().to_str().unwrap(), "--part-size", "1048576", "--bytes-in-flight", "1048576", uri.as_str()];
    let (slow, _) =
        fixture.runtime.block_on(proxy::start_throttled_proxy(fixture.addr, Duration::ZERO, Some(8 << 20))).unwrap();
    let mut child = spawn_get(&format!("http://{slow}"), &args);
    let before = wait_for_progress(&file, 4 << 20);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!file.exists(), "no final file after a kill");
    assert_eq!(before.claims, Claims::Synced, "a download syncs what its record claims");
    let done = before.done.covered();
    let object = fixture.store.get("stpubdata", TESS_CUBE_KEY).unwrap();
    assert!(done < object.size);

    let (proxy, stats) = fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::ZERO)).unwrap();
    let output = get(&format!("http://{proxy}"), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("resumed"), "{}", stdout(&output));
    let fetched = stats.bytes_to_client.load(std::sync::atomic::Ordering::SeqCst);
    assert!(fetched < object.size - done + (2 << 20), "fetched {fetched} of {} with {done} already there", object.size);
    assert_eq!(md5_file(&file), object.etag);
    assert!(record_of(&file).is_none(), "the resume record is gone");
}

/// Serves `store` from the fixture's runtime; returns its endpoint address.
fn serve(store: Store) -> std::net::SocketAddr {
    let handle = fixture().runtime.block_on(s3scope::testing::demo::start(Arc::new(store), 0)).unwrap();
    handle.addr
}

fn one_object_store(data: Vec<u8>) -> Store {
    let mut store = Store::default();
    store.add_bucket("mutable", true);
    store.put("mutable", "data.bin", StoredObject::in_memory(data, 1_700_000_000));
    store
}

/// The arguments that download `s3://mutable/data.bin` into `dir` in
/// parts of 512 KiB, two at a time (1 MiB in flight).
fn two_small_parts_at_a_time(dir: &Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    ["-o", dir, "--part-size", "512k", "--bytes-in-flight", "1 MiB", "s3://mutable/data.bin"].map(String::from).into()
}

/// Runs that download from `server` at 1 MB/s a connection (slow enough to
/// be caught half done) and kills it once 1 MiB is recorded; returns the record.
fn kill_half_done(server: std::net::SocketAddr, dir: &Path) -> ResumeRecord {
    kill_half_done_with(server, dir, &[])
}

/// The same with more arguments.
fn kill_half_done_with(server: std::net::SocketAddr, dir: &Path, more: &[&str]) -> ResumeRecord {
    let fixture = fixture();
    let (slow, _) =
        fixture.runtime.block_on(proxy::start_throttled_proxy(server, Duration::ZERO, Some(1 << 20))).unwrap();
    let mut args = two_small_parts_at_a_time(dir);
    args.splice(0..0, more.iter().map(|arg| arg.to_string()));
    let mut child = spawn_get(&format!("http://{slow}"), &args.iter().map(String::as_str).collect::<Vec<_>>());
    let record = wait_for_progress(&dir.join("data.bin"), 1 << 20);
    child.kill().unwrap();
    child.wait().unwrap();
    record
}

fn get_again(server: std::net::SocketAddr, dir: &Path) -> std::process::Output {
    let args = two_small_parts_at_a_time(dir);
    get(&format!("http://{server}"), &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_changed_object_starts_over_and_says_so() {
    let version_one: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
    let version_two: Vec<u8> = (0..6_000_000u32).map(|i| (i % 241) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    kill_half_done(serve(one_object_store(version_one)), dir.path());

    let output = get_again(serve(one_object_store(version_two.clone())), dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("the object had changed: started over"), "{}", stdout(&output));
    assert_eq!(std::fs::read(dir.path().join("data.bin")).unwrap(), version_two);
}

#[test]
fn an_interrupted_download_keeps_its_part_and_no_final_file() {
    let fixture = fixture();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tess-s0014-2-3-cube.fits");
    let (slow, _) =
        fixture.runtime.block_on(proxy::start_throttled_proxy(fixture.addr, Duration::ZERO, Some(4 << 20))).unwrap();
    let child = spawn_get(
        &format!("http://{slow}"),
        &[
            "-o",
            dir.path().to_str().unwrap(),
            "--part-size",
            "1048576",
            "--bytes-in-flight",
            "1048576",
            &format!("s3://stpubdata/{TESS_CUBE_KEY}"),
        ],
    );
    wait_for_progress(&file, 1 << 20);
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("interrupted; 1 partial files kept for resuming"), "{}", stderr(&output));
    assert!(!file.exists());
    assert!(record_of(&file).is_some());
}

#[test]
fn existing_files_are_kept_unless_forced_and_identical_ones_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let key = "files/readme.txt";
    let uri = format!("s3://{EDGE_BUCKET}/{key}");
    let out = dir.path().to_str().unwrap();
    let file = dir.path().join("readme.txt");
    std::fs::write(&file, b"my own notes").unwrap();
    let output = get(&fixture().endpoint, &["-o", out, &uri]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("exists and differs (use --force"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&file).unwrap(), b"my own notes");
    let output = get(&fixture().endpoint, &["-o", out, "--force", &uri]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(&file).unwrap(), content(EDGE_BUCKET, key));
    let output = get(&fixture().endpoint, &["-o", out, &uri]);
    assert!(output.status.success());
    assert!(stdout(&output).contains("already there"));
}

#[test]
fn unreachable_endpoints_and_missing_keys_fail_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    // One object: its failure is the one line on stderr.
    let output = get(&endpoint, &["-o", out, "s3://nasa-heasarc/x.fits"]);
    assert_one_line_error(&output, 1, "downloading s3://nasa-heasarc/x.fits: cannot reach");
    let output = get(&fixture().endpoint, &["-o", out, "s3://nasa-heasarc/no/such.fits"]);
    assert_one_line_error(&output, 1, "downloading s3://nasa-heasarc/no/such.fits: no such key");
    // Several: a line per failed object, then one summary line.
    let readme = "s3://demo-edge/files/readme.txt";
    let output =
        get(&fixture().endpoint, &["-o", out, "s3://nasa-heasarc/no/a.fits", readme, "s3://nasa-heasarc/no/b"]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<String> = stderr(&output).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("s3scope: failed s3://nasa-heasarc/no/") && lines[0].ends_with("no such key"));
    assert!(lines[1].starts_with("s3scope: failed s3://nasa-heasarc/no/") && lines[1].ends_with("no such key"));
    assert_eq!(lines[2], "s3scope: downloading: 2 of 3 failed");
    std::fs::remove_file(dir.path().join("readme.txt")).unwrap();
    assert_one_line_error(&get(&fixture().endpoint, &["-o", out, "s3://nasa-heasarc/chandra/"]), 2, "add --recursive");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn an_unwritable_destination_fails_the_job_without_a_final_file() {
    // A regular file where the download directory should be: creating it
    // fails even for root.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"x").unwrap();
    let target = blocker.join("downloads");
    let output = get(&fixture().endpoint, &["-o", target.to_str().unwrap(), "s3://demo-edge/files/readme.txt"]);
    assert_one_line_error(&output, 1, "downloading s3://demo-edge/files/readme.txt: creating");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x", "nothing was overwritten");
}

#[test]
fn dropped_connections_are_retried_and_the_file_checks_out() {
    let fixture = fixture();
    let dir = tempfile::tempdir().unwrap();
    // The first four connections die 300 KB into their answer.
    let shaping = proxy::Shaping { cut_first_connections: 4, cut_after_bytes: 300_000, ..proxy::Shaping::default() };
    let (faulty, stats) = fixture.runtime.block_on(proxy::start_shaped_proxy(fixture.addr, shaping)).unwrap();
    let output = get(
        &format!("http://{faulty}"),
        &["-o", dir.path().to_str().unwrap(), "--part-size", "1048576", &format!("s3://stpubdata/{TESS_CUBE_KEY}")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let object = fixture.store.get("stpubdata", TESS_CUBE_KEY).unwrap();
    assert_eq!(md5_file(&dir.path().join("tess-s0014-2-3-cube.fits")), object.etag);
    assert!(stats.connections.load(std::sync::atomic::Ordering::SeqCst) > 4, "the cut connections were replaced");
    let moved = stats.bytes_to_client.load(std::sync::atomic::Ordering::SeqCst);
    assert!(moved > object.size, "cut parts were fetched again ({moved} bytes for {})", object.size);
}

#[test]
fn hostile_keys_land_under_their_exact_names_and_print_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        get(&fixture().endpoint, &["-o", dir.path().to_str().unwrap(), "--recursive", "s3://demo-edge/escape/"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for text in [stdout(&output), stderr(&output)] {
        let unsafe_chars = unsafe_chars(&text);
        assert!(unsafe_chars.is_empty(), "{unsafe_chars:?} reached the terminal: {text}");
    }
    // Nothing lost: each key is a file of the same bytes, named with the
    // key's control characters written as visible escapes.
    for key in keys_below("demo-edge", "escape/") {
        let name = s3scope::testing::escape::escape_for_terminal(&key["escape/".len()..]).into_owned();
        assert!(!name.chars().any(s3scope::testing::escape::is_unsafe_char));
        let path = dir.path().join(&name);
        let object = fixture().store.get("demo-edge", &key).unwrap();
        assert_eq!(md5_file(&path), object.etag, "{key:?}");
    }
}

#[test]
fn an_object_with_a_crc_is_checked_part_by_part_across_a_resume() {
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(one_object_store(data.clone()));
    let before = kill_half_done(server, dir.path());
    assert!(before.done.covered() < data.len() as u64);

    // The second run reads back the spans the first one wrote to combine their CRCs.
    let output = get_again(server, dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("resumed"), "{}", stdout(&output));
    let file = dir.path().join("data.bin");
    assert_eq!(std::fs::read(&file).unwrap(), data);
    assert!(record_of(&file).is_none(), "the resume record is gone");
}

/// A store holding one object whose recorded CRC-64/NVME is wrong (its ETag's MD5 is right).
fn store_with_a_wrong_crc(data: Vec<u8>) -> Store {
    let mut object = StoredObject::in_memory(data, 1_700_000_000);
    object.crc64nvme = object.crc64nvme.map(|crc| crc ^ 1);
    let mut store = Store::default();
    store.add_bucket("mutable", true);
    store.put("mutable", "data.bin", object);
    store
}

#[test]
fn a_file_that_does_not_match_the_objects_crc_fails_and_is_removed() {
    // One GET (the CRC comes with the answer), and parts (a HEAD asks for it).
    for part_size in ["8 MiB", "512k"] {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let server = serve(store_with_a_wrong_crc(data));
        let dir = tempfile::tempdir().unwrap();
        let output = get(
            &format!("http://{server}"),
            &["-o", dir.path().to_str().unwrap(), "--part-size", part_size, "s3://mutable/data.bin"],
        );
        assert_eq!(output.status.code(), Some(1), "{part_size}: {}", stdout(&output));
        assert!(stderr(&output).contains("CRC-64/NVME mismatch"), "{part_size}: {}", stderr(&output));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "{part_size}: no final file, part file or record left: {left:?}");
    }
}

#[test]
fn without_verification_a_wrong_crc_goes_unnoticed() {
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let server = serve(store_with_a_wrong_crc(data.clone()));
    let dir = tempfile::tempdir().unwrap();
    let output = get(
        &format!("http://{server}"),
        &["-o", dir.path().to_str().unwrap(), "--part-size", "512k", "--no-verify", "s3://mutable/data.bin"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(dir.path().join("data.bin")).unwrap(), data);
}

/// `--no-sync` progress is in the kernel's cache, not necessarily on disk:
/// after a kill it resumes, but a record saved before a restart (another
/// boot: perhaps a power cut) is not trusted and the download starts over.
#[test]
fn unsynced_progress_resumes_after_a_kill_but_not_after_a_restart() {
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i % 239) as u8).collect();
    let server = serve(one_object_store(data.clone()));
    for restarted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.bin");
        let mut record = kill_half_done_with(server, dir.path(), &["--no-sync"]);
        let Claims::Unsynced { boot } = &record.claims else { panic!("claims synced bytes: {record:?}") };
        assert_eq!(boot.is_some(), cfg!(target_os = "linux"), "{record:?}");
        let trusted = boot.is_some() && !restarted;
        if restarted {
            record.claims = Claims::Unsynced { boot: Some("a boot before this one".into()) };
            std::fs::write(dir.path().join("data.bin.part.json"), serde_json::to_vec(&record).unwrap()).unwrap();
        }
        let done = record.done.covered();

        let (proxy, stats) = fixture().runtime.block_on(proxy::start_proxy(server, Duration::ZERO)).unwrap();
        let mut args = two_small_parts_at_a_time(dir.path());
        args.insert(0, "--no-sync".into());
        let output = get(&format!("http://{proxy}"), &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(std::fs::read(&file).unwrap(), data, "restarted: {restarted}");
        let fetched = stats.bytes_to_client.load(std::sync::atomic::Ordering::SeqCst) as usize;
        let said = stdout(&output);
        assert!(!said.contains("changed"), "{said}");
        if trusted {
            assert!(said.contains("resumed"), "{said}");
            assert!(fetched < data.len() - done as usize + (1 << 20), "fetched {fetched} with {done} there");
        } else {
            assert!(!said.contains("resumed"), "{said}");
            assert!(fetched >= data.len(), "fetched {fetched} of {}: nothing unsynced was kept", data.len());
        }
        assert!(record_of(&file).is_none(), "the resume record is gone");
    }
}

#[test]
fn a_download_without_syncs_lands_whole() {
    let dir = tempfile::tempdir().unwrap();
    let output = get(
        &fixture().endpoint,
        &[
            "-o",
            dir.path().to_str().unwrap(),
            "--no-sync",
            "--part-size",
            "4 MiB",
            &format!("s3://stpubdata/{TESS_CUBE_KEY}"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.path().join("tess-s0014-2-3-cube.fits");
    assert_eq!(md5_file(&file), fixture().store.get("stpubdata", TESS_CUBE_KEY).unwrap().etag);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no part files left behind");
}
