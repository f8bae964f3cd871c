//! One rule for an action's data on every transport: the socket, a JSON `POST` and a plain form
//! `POST` (urlencoded and multipart) give an action the same name and data for the same form —
//! the cases of `testdata/actions/forms.json`, which the browser client's tests read too.
//! Clients cannot run a `#[server_only]` action on any of them (refused as an unknown name),
//! and a plain `POST` whose action fails or is unknown says so instead of a silent redirect.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use livetemplate::FormData;
use livetemplate::LiveRouter;
use livetemplate::testing::{Browser, Response, TestError, TestServer};
use livetemplate::{Context, LiveTemplate, live_controller};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "transports/forms.html")]
struct Forms {
    /// The last action that ran and its data, as [`describe`] writes them.
    seen: String,
}

/// Records what each action received.
struct Recorder;

#[live_controller]
impl Recorder {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Forms> {
        Ok(Forms {
            seen: String::new(),
        })
    }

    /// Fails (and changes nothing) unless `value` is a whole number.
    pub(crate) fn vote(&self, state: &mut Forms, ctx: &mut Context) -> livetemplate::Result {
        let _: u32 = ctx.get("value")?;
        record(state, ctx);
        Ok(())
    }

    pub(crate) fn rename(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    pub(crate) fn publish(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    pub(crate) fn archive(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    /// Also leaves a flash message.
    pub(crate) fn save(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
        ctx.flash(livetemplate::controller::FlashKind::Info, "saved <all>");
    }

    pub(crate) fn go(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    pub(crate) fn submit(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    /// For broadcasts only.
    #[server_only]
    pub(crate) fn refresh(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }
}

fn record(state: &mut Forms, ctx: &Context) {
    state.seen = describe(ctx.action(), ctx.data());
}

/// `action: name=value; …` with the names sorted and an array's values joined by `,`: the same
/// text whatever order the fields arrived in.
fn describe(action: &str, data: &FormData) -> String {
    let fields: BTreeMap<&String, String> = data
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::Array(values) => values.iter().map(text).collect::<Vec<_>>().join(","),
                other => text(other),
            };
            (name, text)
        })
        .collect();
    let fields: Vec<String> = fields
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!("{action}: {}", fields.join("; "))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One case of the golden file.
#[derive(Debug, Deserialize)]
struct Case {
    what: String,
    form: usize,
    post: Vec<(String, String)>,
    action: String,
    data: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Golden {
    cases: Vec<Case>,
}

fn golden() -> Result<Golden, TestError> {
    serde_json::from_str(include_str!("../../testdata/actions/forms.json"))
        .map_err(|e| TestError::Unexpected(format!("testdata/actions/forms.json: {e}")))
}

fn unexpected(what: impl Into<String>) -> TestError {
    TestError::Unexpected(what.into())
}

async fn server() -> Result<TestServer, TestError> {
    TestServer::start(LiveRouter::new().route("/", Recorder)).await
}

/// What `html` shows as the last action seen.
fn seen(html: &str) -> Result<&str, TestError> {
    html.split_once("<output id=\"seen\">")
        .and_then(|(_, rest)| rest.split_once("</output>"))
        .map(|(seen, _)| seen)
        .ok_or_else(|| unexpected(format!("no <output id=\"seen\">: {html}")))
}

/// The hidden fields of the page's `form`th form (the CSRF token and the form's action), as a
/// browser posts them.
fn hidden_fields(page: &str, form: usize) -> Result<Vec<(String, String)>, TestError> {
    let markup = page
        .split("<form")
        .nth(form + 1)
        .and_then(|rest| rest.split("</form>").next())
        .ok_or_else(|| unexpected(format!("no form {form}: {page}")))?;
    let mut fields = Vec::new();
    for input in markup.split("<input type=\"hidden\" name=\"").skip(1) {
        let (name, rest) = input.split_once("\" value=\"").unwrap_or_default();
        let value = rest.split('"').next().unwrap_or_default();
        fields.push((name.to_owned(), value.to_owned()));
    }
    Ok(fields)
}

/// The page's CSRF token (from its `<meta>` tag).
fn csrf(page: &str) -> Result<String, TestError> {
    page.split_once("<meta name=\"csrf-token\" content=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| unexpected("no csrf-token meta tag"))
}

/// A JSON `POST` of `{"action", "data"}` as the client script sends it.
async fn post_json(
    browser: &mut Browser,
    server: &TestServer,
    action: &str,
    data: &Value,
) -> Result<Response, TestError> {
    let origin = format!("http://{}", server.addr());
    let body = json!({"action": action, "data": data}).to_string();
    browser
        .request(
            "POST",
            "/",
            &[("Content-Type", "application/json"), ("Origin", &origin)],
            &body,
        )
        .await
}

/// A `multipart/form-data` `POST` of `fields`, as a browser sends a form with that encoding.
async fn post_multipart(
    browser: &mut Browser,
    fields: &[(String, String)],
) -> Result<Response, TestError> {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--XyZ--\r\n");
    browser
        .request(
            "POST",
            "/",
            &[("Content-Type", "multipart/form-data; boundary=XyZ")],
            &body,
        )
        .await
}

/// `pairs` as `&str` pairs, for `Browser::post_form`.
fn as_strs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

#[tokio::test]
async fn the_same_form_gives_the_same_action_and_data_on_every_transport() -> Result<(), TestError>
{
    let golden = golden()?;
    assert_eq!(golden.cases.len(), 8);
    let server = server().await?;
    for case in &golden.cases {
        let what = &case.what;
        let expected = describe(&case.action, &FormData::from(case.data.clone()));
        let data = Value::Object(case.data.clone());

        // The socket: the message the browser client sends for this click.
        let mut browser = server.browser();
        let mut tab = browser.connect("/").await?;
        let reply = tab
            .send(&case.action, FormData::from(case.data.clone()))
            .await?
            .reply()
            .clone();
        // (A successful reply to our client leaves `meta` out.)
        assert!(
            reply.get("type").is_none() && reply["meta"]["success"] != json!(false),
            "{what}: {reply}"
        );
        assert_eq!(seen(tab.html())?, expected, "{what}: socket");
        tab.close().await?;

        // A JSON POST (the client's path while its socket is down), in a fresh session.
        let mut browser = server.browser();
        browser.get("/").await?;
        let reply = post_json(&mut browser, &server, &case.action, &data).await?;
        assert_eq!(reply.status, 200, "{what}: {reply:?}");
        assert_eq!(
            seen(&browser.get("/").await?.body)?,
            expected,
            "{what}: JSON POST"
        );

        // Without JavaScript: what the browser posts, with the hidden fields the page holds.
        for multipart in [false, true] {
            let mut browser = server.browser();
            let page = browser.get("/").await?.body;
            let mut fields = hidden_fields(&page, case.form)?;
            assert_eq!(fields.first().map(|f| f.0.as_str()), Some("_lvt_csrf"));
            assert_eq!(fields[0].1, csrf(&page)?);
            fields.extend(case.post.iter().cloned());
            let reply = if multipart {
                post_multipart(&mut browser, &fields).await?
            } else {
                // `post_form` adds the token itself.
                browser.post_form("/", &as_strs(&fields[1..])).await?
            };
            assert_eq!(reply.status, 303, "{what}: {reply:?}");
            let page = browser.get("/").await?.body;
            let how = if multipart { "multipart" } else { "urlencoded" };
            assert_eq!(seen(&page)?, expected, "{what}: form POST, {how}");
        }
    }
    server.stop().await
}

/// Everything logged in this test binary (installed once; tests run in parallel, so each
/// looks for lines naming its own actions).
fn logs() -> String {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let buffer = LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(Arc::clone(&buffer));
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        if let Err(error) = tracing::subscriber::set_global_default(subscriber) {
            panic!("cannot install the log capture: {error}");
        }
        buffer
    });
    let bytes = buffer.lock().unwrap_or_else(PoisonError::into_inner);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Appends log output to a shared buffer.
#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log lines that contain every one of `parts`.
fn logged(parts: &[&str]) -> Vec<String> {
    logs()
        .lines()
        .filter(|line| parts.iter().all(|part| line.contains(part)))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn server_only_actions_are_refused_like_unknown_ones_on_every_transport()
-> Result<(), TestError> {
    logs();
    let server = server().await?;
    let mut browser = server.browser();
    let mut tab = browser.connect("/").await?;

    // The socket: the same error frame, but for the name.
    let refused = tab
        .click_with("refresh", &[("x", "1")])
        .await?
        .reply()
        .clone();
    let unknown = tab
        .click_with("nothing_here", &[("x", "1")])
        .await?
        .reply()
        .clone();
    assert_eq!(refused["code"], "unknown_action", "{refused}");
    assert_eq!(
        refused.to_string().replace("refresh", "NAME"),
        unknown.to_string().replace("nothing_here", "NAME")
    );

    // A JSON POST: a 400 with that frame.
    let refused = post_json(&mut browser, &server, "refresh", &json!({})).await?;
    let unknown = post_json(&mut browser, &server, "nothing_here", &json!({})).await?;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(unknown.status, 400, "{unknown:?}");
    assert_eq!(
        refused.body.replace("refresh", "NAME"),
        unknown.body.replace("nothing_here", "NAME")
    );
    assert!(
        refused.body.contains("\"code\":\"unknown_action\""),
        "{refused:?}"
    );

    // A plain form POST naming it (only a forged form can: no template may name it).
    let refused = browser
        .post_form("/", &[("_lvt_action", "refresh")])
        .await?;
    let unknown = browser
        .post_form("/", &[("_lvt_action", "nothing_here")])
        .await?;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.body, "unknown action \"refresh\"");
    assert_eq!(unknown.body, "unknown action \"nothing_here\"");
    // A field named after it is only a field: the form's own action runs.
    let posted = browser
        .post_form("/", &[("_lvt_form", "rename"), ("refresh", "1")])
        .await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    let page = browser.get("/").await?.body;
    assert_eq!(seen(&page)?, "rename: refresh=1");

    // Each refusal of the server-only name is a warning naming the transport.
    for via in ["socket", "JSON POST", "form POST"] {
        let lines = logged(&[
            "WARN",
            &format!("via=\"{via}\""),
            "a client named a server-only action (unknown action \"refresh\")",
        ]);
        assert_eq!(lines.len(), 1, "{via}: {}", logs());
    }
    tab.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_failed_plain_post_shows_why_on_the_next_page_once() -> Result<(), TestError> {
    logs();
    let server = server().await?;
    let mut browser = server.browser();
    browser.get("/").await?;
    // `vote` fails unless its value is a whole number.
    let posted = browser.post_form("/", &[("vote", "many")]).await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    assert_eq!(posted.header("location"), Some("/"));
    assert!(
        posted
            .header("set-cookie")
            .is_some_and(|cookie| cookie.starts_with("livetemplate-flash=")),
        "{posted:?}"
    );

    let page = browser.get("/").await?;
    let flash = "<div class=\"lvt-flashes\" data-lvt-flash><p class=\"lvt-flash\" data-kind=\"error\" role=\"status\">value: must be a whole number</p></div><div data-lvt-id=";
    assert!(page.body.contains(flash), "{}", page.body);
    assert_eq!(seen(&page.body)?, "", "the failed action changed nothing");
    // Shown once: the page load cleared it.
    let again = browser.get("/").await?;
    assert!(!again.body.contains("lvt-flash"), "{}", again.body);

    let lines = logged(&["INFO", "action=vote", "a plain form action failed"]);
    assert_eq!(lines.len(), 1, "{}", logs());
    assert!(lines[0].contains("must be a whole number"), "{}", lines[0]);
    server.stop().await
}

#[tokio::test]
async fn a_plain_post_shows_the_actions_own_flash_once() -> Result<(), TestError> {
    let server = server().await?;
    let mut browser = server.browser();
    browser.get("/").await?;
    let posted = browser
        .post_form("/", &[("_lvt_action", "save"), ("note", "x")])
        .await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    let page = browser.get("/").await?.body;
    assert!(
        page.contains(
            "<p class=\"lvt-flash\" data-kind=\"info\" role=\"status\">saved &lt;all&gt;</p>"
        ),
        "{page}"
    );
    assert_eq!(seen(&page)?, "save: note=x");
    assert!(!browser.get("/").await?.body.contains("lvt-flash"));
    // Another browser never sees it.
    assert!(!server.browser().get("/").await?.body.contains("lvt-flash"));
    server.stop().await
}

#[tokio::test]
async fn an_unknown_plain_post_action_gets_a_400_that_names_it_safely() -> Result<(), TestError> {
    logs();
    let server = server().await?;
    let mut browser = server.browser();
    let name = format!("<b>\u{202e}{}", "x".repeat(200));
    let posted = browser.post_form("/", &[("_lvt_action", &name)]).await?;
    assert_eq!(posted.status, 400, "{posted:?}");
    assert_eq!(
        posted.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(posted.header("x-content-type-options"), Some("nosniff"));
    // Over `Limits::max_action_len`: refused by the socket's rule for names, never looked up.
    assert_eq!(
        posted.body,
        format!(
            "invalid action \"<b>\\u{{202e}}{}\"…: it is 206 bytes long, over the limit of 128",
            "x".repeat(60)
        )
    );
    // A form without any name posts `submit`; this controller has one, so that one runs.
    let posted = browser.post_form("/", &[("q", "tea")]).await?;
    assert_eq!(posted.status, 303, "{posted:?}");

    let lines = logged(&[
        "WARN",
        "via=\"form POST\"",
        "(the page posts an action its controller lacks)",
    ]);
    assert!(
        lines.iter().any(|line| line.contains("<b>\\u{202e}xxx")),
        "{}",
        logs()
    );
    server.stop().await
}
