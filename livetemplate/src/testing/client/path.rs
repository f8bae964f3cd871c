//! [`Path`]: where a value sits in the tree (`tree.1[0].2`), for error messages.

use std::fmt;

use super::MAX_DEPTH;
use super::error::ApplyError;

/// Where a value sits in the tree, for error messages; a chain on the stack.
#[derive(Debug, Clone, Copy)]
pub(super) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
    depth: usize,
}

/// One step of a [`Path`].
#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// The tree itself (`tree` in messages).
pub(super) const ROOT: Path<'static> = Path {
    parent: None,
    segment: Segment::Root,
    depth: 0,
};

impl<'a> Path<'a> {
    pub(super) fn key(&'a self, key: &'a str) -> Path<'a> {
        self.child(Segment::Key(key))
    }

    pub(super) fn index(&'a self, index: usize) -> Path<'a> {
        self.child(Segment::Index(index))
    }

    fn child(&'a self, segment: Segment<'a>) -> Path<'a> {
        Path {
            parent: Some(self),
            segment,
            depth: self.depth + 1,
        }
    }

    pub(super) fn check_depth(&self) -> Result<(), ApplyError> {
        if self.depth > MAX_DEPTH {
            return Err(ApplyError::TooDeep {
                path: self.to_string(),
            });
        }
        Ok(())
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            fmt::Display::fmt(parent, f)?;
        }
        match self.segment {
            Segment::Root => f.write_str("tree"),
            Segment::Key(key) => write!(f, ".{key}"),
            Segment::Index(index) => write!(f, "[{index}]"),
        }
    }
}
