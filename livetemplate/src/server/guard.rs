//! Page-level protections: which sites may frame a page, and which hosts the server answers.

use http::header::{self, HeaderMap, HeaderValue};

use super::security::{normalize_origin, quote};

/// Which sites may show the pages in a frame ([`Config::frame_ancestors`](super::Config::frame_ancestors)).
///
/// A page inside a foreign site's invisible frame can be clickjacked: the visitor means to
/// click the other site and presses one of the page's buttons. Pages carry CSP
/// `frame-ancestors` and, where it can say the same thing, `X-Frame-Options`:
///
/// | policy | `Content-Security-Policy` | `X-Frame-Options` |
/// |---|---|---|
/// | [`none`](FrameAncestors::none) (default) | `frame-ancestors 'none'` | `DENY` |
/// | [`same_origin`](FrameAncestors::same_origin) | `frame-ancestors 'self'` | `SAMEORIGIN` |
/// | with [`allow`](FrameAncestors::allow)ed origins | `frame-ancestors ['self'] https://a.example …` | not sent |
///
/// ```
/// use livetemplate::Config;
/// use livetemplate::server::FrameAncestors;
///
/// let config = Config::new()
///     .frame_ancestors(FrameAncestors::same_origin().allow("https://portal.example.com"));
/// # drop(config);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameAncestors {
    same_origin: bool,
    /// Normalized origins (`scheme://host[:port]`).
    allowed: Vec<String>,
}

impl FrameAncestors {
    /// No site may frame the pages, not even this one.
    pub fn none() -> Self {
        Self::default()
    }

    /// Only the pages' own origin may frame them.
    pub fn same_origin() -> Self {
        FrameAncestors {
            same_origin: true,
            allowed: Vec::new(),
        }
    }

    /// Also lets `origin` (`scheme://host[:port]`, e.g. `https://portal.example.com`) frame the
    /// pages. An entry not of that form is ignored, with a warning in the log.
    #[must_use]
    pub fn allow(mut self, origin: impl AsRef<str>) -> Self {
        let origin = origin.as_ref();
        // The CSP header lists sources separated by spaces, directives by `;`: an origin
        // carrying either (or a `,`, which joins headers) would change the policy.
        match normalize_origin(origin.trim()).filter(|normalized| {
            normalized
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~:/[]".contains(&b))
        }) {
            Some(normalized) => {
                if !self.allowed.contains(&normalized) {
                    self.allowed.push(normalized);
                }
            }
            None => tracing::warn!(
                origin = %quote(origin),
                "ignoring frame ancestor: not of the form scheme://host[:port]"
            ),
        }
        self
    }

    /// The origins allowed besides the pages' own, normalized.
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// Adds this policy's headers to a page response.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        let mut sources: Vec<&str> = Vec::new();
        if self.same_origin {
            sources.push("'self'");
        }
        sources.extend(self.allowed.iter().map(String::as_str));
        if sources.is_empty() {
            sources.push("'none'");
        }
        let csp = format!("frame-ancestors {}", sources.join(" "));
        // The origins were checked to be header-safe; the fallback is the strictest policy.
        let csp = HeaderValue::from_str(&csp)
            .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'none'"));
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        let frame_options = match (self.same_origin, self.allowed.is_empty()) {
            (false, true) => Some("DENY"),
            (true, true) => Some("SAMEORIGIN"),
            // X-Frame-Options cannot list origins (ALLOW-FROM is obsolete): a browser that
            // reads only it would refuse the listed sites, so it is left to the CSP.
            (_, false) => None,
        };
        if let Some(value) = frame_options {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(value));
        }
    }
}

/// Why a request's `Host` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostError {
    /// No `Host` header (HTTP/1.0), or one that is not text.
    Missing,
    /// A host not on [`Config::allowed_hosts`](super::Config::allowed_hosts).
    NotAllowed(String),
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::Missing => {
                f.write_str("missing Host header: this server answers only listed hosts")
            }
            HostError::NotAllowed(host) => write!(
                f,
                "this server does not answer for host {}: it is not on its allowed hosts",
                quote(host)
            ),
        }
    }
}

