//! One live page: the five uses of its URL (page, probe, JSON, socket, POST).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Method, Response, StatusCode};
use http_body_util::Full;

use super::accept::{self, LogLimit};
use super::action_data::{self, Posted};
use super::body::{self, BodyError};
use super::config::Config;
use super::connection;
use super::flash;
use super::handoff::Handoffs;
use super::page;
use super::security::{self, SessionId};
use crate::LiveController;
use crate::controller::{RouteParams, Via, client_may_run, log_refused};
use crate::diff::diff;
use crate::pubsub::{Broker, lock};
use crate::session::census::{Census, Evict};
use crate::session::{AttachError, Group, Groups, MountError, OverBudget, Scope, Tab, TabEvents};
use crate::wire::keys as k;
use crate::wire::{self, ActionKind, ClientKind, Encoder, FormData, Meta, ProtocolError, frame};

/// The response body type of the server.
pub type Body = Full<Bytes>;

/// A live page, type-erased so one router holds pages of different controllers.
pub(crate) trait Endpoint: Send + Sync + 'static {
    /// Answers a request for this page at a URL that matched its route with `params`, from
    /// `visitor` (whom the route's guard, if any, let in).
    fn handle(
        self: Arc<Self>,
        parts: Parts,
        body: Option<Bytes>,
        params: RouteParams,
        visitor: Visitor,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send>>;
}

/// Who a request comes from, as the router found out before the page: the user the
/// authenticator named, and what the route's guard attached (empty on unguarded routes).
#[derive(Debug, Default)]
pub(crate) struct Visitor {
    pub(crate) user: Option<String>,
    pub(crate) data: http::Extensions,
}

/// The page of one controller.
pub(crate) struct Page<C: LiveController> {
    /// The route's pattern (its path, on an exact route).
    pattern: Arc<str>,
    groups: Arc<Groups<C>>,
    /// Rotations made on live connections, waiting for their tab's `GET` to set the cookie.
    handoffs: Arc<Handoffs>,
    config: Arc<Config>,
    /// Turns `true` when the server shuts down: live connections close.
    shutdown: tokio::sync::watch::Receiver<bool>,
    /// Sessions refused at a cap are logged at most once a second.
    refusals: Mutex<LogLimit>,
}

impl<C: LiveController> Page<C> {
    pub(crate) fn new(
        path: &str,
        controller: C,
        config: Arc<Config>,
        broker: Arc<dyn Broker>,
        shutdown: tokio::sync::watch::Receiver<bool>,
        store: Option<Arc<dyn crate::session::SessionStore<C::State>>>,
        census: &Arc<Census>,
    ) -> Arc<Self> {
        let groups = Groups::new(
            Arc::new(controller),
            broker,
            config.session_idle,
            config.actions_per_second,
        )
        .with_census(Arc::clone(census), config.broadcast_backlog);
        let groups = Arc::new(match store {
            Some(store) => groups.with_store(store),
            None => groups,
        });
        census.register(Arc::downgrade(&groups) as std::sync::Weak<dyn Evict>);
        Arc::new(Page {
            pattern: Arc::from(path),
            groups,
            handoffs: Arc::new(Handoffs::default()),
            config,
            shutdown,
            refusals: Mutex::new(LogLimit::new(accept::LOG_INTERVAL)),
        })
    }
}

impl<C: LiveController> Endpoint for Page<C> {
    fn handle(
        self: Arc<Self>,
        parts: Parts,
        body: Option<Bytes>,
        params: RouteParams,
        visitor: Visitor,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send>> {
        Box::pin(async move { self.respond(parts, body, params, visitor).await })
    }
}

impl<C: LiveController> Page<C> {
    /// Finds the request's session (rotating it when the browser has signed in since its
    /// cookie was set) and answers; a rotated session's new cookie goes on whatever response
    /// the request gets — a page, a `101` switching to a live connection, a POST's answer.
    async fn respond(
        self: Arc<Self>,
        parts: Parts,
        body: Option<Bytes>,
        params: RouteParams,
        Visitor {
            user,
            data: guarded,
        }: Visitor,
    ) -> Response<Body> {
        let found = security::read_session_for(
            &parts.headers,
            self.config.session_cookie_name(),
            &self.config.key,
            user.as_deref(),
        );
        if parts.method == Method::GET
            && !is_upgrade(&parts)
            && let Some(token) = rotate_token(&parts)
        {
            return self.hand_off(&parts, &token, found.map(|found| found.id), &user);
        }
        let (session, rotated) = match found {
            Some(found) if found.login => {
                let scope = Scope::new(found.id, &self.pattern, params.clone());
                let new = self.groups.rotate(&scope).await;
                tracing::debug!("session rotated at sign-in");
                (Some(new), true)
            }
            Some(found) => (Some(found.id), false),
            None => (None, false),
        };
        let cookie = session.as_ref().map(|id| self.session_cookie(id, &user));
        let name = self.config.session_cookie_name();
        let mut response = self
            .answer(parts, body, session, (user, guarded), params)
            .await;
        // A page sets the session cookie itself; other answers (a flash cookie aside) do not.
        let sets_session = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|set| {
                let set = set.as_bytes();
                set.starts_with(name.as_bytes()) && set.get(name.len()) == Some(&b'=')
            });
        if rotated
            && !sets_session
            && let Some(cookie) = cookie
        {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    }

