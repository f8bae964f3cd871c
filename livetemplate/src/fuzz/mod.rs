//! The fuzz targets' checks, as ordinary functions of arbitrary bytes (`livetemplate::__fuzz`).
//!
//! Each function reads its input the way one of the server's request paths does, runs the
//! real (crate-private) code of that path, and panics when an invariant breaks: the cargo-fuzz
//! targets in the repository's `fuzz/` folder call them under libFuzzer, and
//! `tests/tests/fuzz_corpus.rs` replays the committed corpus through them on stable Rust.
//! Not public API: hidden from the docs, changed without notice.

mod cookie_origin;
mod decode;
mod form_body;

pub use cookie_origin::cookie_origin;
pub use decode::decode;
pub use form_body::form_body;

#[cfg(feature = "testing")]
pub use decode::apply;

/// The action names a client may call in the fuzzed requests: the examples' and those of the
/// forms in `testdata/actions/forms.json`, plus `value` (the key a pressed button's value
/// arrives under, to check that a button of that name cannot be confused with it).
const ACTIONS: &[&str] = &[
    "add",
    "archive",
    "cancel",
    "clear_completed",
    "decrement",
    "edit",
    "go",
    "greet",
    "increment",
    "publish",
    "remove",
    "rename",
    "reset",
    "save",
    "send",
    "set_name",
    "toggle",
    "value",
    "vote",
];

thread_local! {
    /// The runtime [`block_on`] runs futures on: one thread, timers on (`read_body` has a
    /// deadline), built once per thread since libFuzzer calls a target millions of times.
    static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .ok();
}

/// Runs a future over in-memory data to its end.
///
/// # Panics
///
/// When the runtime cannot be built, or when called from inside another tokio runtime (the
/// fuzz targets and the replay test call it from plain threads).
fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.with(|runtime| match runtime {
        Some(runtime) => runtime.block_on(future),
        None => panic!("could not build a current-thread tokio runtime"),
    })
}

/// A fuzz input read front to back; reading past its end gives zeros and empty slices, so
/// every input, even an empty one, drives the whole path.
#[derive(Debug)]
struct Input<'a> {
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// The next byte, 0 at the end.
    fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((&first, rest)) => {
                self.rest = rest;
                first
            }
            None => 0,
        }
    }

    /// The bytes up to the next `\n` (which is consumed), or all that is left.
    fn line(&mut self) -> &'a [u8] {
        match self.rest.iter().position(|&b| b == b'\n') {
            Some(end) => {
                let line = &self.rest[..end];
                self.rest = &self.rest[end + 1..];
                line
            }
            None => std::mem::take(&mut self.rest),
        }
    }

    /// Whether nothing is left.
    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Everything left.
    fn rest(self) -> &'a [u8] {
        self.rest
    }
}
