//! Flash messages across a plain form POST's redirect: a signed cookie the next page shows once.
//!
//! Over a live connection (or a JSON `POST`) a flash message travels in the reply's
//! `meta.flash`. A plain form `POST` answers `303 See Other` instead, so the messages it leaves
//! — the action's own ([`Context::flash`](crate::Context::flash)) when it succeeded, or why it
//! failed — are kept for a minute in the [`FLASH_COOKIE`] cookie, signed for the session (no
//! other site nor session can plant text in the page). The next `GET` of a live page shows them
//! before its live region and clears the cookie:
//!
//! ```html
//! <div class="lvt-flashes" data-lvt-flash><p class="lvt-flash" data-kind="error" role="status">name: pick a name</p></div>
//! ```
//!
//! This is the markup the browser client adds to a page's `[data-lvt-flash]` element for the
//! flash messages of live replies, so one stylesheet serves both.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue};
use subtle::ConstantTimeEq;

use super::page::push_escaped;
use super::security::{self, SessionId, SigningKey};
use crate::controller::{GENERAL_ERROR, Outcome};

/// The cookie that carries a plain POST's flash messages to the next page load.
pub(crate) const FLASH_COOKIE: &str = crate::wire::keys::FLASH_COOKIE;

/// What the cookie's signature is bound to, besides the session and the messages.
const CONTEXT: &[u8] = b"flash:";

/// How long the cookie lives: the redirect's `GET` follows at once.
const MAX_AGE_SECS: u64 = 60;

/// The longest message kept, in characters (then `…`).
const MAX_CHARS: usize = 300;

/// The most text kept in one cookie, in bytes: browsers take 4 KiB per cookie, and base64
/// makes the text a third longer.
const MAX_BYTES: usize = 1536;

/// One flash message: its kind (`"info"` or `"error"`, as in `meta.flash`) and its text.
pub(crate) type Flash = (String, String);

/// The flash messages a plain POST's outcome leaves for the next page: the action's own when
/// it succeeded; when it failed, one error message with its errors, the general one first
/// (`"the action failed"`), then each field's as `field: message`.
pub(crate) fn of_outcome(outcome: &Outcome) -> Vec<Flash> {
    if outcome.succeeded() {
        return outcome.meta.flash.clone();
    }
    let errors = &outcome.meta.errors;
    let mut parts: Vec<String> = errors.get(GENERAL_ERROR).cloned().into_iter().collect();
    parts.extend(
        errors
            .iter()
            .filter(|(field, _)| field.as_str() != GENERAL_ERROR)
            .map(|(field, message)| format!("{field}: {message}")),
    );
    if parts.is_empty() {
        parts.push("the action failed".to_owned());
    }
    vec![("error".to_owned(), parts.join("; "))]
}

/// The `Set-Cookie` value that keeps `flashes` for the next page load of `session`, or `None`
/// when there are none. Each message is cut to [`MAX_CHARS`] characters, and messages past
/// [`MAX_BYTES`] bytes of text are dropped.
pub(crate) fn keep(
    key: &SigningKey,
    session: &SessionId,
    flashes: &[Flash],
    secure: bool,
) -> Option<HeaderValue> {
    let mut kept = Vec::new();
    let mut bytes = 0;
    for (kind, message) in flashes {
        let message = cut(message);
        bytes += message.len();
        if bytes > MAX_BYTES {
            break;
        }
        kept.push((kind.as_str(), message));
    }
    if kept.is_empty() {
        return None;
    }
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&kept).ok()?);
    let tag = key.tag(CONTEXT, signed(session, &payload).as_bytes());
    cookie(&format!("{payload}.{tag}"), secure, MAX_AGE_SECS)
}

/// The `Set-Cookie` value that deletes the flash cookie.
pub(crate) fn clear(secure: bool) -> Option<HeaderValue> {
    cookie("", secure, 0)
}

/// The flash messages kept for `session`, when the request carries the cookie: empty when it
/// is not ours (tampered with, signed for another session, malformed). `None` when there is
/// no cookie at all; otherwise the answer should [`clear`] it.
pub(crate) fn take(
    key: &SigningKey,
    session: &SessionId,
    headers: &HeaderMap,
) -> Option<Vec<Flash>> {
    let value = security::read_cookie(headers, FLASH_COOKIE)?;
    Some(verify(key, session, value).unwrap_or_default())
}

