//! One live connection (a browser tab): the first tree, then actions in and patches out.
//!
//! The connection keeps the tree its tab last received and diffs every newer render against
//! it, so a tab gets exactly what it lacks, whoever caused the change: its own action, another
//! tab's `sync`, a broadcast or a push.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError as WsProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};

use super::action_data;
use super::config::Config;
use super::handoff::Handoffs;
use crate::controller::{Effect, Via, client_may_run, log_refused};
use crate::diff::diff;
use crate::session::{Group, Groups, Tab, TabEvents};
use crate::wire::keys as k;
use crate::wire::{self, ActionKind, ClientKind, ClientMessage, Encoder, FormData, Meta, frame};
use crate::{LiveController, Rendered};

/// The socket's own buffers: an idle connection should cost kilobytes, not tungstenite's
/// default 128 KiB read buffer.
fn socket_config(max_message: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(Some(max_message))
        .max_frame_size(Some(max_message))
}

/// The WebSocket version this server speaks (RFC 6455).
pub(crate) const WEBSOCKET_VERSION: &str = "13";

/// Why a WebSocket handshake request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandshakeError {
    /// `Connection` does not list the `upgrade` token.
    NotAnUpgrade,
    /// `Sec-WebSocket-Version` is missing or not 13.
    Version,
    /// `Sec-WebSocket-Key` is missing or not the base64 of 16 bytes.
    Key,
}

impl HandshakeError {
    /// The status the refusal is sent with.
    pub(crate) fn status(self) -> http::StatusCode {
        match self {
            HandshakeError::Version => http::StatusCode::UPGRADE_REQUIRED,
            HandshakeError::NotAnUpgrade | HandshakeError::Key => http::StatusCode::BAD_REQUEST,
        }
    }
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HandshakeError::NotAnUpgrade => {
                "WebSocket handshake refused: the Connection header must include \"upgrade\""
            }
            HandshakeError::Version => {
                "WebSocket handshake refused: Sec-WebSocket-Version must be 13"
            }
            HandshakeError::Key => {
                "WebSocket handshake refused: Sec-WebSocket-Key must be the base64 of 16 bytes"
            }
        })
    }
}

/// Checks a request that asked for `Upgrade: websocket` against RFC 6455 (section 4.2.1):
/// `Connection` lists `upgrade` (a token, any case), the version is 13 and the key is the
/// base64 of 16 bytes.
pub(crate) fn check_handshake(headers: &http::HeaderMap) -> Result<(), HandshakeError> {
    use base64::Engine as _;
    use http::header;

    let upgrade_listed = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    if !upgrade_listed {
        return Err(HandshakeError::NotAnUpgrade);
    }
    let mut versions = headers.get_all(header::SEC_WEBSOCKET_VERSION).iter();
    let version_ok = matches!(
        (versions.next(), versions.next()),
        (Some(version), None) if version.as_bytes().trim_ascii() == WEBSOCKET_VERSION.as_bytes()
    );
    if !version_ok {
        return Err(HandshakeError::Version);
    }
    let mut keys = headers.get_all(header::SEC_WEBSOCKET_KEY).iter();
    let key_ok = match (keys.next(), keys.next()) {
        (Some(key), None) => base64::engine::general_purpose::STANDARD
            .decode(key.as_bytes().trim_ascii())
            .is_ok_and(|bytes| bytes.len() == 16),
        _ => false,
    };
    if !key_ok {
        return Err(HandshakeError::Key);
    }
    Ok(())
}

/// Who is on the other end of a live connection.
pub(crate) struct Peer {
    /// Which client, and so which encoding.
    pub(crate) client: ClientKind,
    /// The page's query parameters.
    pub(crate) query: FormData,
    /// The signed-in user.
    pub(crate) user: Option<String>,
    /// What the route's guard attached to the socket's request, for every context of the
    /// connection.
    pub(crate) data: http::Extensions,
    /// Turns `true` when the server shuts down.
    pub(crate) shutdown: tokio::sync::watch::Receiver<bool>,
}

