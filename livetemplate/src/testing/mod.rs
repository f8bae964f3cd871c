//! Test helpers (feature `testing`): [`LiveTest`] drives one controller with no browser and no
//! socket; [`TestServer`], [`Browser`] and [`Tab`] drive a whole app over real sockets; both
//! apply every frame with [`ClientTree`], the reference client.
//!
//! [`LiveTest`] runs each action as the server does (state snapshot, rollback on failure,
//! panics caught), renders, diffs, encodes the frame our client would receive, and applies
//! that frame to the reference client. After every step it checks that what the client shows
//! equals a fresh render, so every controller test also tests the pipeline.
//!
//! ```
//! use askama::Template;
//! use livetemplate::testing::LiveTest;
//! use livetemplate::{Context, LiveTemplate, live_controller};
//!
//! #[derive(Clone, Template, LiveTemplate)]
//! #[template(source = "<p>{{ count }}</p><button name=\"increment\">+</button>", ext = "html")]
//! struct Counter { count: i64 }
//!
//! struct Counters;
//!
//! #[live_controller]
//! impl Counters {
//!     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
//!         Ok(Counter { count: 0 })
//!     }
//!     pub fn increment(&self, state: &mut Counter, _ctx: &mut Context) {
//!         state.count += 1;
//!     }
//! }
//!
//! # let runtime = tokio::runtime::Builder::new_current_thread().build()?;
//! # runtime.block_on(async {
//! let mut page = LiveTest::mount(Counters).await?;
//! page.click("increment").await?;
//! assert_eq!(page.html(), "<p>1</p><button name=\"increment\">+</button>");
//! assert_eq!(page.last_patch(), r#"{"0":1}"#); // slot 0 is now 1 (a number: our short form)
//! # Ok::<(), livetemplate::testing::TestError>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A [`Tab`] of a [`TestServer`] answers to the same calls (`click`, `click_with`, `submit`,
//! `navigate`, `send`, `html`, `succeeded`, `errors`), so a test can move from one to the other;
//! see [`Browser`] for an example.
//!
//! The module is compiled only with the `testing` feature, so production builds carry neither
//! the reference client nor the HTTP client. Enable it for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! livetemplate = { version = "0.1", features = ["testing"] }
//! ```

mod browser;
mod client;
mod error;
mod live_test;
mod server;
mod tab;

pub use browser::{Browser, Response};
pub use client::{ApplyError, ClientTree, ServerFrame};
pub use error::TestError;
pub use live_test::LiveTest;
pub use server::TestServer;
pub use tab::Tab;

use std::future::Future;
use std::time::Duration;

use serde_json::Value;

use crate::wire::FormData;

/// The longest any single wait of a [`TestServer`], [`Browser`] or [`Tab`] (a response, a
/// frame) may take: a server that stops answering fails the test instead of hanging it.
pub const WAIT: Duration = Duration::from_secs(5);

/// `future`, or [`TestError::Timeout`] naming `what` after [`WAIT`].
async fn within<F: Future>(what: &str, future: F) -> Result<F::Output, TestError> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| TestError::Timeout(what.to_owned()))
}

/// A [`TestError::Unexpected`] saying `what`.
fn unexpected(what: impl Into<String>) -> TestError {
    TestError::Unexpected(what.into())
}

/// Form data as a browser sends it: repeated names become arrays.
fn form_data(fields: &[(&str, &str)]) -> FormData {
    let mut data = FormData::new();
    for (name, value) in fields {
        let value = Value::String((*value).to_owned());
        let merged = match data.get(name).cloned() {
            None => value,
            Some(Value::Array(mut items)) => {
                items.push(value);
                Value::Array(items)
            }
            Some(previous) => Value::Array(vec![previous, value]),
        };
        data.insert(*name, merged);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_become_arrays() {
        let data = form_data(&[("tag", "a"), ("title", "milk"), ("tag", "b"), ("tag", "c")]);
        assert_eq!(data.get("title"), Some(&Value::from("milk")));
        assert_eq!(
            data.get("tag"),
            Some(&Value::from(vec!["a", "b", "c"])),
            "{data:?}"
        );
    }
}
