//! `s3scope ls` against the embedded S3 server on loopback.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use s3scope::testing::demo::generate::{EDGE_BUCKET, TESS_FFI_COUNT, TESS_FFI_PREFIX};
use s3scope::testing::demo::store::ListQuery;
use s3scope::testing::escape::escape_for_terminal;

/// What one delimiter level holds according to the server's own index.
fn level(bucket: &str, prefix: &str) -> (Vec<String>, Vec<String>) {
    let query = ListQuery { prefix, delimiter: Some("/"), after: None, max_keys: usize::MAX };
    let listing = fixture().store.list(bucket, &query).unwrap();
    (listing.prefixes, listing.objects.into_iter().map(|(k, _)| k).collect())
}

#[test]
fn one_level_lists_prefixes_and_objects_like_aws_s3_ls() {
    let prefix = "chandra/data/byobsid/3/3003/";
    let output = run(&["ls", &format!("s3://nasa-heasarc/{prefix}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let (prefixes, objects) = level("nasa-heasarc", prefix);
    assert!(!prefixes.is_empty() && !objects.is_empty());
    let mut expected: Vec<String> = prefixes.iter().map(|p| format!("{:>30} {}", "PRE", &p[prefix.len()..])).collect();
    for key in &objects {
        let object = fixture().store.get("nasa-heasarc", key).unwrap();
        let date = s3scope::testing::format::date_time(object.last_modified);
        expected.push(format!("{date} {:>10} {}", object.size, &key[prefix.len()..]));
    }
    expected.sort_by(|a, b| a[31..].cmp(&b[31..]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, expected);
}

#[test]
fn prefix_without_slash_shows_the_matching_directory() {
    let output = run(&["ls", "s3://nasa-heasarc/chand"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output).trim_end(), format!("{:>30} chandra/", "PRE"));
}

#[test]
fn recursive_lists_every_key_below_in_s3_order() {
    let output = run(&["ls", "--recursive", "--json", "s3://nasa-heasarc/chandra/"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = json_lines(&stdout(&output));
    let keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    let expected = keys_below("nasa-heasarc", "chandra/");
    assert!(expected.len() > 150, "fixture has {} keys", expected.len());
    assert_eq!(keys, expected);
    for line in &lines {
        let object = fixture().store.get("nasa-heasarc", line["key"].as_str().unwrap()).unwrap();
        assert_eq!(line["size"].as_u64(), Some(object.size));
        assert_eq!(line["etag"].as_str().unwrap(), format!("\"{}\"", object.etag));
    }
}

#[test]
fn recursive_human_output_prints_full_keys() {
    let output = run(&["ls", "-r", "s3://nasa-lambda/data/"]);
    assert!(output.status.success());
    let names: Vec<String> =
        stdout(&output).lines().map(|l| l.split_whitespace().skip(3).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(names, keys_below("nasa-lambda", "data/"));
}

#[test]
fn a_prefix_of_more_than_a_thousand_keys_is_paged_completely() {
    let output = run(&["ls", "--json", &format!("s3://stpubdata/{TESS_FFI_PREFIX}")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys: Vec<String> =
        json_lines(&stdout(&output)).iter().map(|l| l["key"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys.len(), TESS_FFI_COUNT);
    assert_eq!(keys, keys_below("stpubdata", TESS_FFI_PREFIX));
}

#[test]
fn awkward_keys_round_trip_exactly() {
    let output = run(&["ls", "--recursive", "--json", &format!("s3://{EDGE_BUCKET}/")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys: Vec<String> =
        json_lines(&stdout(&output)).iter().map(|l| l["key"].as_str().unwrap().to_string()).collect();
    let expected = keys_below(EDGE_BUCKET, "");
    assert_eq!(keys, expected);
    for needle in
        ["with space/file one.txt", "plus+sign/a+b.txt", "percent%/100%25 sure.txt", "a//b.txt", "dir/", "../x"]
    {
        assert!(keys.iter().any(|k| k == needle), "{needle} missing");
    }
    assert!(keys.iter().any(|k| k.contains('\x1b')), "the ESC key came back");
    assert!(keys.iter().any(|k| k.contains('☃')), "the unicode key came back");
}

#[test]
fn one_level_of_awkward_prefixes_round_trips() {
    for prefix in ["with space/", "plus+sign/", "percent%/", "unicode/", "a//", "dir/"] {
        let output = run(&["ls", "--json", &format!("s3://{EDGE_BUCKET}/{prefix}")]);
        assert!(output.status.success(), "{prefix}: {}", stderr(&output));
        let keys: Vec<String> =
            json_lines(&stdout(&output)).iter().map(|l| l["key"].as_str().unwrap().to_string()).collect();
        let (prefixes, objects) = level(EDGE_BUCKET, prefix);
        let mut expected: Vec<String> = prefixes.into_iter().chain(objects).collect();
        expected.sort();
        assert_eq!(keys, expected, "{prefix}");
    }
}

#[test]
fn control_characters_are_escaped_in_human_output() {
    let output = run(&["ls", &format!("s3://{EDGE_BUCKET}/escape/")]);
    assert!(output.status.success());
    assert!(!output.stdout.iter().any(|&b| b == 0x1b || b == 0x07), "raw control bytes reached stdout");
    let text = stdout(&output);
    let unsafe_chars = unsafe_chars(&text);
    assert!(unsafe_chars.is_empty(), "{unsafe_chars:?} reached stdout");
    assert!(text.contains("clip\\e]52;c;cHduZWQ=\\x07board.txt"), "{text}");
    assert!(text.contains("c1-\\x9b2J-clear.txt") && text.contains("tab\\there-newline\\nthere-del\\x7f.txt"));
    for key in keys_below(EDGE_BUCKET, "escape/") {
        assert!(text.contains(&*escape_for_terminal(&key["escape/".len()..])), "{text}");
    }
    assert!(text.contains("\\e[31mred\\e[0m.txt"));
    let bidi = run(&["ls", &format!("s3://{EDGE_BUCKET}/bidi/")]);
    assert!(!stdout(&bidi).contains('\u{202e}'));
}

#[test]
fn json_lines_have_the_contract_shape() {
    let output = run(&["ls", "--json", "s3://stpubdata/hst/public/icde/icde40a0q/"]);
    assert!(output.status.success());
    let lines = json_lines(&stdout(&output));
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let object = line.as_object().unwrap();
        let fields: Vec<&str> = object.keys().map(String::as_str).collect();
        let mut sorted = fields.clone();
        sorted.sort();
        assert_eq!(sorted, ["etag", "key", "kind", "last_modified", "size", "storage_class"]);
        assert_eq!(line["kind"], "object");
        assert_eq!(line["storage_class"], "STANDARD");
        let date = line["last_modified"].as_str().unwrap();
        assert_eq!(date.len(), 20, "{date}");
        assert!(date.ends_with('Z') && date.as_bytes()[10] == b'T');
    }
    let prefixes = json_lines(&stdout(&run(&["ls", "--json", "s3://stpubdata/"])));
    assert!(prefixes.iter().all(|l| l["kind"] == "prefix" && l.as_object().unwrap().len() == 2));
    let keys: Vec<&str> = prefixes.iter().map(|l| l["key"].as_str().unwrap()).collect();
    assert_eq!(keys, level("stpubdata", "").0);
}

#[test]
fn no_uri_lists_the_catalog_without_network() {
    // No endpoint at all: the catalog is built in.
    let output = s3scope().args(["ls", "--json"]).output().unwrap();
    assert!(output.status.success());
    let lines = json_lines(&stdout(&output));
    let catalog = s3scope::testing::catalog::Catalog::builtin();
    assert_eq!(lines.len(), catalog.entries.len());
    assert_eq!(lines[0]["kind"], "bucket");
    assert_eq!(lines[0]["name"], "nasa-heasarc");
    assert_eq!(lines[0]["title"], "HEASARC");
    let human = stdout(&s3scope().arg("ls").output().unwrap());
    assert!(human.lines().any(|l| l.starts_with("stpubdata") && l.contains("MAST")));
}

#[test]
fn no_such_bucket_fails_with_one_line() {
    let output = run(&["ls", "s3://no-such-bucket/"]);
    assert_one_line_error(&output, 1, "s3scope: listing s3://no-such-bucket/: no such bucket");
    assert!(output.stdout.is_empty());
}

#[test]
fn private_bucket_is_access_denied_for_anonymous_requests() {
    let output = run(&["ls", "s3://demo-private/"]);
    assert_one_line_error(&output, 1, "access denied");
}

#[test]
fn signed_requests_with_the_demo_key_may_read_the_private_bucket() {
    let fixture = fixture();
    let output = s3scope()
        .env("AWS_ACCESS_KEY_ID", s3scope::testing::demo::server::DEMO_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", s3scope::testing::demo::server::DEMO_SECRET_KEY)
        .args(["--endpoint-url", &fixture.endpoint, "ls", "-r", "s3://demo-private/"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("proposals/cycle-27/draft.txt"));
}

#[test]
fn bad_uri_is_a_usage_error() {
    assert_one_line_error(&run(&["ls", "nasa-heasarc/chandra"]), 2, "bad S3 URI");
    assert_one_line_error(&run(&["ls", "--bogus-flag"]), 2, "bad arguments");
    let output = s3scope().args(["--endpoint-url", "ftp://x", "ls", "s3://b/"]).output().unwrap();
    assert_one_line_error(&output, 2, "--endpoint-url");
}

#[test]
fn closed_port_fails_within_ten_seconds() {
    let started = Instant::now();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let output = s3scope()
        .args(["--endpoint-url", &endpoint, "--no-sign-request", "ls", "s3://nasa-heasarc/"])
        .output()
        .unwrap();
    assert!(started.elapsed() < WELL_ABOVE_THE_BOUND, "took {:?}", started.elapsed());
    assert_one_line_error(&output, 1, "cannot reach");
}

#[test]
fn silent_server_times_out_within_ten_seconds() {
    let started = Instant::now();
    let endpoint = format!("http://{}", silent_server());
    let output = s3scope()
        .args(["--endpoint-url", &endpoint, "--no-sign-request", "ls", "s3://nasa-heasarc/"])
        .output()
        .unwrap();
    assert!(started.elapsed() < WELL_ABOVE_THE_BOUND, "took {:?}", started.elapsed());
    assert_one_line_error(&output, 1, "timed out");
}

#[test]
fn silent_server_recursive_walk_also_times_out() {
    let started = Instant::now();
    let endpoint = format!("http://{}", silent_server());
    let output =
        s3scope().args(["--endpoint-url", &endpoint, "--no-sign-request", "ls", "-r", "s3://b/"]).output().unwrap();
    assert!(started.elapsed() < WELL_ABOVE_THE_BOUND, "took {:?}", started.elapsed());
    assert_one_line_error(&output, 1, "timed out");
}

#[test]
fn first_page_is_printed_before_the_second_is_requested() {
    let fixture = fixture();
    let (proxy, stats) =
        fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::from_millis(150))).expect("proxy");
    let mut child = s3scope()
        .args(["--endpoint-url", &format!("http://{proxy}"), "--no-sign-request", "ls"])
        .arg(format!("s3://stpubdata/{TESS_FFI_PREFIX}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let requests_at_first_line = stats.requests();
    assert!(first.contains("-s_ffic.fits"), "{first}");
    let rest = reader.lines().count();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest + 1, TESS_FFI_COUNT);
    let pages = TESS_FFI_COUNT.div_ceil(1000) as u64;
    assert!(requests_at_first_line <= 2, "{requests_at_first_line} requests before the first line");
    assert_eq!(stats.requests(), pages);
}

#[test]
fn recursive_walk_lists_prefixes_concurrently() {
    let fixture = fixture();
    let (proxy, stats) =
        fixture.runtime.block_on(proxy::start_proxy(fixture.addr, Duration::from_millis(20))).expect("proxy");
    let output = s3scope()
        .args(["--endpoint-url", &format!("http://{proxy}"), "--no-sign-request", "ls", "-r", "--json"])
        .arg("s3://nasa-heasarc/chandra/")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(json_lines(&stdout(&output)).len(), keys_below("nasa-heasarc", "chandra/").len());
    let open = stats.max_open_connections.load(std::sync::atomic::Ordering::SeqCst);
    assert!(open >= 8, "only {open} connections were open at once");
}

#[test]
fn closed_stdout_ends_quietly() {
    let mut child = s3scope()
        .args(["--endpoint-url", &fixture().endpoint, "--no-sign-request", "ls"])
        .arg(format!("s3://stpubdata/{TESS_FFI_PREFIX}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    drop(reader);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn json_carries_hostile_keys_exactly_and_stays_valid() {
    let output = run(&["ls", "--recursive", "--json", &format!("s3://{EDGE_BUCKET}/")]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Every line parses, and the keys come back byte for byte.
    let keys: Vec<String> =
        json_lines(&stdout(&output)).iter().map(|l| l["key"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys, keys_below(EDGE_BUCKET, ""));
    assert!(keys.iter().any(|k| k.contains("\x1b]52;c;")) && keys.iter().any(|k| k.contains('\u{9b}')));
    assert!(!output.stdout.contains(&0x1b), "JSON escapes ESC as \\u001b");
}
