//! Client → server messages: parsing with limits.
//!
//! A client sends `{"action": "add", "data": {...}, "submitter": "name"?, "ref": n?}`.
//! [`decode`] checks the frame against [`Limits`] (its size before anything is parsed, its
//! nesting depth before serde_json builds any value), then the message's shape, and returns a
//! [`ClientMessage`] or the [`ProtocolError`] to send back.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::error::{NameProblem, ProtocolError};
use super::json;
use super::keys as k;

/// serde_json refuses to parse 128 or more nested arrays and objects; a larger
/// [`Limits::max_depth`] acts as this.
const DEPTH_CEILING: usize = 127;

/// Limits on what a client may send; [`decode`] refuses any message that crosses one.
///
/// Build them from the defaults, one setter per limit:
///
/// ```
/// use livetemplate::wire::Limits;
///
/// let limits = Limits::default().max_frame_bytes(256 * 1024).max_fields(5_000);
/// assert_eq!(limits.max_frame_bytes, 256 * 1024);
/// assert_eq!(limits.max_depth, 16);
/// ```
///
/// Every string (a text field, an action name) is bounded by `max_frame_bytes`: raise that
/// one for large text areas.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest frame, in bytes, that is parsed at all; a larger one is refused with
    /// [`ProtocolError::FrameTooLarge`], and the socket closes with code 1009.
    /// Default 64 KiB (65 536).
    pub max_frame_bytes: usize,
    /// How deep arrays and objects may nest, the message object itself counting as level 1:
    /// `data` is level 2 and a repeated name's array level 3, the deepest shape the clients
    /// send; the rest leaves room for structured values an app's own script sends (a
    /// rich-text editor's document). Values above 127 (serde_json's own limit) act as 127.
    /// Default 16.
    pub max_depth: usize,
    /// How many values `data` may hold: every member of an object and every element of an
    /// array counts one, at any depth (`{"title": "x", "tags": ["a", "b"]}` holds 4).
    /// Default 1000, as Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`.
    pub max_fields: usize,
    /// The longest action (and submitter) name, in bytes. Default 128.
    pub max_action_len: usize,
}

impl Limits {
    /// The defaults: 64 KiB frames, depth 16, 1000 fields, 128-byte action names.
    pub const DEFAULT: Limits = Limits {
        max_frame_bytes: 64 * 1024,
        max_depth: 16,
        max_fields: 1000,
        max_action_len: 128,
    };

    /// The default limits; the same as [`Limits::default`].
    pub const fn new() -> Self {
        Self::DEFAULT
    }

    /// Sets the largest frame, in bytes. Default 64 KiB (65 536).
    #[must_use]
    pub const fn max_frame_bytes(mut self, bytes: usize) -> Self {
        self.max_frame_bytes = bytes;
        self
    }

    /// Sets how deep arrays and objects may nest (the message object is level 1; at most
    /// 127 takes effect). Default 16.
    #[must_use]
    pub const fn max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels;
        self
    }

    /// Sets how many values `data` may hold. Default 1000.
    #[must_use]
    pub const fn max_fields(mut self, values: usize) -> Self {
        self.max_fields = values;
        self
    }

    /// Sets the longest action (and submitter) name, in bytes. Default 128.
    #[must_use]
    pub const fn max_action_len(mut self, bytes: usize) -> Self {
        self.max_action_len = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What kind of action a message asks for. The decoder only classifies; whether the
/// controller has the action (`change` in particular) is the router's business.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// `__ping__`: the heartbeat, answered with `{"pong":true}`; runs no action.
    Heartbeat,
    /// `__navigate__`: the page's query string changed; `data` holds the new parameters.
    Navigate,
    /// `change`: live validation of one field, sent only when the first frame advertised the
    /// `change` capability.
    Change,
    /// `submit`: a form submitted without a named action; a
    /// [`submitter`](ClientMessage::submitter) names the action to run when the controller
    /// has it.
    Submit,
    /// Any other name: one of the controller's actions.
    Named,
}

impl ActionKind {
    /// Classifies an action name.
    pub fn of(action: &str) -> Self {
        match action {
            k::ACTION_PING => ActionKind::Heartbeat,
            k::ACTION_NAVIGATE => ActionKind::Navigate,
            k::ACTION_CHANGE => ActionKind::Change,
            k::ACTION_SUBMIT => ActionKind::Submit,
            _ => ActionKind::Named,
        }
    }

    /// The reserved name of this kind (`"__ping__"`, `"__navigate__"`, `"change"`,
    /// `"submit"`), or `None` for [`Named`](Self::Named).
    pub fn reserved_name(self) -> Option<&'static str> {
        match self {
            ActionKind::Heartbeat => Some(k::ACTION_PING),
            ActionKind::Navigate => Some(k::ACTION_NAVIGATE),
            ActionKind::Change => Some(k::ACTION_CHANGE),
            ActionKind::Submit => Some(k::ACTION_SUBMIT),
            ActionKind::Named => None,
        }
    }
}

