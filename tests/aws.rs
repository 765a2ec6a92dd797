//! S3 as AWS serves it: no `--endpoint-url`, the real host names over TLS,
//! each bucket in its home region (tests/common/aws.rs), whatever region the
//! session is configured with; proxies from the environment.

mod common;

use std::process::Output;

use common::aws::{AwsFront, BARE_400_KEY, ConnectProxy, WrongRegion, home_of, test_ca, trap};
use common::tmux::Tmux;
use common::*;
use s3scope::testing::demo::generate::{EDGE_BUCKET, PRIVATE_BUCKET, PRIVATE_FRAMES_KEY};
use s3scope::testing::demo::server::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

const LAMBDA_MAP: &str = "data/planck/maps/LFI_SkyMap_030_16_R3.00_full.fits";

/// The session regions the tests try: the default and one nothing lives in.
const CONFIGURED: [&str; 2] = ["us-east-1", "eu-central-1"];

fn run_with(front: &AwsFront, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = front.s3scope();
    command.envs(env.iter().copied());
    command.args(args).output().expect("run s3scope")
}

fn assert_ok(output: &Output) {
    assert!(output.status.success(), "exit {:?}: {}", output.status.code(), stderr(output));
}

fn signed() -> [(&'static str, &'static str); 2] {
    [("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY), ("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_KEY)]
}

/// Downloads `uri` into a fresh directory and returns the file's bytes.
fn download(front: &AwsFront, env: &[(&str, &str)], args: &[&str], uri: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec!["get", "-o", dir.path().to_str().unwrap()];
    all.extend_from_slice(args);
    all.push(uri);
    assert_ok(&run_with(front, env, &all));
    std::fs::read(dir.path().join(uri.rsplit('/').next().unwrap())).unwrap()
}

#[test]
fn us_west_2_catalog_buckets_list_preview_and_download_whatever_the_configured_region() {
    let front = AwsFront::start(WrongRegion::Redirect);
    for region in CONFIGURED {
        // By flag and by environment, as users set it.
        for (env, flags) in [(vec![], vec!["--region", region]), (vec![("AWS_REGION", region)], vec![])] {
            let ls: Vec<&str> = flags.iter().copied().chain(["ls", "s3://nasa-lambda/data/planck/maps/"]).collect();
            let output = run_with(&front, &env, &ls);
            assert_ok(&output);
            assert!(stdout(&output).contains("LFI_SkyMap_030_16_R3.00_full.fits"), "{}", stdout(&output));
        }
        let header =
            run_with(&front, &[], &["--region", region, "header", "--json", &format!("s3://nasa-lambda/{LAMBDA_MAP}")]);
        assert_ok(&header);
        let document: serde_json::Value = serde_json::from_str(&stdout(&header)).unwrap();
        assert_eq!(document["hdus"][1]["name"], "FREQ-MAP");
        let bytes = download(&front, &[], &["--region", region], &format!("s3://nasa-lambda/{LAMBDA_MAP}"));
        assert_eq!(sha256_hex(&bytes), sha256_hex(&object_bytes("nasa-lambda", LAMBDA_MAP)));
        let wise = run_with(&front, &[], &["--region", region, "ls", "--recursive", "s3://nasa-irsa-wise/wise/"]);
        assert_ok(&wise);
        assert_eq!(stdout(&wise).lines().count(), keys_below("nasa-irsa-wise", "wise/").len());
    }
    // The catalog knows the regions: not one request went astray.
    assert_eq!(front.stats.extra_answers("nasa-lambda"), 0);
    assert_eq!(front.stats.extra_answers("nasa-irsa-wise"), 0);
    let hosts = front.stats.hosts();
    assert!(
        hosts
            .iter()
            .all(|h| h == "nasa-lambda.s3.us-west-2.amazonaws.com" || h.starts_with("nasa-irsa-wise.s3.us-west-2.")),
        "{hosts:?}"
    );
}

