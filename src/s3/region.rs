//! What an S3 error answer says about where a bucket lives.
//!
//! S3 names a bucket's region in several ways, as the aws CLI reads them:
//! the `x-amz-bucket-region` header (on 301, 400 and 403 answers and on every
//! HeadBucket), a `301 PermanentRedirect` whose XML names the endpoint to
//! use, and a `400 AuthorizationHeaderMalformed` (signed for the wrong
//! region) whose XML names the expected `<Region>`. An answer to a HEAD has
//! no body: a 301 or 400 there may say nothing but its status. Pure
//! functions; the clients act on them.

/// The region of S3's global endpoint (`s3.amazonaws.com`) and of
/// buckets nothing else places.
pub const GLOBAL_REGION: &str = "us-east-1";

/// What an error answer says about the bucket's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionHint {
    /// The bucket lives in this region, not the one asked.
    In(String),
    /// The bucket lives elsewhere, but the answer does not say where.
    Elsewhere,
}

/// The parts of an error answer that can speak of regions.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorAnswer<'a> {
    pub status: u16,
    /// The `x-amz-bucket-region` header.
    pub bucket_region: Option<&'a str>,
    /// The S3 error code from the XML body.
    pub code: Option<&'a str>,
    pub body: &'a [u8],
}

/// Reads `answer`, an error to a request sent to region `asked`. `None`:
/// the answer is about something else (a real access denied, say). Off AWS
/// (`on_aws` false) a 403 naming a region is taken as it stands: other
/// servers send the header with their own meanings.
pub fn hint(answer: &ErrorAnswer<'_>, asked: &str, on_aws: bool) -> Option<RegionHint> {
    let body = std::str::from_utf8(answer.body).unwrap_or("");
    // The region the answer states outright (header, else `<Region>`).
    let stated =
        answer.bucket_region.and_then(valid_region).or_else(|| xml_value(body, "Region").and_then(valid_region));
    let names_asked = stated.as_deref() == Some(asked);
    let named =
        stated.or_else(|| xml_value(body, "Endpoint").and_then(region_of_host)).filter(|region| region != asked);
    let says_elsewhere = matches!(answer.status, 301 | 302 | 307)
        || matches!(
            answer.code,
            Some(
                "PermanentRedirect"
                    | "TemporaryRedirect"
                    | "AuthorizationHeaderMalformed"
                    | "IllegalLocationConstraintException"
            )
        )
        // A HEAD answered 400 without a body: possibly signed for the wrong region.
        || (answer.status == 400 && answer.code.is_none() && answer.body.is_empty());
    let header_alone = on_aws && answer.bucket_region.is_some();
    match named {
        Some(region) if !same_partition(&region, asked) => None,
        Some(region) if says_elsewhere || header_alone => Some(RegionHint::In(region)),
        // Naming the region asked, the answer is not about regions.
        _ if says_elsewhere && !names_asked => Some(RegionHint::Elsewhere),
        _ => None,
    }
}

/// The AWS partition of a region: a region found by asking never takes the
/// requests to another partition's hosts (`amazonaws.com.cn`, the ISO ones).
fn partition(region: &str) -> &str {
    ["cn-", "us-gov-", "us-isob-", "us-iso-", "eu-isoe-", "us-isof-"]
        .into_iter()
        .find(|prefix| region.starts_with(prefix))
        .unwrap_or("aws")
}

/// True when both regions are in one partition.
pub fn same_partition(a: &str, b: &str) -> bool {
    partition(a) == partition(b)
}

/// A region name as S3 writes them (`us-west-2`, `eu-central-1`), checked
/// before it ever becomes part of a host name.
pub fn valid_region(text: &str) -> Option<String> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text.len() <= 32
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-');
    ok.then(|| text.to_string())
}

/// The text of the first `<tag>…</tag>` of an XML error body.
fn xml_value<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let len = body[start..].find(&format!("</{tag}>"))?;
    Some(&body[start..start + len])
}

/// The region in an S3 host name: `bucket.s3.us-west-2.amazonaws.com`,
/// `bucket.s3-us-west-2.amazonaws.com`, `s3.dualstack.eu-west-1.amazonaws.com`;
/// the global `s3.amazonaws.com` and `s3-external-1` are us-east-1.
pub fn region_of_host(host: &str) -> Option<String> {
    split_s3_host(host).map(|host| host.region)
}

/// An S3 host name taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Host {
    /// The bucket of a virtual-hosted name.
    pub bucket: Option<String>,
    pub region: String,
}

