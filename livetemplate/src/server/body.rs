//! Request bodies of the `POST` uses: reading them under a size limit, and parsing plain HTML
//! form submissions into [`FormData`].
//!
//! A live route takes two kinds of `POST` (see `docs/src/protocol.md`, "JSON POST" and
//! "Form POST"):
//!
//! - `Content-Type: application/json`, a body `{"action": …, "data": {…}}` sent by the client
//!   script: read it with [`read_body`] and hand it to [`crate::wire::decode`];
//! - a plain HTML form, sent by a browser without JavaScript, either
//!   `application/x-www-form-urlencoded` ([`parse_form`]) or `multipart/form-data`
//!   ([`parse_multipart`]); [`parse`] picks the right one.
//!
//! [`body_kind`] tells them apart. Media types compare ASCII case-insensitively and their
//! parameters (`charset=…`) are ignored: bodies are always read as UTF-8, which is what
//! browsers send for pages served as UTF-8.
//!
//! Form fields become [`FormData`] the way the client script would send them: every value a
//! string, a name sent more than once an array of its strings in the order sent. File uploads
//! are **not supported yet**: a multipart body with a file field is refused with
//! [`BodyError::FileUpload`] (HTTP 415).
//!
//! The number of fields is bounded only by the body's size limit: parsing is linear, and the
//! fields go into a `serde_json::Map` (a B-tree, or an `IndexMap` with a random hasher under
//! `preserve_order`), which repeated or colliding names cannot slow down.

use std::convert::Infallible;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::wire::FormData;

/// The media type of an urlencoded form.
const URLENCODED: &str = "application/x-www-form-urlencoded";
/// The media type of a multipart form.
const MULTIPART: &str = "multipart/form-data";
/// The media type of the client script's action `POST`.
const JSON: &str = "application/json";

/// The longest field name or content type quoted back in a [`BodyError`] message, in chars
/// (they are client-chosen).
const MAX_QUOTED: usize = 64;

/// The longest reason from the multipart parser kept in a [`BodyError`] message, in chars.
const MAX_REASON: usize = 200;

/// What a `POST` body holds, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `application/json`: an action message for [`crate::wire::decode`].
    Json,
    /// `application/x-www-form-urlencoded`: a plain form, for [`parse_form`].
    UrlEncoded,
    /// `multipart/form-data`: a plain form, for [`parse_multipart`].
    Multipart,
    /// Anything else, or no `Content-Type` at all: answer 415.
    Other,
}