/// What a connection needs to carry out `ctx.rotate_session()`: a socket cannot set a
/// cookie, so the session moves to a new id and the acting tab is sent to a one-time URL of
/// its page whose `GET` sets it (see `server::handoff`).
pub(crate) struct Rotation<C: LiveController> {
    /// The page's sessions.
    pub(crate) groups: Arc<Groups<C>>,
    /// The page's pending hand-offs.
    pub(crate) handoffs: Arc<Handoffs>,
    /// The path the tab's socket was opened on (its page's URL without the query).
    pub(crate) path: String,
}

impl<C: LiveController> Rotation<C> {
    /// Rotates `group`'s session after a successful action and tells the tab where to get its
    /// new cookie: our client gets a redirect frame to its page (with its current `query`)
    /// carrying a one-time token, redeemed there and then sent on to `then` (the action's
    /// `ctx.redirect`) if any. The existing client reads no redirect frame: it cannot learn
    /// the new id, so the rotation still happens (the planted id must stop naming the
    /// session) and the tab, reconnecting with its old cookie, starts afresh.
    async fn carry_out<S>(
        &self,
        group: &Arc<Group<C>>,
        client: ClientKind,
        query: &FormData,
        then: Option<&str>,
        socket: &mut Bounded<S>,
    ) where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        // The hand-off names browser sessions (what the cookies carry), not the state's key.
        let old = group.scope().session().clone();
        let new = self.groups.rotate_retired(group).await;
        if client == ClientKind::Livetemplate {
            let then = then.map(str::to_owned);
            let token = self.handoffs.issue(old, new, then, Instant::now());
            let _ = socket.send(frame::redirect(&self.url(query, &token))).await;
            tracing::debug!("session rotated by an action; its tab is sent for the new cookie");
        } else {
            tracing::warn!(
                "session rotated by an action on the existing client's socket, which cannot be given the new cookie: the tab starts a fresh session. Serve that client's sign-in through a form POST"
            );
        }
        let _ = socket.close(k::CLOSE_GOING_AWAY, ROTATED).await;
    }

    /// The page's URL with `query` and the hand-off token.
    fn url(&self, query: &FormData, token: &str) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (name, value) in query {
            match value {
                serde_json::Value::String(text) => {
                    url.append_pair(name, text);
                }
                serde_json::Value::Array(values) => {
                    for text in values.iter().filter_map(serde_json::Value::as_str) {
                        url.append_pair(name, text);
                    }
                }
                _ => {}
            }
        }
        url.append_pair(k::ROTATE_PARAM, token);
        format!("{}?{}", self.path, url.finish())
    }
}

/// Why a frame did not reach the tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendError {
    /// The socket is closed or broken.
    Closed,
    /// The tab did not take the frame within `Config::send_timeout`: it reads too slowly or
    /// not at all.
    TimedOut,
}

/// Serves one tab until it closes, goes silent, floods, falls too far behind, stops reading,
/// or the server shuts down.
///
/// `tab` is the slot the handshake reserved in the group; it is released only after the socket
/// is dropped, so `Config::connections_per_session` counts open sockets, also one that was
/// dropped from the group for falling behind and is still being closed.
pub(crate) async fn run<C: LiveController>(
    upgraded: Upgraded,
    group: Arc<Group<C>>,
    (tab, events): (Tab<C>, TabEvents),
    config: Arc<Config>,
    peer: Peer,
    rotation: Rotation<C>,
) {
    let guarded = peer.data.clone();
    let (query, user) = serve(upgraded, &group, &tab, events, &config, peer, &rotation).await;
    // `serve` has dropped the socket: free the slot, then run `on_disconnect`.
    drop(tab);
    let mut ctx = group
        .context()
        .with_query(query)
        .with_user(user)
        .with_guard_extensions(&guarded);
    group.disconnect(&mut ctx).await;
}

