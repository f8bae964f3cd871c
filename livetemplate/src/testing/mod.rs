//! Test helpers (feature `testing`): [`LiveTest`] drives a controller in a test, without a
//! browser or a socket; [`TestServer`], [`Browser`] and [`Tab`] drive a whole app over real
//! sockets; [`ClientTree`] is the reference client they apply frames with.
//!
//! It runs each action as the server does (state snapshot, rollback on failure, panics caught),
//! renders, diffs, encodes the frame our client would receive, and applies that frame to the
//! reference client ([`ClientTree`]). After every step it checks that what
//! the client shows equals a fresh render, so every controller test also tests the pipeline.
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
//! # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! # runtime.block_on(async {
//! let mut page = LiveTest::mount(Counters).await?;
//! page.click("increment").await?;
//! assert_eq!(page.html(), "<p>1</p><button name=\"increment\">+</button>");
//! assert_eq!(page.last_patch(), r#"{"0":1}"#); // slot 0 is now 1 (a number: our short form)
//! # Ok::<(), livetemplate::testing::TestError>(())
//! # }).unwrap();
//! ```

mod client;
mod socket;

pub use client::{ApplyError, ClientTree, ServerFrame};
pub use socket::{Browser, Response, Tab, TestServer, WAIT};

use std::fmt;

use serde_json::Value;

use crate::controller::{Context, Effect, LiveController, Outcome, act};
use crate::render::Rendered;
use crate::wire::{ActionKind, ClientKind, Encoder, FormData, Meta, frame};
use crate::{ActionError, LiveTemplate, RenderError, diff};

/// Why a [`LiveTest`] step failed (an action that returns an error is not a test failure:
/// see [`LiveTest::succeeded`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum TestError {
    /// `mount` returned an error.
    Mount(ActionError),
    /// Rendering the state failed.
    Render(RenderError),
    /// The frame could not be applied by the reference client.
    Client(ApplyError),
    /// What the client shows differs from a fresh render: a bug in livetemplate.
    Mismatch {
        /// A fresh render's HTML.
        expected: String,
        /// What the client shows.
        shown: String,
    },
    /// A socket of a [`TestServer`] or [`Browser`] failed.
    Io(std::io::Error),
    /// An HTTP exchange failed (hyper's client could not send the request or read the
    /// response).
    Http(hyper::Error),
    /// The WebSocket failed.
    WebSocket(tokio_tungstenite::tungstenite::Error),
    /// Nothing arrived in time (after [`WAIT`]); says what was awaited.
    Timeout(String),
    /// The server answered something a browser would not accept; says what.
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

impl std::error::Error for TestError {}

/// One live page of a controller, driven from a test.
#[derive(Debug)]
pub struct LiveTest<C: LiveController> {
    controller: C,
    state: C::State,
    tree: Rendered,
    encoder: Encoder,
    client: ClientTree,
    session: String,
    reference: u64,
    last_patch: String,
    last_frame: String,
    last_meta: Meta,
    effects: Vec<Effect>,
}

impl<C: LiveController> LiveTest<C> {
    /// Mounts a new session, as a first page load with no query.
    pub async fn mount(controller: C) -> Result<Self, TestError> {
        Self::mount_with_query(controller, &[]).await
    }

    /// Mounts a new session whose page URL has these query parameters (`mount`, then
    /// `on_navigate`, then `on_connect`, as a page load and its live connection do).
    pub async fn mount_with_query(
        controller: C,
        query: &[(&str, &str)],
    ) -> Result<Self, TestError> {
        let session = "test-session".to_owned();
        let mut ctx = Context::new(session.clone()).with_query(form_data(query));
        let mut state = controller.mount(&mut ctx).await.map_err(TestError::Mount)?;
        if C::NAVIGATES {
            // A page load runs `on_navigate` after `mount`, as the server does.
            controller
                .on_navigate(&mut state, &mut ctx)
                .await
                .map_err(TestError::Mount)?;
        }
        controller
            .on_connect(&mut state, &mut ctx)
            .await
            .map_err(TestError::Mount)?;
        let tree = state.render().map_err(TestError::Render)?;
        let mut encoder = Encoder::new(ClientKind::Livetemplate);
        let first = encoder.tree(&tree);
        let mut client = ClientTree::new(ClientKind::Livetemplate);
        client.apply(&first).map_err(TestError::Client)?;
        let test = LiveTest {
            controller,
            state,
            tree,
            encoder,
            client,
            session,
            reference: 0,
            last_frame: frame::update(&first, Some(&Meta::ok("")), None),
            last_patch: first,
            last_meta: Meta::ok(""),
            effects: ctx.take_effects(),
        };
        test.check()?;
        Ok(test)
    }