/// Classifies a `Content-Type` header value: its media type (before any `;`), trimmed and
/// compared ASCII case-insensitively.
pub(crate) fn body_kind(content_type: Option<&str>) -> BodyKind {
    let Some(content_type) = content_type else {
        return BodyKind::Other;
    };
    let essence = content_type
        .split_once(';')
        .map_or(content_type, |(essence, _)| essence)
        .trim();
    if essence.eq_ignore_ascii_case(URLENCODED) {
        BodyKind::UrlEncoded
    } else if essence.eq_ignore_ascii_case(MULTIPART) {
        BodyKind::Multipart
    } else if essence.eq_ignore_ascii_case(JSON) {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// Why a request body was refused; [`status`](Self::status) is the HTTP status to answer and
/// the `Display` text a message safe to show (client-chosen names are shortened and escaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// The body is longer than the limit (413).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The `Content-Type` is missing or not a form this parser reads (415).
    UnsupportedMediaType {
        /// The header's value, when there was one.
        content_type: Option<String>,
    },
    /// A multipart form holds a file field; file uploads are not supported yet (415).
    FileUpload {
        /// The file field's name.
        field: String,
    },
    /// The body is not a well-formed form: bad multipart framing, a missing boundary, a
    /// field that is not UTF-8 (400).
    Malformed {
        /// What is wrong, for the message.
        reason: String,
    },
    /// Reading the body failed: the connection broke or the body stream errored (400).
    Read {
        /// The underlying error's message.
        reason: String,
    },
    /// The whole body did not arrive within the time allowed (408).
    TimedOut {
        /// The time allowed (`Config::body_read_timeout`).
        limit: std::time::Duration,
    },
}

impl BodyError {
    /// The HTTP status to answer: 413 for [`TooLarge`](Self::TooLarge), 415 for
    /// [`UnsupportedMediaType`](Self::UnsupportedMediaType) and
    /// [`FileUpload`](Self::FileUpload), 408 for [`TimedOut`](Self::TimedOut), 400 otherwise.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TimedOut { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType { .. } | Self::FileUpload { .. } => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Malformed { .. } | Self::Read { .. } => StatusCode::BAD_REQUEST,
        }
    }

    /// A [`Malformed`](Self::Malformed) error.
    fn malformed(reason: impl Into<String>) -> Self {
        Self::Malformed {
            reason: reason.into(),
        }
    }

    /// An [`UnsupportedMediaType`](Self::UnsupportedMediaType) error for this header value.
    fn unsupported(content_type: Option<&str>) -> Self {
        Self::UnsupportedMediaType {
            content_type: content_type.map(str::to_owned),
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => {
                write!(f, "request body too large: the limit is {limit} bytes")
            }
            Self::UnsupportedMediaType { content_type } => {
                match content_type {
                    Some(content_type) => {
                        write!(f, "unsupported content type {}", quote(content_type))?
                    }
                    None => f.write_str("missing content type")?,
                }
                write!(f, "; expected {URLENCODED} or {MULTIPART}")
            }
            Self::FileUpload { field } => write!(
                f,
                "file uploads are not supported yet (file field {})",
                quote(field)
            ),
            Self::Malformed { reason } => write!(f, "malformed form body: {reason}"),
            Self::Read { reason } => write!(f, "could not read the request body: {reason}"),
            Self::TimedOut { limit } => write!(
                f,
                "request body too slow: it must arrive whole within {limit:?}"
            ),
        }
    }
}

impl std::error::Error for BodyError {}

/// `text` in backquotes for a message: escaped as Rust's `{:?}` would (control, invisible and
/// bidi characters, quotes), at most [`MAX_QUOTED`] characters kept (then `…`).
fn quote(text: &str) -> String {
    let mut out = String::from("`");
    let mut chars = text.chars();
    out.extend(chars.by_ref().take(MAX_QUOTED).flat_map(char::escape_debug));
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('`');
    out
}

/// Reads a whole request body, refusing it with [`BodyError::TooLarge`] as soon as it is
/// known to exceed `limit` bytes: at once when its size hint (a `Content-Length`) says so,
/// otherwise when the bytes received cross it. Trailers are dropped. A body that errors
/// while streaming gives [`BodyError::Read`]; one that has not arrived whole within
/// `deadline` (however steadily it trickles) gives [`BodyError::TimedOut`].
pub(crate) async fn read_body<B>(
    body: B,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<Bytes, BodyError>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if body.size_hint().lower() > limit_u64 {
        return Err(BodyError::TooLarge { limit });
    }
    let collected = tokio::time::timeout(deadline, Limited::new(body, limit).collect())
        .await
        .map_err(|_| BodyError::TimedOut { limit: deadline })?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(BodyError::TooLarge { limit }),
        Err(err) => Err(BodyError::Read {
            reason: err.to_string(),
        }),
    }
}

/// Parses an `application/x-www-form-urlencoded` body (the WHATWG urlencoded parser, except
/// that bytes which are not UTF-8 after percent-decoding are an error, not replaced).
///
/// `name=value` pairs are separated by `&` (empty pairs skipped); `+` is a space and `%XX` a
/// byte (a `%` not followed by two hex digits stays as is); a pair without `=` has the empty
/// value. Each value is a JSON string; a name sent more than once becomes an array of its
/// values, in order. Any other content type (multipart included: see [`parse_multipart`])
/// gives [`BodyError::UnsupportedMediaType`].
pub(crate) fn parse_form(content_type: Option<&str>, body: &[u8]) -> Result<FormData, BodyError> {
    if body_kind(content_type) != BodyKind::UrlEncoded {
        return Err(BodyError::unsupported(content_type));
    }
    let mut form = Fields::default();
    for pair in body.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &[][..]),
        };
        let name = percent_decode(name)
            .map_err(|_| BodyError::malformed("a field name is not valid UTF-8"))?;
        let value = percent_decode(value).map_err(|_| {
            BodyError::malformed(format!("field {} is not valid UTF-8", quote(&name)))
        })?;
        form.add(name, value);
    }
    Ok(form.finish())
}