/// The connection loop of [`run`]; returns the page's last query and the user for
/// `on_disconnect`.
async fn serve<C: LiveController>(
    upgraded: Upgraded,
    group: &Arc<Group<C>>,
    tab: &Tab<C>,
    mut events: TabEvents,
    config: &Config,
    peer: Peer,
    rotation: &Rotation<C>,
) -> (FormData, Option<String>) {
    let Peer {
        client,
        mut query,
        user,
        data: guarded,
        mut shutdown,
    } = peer;
    let io = TokioIo::new(upgraded);
    let max = config.limits.max_frame_bytes;
    let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(socket_config(max))).await;
    let mut socket = Bounded {
        socket,
        limit: config.send_timeout,
        timed_out: false,
        close_timed_out: false,
    };
    let session = group.scope().session().as_str().to_owned();

    let mut ctx = group
        .context()
        .with_query(query.clone())
        .with_user(user.clone())
        .with_guard_extensions(&guarded);
    if let Err(error) = group.connect(tab.id(), &mut ctx).await {
        let _ = socket
            .send(frame::error(k::ERR_CONNECT_FAILED, error.message()))
            .await;
        return (query, user);
    }
    let mut encoder = Encoder::new(client);
    // With a store, another process may have changed the session since this group last saw it.
    let mut last: Arc<Rendered> = group.current().await;
    // Read first, then checked (see `Group::tree`): a rotated session's state is not shown.
    if group.is_retired() {
        let _ = socket.close(k::CLOSE_TRY_AGAIN_LATER, ROTATED).await;
        return (query, user);
    }
    let first = frame::update(
        &encoder.tree(&last),
        Some(&Meta::connected(C::ACTIONS)),
        None,
    );
    let idle = config.socket_idle;
    // A failed first frame skips the loop. A frame that timed out, even one whose failure an
    // arm ignores (an error frame), means the tab does not read: it gets nothing more.
    let first_sent = socket.send(first).await.is_ok();
    while first_sent && !socket.timed_out {
        tokio::select! {
            incoming = tokio::time::timeout(idle, socket.next()) => {
                let message = match incoming {
                    Err(_) => {
                        tracing::debug!(%session, "live connection idle; closing");
                        let _ = socket.close(k::CLOSE_GOING_AWAY, "idle").await;
                        break;
                    }
                    Ok(None) => break,
                    Ok(Some(Err(error))) => {
                        tracing::debug!(%error, "live connection ended");
                        refuse(&mut socket, &error, max).await;
                        break;
                    }
                    Ok(Some(Ok(message))) => message,
                };
                let text = match message {
                    Message::Text(text) => text,
                    Message::Binary(_) => {
                        let _ = socket.send(frame::error(k::ERR_BINARY_FRAME, "send JSON text frames")).await;
                        continue;
                    }
                    Message::Close(_) => break,
                    _ => continue,
                };
                let message = match wire::decode(text.as_bytes(), &config.limits) {
                    Ok(message) => message,
                    Err(error) => {
                        let _ = socket.send(error.to_frame()).await;
                        if let Some(code) = error.close_code() {
                            let _ = socket.close(code, "frame too large").await;
                            break;
                        }
                        continue;
                    }
                };
                if message.is_heartbeat() {
                    if socket.send(frame::pong()).await.is_err() {
                        break;
                    }
                    continue;
                }
                // One budget per session, shared with its other tabs and its POSTs.
                if let Err(over) = group.spend() {
                    let _ = socket.send(frame::error(k::ERR_RATE_LIMITED, &over.to_string())).await;
                    continue;
                }
                let action = action_of(&message, C::ACTIONS);
                if !client_may_run::<C>(&action) {
                    // Unknown and server-only names get the same error.
                    log_refused::<C>(&action, Via::Socket);
                    let error = wire::ProtocolError::UnknownAction(action);
                    let _ = socket.send(error.to_frame()).await;
                    continue;
                }
                let data = if message.kind() == ActionKind::Navigate {
                    // The page's query changed: later actions see the new one too.
                    query = message.data.clone();
                    message.data
                } else {
                    action_data::without_page_fields(message.data)
                };
                let mut ctx = group
                    .context()
                    .with_action(action, data)
                    .with_query(query.clone())
                    .with_user(user.clone())
                    .with_guard_extensions(&guarded);
                let Ok((outcome, tree)) = group.act(Some(tab.id()), &mut ctx).await else {
                    // The session was rotated by another tab: this one is about to be closed.
                    let _ = socket.close(k::CLOSE_TRY_AGAIN_LATER, ROTATED).await;
                    break;
                };
                let patch = encoder.patch(&diff(&last, &tree));
                last = tree;
                let reply = frame::reply(client, &patch, &outcome.meta, message.reference);
                if socket.send(reply).await.is_err() {
                    break;
                }
                if outcome.rotates() {
                    // The redirect, if any, follows the hand-off; the tab's group is retired.
                    rotation.carry_out(group, client, &query, outcome.redirect(), &mut socket).await;
                    break;
                }
                for effect in &outcome.effects {
                    if let (Effect::Redirect(to), ClientKind::Livetemplate) = (effect, client) {
                        let _ = socket.send(frame::redirect(to)).await;
                    }
                }
            }
            changed = shutdown.changed() => {
                // A closed channel means the router is gone: shut down as well.
                let stopping = changed.is_err() || *shutdown.borrow_and_update();
                if stopping {
                    let _ = socket.close(k::CLOSE_GOING_AWAY, "server shutting down").await;
                    break;
                }
            }
            event = events.recv() => {
                if event.is_none() {
                    // Dropped by the group: its session was rotated, or (before the wake-ups
                    // coalesced) this tab fell too far behind.
                    let reason = if group.is_retired() { ROTATED } else { TOO_SLOW };
                    tracing::debug!(%session, reason, "live connection dropped by its group; closing");
                    let _ = socket.close(k::CLOSE_TRY_AGAIN_LATER, reason).await;
                    break;
                }
                // Catch up to the group's latest render, not to the queued one: a render
                // queued while this tab's own action waited for the state is older than that
                // action's reply, and diffing back to it would show the tab a past state.
                let tree = group.tree();
                if group.is_retired() {
                    let _ = socket.close(k::CLOSE_TRY_AGAIN_LATER, ROTATED).await;
                    break;
                }
                if Arc::ptr_eq(&tree, &last) {
                    continue;
                }
                let patch = encoder.patch(&diff(&last, &tree));
                last = tree;
                if patch != "{}" && socket.send(frame::push(client, &patch)).await.is_err() {
                    break;
                }
            }
        }
    }
    if socket.timed_out {
        tracing::debug!(%session, limit = ?socket.limit, "live connection not reading; closing");
        let _ = socket.close(k::CLOSE_TRY_AGAIN_LATER, TOO_SLOW).await;
    }
    // Dropping the socket closes the TCP connection, whatever is still queued on it.
    drop(socket);
    (query, user)
}