/// The `data` of a client message: field names to raw JSON values.
///
/// A value is what the client sent: a string, a number or a bool for a single field, an array
/// of those for a repeated name (a checkbox group, `<select multiple>`). Numbers and booleans
/// may also arrive as strings; binding accepts either.
///
/// ```
/// use livetemplate::wire::{decode, Limits};
///
/// let msg = decode(
///     r#"{"action": "save", "data": {"title": "Milk", "qty": 2, "tags": ["a", "b"]}}"#,
///     &Limits::default(),
/// )?;
/// assert_eq!(msg.data.get_str("title"), Some("Milk"));
/// assert_eq!(msg.data.get("qty"), Some(&serde_json::json!(2)));
/// assert_eq!(msg.data.values("tags").count(), 2);
/// assert_eq!(msg.data.values("qty").count(), 1);
/// assert_eq!(msg.data.values("missing").count(), 0);
/// # Ok::<(), livetemplate::wire::ProtocolError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormData(Map<String, Value>);

impl FormData {
    /// Empty data.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `name`, as sent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The value of `name` when it is a JSON string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// Every value of `name`: each element of an array (a repeated name), the value itself
    /// otherwise, none when `name` is missing.
    pub fn values(&self, name: &str) -> std::slice::Iter<'_, Value> {
        match self.0.get(name) {
            None => Default::default(),
            Some(Value::Array(items)) => items.iter(),
            Some(value) => std::slice::from_ref(value).iter(),
        }
    }

    /// Whether `name` was sent.
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.0.insert(name.into(), value.into())
    }

    /// How many names were sent.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no name was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names and values, in the map's order (sorted by name, unless serde_json's
    /// `preserve_order` feature is on).
    pub fn iter(&self) -> serde_json::map::Iter<'_> {
        self.0.iter()
    }

    /// The underlying JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The underlying JSON map, by value.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

impl From<Map<String, Value>> for FormData {
    fn from(map: Map<String, Value>) -> Self {
        FormData(map)
    }
}

impl From<FormData> for Map<String, Value> {
    fn from(data: FormData) -> Self {
        data.0
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for FormData {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        FormData(
            iter.into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        )
    }
}

impl<'a> IntoIterator for &'a FormData {
    type Item = (&'a String, &'a Value);
    type IntoIter = serde_json::map::Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for FormData {
    type Item = (String, Value);
    type IntoIter = serde_json::map::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// One decoded client message: `{"action": "add", "data": {...}, "submitter": "name"?,
/// "ref": n?}`.
///
/// ```
/// use livetemplate::wire::{decode, ActionKind, Limits};
///
/// let msg = decode(
///     r#"{"action": "submit", "data": {"title": "Milk"}, "submitter": "save", "ref": 7}"#,
///     &Limits::default(),
/// )?;
/// assert_eq!(msg.kind(), ActionKind::Submit);
/// assert_eq!(msg.submitter.as_deref(), Some("save"));
/// assert_eq!(msg.reference, Some(7));
/// assert_eq!(msg.data.get_str("title"), Some("Milk"));
/// # Ok::<(), livetemplate::wire::ProtocolError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClientMessage {
    /// The action to run: non-empty, at most [`Limits::max_action_len`] bytes, with no
    /// control, whitespace or invisible characters.
    pub action: String,
    /// Form or element data; empty when the message had none.
    pub data: FormData,
    /// The name of the button that submitted a form (checked like an action name); `None`
    /// when missing, `null` or empty.
    pub submitter: Option<String>,
    /// The client's number for this message (`"ref"`), echoed by the frame that answers it.
    pub reference: Option<u64>,
}

impl ClientMessage {
    /// A message for `action` with no data, submitter or ref.
    pub fn new(action: impl Into<String>) -> Self {
        ClientMessage {
            action: action.into(),
            data: FormData::new(),
            submitter: None,
            reference: None,
        }
    }

    /// Sets the data.
    #[must_use]
    pub fn with_data(mut self, data: FormData) -> Self {
        self.data = data;
        self
    }

    /// Sets the submitter.
    #[must_use]
    pub fn with_submitter(mut self, submitter: impl Into<String>) -> Self {
        self.submitter = Some(submitter.into());
        self
    }

    /// Sets the ref.
    #[must_use]
    pub fn with_reference(mut self, reference: u64) -> Self {
        self.reference = Some(reference);
        self
    }

    /// What kind of action this is.
    pub fn kind(&self) -> ActionKind {
        ActionKind::of(&self.action)
    }

    /// Whether this is the `__ping__` heartbeat.
    pub fn is_heartbeat(&self) -> bool {
        self.kind() == ActionKind::Heartbeat
    }

    /// The message as the client sends it (what our Rust test clients write to a socket);
    /// [`decode`] reads it back unchanged. `data` is left out when empty.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.action.len() + 32);
        out.push('{');
        json::string(&mut out, k::MSG_ACTION);
        out.push(':');
        json::string(&mut out, &self.action);
        if !self.data.is_empty() {
            out.push(',');
            json::string(&mut out, k::MSG_DATA);
            out.push_str(":{");
            for (i, (name, value)) in self.data.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::string(&mut out, name);
                let _ = write!(out, ":{value}");
            }
            out.push('}');
        }
        if let Some(submitter) = &self.submitter {
            out.push(',');
            json::string(&mut out, k::MSG_SUBMITTER);
            out.push(':');
            json::string(&mut out, submitter);
        }
        if let Some(reference) = self.reference {
            out.push(',');
            json::string(&mut out, k::MSG_REF);
            let _ = write!(out, ":{reference}");
        }
        out.push('}');
        out
    }
}