/// Parses a `multipart/form-data` body already read (with [`read_body`]); `content_type` is
/// the request's `Content-Type`, which names the boundary. A body longer than `max_body`
/// bytes gives [`BodyError::TooLarge`] (a guard for callers that did not read it with a limit).
///
/// Each text field becomes a JSON string (it must be UTF-8, whatever charset its part
/// declares), a name sent more than once an array of them in order, as in [`parse_form`].
/// **File uploads are not supported yet:** a part with a `filename` — even an empty file
/// input (`filename=""`) — refuses the whole body with [`BodyError::FileUpload`], so a form
/// with `<input type="file">` fails loudly instead of losing its file. A part without a name,
/// a missing boundary or broken framing gives [`BodyError::Malformed`]; a content type other
/// than `multipart/form-data`, [`BodyError::UnsupportedMediaType`].
pub(crate) async fn parse_multipart(
    content_type: &str,
    body: Bytes,
    max_body: usize,
) -> Result<FormData, BodyError> {
    if body_kind(Some(content_type)) != BodyKind::Multipart {
        return Err(BodyError::unsupported(Some(content_type)));
    }
    if body.len() > max_body {
        return Err(BodyError::TooLarge { limit: max_body });
    }
    let boundary = multer::parse_boundary(content_type)
        .map_err(|err| BodyError::malformed(format!("bad multipart content type: {err}")))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = Fields::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let Some(name) = field.name().map(str::to_owned) else {
            return Err(BodyError::malformed("a multipart part has no field name"));
        };
        if field.file_name().is_some() {
            return Err(BodyError::FileUpload { field: name });
        }
        let bytes = field.bytes().await.map_err(multipart_error)?;
        let value = String::from_utf8(bytes.to_vec()).map_err(|_| {
            BodyError::malformed(format!("field {} is not valid UTF-8", quote(&name)))
        })?;
        form.add(name, value);
    }
    Ok(form.finish())
}

/// A multer error as [`BodyError::Malformed`]. Some of multer's messages quote a field name
/// whole (escaped, as `{:?}` does): the message keeps at most [`MAX_REASON`] chars of it.
fn multipart_error(err: multer::Error) -> BodyError {
    let text = err.to_string();
    let mut chars = text.chars();
    let mut reason: String = chars.by_ref().take(MAX_REASON).collect();
    if chars.next().is_some() {
        reason.push('…');
    }
    BodyError::malformed(reason)
}

/// Parses a plain form body of either kind, by its `Content-Type` (the header's value, `""`
/// when it had none): [`parse_form`] for urlencoded, [`parse_multipart`] for multipart,
/// [`BodyError::UnsupportedMediaType`] for anything else (JSON included: that goes to
/// [`crate::wire::decode`]). A body longer than `max_body` bytes gives
/// [`BodyError::TooLarge`].
pub(crate) async fn parse(
    content_type: &str,
    body: Bytes,
    max_body: usize,
) -> Result<FormData, BodyError> {
    let shown = (!content_type.is_empty()).then_some(content_type);
    match body_kind(shown) {
        BodyKind::UrlEncoded if body.len() > max_body => {
            Err(BodyError::TooLarge { limit: max_body })
        }
        BodyKind::UrlEncoded => parse_form(shown, &body),
        BodyKind::Multipart => parse_multipart(content_type, body, max_body).await,
        BodyKind::Json | BodyKind::Other => Err(BodyError::unsupported(shown)),
    }
}

/// Form fields being collected.
#[derive(Debug, Default)]
struct Fields {
    /// Names to a string, or an array of strings for a repeated name.
    map: Map<String, Value>,
}

