//! Turning SDK errors into one clear line.
//!
//! The SDK's errors are deeply nested and their `Debug` output is a wall of
//! text. Every failure a user can meet is classified here once, so the CLI
//! and the TUI say the same plain words, and callers can tell a transient
//! failure (worth a retry) from a permanent one.

use std::error::Error as StdError;
use std::fmt;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// What went wrong, in the terms a user cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3ErrorKind {
    NoSuchBucket,
    NoSuchKey,
    AccessDenied,
    /// Signed requests, but no credentials were found.
    NoCredentials,
    /// Connection refused, DNS failure, network down.
    Unreachable,
    TimedOut,
    Throttled,
    /// `If-Match` failed: the object changed since we first saw it.
    Changed,
    /// The bucket lives in another region (301 / PermanentRedirect).
    WrongRegion,
    /// The requested range lies outside the object.
    InvalidRange,
    /// A server error (5xx) that is not throttling.
    ServerError,
    Other,
}

/// A classified S3 failure with a one-line description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Error {
    pub kind: S3ErrorKind,
    pub message: String,
}

impl S3Error {
    pub fn new(kind: S3ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// Worth retrying later: the same request may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            S3ErrorKind::Unreachable | S3ErrorKind::TimedOut | S3ErrorKind::Throttled | S3ErrorKind::ServerError
        )
    }

    /// Classifies any SDK error. `endpoint` names the server in messages.
    pub fn from_sdk<E, R>(err: &SdkError<E, R>, endpoint: &str) -> Self
    where
        E: ProvideErrorMetadata + StdError + 'static,
        R: HttpStatus + fmt::Debug + 'static,
    {
        let error = Self::classify_sdk(err, endpoint);
        tracing::warn!("{endpoint}: {:?}: {}", error.kind, error.message);
        tracing::debug!("{endpoint}: {}", aws_sdk_s3::error::DisplayErrorContext(err));
        error
    }

    fn classify_sdk<E, R>(err: &SdkError<E, R>, endpoint: &str) -> Self
    where
        E: ProvideErrorMetadata + StdError + 'static,
        R: HttpStatus + fmt::Debug + 'static,
    {
        match err {
            SdkError::ServiceError(service) => {
                let status = service.raw().status_code();
                classify_service_error(status, service.err().code(), service.err().message())
            }
            SdkError::TimeoutError(_) => Self::new(S3ErrorKind::TimedOut, format!("timed out waiting for {endpoint}")),
            SdkError::DispatchFailure(failure) => {
                if failure.is_timeout() {
                    Self::new(S3ErrorKind::TimedOut, format!("timed out connecting to {endpoint}"))
                } else if let Some(reason) = credentials_problem(err) {
                    Self::new(S3ErrorKind::NoCredentials, reason)
                } else if failure.is_io() {
                    let why = io_reason(err).unwrap_or_else(|| "connection failed".into());
                    Self::new(S3ErrorKind::Unreachable, format!("cannot reach {endpoint}: {why}"))
                } else {
                    Self::new(S3ErrorKind::Other, format!("request to {endpoint} failed: {}", innermost(err)))
                }
            }
            SdkError::ResponseError(response) => {
                let status = response.raw().status_code();
                if status >= 500 {
                    Self::new(S3ErrorKind::ServerError, format!("server error (HTTP {status})"))
                } else {
                    Self::new(S3ErrorKind::Other, format!("unreadable answer from {endpoint} (HTTP {status})"))
                }
            }
            SdkError::ConstructionFailure(_) => match credentials_problem(err) {
                Some(reason) => Self::new(S3ErrorKind::NoCredentials, reason),
                None => Self::new(S3ErrorKind::Other, format!("cannot build the request: {}", innermost(err))),
            },
            _ => Self::new(S3ErrorKind::Other, innermost(err)),
        }
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for S3Error {}

/// The HTTP status of a raw response, for the SDK's response types.
pub trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Classifies an error answer of the server from its status and S3 error code.
pub fn classify_service_error(status: u16, code: Option<&str>, message: Option<&str>) -> S3Error {
    use S3ErrorKind::*;
    let (kind, text) = match (code, status) {
        (Some("NoSuchBucket"), _) => (NoSuchBucket, "no such bucket".to_string()),
        (Some("NoSuchKey" | "NotFound"), _) => (NoSuchKey, "no such key".to_string()),
        (Some("AccessDenied" | "AllAccessDisabled" | "AccountProblem"), _) | (None, 403) => {
            (AccessDenied, "access denied".to_string())
        }
        (Some("InvalidAccessKeyId" | "SignatureDoesNotMatch" | "ExpiredToken" | "InvalidToken"), _) => {
            (AccessDenied, "access denied: the credentials were rejected".to_string())
        }
        (Some("SlowDown" | "Throttling" | "ThrottlingException" | "RequestLimitExceeded"), _) | (_, 429) => {
            (Throttled, "throttled by the server (SlowDown); try again shortly".to_string())
        }
        (Some("PreconditionFailed"), _) | (_, 412) => {
            (Changed, "the object changed while it was being read".to_string())
        }
        (Some("PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException"), _)
        | (_, 301) => (WrongRegion, "the bucket is in another region, and the answer did not say which".to_string()),
        (Some("InvalidRange"), _) | (_, 416) => (InvalidRange, "the requested range is outside the object".to_string()),
        (None, 404) => (NoSuchKey, "not found".to_string()),
        (_, 503) => (Throttled, "service unavailable (HTTP 503); try again shortly".to_string()),
        (_, s) if s >= 500 => (ServerError, format!("server error (HTTP {s})")),
        (Some(code), s) => (Other, format!("{code} (HTTP {s})")),
        (None, s) => (Other, format!("HTTP {s}")),
    };
    // Keep the server's own words where they add something, on the same line.
    let text = match message {
        Some(msg) if kind == Other && !msg.trim().is_empty() => format!("{text}: {}", one_line(msg)),
        _ => text,
    };
    S3Error::new(kind, text)
}

/// The chain of sources of an error, outermost first.
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

fn io_reason(err: &(dyn StdError + 'static)) -> Option<String> {
    chain(err).find_map(|e| e.downcast_ref::<std::io::Error>()).map(|io| match io.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
        std::io::ErrorKind::ConnectionReset => "connection reset".to_string(),
        std::io::ErrorKind::TimedOut => "timed out".to_string(),
        _ => one_line(&io.to_string()),
    })
}

fn credentials_problem(err: &(dyn StdError + 'static)) -> Option<String> {
    let text = chain(err).map(|e| e.to_string()).collect::<Vec<_>>().join(" ");
    let lower = text.to_ascii_lowercase();
    (lower.contains("credential") && (lower.contains("no credentials") || lower.contains("provider")))
        .then(|| "no AWS credentials found (use --no-sign-request for public buckets, or --profile)".to_string())
}

fn innermost(err: &(dyn StdError + 'static)) -> String {
    one_line(&chain(err).last().map(|e| e.to_string()).unwrap_or_default())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes_map_to_plain_words() {
        assert_eq!(classify_service_error(404, Some("NoSuchBucket"), None).kind, S3ErrorKind::NoSuchBucket);
        assert_eq!(classify_service_error(404, Some("NoSuchKey"), None).message, "no such key");
        assert_eq!(classify_service_error(403, None, None).kind, S3ErrorKind::AccessDenied);
        assert_eq!(classify_service_error(403, Some("AccessDenied"), Some("x")).message, "access denied");
        assert_eq!(classify_service_error(503, Some("SlowDown"), None).kind, S3ErrorKind::Throttled);
        assert_eq!(classify_service_error(412, None, None).kind, S3ErrorKind::Changed);
        assert_eq!(classify_service_error(301, None, None).kind, S3ErrorKind::WrongRegion);
        assert_eq!(classify_service_error(500, Some("InternalError"), None).kind, S3ErrorKind::ServerError);
    }

    #[test]
    fn unknown_codes_keep_the_server_message_on_one_line() {
        let e = classify_service_error(400, Some("InvalidArgument"), Some("bad\n  thing"));
        assert_eq!(e.kind, S3ErrorKind::Other);
        assert_eq!(e.message, "InvalidArgument (HTTP 400): bad thing");
    }

    #[test]
    fn transient_kinds_are_retryable() {
        assert!(S3Error::new(S3ErrorKind::Throttled, "").is_transient());
        assert!(S3Error::new(S3ErrorKind::TimedOut, "").is_transient());
        assert!(!S3Error::new(S3ErrorKind::AccessDenied, "").is_transient());
        assert!(!S3Error::new(S3ErrorKind::NoSuchKey, "").is_transient());
    }
}
