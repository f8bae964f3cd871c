//! The `cookie_origin` target: a request's `Cookie`, `Origin` and `Host` headers, as the
//! router and the endpoint read them.

use http::header::{COOKIE, HOST, ORIGIN};
use http::{HeaderMap, HeaderValue};

use super::Input;
use crate::server::guard::{self, HostError};
use crate::server::security::{
    self, FoundSession, OriginError, OriginPolicy, SessionId, SigningKey,
};

/// The session cookie's name, as the endpoint reads it.
const NAME: &str = crate::wire::keys::SESSION_COOKIE;

/// The longest header value an [`OriginError`] holds, in bytes: 200 and an ellipsis.
const SHORTENED: usize = 200 + '…'.len_utf8();

/// In a `Cookie` line: replaced by a valid anonymous session cookie value.
const ANONYMOUS: u8 = 0x01;
/// In a `Cookie` line: replaced by a valid value bound to the request's user.
const BOUND: u8 = 0x02;
/// In a `Cookie` or token line: replaced by the session's CSRF token.
const CSRF: u8 = 0x03;
/// In a `Cookie` line: replaced by a valid anonymous value of another session.
const OTHER: u8 = 0x04;

/// Reads `data` as a request's headers: a first byte of flags (bit 0: the server is behind
/// https; bit 1: the request has a signed-in user), 16 bytes of session id, then lines, each
/// a tag byte and a value: `C` a `Cookie` header, `O` an `Origin`, `H` a `Host`, `A` an
/// allowed origin (`OriginPolicy::allow`), `L` an allowed host (`Config::allowed_hosts`),
/// `T` a CSRF token, `S` a session id's text, `U` the user's name. In `C` and `T` values the
/// bytes 1 to 4 stand for valid signed values (a session cookie anonymous, bound to the user,
/// the CSRF token, another session's cookie), so the accepting paths are fuzzed too.
///
/// # Panics
///
/// When a session is found that no cookie of the request names with a valid signature, a
/// valid one is missed or the wrong one taken (the duplicate-cookie rule of
/// `docs/src/security.md`); when a signed value changed in any way still verifies; when a
/// session id's text is accepted or refused against its documented form; when the Origin
/// check or the Host check disagrees with its documented rule (an independent reading of
/// `scheme://host[:port]` here).
pub fn cookie_origin(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let secure = flags & 1 != 0;
    let mut id = [0u8; 16];
    for byte in &mut id {
        *byte = input.byte();
    }
    let session = SessionId::from_bytes(id);
    let other = SessionId::from_bytes(id.map(|b| b ^ 0x5a));
    let key = key(7);

    let mut lines: Vec<(u8, &[u8])> = Vec::new();
    while !input.is_empty() {
        let line = input.line();
        if let Some((&tag, value)) = line.split_first() {
            lines.push((tag, value));
        }
    }
    let user = (flags & 2 != 0).then(|| {
        lines.iter().find(|(tag, _)| *tag == b'U').map_or_else(
            || "ann".to_owned(),
            |(_, v)| String::from_utf8_lossy(v).into(),
        )
    });
    let signed = Signed {
        anonymous: sign(&key, &session, None),
        bound: sign(&key, &session, user.as_deref()),
        csrf: security::csrf_token(&key, &session),
        other: sign(&key, &other, None),
    };

    let mut headers = HeaderMap::new();
    let mut allowed_origins = Vec::new();
    let mut allowed_hosts = Vec::new();
    for &(tag, value) in &lines {
        match tag {
            b'C' => append(&mut headers, COOKIE, &signed.expand(value)),
            b'O' => append(&mut headers, ORIGIN, value),
            b'H' => append(&mut headers, HOST, value),
            b'A' => allowed_origins.push(String::from_utf8_lossy(value).into_owned()),
            b'L' => allowed_hosts.push(String::from_utf8_lossy(value).into_owned()),
            b'T' => check_csrf(&key, &session, &signed.expand(value)),
            b'S' => check_session_id(&String::from_utf8_lossy(value)),
            _ => {}
        }
    }

    check_cookies(&headers, &key, user.as_deref());
    check_signatures(&key, &session, user.as_deref(), &mut input_bytes(data));
    check_origin(&headers, &allowed_origins, secure);
    check_host(&headers, &allowed_hosts);
}

/// A signing key of 32 equal bytes.
fn key(byte: u8) -> SigningKey {
    match SigningKey::from_bytes(&[byte; 32]) {
        Ok(key) => key,
        Err(err) => panic!("a 32-byte key: {err}"),
    }
}

