//! How connections are made: the HTTP client under every S3 client.
//!
//! - Proxies come from the environment as the aws CLI reads them
//!   (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower
//!   case); the SDK's default client ignores them. A client carries the
//!   traffic of one scheme through its proxy: S3 on AWS is https, so the
//!   credential chain's plain-http calls (the EC2 and ECS metadata
//!   services) stay direct. A server on loopback (the demo) is always
//!   reached directly.
//! - TLS trusts the system's roots (`SSL_CERT_FILE` and `SSL_CERT_DIR` are
//!   honoured), or only the PEM bundle of `AWS_CA_BUNDLE`, like the aws CLI.
//! - `--connect-to HOST:PORT:ADDR:PORT2` sends direct connections for a
//!   host to another address, as curl's option does, keeping the host name
//!   for TLS and the `Host` header: an SSH tunnel to S3, or a test server
//!   answering for AWS's real host names. The first rule whose HOST matches
//!   decides: its ADDR serves the host on any port (name resolution knows no
//!   port), its PORT2 replaces PORT only. (An HTTP/2 server would see the
//!   new port in `:authority`; S3 speaks HTTP/1.1.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use hyper_util::client::proxy::matcher::Matcher;

/// Network settings of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkOptions {
    pub connect_to: Vec<ConnectTo>,
    /// Trust only the certificates of this PEM file (`AWS_CA_BUNDLE`).
    pub ca_bundle: Option<PathBuf>,
}

/// Which hosts a `--connect-to` rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.example.org`: any name ending in `.example.org`.
    Suffix(String),
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match self {
            HostPattern::Any => true,
            HostPattern::Exact(name) => host == *name,
            HostPattern::Suffix(suffix) => host.ends_with(suffix.as_str()),
        }
    }
}

/// One `--connect-to` rule, `HOST:PORT:ADDR:PORT2` as curl writes it: an
/// empty HOST (or `*`) is any host, `*.domain` any name below the domain,
/// an empty PORT any port, an empty ADDR or PORT2 keeps the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    host: HostPattern,
    port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
}

impl FromStr for ConnectTo {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("bad --connect-to '{text}': {why} (expected HOST:PORT:ADDR:PORT2)");
        let parts = split_rule(text).ok_or_else(|| bad("unbalanced brackets"))?;
        let [host, port, to_host, to_port] = parts.as_slice() else {
            return Err(bad("it needs four fields"));
        };
        let port_of = |field: &str| -> Result<Option<u16>, String> {
            if field.is_empty() {
                return Ok(None);
            }
            field.parse::<u16>().ok().filter(|p| *p > 0).map(Some).ok_or_else(|| bad(&format!("'{field}' is no port")))
        };
        let host = match host.to_ascii_lowercase().as_str() {
            "" | "*" => HostPattern::Any,
            h => match h.strip_prefix("*.") {
                Some(domain) if !domain.is_empty() => HostPattern::Suffix(format!(".{domain}")),
                _ if h.contains('*') => return Err(bad("a wildcard may only start a host: *.domain")),
                _ => HostPattern::Exact(h.trim_matches(['[', ']']).to_string()),
            },
        };
        let to_host = (!to_host.is_empty()).then(|| to_host.trim_matches(['[', ']']).to_string());
        Ok(Self { host, port: port_of(port)?, to_host, to_port: port_of(to_port)? })
    }
}

/// Splits on `:` outside `[...]` (IPv6 addresses).
fn split_rule(text: &str) -> Option<Vec<String>> {
    let mut parts = vec![String::new()];
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if depth < 0 {
            return None;
        }
        parts.last_mut()?.push(c);
    }
    (depth == 0).then_some(parts)
}

/// The rule for a host: the first whose HOST matches.
fn rule_for<'r>(rules: &'r [ConnectTo], host: &str) -> Option<&'r ConnectTo> {
    rules.iter().find(|r| r.host.matches(host))
}

/// The proxies of the environment, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Proxies {
    http: Option<String>,
    https: Option<String>,
    no_proxy: String,
}