#[test]
fn every_catalog_bucket_lists_previews_and_downloads_in_its_own_region() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let catalog = s3scope::testing::catalog::Catalog::builtin();
    for entry in &catalog.entries {
        let bucket = entry.name.as_str();
        let fits = keys_below(bucket, "").into_iter().find(|k| k.ends_with(".fits")).expect("a FITS file in each");
        let uri = format!("s3://{bucket}/{fits}");
        for region in CONFIGURED {
            let output = run_with(&front, &[("AWS_REGION", region)], &["ls", "--json", &format!("s3://{bucket}/")]);
            assert_ok(&output);
            assert!(!json_lines(&stdout(&output)).is_empty(), "{bucket}");
            let header = run_with(&front, &[("AWS_REGION", region)], &["header", "--json", &uri]);
            assert_ok(&header);
            assert!(stdout(&header).contains("\"SIMPLE\""), "{uri}");
            let bytes = download(&front, &[("AWS_REGION", region)], &[], &uri);
            assert_eq!(sha256_hex(&bytes), sha256_hex(&object_bytes(bucket, &fits)), "{uri}");
        }
        assert_eq!(front.stats.extra_answers(bucket), 0, "{bucket}");
        let host = format!("{bucket}.s3.{}.amazonaws.com", home_of(bucket).unwrap());
        assert!(front.stats.hosts().contains(&host), "{host} not asked");
    }
}

#[test]
fn a_public_bucket_of_unknown_region_is_found_with_one_redirect() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let edge = format!("s3://{EDGE_BUCKET}/");
    let output = run_with(&front, &[], &["--no-sign-request", "ls", "--json", "--recursive", &edge]);
    assert_ok(&output);
    assert_eq!(json_lines(&stdout(&output)).len(), keys_below(EDGE_BUCKET, "").len());
    assert_eq!(front.stats.extra_answers(EDGE_BUCKET), 1, "one 301 for a recursive walk of 32 listings at a time");
    let bytes = download(&front, &[], &["--no-sign-request"], &format!("{edge}files/readme.txt"));
    assert_eq!(bytes, object_bytes(EDGE_BUCKET, "files/readme.txt"));
    assert_eq!(front.stats.extra_answers(EDGE_BUCKET), 2, "each command finds it once");
    let hosts = front.stats.hosts();
    assert!(hosts.contains(&"demo-edge.s3.us-east-1.amazonaws.com".to_string()), "{hosts:?}");
    assert!(hosts.contains(&"demo-edge.s3.eu-west-1.amazonaws.com".to_string()), "{hosts:?}");
}

#[test]
fn a_bare_redirect_costs_one_head_bucket_and_no_more_even_with_requests_in_parallel() {
    let front = AwsFront::start(WrongRegion::Silent);
    let env = signed();
    // Four objects at once: four HEADs would start together.
    let dir = tempfile::tempdir().unwrap();
    let keys = ["files/readme.txt", "files/binary.bin", "dir/inside.txt", "plus+sign/a+b.txt"];
    let uris: Vec<String> = keys.iter().map(|k| format!("s3://{EDGE_BUCKET}/{k}")).collect();
    let mut args = vec!["get", "--jobs", "4", "-o", dir.path().to_str().unwrap()];
    args.extend(uris.iter().map(String::as_str));
    assert_ok(&run_with(&front, &env, &args));
    for key in keys {
        let name = key.rsplit('/').next().unwrap();
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), object_bytes(EDGE_BUCKET, key), "{key}");
    }
    assert_eq!(front.stats.extra_answers(EDGE_BUCKET), 2, "a bare 301, then a HeadBucket names the region");
    // A recursive walk (32 listings at a time), then 6 parts of 256 KiB, 4 at once.
    let prefix = format!("s3://{PRIVATE_BUCKET}/observations/");
    let out = tempfile::tempdir().unwrap();
    let args = ["get", "--recursive", "--part-size", "262144", "-o", out.path().to_str().unwrap(), &prefix];
    assert_ok(&run_with(&front, &env, &args));
    let file = out.path().join(PRIVATE_FRAMES_KEY.strip_prefix("observations/").unwrap());
    assert_eq!(
        sha256_hex(&std::fs::read(file).unwrap()),
        sha256_hex(&object_bytes(PRIVATE_BUCKET, PRIVATE_FRAMES_KEY))
    );
    assert_eq!(front.stats.extra_answers(PRIVATE_BUCKET), 2);
}

#[test]
fn a_private_bucket_in_us_west_2_lists_and_downloads_with_credentials_from_the_environment() {
    for mode in [WrongRegion::Redirect, WrongRegion::Malformed] {
        let front = AwsFront::start(mode);
        let env = signed();
        let extra = || front.stats.extra_answers(PRIVATE_BUCKET);
        let output = run_with(&front, &env, &["--region", "us-east-1", "ls", "-r", &format!("s3://{PRIVATE_BUCKET}/")]);
        assert_ok(&output);
        assert!(stdout(&output).contains("proposals/cycle-27/draft.txt"), "{mode:?}: {}", stdout(&output));
        assert_eq!(extra(), 1, "{mode:?}: the listing's answer named the region");
        let uri = format!("s3://{PRIVATE_BUCKET}/{PRIVATE_FRAMES_KEY}");
        let bytes = download(&front, &env, &["--region", "us-east-1", "--part-size", "262144"], &uri);
        assert_eq!(sha256_hex(&bytes), sha256_hex(&object_bytes(PRIVATE_BUCKET, PRIVATE_FRAMES_KEY)), "{mode:?}");
        // A HEAD's 301 carries the header; its 400 carries nothing, so a HeadBucket asks.
        let expected = if mode == WrongRegion::Redirect { 2 } else { 3 };
        assert_eq!(extra(), expected, "{mode:?}: at most two extra answers for the download");
        // Anonymous, the bucket is found and then refused: the error says where.
        let denied = run_with(&front, &[], &["--no-sign-request", "ls", &format!("s3://{PRIVATE_BUCKET}/")]);
        assert_one_line_error(&denied, 1, "access denied (bucket in us-west-2)");
    }
}

