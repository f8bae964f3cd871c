//! Protocol errors: every bad input becomes a typed error and an error frame
//! (`docs/src/protocol.md`, "Error codes").

use std::fmt;

use super::frame;
use super::keys as k;

/// At most this many characters of a client-sent name appear in an error message.
const SHOWN_CHARS: usize = 64;

/// What is wrong with a client message: the reason an error frame is sent back.
///
/// Each variant has a stable machine code ([`code`](Self::code)), a human message
/// ([`Display`](fmt::Display)) that never echoes more than a short, escaped excerpt of the
/// input, and an error frame ([`to_frame`](Self::to_frame)). Only an oversize frame also
/// closes the socket ([`close_code`](Self::close_code)).
///
/// ```
/// use livetemplate::wire::{decode, Limits, ProtocolError};
///
/// let err = decode(r#"{"data": {}}"#, &Limits::default()).unwrap_err();
/// assert_eq!(err, ProtocolError::MissingAction);
/// assert_eq!(err.code(), "missing_action");
/// assert_eq!(
///     err.to_frame(),
///     r#"{"type":"error","code":"missing_action","message":"the message has no \"action\""}"#
/// );
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The frame is not JSON (or not UTF-8, or has something after the JSON value).
    InvalidJson {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem (0 when the input ended early).
        column: usize,
        /// What the parser expected, e.g. "trailing characters" (never input bytes).
        reason: String,
    },
    /// The frame is valid JSON but not an object.
    NotAnObject {
        /// The JSON type found instead, e.g. "an array".
        found: &'static str,
    },
    /// The frame is longer than [`Limits::max_frame_bytes`](super::Limits::max_frame_bytes);
    /// it was not parsed.
    FrameTooLarge {
        /// The frame's length in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Arrays and objects nest deeper than [`Limits::max_depth`](super::Limits::max_depth).
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// `data` holds more values than [`Limits::max_fields`](super::Limits::max_fields).
    TooManyFields {
        /// How many values `data` holds.
        count: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The message has no `action` (or `"action": null`).
    MissingAction,
    /// An action name (or a submitter, which names an action) is not acceptable.
    InvalidAction {
        /// Which member held the name: `"action"` or `"submitter"`.
        field: &'static str,
        /// The name as received, cut to its first 64 characters (then ending in `…`).
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// A member of the message has the wrong JSON type.
    WrongType {
        /// The member: `"action"`, `"data"`, `"submitter"` or `"ref"`.
        field: &'static str,
        /// What it must be, e.g. "an object".
        expected: &'static str,
        /// What it was, e.g. "an array".
        found: &'static str,
    },
    /// The action names nothing the controller can run (raised by the router, not the
    /// decoder).
    UnknownAction(String),
}

/// Why an action or submitter name was refused; see [`ProtocolError::InvalidAction`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// The name is the empty string.
    Empty,
    /// The name is longer than [`Limits::max_action_len`](super::Limits::max_action_len).
    TooLong {
        /// The name's length in bytes.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The name contains a control character (U+0000–U+001F, U+007F–U+009F).
    ControlCharacter,
    /// The name contains whitespace; no action name does.
    Whitespace,
    /// The name contains an invisible formatting character (a zero-width space or joiner, a
    /// bidirectional override, a byte-order mark), which would make it print as another name.
    Invisible,
}

impl ProtocolError {
    /// The stable machine code sent as the error frame's `code`: `"invalid_json"`,
    /// `"not_an_object"`, `"frame_too_large"`, `"too_deep"`, `"too_many_fields"`,
    /// `"missing_action"`, `"invalid_action"`, `"wrong_type"` or `"unknown_action"`.
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::InvalidJson { .. } => k::ERR_INVALID_JSON,
            ProtocolError::NotAnObject { .. } => k::ERR_NOT_AN_OBJECT,
            ProtocolError::FrameTooLarge { .. } => k::ERR_FRAME_TOO_LARGE,
            ProtocolError::TooDeep { .. } => k::ERR_TOO_DEEP,
            ProtocolError::TooManyFields { .. } => k::ERR_TOO_MANY_FIELDS,
            ProtocolError::MissingAction => k::ERR_MISSING_ACTION,
            ProtocolError::InvalidAction { .. } => k::ERR_INVALID_ACTION,
            ProtocolError::WrongType { .. } => k::ERR_WRONG_TYPE,
            ProtocolError::UnknownAction(_) => k::ERR_UNKNOWN_ACTION,
        }
    }

    /// The WebSocket close code when this error ends the connection: 1009 ("message too big")
    /// for [`FrameTooLarge`](Self::FrameTooLarge), `None` for every error after which the
    /// socket stays open.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            ProtocolError::FrameTooLarge { .. } => Some(k::CLOSE_MESSAGE_TOO_BIG),
            _ => None,
        }
    }

    /// The error frame for this error: `{"type":"error","code":…,"message":…}`.
    pub fn to_frame(&self) -> String {
        frame::error(self.code(), &self.to_string())
    }

    /// An [`InvalidAction`](Self::InvalidAction) that keeps only a short excerpt of `name`.
    pub(super) fn invalid_name(field: &'static str, name: &str, problem: NameProblem) -> Self {
        let kept = excerpt(name);
        let name = if kept.len() < name.len() {
            format!("{kept}…")
        } else {
            kept.to_owned()
        };
        ProtocolError::InvalidAction {
            field,
            name,
            problem,
        }
    }

    /// An [`InvalidJson`](Self::InvalidJson) from serde_json's error, without its location
    /// suffix (kept apart in `line` and `column`).
    pub(super) fn invalid_json(err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let full = err.to_string();
        let suffix = format!(" at line {line} column {column}");
        let reason = full.strip_suffix(&suffix).unwrap_or(&full);
        ProtocolError::InvalidJson {
            line,
            column,
            reason: excerpt(reason).to_owned(),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::InvalidJson {
                line,
                column,
                reason,
            } => write!(
                f,
                "the message is not valid JSON: {reason} (line {line}, column {column})"
            ),
            ProtocolError::NotAnObject { found } => {
                write!(f, "the message must be a JSON object, found {found}")
            }
            ProtocolError::FrameTooLarge { size, limit } => write!(
                f,
                "the message is {size} bytes, over the limit of {limit} bytes"
            ),
            ProtocolError::TooDeep { limit } => write!(
                f,
                "the message nests arrays and objects more than {limit} levels deep"
            ),
            ProtocolError::TooManyFields { count, limit } => write!(
                f,
                "the message's \"data\" holds {count} values, over the limit of {limit}"
            ),
            ProtocolError::MissingAction => f.write_str("the message has no \"action\""),
            ProtocolError::InvalidAction {
                field,
                name,
                problem,
            } => {
                write!(f, "invalid {field} {}: {problem}", Shown(name))
            }
            ProtocolError::WrongType {
                field,
                expected,
                found,
            } => write!(f, "\"{field}\" must be {expected}, found {found}"),
            ProtocolError::UnknownAction(name) => write!(f, "unknown action {}", Shown(name)),
        }
    }
}