/// Checks a request's `Host` against `allowed` (lower-cased entries; empty: any host).
pub(crate) fn check_host(allowed: &[String], headers: &HeaderMap) -> Result<(), HostError> {
    if allowed.is_empty() {
        return Ok(());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_ascii_lowercase())
        .filter(|value| !value.is_empty())
        .ok_or(HostError::Missing)?;
    let name = host_name(&host);
    let listed = allowed.iter().any(|entry| {
        *entry == host || (host_name(entry) == entry.as_str() && entry.as_str() == name)
    });
    if listed {
        Ok(())
    } else {
        Err(HostError::NotAllowed(host))
    }
}

/// `host` without its `:port` (`[v6]:port` keeps its brackets). An IPv6 literal followed by
/// anything but a port is returned whole, so it names no listed host.
fn host_name(host: &str) -> &str {
    let is_port = |port: &str| port.bytes().all(|b| b.is_ascii_digit());
    if let Some(end) = host.strip_prefix('[').and_then(|rest| rest.find(']')) {
        let after = &host[end + 2..];
        return if after.is_empty() || after.strip_prefix(':').is_some_and(is_port) {
            &host[..end + 2]
        } else {
            host
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if is_port(port) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(policy: &FrameAncestors) -> (String, Option<String>) {
        let mut headers = HeaderMap::new();
        policy.apply(&mut headers);
        let text = |name| {
            headers
                .get(name)
                .map(|v: &HeaderValue| v.to_str().unwrap_or_default().to_owned())
        };
        (
            text(header::CONTENT_SECURITY_POLICY).unwrap_or_default(),
            text(header::X_FRAME_OPTIONS),
        )
    }

    #[test]
    fn frame_policies_become_csp_and_frame_options() {
        assert_eq!(
            headers_of(&FrameAncestors::none()),
            ("frame-ancestors 'none'".into(), Some("DENY".into()))
        );
        assert_eq!(
            headers_of(&FrameAncestors::same_origin()),
            ("frame-ancestors 'self'".into(), Some("SAMEORIGIN".into()))
        );
        assert_eq!(
            headers_of(
                &FrameAncestors::same_origin()
                    .allow("HTTPS://Portal.example.com:443")
                    .allow("https://evil.example; script-src *")
                    .allow("https://a.example,b")
            ),
            (
                "frame-ancestors 'self' https://portal.example.com".into(),
                None
            )
        );
    }

    #[test]
    fn hosts_match_exactly_or_by_name_when_the_entry_has_no_port() {
        let allowed = vec![
            "app.example".to_owned(),
            "127.0.0.1:8080".to_owned(),
            "[::1]".to_owned(),
        ];
        let check = |host: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::HOST,
                HeaderValue::from_str(host).unwrap_or_else(|_| HeaderValue::from_static("")),
            );
            check_host(&allowed, &headers)
        };
        assert_eq!(check("app.example"), Ok(()));
        assert_eq!(check("APP.example:3000"), Ok(()));
        assert_eq!(check("127.0.0.1:8080"), Ok(()));
        assert_eq!(check("[::1]:9000"), Ok(()));
        assert_eq!(
            check("127.0.0.1:9090"),
            Err(HostError::NotAllowed("127.0.0.1:9090".into()))
        );
        assert_eq!(
            check("rebind.attacker.example"),
            Err(HostError::NotAllowed("rebind.attacker.example".into()))
        );
        assert_eq!(
            check("app.example.attacker.example"),
            Err(HostError::NotAllowed("app.example.attacker.example".into()))
        );
        // Found by the `cookie_origin` fuzz target: after an IPv6 literal, only a port.
        for host in ["[::1]:3000]", "[::1]x", "[::1]]", "[::1]:80:80"] {
            assert_eq!(
                check(host),
                Err(HostError::NotAllowed(host.into())),
                "{host}"
            );
        }
        assert_eq!(check("[::1]:"), Ok(()));
        assert_eq!(
            check_host(&allowed, &HeaderMap::new()),
            Err(HostError::Missing)
        );
        assert_eq!(check_host(&[], &HeaderMap::new()), Ok(()));
    }
}
