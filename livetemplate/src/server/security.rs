//! Security primitives: signed session cookies, CSRF tokens, the Origin check.
//!
//! Everything here is a pure function or a small type over the `http` crate's types (the ones
//! hyper 1 re-exports), so the handlers stay thin and each rule is unit-tested on its own.
//!
//! - **Session group.** A browser's tabs share one [`SessionId`] — 128 random bits — carried in
//!   the `livetemplate-id` cookie as `<id>.<signature>`, where the signature is
//!   HMAC-SHA256 under the process's [`SigningKey`] ([`sign_session`], [`verify_session`]).
//!   The cookie is `HttpOnly; SameSite=Lax`, plus `Secure` behind https ([`session_cookie`]).
//! - **CSRF.** A plain-form POST (no JavaScript) must carry [`csrf_token`] for its session,
//!   which the rendered page embeds; [`verify_csrf`] checks it in constant time.
//! - **Origin.** A WebSocket upgrade must come from the page's own origin (`scheme://host` of
//!   the request) or from one the app allows ([`OriginPolicy`], [`check_origin`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use http::header::{COOKIE, HOST, ORIGIN};
use http::{HeaderMap, HeaderValue};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The name of the session cookie.
#[cfg(test)]
pub(crate) const SESSION_COOKIE: &str = crate::wire::keys::SESSION_COOKIE;

/// The fewest key bytes [`SigningKey::from_bytes`] accepts (the output size of SHA-256).
pub const MIN_KEY_LEN: usize = 32;

/// Length of a [`SessionId`] in its text form: 16 bytes in base64url without padding.
const SESSION_ID_LEN: usize = 22;

/// Length of an HMAC-SHA256 tag in base64url without padding (32 bytes).
const TAG_LEN: usize = 43;

/// Length of a signed session cookie value: `<id>.<tag>`.
const SIGNED_LEN: usize = SESSION_ID_LEN + 1 + TAG_LEN;

/// Domain separation for the two things the key signs.
const SESSION_CONTEXT: &[u8] = b"livetemplate-id:";
/// The HMAC context of a session cookie bound to a signed-in user.
const USER_SESSION_CONTEXT: &[u8] = b"livetemplate-id-user:";
const CSRF_CONTEXT: &[u8] = b"csrf:";

/// Longest origin quoted back in an [`OriginError`] message (the header is attacker-chosen).
const MAX_QUOTED: usize = 200;

type HmacSha256 = Hmac<Sha256>;

/// Fills `buf` from the operating system's random source.
///
/// # Panics
///
/// When the OS has no randomness to give; nothing secure can be done without it.
fn os_random(buf: &mut [u8]) {
    if let Err(err) = getrandom::fill(buf) {
        panic!("the operating system's random source failed: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Signing key
// ---------------------------------------------------------------------------------------------

/// The secret that signs session cookies and derives CSRF tokens (HMAC-SHA256).
///
/// Configure one (at least [`MIN_KEY_LEN`] bytes) so sessions survive a restart and are shared
/// between processes; without one, [`SigningKey::random`] makes a fresh key per process.
/// `Debug` never shows the key.
#[derive(Clone)]
pub struct SigningKey {
    /// The HMAC state keyed once; each signature clones it.
    mac: HmacSha256,
}

impl SigningKey {
    /// A fresh random 32-byte key from the OS, logging a warning that sessions will not
    /// survive a restart nor be shared between processes.
    ///
    /// # Panics
    ///
    /// When the operating system's random source fails.
    pub fn random() -> Self {
        let mut bytes = [0u8; MIN_KEY_LEN];
        os_random(&mut bytes);
        Self::keyed(&bytes)
    }

    /// A key from raw bytes; at least [`MIN_KEY_LEN`] of them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() < MIN_KEY_LEN {
            return Err(KeyError::TooShort { len: bytes.len() });
        }
        Ok(Self::keyed(bytes))
    }

    /// A key from base64 text (standard or url-safe alphabet, padded or not; surrounding
    /// whitespace ignored) that decodes to at least [`MIN_KEY_LEN`] bytes.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bytes = [URL_SAFE_NO_PAD, URL_SAFE, STANDARD_NO_PAD, STANDARD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .ok_or(KeyError::NotBase64)?;
        Self::from_bytes(&bytes)
    }

    fn keyed(bytes: &[u8]) -> Self {
        // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
        let mac = match HmacSha256::new_from_slice(bytes) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        Self { mac }
    }

    /// base64url (no padding) of HMAC-SHA256(key, context + message).
    pub(crate) fn tag(&self, context: &[u8], message: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(context);
        mac.update(message);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// Why a configured signing key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The key has fewer than [`MIN_KEY_LEN`] bytes.
    TooShort {
        /// How many bytes it had.
        len: usize,
    },
    /// The text is not base64 (standard or url-safe, padded or not).
    NotBase64,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { len } => write!(
                f,
                "signing key too short: {len} bytes, at least {MIN_KEY_LEN} are needed (e.g. 32 random bytes, base64-encoded)"
            ),
            Self::NotBase64 => f.write_str("signing key is not valid base64"),
        }
    }
}

impl std::error::Error for KeyError {}

// ---------------------------------------------------------------------------------------------
// Session id
// ---------------------------------------------------------------------------------------------

/// A session group's id: 128 random bits, written as 22 characters of base64url without
/// padding. All tabs of one browser share it through the `livetemplate-id` cookie.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// Always exactly [`SESSION_ID_LEN`] canonical base64url characters.
    text: String,
}

impl SessionId {
    /// A fresh random id from the OS.
    ///
    /// # Panics
    ///
    /// When the operating system's random source fails.
    #[allow(clippy::new_without_default)] // an id is fresh randomness, not a default value
    pub fn new() -> Self {
        let mut bytes = [0u8; 16];
        os_random(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// The id for these 128 bits.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self {
            text: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// The id's text form (22 base64url characters).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parses the text form: exactly 22 characters of the base64url alphabet that decode to 16
    /// bytes canonically (the unused low bits of the last character are zero). `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != SESSION_ID_LEN
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        let mut bytes = [0u8; 18]; // decode_slice wants room for a whole 3-byte group
        match URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
            Ok(16) => Some(Self {
                text: text.to_owned(),
            }),
            _ => None,
        }
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SessionId").field(&self.text).finish()
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text).ok_or(InvalidSessionId)
    }
}

