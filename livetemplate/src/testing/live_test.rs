//! [`LiveTest`]: one live page of a controller, driven with no browser and no socket; every
//! frame is applied by the reference client and checked against a fresh render.

use std::collections::BTreeMap;

use super::{ClientTree, TestError, form_data};
use crate::LiveTemplate;
use crate::controller::{
    ActionError, Context, Effect, LiveController, Outcome, RouteParams, act, client_may_run,
    refused,
};
use crate::diff::diff;
use crate::render::Rendered;
use crate::server::security::SessionId;
use crate::wire::{ActionKind, ClientKind, Encoder, FormData, Meta, frame};

/// One live page of a controller, driven from a test with no browser and no socket.
///
/// Its steps have the same names and signatures as a [`Tab`](super::Tab)'s (`click`,
/// `click_with`, `submit`, `navigate`, `send`, `html`, `succeeded`, `errors`); see the
/// [module docs](super) for an example.
#[derive(Debug)]
pub struct LiveTest<C: LiveController> {
    controller: C,
    state: C::State,
    tree: Rendered,
    encoder: Encoder,
    client: ClientTree,
    /// What the client shows, checked equal to a fresh render after every step.
    html: String,
    session: String,
    /// The path parameters of the URL the page was mounted at.
    params: RouteParams,
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
        Self::mount_with(controller, form_data(query), RouteParams::default()).await
    }

    /// Mounts a new session at a URL of a route with parameters, with these path parameters
    /// (values as decoded): `ctx.param` and `ctx.params` read them in `mount`, the hooks and
    /// every action.
    pub async fn mount_with_params(
        controller: C,
        params: &[(&str, &str)],
    ) -> Result<Self, TestError> {
        let params = RouteParams::new(params.iter().copied());
        Self::mount_with(controller, FormData::new(), params).await
    }

    /// Mounts a new session at `url` (a path with an optional query) of the route
    /// `pattern`, matched and decoded as [`LiveRouter`](crate::LiveRouter) does: the
    /// parameters and the query are the page's.
    ///
    /// `Err(TestError::Mount(error))` with [`error.is_not_found()`](ActionError::is_not_found)
    /// is what the server answers `404 Not Found`: `url` does not match `pattern` (or a
    /// parameter is malformed or too long), or `mount` said so, e.g. from a `ctx.params()`
    /// that did not bind.
    ///
    /// ```
    /// # use askama::Template;
    /// # use livetemplate::{Context, LiveTemplate, live_controller};
    /// # #[derive(Clone, Template, LiveTemplate)]
    /// # #[template(source = "<p>{{ id }}</p>", ext = "html")]
    /// # struct Post { id: u64 }
    /// # struct Posts;
    /// # #[derive(serde::Deserialize)]
    /// # struct PostParams { id: u64 }
    /// # #[live_controller]
    /// # impl Posts {
    /// #     async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Post> {
    /// #         let PostParams { id } = ctx.params()?;
    /// #         Ok(Post { id })
    /// #     }
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use livetemplate::LiveTest;
    /// use livetemplate::testing::TestError;
    ///
    /// let page = LiveTest::mount_at(Posts, "/posts/{id}", "/posts/2").await?;
    /// assert_eq!(page.state().id, 2);
    /// let missing = LiveTest::mount_at(Posts, "/posts/{id}", "/posts/two").await;
    /// assert!(matches!(missing, Err(TestError::Mount(error)) if error.is_not_found()));
    /// # Ok::<(), TestError>(())
    /// # }).unwrap();
    /// ```
    pub async fn mount_at(controller: C, pattern: &str, url: &str) -> Result<Self, TestError> {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let params = crate::server::routes::params_of(pattern, path)
            .map_err(|error| {
                super::unexpected(format!("`{pattern}` is not a valid route: {error}"))
            })?
            .ok_or_else(|| {
                TestError::Mount(ActionError::not_found(format!(
                    "`{path}` is not an address of the route `{pattern}`"
                )))
            })?;
        let mut data = FormData::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            data.insert(name.into_owned(), value.into_owned());
        }
        Self::mount_with(controller, data, params).await
    }

    async fn mount_with(
        controller: C,
        query: FormData,
        params: RouteParams,
    ) -> Result<Self, TestError> {
        let session = "test-session".to_owned();
        let mut ctx = Context::new(session.clone())
            .with_query(query)
            .with_params(params.clone());
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
        let tree = state.render_tree().map_err(TestError::Render)?;
        let mut encoder = Encoder::new(ClientKind::Livetemplate);
        let first = encoder.tree(&tree);
        let mut client = ClientTree::new(ClientKind::Livetemplate);
        client.apply(&first)?;
        let mut test = LiveTest {
            controller,
            state,
            tree,
            encoder,
            client,
            html: String::new(),
            session,
            params,
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

    /// Runs `action` with `data`, as a client message would: a name the controller lacks, or a
    /// [server-only](LiveController::SERVER_ACTIONS) one, fails as `unknown action …` and
    /// changes nothing, as the server refuses it.
    pub async fn send(&mut self, action: &str, data: FormData) -> Result<&mut Self, TestError> {
        self.run(action, data, true).await
    }

    /// Runs `action` with `data` as a [`broadcast_action`](Context::broadcast_action) or a
    /// [`LiveHandle::push`](crate::server::LiveHandle::push) delivers it to this page:
    /// [server-only](LiveController::SERVER_ACTIONS) actions run too.
    pub async fn deliver(&mut self, action: &str, data: FormData) -> Result<&mut Self, TestError> {
        self.run(action, data, false).await
    }

    /// Runs `action`; `from_client` refuses what a client may not name.
    async fn run(
        &mut self,
        action: &str,
        data: FormData,
        from_client: bool,
    ) -> Result<&mut Self, TestError> {
        self.reference += 1;
        let mut ctx = Context::new(self.session.clone())
            .with_params(self.params.clone())
            .with_action(action, data.clone());
        if ActionKind::of(action) == ActionKind::Navigate {
            ctx = ctx.with_query(data);
        }
        let (outcome, tree) = if from_client && !client_may_run::<C>(action) {
            (refused(action), self.state.render_tree())
        } else {
            act(&self.controller, &mut self.state, &mut ctx).await
        };
        if outcome.rotates() {
            // As the server does: the state stays, its session gets a new id.
            self.session = SessionId::new().as_str().to_owned();
        }
        let Outcome { meta, effects, .. } = outcome;
        let tree = tree.map_err(TestError::Render)?;
        let patch = self.encoder.patch(&diff(&self.tree, &tree));
        self.client.apply(&patch)?;
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

    /// What the browser shows now: the live region's HTML, as the reference client renders
    /// it (checked equal to a fresh render after every step).
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The session's id, as actions see it (`ctx.session_id()`): a new one after an action
    /// that called [`rotate_session`](Context::rotate_session).
    pub fn session_id(&self) -> &str {
        &self.session
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
    pub fn errors(&self) -> &BTreeMap<String, String> {
        &self.last_meta.errors
    }

    /// The effects the last action asked for (sync, subscriptions, broadcasts, redirects, a
    /// session rotation).
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The client's HTML must equal a fresh render's; it is then what [`html`](Self::html)
    /// returns.
    fn check(&mut self) -> Result<(), TestError> {
        let shown = self.client.html()?;
        let expected = self.tree.to_html();
        if shown != expected {
            return Err(TestError::Mismatch { expected, shown });
        }
        self.html = shown;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live_controller;

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(source = "<p>{{ user }} {{ seen }}</p>", ext = "html")]
    struct Account {
        user: String,
        seen: String,
    }

    struct Accounts;

    #[live_controller]
    impl Accounts {
        async fn mount(&self, _ctx: &mut Context) -> crate::Result<Account> {
            Ok(Account {
                user: String::new(),
                seen: String::new(),
            })
        }

        pub(crate) fn login(&self, state: &mut Account, ctx: &mut Context) {
            state.user = "alice".to_owned();
            ctx.rotate_session();
        }

        /// Records the session id the action sees.
        pub(crate) fn look(&self, state: &mut Account, ctx: &mut Context) {
            state.seen = ctx.session_id().to_owned();
        }
    }

    /// After an action that rotates, the harness's session has a new id (later actions see
    /// it), and the state stays.
    #[tokio::test]
    async fn a_rotation_gives_the_session_a_new_id_and_keeps_the_state() -> Result<(), TestError> {
        let mut page = LiveTest::mount(Accounts).await?;
        let before = page.session_id().to_owned();
        page.click("look").await?;
        assert!(page.html().contains(&before), "{}", page.html());
        page.click("login").await?;
        assert_eq!(page.effects(), &[Effect::RotateSession]);
        let after = page.session_id().to_owned();
        assert_ne!(after, before);
        page.click("look").await?;
        assert_eq!(page.html(), format!("<p>alice {after}</p>"));
        Ok(())
    }
}
