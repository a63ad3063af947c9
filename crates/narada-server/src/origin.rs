//! Which browser origins may open sync sockets.
//!
//! A browser sends `Origin` with every WebSocket upgrade, and the sync socket refuses origins that
//! are not Narada's own, so that a page elsewhere cannot use a visitor's token. "Narada's own" is
//! what the operator configured — `accounts.public_url` and `allowed_origins` — plus, when the
//! server is reachable on loopback, `http://localhost:PORT`, `http://127.0.0.1:PORT` and
//! `http://[::1]:PORT` for the listen port. It is never derived from the request's `Host`: under
//! DNS rebinding an attacker's name resolves to this server, and the browser then sends
//! `Host: evil.example` and `Origin: http://evil.example`, which agree with each other.
//!
//! Origins are compared in their serialised form (scheme, lower-case host, port when not the
//! scheme's default), so `HTTPS://Narada.example:443/` and `https://narada.example` are one origin.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::http::{header, HeaderMap};

use crate::config::Config;

/// The origins allowed to open sync sockets, fixed at start.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// `allowed_origins = ["*"]`: every origin.
    any: bool,
    allowed: BTreeSet<String>,
}

/// `scheme://host[:port]` of a URL or origin, or `None` when it has no such origin (`null`,
/// `file:`, a bare host name).
fn serialise(s: &str) -> Option<String> {
    let url = url::Url::parse(s.trim()).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl Origins {
    /// The configured origins, plus the loopback origins of `listen` when it is reachable on
    /// loopback (a loopback or unspecified address). Refuses entries that are not origins, so a
    /// typo is found at start rather than as refused browsers.
    pub fn from_config(config: &Config, listen: SocketAddr) -> anyhow::Result<Origins> {
        let mut origins = Origins::default();
        for entry in &config.allowed_origins {
            let entry = entry.trim();
            if entry == "*" {
                origins.any = true;
                continue;
            }
            let origin = serialise(entry).ok_or_else(|| {
                anyhow::anyhow!(
                    "allowed_origins: {entry:?} is not an origin (scheme://host[:port])"
                )
            })?;
            origins.allowed.insert(origin);
        }
        let public = config.accounts.public_url.trim();
        if !public.is_empty() {
            let origin = serialise(public).ok_or_else(|| {
                anyhow::anyhow!("accounts.public_url: {public:?} is not an http(s) address")
            })?;
            origins.allowed.insert(origin);
        }
        let ip = listen.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            let port = listen.port();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                origins.allowed.insert(format!("http://{host}:{port}"));
            }
        }
        Ok(origins)
    }

    /// Whether a request may open a sync socket. Requests without `Origin` are not from a
    /// browser (native apps, servers, tests) and cannot be abused cross-site, so they pass.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        if self.any {
            return true;
        }
        origin
            .to_str()
            .ok()
            .and_then(serialise)
            .is_some_and(|o| self.allowed.contains(&o))
    }

    /// True when only loopback origins are allowed (nothing configured): worth a warning on a
    /// server that listens beyond loopback, where browsers then cannot connect.
    pub fn loopback_only(&self) -> bool {
        !self.any
            && self.allowed.iter().all(|o| {
                ["http://localhost:", "http://127.0.0.1:", "http://[::1]:"]
                    .iter()
                    .any(|p| o.starts_with(p))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: &str, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, origin.parse().unwrap());
        h.insert(header::HOST, host.parse().unwrap());
        h
    }

    fn config(public_url: &str, allowed: &[&str]) -> Config {
        let mut c = Config::default();
        c.accounts.public_url = public_url.into();
        c.allowed_origins = allowed.iter().map(|s| s.to_string()).collect();
        c
    }

    #[test]
    fn host_header_never_makes_an_origin_allowed() {
        let o = Origins::from_config(&config("", &[]), "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert!(!o.allows(&headers("http://evil.example", "evil.example")));
        assert!(!o.allows(&headers("http://evil.example:8080", "evil.example:8080")));
        assert!(o.allows(&headers("http://localhost:8080", "evil.example")));
        assert!(o.allows(&headers("http://127.0.0.1:8080", "127.0.0.1:8080")));
        assert!(o.allows(&headers("http://[::1]:8080", "[::1]:8080")));
        // Another local port is another site.
        assert!(!o.allows(&headers("http://localhost:5173", "localhost:8080")));
        assert!(o.loopback_only());
    }

    #[test]
    fn public_url_and_allowed_origins_are_compared_as_origins() {
        let c = config(
            "https://Narada.example.gov.pl/",
            &["https://editor.example:443", "http://intranet.local:8000"],
        );
        let o = Origins::from_config(&c, "10.0.0.5:8080".parse().unwrap()).unwrap();
        for ok in [
            "https://narada.example.gov.pl",
            "https://editor.example",
            "http://intranet.local:8000",
        ] {
            assert!(o.allows(&headers(ok, "x")), "{ok}");
        }
        for bad in [
            "http://narada.example.gov.pl",
            "https://narada.example.gov.pl.evil.example",
            "http://localhost:8080",
            "null",
            "garbage",
        ] {
            assert!(!o.allows(&headers(bad, "narada.example.gov.pl")), "{bad}");
        }
        assert!(!o.loopback_only());
        // No Origin: not a browser.
        assert!(o.allows(&HeaderMap::new()));
    }

    #[test]
    fn wildcard_and_bad_entries() {
        let o = Origins::from_config(&config("", &["*"]), "0.0.0.0:80".parse().unwrap()).unwrap();
        assert!(o.allows(&headers("https://anything.example", "x")));
        let bad = Origins::from_config(
            &config("", &["localhost:5173"]),
            "[::1]:80".parse().unwrap(),
        );
        assert!(bad.is_err());
    }
}