/// A string that is not a session id (see [`SessionId::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSessionId;

impl fmt::Display for InvalidSessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a session id (22 base64url characters)")
    }
}

impl std::error::Error for InvalidSessionId {}

// ---------------------------------------------------------------------------------------------
// Session cookie
// ---------------------------------------------------------------------------------------------

/// The signed cookie value for `id`: `<id>.<base64url(HMAC-SHA256(key, "livetemplate-id:" + id))>`.
#[cfg(test)]
pub(crate) fn sign_session(key: &SigningKey, id: &SessionId) -> String {
    sign_session_for(key, id, None)
}

/// The HMAC tag of session `id` for `user` (anonymous: the tag [`sign_session`] documents).
fn session_tag(key: &SigningKey, id: &SessionId, user: Option<&str>) -> String {
    match user {
        None => key.tag(SESSION_CONTEXT, id.as_str().as_bytes()),
        // The id never holds a newline, so `id \n user` is unambiguous.
        Some(user) => key.tag(
            USER_SESSION_CONTEXT,
            format!("{}\n{user}", id.as_str()).as_bytes(),
        ),
    }
}

/// The signed cookie value for `id`, bound to `user`: it verifies only for requests the
/// authenticator gives that same user (`None`: anonymous ones). A session id minted before a
/// login therefore never names the signed-in session: the login rotates it.
pub(crate) fn sign_session_for(key: &SigningKey, id: &SessionId, user: Option<&str>) -> String {
    let tag = session_tag(key, id, user);
    let mut value = String::with_capacity(SIGNED_LEN);
    value.push_str(id.as_str());
    value.push('.');
    value.push_str(&tag);
    value
}

/// The session id in a signed cookie value, when `value` is exactly what [`sign_session`]
/// produces under `key`. Anything malformed, truncated, tampered with, or signed by another key
/// gives `None`; the signature is compared in constant time.
pub(crate) fn verify_session(key: &SigningKey, value: &str) -> Option<SessionId> {
    verify_session_for(key, value, None)
}

/// [`verify_session`] for a value from [`sign_session_for`] with `user`.
pub(crate) fn verify_session_for(
    key: &SigningKey,
    value: &str,
    user: Option<&str>,
) -> Option<SessionId> {
    if value.len() != SIGNED_LEN {
        return None;
    }
    let (id, tag) = value.split_once('.')?;
    let id = SessionId::parse(id)?;
    let expected = session_tag(key, &id, user);
    bool::from(expected.as_bytes().ct_eq(tag.as_bytes())).then_some(id)
}

/// The `Set-Cookie` value that stores `value` (from [`sign_session`]) in the session cookie:
/// `livetemplate-id=<value>; Path=/; HttpOnly; SameSite=Lax`, then `; Max-Age=<seconds>` when
/// given (none = a browser-session cookie; zero deletes it), then `; Secure` when `secure`.
///
/// Bytes that may not appear in a cookie value (RFC 6265 `cookie-octet`) are dropped; a value
/// from [`sign_session`] never has any.
#[cfg(test)]
pub(crate) fn session_cookie(value: &str, secure: bool, max_age: Option<Duration>) -> HeaderValue {
    named_session_cookie(SESSION_COOKIE, value, secure, max_age)
}

/// [`session_cookie`] under the cookie name `name` (`Config::host_cookie` picks
/// `__Host-livetemplate-id`, which the browser keeps only with `Secure`, `Path=/` and no
/// `Domain`: the caller passes `secure` for it).
pub(crate) fn named_session_cookie(
    name: &str,
    value: &str,
    secure: bool,
    max_age: Option<Duration>,
) -> HeaderValue {
    let mut cookie = String::with_capacity(name.len() + value.len() + 64);
    cookie.push_str(name);
    cookie.push('=');
    cookie.extend(value.chars().filter(|&c| is_cookie_octet(c)));
    cookie.push_str("; Path=/; HttpOnly; SameSite=Lax");
    if let Some(max_age) = max_age {
        cookie.push_str("; Max-Age=");
        cookie.push_str(&max_age.as_secs().to_string());
    }
    if secure {
        cookie.push_str("; Secure");
    }
    match HeaderValue::try_from(cookie) {
        Ok(header) => header,
        // Every byte is visible ASCII or a space, which header values always allow.
        Err(_) => unreachable!("a cookie built from cookie-octets is a valid header value"),
    }
}

/// RFC 6265 `cookie-octet`: visible ASCII except `"`, `,`, `;` and `\`.
fn is_cookie_octet(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x2B' | '\x2D'..='\x3A' | '\x3C'..='\x5B' | '\x5D'..='\x7E')
}

/// The value of the first cookie called `name` across all `Cookie` headers.
///
/// Pairs are separated by `;`; whitespace around names and values is ignored, a value in double
/// quotes is returned without them, and pairs without `=` (or headers that are not UTF-8) are
/// skipped. Names compare exactly (cookie names are case-sensitive).
pub(crate) fn read_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    cookie_values(headers, name).next()
}

/// The session of a request: the first cookie called `name` whose value verifies under `key`.
///
/// A browser sends every cookie that matches the request, so one name may come more than
/// once: a cookie planted for a parent domain or a narrower path next to the app's own, or
/// garbage. An invalid value never hides a valid one after it; of two valid ones the first
/// wins, as browsers list the cookie with the longer `Path` first (RFC 6265, 5.4) — use
/// `Config::host_cookie` so no other site can plant one at all.
#[cfg(test)]
pub(crate) fn read_session(headers: &HeaderMap, name: &str, key: &SigningKey) -> Option<SessionId> {
    read_session_for(headers, name, key, None).map(|found| found.id)
}

/// A session found in a request's cookies by [`read_session_for`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundSession {
    /// The session id.
    pub(crate) id: SessionId,
    /// Whether the cookie was the anonymous one of a request that now has a user: the browser
    /// has signed in since, and the session must be rotated.
    pub(crate) login: bool,
}

