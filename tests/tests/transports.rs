//! One rule for an action's data on every transport: the socket, a JSON `POST` and a plain form
//! `POST` (urlencoded and multipart) give an action the same name and data for the same form —
//! the cases of `testdata/actions/forms.json`, which the browser client's tests read too.

use std::collections::BTreeMap;

use livetemplate::server::LiveRouter;
use livetemplate::testing::{Browser, Response, TestError, TestServer};
use livetemplate::wire::FormData;
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

    pub(crate) fn save(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    pub(crate) fn go(&self, state: &mut Forms, ctx: &mut Context) {
        record(state, ctx);
    }

    pub(crate) fn submit(&self, state: &mut Forms, ctx: &mut Context) {
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
        let reply = tab.send(&case.action, data.clone()).await?;
        // (A successful reply to our client leaves `meta` out.)
        assert!(
            reply.get("type").is_none() && reply["meta"]["success"] != json!(false),
            "{what}: {reply}"
        );
        assert_eq!(seen(&tab.html()?)?, expected, "{what}: socket");
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