impl Fields {
    /// Adds one value of `name`: a string the first time, then an array of all of them.
    fn add(&mut self, name: String, value: String) {
        match self.map.entry(name) {
            Entry::Vacant(entry) => {
                entry.insert(Value::String(value));
            }
            Entry::Occupied(mut entry) => match entry.get_mut() {
                Value::Array(values) => values.push(Value::String(value)),
                first => {
                    let first = first.take();
                    *entry.get_mut() = Value::Array(vec![first, Value::String(value)]);
                }
            },
        }
    }

    /// The collected fields.
    fn finish(self) -> FormData {
        FormData::from(self.map)
    }
}

/// Decodes one urlencoded name or value: `+` to a space, `%XX` to its byte (a `%` without two
/// hex digits after it stays), then UTF-8.
fn percent_decode(raw: &[u8]) -> Result<String, std::string::FromUtf8Error> {
    let mut out = Vec::with_capacity(raw.len());
    let mut at = 0;
    while let Some(&b) = raw.get(at) {
        match b {
            b'+' => {
                out.push(b' ');
                at += 1;
            }
            b'%' => {
                let high = raw.get(at + 1).and_then(|&h| hex_value(h));
                let low = raw.get(at + 2).and_then(|&l| hex_value(l));
                if let (Some(high), Some(low)) = (high, low) {
                    out.push(high << 4 | low);
                    at += 3;
                } else {
                    out.push(b'%');
                    at += 1;
                }
            }
            _ => {
                out.push(b);
                at += 1;
            }
        }
    }
    String::from_utf8(out)
}