/// [`read_session`] for a request whose user is `user`: the first cookie bound to that user;
/// else, for a signed-in request, the first anonymous one, marked as a login. A cookie bound
/// to another user (or to a user, on an anonymous request: a logout) names no session.
pub(crate) fn read_session_for(
    headers: &HeaderMap,
    name: &str,
    key: &SigningKey,
    user: Option<&str>,
) -> Option<FoundSession> {
    let bound = cookie_values(headers, name)
        .find_map(|value| verify_session_for(key, value, user))
        .map(|id| FoundSession { id, login: false });
    bound.or_else(|| {
        user?;
        cookie_values(headers, name)
            .find_map(|value| verify_session(key, value))
            .map(|id| FoundSession { id, login: true })
    })
}

/// The values of every cookie called `name` across all `Cookie` headers, in order.
fn cookie_values<'h>(headers: &'h HeaderMap, name: &str) -> impl Iterator<Item = &'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| std::str::from_utf8(header.as_bytes()).ok())
        .flat_map(|header| header.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.split_once('=')?;
            if key.trim_matches(is_ows) != name {
                return None;
            }
            let value = value.trim_matches(is_ows);
            Some(
                value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value),
            )
        })
}

/// Optional whitespace in a header: space or tab.
fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

// ---------------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------------

/// The CSRF token a page embeds for plain-form POSTs of session `id`:
/// base64url(HMAC-SHA256(key, "csrf:" + id)), 43 characters. It is stable for the session, so
/// every tab and every render of the group carries the same token.
pub(crate) fn csrf_token(key: &SigningKey, id: &SessionId) -> String {
    key.tag(CSRF_CONTEXT, id.as_str().as_bytes())
}

/// Whether `token` is the CSRF token of session `id` under `key` (compared in constant time).
pub(crate) fn verify_csrf(key: &SigningKey, id: &SessionId, token: &str) -> bool {
    let expected = csrf_token(key, id);
    bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Origin
// ---------------------------------------------------------------------------------------------

/// Which origins may open a WebSocket: the request's own (`scheme://host`) always, plus an
/// allow-list. [`OriginPolicy::same_host`] (the default) has an empty allow-list.
///
/// Allow-list entries compare with the scheme and host case-insensitive and the default port
/// (`:80` for http, `:443` for https) ignored, so `HTTP://App.example:80` matches
/// `http://app.example`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// Normalized allowed origins (see [`normalize_origin`]).
    allowed: Vec<String>,
}

impl OriginPolicy {
    /// Only the request's own origin.
    pub fn same_host() -> Self {
        Self::default()
    }

    /// Also allows `origin` (`scheme://host[:port]`, e.g. `https://app.example.com`; spaces
    /// around it are ignored). An entry that is not of that form is ignored, with a warning in
    /// the log.
    #[must_use]
    pub fn allow(mut self, origin: impl AsRef<str>) -> Self {
        let origin = origin.as_ref();
        match normalize_origin(origin.trim()) {
            Some(normalized) => {
                if !self.allowed.contains(&normalized) {
                    self.allowed.push(normalized);
                }
            }
            None => tracing::warn!(
                origin = %quote(origin),
                "ignoring allowed origin: not of the form scheme://host[:port]"
            ),
        }
        self
    }

    /// The allowed origins besides the request's own, normalized.
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }
}

/// Checks the `Origin` of a WebSocket upgrade request: it must be present and equal
/// `scheme://host` of the request's `Host` header (scheme `https` when `secure`, else `http`),
/// or be on the policy's allow-list. Scheme and host compare case-insensitively, default ports
/// are ignored.
pub(crate) fn check_origin(
    policy: &OriginPolicy,
    headers: &HeaderMap,
    secure: bool,
) -> Result<(), OriginError> {
    let host = single(headers, HOST.as_str()).ok_or(OriginError::MissingHost)?;
    let host = std::str::from_utf8(host.as_bytes())
        .map_err(|_| OriginError::BadHost(quote(&String::from_utf8_lossy(host.as_bytes()))))?;
    let scheme = if secure { "https" } else { "http" };
    let own = normalize_authority(scheme, host).ok_or_else(|| OriginError::BadHost(quote(host)))?;

    let origin = single(headers, ORIGIN.as_str()).ok_or(OriginError::MissingOrigin)?;
    let origin = std::str::from_utf8(origin.as_bytes())
        .map_err(|_| OriginError::BadOrigin(quote(&String::from_utf8_lossy(origin.as_bytes()))))?;
    let origin = origin.trim_matches(is_ows);
    if origin.eq_ignore_ascii_case("null") {
        return Err(OriginError::NullOrigin);
    }
    let normalized =
        normalize_origin(origin).ok_or_else(|| OriginError::BadOrigin(quote(origin)))?;

    if normalized == own || policy.allowed.contains(&normalized) {
        Ok(())
    } else {
        Err(OriginError::CrossOrigin(quote(origin)))
    }
}

/// The header's value when it occurs exactly once; a missing or repeated header gives `None`.
fn single<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h HeaderValue> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    values.next().is_none().then_some(first)
}

/// `scheme://host[:port]` lower-cased with the default port dropped, or `None` when `origin`
/// is not of that form (no path, query, fragment or user info, no space around it: a request's
/// `Origin` is trimmed of HTTP's spaces and tabs only, so a Unicode space never passes).
pub(super) fn normalize_origin(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    let valid_scheme = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid_scheme {
        return None;
    }
    normalize_authority(&scheme.to_ascii_lowercase(), authority)
}

