//! The copy menu's code: a Python snippet (astropy or boto3) and an `aws s3
//! cp` command, with every key quoted so it pastes back exactly.

use super::Access;
use crate::preview::looks_like_fits;
use crate::s3::S3Uri;

/// Python that opens the targets: astropy for FITS objects, boto3 otherwise.
pub(super) fn python_snippet(targets: &[S3Uri], access: &Access) -> (&'static str, String) {
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
        out.push_str(&format!("with fits.open({}, {options}) as hdul:\n    hdul.info()\n", py_str(&one.to_string())));
    } else {
        out.push_str(&format!("for uri in [\n{}]:\n", py_list_items(targets.iter().map(|t| py_str(&t.to_string())))));
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
pub(super) fn aws_cp(target: &S3Uri, access: &Access) -> String {
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
    if access.region != crate::s3::region::GLOBAL_REGION {
        words.extend(["--region".into(), shell_word(&access.region)]);
    }
    if target.is_prefix() {
        words.push("--recursive".into());
        words.push(shell_word(&target.to_string()));
        // Into ./<last name>/ here: never `..`, never a word that reads as an option.
        let dir = target.key.trim_end_matches('/').rsplit('/').next().filter(|d| !matches!(*d, "" | "." | ".."));
        words.push(shell_word(&format!("./{}/", dir.unwrap_or(&target.bucket))));
    } else {
        words.push(shell_word(&target.to_string()));
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
