//! S3 as AWS serves it, on loopback: the demo archive behind AWS's real
//! host names (`nasa-lambda.s3.us-west-2.amazonaws.com`) over TLS with a
//! test CA, each bucket in a home region, and requests sent to the wrong
//! region answered as S3 answers them:
//!
//! - at the wrong regional host, `301 PermanentRedirect` with
//!   `x-amz-bucket-region` and (but for HEAD) an XML body naming the endpoint;
//! - signed for the wrong region, `400 AuthorizationHeaderMalformed` naming
//!   the expected `<Region>`;
//! - every HeadBucket answer carries `x-amz-bucket-region`.
//!
//! The binary reaches it by `--connect-to` (curl's option: connect to
//! 127.0.0.1 for `*.amazonaws.com`, keep the name for TLS and `Host`) and
//! trusts the test CA through `SSL_CERT_FILE`. No request leaves loopback.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use s3scope::testing::demo::server::service;
use s3scope::testing::s3::region::split_s3_host;
use tokio::net::{TcpListener, TcpStream};

use super::{fixture, s3scope};

/// Regions of the test's "AWS": the catalog's, plus buckets it does not know.
pub const REGIONS: [&str; 5] = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

/// Home regions of the demo archive's buckets: the archives' as the AWS Open
/// Data Registry's dataset files give them (written here, not read from the
/// catalog, so that a wrong catalog region costs redirects a test sees); the
/// edge bucket (public, not in the catalog) lives in eu-west-1 and the
/// private one in us-west-2.
pub fn home_of(bucket: &str) -> Option<String> {
    let home = match bucket {
        "nasa-heasarc" | "stpubdata" | "nasa-irsa-euclid-q1" | "nasa-irsa-spherex" => "us-east-1",
        "nasa-irsa-simulations" | "ipac-irsa-ztf" => "us-east-1",
        "nasa-lambda" | "nasa-irsa-wise" | "nasa-irsa-spitzer" => "us-west-2",
        "demo-edge" => "eu-west-1",
        "demo-private" => "us-west-2",
        _ => return None,
    };
    Some(home.to_string())
}

/// A key whose HEAD the front answers with a bare 400 from the bucket's own
/// region, as S3 answers a HEAD of an SSE-C object sent without its key.
pub const BARE_400_KEY: &str = "files/sse-c-encrypted.bin";

/// The test CA (its certificate in a PEM file) and the server's TLS set-up.
pub struct TestCa {
    pub cert_file: PathBuf,
    /// Another CA, which signed nothing the front shows: trusting only it,
    /// TLS must fail whatever roots the machine has.
    pub other_cert_file: PathBuf,
    server: Arc<rustls::ServerConfig>,
    _dir: tempfile::TempDir,
}

/// Made once per test binary: a CA, and a certificate for S3's host names in [`REGIONS`].
pub fn test_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "s3scope test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let mut other = CertificateParams::new(Vec::<String>::new()).unwrap();
        other.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        other.distinguished_name.push(DnType::CommonName, "s3scope other CA");
        let other_cert = other.self_signed(&KeyPair::generate().unwrap()).unwrap();
        let mut names = vec!["s3.amazonaws.com".to_string(), "*.s3.amazonaws.com".to_string()];
        for region in REGIONS {
            names.push(format!("s3.{region}.amazonaws.com"));
            names.push(format!("*.s3.{region}.amazonaws.com"));
        }
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(names).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "s3.amazonaws.com");
        let leaf_cert = leaf.signed_by(&leaf_key, &Issuer::from_params(&ca, &ca_key)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cert_file = dir.path().join("test-ca.pem");
        std::fs::write(&cert_file, ca_cert.pem()).unwrap();
        let other_cert_file = dir.path().join("other-ca.pem");
        std::fs::write(&other_cert_file, other_cert.pem()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone(), ca_cert.der().clone()], key)
            .unwrap();
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        TestCa { cert_file, other_cert_file, server: Arc::new(server), _dir: dir }
    })
}

/// How the front answers a request for a bucket sent to the wrong region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongRegion {
    /// As S3's regional endpoints: 301 with the header (and a body, but for HEAD).
    Redirect,
    /// A bare 301, no header, no body: only a HeadBucket tells the region.
    Silent,
    /// As S3's global endpoint: a signed request is refused with
    /// 400 AuthorizationHeaderMalformed naming the region in its XML (a
    /// HEAD's answer has none: a HeadBucket must ask).
    Malformed,
}