#[test]
fn a_connect_proxy_from_https_proxy_carries_every_request_and_no_proxy_bypasses_it() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let proxy = ConnectProxy::start(front.addr);
    let (trap, trapped) = trap();
    let proxy_url = format!("http://{}", proxy.addr);
    // Direct connections would land in the trap: only the proxy reaches the front.
    let direct_to_trap = format!("*.amazonaws.com::127.0.0.1:{}", trap.port());
    for variable in ["HTTPS_PROXY", "https_proxy"] {
        let env = [(variable, proxy_url.as_str()), ("S3SCOPE_CONNECT_TO", direct_to_trap.as_str())];
        let output = run_with(&front, &env, &["ls", "s3://nasa-lambda/data/planck/maps/"]);
        assert_ok(&output);
        assert!(stdout(&output).contains("README.txt"));
    }
    let uri = format!("s3://nasa-lambda/{LAMBDA_MAP}");
    let env = [("HTTPS_PROXY", proxy_url.as_str()), ("S3SCOPE_CONNECT_TO", direct_to_trap.as_str())];
    assert_eq!(download(&front, &env, &[], &uri), object_bytes("nasa-lambda", LAMBDA_MAP));
    let targets = proxy.targets();
    assert!(targets.len() >= 3, "{targets:?}");
    assert!(targets.iter().all(|t| t == "nasa-lambda.s3.us-west-2.amazonaws.com:443"), "{targets:?}");
    assert_eq!(trapped.load(std::sync::atomic::Ordering::SeqCst), 0, "a request went around the proxy");

    // NO_PROXY: straight to the front, the proxy sees nothing new.
    let before = proxy.targets().len();
    for no_proxy in [".amazonaws.com", "amazonaws.com", "*"] {
        let env = [("HTTPS_PROXY", proxy_url.as_str()), ("NO_PROXY", no_proxy)];
        assert_ok(&run_with(&front, &env, &["ls", "s3://nasa-lambda/"]));
    }
    assert_eq!(proxy.targets().len(), before, "NO_PROXY hosts bypass the proxy");

    // A server on loopback (the demo) is reached directly whatever the proxies say.
    let trap_url = format!("http://{trap}");
    let mut command = s3scope();
    for variable in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"] {
        command.env(variable, &trap_url);
    }
    let output = command.args(["--endpoint-url", &fixture().endpoint, "--no-sign-request", "ls", "s3://nasa-heasarc/"]);
    assert_ok(&output.output().unwrap());
    assert_eq!(trapped.load(std::sync::atomic::Ordering::SeqCst), 0, "the demo went through a proxy");
}

#[test]
fn tls_is_verified_against_the_system_roots_or_aws_ca_bundle() {
    let front = AwsFront::start(WrongRegion::Redirect);
    // Trusting another CA only, the certificate is refused, in one line.
    let mut command = front.s3scope();
    command.env("SSL_CERT_FILE", &test_ca().other_cert_file);
    let output = command.args(["ls", "s3://nasa-heasarc/"]).output().unwrap();
    assert_one_line_error(&output, 1, "listing s3://nasa-heasarc/");
    assert!(stderr(&output).to_lowercase().contains("certificate"), "{}", stderr(&output));
    // AWS_CA_BUNDLE, as the aws CLI reads it, replaces the system's roots.
    let mut command = front.s3scope();
    command.env_remove("SSL_CERT_FILE").env("AWS_CA_BUNDLE", &test_ca().cert_file);
    assert_ok(&command.args(["ls", "s3://nasa-heasarc/"]).output().unwrap());
    let output = run_with(&front, &[("AWS_CA_BUNDLE", "/nonexistent/bundle.pem")], &["ls", "s3://nasa-heasarc/"]);
    assert_one_line_error(&output, 2, "reading the CA bundle /nonexistent/bundle.pem");
}

