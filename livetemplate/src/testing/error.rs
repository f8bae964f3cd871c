//! [`TestError`]: why a step of a [`LiveTest`](super::LiveTest), [`TestServer`](super::TestServer),
//! [`Browser`](super::Browser) or [`Tab`](super::Tab) failed.

use std::fmt;

use super::{ApplyError, WAIT};
use crate::{ActionError, RenderError};

/// Why a test step failed. An action that returns an error is not a test failure: see
/// [`LiveTest::succeeded`](super::LiveTest::succeeded) and
/// [`Tab::succeeded`](super::Tab::succeeded).
#[derive(Debug)]
#[non_exhaustive]
pub enum TestError {
    /// `mount` returned an error.
    Mount(ActionError),
    /// Rendering the state failed.
    Render(RenderError),
    /// The frame could not be applied by the reference client, or what it then holds does
    /// not render.
    Client(ApplyError),
    /// What the client shows differs from a fresh render: a bug in livetemplate.
    Mismatch {
        /// A fresh render's HTML.
        expected: String,
        /// What the client shows.
        shown: String,
    },
    /// A socket of a [`TestServer`](super::TestServer) or [`Browser`](super::Browser) failed.
    Io(std::io::Error),
    /// An HTTP exchange failed (hyper's client could not send the request or read the
    /// response).
    Http(hyper::Error),
    /// The WebSocket failed.
    WebSocket(tokio_tungstenite::tungstenite::Error),
    /// Nothing arrived in time (after [`WAIT`]); says what was awaited.
    Timeout(String),
    /// The server answered something a browser would not accept, or the test asked for
    /// something no browser could send; says what.
    Unexpected(String),
}

impl From<std::io::Error> for TestError {
    fn from(error: std::io::Error) -> Self {
        TestError::Io(error)
    }
}

impl From<hyper::Error> for TestError {
    fn from(error: hyper::Error) -> Self {
        TestError::Http(error)
    }
}

impl From<tokio_tungstenite::tungstenite::Error> for TestError {
    fn from(error: tokio_tungstenite::tungstenite::Error) -> Self {
        TestError::WebSocket(error)
    }
}

impl From<ApplyError> for TestError {
    fn from(error: ApplyError) -> Self {
        TestError::Client(error)
    }
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestError::Mount(e) => write!(f, "mount failed: {e}"),
            TestError::Render(e) => write!(f, "render failed: {e}"),
            TestError::Client(e) => write!(f, "the client could not apply the frame: {e}"),
            TestError::Mismatch { expected, shown } => write!(
                f,
                "the client shows different HTML than a fresh render\n expected: {expected}\n    shown: {shown}"
            ),
            TestError::Io(e) => write!(f, "socket error: {e}"),
            TestError::Http(e) => write!(f, "HTTP error: {e}"),
            TestError::WebSocket(e) => write!(f, "WebSocket error: {e}"),
            TestError::Timeout(what) => write!(f, "timed out after {WAIT:?} waiting for {what}"),
            TestError::Unexpected(what) => write!(f, "unexpected answer: {what}"),
        }
    }
}

impl std::error::Error for TestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TestError::Render(e) => Some(e),
            TestError::Client(e) => Some(e),
            TestError::Io(e) => Some(e),
            TestError::Http(e) => Some(e),
            TestError::WebSocket(e) => Some(e),
            // `ActionError` is a message, not an `Error` (it converts from any error).
            TestError::Mount(_)
            | TestError::Mismatch { .. }
            | TestError::Timeout(_)
            | TestError::Unexpected(_) => None,
        }
    }
}