/// The action a message names: `submit` with a submitter runs the submitter's action when the
/// controller has it.
pub(crate) fn action_of(message: &ClientMessage, actions: &[&str]) -> String {
    if let (ActionKind::Submit, Some(submitter)) = (message.kind(), &message.submitter)
        && actions.contains(&submitter.as_str())
    {
        return submitter.clone();
    }
    message.action.clone()
}

/// The close reason of a tab whose session was rotated (by another tab, or by its own action
/// after the hand-off frame).
const ROTATED: &str = "session rotated";

/// The close reason of a tab closed with 1013 for falling behind or not reading.
const TOO_SLOW: &str = "too slow";

/// A socket whose every write (a frame, a close) must complete within `limit`
/// (`Config::send_timeout`). A tab that stops reading fills the kernel's buffers and then
/// tungstenite's (at most 1 MiB, see [`socket_config`]); without the bound its connection
/// would wait in `send` for ever, holding the socket, the queued bytes and its slot.
struct Bounded<S> {
    socket: WebSocketStream<S>,
    limit: Duration,
    /// Whether a frame has not been taken in time; the connection then closes with 1013.
    timed_out: bool,
    /// Whether a close frame has not been taken in time.
    close_timed_out: bool,
}

impl<S> Bounded<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    /// The next message from the tab.
    async fn next(&mut self) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
        self.socket.next().await
    }

    /// Sends one text frame; after a frame timed out, nothing more is tried.
    async fn send(&mut self, text: String) -> Result<(), SendError> {
        if self.timed_out {
            return Err(SendError::TimedOut);
        }
        let frame = Message::Text(Utf8Bytes::from(text));
        match tokio::time::timeout(self.limit, self.socket.send(frame)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                tracing::debug!(%error, "send failed");
                Err(SendError::Closed)
            }
            Err(_) => {
                self.timed_out = true;
                Err(SendError::TimedOut)
            }
        }
    }

    /// Closes the socket with one of the protocol's close codes (`docs/src/protocol.md`,
    /// "Close codes"), giving up after the send timeout: a tab that does not read cannot
    /// receive the close frame, and its TCP connection is then simply dropped. Tried once:
    /// after a close timed out, later ones return at once.
    async fn close(&mut self, code: u16, reason: &str) -> Result<(), SendError> {
        if self.close_timed_out {
            return Err(SendError::TimedOut);
        }
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: Utf8Bytes::from(reason.to_owned()),
        };
        match tokio::time::timeout(self.limit, self.socket.close(Some(frame))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(SendError::Closed),
            Err(_) => {
                self.close_timed_out = true;
                Err(SendError::TimedOut)
            }
        }
    }
}

