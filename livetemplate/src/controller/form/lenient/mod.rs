//! The lenient deserializer behind [`bind`](super::bind): serde passes over the form's JSON values.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de;

use super::{BindError, FieldErrors};

mod object;
mod scalar;
mod stand_in;
mod value;

pub(super) use object::{MissingDe, RootDe};
pub(super) use value::ValueDe;

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const REQUIRED: &str = "is required";
const NUMBER: &str = "must be a number";
const WHOLE: &str = "must be a whole number";
const BOOL: &str = "must be true or false";
const TEXT: &str = "must be text";
const CHAR: &str = "must be a single character";
const LIST: &str = "must be a list";
const OBJECT: &str = "must be a group of fields";
const EMPTY: &str = "must be empty";
const NO_VALUE: &str = "must have a value";
const UNKNOWN_FIELD: &str = "is not a known field";

// ---------------------------------------------------------------------------------------------
// The passes
// ---------------------------------------------------------------------------------------------

/// The most serde passes one binding makes (each pass after the first follows an error that
/// stopped serde, so this also bounds how many such errors are reported).
const MAX_PASSES: usize = 256;

/// How deep a stand-in value may nest (stand-ins of structs hold stand-ins of their fields).
const MAX_STAND_IN_DEPTH: u8 = 32;

/// What one pass shares between its deserializers.
#[derive(Default)]
pub(super) struct State {
    /// Errors recorded in this pass (a stand-in took the value's place).
    errors: RefCell<BTreeMap<String, String>>,
    /// Fields whose value (present or missing) is replaced by a stand-in.
    fill: BTreeSet<String>,
    /// Fields left out (unknown under `deny_unknown_fields`).
    skip: BTreeSet<String>,
}

impl State {
    fn record(&self, path: &str, message: impl Into<String>) {
        self.errors
            .borrow_mut()
            .entry(path.to_owned())
            .or_insert_with(|| message.into());
    }
}

/// Runs `pass` until it succeeds without errors, or stops making progress; `root` names
/// errors that belong to no field.
pub(super) fn run<T>(
    root: &str,
    mut pass: impl FnMut(&State) -> Result<T, Error>,
) -> Result<T, BindError> {
    let mut found = BTreeMap::new();
    let mut state = State::default();
    for _ in 0..MAX_PASSES {
        let result = pass(&state);
        for (path, message) in state.errors.take() {
            found.entry(path).or_insert(message);
        }
        match result {
            Ok(value) if found.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(err) => {
                let progressed = match &err.path {
                    Some(path) if err.kind == Kind::Unknown => state.skip.insert(path.clone()),
                    Some(path) => state.fill.insert(path.clone()),
                    None => false,
                };
                let path = err.path.unwrap_or_else(|| root.to_owned());
                found.entry(path).or_insert(err.message);
                if !progressed {
                    break;
                }
            }
        }
    }
    Err(BindError::from(FieldErrors::from(found)))
}

/// "1 value", "2 values".
fn count(n: usize) -> String {
    if n == 1 {
        "1 value".to_owned()
    } else {
        format!("{n} values")
    }
}

/// `parent.key`, or `key` at the top.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

// ---------------------------------------------------------------------------------------------
// The deserializer's error
// ---------------------------------------------------------------------------------------------

/// An error that stops a serde pass.
#[derive(Debug)]
pub(super) struct Error {
    /// The field it belongs to, once known.
    path: Option<String>,
    message: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Other,
    /// A struct's field was missing (its path is set by the struct that misses it).
    Missing(&'static str),
    /// An unknown field under `deny_unknown_fields`.
    Unknown,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Error {
            path: None,
            message: message.into(),
            kind: Kind::Other,
        }
    }

    /// The message for a variant name that is not one of `variants`.
    fn unknown_variant_message(variants: &[&str]) -> String {
        if variants.is_empty() {
            "is not a known choice".to_owned()
        } else {
            format!("must be one of: {}", variants.join(", "))
        }
    }

    /// Sets the path unless a deeper one is already set.
    fn at(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_owned());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Error::new(message.to_string())
    }

    fn invalid_type(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(format!("must be {expected}"))
    }

    fn invalid_value(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(format!("must be {expected}"))
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        Error::new(format!("has {}, but must be {expected}", count(len)))
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Error::new(Error::unknown_variant_message(expected))
    }

    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Error {
            kind: Kind::Unknown,
            ..Error::new(UNKNOWN_FIELD)
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            kind: Kind::Missing(field),
            ..Error::new(REQUIRED)
        }
    }
}