fn sign(key: &SigningKey, id: &SessionId, user: Option<&str>) -> String {
    security::sign_session_for(key, id, user)
}

/// The valid values the placeholder bytes stand for.
struct Signed {
    anonymous: String,
    bound: String,
    csrf: String,
    other: String,
}

impl Signed {
    /// `value` with each placeholder byte replaced by its value.
    fn expand(&self, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(value.len());
        for &b in value {
            match b {
                ANONYMOUS => out.extend_from_slice(self.anonymous.as_bytes()),
                BOUND => out.extend_from_slice(self.bound.as_bytes()),
                CSRF => out.extend_from_slice(self.csrf.as_bytes()),
                OTHER => out.extend_from_slice(self.other.as_bytes()),
                _ => out.push(b),
            }
        }
        out
    }
}

/// Appends a header when `value` is a valid header value (hyper refuses the others before a
/// request reaches the router).
fn append(headers: &mut HeaderMap, name: http::header::HeaderName, value: &[u8]) {
    if let Ok(value) = HeaderValue::from_bytes(value) {
        headers.append(name, value);
    }
}

/// The bytes that pick the mutations of [`check_signatures`], cycling over the input.
fn input_bytes(data: &[u8]) -> impl Iterator<Item = u8> + '_ {
    data.iter().rev().copied().chain(std::iter::repeat(0x5a))
}

// ---------------------------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------------------------

/// Every value of the cookie `name` in the request, read by RFC 6265's grammar as browsers
/// send it: `;`-separated pairs, space or tab around names and values, quotes around a
/// value dropped, pairs without `=` and headers that are not UTF-8 skipped.
fn cookie_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    for header in headers.get_all(COOKIE) {
        let Ok(text) = std::str::from_utf8(header.as_bytes()) else {
            continue;
        };
        for pair in text.split(';') {
            let Some(eq) = pair.find('=') else { continue };
            let ows: &[char] = &[' ', '\t'];
            if pair[..eq].trim_matches(ows) != name {
                continue;
            }
            let mut value = pair[eq + 1..].trim_matches(ows);
            if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
                value = &value[1..value.len() - 1];
            }
            values.push(value.to_owned());
        }
    }
    values
}

/// The session a cookie value names when it is exactly the value signed for `user`.
fn valid(key: &SigningKey, value: &str, user: Option<&str>) -> Option<SessionId> {
    let id = SessionId::parse(value.get(..22)?)?;
    (sign(key, &id, user) == value).then_some(id)
}

/// `read_cookie` and `read_session_for` against the documented rules.
fn check_cookies(headers: &HeaderMap, key: &SigningKey, user: Option<&str>) {
    let values = cookie_values(headers, NAME);
    assert_eq!(
        security::read_cookie(headers, NAME),
        values.first().map(String::as_str),
        "the first {NAME} cookie"
    );
    let found = security::read_session_for(headers, NAME, key, user);
    assert_eq!(
        found,
        expected_session(&values, key, user),
        "the session of {values:?} for {user:?}"
    );
    // Nothing verifies under another key; another user finds only an anonymous cookie.
    assert_eq!(
        security::read_session_for(headers, NAME, &self::key(8), user),
        None
    );
    let mallory = Some("mallory");
    assert_eq!(
        security::read_session_for(headers, NAME, key, mallory),
        expected_session(&values, key, mallory),
        "the session of {values:?} for mallory"
    );
}

/// The documented rule: the first value bound to `user`; else, for a signed-in request, the
/// first anonymous one (a sign-in since). An invalid value never hides a valid one after it.
fn expected_session(
    values: &[String],
    key: &SigningKey,
    user: Option<&str>,
) -> Option<FoundSession> {
    values
        .iter()
        .find_map(|value| valid(key, value, user))
        .map(|id| FoundSession { id, login: false })
        .or_else(|| {
            user?;
            values
                .iter()
                .find_map(|value| valid(key, value, None))
                .map(|id| FoundSession { id, login: true })
        })
}

