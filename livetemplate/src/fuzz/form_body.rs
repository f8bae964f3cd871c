//! The `form_body` target: a plain form `POST` (no JavaScript), from its body to the action.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http_body::Frame;
use http_body_util::{Full, StreamBody};
use serde_json::{Map, Value};

use super::{ACTIONS, Input, block_on};
use crate::server::action_data::{self, BUTTON_VALUE, PAGE_FIELDS, Posted};
use crate::server::body::{self, BodyError, BodyKind};
use crate::server::page::{ACTION_FIELD, CSRF_FIELD, FORM_FIELD};
use crate::server::security::{self, SessionId, SigningKey};
use crate::wire::{self, FormData, Limits};

/// The longest [`BodyError`] message, in chars: a client-chosen name is quoted with at most 64
/// chars kept, each escaped to at most 10 (`\u{10ffff}`), with a short text around it.
const MAX_MESSAGE: usize = 1024;

/// The body deadline (`Config::body_read_timeout`'s default); an in-memory body is never late.
const DEADLINE: Duration = Duration::from_secs(10);

/// The boundary of the multipart bodies this target writes.
const BOUNDARY: &str = "lvt-fuzz-b0undary";

/// Reads `data` as a form `POST`: a first byte picks the `Content-Type` (urlencoded,
/// multipart with a boundary from the input's first line or a fixed one, or the first line
/// as is), a second the body limit, a third the chunk size the body arrives in; the rest is
/// the body. The body is read (`body::read_body`) and parsed (`body::parse`) as the
/// router and the endpoint do, its CSRF field checked, and its action read
/// (`action_data::read_form_post`).
///
/// # Panics
///
/// When a refusal is not a 4xx with a short, printable message, or not the right one (413
/// exactly when the body is over the limit, 415 exactly for other content types); when an
/// urlencoded body parses differently from the WHATWG parser (`form_urlencoded`) or is
/// refused although that parser finds it valid UTF-8; when a parsed form does not parse the
/// same after being written again, urlencoded and multipart; or when the action and data
/// read from it break the rule of `server::action_data`.
pub fn form_body(data: &[u8]) {
    let mut input = Input::new(data);
    let shape = input.byte();
    let limit = input.byte();
    let chunk = usize::from(input.byte() % 32) + 1;
    let content_type: Vec<u8> = match shape % 4 {
        0 => match (shape >> 2) % 3 {
            0 => b"application/x-www-form-urlencoded".to_vec(),
            1 => b"application/x-www-form-urlencoded; charset=UTF-8".to_vec(),
            _ => b"Application/X-WWW-Form-URLEncoded".to_vec(),
        },
        1 => [&b"multipart/form-data; boundary="[..], input.line()].concat(),
        2 => input.line().to_vec(),
        _ => b"multipart/form-data; boundary=XyZ".to_vec(),
    };
    let body = input.rest();
    let max_body = match limit % 4 {
        0 => 64 * 1024,
        1 => body.len(),
        2 => body.len().saturating_sub(1),
        _ => usize::from(limit),
    };
    // The endpoint reads the header as text; one that is not (or none) is "".
    let content_type = HeaderValue::from_bytes(&content_type)
        .ok()
        .and_then(|value| value.to_str().ok().map(str::to_owned))
        .unwrap_or_default();

    check_read_body(body, max_body, chunk);
    let shown = (!content_type.is_empty()).then_some(content_type.as_str());
    let kind = body::body_kind(shown);
    let parsed = block_on(body::parse(
        &content_type,
        Bytes::copy_from_slice(body),
        max_body,
    ));
    let is_form = matches!(kind, BodyKind::UrlEncoded | BodyKind::Multipart);
    let too_large = is_form && body.len() > max_body;
    match parsed {
        Err(err) => {
            check_refusal(&err);
            assert_eq!(
                matches!(err, BodyError::TooLarge { .. }),
                too_large,
                "{err} for {} bytes, limit {max_body}",
                body.len()
            );
            if !is_form {
                assert!(
                    matches!(err, BodyError::UnsupportedMediaType { .. }),
                    "{kind:?}: {err}"
                );
            } else if kind == BodyKind::UrlEncoded && !too_large {
                assert!(matches!(err, BodyError::Malformed { .. }), "{err}");
                let lossy = form_urlencoded::parse(body)
                    .any(|(name, value)| name.contains('\u{FFFD}') || value.contains('\u{FFFD}'));
                assert!(
                    lossy,
                    "refused a body the WHATWG parser reads as UTF-8: {err}"
                );
            }
        }
        Ok(form) => {
            assert!(is_form && !too_large, "{kind:?} body accepted");
            check_shape(&form);
            if kind == BodyKind::UrlEncoded {
                assert_eq!(form, whatwg(body), "differs from the WHATWG parser");
            }
            round_trips(&form);
            post(form);
        }
    }
}

/// [`body::read_body`] of `body` in one piece and in chunks of `chunk` bytes (no size hint):
/// the same bytes, or 413 exactly when it is over `max_body`.
fn check_read_body(body: &[u8], max_body: usize, chunk: usize) {
    let expected = if body.len() <= max_body {
        Ok(Bytes::copy_from_slice(body))
    } else {
        Err(BodyError::TooLarge { limit: max_body })
    };
    let whole = block_on(body::read_body(
        Full::new(Bytes::copy_from_slice(body)),
        max_body,
        DEADLINE,
    ));
    assert_eq!(whole, expected, "read in one piece");
    let frames = body
        .chunks(chunk)
        .map(|piece| Ok::<_, Infallible>(Frame::data(Bytes::copy_from_slice(piece))));
    let streamed = block_on(body::read_body(
        StreamBody::new(futures_util::stream::iter(frames)),
        max_body,
        DEADLINE,
    ));
    assert_eq!(streamed, expected, "read in chunks of {chunk}");
}

