//! The browser client end to end, in real headless Chromium driven through chromedriver:
//! clicks, forms, toggles and removals; focus and caret kept while another slot changes; tabs
//! kept in sync; a server restart; WebSockets refused (the HTTP path); JavaScript off (plain
//! form POSTs). Servers run in this process on ephemeral ports.
//!
//! Skipped with a notice when Chromium or chromedriver is missing, unless
//! `LIVETEMPLATE_REQUIRE_BROWSER=1`. The page under test embeds the committed bundle
//! `livetemplate/client/livetemplate.min.js`: run `npm run build --prefix livetemplate-client`
//! after changing the client.

#[path = "browser_support/mod.rs"]
mod support;

use fantoccini::Locator;
use livetemplate::FormData;
use livetemplate::LiveRouter;
use livetemplate::{Context, LiveTemplate, Valid, live_controller};
use serde::Deserialize;
use serde_json::json;
use support::{Browser, Server, TestResult, with_browser};

// ---------------------------------------------------------------------------------------------
// A page exercising every way an action is named
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "browser/todos.html")]
struct Todos {
    ticks: u64,
    error: Option<String>,
    todos: Vec<Todo>,
    next: u32,
    left: usize,
    found: String,
    entered: String,
    hovered: String,
    picked: String,
}

impl Todos {
    fn count(&mut self) {
        self.left = self.todos.iter().filter(|t| !t.done).count();
    }
}

#[derive(Debug, Deserialize)]
struct NewTodo {
    title: String,
}

impl livetemplate::Validate for NewTodo {
    fn validate(&self) -> Result<(), livetemplate::FieldErrors> {
        let mut errors = livetemplate::FieldErrors::new();
        errors.check("title", !self.title.trim().is_empty(), "must not be empty");
        errors.into_result()
    }
}

struct TodoPage;

#[live_controller]
impl TodoPage {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Todos> {
        Ok(Todos {
            ticks: 0,
            error: None,
            todos: Vec::new(),
            next: 1,
            left: 0,
            found: String::new(),
            entered: String::new(),
            hovered: String::new(),
            picked: String::new(),
        })
    }

    async fn on_connect(&self, _state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe("ticks");
        Ok(())
    }

    pub(crate) fn add(&self, state: &mut Todos, form: Valid<NewTodo>, ctx: &mut Context) {
        state.todos.push(Todo {
            id: state.next,
            title: form.title.trim().to_owned(),
            done: false,
        });
        state.next += 1;
        state.count();
        ctx.sync();
    }

    pub(crate) fn toggle(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let id: u32 = ctx.get("id")?;
        if let Some(todo) = state.todos.iter_mut().find(|t| t.id == id) {
            todo.done = !todo.done;
        }
        state.count();
        Ok(())
    }

    pub(crate) fn remove(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let id: u32 = ctx.get("value")?;
        state.todos.retain(|t| t.id != id);
        state.count();
        Ok(())
    }

    #[server_only]
    pub(crate) fn tick(&self, state: &mut Todos, _ctx: &mut Context) {
        state.ticks += 1;
    }

    pub(crate) fn search(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let q: String = ctx.get("q")?;
        state.found = format!("found {q}");
        Ok(())
    }

    pub(crate) fn enter(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let place: String = ctx.get("where")?;
        state.entered = format!("enter in {place}");
        Ok(())
    }

    pub(crate) fn hover(&self, state: &mut Todos, _ctx: &mut Context) {
        state.hovered = "hovered".to_owned();
    }

    /// Live validation of the new todo's title (the client sends it while the user types).
    pub(crate) fn change(&self, state: &mut Todos, ctx: &mut Context) {
        if let Ok(title) = ctx.get::<String>("title") {
            state.error = (title.trim().len() < 3).then(|| "too short".to_owned());
        }
    }

    pub(crate) fn pick(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let tags: Vec<String> = ctx.get("tag")?;
        let sizes: Vec<String> = ctx.get("size")?;
        state.picked = format!("{}|{}", tags.join(","), sizes.join(","));
        Ok(())
    }
}

fn todos() -> LiveRouter {
    LiveRouter::new().route("/", TodoPage)
}

async fn start(router: LiveRouter) -> TestResult<Server> {
    Server::start(router, "127.0.0.1:0".parse()?).await
}

/// Clicks the counter's `button[name={name}]` and waits until its `<output>` reads `shows`.
async fn press(b: &Browser, name: &str, shows: &str) -> TestResult {
    b.click(&format!("button[name={name}]")).await?;
    b.until_text("output", shows).await
}