/// A signed session value and a CSRF token verify unchanged, and no longer once changed:
/// one byte flipped, cut short, lengthened, or checked for another user, key or session.
fn check_signatures(
    key: &SigningKey,
    session: &SessionId,
    user: Option<&str>,
    picks: &mut impl Iterator<Item = u8>,
) {
    let value = sign(key, session, user);
    assert_eq!(
        security::verify_session_for(key, &value, user).as_ref(),
        Some(session)
    );
    let other_user = match user {
        Some(_) => None,
        None => Some("ann"),
    };
    assert_eq!(security::verify_session_for(key, &value, other_user), None);
    assert_eq!(
        security::verify_session_for(&self::key(8), &value, user),
        None
    );

    let token = security::csrf_token(key, session);
    assert!(security::verify_csrf(key, session, &token));
    let other = SessionId::from_bytes([0xa5; 16]);
    if other != *session {
        assert!(!security::verify_csrf(key, &other, &token));
    }

    for text in [value, token] {
        let mut bytes = text.clone().into_bytes();
        let at = usize::from(picks.next().unwrap_or(0)) % bytes.len();
        let flip = picks.next().unwrap_or(1).max(1);
        bytes[at] ^= flip;
        let cut = usize::from(picks.next().unwrap_or(0)) % text.len();
        let longer = format!("{text}{}", char::from(picks.next().unwrap_or(b'A') | 0x20));
        let changed = [
            String::from_utf8_lossy(&bytes).into_owned(),
            text[..cut].to_owned(),
            longer,
        ];
        for changed in changed {
            assert_eq!(
                security::verify_session_for(key, &changed, user),
                None,
                "{changed:?} verifies"
            );
            assert!(
                !security::verify_csrf(key, session, &changed),
                "{changed:?} is a CSRF token"
            );
        }
    }
}

/// `verify_csrf` accepts exactly the session's token.
fn check_csrf(key: &SigningKey, session: &SessionId, token: &[u8]) {
    let token = String::from_utf8_lossy(token);
    assert_eq!(
        security::verify_csrf(key, session, &token),
        token == security::csrf_token(key, session),
        "CSRF token {token:?}"
    );
}

/// The base64url alphabet's value of a character.
fn base64url(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// `SessionId::parse` accepts exactly 22 base64url characters whose last one carries no bits
/// beyond the 128 (its low 4 bits zero), and the id it gives writes back as the same text.
fn check_session_id(text: &str) {
    let digits: Option<Vec<u8>> = text.bytes().map(base64url).collect();
    let canonical = digits.is_some_and(|d| d.len() == 22 && d[21] & 0x0f == 0);
    let parsed = SessionId::parse(text);
    assert_eq!(parsed.is_some(), canonical, "{text:?}");
    if let Some(id) = parsed {
        assert_eq!(id.as_str(), text);
        assert_eq!(text.parse::<SessionId>().ok(), Some(id));
    }
}

// ---------------------------------------------------------------------------------------------
// Origin and Host
// ---------------------------------------------------------------------------------------------

/// An origin as compared: scheme and host lower-cased, and the port, the scheme's default
/// one when none is written.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

/// `host` or `host:port` (RFC 3986: a reg-name of unreserved, sub-delims and `%`, or an IPv6
/// literal in brackets of hex digits, `:` and `.`; a port of 1 to 5 digits up to 65535).
fn authority(scheme: &str, text: &str) -> Option<Origin> {
    let (host, port) = if text.starts_with('[') {
        let close = text.find(']')?;
        let inner = &text[1..close];
        let literal = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !literal {
            return None;
        }
        let after = &text[close + 1..];
        let port = if after.is_empty() {
            None
        } else {
            Some(after.strip_prefix(':')?)
        };
        (&text[..=close], port)
    } else {
        let (host, port) = match text.rfind(':') {
            Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
            None => (text, None),
        };
        let reg_name = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=".contains(c));
        if !reg_name {
            return None;
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(digits) => {
            if digits.is_empty() || digits.len() > 5 || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return None;
            }
            Some(digits.parse::<u16>().ok()?)
        }
    };
    let default = match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    Some(Origin {
        scheme: scheme.to_owned(),
        host: host.to_ascii_lowercase(),
        port: port.or(default),
    })
}

/// `scheme://authority`, the scheme a letter then letters, digits, `+`, `-` or `.`.
fn origin(text: &str) -> Option<Origin> {
    let at = text.find("://")?;
    let scheme = &text[..at];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid {
        return None;
    }
    authority(&scheme.to_ascii_lowercase(), &text[at + 3..])
}

/// The one value of header `name`, when it occurs exactly once.
fn single<'h>(headers: &'h HeaderMap, name: &http::header::HeaderName) -> Option<&'h [u8]> {
    let mut all = headers.get_all(name).iter();
    let first = all.next()?;
    all.next().is_none().then_some(first.as_bytes())
}

