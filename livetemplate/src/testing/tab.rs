//! [`Tab`]: one live WebSocket connection of a [`Browser`](super::Browser), every frame applied
//! by the reference client.

use std::collections::BTreeMap;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use super::{ClientTree, ServerFrame, TestError, WAIT, form_data, unexpected, within};
use crate::wire::keys as k;
use crate::wire::{ActionKind, ClientKind, FormData};

/// One live connection (a browser tab), opened by [`Browser::connect`](super::Browser::connect).
///
/// Every frame received is applied to the tab's reference client, and a frame that does not
/// apply or whose result does not render is an error that changes nothing, so
/// [`html`](Self::html) is always what the tab shows. Its steps have the same names and
/// signatures as [`LiveTest`](super::LiveTest)'s: `click`, `click_with`, `submit`,
/// `navigate`, `send`, then `html`, `succeeded` and `errors`. Every wait is bounded by
/// [`WAIT`].
#[derive(Debug)]
pub struct Tab {
    socket: WebSocketStream<TcpStream>,
    client: ClientTree,
    /// What the client shows.
    html: String,
    /// The `ref` of the last message sent.
    reference: u64,
    /// The last reply (or the first frame), in plain object form.
    reply: Value,
    /// The last reply's errors by field.
    errors: BTreeMap<String, String>,
}

impl Tab {
    /// A tab on a connected `socket`: waits for the first frame, which must hold a whole tree.
    pub(super) async fn open(
        socket: WebSocketStream<TcpStream>,
        kind: ClientKind,
    ) -> Result<Tab, TestError> {
        let mut tab = Tab {
            socket,
            client: ClientTree::new(kind),
            html: String::new(),
            reference: 0,
            reply: Value::Null,
            errors: BTreeMap::new(),
        };
        let first = tab.next_frame().await?;
        if !first[k::FRAME_TREE].is_object() {
            return Err(unexpected(format!("the first frame has no tree: {first}")));
        }
        tab.answered(first);
        Ok(tab)
    }

    /// Clicks an element that names `action` (a button, an `lvt-on:click`), sending no data,
    /// and waits for the reply.
    pub async fn click(&mut self, action: &str) -> Result<&mut Self, TestError> {
        self.send(action, FormData::new()).await
    }

    /// Clicks an element that names `action` and carries data (`value`, `data-*`), and waits
    /// for the reply.
    pub async fn click_with(
        &mut self,
        action: &str,
        data: &[(&str, &str)],
    ) -> Result<&mut Self, TestError> {
        self.send(action, form_data(data)).await
    }