#[test]
fn ls_of_the_catalog_says_where_each_archive_lives() {
    let catalog = json_lines(&stdout(&run(&["ls", "--json"])));
    for (bucket, region) in
        [("nasa-lambda", "us-west-2"), ("nasa-heasarc", "us-east-1"), ("nasa-irsa-spitzer", "us-west-2")]
    {
        let line = catalog.iter().find(|l| l["name"] == bucket).unwrap();
        assert_eq!(line["region"], region, "{bucket}");
    }
}

#[test]
fn a_bare_400_to_a_head_from_the_buckets_own_region_is_not_taken_for_a_redirect() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("s3://{EDGE_BUCKET}/{BARE_400_KEY}");
    let args = ["--no-sign-request", "--region", "eu-west-1", "get", "-o", dir.path().to_str().unwrap(), &uri];
    let output = run_with(&front, &[], &args);
    assert_one_line_error(&output, 1, &format!("downloading {uri}: HTTP 400"));
    assert!(!stderr(&output).contains("region"), "{}", stderr(&output));
    assert_eq!(front.stats.extra_answers(EDGE_BUCKET), 1, "one HeadBucket asked, and named the region asked");
}

#[test]
fn bad_network_settings_are_one_line_errors() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n").unwrap();
    let output = run_with(&front, &[("AWS_CA_BUNDLE", garbage.to_str().unwrap())], &["ls", "s3://nasa-heasarc/"]);
    assert_one_line_error(&output, 2, "cannot be a root");
    let output = run_with(&front, &[("HTTPS_PROXY", "ftp://proxy.example.org")], &["ls", "s3://nasa-heasarc/"]);
    assert_one_line_error(&output, 2, "HTTPS_PROXY 'ftp://proxy.example.org'");
    let output = run_with(&front, &[("S3SCOPE_CONNECT_TO", "nonsense")], &["ls", "s3://nasa-heasarc/"]);
    assert_one_line_error(&output, 2, "bad --connect-to 'nonsense'");
}

#[test]
fn connect_to_moves_a_server_named_by_its_address() {
    // 127.0.0.2 listens to nothing: only the rule makes the listing work.
    let port = fixture().addr.port();
    let rule = format!("127.0.0.2:9:127.0.0.1:{port}");
    let args = [
        "--endpoint-url",
        "http://127.0.0.2:9",
        "--no-sign-request",
        "--connect-to",
        &rule,
        "ls",
        "s3://nasa-heasarc/",
    ];
    let output = s3scope().args(args).output().unwrap();
    assert_ok(&output);
    assert!(stdout(&output).contains("PRE chandra/"));
}

#[test]
fn the_explorer_opens_a_us_west_2_archive_and_finds_an_unknown_bucket_in_tmux() {
    let front = AwsFront::start(WrongRegion::Redirect);
    let home = std::env::temp_dir().join(format!("s3scope-aws-tui-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let env = format!(
        "AWS_REGION=eu-central-1 SSL_CERT_FILE={} S3SCOPE_CONNECT_TO='{}'",
        test_ca().cert_file.display(),
        front.connect_to()
    );
    let command = command_line_with(&home, &env, "--no-sign-request");
    let tmux = Tmux::start(&command, 100, 30);
    let wait = std::time::Duration::from_secs(10);
    tmux.wait_for("nasa-lambda/", wait);
    // The second row of the catalog: LAMBDA, in us-west-2 whatever AWS_REGION says.
    tmux.keys(&["j", "Enter"]);
    let screen = tmux.wait_for("▸ data/", wait);
    assert!(screen.contains("anon us-west-2"), "{screen}");
    // A bucket nothing knows, pasted whole into the prefilled jump line.
    tmux.keys(&[":"]);
    tmux.wait_for("s3://nasa-lambda/", wait);
    tmux.paste("s3://demo-edge/files/readme.txt");
    tmux.keys(&["Enter"]);
    // The listing found the region; the preview is read there too.
    let screen = tmux.wait_for("The demo-edge bucket holds keys", wait);
    assert!(screen.contains("s3://demo-edge/files/readme.txt") && screen.contains("anon eu-west-1"), "{screen}");
    assert!(!screen.contains("not found"), "{screen}");
    assert_eq!(front.stats.extra_answers("nasa-lambda"), 0);
    assert_eq!(front.stats.extra_answers(EDGE_BUCKET), 1, "one redirect for the listing, the preview and the rest");
    tmux.keys(&["q"]);
    assert!(tmux.wait_for("EXIT=", wait).contains("EXIT=0"));
}