/// Serves `router`, opens `/` live in a fresh browser, runs `test` with the browser and the
/// server, then stops the server.
async fn live_page(
    name: &str,
    router: LiveRouter,
    test: impl AsyncFnOnce(&Browser, &Server) -> TestResult,
) -> TestResult {
    let server = start(router).await?;
    with_browser(name, true, async |b| {
        b.open_live(&server.url("/")).await?;
        test(b, &server).await
    })
    .await?;
    server.stop().await
}

/// Types `text` into the field `selector` and clicks `button`.
async fn submit(browser: &Browser, selector: &str, text: &str, button: &str) -> TestResult {
    browser
        .client
        .find(Locator::Css(selector))
        .await?
        .send_keys(text)
        .await?;
    browser.click(button).await
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_submit_toggle_remove() -> TestResult {
    live_page("click_submit_toggle_remove", todos(), async |b, _| {
        submit(b, "#title", "milk", "#add").await?;
        b.until_text("#list li:nth-child(1) .title", "milk").await?;
        // The form is reset only once its action succeeded.
        b.until("the form to be reset", "return document.querySelector('#title').value === ''")
            .await?;
        submit(b, "#title", "eggs", "#add").await?;
        b.until_text("#list li:nth-child(2) .title", "eggs").await?;
        b.until_text("#left", "2").await?;

        b.click("#list li:nth-child(1) .toggle").await?;
        b.until("the first todo to be done", "return document.querySelector('#list li').className === 'done'")
            .await?;
        b.until_text("#left", "1").await?;

        b.click("#list li:nth-child(2) .remove").await?;
        b.until("one todo left", "return document.querySelectorAll('#list li').length === 1")
            .await?;
        b.until_text("#list li .title", "milk").await?;

        // An invalid form: the errors reach `lvt:error`, the typed value stays, and the form's
        // loading state ends.
        b.js(
            "document.addEventListener('lvt:error', (e) => { window.errors = e.detail.errors; });",
            vec![],
        )
        .await?;
        submit(b, "#title", "   ", "#add").await?;
        b.until("the field's error", "return !!window.errors && window.errors.title === 'must not be empty'")
            .await?;
        let state = b
            .js(
                "const f = document.querySelector('#new'); \
                 return [document.querySelector('#title').value, f.getAttribute('aria-busy'), f.classList.contains('lvt-loading')];",
                vec![],
            )
            .await?;
        assert_eq!(state, json!(["   ", null, false]));
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_keys_debounce_and_form_values() -> TestResult {
    live_page(
        "events_keys_debounce_and_form_values",
        todos(),
        async |b, _| {
            // `lvt-on:input` with `lvt-mod:debounce`: the latest value arrives.
            submit(b, "#search", "abc", "#search").await?;
            b.until_text("#found", "found abc").await?;

            // `lvt-key="Enter"`: other keys send nothing; Enter sends the element's data-*.
            let key = b.client.find(Locator::Css("#key")).await?;
            key.send_keys("x").await?;
            key.send_keys("\u{E007}").await?;
            b.until_text("#entered", "enter in key box").await?;

            // A non-bubbling event (`mouseenter`) on its own element.
            b.js(
                "document.querySelector('#hover').dispatchEvent(new MouseEvent('mouseenter'));",
                vec![],
            )
            .await?;
            b.until_text("#hovered", "hovered").await?;

            // Repeated names keep every value; "007" stays a string.
            b.click("#pick-go").await?;
            b.until_text("#picked", "007|s,m").await?;
            b.click("#pick input[value=a]").await?;
            b.click("#pick-go").await?;
            b.until_text("#picked", "a,007|s,m").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_keeps_focus_and_caret_while_another_slot_changes() -> TestResult {
    let router = todos();
    let handle = router.handle();
    live_page("typing_keeps_focus_and_caret", router, async |b, _| {
        let title = b.client.find(Locator::Css("#title")).await?;
        title.send_keys("hello world").await?;
        b.js("document.querySelector('#title').setSelectionRange(5, 5);", vec![])
            .await?;
        for n in 1..=3 {
            handle.push("ticks", "tick", FormData::new());
            b.until_text("#ticks", &n.to_string()).await?;
        }
        let state = b
            .js(
                "const a = document.activeElement; return [a.id, a.value, a.selectionStart, a.selectionEnd];",
                vec![],
            )
            .await?;
        assert_eq!(state, json!(["title", "hello world", 5, 5]));
        title.send_keys("X").await?;
        let value = b.js("return document.querySelector('#title').value;", vec![]).await?;
        assert_eq!(value, json!("helloX world"));
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_validation_with_the_change_capability() -> TestResult {
    let server = start(todos()).await?;
    with_browser(
        "live_validation_with_the_change_capability",
        true,
        async |b| {
            b.open_live(&server.url("/")).await?;
            let title = b.client.find(Locator::Css("#title")).await?;
            title.send_keys("ab").await?;
            b.until_text("#error", "too short").await?;
            title.send_keys("c").await?;
            b.until(
                "the error to go",
                "return !document.querySelector('#error')",
            )
            .await?;
            let state = b
                .js(
                    "const a = document.activeElement; return [a.id, a.value];",
                    vec![],
                )
                .await?;
            assert_eq!(state, json!(["title", "abc"]));
            Ok(())
        },
    )
    .await?;
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_survives_a_server_restart() -> TestResult {
    let server = start(todos()).await?;
    let addr = server.addr;
    let mut server = Some(server);
    with_browser("typing_survives_a_server_restart", true, async |b| {
        b.open_live(&format!("http://{addr}/")).await?;
        submit(b, "#title", "milk", "#add").await?;
        b.until_text("#list li .title", "milk").await?;
        b.client
            .find(Locator::Css("#title"))
            .await?
            .send_keys("half typed")
            .await?;
        if let Some(old) = server.take() {
            old.stop().await?;
        }
        server = Some(Server::start(todos(), addr).await?);
        // The new server's state has no todos: the list follows it, the field keeps the text.
        b.until(
            "the resync",
            "return document.querySelectorAll('#list li').length === 0",
        )
        .await?;
        b.until_live(false).await?;
        let state = b
            .js(
                "const a = document.activeElement; return [a.id, a.value];",
                vec![],
            )
            .await?;
        assert_eq!(state, json!(["title", "half typed"]));
        b.click("#add").await?;
        b.until_text("#list li .title", "half typed").await?;
        Ok(())
    })
    .await?;
    if let Some(server) = server {
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_buttons_in_a_form() -> TestResult {
    live_page(
        "counter_buttons_in_a_form",
        counter::router(),
        async |b, _| {
            press(b, "increment", "1").await?;
            press(b, "increment", "2").await?;
            press(b, "decrement", "1").await?;
            press(b, "reset", "0").await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_stay_in_sync() -> TestResult {
    let server = start(counter::router()).await?;
    with_browser("two_tabs_stay_in_sync", true, async |b| {
        let url = server.url("/");
        b.open_live(&url).await?;
        let first = b.client.window().await?;
        let second = b.client.new_window(true).await?.handle;
        b.client.switch_to_window(second.clone()).await?;
        b.open_live(&url).await?;
        press(b, "increment", "1").await?;
        b.client.switch_to_window(first.clone()).await?;
        b.until_text("output", "1").await?;
        press(b, "increment", "2").await?;
        b.client.switch_to_window(second).await?;
        b.until_text("output", "2").await?;
        Ok(())
    })
    .await?;
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_reconnects_after_a_server_restart() -> TestResult {
    let server = start(counter::router()).await?;
    let addr = server.addr;
    let mut server = Some(server);
    with_browser("the_page_reconnects_after_a_server_restart", true, async |b| {
        b.open_live(&format!("http://{addr}/")).await?;
        b.js(
            "window.events = []; const r = document.querySelector('[data-lvt-id]'); \
             for (const t of ['lvt:connected', 'lvt:disconnected']) r.addEventListener(t, (e) => events.push(e.type));",
            vec![],
        )
        .await?;
        press(b, "increment", "1").await?;

        if let Some(old) = server.take() {
            old.stop().await?;
        }
        b.until("lvt:disconnected", "return events.includes('lvt:disconnected')")
            .await?;
        // A new process: new signing key, so the old session cookie is refused and the page
        // resyncs (over HTTP first, then its socket) from the new server's state.
        server = Some(Server::start(counter::router(), addr).await?);
        b.until_live(false).await?;
        b.until_text("output", "0").await?;
        press(b, "increment", "1").await?;
        let events = b.js("return events;", vec![]).await?;
        assert_eq!(events[0], json!("lvt:disconnected"), "{events}");
        assert!(
            events.as_array().is_some_and(|e| e.contains(&json!("lvt:connected"))),
            "{events}"
        );
        Ok(())
    })
    .await?;
    if let Some(server) = server {
        server.stop().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_websockets_refused_the_http_path_works() -> TestResult {
    let server = Server::without_websockets(todos()).await?;
    with_browser(
        "with_websockets_refused_the_http_path_works",
        true,
        async |b| {
            b.client.goto(&server.url("/")).await?;
            b.until_live(true).await?;
            submit(b, "#title", "milk", "#add").await?;
            b.until_text("#list li:nth-child(1) .title", "milk").await?;
            b.until(
                "the form to be reset",
                "return document.querySelector('#title').value === ''",
            )
            .await?;
            b.click("#list li:nth-child(1) .toggle").await?;
            b.until_text("#left", "0").await?;
            b.click("#list li:nth-child(1) .remove").await?;
            b.until(
                "no todo left",
                "return document.querySelectorAll('#list li').length === 0",
            )
            .await?;
            Ok(())
        },
    )
    .await?;
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_javascript_off_plain_forms_post() -> TestResult {
    let server = start(counter::router()).await?;
    with_browser("with_javascript_off_plain_forms_post", false, async |b| {
        b.client.goto(&server.url("/")).await?;
        let live = b.js("return typeof window.LiveTemplate;", vec![]).await;
        // With scripts off, chromedriver still runs its own; the page's did not run.
        assert!(
            matches!(live, Ok(ref v) if v == &json!("undefined")),
            "{live:?}"
        );
        press(b, "increment", "1").await?;
        press(b, "increment", "2").await?;
        press(b, "reset", "0").await?;
        Ok(())
    })
    .await?;
    server.stop().await
}

// ---------------------------------------------------------------------------------------------
// The examples
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todos_example_add_toggle_edit_remove() -> TestResult {
    live_page("todos_example_add_toggle_edit_remove", todos::app(), async |b, _| {
        submit(b, "main > form input[name=title]", "milk", "main > form button[name=add]").await?;
        b.until_text("li label", "milk").await?;
        b.until("the draft cleared", "return document.querySelector('main > form input[name=title]').value === ''")
            .await?;
        b.click("li button[name=toggle]").await?;
        b.until("the todo done", "return document.querySelector('li').classList.contains('done')")
            .await?;
        // `lvt-on:dblclick` on the label opens the edit form.
        b.js(
            "document.querySelector('li label').dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));",
            vec![],
        )
        .await?;
        b.until("the edit form", "return !!document.querySelector('li input[name=title]')")
            .await?;
        let field = b.client.find(Locator::Css("li input[name=title]")).await?;
        field.clear().await?;
        field.send_keys("oat milk").await?;
        b.click("li button[name=save]").await?;
        b.until_text("li label", "oat milk").await?;
        b.click("li button[name=remove]").await?;
        b.until("no todo left", "return document.querySelectorAll('li').length === 0")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_example_two_people_in_a_room() -> TestResult {
    let server = start(chat::app()).await?;
    with_browser("chat_example_two_people_in_a_room", true, async |b| {
        let url = server.url("/");
        b.open_live(&url).await?;
        let ann = b.client.window().await?;
        submit(b, "input[name=name]", "ann", "button[name=set_name]").await?;
        b.until(
            "ann's message box",
            "return !!document.querySelector('input[name=text]')",
        )
        .await?;
        // Another person: a new tab without ann's session cookie.
        b.client.delete_all_cookies().await?;
        let bob = b.client.new_window(true).await?.handle;
        b.client.switch_to_window(bob.clone()).await?;
        b.open_live(&url).await?;
        submit(b, "input[name=name]", "bob", "button[name=set_name]").await?;
        b.until(
            "bob's message box",
            "return !!document.querySelector('input[name=text]')",
        )
        .await?;
        submit(b, "input[name=text]", "hi from bob", "button[name=send]").await?;
        b.until_text("ol li:last-child", "bob hi from bob").await?;
        b.client.switch_to_window(ann).await?;
        b.until_text("ol li:last-child", "bob hi from bob").await?;
        submit(b, "input[name=text]", "hello bob", "button[name=send]").await?;
        b.until_text("ol li:last-child", "ann hello bob").await?;
        b.client.switch_to_window(bob).await?;
        b.until_text("ol li:last-child", "ann hello bob").await?;
        Ok(())
    })
    .await?;
    server.stop().await
}
