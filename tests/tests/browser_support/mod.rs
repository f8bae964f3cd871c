//! Headless Chromium for the end-to-end tests: a chromedriver process per test, live servers
//! started in-process on ephemeral ports (and restarted on the same port), and a server that
//! refuses WebSocket upgrades as a proxy would.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` (or `CHROMIUM` / `CHROMEDRIVER`)
//! [`Browser::start`] returns `None` and the test prints a notice and passes, unless
//! `LIVETEMPLATE_REQUIRE_BROWSER=1`, where it fails.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use livetemplate::{LiveRouter, serve_listener};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A test's error.
pub(crate) type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The longest a page may take to reach an expected state.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// One browser test at a time: Chromium is heavy and the machine small.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn binary(var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

/// A chromedriver process and one Chromium session (a fresh profile).
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    profile: PathBuf,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// A headless Chromium with JavaScript on; `None` (after a notice) when Chromium or
    /// chromedriver is missing and not required.
    pub(crate) async fn start(test: &str) -> TestResult<Option<Browser>> {
        Browser::launch(test, true).await
    }

    /// As [`Browser::start`], with JavaScript on or off.
    pub(crate) async fn launch(test: &str, javascript: bool) -> TestResult<Option<Browser>> {
        let (Some(chromium), Some(driver)) = (
            binary("CHROMIUM", "/usr/bin/chromium"),
            binary("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ) else {
            if std::env::var("LIVETEMPLATE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                return Err(
                    "LIVETEMPLATE_REQUIRE_BROWSER=1 but chromium or chromedriver is missing".into(),
                );
            }
            eprintln!("note: {test} skipped: /usr/bin/chromium or /usr/bin/chromedriver not found");
            return Ok(None);
        };
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port().await?;
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let profile = std::env::temp_dir().join(format!(
            "livetemplate-chromium-{}-{port}",
            std::process::id()
        ));
        let mut options = json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if !javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut caps = Capabilities::new();
        caps.insert("goog:chromeOptions".to_owned(), options);
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => break client,
                Err(error) if started.elapsed() > WAIT => {
                    return Err(format!("chromedriver did not start a session: {error}").into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Some(Browser {
            client,
            driver,
            profile,
            _turn: turn,
        }))
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub(crate) async fn js(&self, script: &str, args: Vec<Value>) -> TestResult<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Waits until `script` returns `true`, or fails naming `what` (with the region's HTML).
    pub(crate) async fn until(&self, what: &str, script: &str) -> TestResult {
        let started = Instant::now();
        loop {
            if self.js(script, vec![]).await? == Value::Bool(true) {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                let html = self
                    .js("const r = document.querySelector('[data-lvt-id]'); return r ? r.outerHTML : document.documentElement.outerHTML;", vec![])
                    .await?;
                return Err(format!("timed out waiting for {what}; page: {html}").into());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until the CSS `selector` matches an element whose text is `text`.
    pub(crate) async fn until_text(&self, selector: &str, text: &str) -> TestResult {
        let script = format!(
            "const el = document.querySelector({}); return !!el && el.textContent.trim() === {};",
            json!(selector),
            json!(text)
        );
        self.until(&format!("{selector} to read {text:?}"), &script)
            .await
    }

    /// Waits until the page's live region is connected (over the socket, or over HTTP when
    /// `http`).
    pub(crate) async fn until_live(&self, http: bool) -> TestResult {
        let script = format!(
            "const v = window.LiveTemplate && [...LiveTemplate.views.values()][0]; \
             return !!v && v.socket.up && v.socket.http === {http};"
        );
        self.until(
            if http {
                "the HTTP path"
            } else {
                "the live socket"
            },
            &script,
        )
        .await
    }

    /// Clicks the element `selector` matches.
    pub(crate) async fn click(&self, selector: &str) -> TestResult {
        self.client
            .find(Locator::Css(selector))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Opens `url` and waits until the live region is connected over the socket.
    pub(crate) async fn open_live(&self, url: &str) -> TestResult {
        self.client.goto(url).await?;
        self.until_live(false).await
    }

    /// Ends the session and the driver.
    pub(crate) async fn close(mut self) -> TestResult {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        closed?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only the driver this test started; Chromium exits with it.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A port free right now.
pub(crate) async fn free_port() -> TestResult<u16> {
    Ok(TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port())
}

/// A live server running in this process.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Serves `router` on `addr` (`127.0.0.1:0` for any port).
    pub(crate) async fn start(router: LiveRouter, addr: SocketAddr) -> TestResult<Server> {
        let listener = bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_listener(listener, router, async {
            let _ = stopped.await;
        }));
        Ok(Server {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Serves `router`, but answers every WebSocket upgrade with `403`, as a proxy that does
    /// not pass WebSockets would.
    pub(crate) async fn without_websockets(router: LiveRouter) -> TestResult<Server> {
        let listener = bind("127.0.0.1:0".parse()?).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let router = router.clone();
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                                let router = router.clone();
                                async move {
                                    if request.headers().contains_key(http::header::UPGRADE) {
                                        let mut refused = http::Response::new(livetemplate::server::Body::default());
                                        *refused.status_mut() = http::StatusCode::FORBIDDEN;
                                        return Ok::<_, std::convert::Infallible>(refused);
                                    }
                                    Ok(router.respond(request).await)
                                }
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    _ = &mut stopped => return Ok(()),
                }
            }
        });
        Ok(Server {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:port/path`
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops serving, closes live connections, and waits until the port is free.
    pub(crate) async fn stop(mut self) -> TestResult {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(WAIT, task).await???;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds `addr`, retrying for a while when it is still taken (a restart on the same port).
async fn bind(addr: SocketAddr) -> TestResult<TcpListener> {
    let started = Instant::now();
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(error) if started.elapsed() > WAIT => return Err(error.into()),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Runs `test` with a browser, then ends the browser's session whatever the outcome (so no
/// Chromium outlives its test); passes after a notice when there is no browser to run.
pub(crate) async fn with_browser<F>(name: &str, javascript: bool, test: F) -> TestResult
where
    F: AsyncFnOnce(&Browser) -> TestResult,
{
    let Some(browser) = Browser::launch(name, javascript).await? else {
        return Ok(());
    };
    let outcome = test(&browser).await;
    let closed = browser.close().await;
    outcome.and(closed)
}