impl std::error::Error for ProtocolError {}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => f.write_str("it is empty"),
            NameProblem::TooLong { len, limit } => {
                write!(f, "it is {len} bytes long, over the limit of {limit}")
            }
            NameProblem::ControlCharacter => f.write_str("it contains a control character"),
            NameProblem::Whitespace => f.write_str("it contains whitespace"),
            NameProblem::Invisible => f.write_str("it contains an invisible character"),
        }
    }
}

/// The first [`SHOWN_CHARS`] characters of `text`.
fn excerpt(text: &str) -> &str {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A client-sent name in a message: quoted, escaped (control and invisible characters as
/// `\u{…}`), and cut to [`SHOWN_CHARS`] characters with an ellipsis.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = excerpt(self.0);
        f.write_str("\"")?;
        for c in shown.chars() {
            if c == '"' || c == '\\' || c.is_control() || super::decode::is_invisible(c) {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str("\"")?;
        if shown.len() < self.0.len() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<ProtocolError> {
        vec![
            ProtocolError::InvalidJson {
                line: 1,
                column: 4,
                reason: "trailing characters".into(),
            },
            ProtocolError::NotAnObject { found: "an array" },
            ProtocolError::FrameTooLarge {
                size: 70_000,
                limit: 65_536,
            },
            ProtocolError::TooDeep { limit: 16 },
            ProtocolError::TooManyFields {
                count: 1001,
                limit: 1000,
            },
            ProtocolError::MissingAction,
            ProtocolError::invalid_name("action", "", NameProblem::Empty),
            ProtocolError::WrongType {
                field: "ref",
                expected: "a non-negative integer",
                found: "a string",
            },
            ProtocolError::UnknownAction("sav".into()),
        ]
    }

    #[test]
    fn codes_are_stable() {
        let codes: Vec<_> = all().iter().map(ProtocolError::code).collect();
        assert_eq!(
            codes,
            [
                "invalid_json",
                "not_an_object",
                "frame_too_large",
                "too_deep",
                "too_many_fields",
                "missing_action",
                "invalid_action",
                "wrong_type",
                "unknown_action",
            ]
        );
    }

    #[test]
    fn messages_are_clear() {
        let messages: Vec<_> = all().iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "the message is not valid JSON: trailing characters (line 1, column 4)",
                "the message must be a JSON object, found an array",
                "the message is 70000 bytes, over the limit of 65536 bytes",
                "the message nests arrays and objects more than 16 levels deep",
                "the message's \"data\" holds 1001 values, over the limit of 1000",
                "the message has no \"action\"",
                "invalid action \"\": it is empty",
                "\"ref\" must be a non-negative integer, found a string",
                "unknown action \"sav\"",
            ]
        );
    }

    #[test]
    fn only_oversize_closes_the_socket() {
        for err in all() {
            let expected = matches!(err, ProtocolError::FrameTooLarge { .. }).then_some(1009);
            assert_eq!(err.close_code(), expected, "{err:?}");
        }
    }

    #[test]
    fn frames_carry_code_and_message() {
        for err in all() {
            let frame: serde_json::Value =
                serde_json::from_str(&err.to_frame()).expect("an error frame is JSON");
            assert_eq!(frame["type"], "error");
            assert_eq!(frame["code"], err.code());
            assert_eq!(frame["message"], err.to_string());
        }
    }

    #[test]
    fn long_names_are_cut() {
        let name = "x".repeat(100_000);
        let err = ProtocolError::UnknownAction(name.clone());
        let message = err.to_string();
        assert_eq!(message, format!("unknown action \"{}\"…", "x".repeat(64)));

        let err = ProtocolError::invalid_name(
            "action",
            &name,
            NameProblem::TooLong {
                len: name.len(),
                limit: 128,
            },
        );
        let ProtocolError::InvalidAction { name: kept, .. } = &err else {
            panic!("not InvalidAction: {err:?}");
        };
        assert_eq!(kept, &format!("{}…", "x".repeat(64)));
        // The cut keeps whole characters.
        assert_eq!(excerpt(&"é".repeat(100)).chars().count(), 64);
    }

    #[test]
    fn names_are_escaped() {
        let err = ProtocolError::invalid_name(
            "submitter",
            "a\u{0}b\n\"c\u{202e}",
            NameProblem::ControlCharacter,
        );
        let message = err.to_string();
        assert_eq!(
            message,
            "invalid submitter \"a\\u{0}b\\n\\\"c\\u{202e}\": it contains a control character"
        );
        assert!(!message.chars().any(char::is_control));
    }

    #[test]
    fn is_a_std_error() {
        fn takes(_: &dyn std::error::Error) {}
        takes(&ProtocolError::MissingAction);
    }
}