/// The messages of a cookie value, when its signature holds for `session`.
fn verify(key: &SigningKey, session: &SessionId, value: &str) -> Option<Vec<Flash>> {
    let (payload, tag) = value.split_once('.')?;
    let expected = key.tag(CONTEXT, signed(session, payload).as_bytes());
    if !bool::from(expected.as_bytes().ct_eq(tag.as_bytes())) {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let flashes: Vec<Flash> = serde_json::from_slice(&json).ok()?;
    Some(
        flashes
            .into_iter()
            .filter(|(kind, _)| kind == "info" || kind == "error")
            .collect(),
    )
}

/// The flash messages as HTML: a `data-lvt-flash` box with one paragraph per message, the text
/// escaped; empty for none.
pub(crate) fn html(flashes: &[Flash]) -> String {
    if flashes.is_empty() {
        return String::new();
    }
    let mut out = String::from("<div class=\"lvt-flashes\" data-lvt-flash>");
    for (kind, message) in flashes {
        out.push_str("<p class=\"lvt-flash\" data-kind=\"");
        push_escaped(&mut out, kind);
        out.push_str("\" role=\"status\">");
        push_escaped(&mut out, message);
        out.push_str("</p>");
    }
    out.push_str("</div>");
    out
}

/// What the signature covers: the session and the payload.
fn signed(session: &SessionId, payload: &str) -> String {
    format!("{}.{payload}", session.as_str())
}

/// `message` cut to [`MAX_CHARS`] characters.
fn cut(message: &str) -> String {
    match message.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

/// A `Set-Cookie` value for the flash cookie (the value is base64url and `.`: cookie-safe).
fn cookie(value: &str, secure: bool, max_age: u64) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::try_from(format!(
        "{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::wire::Meta;
    use http::header::COOKIE;

    fn key() -> SigningKey {
        match SigningKey::from_bytes(&[7; 32]) {
            Ok(key) => key,
            Err(error) => panic!("{error}"),
        }
    }

    /// The request headers of a browser that got `set_cookie`.
    fn sent_back(set_cookie: &HeaderValue) -> HeaderMap {
        let text = set_cookie.to_str().unwrap_or_default();
        let pair = text.split(';').next().unwrap_or_default();
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(pair) {
            headers.insert(COOKIE, value);
        }
        headers
    }

    fn flash(kind: &str, message: &str) -> Flash {
        (kind.to_owned(), message.to_owned())
    }

    #[test]
    fn a_kept_flash_comes_back_once_for_its_session_only() {
        let (key, session) = (key(), SessionId::new());
        let flashes = vec![flash("info", "saved"), flash("error", "<b>no</b> & \"so\"")];
        let set = keep(&key, &session, &flashes, false).expect("a cookie");
        let text = set.to_str().unwrap_or_default();
        assert!(text.starts_with("livetemplate-flash="), "{text}");
        assert!(
            text.ends_with("; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"),
            "{text}"
        );
        let headers = sent_back(&set);
        assert_eq!(take(&key, &session, &headers), Some(flashes));
        // Another session, or another key, reads nothing (but the cookie is still cleared).
        assert_eq!(take(&key, &SessionId::new(), &headers), Some(Vec::new()));
        let other = SigningKey::from_bytes(&[8; 32]).expect("a key");
        assert_eq!(take(&other, &session, &headers), Some(Vec::new()));
        assert_eq!(take(&key, &session, &HeaderMap::new()), None);
        let cleared = clear(true).expect("a cookie");
        assert_eq!(
            cleared.to_str().unwrap_or_default(),
            "livetemplate-flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"
        );
    }

    #[test]
    fn a_tampered_cookie_shows_nothing() {
        let (key, session) = (key(), SessionId::new());
        let set = keep(&key, &session, &[flash("info", "saved")], false).expect("a cookie");
        let text = set.to_str().unwrap_or_default();
        let value = text
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map(|(_, value)| value)
            .unwrap_or_default();
        let (_, tag) = value.split_once('.').expect("payload.tag");
        let forged = URL_SAFE_NO_PAD.encode(br#"[["error","call 555"]]"#);
        for value in [
            format!("{forged}.{tag}"),
            "garbage".to_owned(),
            String::new(),
        ] {
            assert_eq!(verify(&key, &session, &value), None, "{value}");
        }
    }

    #[test]
    fn long_messages_are_cut_and_too_many_dropped() {
        let (key, session) = (key(), SessionId::new());
        let long = "é".repeat(1000);
        let flashes = vec![flash("error", &long); 10];
        let set = keep(&key, &session, &flashes, false).expect("a cookie");
        assert!(set.len() < 4096, "{}", set.len());
        let back = take(&key, &session, &sent_back(&set)).unwrap_or_default();
        assert_eq!(back.len(), 2, "two cut messages fit in {MAX_BYTES} bytes");
        assert_eq!(back[0].1.chars().count(), MAX_CHARS + 1);
        assert!(back[0].1.ends_with('…'));
        assert_eq!(keep(&key, &session, &[], false), None);
    }

    #[test]
    fn a_failed_outcome_says_why() {
        let mut meta = Meta {
            success: false,
            ..Meta::default()
        };
        meta.errors
            .insert("title".into(), "must not be empty".into());
        meta.errors
            .insert(GENERAL_ERROR.into(), "the form has errors".into());
        meta.errors
            .insert("qty".into(), "must be a whole number".into());
        let outcome = Outcome {
            meta,
            effects: Vec::new(),
            not_found: false,
        };
        assert_eq!(
            of_outcome(&outcome),
            [flash(
                "error",
                "the form has errors; qty: must be a whole number; title: must not be empty"
            )]
        );
        let mut ok = Meta::ok("save");
        ok.flash.push(("info".into(), "saved".into()));
        let outcome = Outcome {
            meta: ok,
            effects: Vec::new(),
            not_found: false,
        };
        assert_eq!(of_outcome(&outcome), [flash("info", "saved")]);
    }

    #[test]
    fn html_escapes_the_text() {
        assert_eq!(html(&[]), "");
        assert_eq!(
            html(&[flash("error", "<script>&")]),
            "<div class=\"lvt-flashes\" data-lvt-flash><p class=\"lvt-flash\" data-kind=\"error\" role=\"status\">&lt;script&gt;&amp;</p></div>"
        );
    }
}
