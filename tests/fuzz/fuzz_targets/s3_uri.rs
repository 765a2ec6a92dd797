//! `s3://` URIs: parsing any text, and printing what parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3scope::testing::s3::S3Uri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(uri) = S3Uri::parse(text) {
        // What parsed prints back to an equal URI, and its URLs are ASCII.
        let again = S3Uri::parse(&uri.to_string()).expect("a printed URI parses");
        assert_eq!(again, uri);
        assert!(s3scope::testing::copy_format::https_url(&uri, "us-east-1").is_ascii());
        let _ = s3scope::testing::escape::escape_for_terminal(&uri.key);
    }
});