/// `scheme://host[:port]` for an authority (`host`, `host:port`, `[v6]`, `[v6]:port`), host
/// lower-cased and the scheme's default port dropped; `None` when it is not a bare authority.
fn normalize_authority(scheme: &str, authority: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (&authority[..v6.len() + 2], port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'-' | b'.'
                            | b'_'
                            | b'~'
                            | b'%'
                            | b'!'
                            | b'$'
                            | b'&'
                            | b'\''
                            | b'('
                            | b')'
                            | b'*'
                            | b'+'
                            | b','
                            | b';'
                            | b'='
                    )
            });
        if !host_ok {
            return None;
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(port) => {
            if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(port.parse::<u16>().ok()?)
        }
    };
    let default_port = match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    };
    let mut out = String::with_capacity(scheme.len() + 3 + host.len() + 6);
    out.push_str(scheme);
    out.push_str("://");
    out.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port.filter(|&p| Some(p) != default_port) {
        out.push(':');
        out.push_str(&port.to_string());
    }
    Some(out)
}

/// At most [`MAX_QUOTED`] bytes of an attacker-chosen value, for messages and logs.
pub(super) fn quote(value: &str) -> String {
    if value.len() <= MAX_QUOTED {
        return value.to_owned();
    }
    let mut end = MAX_QUOTED;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

/// Why a request's origin was refused (a WebSocket upgrade or a JSON `POST`). Its
/// [`Display`](fmt::Display) says "request"; [`OriginError::refusing`] names the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum OriginError {
    /// No `Origin` header (or more than one).
    MissingOrigin,
    /// `Origin: null` — an opaque origin (sandboxed frame, `file:` page, some redirects).
    NullOrigin,
    /// The `Origin` header is not `scheme://host[:port]`; holds the (shortened) value.
    BadOrigin(String),
    /// No `Host` header (or more than one).
    MissingHost,
    /// The `Host` header is not `host[:port]`; holds the (shortened) value.
    BadHost(String),
    /// A well-formed origin that is neither the request's own nor allowed; holds the
    /// (shortened) origin.
    CrossOrigin(String),
}

impl OriginError {
    /// The refusal's message naming the transport that was refused, e.g. `"WebSocket"` or
    /// `"JSON POST"`: "cross-origin JSON POST from https://evil.example refused".
    pub(crate) fn refusing(&self, transport: &'static str) -> Refusal<'_> {
        Refusal {
            transport,
            error: self,
        }
    }
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.refusing("request").fmt(f)
    }
}

/// An [`OriginError`]'s message for one transport; see [`OriginError::refusing`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal<'a> {
    transport: &'static str,
    error: &'a OriginError,
}

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let via = self.transport;
        match self.error {
            OriginError::MissingOrigin => write!(f, "{via} without a single Origin header refused"),
            OriginError::NullOrigin => write!(f, "{via} from an opaque origin (null) refused"),
            OriginError::BadOrigin(origin) => {
                write!(f, "{via} with a malformed Origin header {origin:?} refused")
            }
            OriginError::MissingHost => {
                write!(f, "{via} without a single Host header refused")
            }
            OriginError::BadHost(host) => {
                write!(f, "{via} with a malformed Host header {host:?} refused")
            }
            OriginError::CrossOrigin(origin) => {
                write!(f, "cross-origin {via} from {origin} refused")
            }
        }
    }
}