    /// The `GET` of a tab whose live connection rotated the session (`?_lvt_rotate=<token>`):
    /// `303` to the page without the token (or to where the action redirected), with the new
    /// session cookie when the token redeems for this browser. A token that does not (used,
    /// expired, or from another browser) sets nothing: the browser keeps its cookie, whose id
    /// names no session any more, and gets a fresh one.
    fn hand_off(
        &self,
        parts: &Parts,
        token: &str,
        holder: Option<SessionId>,
        user: &Option<String>,
    ) -> Response<Body> {
        let redeemed = self.handoffs.redeem(token, holder.as_ref(), Instant::now());
        let back = without_rotate_token(parts, &self.pattern);
        let location = match &redeemed {
            Ok(redeemed) => redeemed.then.clone().unwrap_or(back),
            Err(_) => back,
        };
        let mut response = status(StatusCode::SEE_OTHER, "");
        let headers = response.headers_mut();
        if let Ok(location) = HeaderValue::from_str(&location) {
            headers.insert(header::LOCATION, location);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match redeemed {
            Ok(redeemed) => {
                tracing::debug!("a rotated session's cookie was handed to its tab");
                headers.insert(header::SET_COOKIE, self.session_cookie(&redeemed.new, user));
            }
            Err(why) => {
                tracing::info!(%why, "a session rotation token was refused; nothing set");
            }
        }
        response
    }

    /// Gives `group`'s session a new id after an action asked for it (`ctx.rotate_session()`;
    /// the group retired itself then); returns it.
    async fn rotate(&self, group: &Arc<crate::session::Group<C>>) -> SessionId {
        let new = self.groups.rotate_retired(group).await;
        tracing::debug!("session rotated by an action");
        new
    }

    /// The `Set-Cookie` value naming session `id`, bound to `user`.
    fn session_cookie(&self, id: &SessionId, user: &Option<String>) -> HeaderValue {
        security::named_session_cookie(
            self.config.session_cookie_name(),
            &security::sign_session_for(&self.config.key, id, user.as_deref()),
            self.config.secure,
            None,
        )
    }

    async fn answer(
        self: Arc<Self>,
        mut parts: Parts,
        body: Option<Bytes>,
        session: Option<SessionId>,
        (user, guarded): (Option<String>, http::Extensions),
        params: RouteParams,
    ) -> Response<Body> {
        let (query, ours) = query(&parts);
        let html = wants_html(&parts);
        // The state this request reaches: the session's, at this URL.
        let pattern = Arc::clone(&self.pattern);
        let scope = |session: SessionId| Scope::new(session, &pattern, params.clone());
        let client = parts
            .extensions
            .get::<super::ClientAddr>()
            .map(|addr| addr.0);
        match parts.method {
            Method::HEAD => probe(),
            Method::GET if is_upgrade(&parts) => {
                if let Err(error) = connection::check_handshake(&parts.headers) {
                    return handshake_refused(error);
                }
                let Some(session) = session else {
                    return status(StatusCode::FORBIDDEN, "no session: load the page first");
                };
                if let Err(error) =
                    security::check_origin(&self.config.origins, &parts.headers, self.config.secure)
                {
                    let message = error.refusing("WebSocket").to_string();
                    tracing::warn!(%message, "live connection refused");
                    return status(StatusCode::FORBIDDEN, &message);
                }
                let Some(upgrade) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() else {
                    return status(
                        StatusCode::BAD_REQUEST,
                        "this connection cannot be upgraded",
                    );
                };
                let Some(accept) = parts.headers.get(header::SEC_WEBSOCKET_KEY).map(|key| {
                    tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes())
                }) else {
                    return status(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key");
                };
                let scope = scope(session);
                let (group, tab) =
                    match self.attach(&scope, &query, (&user, &guarded), client).await {
                        Ok(attached) => attached,
                        Err(response) => return response,
                    };
                let client = client_kind(ours);
                let config = Arc::clone(&self.config);
                let shutdown = self.shutdown.clone();
                let rotation = connection::Rotation {
                    groups: Arc::clone(&self.groups),
                    handoffs: Arc::clone(&self.handoffs),
                    path: parts.uri.path().to_owned(),
                };
                tokio::spawn(async move {
                    match upgrade.await {
                        Ok(upgraded) => {
                            let peer = connection::Peer {
                                client,
                                query,
                                user,
                                data: guarded,
                                shutdown,
                            };
                            connection::run(upgraded, group, tab, config, peer, rotation).await;
                        }
                        Err(error) => tracing::debug!(%error, "upgrade failed"),
                    }
                });
                let mut response = Response::new(Body::default());
                *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
                let headers = response.headers_mut();
                headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
                headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
                if let Ok(accept) = HeaderValue::from_str(&accept) {
                    headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
                }
                response
            }
            Method::GET => {
                // A plain POST's flash messages, shown (and cleared) by this page load.
                let flashes = session
                    .as_ref()
                    .and_then(|session| flash::take(&self.config.key, session, &parts.headers));
                let mut session = session.unwrap_or_else(SessionId::new);
                let scope = scope(session.clone());
                let group = match self
                    .group(&scope, &query, (&user, &guarded), client, html)
                    .await
                {
                    Ok(group) => group,
                    Err(response) => return response,
                };
                let tree = if C::NAVIGATES {
                    let mut ctx = scope
                        .context()
                        .with_action(k::ACTION_NAVIGATE, query.clone())
                        .with_query(query)
                        .with_user(user.clone())
                        .with_guard_extensions(&guarded);
                    let Ok((outcome, tree)) = group.act(None, &mut ctx).await else {
                        return rotated_meanwhile();
                    };
                    if outcome.not_found {
                        // `on_navigate` says the URL names nothing (a bad query, a gone post).
                        return super::not_found::response(&self.config, html, parts.uri.path());
                    }
                    if outcome.rotates() {
                        // `on_navigate` rotated: this page carries the new cookie and token.
                        session = self.rotate(&group).await;
                    }
                    tree
                } else {
                    let tree = group.current().await;
                    // Read first, then checked: a render from a group not yet retired never
                    // holds the state a rotation moved away.
                    if group.is_retired() {
                        return rotated_meanwhile();
                    }
                    tree
                };
                let json_wanted = accepts_json(&parts);
                let mut response = if json_wanted {
                    let tree = Encoder::new(client_kind(ours)).tree(&tree);
                    json(frame::update(
                        &tree,
                        Some(&Meta::connected(C::ACTIONS)),
                        None,
                    ))
                } else {
                    let csrf = security::csrf_token(&self.config.key, &session);
                    // The flash box sits just before the live region: inside it, it would not
                    // be part of the tree the client takes over.
                    let mut region = flash::html(flashes.as_deref().unwrap_or_default());
                    region.push_str(&page::live_region(
                        &self.region_id(),
                        &page::inject_csrf(&tree.to_html(), &csrf),
                    ));
                    let head = page::head(super::CLIENT_PATH, &csrf);
                    let html = self.config.layout.render(&page::PageParts {
                        title: &self.config.title,
                        region: &region,
                        head: &head,
                    });
                    let mut response = Response::new(Body::from(html));
                    response.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    );
                    self.config.frame_ancestors.apply(response.headers_mut());
                    response
                };
                let cookie = self.session_cookie(&session, &user);
                response.headers_mut().insert(header::SET_COOKIE, cookie);
                if flashes.is_some()
                    && !json_wanted
                    && let Some(clear) = flash::clear(self.config.secure)
                {
                    response.headers_mut().append(header::SET_COOKIE, clear);
                }
                response
            }
            Method::POST => {
                self.post(
                    parts,
                    body.unwrap_or_default(),
                    session.map(scope),
                    (query, ours),
                    (user, guarded, client),
                )
                .await
            }
            _ => {
                let mut response = status(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
                response
            }
        }
    }

    /// A JSON action (`{"action", "data"}`) or a plain HTML form without JavaScript.
    async fn post(
        self: Arc<Self>,
        parts: Parts,
        body: Bytes,
        scope: Option<Scope>,
        (query, ours): (FormData, bool),
        (user, guarded, client): (Option<String>, http::Extensions, Option<IpAddr>),
    ) -> Response<Body> {
        let Some(scope) = scope else {
            return status(StatusCode::FORBIDDEN, "no session: load the page first");
        };
        let session = scope.session().clone();
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let shown = (!content_type.is_empty()).then_some(content_type.as_str());
        if body::body_kind(shown) == body::BodyKind::Json {
            // Scripts post JSON: a cross-site page cannot, without the Origin matching.
            if let Err(error) =
                security::check_origin(&self.config.origins, &parts.headers, self.config.secure)
            {
                let message = error.refusing("JSON POST").to_string();
                tracing::info!(%message, "action refused");
                return status(StatusCode::FORBIDDEN, &message);
            }
            let message = match wire::decode(&body, &self.config.limits) {
                Ok(message) => message,
                Err(error) => {
                    let code = if error.close_code().is_some() {
                        StatusCode::PAYLOAD_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    let mut response = json(error.to_frame());
                    *response.status_mut() = code;
                    return response;
                }
            };
            let action = connection::action_of(&message, C::ACTIONS);
            if !client_may_run::<C>(&action) {
                // Unknown and server-only names alike: the socket's error, with a 400.
                log_refused::<C>(&action, Via::JsonPost);
                let mut response = json(ProtocolError::UnknownAction(action).to_frame());
                *response.status_mut() = StatusCode::BAD_REQUEST;
                return response;
            }
            let group = match self
                .group(&scope, &query, (&user, &guarded), client, false)
                .await
            {
                Ok(group) => group,
                Err(response) => return response,
            };
            if let Err(over) = group.spend() {
                let frame = frame::error(k::ERR_RATE_LIMITED, &over.to_string());
                return too_many(json(frame), over);
            }
            // The existing client merges a diff into what it holds; ours gets the whole tree
            // (below), since over plain HTTP nothing tells which render it holds.
            let before = (!ours).then(|| group.tree());
            let (query, data) = if message.kind() == ActionKind::Navigate {
                (message.data.clone(), message.data)
            } else {
                (query, action_data::without_page_fields(message.data))
            };
            let mut ctx = scope
                .context()
                .with_action(action, data)
                .with_query(query)
                .with_user(user.clone())
                .with_guard_extensions(&guarded);
            let Ok((outcome, after)) = group.act(None, &mut ctx).await else {
                return rotated_meanwhile();
            };
            let tree = match &before {
                // Other tabs may have acted since this client's last request, so a diff from
                // the group's previous render could apply to an older page than it was taken
                // from; the whole tree is always right.
                None => Encoder::new(ClientKind::Livetemplate).tree(&after),
                Some(before) => Encoder::new(ClientKind::Legacy).patch(&diff(before, &after)),
            };
            let mut response = json(frame::update(&tree, Some(&outcome.meta), message.reference));
            if outcome.rotates() {
                // The state moved to the new id with `after` as its render, so the client's
                // next request, with the new cookie, continues from this answer.
                let new = self.rotate(&group).await;
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, self.session_cookie(&new, &user));
            }
            return response;
        }
        let form = match body::parse(&content_type, body, self.config.max_body).await {
            Ok(form) => form,
            Err(error) => return body_error(&error),
        };
        let token = form.get_str(page::CSRF_FIELD).unwrap_or_default();
        if !security::verify_csrf(&self.config.key, &session, token) {
            return status(StatusCode::FORBIDDEN, "missing or invalid CSRF token");
        }
        // The same name and data the browser client would send for this form.
        let Posted { action, data } = action_data::read_form_post(form, C::ACTIONS);
        // The socket's rule for names (length, control and invisible characters), so a 10 KB
        // `_lvt_action` is refused as too long rather than looked up.
        if let Err(error) = wire::check_action_name(&action, &self.config.limits) {
            log_refused::<C>(&action, Via::FormPost);
            return plain_refusal(StatusCode::BAD_REQUEST, &error.to_string());
        }
        if !client_may_run::<C>(&action) {
            // Unknown and server-only names alike: a page that says which, not a silent 303.
            log_refused::<C>(&action, Via::FormPost);
            return plain_refusal(
                StatusCode::BAD_REQUEST,
                &ProtocolError::UnknownAction(action).to_string(),
            );
        }
        let group = match self
            .group(&scope, &query, (&user, &guarded), client, false)
            .await
        {
            Ok(group) => group,
            Err(response) => return response,
        };
        if let Err(over) = group.spend() {
            return too_many(
                plain_refusal(StatusCode::TOO_MANY_REQUESTS, &over.to_string()),
                over,
            );
        }
        let mut ctx = scope
            .context()
            .with_action(action.as_str(), data)
            .with_query(query)
            .with_user(user.clone())
            .with_guard_extensions(&guarded);
        let Ok((outcome, _)) = group.act(None, &mut ctx).await else {
            return rotated_meanwhile();
        };
        if outcome.succeeded() {
            group.refresh(None);
        } else {
            tracing::info!(
                %action,
                errors = ?outcome.meta.errors,
                "a plain form action failed; the next page load shows why"
            );
        }
        // Back to the page, which renders the new state (and its errors, if the template
        // shows them from the state) and the flash messages: the action's own, or why it
        // failed.
        let location = outcome.redirect().map(str::to_owned).unwrap_or_else(|| {
            parts
                .uri
                .path_and_query()
                .map_or_else(|| self.pattern.to_string(), |pq| pq.as_str().to_owned())
        });
        let mut response = status(StatusCode::SEE_OTHER, "");
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        let rotated = if outcome.rotates() {
            Some(self.rotate(&group).await)
        } else {
            None
        };
        // The flash messages are signed for the session the next page load carries.
        let session = rotated.as_ref().unwrap_or(&session);
        let flashes = flash::of_outcome(&outcome);
        if let Some(cookie) = flash::keep(&self.config.key, session, &flashes, self.config.secure) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        if let Some(new) = &rotated {
            response
                .headers_mut()
                .append(header::SET_COOKIE, self.session_cookie(new, &user));
        }
        response
    }

    /// The group of `scope` (the session at this URL), mounted on its first request (with
    /// the request's query, user and path parameters) if the census has room for it. A
    /// `mount` that says [not found](crate::ActionError::not_found) is a `404`: the
    /// not-found page when `html`, plain text otherwise.
    async fn group(
        &self,
        scope: &Scope,
        query: &FormData,
        (user, data): (&Option<String>, &http::Extensions),
        client: Option<IpAddr>,
        html: bool,
    ) -> Result<Arc<Group<C>>, Response<Body>> {
        let mut ctx = scope
            .context()
            .with_query(query.clone())
            .with_user(user.clone())
            .with_guard_extensions(data);
        self.groups
            .get_or_mount(scope, &mut ctx, client)
            .await
            .map_err(|error| match &error {
                MountError::Mount(error) if error.is_not_found() => {
                    tracing::debug!(%error, "mount: not found");
                    super::not_found::response(&self.config, html, "")
                }
                _ => self.mount_failed(&error),
            })
    }

    /// The session's group with a new tab attached. The slot is taken now, before the
    /// upgrade, and freed when the connection (or a failed upgrade) drops it.
    async fn attach(
        &self,
        scope: &Scope,
        query: &FormData,
        visitor: (&Option<String>, &http::Extensions),
        client: Option<IpAddr>,
    ) -> Result<(Arc<Group<C>>, (Tab<C>, TabEvents)), Response<Body>> {
        // Twice at most: a group evicted between lookup and attach is mounted again.
        for _ in 0..2 {
            let group = self.group(scope, query, visitor, client, false).await?;
            match group.try_attach(self.config.connections_per_session) {
                Ok(tab) => return Ok((group, tab)),
                Err(AttachError::Retired) => continue,
                Err(AttachError::Full) => break,
            }
        }
        Err(status(
            StatusCode::TOO_MANY_REQUESTS,
            "too many live connections for this session",
        ))
    }

    /// The answer to a session that could not be mounted: `503` with `Retry-After` at a
    /// session cap (logged at most once a second), `500` when `mount` failed.
    fn mount_failed(&self, error: &MountError) -> Response<Body> {
        let MountError::Full(full) = error else {
            return mount_failed(error);
        };
        if let Some(suppressed) = lock(&self.refusals).check(Instant::now()) {
            tracing::warn!(setting = %full.setting(), suppressed, "new session refused: every session under the limit has a tab open");
        }
        let mut response = status(StatusCode::SERVICE_UNAVAILABLE, full.message());
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        response
    }

    /// The live region's id: stable for a route, so a reloaded page keeps it.
    fn region_id(&self) -> String {
        let hash = self
            .pattern
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("lvt-{:08x}", hash as u32)
    }
}

/// The token of a session hand-off (`?_lvt_rotate=…`), if the URL carries one.
fn rotate_token(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == k::ROTATE_PARAM)
        .map(|(_, token)| token.into_owned())
}

/// The request's path and query without the hand-off token (`path` when the URI has none).
fn without_rotate_token(parts: &Parts, path: &str) -> String {
    let path = match parts.uri.path() {
        "" => path,
        own => own,
    };
    without_params(path, parts.uri.query(), &[k::ROTATE_PARAM])
}

/// `path` with `query`, less the parameters named in `drop` (just `path` when none is left).
pub(crate) fn without_params(path: &str, query: Option<&str>, drop: &[&str]) -> String {
    let kept: Vec<(String, String)> = query
        .map(|query| {
            form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| !drop.contains(&name.as_ref()))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{path}?{query}")
}

fn query(parts: &Parts) -> (FormData, bool) {
    let mut data = FormData::new();
    let mut ours = false;
    if let Some(query) = parts.uri.query() {
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name == k::CLIENT_PARAM {
                ours = true;
                continue;
            }
            data.insert(
                name.into_owned(),
                serde_json::Value::String(value.into_owned()),
            );
        }
    }
    (data, ours)
}

/// The encoding for a request: our client announces itself with `_lvt=1` (on the socket URL
/// and on its JSON requests), anything else gets the existing client's.
fn client_kind(ours: bool) -> ClientKind {
    if ours {
        ClientKind::Livetemplate
    } else {
        ClientKind::Legacy
    }
}

pub(crate) fn is_upgrade(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether a refusal should be a page: a browser's page load (`GET`/`HEAD`, not a WebSocket
/// upgrade, not a script asking for JSON). Everything else gets plain text.
pub(crate) fn wants_html(parts: &Parts) -> bool {
    matches!(parts.method, Method::GET | Method::HEAD) && !is_upgrade(parts) && !accepts_json(parts)
}

fn accepts_json(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

fn probe() -> Response<Body> {
    let mut response = Response::new(Body::default());
    response
        .headers_mut()
        .insert(k::PROBE_HEADER, HeaderValue::from_static(k::PROBE_ENABLED));
    response
}

pub(crate) fn json(text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A page with no live region and no client script — `region` in the layout under `title`,
/// answered with `code` and framed as configured (a guard's refusal, the not-found page).
pub(crate) fn layout_page(
    config: &Config,
    code: StatusCode,
    title: &str,
    region: &str,
) -> Response<Body> {
    let document = config.layout.render(&page::PageParts {
        title,
        region,
        head: "",
    });
    let mut response = Response::new(Body::from(document));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    config.frame_ancestors.apply(response.headers_mut());
    response
}

pub(crate) fn status(code: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(message.to_owned()));
    *response.status_mut() = code;
    if !message.is_empty() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

/// A request that reached a session in the moment its id was rotated: nothing ran, nothing of
/// the session is shown; loading the page again starts a fresh session.
fn rotated_meanwhile() -> Response<Body> {
    tracing::info!("a request of a session being rotated was refused");
    status(
        StatusCode::CONFLICT,
        "this session was just given a new id: load the page again",
    )
}

fn mount_failed(error: &MountError) -> Response<Body> {
    tracing::error!(%error, "mount failed");
    status(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the page could not be loaded",
    )
}

/// A WebSocket handshake refused: `426` with the version this server speaks for a wrong
/// version, `400` for the rest.
fn handshake_refused(error: connection::HandshakeError) -> Response<Body> {
    tracing::debug!(%error, "live connection refused");
    let mut response = status(error.status(), &error.to_string());
    if error.status() == StatusCode::UPGRADE_REQUIRED {
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static(connection::WEBSOCKET_VERSION),
        );
    }
    response
}

/// A plain-text refusal whose message quotes the client's input: never let a browser read the
/// text as HTML.
fn plain_refusal(code: StatusCode, message: &str) -> Response<Body> {
    let mut response = status(code, message);
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `response` as a `429 Too Many Requests` for a session over its action budget, with
/// `Retry-After` in whole seconds.
fn too_many(mut response: Response<Body>, over: OverBudget) -> Response<Body> {
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(over.retry_after_secs),
    );
    response
}

fn body_error(error: &BodyError) -> Response<Body> {
    status(error.status(), &error.to_string())
}