impl Proxies {
    /// `ALL_PROXY` serves the scheme without its own; empty values are unset;
    /// a proxy without a scheme is `http://` (as curl reads it). Inside a CGI
    /// request (`REQUEST_METHOD` set) no proxy is taken from the environment.
    fn from_env() -> Result<Self, String> {
        if std::env::var_os("REQUEST_METHOD").is_some() {
            return Ok(Self::default());
        }
        let read = |names: [&str; 2]| names.iter().find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()));
        let all = read(["ALL_PROXY", "all_proxy"]);
        let checked = |value: Option<String>, name: &str| -> Result<Option<String>, String> {
            let Some(value) = value.or_else(|| all.clone()) else { return Ok(None) };
            let url = if value.contains("://") { value.trim().to_string() } else { format!("http://{}", value.trim()) };
            ProxyConfig::https(url.as_str()).map_err(|e| format!("{name} '{value}': {e}"))?;
            Ok(Some(url))
        };
        Ok(Self {
            http: checked(read(["HTTP_PROXY", "http_proxy"]), "HTTP_PROXY")?,
            https: checked(read(["HTTPS_PROXY", "https_proxy"]), "HTTPS_PROXY")?,
            no_proxy: read(["NO_PROXY", "no_proxy"]).unwrap_or_default(),
        })
    }

    /// What carries the traffic of one scheme (`https`, else plain http).
    fn config(&self, https: bool) -> ProxyConfig {
        let proxy = if https { &self.https } else { &self.http };
        let config = match proxy {
            Some(url) if https => ProxyConfig::https(url.as_str()),
            Some(url) => ProxyConfig::http(url.as_str()),
            None => return ProxyConfig::disabled(),
        };
        // Checked in `from_env`.
        config.map_or_else(|_| ProxyConfig::disabled(), |c| c.no_proxy(&self.no_proxy))
    }

    /// The same decision, for requests s3scope must know about (the port rewrite).
    fn matcher(&self, https: bool) -> Matcher {
        let builder = Matcher::builder().no(self.no_proxy.clone());
        match (https, &self.https, &self.http) {
            (true, Some(url), _) => builder.https(url.clone()),
            (false, _, Some(url)) => builder.http(url.clone()),
            _ => builder,
        }
        .build()
    }
}

/// The network of a session: its proxies, TLS trust and rules, checked once.
#[derive(Debug, Clone)]
pub struct Network {
    tls: TlsContext,
    rules: Arc<Vec<ConnectTo>>,
    proxies: Proxies,
}

impl Network {
    /// Reads the proxies of the environment and the CA bundle, if one is
    /// given; their faults are reported here, not at the first request.
    pub fn new(options: &NetworkOptions) -> Result<Self, String> {
        let tls = match &options.ca_bundle {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| format!("reading the CA bundle {}: {e}", path.display()))?;
                check_bundle(&pem).map_err(|why| format!("the CA bundle {}: {why}", path.display()))?;
                TlsContext::builder()
                    .with_trust_store(TrustStore::empty().with_pem_certificate(pem))
                    .build()
                    .map_err(|e| format!("the CA bundle {}: {e}", path.display()))?
            }
            None => TlsContext::default(),
        };
        Ok(Self { tls, rules: Arc::new(options.connect_to.clone()), proxies: Proxies::from_env()? })
    }

    /// The HTTP client for requests to `endpoint` (`None`: AWS, over https).
    pub fn http_client(&self, endpoint: Option<&str>) -> SharedHttpClient {
        let https = endpoint.is_none_or(|e| e.starts_with("https://"));
        let direct = endpoint.is_some_and(is_loopback_url);
        SharedHttpClient::new(SessionHttpClient {
            tls: self.tls.clone(),
            proxy: if direct { ProxyConfig::disabled() } else { self.proxies.config(https) },
            proxied: (!direct).then(|| (self.proxies.clone(), https)),
            rules: self.rules.clone(),
            connectors: Mutex::default(),
        })
    }
}