    /// Submits a form to `action` with these fields (repeated names become arrays, as a
    /// browser's form data does), and waits for the reply.
    pub async fn submit(
        &mut self,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<&mut Self, TestError> {
        self.send(action, form_data(fields)).await
    }

    /// Reports a new query string, as the client does when a link changes only the query
    /// (`__navigate__`), and waits for the reply.
    pub async fn navigate(&mut self, query: &[(&str, &str)]) -> Result<&mut Self, TestError> {
        self.send(
            ActionKind::Navigate.reserved_name().unwrap_or_default(),
            form_data(query),
        )
        .await
    }

    /// Sends `action` with `data` and waits for its reply (an update with its `ref`, or an
    /// error frame), applying any update that arrives first; the reply is then
    /// [`reply`](Self::reply).
    pub async fn send(&mut self, action: &str, data: FormData) -> Result<&mut Self, TestError> {
        self.reference += 1;
        let reference = self.reference;
        let data = serde_json::Map::from(data);
        let message = json!({k::MSG_ACTION: action, k::MSG_DATA: data, k::MSG_REF: reference});
        within(
            &format!("sending {action}"),
            self.socket.send(Message::Text(message.to_string().into())),
        )
        .await??;
        loop {
            let frame = self.next_frame().await?;
            if frame[k::FRAME_REF] == json!(reference)
                || frame[k::FRAME_TYPE] == json!(k::TYPE_ERROR)
            {
                self.answered(frame);
                return Ok(self);
            }
        }
    }

    /// What the tab shows: the live region's HTML.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// Whether the last action succeeded: its reply's `meta.success` (after
    /// [`connect`](super::Browser::connect), the first frame's). Our client's short reply
    /// leaves `meta` out when there is nothing to report: a plain success. An error frame (an
    /// unknown action, a refused message) is not a success.
    pub fn succeeded(&self) -> bool {
        match self.reply.get("meta") {
            Some(meta) => meta["success"] == json!(true),
            None => self.reply.get(k::FRAME_TREE).is_some(),
        }
    }

    /// The last action's errors by form field (`"_"` for a failure not tied to a field).
    pub fn errors(&self) -> &BTreeMap<String, String> {
        &self.errors
    }

    /// The last reply in the plain object form of the protocol (`{"tree":…,"meta":…,"ref":n}`
    /// or `{"type":"error","code":…,"message":…}`), whichever envelope it came in.
    pub fn reply(&self) -> &Value {
        &self.reply
    }

    /// Waits for the next frame, applies its tree (if any) and returns it whole, in the plain
    /// object form of `PROTOCOL.md` whichever envelope it came in (see [`ServerFrame`]).
    pub async fn next_frame(&mut self) -> Result<Value, TestError> {
        loop {
            let message = within("the next frame", self.socket.next())
                .await?
                .ok_or_else(|| unexpected("the connection closed"))??;
            let text = match message {
                Message::Text(text) => text,
                Message::Close(frame) => {
                    return Err(unexpected(format!("the server closed: {frame:?}")));
                }
                _ => continue,
            };
            // Either envelope (our client's updates come as `[ref, tree]`); returned in the
            // plain object form so tests read `frame["ref"]`, `frame["meta"]` alike.
            let frame = ServerFrame::parse(text.as_str())
                .map_err(|e| unexpected(format!("not a server frame ({e}): {text}")))?
                .to_object();
            if let Some(tree) = frame.get(k::FRAME_TREE) {
                self.show(tree)?;
            }
            return Ok(frame);
        }
    }

    /// Applies frames until the tab's HTML satisfies `shows` (checked first on what it shows
    /// now), and returns that HTML; fails after [`WAIT`] with the last HTML.
    pub async fn wait_until(
        &mut self,
        what: &str,
        mut shows: impl FnMut(&str) -> bool,
    ) -> Result<String, TestError> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if shows(&self.html) {
                return Ok(self.html.clone());
            }
            match tokio::time::timeout_at(deadline, self.next_frame()).await {
                Ok(frame) => {
                    frame?;
                }
                Err(_) => {
                    return Err(TestError::Timeout(format!(
                        "{what}; the tab shows: {}",
                        self.html
                    )));
                }
            }
        }
    }

    /// Closes the connection (the server runs `on_disconnect`).
    pub async fn close(mut self) -> Result<(), TestError> {
        within("closing the socket", self.socket.close(None)).await??;
        Ok(())
    }

    /// Applies a frame's tree and renders the result; only when both succeed does the tab
    /// show it (a bad frame changes nothing).
    fn show(&mut self, tree: &Value) -> Result<(), TestError> {
        let mut next = self.client.clone();
        next.apply(&tree.to_string())?;
        let html = next.html()?;
        self.client = next;
        self.html = html;
        Ok(())
    }

    /// Records `frame` as the reply to the last message.
    fn answered(&mut self, frame: Value) {
        self.errors = frame["meta"]["errors"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, message)| {
                let message = match message {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                (field.clone(), message)
            })
            .collect();
        self.reply = frame;
    }
}

