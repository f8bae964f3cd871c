//! [`ApplyError`]: why a frame could not be applied, or a tree not rendered.

use std::fmt;

#[cfg(doc)]
use super::ClientTree;
use super::{MAX_DEPTH, MAX_HTML};

/// Why a frame could not be applied, or a tree not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyError {
    /// The frame is not valid JSON.
    Json(String),
    /// An update arrived, or HTML was asked for, before any whole tree.
    NoTree,
    /// `"f"` names a statics table this connection was never sent.
    UnknownStatics {
        /// Where in the tree.
        path: String,
        /// The id.
        id: u64,
    },
    /// A list operation names a key no item of the list has.
    MissingKey {
        /// Where in the tree.
        path: String,
        /// The key.
        key: String,
    },
    /// A key that names no slot: not a slot number, or past the node's last slot.
    UnknownKey {
        /// Where in the tree.
        path: String,
        /// The key.
        key: String,
    },
    /// A value of the wrong shape for its place.
    Shape {
        /// Where in the tree.
        path: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A node or item whose slots do not match its statics (one slot per gap).
    SlotCount {
        /// Where in the tree.
        path: String,
        /// The number of slots the statics surround.
        expected: usize,
        /// The number of slots found.
        found: usize,
    },
    /// Nesting deeper than [`ClientTree::MAX_DEPTH`].
    TooDeep {
        /// Where in the tree.
        path: String,
    },
    /// The HTML would be longer than [`ClientTree::MAX_HTML`] bytes.
    TooLarge,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Json(message) => write!(f, "the frame is not valid JSON: {message}"),
            ApplyError::NoTree => f.write_str("no whole tree has been applied yet"),
            ApplyError::UnknownStatics { path, id } => {
                write!(f, "at {path}: unknown statics id {id}")
            }
            ApplyError::MissingKey { path, key } => {
                write!(f, "at {path}: no list item has the key {key:?}")
            }
            ApplyError::UnknownKey { path, key } => {
                write!(f, "at {path}: the key {key:?} names no slot")
            }
            ApplyError::Shape { path, expected } => write!(f, "at {path}: expected {expected}"),
            ApplyError::SlotCount {
                path,
                expected,
                found,
            } => write!(
                f,
                "at {path}: the statics surround {expected} slots, found {found}"
            ),
            ApplyError::TooDeep { path } => {
                write!(f, "at {path}: nested deeper than {MAX_DEPTH} levels")
            }
            ApplyError::TooLarge => write!(f, "the HTML is longer than {MAX_HTML} bytes"),
        }
    }
}

impl std::error::Error for ApplyError {}

/// A [`ApplyError::Shape`] at `path`.
pub(super) fn shape(path: &impl fmt::Display, expected: &'static str) -> ApplyError {
    ApplyError::Shape {
        path: path.to_string(),
        expected,
    }
}

/// A [`ApplyError::MissingKey`] at `path`.
pub(super) fn missing_key(path: &impl fmt::Display, key: &str) -> ApplyError {
    ApplyError::MissingKey {
        path: path.to_string(),
        key: key.to_owned(),
    }
}