/// Decodes one client frame (a WebSocket text frame or a JSON POST body).
///
/// The checks run in this order, and the first failure is returned:
/// 1. the frame's length against [`Limits::max_frame_bytes`], before anything is parsed;
/// 2. its nesting depth against [`Limits::max_depth`], by a linear scan of the brackets
///    outside strings (no recursion), before serde_json builds any value;
/// 3. the JSON itself (UTF-8, syntax, nothing but whitespace after the value);
/// 4. the shape: an object; `action` a valid name; `data` an object (missing or `null` means
///    empty) holding at most [`Limits::max_fields`] values; `submitter` a string (missing,
///    `null` or `""` means none) and a valid name; `ref` a non-negative integer (missing or
///    `null` means none).
///
/// Other members are ignored, so clients may add extensions.
///
/// ```
/// use livetemplate::wire::{decode, Limits, ProtocolError};
///
/// let limits = Limits::default();
/// let msg = decode(r#"{"action": "__ping__"}"#, &limits)?;
/// assert!(msg.is_heartbeat());
///
/// let err = decode(r#"{"action": "add"} trailing"#, &limits).unwrap_err();
/// assert_eq!(err.code(), "invalid_json");
///
/// let err = decode(vec![b' '; 70_000], &limits).unwrap_err();
/// assert_eq!(err, ProtocolError::FrameTooLarge { size: 70_000, limit: 65_536 });
/// assert_eq!(err.close_code(), Some(1009));
/// # Ok::<(), ProtocolError>(())
/// ```
pub fn decode(frame: impl AsRef<[u8]>, limits: &Limits) -> Result<ClientMessage, ProtocolError> {
    let frame = frame.as_ref();
    if frame.len() > limits.max_frame_bytes {
        return Err(ProtocolError::FrameTooLarge {
            size: frame.len(),
            limit: limits.max_frame_bytes,
        });
    }
    check_depth(frame, limits.max_depth.min(DEPTH_CEILING))?;
    let value: Value =
        serde_json::from_slice(frame).map_err(|err| ProtocolError::invalid_json(&err))?;
    let Value::Object(mut message) = value else {
        return Err(ProtocolError::NotAnObject {
            found: type_name(&value),
        });
    };

    let action = match message.remove(k::MSG_ACTION) {
        None | Some(Value::Null) => return Err(ProtocolError::MissingAction),
        Some(Value::String(action)) => action,
        Some(other) => return Err(wrong_type(k::MSG_ACTION, "a string", &other)),
    };
    check_name(k::MSG_ACTION, &action, limits)?;

    let data = match message.remove(k::MSG_DATA) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(data)) => data,
        Some(other) => return Err(wrong_type(k::MSG_DATA, "an object", &other)),
    };
    let count = count_values(&data);
    if count > limits.max_fields {
        return Err(ProtocolError::TooManyFields {
            count,
            limit: limits.max_fields,
        });
    }

    let submitter = match message.remove(k::MSG_SUBMITTER) {
        None | Some(Value::Null) => None,
        Some(Value::String(submitter)) if submitter.is_empty() => None,
        Some(Value::String(submitter)) => {
            check_name(k::MSG_SUBMITTER, &submitter, limits)?;
            Some(submitter)
        }
        Some(other) => return Err(wrong_type(k::MSG_SUBMITTER, "a string", &other)),
    };

    let reference = match message.remove(k::MSG_REF) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(other) => return Err(wrong_type(k::MSG_REF, "a non-negative integer", &other)),
    };

    Ok(ClientMessage {
        action,
        data: FormData(data),
        submitter,
        reference,
    })
}