/// The value of an ASCII hex digit.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use http_body::Frame;
    use http_body_util::{Full, StreamBody};
    use serde_json::json;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn form(body: &str) -> FormData {
        match parse_form(FORM, body.as_bytes()) {
            Ok(data) => data,
            Err(err) => panic!("{body:?}: {err}"),
        }
    }

    fn data(value: Value) -> FormData {
        match value {
            Value::Object(map) => FormData::from(map),
            other => panic!("not an object: {other}"),
        }
    }

    /// A multipart body with `boundary` "XyZ" from (name, filename, content) parts.
    fn multipart_body(parts: &[(&str, Option<&str>, &[u8])]) -> Bytes {
        let mut body = Vec::new();
        for (name, filename, content) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            match filename {
                Some(filename) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                }
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        Bytes::from(body)
    }

    const MULTIPART_CT: &str = "multipart/form-data; boundary=XyZ";
    /// A body limit none of the tests' bodies reach.
    const LIMIT: usize = 64 * 1024;

    async fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Result<FormData, BodyError> {
        parse_multipart(MULTIPART_CT, multipart_body(parts), LIMIT).await
    }

    #[test]
    fn kinds() {
        assert_eq!(body_kind(FORM), BodyKind::UrlEncoded);
        assert_eq!(
            body_kind(Some("Application/X-WWW-Form-URLEncoded; charset=UTF-8")),
            BodyKind::UrlEncoded
        );
        assert_eq!(body_kind(Some(MULTIPART_CT)), BodyKind::Multipart);
        assert_eq!(
            body_kind(Some(" MULTIPART/FORM-DATA ;boundary=x")),
            BodyKind::Multipart
        );
        assert_eq!(body_kind(Some("application/json")), BodyKind::Json);
        assert_eq!(
            body_kind(Some("application/json;charset=utf-8")),
            BodyKind::Json
        );
        for other in [
            "text/plain",
            "application/jsonx",
            "application/x-www-form-urlencoded-x",
            "multipart/mixed; boundary=x",
            "",
        ] {
            assert_eq!(body_kind(Some(other)), BodyKind::Other, "{other}");
        }
        assert_eq!(body_kind(None), BodyKind::Other);
    }

    #[test]
    fn urlencoded_basics() {
        assert_eq!(
            form("title=Milk&qty=2"),
            data(json!({"title": "Milk", "qty": "2"}))
        );
        assert_eq!(form(""), FormData::new());
        assert_eq!(form("&&"), FormData::new());
        assert_eq!(
            form("a&b=&=c&d=e=f"),
            data(json!({"a": "", "b": "", "": "c", "d": "e=f"}))
        );
    }

    #[test]
    fn urlencoded_repeated_names_keep_order() {
        assert_eq!(
            form("tag=b&x=1&tag=a&tag=c&tag=a"),
            data(json!({"tag": ["b", "a", "c", "a"], "x": "1"}))
        );
        let parsed = form("tag=b&tag=a");
        let values: Vec<_> = parsed.values("tag").filter_map(Value::as_str).collect();
        assert_eq!(values, ["b", "a"]);
    }

    #[test]
    fn urlencoded_plus_and_percent() {
        assert_eq!(
            form("q=a+b%20c%2Bd&n%61me=%3D%26"),
            data(json!({"q": "a b c+d", "name": "=&"}))
        );
        // A `%` without two hex digits stays as is.
        assert_eq!(
            form("a=100%&b=%zz&c=%4&d=%%41"),
            data(json!({"a": "100%", "b": "%zz", "c": "%4", "d": "%A"}))
        );
        // Lower- and upper-case hex.
        assert_eq!(form("a=%c3%a9%C3%A9"), data(json!({"a": "éé"})));
    }

    #[test]
    fn urlencoded_unicode() {
        assert_eq!(
            form("name=%E6%97%A5%E6%9C%AC&emoji=%F0%9F%98%80&raw=%C3%BCber"),
            data(json!({"name": "日本", "emoji": "😀", "raw": "über"}))
        );
        // Raw UTF-8 bytes (not percent-encoded) are read too.
        assert_eq!(form("città=Köln"), data(json!({"città": "Köln"})));
    }

    #[test]
    fn urlencoded_invalid_utf8() {
        let err = parse_form(FORM, b"title=%FF%FE").expect_err("not utf-8");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            err.to_string(),
            "malformed form body: field `title` is not valid UTF-8"
        );
        let err = parse_form(FORM, b"ok=1&%C3=x").expect_err("not utf-8");
        assert_eq!(
            err.to_string(),
            "malformed form body: a field name is not valid UTF-8"
        );
        let err = parse_form(FORM, b"raw=\xff").expect_err("not utf-8");
        assert!(matches!(err, BodyError::Malformed { .. }));
        // A truncated sequence at the end of a value.
        assert!(parse_form(FORM, b"a=%E6%97").is_err());
    }

    #[test]
    fn wrong_content_types() {
        for content_type in [
            None,
            Some("application/json"),
            Some("text/plain"),
            Some(MULTIPART_CT),
        ] {
            let err = parse_form(content_type, b"a=1").expect_err("not urlencoded");
            assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        assert_eq!(
            BodyError::unsupported(None).to_string(),
            "missing content type; expected application/x-www-form-urlencoded or multipart/form-data"
        );
        assert_eq!(
            BodyError::unsupported(Some("text/plain")).to_string(),
            "unsupported content type `text/plain`; expected application/x-www-form-urlencoded or multipart/form-data"
        );
    }

    #[test]
    fn messages_quote_names_safely() {
        let long = "n".repeat(500);
        let err = BodyError::FileUpload { field: long };
        let text = err.to_string();
        assert!(text.starts_with("file uploads are not supported yet (file field `nnn"));
        assert!(text.ends_with("n…`)"), "{text}");
        assert!(text.len() < 120, "{}", text.len());
        assert_eq!(quote("a\nb\"c\u{202E}d"), "`a\\nb\\\"c\\u{202e}d`");
    }

    #[tokio::test]
    async fn multipart_text_fields() {
        let parsed = multipart(&[
            ("title", None, b"Milk & honey"),
            ("tag", None, b"b"),
            ("note", None, "日本 😀\r\nline 2".as_bytes()),
            ("tag", None, b"a"),
            ("empty", None, b""),
        ])
        .await;
        assert_eq!(
            parsed,
            Ok(data(json!({
                "title": "Milk & honey",
                "tag": ["b", "a"],
                "note": "日本 😀\r\nline 2",
                "empty": "",
            })))
        );
    }

    #[tokio::test]
    async fn multipart_content_type_case_and_params() {
        let body = multipart_body(&[("a", None, b"1")]);
        let parsed = parse_multipart(
            "Multipart/Form-Data; charset=utf-8; boundary=\"XyZ\"",
            body,
            LIMIT,
        )
        .await;
        assert_eq!(parsed, Ok(data(json!({"a": "1"}))));
    }

    #[tokio::test]
    async fn multipart_file_field_is_refused() {
        let err = multipart(&[
            ("title", None, b"x"),
            ("photo", Some("cat.jpg"), b"\xff\xd8"),
        ])
        .await
        .expect_err("file");
        assert_eq!(
            err,
            BodyError::FileUpload {
                field: "photo".into()
            }
        );
        assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            err.to_string(),
            "file uploads are not supported yet (file field `photo`)"
        );
        // An empty file input (no file chosen) is refused too.
        let err = multipart(&[("photo", Some(""), b"")])
            .await
            .expect_err("file");
        assert!(matches!(err, BodyError::FileUpload { .. }), "{err}");
    }

    #[tokio::test]
    async fn multipart_malformed() {
        // Not UTF-8.
        let err = multipart(&[("title", None, b"\xff")])
            .await
            .expect_err("utf-8");
        assert_eq!(
            err.to_string(),
            "malformed form body: field `title` is not valid UTF-8"
        );
        // No boundary.
        let err = parse_multipart("multipart/form-data", Bytes::new(), LIMIT)
            .await
            .expect_err("no boundary");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        // Truncated body.
        let whole = multipart_body(&[("a", None, b"1")]);
        let cut = whole.slice(..whole.len() / 2);
        let err = parse_multipart(MULTIPART_CT, cut, LIMIT)
            .await
            .expect_err("truncated");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{err}");
        // Not multipart at all.
        let err = parse_multipart(MULTIPART_CT, Bytes::from_static(b"a=1"), LIMIT)
            .await
            .expect_err("garbage");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{err}");
        // A part without a name.
        let body =
            Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n");
        let err = parse_multipart(MULTIPART_CT, body, LIMIT)
            .await
            .expect_err("no name");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{err}");
        // Wrong content type.
        let err = parse_multipart("text/plain", Bytes::new(), LIMIT)
            .await
            .expect_err("text");
        assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    /// Found by reading multer's messages for the `form_body` fuzz target's bound: a part cut
    /// short quoted its whole field name.
    #[tokio::test]
    async fn multipart_messages_are_bounded() {
        let name = "n".repeat(4000);
        let body = format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\nx");
        let err = parse_multipart(MULTIPART_CT, Bytes::from(body), LIMIT)
            .await
            .expect_err("truncated");
        let text = err.to_string();
        assert!(
            text.starts_with("malformed form body: field \"nnn"),
            "{text}"
        );
        assert!(text.ends_with('…'), "{text}");
        assert!(text.chars().count() < 250, "{}", text.chars().count());
    }

    #[tokio::test]
    async fn multipart_empty_form() {
        let parsed = parse_multipart(MULTIPART_CT, Bytes::from_static(b"--XyZ--\r\n"), LIMIT).await;
        assert_eq!(parsed, Ok(FormData::new()));
    }

    #[tokio::test]
    async fn multipart_over_limit() {
        let body = multipart_body(&[("a", None, b"1")]);
        let len = body.len();
        assert!(
            parse_multipart(MULTIPART_CT, body.clone(), len)
                .await
                .is_ok()
        );
        assert_eq!(
            parse_multipart(MULTIPART_CT, body, len - 1).await,
            Err(BodyError::TooLarge { limit: len - 1 })
        );
    }

    #[tokio::test]
    async fn parse_dispatches() {
        let form_ct = "application/x-www-form-urlencoded; charset=UTF-8";
        assert_eq!(
            parse(form_ct, Bytes::from_static(b"a=1"), LIMIT).await,
            Ok(data(json!({"a": "1"})))
        );
        assert_eq!(
            parse(MULTIPART_CT, multipart_body(&[("a", None, b"1")]), LIMIT).await,
            Ok(data(json!({"a": "1"})))
        );
        for content_type in ["", "application/json", "text/plain"] {
            let err = parse(content_type, Bytes::from_static(b"{}"), LIMIT)
                .await
                .expect_err("not a form");
            assert_eq!(err.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        assert_eq!(
            parse("", Bytes::new(), LIMIT).await,
            Err(BodyError::UnsupportedMediaType { content_type: None })
        );
        // Over the limit, either kind.
        assert_eq!(
            parse(form_ct, Bytes::from_static(b"a=12"), 3).await,
            Err(BodyError::TooLarge { limit: 3 })
        );
        assert_eq!(
            parse(MULTIPART_CT, multipart_body(&[("a", None, b"1")]), 3).await,
            Err(BodyError::TooLarge { limit: 3 })
        );
    }

    /// A body that arrives in chunks and has no size hint.
    fn chunked(
        chunks: Vec<Result<&'static [u8], &'static str>>,
    ) -> StreamBody<impl futures_util::Stream<Item = Result<Frame<Bytes>, std::io::Error>>> {
        StreamBody::new(futures_util::stream::iter(chunks.into_iter().map(
            |chunk| match chunk {
                Ok(bytes) => Ok(Frame::data(Bytes::from_static(bytes))),
                Err(message) => Err(std::io::Error::other(message)),
            },
        )))
    }

    /// A deadline no test body comes near.
    const LONG: std::time::Duration = std::time::Duration::from_secs(60);

    #[tokio::test]
    async fn read_body_within_limit() {
        let body = Full::new(Bytes::from_static(b"a=1&b=2"));
        assert_eq!(
            read_body(body, 7, LONG).await,
            Ok(Bytes::from_static(b"a=1&b=2"))
        );
        let body = Full::new(Bytes::new());
        assert_eq!(read_body(body, 0, LONG).await, Ok(Bytes::new()));
        let body = chunked(vec![Ok(b"ab"), Ok(b""), Ok(b"cd")]);
        assert_eq!(
            read_body(body, 4, LONG).await,
            Ok(Bytes::from_static(b"abcd"))
        );
    }

    #[tokio::test]
    async fn read_body_over_limit() {
        // Known length: refused before reading.
        let body = Full::new(Bytes::from(vec![b'x'; 100]));
        let err = read_body(body, 99, LONG).await.expect_err("too large");
        assert_eq!(err, BodyError::TooLarge { limit: 99 });
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            err.to_string(),
            "request body too large: the limit is 99 bytes"
        );
        // Streamed: refused when the bytes cross the limit.
        let body = chunked(vec![Ok(b"abc"), Ok(b"def"), Ok(b"g")]);
        assert_eq!(
            read_body(body, 5, LONG).await,
            Err(BodyError::TooLarge { limit: 5 })
        );
        let body = chunked(vec![Ok(b"a")]);
        assert_eq!(
            read_body(body, 0, LONG).await,
            Err(BodyError::TooLarge { limit: 0 })
        );
    }

    /// A body that sends a byte and then nothing more is refused when the deadline passes,
    /// with 408 and a message naming the time allowed.
    #[tokio::test]
    async fn read_body_past_its_deadline() {
        let first = futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(
            Bytes::from_static(b"a"),
        ))]);
        let body = StreamBody::new(futures_util::StreamExt::chain(
            first,
            futures_util::stream::pending(),
        ));
        let deadline = std::time::Duration::from_millis(50);
        let err = read_body(body, 100, deadline).await.expect_err("stalled");
        assert_eq!(err, BodyError::TimedOut { limit: deadline });
        assert_eq!(err.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            err.to_string(),
            "request body too slow: it must arrive whole within 50ms"
        );
    }

    #[tokio::test]
    async fn read_body_stream_error() {
        let body = chunked(vec![Ok(b"abc"), Err("connection reset")]);
        let err = read_body(body, 100, LONG).await.expect_err("broken");
        assert_eq!(
            err,
            BodyError::Read {
                reason: "connection reset".into()
            }
        );
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}