/// What the front saw.
#[derive(Debug, Default)]
pub struct FrontStats {
    pub requests: AtomicU64,
    /// Wrong-region answers (301, 400) and HeadBucket requests, by bucket.
    extra: Mutex<HashMap<String, u64>>,
    /// Every Host header, in order.
    hosts: Mutex<Vec<String>>,
}

impl FrontStats {
    /// Answers beyond the requests themselves that a bucket cost: wrong-region answers and HeadBuckets.
    pub fn extra_answers(&self, bucket: &str) -> u64 {
        self.extra.lock().unwrap().get(bucket).copied().unwrap_or(0)
    }

    pub fn hosts(&self) -> Vec<String> {
        self.hosts.lock().unwrap().clone()
    }

    fn count_extra(&self, bucket: &str) {
        *self.extra.lock().unwrap().entry(bucket.to_string()).or_default() += 1;
    }
}

/// A running front: S3 for the host names of AWS, on 127.0.0.1.
pub struct AwsFront {
    pub addr: SocketAddr,
    pub stats: Arc<FrontStats>,
}

impl AwsFront {
    /// Starts a front with its own counters over the shared demo archive.
    pub fn start(mode: WrongRegion) -> Self {
        let fixture = fixture();
        let store = fixture.store.clone();
        let stats = Arc::new(FrontStats::default());
        let tls = tokio_rustls::TlsAcceptor::from(test_ca().server.clone());
        let counters = stats.clone();
        let s3 = fixture.runtime.block_on(async { service(store) });
        let addr = serve_loopback(move |socket| {
            let (tls, s3, stats) = (tls.clone(), s3.clone(), counters.clone());
            async move {
                let Ok(stream) = tls.accept(socket).await else { return };
                let answer = hyper::service::service_fn(move |request| {
                    let (s3, stats) = (s3.clone(), stats.clone());
                    async move { answer(request, &s3, &stats, mode).await }
                });
                let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = http.serve_connection(TokioIo::new(stream), answer).await;
            }
        });
        Self { addr, stats }
    }

    /// The `--connect-to` rule that sends AWS's names here.
    pub fn connect_to(&self) -> String {
        format!("*.amazonaws.com::127.0.0.1:{}", self.addr.port())
    }

    /// `s3scope` reaching "AWS" here: no `--endpoint-url`, the real host
    /// names, TLS verified against the test CA.
    pub fn s3scope(&self) -> Command {
        let mut command = s3scope();
        command.env("SSL_CERT_FILE", &test_ca().cert_file).env("S3SCOPE_CONNECT_TO", self.connect_to());
        command
    }
}

/// The parts of a request that decide the answer.
struct Asked {
    bucket: String,
    /// The region of the host the request reached.
    host_region: String,
    /// The region the request was signed for, if signed.
    signed_for: Option<String>,
    head: bool,
    head_bucket: bool,
    virtual_hosted: bool,
}