/// Refuses a frame whose arrays and objects nest deeper than `limit`. The scan counts
/// brackets outside strings, which is exact for valid JSON; invalid JSON that passes is
/// refused by the parser next.
fn check_depth(frame: &[u8], limit: usize) -> Result<(), ProtocolError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in frame {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(ProtocolError::TooDeep { limit });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Checks an action name that did not come in a message (a plain form's `_lvt_action`, its
/// button or its `name`) by the same rule as a message's `action`.
pub(crate) fn check_action_name(name: &str, limits: &Limits) -> Result<(), ProtocolError> {
    check_name(k::MSG_ACTION, name, limits)
}

/// Refuses an action or submitter name that is empty, too long, or holds a control,
/// whitespace or invisible character.
fn check_name(field: &'static str, name: &str, limits: &Limits) -> Result<(), ProtocolError> {
    let problem = if name.is_empty() {
        NameProblem::Empty
    } else if name.len() > limits.max_action_len {
        NameProblem::TooLong {
            len: name.len(),
            limit: limits.max_action_len,
        }
    } else if name.chars().any(char::is_control) {
        NameProblem::ControlCharacter
    } else if name.chars().any(char::is_whitespace) {
        NameProblem::Whitespace
    } else if name.chars().any(is_invisible) {
        NameProblem::Invisible
    } else {
        return Ok(());
    };
    Err(ProtocolError::invalid_name(field, name, problem))
}

/// Invisible formatting characters that would make a name print as another: zero-width
/// spaces and joiners, bidirectional marks, embeddings, overrides and isolates, invisible
/// operators, the byte-order mark, and the soft hyphen.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// How many values `data` holds: every object member and array element, at any depth.
fn count_values(data: &Map<String, Value>) -> usize {
    let mut count = data.len();
    let mut pending: Vec<&Value> = data.values().collect();
    while let Some(value) = pending.pop() {
        match value {
            Value::Array(items) => {
                count += items.len();
                pending.extend(items);
            }
            Value::Object(members) => {
                count += members.len();
                pending.extend(members.values());
            }
            _ => {}
        }
    }
    count
}

/// A [`ProtocolError::WrongType`] for `field`.
fn wrong_type(field: &'static str, expected: &'static str, found: &Value) -> ProtocolError {
    ProtocolError::WrongType {
        field,
        expected,
        found: type_name(found),
    }
}

/// The JSON type of `value`, for messages ("a string", "a negative number", …).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.as_u64().is_some() => "a non-negative integer",
        Value::Number(n) if n.as_i64().is_some() => "a negative integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.is_sign_negative()) => "a negative number",
        Value::Number(_) => "a fractional or out-of-range number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(frame: &str) -> ClientMessage {
        match decode(frame, &Limits::default()) {
            Ok(msg) => msg,
            Err(err) => panic!("{frame:?} was refused: {err}"),
        }
    }

    fn err(frame: &str) -> ProtocolError {
        err_with(frame, &Limits::default())
    }

    fn err_with(frame: &str, limits: &Limits) -> ProtocolError {
        match decode(frame, limits) {
            Ok(msg) => panic!("{frame:?} was accepted: {msg:?}"),
            Err(err) => err,
        }
    }

    fn data(value: Value) -> FormData {
        match value {
            Value::Object(map) => FormData(map),
            other => panic!("not an object: {other}"),
        }
    }

    fn nested(levels: usize) -> String {
        // The message object is level 1, `data` level 2, then arrays.
        let arrays = levels.saturating_sub(2);
        format!(
            r#"{{"action":"a","data":{{"x":{}{}}}}}"#,
            "[".repeat(arrays),
            "]".repeat(arrays)
        )
    }

    fn fields(values: usize) -> String {
        let names: Vec<String> = (0..values).map(|i| format!("\"f{i}\":{i}")).collect();
        format!(r#"{{"action":"a","data":{{{}}}}}"#, names.join(","))
    }

    // ---- good inputs -------------------------------------------------------------------

    #[test]
    fn minimal_message() {
        let msg = ok(r#"{"action":"add"}"#);
        assert_eq!(msg, ClientMessage::new("add"));
        assert_eq!(msg.kind(), ActionKind::Named);
        assert!(msg.data.is_empty());
    }

    #[test]
    fn full_message() {
        let msg = ok(r#"{"action":"submit","data":{"title":"Milk"},"submitter":"save","ref":7}"#);
        assert_eq!(
            msg,
            ClientMessage::new("submit")
                .with_data(data(json!({"title": "Milk"})))
                .with_submitter("save")
                .with_reference(7)
        );
        assert_eq!(msg.kind(), ActionKind::Submit);
    }

    #[test]
    fn form_data_of_every_kind() {
        let msg = ok(r#"{"action":"save","data":{
            "title":"Milk","qty":2,"price":1.5,"done":true,"agree":false,
            "tags":["a","b"],"ids":[1,2,3],"flags":[true,false],"empty":[],"qtyText":"2"}}"#);
        let d = &msg.data;
        assert_eq!(d.len(), 10);
        assert_eq!(d.get_str("title"), Some("Milk"));
        assert_eq!(d.get("qty"), Some(&json!(2)));
        assert_eq!(d.get("price"), Some(&json!(1.5)));
        assert_eq!(d.get("done"), Some(&json!(true)));
        assert_eq!(d.get("agree"), Some(&json!(false)));
        assert_eq!(
            d.values("tags").collect::<Vec<_>>(),
            [&json!("a"), &json!("b")]
        );
        assert_eq!(d.values("ids").count(), 3);
        assert_eq!(d.values("flags").count(), 2);
        assert_eq!(d.values("empty").count(), 0);
        assert_eq!(d.values("title").count(), 1);
        assert_eq!(d.get_str("qtyText"), Some("2"));
        assert!(d.contains("empty") && !d.contains("missing"));
    }

    #[test]
    fn element_data_keys_as_written() {
        let msg = ok(r#"{"action":"delete","data":{"value":"7","user-id":42}}"#);
        assert_eq!(msg.data.get_str("value"), Some("7"));
        assert_eq!(msg.data.get("user-id"), Some(&json!(42)));
    }

    #[test]
    fn data_missing_or_null_is_empty() {
        assert!(ok(r#"{"action":"inc"}"#).data.is_empty());
        assert!(ok(r#"{"action":"inc","data":null}"#).data.is_empty());
        assert!(ok(r#"{"action":"inc","data":{}}"#).data.is_empty());
    }

    #[test]
    fn reserved_actions_are_classified() {
        let ping = ok(r#"{"action":"__ping__"}"#);
        assert!(ping.is_heartbeat());
        assert_eq!(ping.kind(), ActionKind::Heartbeat);

        let nav = ok(r#"{"action":"__navigate__","data":{"page":"2","sort":["a","b"]}}"#);
        assert_eq!(nav.kind(), ActionKind::Navigate);
        assert_eq!(nav.data.get_str("page"), Some("2"));

        let change = ok(r#"{"action":"change","data":{"email":"a@"}}"#);
        assert_eq!(change.kind(), ActionKind::Change);

        let submit = ok(r#"{"action":"submit","data":{},"submitter":"save"}"#);
        assert_eq!(submit.kind(), ActionKind::Submit);
        assert_eq!(submit.submitter.as_deref(), Some("save"));

        for kind in [
            ActionKind::Heartbeat,
            ActionKind::Navigate,
            ActionKind::Change,
            ActionKind::Submit,
        ] {
            let name = kind.reserved_name().unwrap_or_default();
            assert_eq!(ActionKind::of(name), kind);
        }
        assert_eq!(ActionKind::of("save"), ActionKind::Named);
        assert_eq!(ActionKind::Named.reserved_name(), None);
        // Reserved names are exact.
        assert_eq!(ActionKind::of("Submit"), ActionKind::Named);
    }

    #[test]
    fn unicode_everywhere() {
        let msg = ok(r#"{"action":"añadir_🦀","data":{"título":"Grüße \u00e9 \ud83e\udd80 ✓"}}"#);
        assert_eq!(msg.action, "añadir_🦀");
        assert_eq!(msg.data.get_str("título"), Some("Grüße é 🦀 ✓"));
    }

    #[test]
    fn submitter_missing_null_or_empty_is_none() {
        assert_eq!(ok(r#"{"action":"submit"}"#).submitter, None);
        assert_eq!(
            ok(r#"{"action":"submit","submitter":null}"#).submitter,
            None
        );
        assert_eq!(ok(r#"{"action":"submit","submitter":""}"#).submitter, None);
    }

    #[test]
    fn refs() {
        assert_eq!(ok(r#"{"action":"a","ref":0}"#).reference, Some(0));
        assert_eq!(
            ok(r#"{"action":"a","ref":18446744073709551615}"#).reference,
            Some(u64::MAX)
        );
        assert_eq!(ok(r#"{"action":"a","ref":null}"#).reference, None);
    }

    #[test]
    fn whitespace_unknown_members_and_bytes() {
        let msg = ok(" \n\t{ \"action\" : \"add\" , \"extra\" : [1,{\"x\":2}] }\r\n ");
        assert_eq!(msg.action, "add");
        // Bytes and owned buffers decode too.
        let limits = Limits::default();
        assert!(decode(b"{\"action\":\"add\"}", &limits).is_ok());
        assert!(decode(String::from("{\"action\":\"add\"}"), &limits).is_ok());
        let owned: Vec<u8> = br#"{"action":"add"}"#.into();
        assert!(decode(owned, &limits).is_ok());
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let limits = Limits::default().max_depth(2);
        let frame = r#"{"action":"a","data":{"x":"[[[[{{{{\"[[[[\\","y":"]]]]"}}"#;
        let msg = decode(frame, &limits).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(msg.data.get_str("x"), Some("[[[[{{{{\"[[[[\\"));
    }

    #[test]
    fn to_json_round_trips() {
        let msg = ClientMessage::new("submit")
            .with_data(data(
                json!({"a": "x\"y\n", "b": [1, 2.5, true], "c": {"d": null}}),
            ))
            .with_submitter("save")
            .with_reference(9);
        assert_eq!(ok(&msg.to_json()), msg);
        assert_eq!(
            ClientMessage::new("__ping__").to_json(),
            r#"{"action":"__ping__"}"#
        );
    }

    #[test]
    fn form_data_conversions() {
        let mut d: FormData = [("a", "1"), ("b", "2")].into_iter().collect();
        assert_eq!(d.insert("a", 3), Some(json!("1")));
        assert_eq!(d.iter().count(), 2);
        assert_eq!((&d).into_iter().count(), 2);
        let map: Map<String, Value> = d.clone().into();
        assert_eq!(FormData::from(map.clone()), d);
        assert_eq!(d.as_map(), &map);
        assert_eq!(d.clone().into_map(), map);
        assert_eq!(d.into_iter().count(), 2);
    }

    // ---- bad inputs --------------------------------------------------------------------

    #[test]
    fn invalid_json() {
        let e = err(r#"{"action":"add""#);
        assert_eq!(e.code(), "invalid_json");
        assert!(
            matches!(&e, ProtocolError::InvalidJson { reason, .. } if reason.contains("EOF")),
            "{e:?}"
        );
        for frame in [
            "",
            "{",
            "{action:\"a\"}",
            "{'action':'a'}",
            "{\"action\":\"a\",}",
            "nul",
        ] {
            assert_eq!(err(frame).code(), "invalid_json", "{frame:?}");
        }
    }

    #[test]
    fn invalid_utf8() {
        let e = decode(b"{\"action\":\"a\xff\"}", &Limits::default());
        assert_eq!(e.map_err(|e| e.code()), Err("invalid_json"));
        let e = decode(b"\xfe\xff{}", &Limits::default());
        assert_eq!(e.map_err(|e| e.code()), Err("invalid_json"));
    }

    #[test]
    fn lone_surrogate() {
        assert_eq!(err(r#"{"action":"\ud800"}"#).code(), "invalid_json");
    }

    #[test]
    fn trailing_garbage() {
        let e = err(r#"{"action":"add"} {"action":"add"}"#);
        assert_eq!(
            e,
            ProtocolError::InvalidJson {
                line: 1,
                column: 18,
                reason: "trailing characters".into()
            }
        );
        assert_eq!(err(r#"{"action":"add"}x"#).code(), "invalid_json");
    }

    #[test]
    fn not_an_object() {
        for (frame, found) in [
            (r#"["add"]"#, "an array"),
            (r#""add""#, "a string"),
            ("42", "a non-negative integer"),
            ("true", "a boolean"),
            ("null", "null"),
        ] {
            assert_eq!(err(frame), ProtocolError::NotAnObject { found }, "{frame}");
        }
    }

    #[test]
    fn action_missing() {
        assert_eq!(err(r#"{"data":{}}"#), ProtocolError::MissingAction);
        assert_eq!(err("{}"), ProtocolError::MissingAction);
        assert_eq!(err(r#"{"action":null}"#), ProtocolError::MissingAction);
    }

    #[test]
    fn action_empty() {
        assert_eq!(
            err(r#"{"action":""}"#),
            ProtocolError::InvalidAction {
                field: "action",
                name: String::new(),
                problem: NameProblem::Empty
            }
        );
    }

    #[test]
    fn action_not_a_string() {
        for (frame, found) in [
            (r#"{"action":1}"#, "a non-negative integer"),
            (r#"{"action":true}"#, "a boolean"),
            (r#"{"action":["add"]}"#, "an array"),
            (r#"{"action":{"name":"add"}}"#, "an object"),
        ] {
            assert_eq!(
                err(frame),
                ProtocolError::WrongType {
                    field: "action",
                    expected: "a string",
                    found
                },
                "{frame}"
            );
        }
    }

    #[test]
    fn action_too_long() {
        let at_limit = format!(r#"{{"action":"{}"}}"#, "a".repeat(128));
        assert_eq!(ok(&at_limit).action.len(), 128);
        let over = format!(r#"{{"action":"{}"}}"#, "a".repeat(129));
        let e = err(&over);
        assert!(
            matches!(
                &e,
                ProtocolError::InvalidAction {
                    problem: NameProblem::TooLong {
                        len: 129,
                        limit: 128
                    },
                    name,
                    ..
                } if name.chars().count() == 65 && name.ends_with('…')
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "invalid action \"{}\"…: it is 129 bytes long, over the limit of 128",
                "a".repeat(64)
            )
        );
        // The knob moves the limit.
        let limits = Limits::default().max_action_len(4);
        assert!(decode(r#"{"action":"save"}"#, &limits).is_ok());
        assert_eq!(
            err_with(r#"{"action":"saves"}"#, &limits).code(),
            "invalid_action"
        );
    }

    #[test]
    fn action_with_control_characters() {
        for frame in [
            r#"{"action":"a\u0000"}"#,
            r#"{"action":"a\nb"}"#,
            r#"{"action":"\u001b[31m"}"#,
            r#"{"action":"a\u007f"}"#,
            r#"{"action":"a\u0085"}"#,
        ] {
            let e = err(frame);
            assert!(
                matches!(
                    e,
                    ProtocolError::InvalidAction {
                        problem: NameProblem::ControlCharacter,
                        ..
                    }
                ),
                "{frame}: {e:?}"
            );
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
        }
    }

    #[test]
    fn action_with_whitespace_or_invisible_characters() {
        for (frame, problem) in [
            (r#"{"action":"add todo"}"#, NameProblem::Whitespace),
            (r#"{"action":" add"}"#, NameProblem::Whitespace),
            (r#"{"action":"add\u3000"}"#, NameProblem::Whitespace),
            (r#"{"action":"ad\u200bd"}"#, NameProblem::Invisible),
            (r#"{"action":"\u202eadd"}"#, NameProblem::Invisible),
            (r#"{"action":"\ufeffadd"}"#, NameProblem::Invisible),
        ] {
            let e = err(frame);
            assert!(
                matches!(e, ProtocolError::InvalidAction { problem: p, .. } if p == problem),
                "{frame}: {e:?}"
            );
        }
    }

    #[test]
    fn data_not_an_object() {
        for (frame, found) in [
            (r#"{"action":"a","data":[]}"#, "an array"),
            (r#"{"action":"a","data":"x=1"}"#, "a string"),
            (r#"{"action":"a","data":1}"#, "a non-negative integer"),
            (r#"{"action":"a","data":false}"#, "a boolean"),
        ] {
            assert_eq!(
                err(frame),
                ProtocolError::WrongType {
                    field: "data",
                    expected: "an object",
                    found
                },
                "{frame}"
            );
        }
    }

    #[test]
    fn submitter_wrong_type() {
        for (frame, found) in [
            (
                r#"{"action":"submit","submitter":1}"#,
                "a non-negative integer",
            ),
            (r#"{"action":"submit","submitter":["save"]}"#, "an array"),
            (r#"{"action":"submit","submitter":{}}"#, "an object"),
            (r#"{"action":"submit","submitter":true}"#, "a boolean"),
        ] {
            assert_eq!(
                err(frame),
                ProtocolError::WrongType {
                    field: "submitter",
                    expected: "a string",
                    found
                },
                "{frame}"
            );
        }
    }

    #[test]
    fn submitter_invalid_name() {
        let e = err(r#"{"action":"submit","submitter":"sa\tve"}"#);
        assert_eq!(
            e,
            ProtocolError::InvalidAction {
                field: "submitter",
                name: "sa\tve".into(),
                problem: NameProblem::ControlCharacter
            }
        );
        assert_eq!(
            e.to_string(),
            "invalid submitter \"sa\\tve\": it contains a control character"
        );
        let long = format!(r#"{{"action":"submit","submitter":"{}"}}"#, "s".repeat(129));
        assert_eq!(err(&long).code(), "invalid_action");
    }

    #[test]
    fn ref_wrong_type() {
        for (frame, found) in [
            (r#"{"action":"a","ref":-1}"#, "a negative integer"),
            (r#"{"action":"a","ref":-0}"#, "a negative number"),
            (r#"{"action":"a","ref":-1.5}"#, "a negative number"),
            (
                r#"{"action":"a","ref":1.5}"#,
                "a fractional or out-of-range number",
            ),
            (
                r#"{"action":"a","ref":7.0}"#,
                "a fractional or out-of-range number",
            ),
            (
                r#"{"action":"a","ref":1e3}"#,
                "a fractional or out-of-range number",
            ),
            (
                r#"{"action":"a","ref":18446744073709551616}"#,
                "a fractional or out-of-range number",
            ),
            (r#"{"action":"a","ref":"7"}"#, "a string"),
            (r#"{"action":"a","ref":[7]}"#, "an array"),
            (r#"{"action":"a","ref":true}"#, "a boolean"),
        ] {
            assert_eq!(
                err(frame),
                ProtocolError::WrongType {
                    field: "ref",
                    expected: "a non-negative integer",
                    found
                },
                "{frame}"
            );
        }
        assert_eq!(err(r#"{"action":"a","ref":1e400}"#).code(), "invalid_json");
    }

    // ---- limits ------------------------------------------------------------------------

    #[test]
    fn defaults() {
        let limits = Limits::default();
        assert_eq!(limits, Limits::new());
        assert_eq!(limits, Limits::DEFAULT);
        assert_eq!(limits.max_frame_bytes, 65_536);
        assert_eq!(limits.max_depth, 16);
        assert_eq!(limits.max_fields, 1000);
        assert_eq!(limits.max_action_len, 128);
        let custom = Limits::new()
            .max_frame_bytes(1)
            .max_depth(2)
            .max_fields(3)
            .max_action_len(4);
        assert_eq!(
            (
                custom.max_frame_bytes,
                custom.max_depth,
                custom.max_fields,
                custom.max_action_len
            ),
            (1, 2, 3, 4)
        );
    }

    #[test]
    fn frame_at_and_over_the_limit() {
        let base = r#"{"action":"add","data":{"t":""}}"#;
        let pad = 65_536 - base.len();
        let at = format!(r#"{{"action":"add","data":{{"t":"{}"}}}}"#, "x".repeat(pad));
        assert_eq!(at.len(), 65_536);
        assert_eq!(ok(&at).data.get_str("t").map(str::len), Some(pad));

        let over = format!(
            r#"{{"action":"add","data":{{"t":"{}"}}}}"#,
            "x".repeat(pad + 1)
        );
        let e = err(&over);
        assert_eq!(
            e,
            ProtocolError::FrameTooLarge {
                size: 65_537,
                limit: 65_536
            }
        );
        assert_eq!(e.close_code(), Some(1009));
        assert_eq!(e.code(), "frame_too_large");
        assert_eq!(
            e.to_string(),
            "the message is 65537 bytes, over the limit of 65536 bytes"
        );
    }

    #[test]
    fn frame_size_is_checked_before_parsing() {
        // Garbage and absurd nesting, but too large: the size is what is reported.
        let junk = "[".repeat(1_000_000);
        assert_eq!(err(&junk).code(), "frame_too_large");
        let limits = Limits::default().max_frame_bytes(8);
        assert_eq!(
            err_with(r#"{"action":"add"}"#, &limits),
            ProtocolError::FrameTooLarge { size: 16, limit: 8 }
        );
    }

    #[test]
    fn depth_at_and_over_the_limit() {
        assert_eq!(ok(&nested(16)).action, "a");
        assert_eq!(err(&nested(17)), ProtocolError::TooDeep { limit: 16 });
        let limits = Limits::default().max_depth(3);
        assert!(decode(nested(3), &limits).is_ok());
        assert_eq!(
            err_with(&nested(4), &limits),
            ProtocolError::TooDeep { limit: 3 }
        );
        assert_eq!(
            err(&nested(17)).to_string(),
            "the message nests arrays and objects more than 16 levels deep"
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        // Far past serde_json's own recursion limit, within the frame limit: refused by the
        // scan, before the parser sees it.
        let limits = Limits::default().max_frame_bytes(4 << 20);
        let deep = format!("{}{}", "[".repeat(1 << 20), "]".repeat(1 << 20));
        assert_eq!(
            err_with(&deep, &limits),
            ProtocolError::TooDeep { limit: 16 }
        );
        let open_only = "{\"a\":".repeat(200_000);
        assert_eq!(
            err_with(&open_only, &limits),
            ProtocolError::TooDeep { limit: 16 }
        );
    }

    #[test]
    fn depth_limit_is_capped_at_serde_json_s() {
        let limits = Limits::default().max_depth(10_000).max_frame_bytes(1 << 20);
        assert!(decode(nested(127), &limits).is_ok());
        assert_eq!(
            err_with(&nested(128), &limits),
            ProtocolError::TooDeep { limit: 127 }
        );
    }

    #[test]
    fn fields_at_and_over_the_limit() {
        assert_eq!(ok(&fields(1000)).data.len(), 1000);
        let e = err(&fields(1001));
        assert_eq!(
            e,
            ProtocolError::TooManyFields {
                count: 1001,
                limit: 1000
            }
        );
        assert_eq!(e.code(), "too_many_fields");
    }

    #[test]
    fn fields_count_array_elements_and_nested_members() {
        let limits = Limits::default().max_fields(4);
        let four = r#"{"action":"a","data":{"title":"x","tags":["a","b"]}}"#;
        assert!(decode(four, &limits).is_ok());
        let five = r#"{"action":"a","data":{"title":"x","tags":["a","b","c"]}}"#;
        assert_eq!(
            err_with(five, &limits),
            ProtocolError::TooManyFields { count: 5, limit: 4 }
        );
        let nested = r#"{"action":"a","data":{"p":{"x":1,"y":[2,3]}}}"#;
        assert_eq!(
            err_with(nested, &limits),
            ProtocolError::TooManyFields { count: 5, limit: 4 }
        );
        // Members outside `data` are not fields.
        let outside = r#"{"action":"a","x":[1,2,3,4,5,6],"data":{"a":1}}"#;
        assert!(decode(outside, &limits).is_ok());
    }

    #[test]
    fn zero_limits_refuse_everything_they_cover() {
        let limits = Limits::default().max_fields(0);
        assert!(decode(r#"{"action":"a"}"#, &limits).is_ok());
        assert_eq!(
            err_with(r#"{"action":"a","data":{"x":1}}"#, &limits).code(),
            "too_many_fields"
        );
        let limits = Limits::default().max_frame_bytes(0);
        assert_eq!(err_with("", &limits).code(), "invalid_json");
        assert_eq!(err_with(" ", &limits).code(), "frame_too_large");
        let limits = Limits::default().max_depth(0);
        assert_eq!(err_with(r#"{"action":"a"}"#, &limits).code(), "too_deep");
    }

    // ---- never panics ------------------------------------------------------------------

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                ".{0,12}".prop_map(Value::String),
                prop::sample::select(vec![
                    "__ping__",
                    "__navigate__",
                    "change",
                    "submit",
                    "add",
                    "action",
                    "data",
                    "submitter",
                    "ref",
                    "",
                ])
                .prop_map(Value::from),
            ];
            leaf.prop_recursive(24, 256, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map(
                        prop_oneof![
                            Just("action".to_owned()),
                            Just("data".to_owned()),
                            Just("submitter".to_owned()),
                            Just("ref".to_owned()),
                            ".{0,8}",
                        ],
                        inner,
                        0..6
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn message() -> impl Strategy<Value = ClientMessage> {
            let scalar = prop_oneof![
                ".{0,16}".prop_map(Value::String),
                any::<i64>().prop_map(Value::from),
                any::<bool>().prop_map(Value::Bool),
            ];
            let field = prop_oneof![
                scalar.clone(),
                prop::collection::vec(scalar, 0..4).prop_map(Value::Array),
            ];
            (
                "[a-zA-Z_][a-zA-Z0-9_:.-]{0,20}",
                prop::collection::btree_map(".{0,10}", field, 0..8),
                prop::option::of("[a-z_]{1,12}"),
                prop::option::of(any::<u64>()),
            )
                .prop_map(|(action, data, submitter, reference)| ClientMessage {
                    action,
                    data: data.into_iter().collect(),
                    submitter,
                    reference,
                })
        }

        /// Small limits, so that generated input crosses them.
        fn tight() -> Limits {
            Limits::default()
                .max_depth(5)
                .max_fields(12)
                .max_action_len(8)
                .max_frame_bytes(512)
        }

        fn check(frame: &[u8]) {
            for limits in [Limits::default(), tight()] {
                if let Err(e) = decode(frame, &limits) {
                    // Every error renders, and small.
                    let frame = e.to_frame();
                    assert!(frame.len() < 1024, "{frame}");
                    assert!(serde_json::from_str::<Value>(&frame).is_ok(), "{frame}");
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            #[test]
            fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                check(&bytes);
            }

            #[test]
            fn never_panics_on_strings(text in "\\PC{0,256}") {
                check(text.as_bytes());
            }

            #[test]
            fn never_panics_on_bracket_soup(text in "[\\[\\]{}\",:\\\\a0 ]{0,256}") {
                check(text.as_bytes());
            }

            #[test]
            fn never_panics_on_json(value in json_value()) {
                check(value.to_string().as_bytes());
            }

            #[test]
            fn decode_reads_back_to_json(msg in message()) {
                let decoded = decode(msg.to_json(), &Limits::default());
                prop_assert_eq!(decoded, Ok(msg));
            }
        }
    }
}