/// Checks that every certificate of a PEM bundle can serve as a root (the
/// SDK would panic on one that cannot, at the first request).
fn check_bundle(pem: &[u8]) -> Result<(), String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("unreadable PEM: {e:?}"))?;
        roots.add(cert).map_err(|e| format!("a certificate that cannot be a root: {e}"))?;
    }
    if roots.is_empty() {
        return Err("no certificate in it".into());
    }
    Ok(())
}

/// True for `http(s)://127.x.y.z`, `[::1]` and `localhost` URLs.
fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else { return false };
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Connect and read timeouts: what tells connectors apart.
type ConnectorKey = (Option<Duration>, Option<Duration>);

/// The SDK's connectors, built with the session's proxy, TLS and rules, one
/// per timeout setting (each keeps its own pool of connections).
#[derive(Debug)]
struct SessionHttpClient {
    tls: TlsContext,
    proxy: ProxyConfig,
    /// The proxies and the scheme whose traffic they carry (`None`: none).
    proxied: Option<(Proxies, bool)>,
    rules: Arc<Vec<ConnectTo>>,
    connectors: Mutex<HashMap<ConnectorKey, SharedHttpConnector>>,
}

impl SessionHttpClient {
    fn build(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let mut builder: ConnectorBuilder = Connector::builder().connector_settings(settings.clone());
        builder.set_sleep_impl(components.sleep_impl());
        let builder = builder
            .proxy_config(self.proxy.clone())
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
            .tls_context(self.tls.clone());
        if self.rules.is_empty() {
            return SharedHttpConnector::new(builder.build());
        }
        let connector = builder.build_with_resolver(RuleResolver { rules: self.rules.clone() });
        let proxied = self.proxied.as_ref().map(|(proxies, https)| proxies.matcher(*https));
        SharedHttpConnector::new(PortRewrite { inner: connector, rules: self.rules.clone(), proxied })
    }
}

impl HttpClient for SessionHttpClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().unwrap_or_else(|e| e.into_inner());
        connectors.entry(key).or_insert_with(|| self.build(settings, components)).clone()
    }
}

/// Resolves the hosts of `--connect-to` rules to the rules' addresses, and
/// every other name as the system does.
#[derive(Debug, Clone)]
struct RuleResolver {
    rules: Arc<Vec<ConnectTo>>,
}

impl ResolveDns for RuleResolver {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        let target = rule_for(&self.rules, name).and_then(|r| r.to_host.clone());
        let name = target.unwrap_or_else(|| name.to_string());
        DnsFuture::new(async move {
            if let Ok(ip) = name.parse::<IpAddr>() {
                return Ok(vec![ip]);
            }
            let found = tokio::net::lookup_host((name.as_str(), 0)).await.map_err(ResolveDnsError::new)?;
            Ok(found.map(|addr| addr.ip()).collect())
        })
    }
}

/// Moves a direct request to a rule's port, keeping the original authority
/// in the `Host` header (which the signature covers). A host written as an
/// IP address is never resolved, so its address is replaced here too.
/// Requests a proxy carries are left alone: the proxy connects, not s3scope.
#[derive(Debug)]
struct PortRewrite {
    inner: Connector,
    rules: Arc<Vec<ConnectTo>>,
    proxied: Option<Matcher>,
}

impl HttpConnector for PortRewrite {
    fn call(&self, mut request: HttpRequest) -> HttpConnectorFuture {
        if let Some((authority, uri)) = self.moved_uri(request.uri()) {
            if !request.headers().contains_key("host") {
                request.headers_mut().insert("host", authority);
            }
            if let Err(e) = request.set_uri(uri) {
                let error = aws_smithy_runtime_api::client::result::ConnectorError::user(e.into());
                return HttpConnectorFuture::ready(Err(error));
            }
        }
        self.inner.call(request)
    }
}