fn asked(request: &Request<Incoming>) -> Option<Asked> {
    let host = request.headers().get("host")?.to_str().ok()?;
    let s3_host = split_s3_host(host)?;
    let path = request.uri().path();
    let (bucket, rest) = match &s3_host.bucket {
        Some(bucket) => (bucket.clone(), path.trim_start_matches('/').to_string()),
        None => {
            let trimmed = path.trim_start_matches('/');
            let (bucket, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
            (bucket.to_string(), rest.to_string())
        }
    };
    // DNS sends a virtual-hosted name of the global endpoint to the bucket's home region.
    let global_virtual = s3_host.bucket.is_some() && host.split(':').next()?.ends_with(".s3.amazonaws.com");
    let host_region = match home_of(&bucket) {
        Some(home) if global_virtual => home,
        _ => s3_host.region.clone(),
    };
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let signed_for =
        authorization.split("Credential=").nth(1).and_then(|scope| scope.split('/').nth(2)).map(str::to_string);
    let head = request.method() == hyper::Method::HEAD;
    let query = request.uri().query().unwrap_or("");
    Some(Asked {
        head_bucket: head && rest.is_empty() && query.is_empty(),
        head,
        bucket,
        host_region,
        signed_for,
        virtual_hosted: s3_host.bucket.is_some(),
    })
}

type Answer = Result<Response<s3s::Body>, s3s::HttpError>;

async fn answer(
    request: Request<Incoming>,
    s3: &s3s::service::S3Service,
    stats: &FrontStats,
    mode: WrongRegion,
) -> Answer {
    stats.requests.fetch_add(1, Ordering::SeqCst);
    let host = request.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    stats.hosts.lock().unwrap().push(host);
    let Some(asked) = asked(&request) else {
        return Ok(error(400, "InvalidRequest", "not an S3 host name", None, false));
    };
    let Some(home) = home_of(&asked.bucket) else {
        return hyper::service::Service::call(s3, request).await;
    };
    if asked.head_bucket {
        stats.count_extra(&asked.bucket);
    }
    let signed_elsewhere = asked.signed_for.as_ref().is_some_and(|r| *r != home);
    if asked.host_region == home
        && !signed_elsewhere
        && let Some(response) = special(&request)
    {
        return Ok(response);
    }
    if asked.host_region != home {
        if !asked.head_bucket {
            stats.count_extra(&asked.bucket);
        }
        if mode == WrongRegion::Malformed && signed_elsewhere && !asked.head_bucket {
            return Ok(malformed(&home, asked.head));
        }
        if mode == WrongRegion::Silent && !asked.head_bucket {
            return Ok(error(301, "PermanentRedirect", "", None, true));
        }
        let endpoint = if asked.virtual_hosted {
            format!("{}.s3-{home}.amazonaws.com", asked.bucket)
        } else {
            format!("s3.{home}.amazonaws.com")
        };
        let message = "The bucket you are attempting to access must be addressed using the specified endpoint. \
                       Please send all future requests to this endpoint.";
        let extra = format!("<Endpoint>{endpoint}</Endpoint><Bucket>{}</Bucket>", asked.bucket);
        return Ok(in_region(error(301, "PermanentRedirect", message, Some(&extra), asked.head), &home));
    }
    if signed_elsewhere {
        if !asked.head_bucket {
            stats.count_extra(&asked.bucket);
        }
        let response = malformed(&home, asked.head);
        return Ok(if asked.head_bucket { in_region(response, &home) } else { response });
    }
    let response = hyper::service::Service::call(s3, request).await?;
    Ok(if asked.head_bucket { in_region(response, &home) } else { response })
}

/// The answer with `x-amz-bucket-region: home`.
fn in_region(mut response: Response<s3s::Body>, home: &str) -> Response<s3s::Body> {
    response.headers_mut().insert("x-amz-bucket-region", home.parse().unwrap());
    response
}

/// The answers that have nothing to do with regions, before the S3 server's.
fn special(request: &Request<Incoming>) -> Option<Response<s3s::Body>> {
    let head = request.method() == hyper::Method::HEAD;
    (head && request.uri().path().ends_with(BARE_400_KEY)).then(|| error(400, "", "", None, true))
}

/// The region is named in the XML body only: a HEAD's answer says nothing.
fn malformed(home: &str, head: bool) -> Response<s3s::Body> {
    let message = format!("The authorization header is malformed; the region is wrong; expecting '{home}'");
    let extra = format!("<Region>{home}</Region>");
    error(400, "AuthorizationHeaderMalformed", &message, Some(&extra), head)
}

/// An S3 error answer; HEAD answers carry no body.
fn error(status: u16, code: &str, message: &str, extra: Option<&str>, bare: bool) -> Response<s3s::Body> {
    let body = if bare {
        String::new()
    } else {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{}\
             <RequestId>0A1B2C3D4E5F6789</RequestId><HostId>test-front</HostId></Error>",
            extra.unwrap_or("")
        )
    };
    let mut response = Response::new(s3s::Body::from(body));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert("content-type", "application/xml".parse().unwrap());
    response
}

/// A CONNECT proxy on 127.0.0.1: it opens every tunnel to `upstream`
/// (it resolves all names there), and records the targets asked for.
pub struct ConnectProxy {
    pub addr: SocketAddr,
    pub targets: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start(upstream: SocketAddr) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = targets.clone();
        let addr = serve_loopback(move |mut client| {
            let seen = seen.clone();
            async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let Some(target) = head.strip_prefix("CONNECT ").and_then(|r| r.split(' ').next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n").await;
                    return;
                };
                seen.lock().unwrap().push(target.to_string());
                let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_err() {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
        });
        Self { addr, targets }
    }

    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

/// A listener that counts the connections made to it and closes them: where
/// requests land that should have gone another way.
pub fn trap() -> (SocketAddr, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    let addr = serve_loopback(move |socket| {
        seen.fetch_add(1, Ordering::SeqCst);
        drop(socket);
        std::future::ready(())
    });
    (addr, count)
}

/// Listens on a free port of 127.0.0.1, on the fixture's runtime, and runs
/// `handle` on every connection in a task of its own.
fn serve_loopback<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fixture().runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(handle(socket));
            }
        });
        addr
    })
}