/// `check_origin` accepts exactly an `Origin` (space and tab around it ignored) whose scheme,
/// host and port equal those of the `Host` (scheme `https` when `secure`) or of an allowed
/// origin, and refuses with the right reason otherwise.
fn check_origin(headers: &HeaderMap, allowed: &[String], secure: bool) {
    let policy = allowed
        .iter()
        .fold(OriginPolicy::same_host(), |policy, entry| {
            policy.allow(entry)
        });
    // `allow` trims its entry, as a configured value may be written with spaces.
    let allowed: Vec<Origin> = allowed.iter().filter_map(|a| origin(a.trim())).collect();
    let result = security::check_origin(&policy, headers, secure);

    let scheme = if secure { "https" } else { "http" };
    let host = single(headers, &HOST);
    let own = host
        .and_then(|h| std::str::from_utf8(h).ok())
        .and_then(|h| authority(scheme, h));
    let sent = single(headers, &ORIGIN);
    let text = sent
        .and_then(|o| std::str::from_utf8(o).ok())
        .map(|o| o.trim_matches([' ', '\t']));
    let expected = match (host, &own, sent, text) {
        (None, ..) => Err("MissingHost"),
        (Some(_), None, ..) => Err("BadHost"),
        (_, _, None, _) => Err("MissingOrigin"),
        (_, _, Some(_), None) => Err("BadOrigin"),
        (_, Some(own), Some(_), Some(text)) => {
            if text.eq_ignore_ascii_case("null") {
                Err("NullOrigin")
            } else {
                match origin(text) {
                    None => Err("BadOrigin"),
                    Some(sent) if sent == *own || allowed.contains(&sent) => Ok(()),
                    Some(_) => Err("CrossOrigin"),
                }
            }
        }
    };
    let got = result.as_ref().map(|_| ()).map_err(|err| match err {
        OriginError::MissingOrigin => "MissingOrigin",
        OriginError::NullOrigin => "NullOrigin",
        OriginError::BadOrigin(_) => "BadOrigin",
        OriginError::MissingHost => "MissingHost",
        OriginError::BadHost(_) => "BadHost",
        OriginError::CrossOrigin(_) => "CrossOrigin",
    });
    assert_eq!(
        got, expected,
        "Host {own:?} Origin {text:?} allowed {allowed:?}: {result:?}"
    );
    // The error holds the header shortened (it is logged and sent back).
    if let Err(
        OriginError::BadOrigin(value)
        | OriginError::BadHost(value)
        | OriginError::CrossOrigin(value),
    ) = &result
    {
        assert!(
            value.len() <= SHORTENED,
            "a {}-byte value in {result:?}",
            value.len()
        );
    }
}

/// `check_host` (entries as `Config::allowed_hosts` keeps them: trimmed, lower-cased, empty
/// ones dropped) answers a `Host` (its first one, trimmed, compared case-insensitively) only
/// when it equals an entry, or is an entry without a port followed by `:` and a port.
fn check_host(headers: &HeaderMap, allowed: &[String]) {
    let allowed: Vec<String> = allowed
        .iter()
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .collect();
    let result = guard::check_host(&allowed, headers);
    if allowed.is_empty() {
        assert_eq!(result, Ok(()), "any host when none is listed");
        return;
    }
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim_matches([' ', '\t']).to_ascii_lowercase())
        .filter(|value| !value.is_empty());
    let Some(host) = host else {
        assert_eq!(result, Err(HostError::Missing));
        return;
    };
    // What follows the name: after `]` for an IPv6 literal, else a last `:` and digits.
    let has_port = |entry: &str| {
        let bracketed = entry
            .strip_prefix('[')
            .and_then(|rest| rest.find(']').map(|close| &rest[close + 1..]));
        match bracketed {
            Some(after) => !after.is_empty(),
            None => entry
                .rfind(':')
                .is_some_and(|colon| entry[colon + 1..].bytes().all(|b| b.is_ascii_digit())),
        }
    };
    let listed = allowed.iter().any(|entry| {
        *entry == host
            || (!has_port(entry)
                && host
                    .strip_prefix(entry.as_str())
                    .and_then(|rest| rest.strip_prefix(':'))
                    .is_some_and(|port| port.bytes().all(|b| b.is_ascii_digit())))
    });
    if listed {
        assert_eq!(result, Ok(()), "{host:?} is listed in {allowed:?}");
    } else {
        assert_eq!(
            result,
            Err(HostError::NotAllowed(host.clone())),
            "{host:?} is not listed in {allowed:?}"
        );
    }
}