impl std::error::Error for OriginError {}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[42; 32]).expect("32 bytes is long enough")
    }

    fn other_key() -> SigningKey {
        SigningKey::from_bytes(&[43; 32]).expect("32 bytes is long enough")
    }

    fn id() -> SessionId {
        SessionId::from_bytes(*b"0123456789abcdef")
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::header::HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
                HeaderValue::from_str(value).expect("test header value"),
            );
        }
        map
    }

    // --- keys ---

    #[test]
    fn key_from_bytes_needs_32() {
        assert_eq!(
            SigningKey::from_bytes(&[1; 31]).err(),
            Some(KeyError::TooShort { len: 31 })
        );
        assert!(SigningKey::from_bytes(&[1; 32]).is_ok());
        assert!(SigningKey::from_bytes(&[1; 100]).is_ok());
        let msg = KeyError::TooShort { len: 3 }.to_string();
        assert!(
            msg.contains("3 bytes") && msg.contains("at least 32"),
            "{msg}"
        );
    }

    #[test]
    fn key_from_base64_accepts_both_alphabets() {
        let bytes: Vec<u8> = (0u8..40)
            .map(|b| b.wrapping_mul(37).wrapping_add(250))
            .collect();
        let reference = SigningKey::from_bytes(&bytes).expect("long enough");
        let signed = sign_session(&reference, &id());
        for text in [
            STANDARD.encode(&bytes),
            STANDARD_NO_PAD.encode(&bytes),
            URL_SAFE.encode(&bytes),
            format!("  {}\n", URL_SAFE_NO_PAD.encode(&bytes)),
        ] {
            let key = SigningKey::from_base64(&text).expect("valid base64 key");
            assert_eq!(sign_session(&key, &id()), signed, "{text}");
        }
        assert_eq!(
            SigningKey::from_base64("not base64!").err(),
            Some(KeyError::NotBase64)
        );
        assert_eq!(
            SigningKey::from_base64(&STANDARD.encode([0; 16])).err(),
            Some(KeyError::TooShort { len: 16 })
        );
    }

    #[test]
    fn key_debug_hides_the_key() {
        let key = SigningKey::from_bytes(b"super-secret-key-material-0123456789").expect("long");
        let shown = format!("{key:?}");
        assert_eq!(shown, "SigningKey(<redacted>)");
        assert!(!shown.contains("secret"));
    }

    #[test]
    fn random_keys_differ() {
        let (a, b) = (SigningKey::random(), SigningKey::random());
        assert_ne!(sign_session(&a, &id()), sign_session(&b, &id()));
    }

    // --- session ids ---

    #[test]
    fn session_id_shape() {
        let id = SessionId::new();
        assert_eq!(id.as_str().len(), 22);
        assert!(
            id.as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(SessionId::new(), SessionId::new());
        assert_eq!(SessionId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.as_str().parse::<SessionId>(), Ok(id.clone()));
        assert_eq!(id.to_string(), id.as_str());
    }

    #[test]
    fn session_id_parse_rejects() {
        let good = id();
        let text = good.as_str();
        assert!(SessionId::parse(text).is_some());
        assert!(SessionId::parse("").is_none());
        assert!(SessionId::parse(&text[..21]).is_none());
        assert!(SessionId::parse(&format!("{text}A")).is_none());
        assert!(SessionId::parse(&format!("{}=", &text[..21])).is_none());
        assert!(SessionId::parse(&format!("{}+", &text[..21])).is_none());
        assert!(SessionId::parse(&format!("{}/", &text[..21])).is_none());
        assert!(SessionId::parse(&format!("{}.", &text[..21])).is_none());
        assert!(SessionId::parse(&format!("{}é", &text[..20])).is_none());
        // 22 chars carry 132 bits; the last 4 must be zero (one canonical spelling per id).
        assert!(SessionId::parse("AAAAAAAAAAAAAAAAAAAAAA").is_some());
        assert!(SessionId::parse("AAAAAAAAAAAAAAAAAAAAAB").is_none());
        assert_eq!("nope".parse::<SessionId>(), Err(InvalidSessionId));
    }

    // --- session cookie value ---

    #[test]
    fn sign_verify_round_trip() {
        let key = key();
        for id in [id(), SessionId::new(), SessionId::from_bytes([0xff; 16])] {
            let value = sign_session(&key, &id);
            assert_eq!(value.len(), 66);
            assert!(value.starts_with(&format!("{}.", id.as_str())));
            assert_eq!(verify_session(&key, &value), Some(id));
        }
    }

    #[test]
    fn sign_is_the_documented_hmac() {
        let key_bytes = [9u8; 40];
        let key = SigningKey::from_bytes(&key_bytes).expect("long enough");
        let id = id();
        let mut mac = HmacSha256::new_from_slice(&key_bytes).expect("hmac key");
        mac.update(format!("livetemplate-id:{}", id.as_str()).as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        assert_eq!(sign_session(&key, &id), format!("{}.{tag}", id.as_str()));
    }

    #[test]
    fn verify_rejects_bad_values() {
        let key = key();
        let good = sign_session(&key, &id());
        let (id_part, tag) = good.split_once('.').expect("signed value has a dot");
        let mut forged_tag = tag.to_owned().into_bytes();
        forged_tag[0] = if forged_tag[0] == b'A' { b'B' } else { b'A' };
        let forged_tag = String::from_utf8(forged_tag).expect("ascii");
        let other_id = SessionId::from_bytes(*b"fedcba9876543210");
        let bad = [
            String::new(),
            ".".to_owned(),
            id_part.to_owned(),
            format!("{id_part}."),
            format!(".{tag}"),
            format!("{id_part}.{forged_tag}"),
            good[..good.len() - 1].to_owned(),
            good[1..].to_owned(),
            format!("{good}A"),
            format!("{good}.extra"),
            format!("{id_part}..{}", &tag[1..]),
            format!("{}.{tag}", other_id.as_str()),
            sign_session(&other_key(), &id()),
            good.replace('.', "="),
            format!(
                "{id_part}.{}",
                tag.replace(|c: char| c.is_ascii_alphanumeric(), "+")
            ),
            format!("{id_part}.{}", "!".repeat(43)),
            "é".repeat(33),
            "a".repeat(10 * 1024),
            format!("{good}{}", ".".repeat(10 * 1024)),
            " ".to_owned() + &good[1..],
        ];
        for value in &bad {
            assert_eq!(verify_session(&key, value), None, "{value:?}");
        }
        assert_eq!(verify_session(&key, &good), Some(id()));
        assert_eq!(verify_session(&other_key(), &good), None);
    }

    // --- Set-Cookie ---

    #[test]
    fn cookie_attributes() {
        assert_eq!(
            session_cookie("abc.def", false, None),
            "livetemplate-id=abc.def; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            session_cookie("abc.def", true, None),
            "livetemplate-id=abc.def; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            session_cookie("abc.def", true, Some(Duration::from_secs(86_400))),
            "livetemplate-id=abc.def; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400; Secure"
        );
        assert_eq!(
            session_cookie("", false, Some(Duration::ZERO)),
            "livetemplate-id=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
        let signed = sign_session(&key(), &id());
        assert_eq!(
            session_cookie(&signed, false, None),
            format!("livetemplate-id={signed}; Path=/; HttpOnly; SameSite=Lax")
        );
    }

    #[test]
    fn cookie_drops_bytes_that_cannot_be_in_a_value() {
        assert_eq!(
            session_cookie("a; Domain=evil\r\n\"b\\,c é", false, None),
            "livetemplate-id=aDomain=evilbc; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    // --- Cookie header parsing ---

    #[test]
    fn read_cookie_cases() {
        let h = headers(&[("cookie", "livetemplate-id=abc")]);
        assert_eq!(read_cookie(&h, SESSION_COOKIE), Some("abc"));

        let h = headers(&[("cookie", "a=1; livetemplate-id=xyz; b=2")]);
        assert_eq!(read_cookie(&h, "livetemplate-id"), Some("xyz"));
        assert_eq!(read_cookie(&h, "a"), Some("1"));
        assert_eq!(read_cookie(&h, "b"), Some("2"));
        assert_eq!(read_cookie(&h, "c"), None);

        // Whitespace (spaces and tabs) around names and values; no space after `;`.
        let h = headers(&[("cookie", " a = 1 ;\tb=2;c=3 ")]);
        assert_eq!(read_cookie(&h, "a"), Some("1"));
        assert_eq!(read_cookie(&h, "b"), Some("2"));
        assert_eq!(read_cookie(&h, "c"), Some("3"));

        // Quoted values lose their quotes; a lone quote stays.
        let h = headers(&[("cookie", "q=\"v.1\"; r=\"; s=\"\"")]);
        assert_eq!(read_cookie(&h, "q"), Some("v.1"));
        assert_eq!(read_cookie(&h, "r"), Some("\""));
        assert_eq!(read_cookie(&h, "s"), Some(""));

        // Several Cookie headers; the first match wins, across and within headers.
        let h = headers(&[
            ("cookie", "x=1"),
            ("cookie", "livetemplate-id=first; livetemplate-id=second"),
            ("cookie", "livetemplate-id=third"),
        ]);
        assert_eq!(read_cookie(&h, "livetemplate-id"), Some("first"));
        assert_eq!(read_cookie(&h, "x"), Some("1"));

        // Names are exact: no prefix, suffix or case match; `=` inside a value is kept.
        let h = headers(&[(
            "cookie",
            "livetemplate-id-old=1; xlivetemplate-id=2; LIVETEMPLATE-ID=3; v=a=b",
        )]);
        assert_eq!(read_cookie(&h, "livetemplate-id"), None);
        assert_eq!(read_cookie(&h, "v"), Some("a=b"));

        // Garbage: empty headers, pairs without `=`, empty names and values.
        let h = headers(&[("cookie", ""), ("cookie", ";;; novalue; =x; e=")]);
        assert_eq!(read_cookie(&h, "novalue"), None);
        assert_eq!(read_cookie(&h, ""), Some("x"));
        assert_eq!(read_cookie(&h, "e"), Some(""));

        assert_eq!(read_cookie(&HeaderMap::new(), "a"), None);

        // A non-UTF-8 header is skipped, later ones still read.
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_bytes(b"a=\xff\xfe").expect("obs-text is allowed"),
        );
        h.append(COOKIE, HeaderValue::from_static("a=2"));
        assert_eq!(read_cookie(&h, "a"), Some("2"));
    }

    #[test]
    fn cookie_round_trip_through_headers() {
        let key = key();
        let signed = sign_session(&key, &id());
        let set = session_cookie(&signed, true, None);
        let pair = set
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("first pair")
            .to_owned();
        let h = headers(&[("cookie", &format!("theme=dark; {pair}"))]);
        let read = read_cookie(&h, SESSION_COOKIE).expect("cookie present");
        assert_eq!(verify_session(&key, read), Some(id()));
    }

    #[test]
    fn the_first_valid_session_cookie_wins() {
        let key = key();
        let valid = sign_session(&key, &id());
        let other = SessionId::from_bytes([9; 16]);
        let other_valid = sign_session(&key, &other);
        let foreign = sign_session(&SigningKey::from_bytes(&[7; 32]).expect("key"), &other);
        let cases = [
            (
                format!("livetemplate-id=garbage; livetemplate-id={valid}"),
                Some(id()),
            ),
            (
                format!("livetemplate-id={foreign}; livetemplate-id={valid}"),
                Some(id()),
            ),
            (
                format!("livetemplate-id={valid}; livetemplate-id={other_valid}"),
                Some(id()),
            ),
            (
                format!("livetemplate-id={other_valid}; livetemplate-id={valid}"),
                Some(other.clone()),
            ),
            ("livetemplate-id=garbage; livetemplate-id=".to_owned(), None),
            (format!("__Host-livetemplate-id={valid}"), None),
        ];
        for (header, expected) in cases {
            let h = headers(&[("cookie", &header)]);
            assert_eq!(read_session(&h, SESSION_COOKIE, &key), expected, "{header}");
        }
        // Across two `Cookie` headers as well.
        let h = headers(&[
            ("cookie", "livetemplate-id=x"),
            ("cookie", &format!("livetemplate-id={valid}")),
        ]);
        assert_eq!(read_session(&h, SESSION_COOKIE, &key), Some(id()));
    }

    #[test]
    fn session_cookies_are_bound_to_their_user() {
        let key = key();
        let anonymous = sign_session(&key, &id());
        let alice = sign_session_for(&key, &id(), Some("alice"));
        assert_ne!(anonymous, alice);
        assert_eq!(verify_session_for(&key, &alice, Some("alice")), Some(id()));
        assert_eq!(verify_session_for(&key, &alice, Some("bob")), None);
        assert_eq!(verify_session_for(&key, &alice, None), None);
        assert_eq!(verify_session_for(&key, &anonymous, Some("alice")), None);

        let read = |cookie: &str, user| {
            read_session_for(&headers(&[("cookie", cookie)]), SESSION_COOKIE, &key, user)
        };
        let bound = |login| Some(FoundSession { id: id(), login });
        assert_eq!(
            read(&format!("livetemplate-id={alice}"), Some("alice")),
            bound(false)
        );
        // Signed in since the cookie was set: a login.
        assert_eq!(
            read(&format!("livetemplate-id={anonymous}"), Some("alice")),
            bound(true)
        );
        // Another user's cookie, or a signed-in cookie after a logout: no session.
        assert_eq!(read(&format!("livetemplate-id={alice}"), Some("bob")), None);
        assert_eq!(read(&format!("livetemplate-id={alice}"), None), None);
        // A bound cookie wins over an anonymous one before it.
        assert_eq!(
            read(
                &format!("livetemplate-id={anonymous}; livetemplate-id={alice}"),
                Some("alice")
            ),
            bound(false)
        );
    }

    // --- CSRF ---

    #[test]
    fn csrf_tokens() {
        let key = key();
        let token = csrf_token(&key, &id());
        assert_eq!(token.len(), 43);
        assert_eq!(token, csrf_token(&key, &id()), "stable per session");
        assert!(verify_csrf(&key, &id(), &token));

        let other = SessionId::from_bytes(*b"fedcba9876543210");
        assert!(!verify_csrf(&key, &other, &token), "other session");
        assert!(!verify_csrf(&other_key(), &id(), &token), "other key");
        assert!(!verify_csrf(&key, &id(), ""));
        assert!(!verify_csrf(&key, &id(), &token[..42]));
        assert!(!verify_csrf(&key, &id(), &format!("{token}A")));
        let mut forged = token.clone().into_bytes();
        forged[10] = if forged[10] == b'x' { b'y' } else { b'x' };
        assert!(!verify_csrf(
            &key,
            &id(),
            &String::from_utf8(forged).expect("ascii")
        ));
        assert!(!verify_csrf(&key, &id(), &"A".repeat(10 * 1024)));

        // The CSRF token is not the cookie signature (domain separation).
        let signed = sign_session(&key, &id());
        let (_, tag) = signed.split_once('.').expect("dot");
        assert_ne!(tag, token);
        assert!(!verify_csrf(&key, &id(), tag));
    }

    // --- Origin ---

    fn origin_check(
        policy: &OriginPolicy,
        host: Option<&str>,
        origin: Option<&str>,
        secure: bool,
    ) -> Result<(), OriginError> {
        let mut pairs = Vec::new();
        if let Some(host) = host {
            pairs.push(("host", host));
        }
        if let Some(origin) = origin {
            pairs.push(("origin", origin));
        }
        check_origin(policy, &headers(&pairs), secure)
    }

    #[test]
    fn origin_same_host() {
        let p = OriginPolicy::same_host();
        let ok = |host, origin, secure| origin_check(&p, Some(host), Some(origin), secure);
        assert_eq!(ok("app.example", "http://app.example", false), Ok(()));
        assert_eq!(ok("app.example", "https://app.example", true), Ok(()));
        assert_eq!(ok("localhost:8080", "http://localhost:8080", false), Ok(()));
        assert_eq!(ok("127.0.0.1:3000", "http://127.0.0.1:3000", false), Ok(()));
        assert_eq!(ok("[::1]:3000", "http://[::1]:3000", false), Ok(()));
        assert_eq!(ok("[::1]", "http://[::1]:80", false), Ok(()));
        // Case-insensitive scheme and host; default ports normalized on either side.
        assert_eq!(ok("App.Example", "HTTP://app.EXAMPLE", false), Ok(()));
        assert_eq!(ok("app.example:80", "http://app.example", false), Ok(()));
        assert_eq!(ok("app.example", "http://app.example:80", false), Ok(()));
        assert_eq!(ok("app.example:443", "https://app.example", true), Ok(()));
        assert_eq!(ok("app.example", "https://app.example:443", true), Ok(()));
        assert_eq!(ok("app.example", " http://app.example ", false), Ok(()));
    }

    #[test]
    fn origin_mismatches() {
        let p = OriginPolicy::same_host();
        let check = |host, origin, secure| origin_check(&p, Some(host), Some(origin), secure);
        let cross = |o: &str| Err(OriginError::CrossOrigin(o.to_owned()));
        // Different port.
        assert_eq!(
            check("app.example:8080", "http://app.example:8081", false),
            cross("http://app.example:8081")
        );
        assert_eq!(
            check("app.example", "http://app.example:8080", false),
            cross("http://app.example:8080")
        );
        // https page vs http origin, and the reverse; :443 is not the default for http.
        assert_eq!(
            check("app.example", "http://app.example", true),
            cross("http://app.example")
        );
        assert_eq!(
            check("app.example", "https://app.example", false),
            cross("https://app.example")
        );
        assert_eq!(
            check("app.example:443", "https://app.example", false),
            cross("https://app.example")
        );
        // Other hosts, including look-alikes.
        assert_eq!(
            check("app.example", "https://evil.example", true),
            cross("https://evil.example")
        );
        assert_eq!(
            check("app.example", "https://app.example.evil.example", true),
            cross("https://app.example.evil.example")
        );
        assert_eq!(
            check("app.example", "https://evil.example", true)
                .expect_err("cross-origin")
                .refusing("WebSocket")
                .to_string(),
            "cross-origin WebSocket from https://evil.example refused"
        );
        assert_eq!(
            check("app.example", "https://evil.example", true)
                .expect_err("cross-origin")
                .refusing("JSON POST")
                .to_string(),
            "cross-origin JSON POST from https://evil.example refused"
        );
    }

    #[test]
    fn origin_allow_list() {
        let p = OriginPolicy::same_host()
            .allow("https://Admin.Example:443")
            .allow("http://localhost:5173")
            .allow("http://localhost:5173")
            .allow("not an origin");
        assert_eq!(
            p.allowed(),
            &["https://admin.example", "http://localhost:5173"]
        );
        let check = |origin| origin_check(&p, Some("app.example"), Some(origin), true);
        assert_eq!(check("https://admin.example"), Ok(()));
        assert_eq!(check("HTTPS://ADMIN.EXAMPLE"), Ok(()));
        assert_eq!(check("https://admin.example:443"), Ok(()));
        assert_eq!(check("http://localhost:5173"), Ok(()));
        assert_eq!(
            check("https://app.example"),
            Ok(()),
            "own origin still allowed"
        );
        assert!(matches!(
            check("http://admin.example"),
            Err(OriginError::CrossOrigin(_))
        ));
        assert!(matches!(
            check("https://admin.example:8443"),
            Err(OriginError::CrossOrigin(_))
        ));
        assert!(matches!(
            check("http://localhost:5174"),
            Err(OriginError::CrossOrigin(_))
        ));
        assert_eq!(OriginPolicy::default(), OriginPolicy::same_host());
    }

    #[test]
    fn origin_missing_or_bad() {
        let p = OriginPolicy::same_host().allow("https://admin.example");
        assert_eq!(
            origin_check(&p, Some("app.example"), None, false),
            Err(OriginError::MissingOrigin)
        );
        assert_eq!(
            origin_check(&p, None, Some("http://app.example"), false),
            Err(OriginError::MissingHost)
        );
        // Host is required even for an allow-listed origin.
        assert_eq!(
            origin_check(&p, None, Some("https://admin.example"), true),
            Err(OriginError::MissingHost)
        );
        assert_eq!(
            origin_check(&p, Some("app.example"), Some("null"), false),
            Err(OriginError::NullOrigin)
        );
        assert_eq!(
            origin_check(&p, Some("app.example"), Some("NULL"), false),
            Err(OriginError::NullOrigin)
        );
        for origin in [
            "",
            "app.example",
            "http://",
            "http://app.example/",
            "http://app.example/path",
            "http://user@app.example",
            "http://app.example?x",
            "http://app.example:",
            "http://app.example:99999",
            "http://app.example:80a",
            "http://[::1",
            "http://[]",
            "://app.example",
            "1http://app.example",
        ] {
            assert!(
                matches!(
                    origin_check(&p, Some("app.example"), Some(origin), false),
                    Err(OriginError::BadOrigin(_))
                ),
                "{origin:?}"
            );
        }
        for host in [
            "",
            "app.example/x",
            "user@app.example",
            "app.example:x",
            "[::1",
        ] {
            assert!(
                matches!(
                    origin_check(&p, Some(host), Some("http://app.example"), false),
                    Err(OriginError::BadHost(_))
                ),
                "{host:?}"
            );
        }
        // Repeated headers are ambiguous.
        let h = headers(&[
            ("host", "app.example"),
            ("origin", "http://app.example"),
            ("origin", "http://evil.example"),
        ]);
        assert_eq!(check_origin(&p, &h, false), Err(OriginError::MissingOrigin));
        let h = headers(&[
            ("host", "app.example"),
            ("host", "evil.example"),
            ("origin", "http://app.example"),
        ]);
        assert_eq!(check_origin(&p, &h, false), Err(OriginError::MissingHost));
        // Non-UTF-8 origin.
        let mut h = headers(&[("host", "app.example")]);
        h.insert(
            ORIGIN,
            HeaderValue::from_bytes(b"http://\xffapp").expect("obs-text"),
        );
        assert!(matches!(
            check_origin(&p, &h, false),
            Err(OriginError::BadOrigin(_))
        ));
    }

    #[test]
    fn origin_error_messages_are_bounded() {
        let long = format!("https://{}.example", "a".repeat(10 * 1024));
        let err = origin_check(
            &OriginPolicy::same_host(),
            Some("app.example"),
            Some(&long),
            true,
        )
        .expect_err("cross-origin");
        assert!(err.to_string().len() < 300, "{}", err.to_string().len());
        for err in [
            OriginError::MissingOrigin,
            OriginError::NullOrigin,
            OriginError::BadOrigin("x".into()),
            OriginError::MissingHost,
            OriginError::BadHost("x".into()),
            OriginError::CrossOrigin("x".into()),
        ] {
            assert!(err.to_string().ends_with("refused"), "{err}");
        }
        assert_eq!(quote(&"é".repeat(150)).len(), 200 + "…".len());
    }

    /// Seen while writing the `cookie_origin` target's oracle: a Unicode space after the host
    /// (U+00A0, U+3000 …) was trimmed, so a malformed `Origin` passed as the page's own.
    #[test]
    fn unicode_spaces_do_not_trim_an_origin() {
        let p = OriginPolicy::same_host().allow(" https://www.example.com ");
        assert_eq!(p.allowed(), ["https://www.example.com"]);
        for origin in [
            "http://app.example\u{a0}",
            "\u{3000}http://app.example",
            "http://app.example\u{85}",
        ] {
            let mut h = headers(&[("host", "app.example")]);
            h.insert(
                ORIGIN,
                HeaderValue::from_bytes(origin.as_bytes()).expect("obs-text"),
            );
            assert!(
                matches!(check_origin(&p, &h, false), Err(OriginError::BadOrigin(_))),
                "{origin:?}"
            );
        }
        // HTTP's own spaces and tabs around it are fine.
        assert_eq!(
            origin_check(
                &p,
                Some("app.example"),
                Some(" \thttp://app.example\t "),
                false
            ),
            Ok(())
        );
    }

    /// Found by the `cookie_origin` fuzz target: a header that is not UTF-8 was kept whole.
    #[test]
    fn non_utf8_headers_are_shortened_too() {
        let long = [&b"\xff"[..], &[b'a'; 4096][..]].concat();
        let value = HeaderValue::from_bytes(&long).expect("obs-text");
        let mut h = headers(&[("host", "app.example")]);
        h.insert(ORIGIN, value.clone());
        let err = check_origin(&OriginPolicy::same_host(), &h, false).expect_err("not UTF-8");
        let OriginError::BadOrigin(shown) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(shown.len(), 200 + "…".len());
        assert!(err.to_string().len() < 300, "{}", err.to_string().len());
        let mut h = headers(&[("origin", "http://app.example")]);
        h.insert(HOST, value);
        let err = check_origin(&OriginPolicy::same_host(), &h, false).expect_err("not UTF-8");
        let OriginError::BadHost(shown) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(shown.len(), 200 + "…".len());
    }

    // --- properties ---

    proptest! {
        #[test]
        fn verify_session_never_panics_and_accepts_only_signed(value in ".{0,100}") {
            let key = key();
            if let Some(id) = verify_session(&key, &value) {
                prop_assert_eq!(sign_session(&key, &id), value);
            }
        }

        #[test]
        fn verify_session_on_cookie_shaped_input(
            id in "[A-Za-z0-9_-]{22}",
            tag in "[A-Za-z0-9_-]{43}",
        ) {
            let key = key();
            let value = format!("{id}.{tag}");
            if let Some(parsed) = verify_session(&key, &value) {
                prop_assert_eq!(sign_session(&key, &parsed), value);
            }
        }

        #[test]
        fn any_single_change_is_rejected(
            bytes in any::<[u8; 16]>(),
            at in 0usize..66,
            replacement in proptest::char::range('!', '~'),
        ) {
            let key = key();
            let id = SessionId::from_bytes(bytes);
            let good = sign_session(&key, &id);
            prop_assert_eq!(verify_session(&key, &good), Some(id));
            let mut tampered = good.clone().into_bytes();
            prop_assume!(tampered[at] != replacement as u8);
            tampered[at] = replacement as u8;
            let tampered = String::from_utf8(tampered).expect("ascii");
            prop_assert_eq!(verify_session(&key, &tampered), None);
        }

        #[test]
        fn csrf_round_trip(bytes in any::<[u8; 16]>(), token in ".{0,60}") {
            let key = key();
            let id = SessionId::from_bytes(bytes);
            prop_assert!(verify_csrf(&key, &id, &csrf_token(&key, &id)));
            prop_assert_eq!(verify_csrf(&key, &id, &token), token == csrf_token(&key, &id));
        }

        #[test]
        fn check_origin_never_panics(host in "\\PC{0,40}", origin in "\\PC{0,60}", secure: bool) {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&host) {
                h.insert(HOST, v);
            }
            if let Ok(v) = HeaderValue::from_str(&origin) {
                h.insert(ORIGIN, v);
            }
            let _ = check_origin(&OriginPolicy::same_host().allow(&origin), &h, secure);
        }
    }
}
