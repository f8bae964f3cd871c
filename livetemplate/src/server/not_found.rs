//! The `404 Not Found` answer: a page through the layout for a browser's page load, plain
//! text for the rest.

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

use super::config::Config;
use super::endpoint::{Body, layout_page, status};

/// The title the layout gets for the not-found page.
pub(crate) const TITLE: &str = "Page not found";

/// The plain-text answer to anything but a page load (a WebSocket upgrade, a POST, a script
/// asking for JSON).
pub(crate) const PLAIN: &str = "not found";

/// What a browser sees, inside the [layout](crate::server::PageLayout), when an address names
/// no page: no route matches it, a path parameter is too long or malformed, or the controller
/// said so ([`ActionError::not_found`](crate::ActionError::not_found), e.g. a `ctx.params()`
/// that did not bind). Set with [`Config::not_found`].
///
/// A `&'static str` or a `String` is a page (fixed HTML), and so is any
/// `Fn(&str) -> String + Send + Sync`, which gets the path asked for.
///
/// ```
/// use livetemplate::Config;
/// use livetemplate::server::escape_html;
///
/// let fixed = Config::default().not_found("<h1>Nothing here</h1><p><a href=\"/\">Home</a></p>");
/// let echoing = Config::default().not_found(|path: &str| {
///     // The path is the client's text: escape it.
///     format!("<h1>No page at <code>{}</code></h1>", escape_html(path))
/// });
/// # let _ = (fixed, echoing);
/// ```
pub trait NotFoundPage: Send + Sync + 'static {
    /// The HTML placed in the layout where a live page's region goes. `path` is the request's
    /// path as the client sent it (percent-encoded, untrusted): escape it before showing it;
    /// it is empty when the controller refused a URL whose route matched.
    fn render(&self, path: &str) -> String;
}

impl NotFoundPage for &'static str {
    fn render(&self, _path: &str) -> String {
        (*self).to_owned()
    }
}

impl NotFoundPage for String {
    fn render(&self, _path: &str) -> String {
        self.clone()
    }
}

impl<F> NotFoundPage for F
where
    F: Fn(&str) -> String + Send + Sync + 'static,
{
    fn render(&self, path: &str) -> String {
        self(path)
    }
}

/// The default not-found page: a heading and a sentence, the path not echoed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultNotFound;

impl NotFoundPage for DefaultNotFound {
    fn render(&self, _path: &str) -> String {
        "<h1>Page not found</h1>\n<p>There is no page at this address.</p>".to_owned()
    }
}

/// `404 Not Found`: the configured page in the layout when `html` (a browser's page load),
/// else plain text. The page has no client script: there is nothing live to connect to.
pub(crate) fn response(config: &Config, html: bool, path: &str) -> Response<Body> {
    if !html {
        return status(StatusCode::NOT_FOUND, PLAIN);
    }
    let region = config.not_found.render(path);
    let mut response = layout_page(config, StatusCode::NOT_FOUND, TITLE, &region);
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