#[cfg(test)]
mod tests {
    use super::super::TestServer;
    use super::*;
    use crate::FieldErrors;
    use crate::server::LiveRouter;
    use crate::{ActionError, Context, live_controller};

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(
        source = "<form method=\"post\"><output>{{ n }}</output><button name=\"bump\">+</button><button name=\"lower\">-</button></form>",
        ext = "html"
    )]
    struct Page {
        n: u32,
    }

    struct Pages;

    #[live_controller]
    impl Pages {
        async fn mount(&self, _ctx: &mut Context) -> crate::Result<Page> {
            Ok(Page { n: 0 })
        }

        pub(crate) fn bump(&self, state: &mut Page, ctx: &mut Context) {
            state.n += 1;
            ctx.sync();
        }

        pub(crate) fn lower(&self, state: &mut Page, ctx: &mut Context) -> crate::Result {
            let Some(n) = state.n.checked_sub(1) else {
                let mut errors = FieldErrors::new();
                errors.add("n", "already at zero");
                return Err(ActionError::invalid(errors));
            };
            state.n = n;
            ctx.sync();
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_browser_posts_forms_and_its_tabs_follow() -> Result<(), TestError> {
        let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
        let mut browser = server.browser();
        let mut tab = browser.connect("/").await?;
        assert!(browser.cookie().is_some(), "connect loads the page first");
        assert!(tab.succeeded(), "{}", tab.reply());
        assert!(tab.html().contains("<output>0</output>"), "{}", tab.html());

        tab.click("bump").await?;
        assert_eq!(tab.reply()["ref"], json!(1), "{}", tab.reply());
        assert!(tab.succeeded() && tab.errors().is_empty());
        assert!(tab.html().contains("<output>1</output>"));

        // Without JavaScript: the form posts with the page's CSRF token, 303 back to the page.
        let answer = browser.post_form("/", &[("bump", "")]).await?;
        assert_eq!(answer.status, 303, "{answer:?}");
        tab.wait_until("the posted bump", |html| {
            html.contains("<output>2</output>")
        })
        .await?;

        // Another browser is another session.
        let other = server.browser().get("/").await?;
        assert_eq!(other.status, 200);
        assert!(other.body.contains("<output>0</output>"), "{}", other.body);
        tab.close().await?;
        server.stop().await
    }

    #[tokio::test]
    async fn failures_and_refusals_are_replies_not_errors() -> Result<(), TestError> {
        let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
        let mut tab = server.browser().connect("/").await?;

        // A failing action: its errors by field, and the tab still shows the page.
        tab.click("lower").await?;
        assert!(!tab.succeeded(), "{}", tab.reply());
        assert_eq!(
            tab.errors().get("n").map(String::as_str),
            Some("already at zero")
        );
        assert!(tab.html().contains("<output>0</output>"), "{}", tab.html());

        // An unknown action: an error frame.
        tab.click("explode").await?;
        assert!(!tab.succeeded());
        assert_eq!(tab.reply()["type"], json!("error"), "{}", tab.reply());

        // The next success clears both.
        tab.submit("bump", &[("ignored", "a"), ("ignored", "b")])
            .await?;
        assert!(
            tab.succeeded() && tab.errors().is_empty(),
            "{}",
            tab.reply()
        );
        assert!(tab.html().contains("<output>1</output>"));
        server.stop().await
    }

    #[tokio::test]
    async fn http_answers_are_read_whole_by_hyper() -> Result<(), TestError> {
        let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
        let mut browser = server.browser();
        let missing = browser.get("/nowhere").await?;
        assert_eq!(missing.status, 404, "{missing:?}");
        // HEAD: the headers and no body.
        let probe = browser.request("HEAD", "/", &[], "").await?;
        assert_eq!(probe.status, 200, "{probe:?}");
        assert!(probe.body.is_empty(), "{probe:?}");
        assert_eq!(
            probe.header("X-Livetemplate-Websocket"),
            Some("enabled"),
            "{probe:?}"
        );
        // Without the page's token a form post is refused.
        let forged = browser
            .request(
                "POST",
                "/",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                "bump=",
            )
            .await?;
        assert_eq!(forged.status, 403, "{forged:?}");
        // A request no client could send is the test's mistake, said before connecting.
        let bad = browser
            .request("GET", "/", &[("bad header", "x")], "")
            .await;
        assert!(matches!(bad, Err(TestError::Unexpected(_))), "{bad:?}");
        server.stop().await
    }
}