/// Takes an S3 host name apart (a port is ignored); `None` for any other name.
pub fn split_s3_host(host: &str) -> Option<S3Host> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.rsplit_once(':').filter(|(_, port)| port.parse::<u16>().is_ok()).map_or(host.as_str(), |(h, _)| h);
    let stem = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = stem.split('.').collect();
    let s3 = labels.iter().rposition(|l| *l == "s3" || l.starts_with("s3-"))?;
    let after: Vec<&str> = labels[s3 + 1..].iter().copied().filter(|l| *l != "dualstack").collect();
    // Website endpoints: `s3-website-us-east-1`, `s3-website.eu-west-1`.
    let label = match labels[s3] {
        "s3-website" => "s3".to_string(),
        label => label.replacen("s3-website-", "s3-", 1),
    };
    let region = match (label.strip_prefix("s3-"), after.as_slice()) {
        (Some("external-1"), _) => GLOBAL_REGION,
        (Some(region), []) => region,
        (None, []) => GLOBAL_REGION,
        (None, [region]) => region,
        _ => return None,
    };
    let bucket = (s3 > 0).then(|| labels[..s3].join("."));
    Some(S3Host { bucket, region: valid_region(region)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>\
        <Message>The bucket you are attempting to access must be addressed using the specified endpoint. \
        Please send all future requests to this endpoint.</Message>\
        <Endpoint>nasa-lambda.s3-us-west-2.amazonaws.com</Endpoint><Bucket>nasa-lambda</Bucket>\
        <RequestId>X</RequestId><HostId>Y</HostId></Error>";

    const MALFORMED: &str = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is \
        malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>";

    fn answer<'a>(status: u16, header: Option<&'a str>, code: Option<&'a str>, body: &'a str) -> ErrorAnswer<'a> {
        ErrorAnswer { status, bucket_region: header, code, body: body.as_bytes() }
    }

    #[test]
    fn a_permanent_redirect_names_the_region_by_header_or_by_endpoint() {
        let with_header = answer(301, Some("us-west-2"), Some("PermanentRedirect"), REDIRECT);
        assert_eq!(hint(&with_header, "us-east-1", true), Some(RegionHint::In("us-west-2".into())));
        let body_only = answer(301, None, Some("PermanentRedirect"), REDIRECT);
        assert_eq!(hint(&body_only, "us-east-1", true), Some(RegionHint::In("us-west-2".into())));
        let head = answer(301, Some("us-west-2"), None, "");
        assert_eq!(hint(&head, "eu-central-1", true), Some(RegionHint::In("us-west-2".into())));
        let bare = answer(301, None, None, "");
        assert_eq!(hint(&bare, "us-east-1", true), Some(RegionHint::Elsewhere));
    }

    #[test]
    fn a_request_signed_for_the_wrong_region_names_the_right_one() {
        let malformed = answer(400, None, Some("AuthorizationHeaderMalformed"), MALFORMED);
        assert_eq!(hint(&malformed, "us-east-1", true), Some(RegionHint::In("eu-west-1".into())));
        let head = answer(400, Some("eu-west-1"), None, "");
        assert_eq!(hint(&head, "us-east-1", true), Some(RegionHint::In("eu-west-1".into())));
        let silent_head = answer(400, None, None, "");
        assert_eq!(hint(&silent_head, "us-east-1", true), Some(RegionHint::Elsewhere));
    }

    #[test]
    fn a_denial_from_elsewhere_is_a_region_hint_and_from_here_is_not() {
        let elsewhere =
            answer(403, Some("us-west-2"), Some("AccessDenied"), "<Error><Code>AccessDenied</Code></Error>");
        assert_eq!(hint(&elsewhere, "us-east-1", true), Some(RegionHint::In("us-west-2".into())));
        assert_eq!(hint(&elsewhere, "us-west-2", true), None, "a real access denied");
        assert_eq!(hint(&elsewhere, "us-east-1", false), None, "off AWS a 403 is a 403");
        let plain = answer(403, None, Some("AccessDenied"), "<Error><Code>AccessDenied</Code></Error>");
        assert_eq!(hint(&plain, "us-east-1", true), None);
        assert_eq!(hint(&answer(404, None, Some("NoSuchKey"), ""), "us-east-1", true), None);
        assert_eq!(hint(&answer(400, None, Some("InvalidArgument"), "<Error/>"), "us-east-1", true), None);
        let same = answer(301, Some("us-east-1"), Some("PermanentRedirect"), "");
        assert_eq!(hint(&same, "us-east-1", true), None, "naming the region asked says nothing new");
    }

    #[test]
    fn a_region_from_an_answer_must_look_like_one() {
        for bad in ["evil.example.org/x", "US-WEST-2", "", "-x", "a".repeat(40).as_str(), "us west"] {
            let hostile = answer(301, Some(bad), Some("PermanentRedirect"), "");
            assert_eq!(hint(&hostile, "us-east-1", true), Some(RegionHint::Elsewhere), "{bad:?}");
        }
        assert_eq!(valid_region(" ap-southeast-2 "), Some("ap-southeast-2".into()));
        // Never to another partition's hosts.
        let china = answer(301, Some("cn-north-1"), Some("PermanentRedirect"), "");
        assert_eq!(hint(&china, "us-east-1", true), None);
        assert!(same_partition("us-west-2", "eu-central-1") && !same_partition("us-gov-west-1", "us-west-2"));
    }

    #[test]
    fn regions_of_s3_host_names() {
        let cases = [
            ("nasa-lambda.s3.us-west-2.amazonaws.com", Some("us-west-2")),
            ("nasa-lambda.s3-us-west-2.amazonaws.com", Some("us-west-2")),
            ("s3.eu-central-1.amazonaws.com", Some("eu-central-1")),
            ("x.s3.dualstack.eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("nasa-heasarc.s3.amazonaws.com", Some("us-east-1")),
            ("s3.amazonaws.com", Some("us-east-1")),
            ("b.s3-external-1.amazonaws.com", Some("us-east-1")),
            ("b.s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
            ("b.s3.us-west-2.amazonaws.com:443", Some("us-west-2")),
            ("127.0.0.1", None),
            ("s3.example.org", None),
            ("b.s3.a.b.amazonaws.com", None),
            ("b.s3-website-us-east-1.amazonaws.com", Some("us-east-1")),
            ("b.s3-website.eu-west-1.amazonaws.com", Some("eu-west-1")),
        ];
        for (host, region) in cases {
            assert_eq!(region_of_host(host).as_deref(), region, "{host}");
        }
        let dotted = split_s3_host("my.data.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!((dotted.bucket.as_deref(), dotted.region.as_str()), (Some("my.data"), "eu-west-1"));
        let path_style = split_s3_host("s3.us-west-2.amazonaws.com:443").unwrap();
        assert_eq!((path_style.bucket, path_style.region.as_str()), (None, "us-west-2"));
    }
}