/// Ends a connection whose read failed, with the close code RFC 6455 gives the failure when
/// there is one: `1009` after a `frame_too_large` error frame for a message over the limit,
/// `1007` for a text message that is not UTF-8, `1002` for a framing violation (a reserved
/// opcode or bit, an unmasked frame, a fragmented control frame…). An I/O failure or a reset
/// gets nothing: there is no one left to tell.
async fn refuse<S>(socket: &mut Bounded<S>, error: &WsError, limit: usize)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (code, reason) = match error {
        WsError::Capacity(CapacityError::MessageTooLong { size, .. }) => {
            let refused = wire::ProtocolError::FrameTooLarge { size: *size, limit };
            let _ = socket.send(refused.to_frame()).await;
            (k::CLOSE_MESSAGE_TOO_BIG, "frame too large")
        }
        WsError::Utf8(_) => (k::CLOSE_INVALID_PAYLOAD, "text message is not UTF-8"),
        // The peer dropped TCP: there is no one left to tell.
        WsError::Protocol(WsProtocolError::ResetWithoutClosingHandshake) => return,
        WsError::Protocol(_) => (k::CLOSE_PROTOCOL_ERROR, "WebSocket protocol violation"),
        _ => return,
    };
    let _ = socket.close(code, reason).await;
}

#[cfg(test)]
mod handshake_tests {
    use super::{HandshakeError, check_handshake};
    use http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    #[test]
    fn a_valid_handshake_passes_whatever_the_token_case_and_list() {
        let ok = headers(&[
            ("connection", "keep-alive, Upgrade"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", KEY),
        ]);
        assert_eq!(check_handshake(&ok), Ok(()));
    }

    #[test]
    fn each_bad_handshake_has_its_own_error() {
        let cases = [
            (
                vec![("sec-websocket-version", "13"), ("sec-websocket-key", KEY)],
                HandshakeError::NotAnUpgrade,
            ),
            (
                vec![
                    ("connection", "keep-alive, upgraded"),
                    ("sec-websocket-version", "13"),
                    ("sec-websocket-key", KEY),
                ],
                HandshakeError::NotAnUpgrade,
            ),
            (
                vec![
                    ("connection", "upgrade"),
                    ("sec-websocket-version", "8"),
                    ("sec-websocket-key", KEY),
                ],
                HandshakeError::Version,
            ),
            (
                vec![("connection", "upgrade"), ("sec-websocket-key", KEY)],
                HandshakeError::Version,
            ),
            (
                vec![
                    ("connection", "upgrade"),
                    ("sec-websocket-version", "13"),
                    ("sec-websocket-version", "8"),
                    ("sec-websocket-key", KEY),
                ],
                HandshakeError::Version,
            ),
            (
                vec![("connection", "upgrade"), ("sec-websocket-version", "13")],
                HandshakeError::Key,
            ),
            (
                vec![
                    ("connection", "upgrade"),
                    ("sec-websocket-version", "13"),
                    ("sec-websocket-key", "not base64!"),
                ],
                HandshakeError::Key,
            ),
            // Valid base64, but of 15 bytes.
            (
                vec![
                    ("connection", "upgrade"),
                    ("sec-websocket-version", "13"),
                    ("sec-websocket-key", "AAAAAAAAAAAAAAAAAAAA"),
                ],
                HandshakeError::Key,
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(
                check_handshake(&headers(&pairs)),
                Err(expected),
                "{pairs:?}"
            );
        }
    }
}