impl PortRewrite {
    /// The original authority and the moved URI, if a rule moves this request.
    fn moved_uri(&self, text: &str) -> Option<(String, String)> {
        let uri = text.parse::<http::Uri>().ok()?;
        if self.proxied.as_ref().is_some_and(|m| m.intercept(&uri).is_some()) {
            return None;
        }
        let host = uri.host()?.trim_matches(['[', ']']);
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let rule = rule_for(&self.rules, host)?;
        let to_port = rule.to_port.filter(|_| rule.port.is_none_or(|p| p == port)).unwrap_or(port);
        let to_host = match (&rule.to_host, host.parse::<IpAddr>()) {
            (Some(address), Ok(_)) => address.as_str(),
            _ => host,
        };
        if (to_host, to_port) == (host, port) {
            return None;
        }
        let to_host = if to_host.contains(':') { format!("[{to_host}]") } else { to_host.to_string() };
        let authority = uri.authority()?.as_str().to_string();
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        Some((authority, format!("{}://{to_host}:{to_port}{path}", uri.scheme_str().unwrap_or("https"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> ConnectTo {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rules_parse_like_curls() {
        let any = rule("::127.0.0.1:8443");
        assert_eq!(
            (any.host, any.port, any.to_host.as_deref(), any.to_port),
            (HostPattern::Any, None, Some("127.0.0.1"), Some(8443))
        );
        let aws = rule("*.amazonaws.com:443:[::1]:9000");
        assert!(aws.host.matches("nasa-lambda.s3.us-west-2.amazonaws.com"));
        assert!(!aws.host.matches("amazonaws.com.evil.org"));
        assert_eq!((aws.port, aws.to_host.as_deref()), (Some(443), Some("::1")));
        let exact = rule("S3.AmazonAWS.com:443::4443");
        assert!(exact.host.matches("s3.amazonaws.com") && !exact.host.matches("x.s3.amazonaws.com"));
        assert_eq!(exact.to_host, None);
        for bad in ["a:b", "h:x:127.0.0.1:1", "h:1:a:70000", "a*b:1:c:2", "[::1:1:c:2"] {
            assert!(bad.parse::<ConnectTo>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rule_moves_the_port_and_keeps_the_authority() {
        let rewrite = PortRewrite {
            inner: Connector::builder()
                .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
                .build(),
            rules: Arc::new(vec![rule("*.amazonaws.com:443:127.0.0.1:8443"), rule("127.0.0.2::127.0.0.1:9000")]),
            proxied: None,
        };
        let (authority, uri) = rewrite.moved_uri("https://b.s3.us-west-2.amazonaws.com/k%20x?list-type=2").unwrap();
        assert_eq!(authority, "b.s3.us-west-2.amazonaws.com");
        assert_eq!(uri, "https://b.s3.us-west-2.amazonaws.com:8443/k%20x?list-type=2");
        assert_eq!(rewrite.moved_uri("https://example.org/x"), None);
        assert_eq!(rewrite.moved_uri("http://b.s3.amazonaws.com:8080/x"), None, "the rule is for port 443");
        // An address is never resolved: the rule's address replaces it.
        let (authority, uri) = rewrite.moved_uri("http://127.0.0.2:9/b/k").unwrap();
        assert_eq!((authority.as_str(), uri.as_str()), ("127.0.0.2:9", "http://127.0.0.1:9000/b/k"));
    }

    #[test]
    fn a_ca_bundle_must_hold_certificates_that_can_be_roots() {
        assert!(check_bundle(b"").unwrap_err().contains("no certificate"));
        let garbage = b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
        assert!(check_bundle(garbage).is_err());
        let junk_der = b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        assert!(check_bundle(junk_der).unwrap_err().contains("cannot be a root"));
    }

    #[test]
    fn loopback_servers_are_reached_directly() {
        for url in ["http://127.0.0.1:9000", "http://localhost:1", "https://[::1]:8443/", "http://127.1.2.3"] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in ["https://minio.example.org", "http://10.0.0.1:9000", "not a url"] {
            assert!(!is_loopback_url(url), "{url}");
        }
    }
}