/// A refusal is a 4xx whose message is short, printable and not empty.
fn check_refusal(err: &BodyError) {
    assert!(err.status().is_client_error(), "{err}: {}", err.status());
    let message = err.to_string();
    assert!(!message.is_empty(), "{err:?} has no message");
    assert!(
        message.chars().count() <= MAX_MESSAGE,
        "a {}-char message: {message}",
        message.chars().count()
    );
    assert!(
        !message.chars().any(char::is_control),
        "control character in {message:?}"
    );
}

/// Every value is a string, or an array of two or more strings (a repeated name).
fn check_shape(form: &FormData) {
    for (name, value) in form.iter() {
        let ok = match value {
            Value::String(_) => true,
            Value::Array(items) => items.len() >= 2 && items.iter().all(Value::is_string),
            _ => false,
        };
        assert!(ok, "field {name:?} is {value}");
    }
}

/// The form the WHATWG urlencoded parser reads from `body`, grouped by the module's rule.
fn whatwg(body: &[u8]) -> FormData {
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in form_urlencoded::parse(body) {
        match fields.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => fields.push((name.into_owned(), vec![value.into_owned()])),
        }
    }
    grouped(fields)
}

/// Fields with their values in order: one value a string, more an array of strings.
fn grouped(fields: Vec<(String, Vec<String>)>) -> FormData {
    let mut map = Map::new();
    for (name, mut values) in fields {
        let value = if values.len() == 1 {
            Value::String(values.remove(0))
        } else {
            Value::Array(values.into_iter().map(Value::String).collect())
        };
        map.insert(name, value);
    }
    FormData::from(map)
}

/// The form's fields as (name, value) pairs in the order a browser would post them again.
fn pairs(form: &FormData) -> Vec<(&str, &str)> {
    form.iter()
        .flat_map(|(name, _)| {
            form.values(name)
                .map(move |value| (name.as_str(), value.as_str().unwrap_or_default()))
        })
        .collect()
}

/// Written again as urlencoded (by `form_urlencoded`, as a browser would) and, when a browser
/// could send its names in a part header, as multipart: both parse to the same form.
fn round_trips(form: &FormData) {
    let pairs = pairs(form);
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish();
    match body::parse_form(
        Some("application/x-www-form-urlencoded"),
        encoded.as_bytes(),
    ) {
        Ok(again) => assert_eq!(&again, form, "urlencoded again: {encoded:?}"),
        Err(err) => panic!("urlencoded again {encoded:?}: {err}"),
    }

    // multer finds `name` and `filename` anywhere in the part's header and reads no escapes
    // but `\"`; browsers percent-encode `"` and line breaks in names. Such names, and any
    // text holding the boundary, are left out.
    let writable = pairs.iter().all(|(name, value)| {
        !name.contains(['"', '\\', ';'])
            && !name.contains("name")
            && !name.chars().any(char::is_control)
            && !name.contains(BOUNDARY)
            && !value.contains(BOUNDARY)
    });
    if !writable {
        return;
    }
    let mut multipart = Vec::new();
    for (name, value) in &pairs {
        multipart.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    multipart.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let len = multipart.len();
    match block_on(body::parse_multipart(
        &content_type,
        Bytes::from(multipart),
        len,
    )) {
        Ok(again) => assert_eq!(&again, form, "multipart again"),
        Err(err) => panic!("multipart again: {err}"),
    }
}

/// What the endpoint does with a parsed form: the CSRF check, then the action and its data.
fn post(form: FormData) {
    let key = match SigningKey::from_bytes(&[7; 32]) {
        Ok(key) => key,
        Err(err) => panic!("a 32-byte key: {err}"),
    };
    let session = SessionId::from_bytes([9; 16]);
    let token = form.get_str(CSRF_FIELD).unwrap_or_default();
    assert_eq!(
        security::verify_csrf(&key, &session, token),
        token == security::csrf_token(&key, &session),
        "CSRF token {token:?}"
    );

    let expected = expected_post(&form);
    let posted = action_data::read_form_post(form, ACTIONS);
    assert_eq!(posted, expected);
    // The endpoint's name check must not panic on whatever name a form gives.
    let _ = wire::check_action_name(&posted.action, &Limits::default());
}

/// The action and data the module doc of `server::action_data` describes for `form`.
fn expected_post(form: &FormData) -> Posted {
    let non_empty = |name: &str| form.get_str(name).filter(|value| !value.is_empty());
    // A browser sends the pressed button only: a client action's name with one value.
    let button = form
        .iter()
        .find(|(name, value)| ACTIONS.contains(&name.as_str()) && value.is_string())
        .map(|(name, value)| (name.as_str(), value.as_str().unwrap_or_default()));
    let action = non_empty(ACTION_FIELD)
        .or(button.map(|(name, _)| name))
        .or(non_empty(FORM_FIELD))
        .unwrap_or("submit");
    let mut data = Map::new();
    for (name, value) in form.iter() {
        if PAGE_FIELDS.contains(&name.as_str()) || Some(name.as_str()) == button.map(|b| b.0) {
            continue;
        }
        data.insert(name.clone(), value.clone());
    }
    if let Some((_, value)) = button.filter(|(_, value)| !value.is_empty()) {
        data.insert(BUTTON_VALUE.to_owned(), Value::String(value.to_owned()));
    }
    Posted {
        action: action.to_owned(),
        data: FormData::from(data),
    }
}