    /// Clicks an element that names `action` (a button, an `lvt-on:click`), sending no data.
    pub async fn click(&mut self, action: &str) -> Result<&mut Self, TestError> {
        self.send(action, FormData::new()).await
    }

    /// Clicks an element that names `action` and carries data (`value`, `data-*`).
    pub async fn click_with(
        &mut self,
        action: &str,
        data: &[(&str, &str)],
    ) -> Result<&mut Self, TestError> {
        self.send(action, form_data(data)).await
    }

    /// Submits a form to `action` with these fields (repeated names become arrays, as a
    /// browser's form data does).
    pub async fn submit(
        &mut self,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<&mut Self, TestError> {
        self.send(action, form_data(fields)).await
    }

    /// Reports a new query string, as the client does when a link changes only the query
    /// (`__navigate__`): runs the controller's `on_navigate`.
    pub async fn navigate(&mut self, query: &[(&str, &str)]) -> Result<&mut Self, TestError> {
        self.send(
            ActionKind::Navigate.reserved_name().unwrap_or_default(),
            form_data(query),
        )
        .await
    }

    /// Runs `action` with `data`, as a client message would.
    pub async fn send(&mut self, action: &str, data: FormData) -> Result<&mut Self, TestError> {
        self.reference += 1;
        let mut ctx = Context::new(self.session.clone()).with_action(action, data.clone());
        if ActionKind::of(action) == ActionKind::Navigate {
            ctx = ctx.with_query(data);
        }
        let (Outcome { meta, effects, .. }, tree) =
            act(&self.controller, &mut self.state, &mut ctx).await;
        let tree = tree.map_err(TestError::Render)?;
        let patch = self.encoder.patch(&diff(&self.tree, &tree));
        self.client.apply(&patch).map_err(TestError::Client)?;
        self.last_frame = frame::reply(
            ClientKind::Livetemplate,
            &patch,
            &meta,
            Some(self.reference),
        );
        self.last_patch = patch;
        self.last_meta = meta;
        self.effects = effects;
        self.tree = tree;
        self.check()?;
        Ok(self)
    }

    /// What the browser shows now (the live region's HTML).
    pub fn html(&self) -> String {
        self.tree.to_html()
    }

    /// The session's state.
    pub fn state(&self) -> &C::State {
        &self.state
    }

    /// The `tree` of the last frame: the whole tree after `mount`, the patch after an action.
    pub fn last_patch(&self) -> &str {
        &self.last_patch
    }

    /// The last frame, whole, as our client receives it.
    pub fn last_frame(&self) -> &str {
        &self.last_frame
    }

    /// Whether the last action succeeded.
    pub fn succeeded(&self) -> bool {
        self.last_meta.success
    }

    /// The last action's errors by form field (`"_"` for a failure not tied to a field).
    pub fn errors(&self) -> &std::collections::BTreeMap<String, String> {
        &self.last_meta.errors
    }

    /// The effects the last action asked for (sync, subscriptions, broadcasts, redirects).
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The client's HTML must equal a fresh render's.
    fn check(&self) -> Result<(), TestError> {
        let shown = self.client.html().map_err(TestError::Client)?;
        let expected = self.tree.to_html();
        if shown == expected {
            Ok(())
        } else {
            Err(TestError::Mismatch { expected, shown })
        }
    }
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
